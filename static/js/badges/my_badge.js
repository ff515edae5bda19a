// The delegate's badge: full screen, screen kept awake, cached by the service worker for offline use.
const root = document.getElementById("my-badge");
if ("serviceWorker" in navigator && root) {
  navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.scope }).catch(() => {});
}
let wakeLock = null;
async function keepAwake() {
  try {
    wakeLock = await navigator.wakeLock?.request("screen");
  } catch (error) {
    wakeLock = null;
  }
}
const toggle = document.getElementById("fullscreen");
toggle?.addEventListener("click", async () => {
  if (document.fullscreenElement) {
    await document.exitFullscreen().catch(() => {});
    return;
  }
  const badge = document.querySelector(".my-badge");
  try {
    await badge.requestFullscreen();
  } catch (error) {
    badge.scrollIntoView();
  }
  keepAwake();
});
// The button says what it does now: in full screen it was still "Full screen", with no way out.
document.addEventListener("fullscreenchange", () => {
  if (!toggle) return;
  toggle.textContent = document.fullscreenElement ? toggle.dataset.leave : toggle.dataset.enter;
  toggle.focus();
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && wakeLock !== null) keepAwake();
});
// A saved copy says so, with the time it was made: offline, or answered from the service worker's
// cache (data-from-cache, set by sw.js: venue wifi that reaches nothing leaves navigator.onLine true).
const savedCopy = document.getElementById("saved-copy");
function showSavedCopy() {
  if (savedCopy) savedCopy.hidden = navigator.onLine && !("fromCache" in root.dataset);
}
showSavedCopy();
window.addEventListener("online", showSavedCopy);
window.addEventListener("offline", showSavedCopy);
