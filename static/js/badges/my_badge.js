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
document.getElementById("fullscreen")?.addEventListener("click", async () => {
  const badge = document.querySelector(".my-badge");
  try {
    await badge.requestFullscreen();
  } catch (error) {
    badge.scrollIntoView();
  }
  keepAwake();
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && wakeLock !== null) keepAwake();
});
