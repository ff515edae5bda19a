// Plenary badges: keep the delegate's badge and the desk page usable offline once loaded.
const CACHE = "plenary-badges-{{ slug }}-v1";
const SCOPE = "/a/{{ slug }}/badges/";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function cacheable(url, request) {
  if (request.method !== "GET" || url.origin !== self.location.origin) return false;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/ws/")) return false;
  return url.pathname.startsWith(SCOPE) || url.pathname.startsWith("/static/") || url.pathname.startsWith("/media/");
}

// Network first (fresh badge, fresh desk), the cached copy when the network is gone.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (!cacheable(url, event.request)) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        }
        return response;
      })
      .catch(() => caches.match(event.request).then((hit) => hit || Response.error())),
  );
});
