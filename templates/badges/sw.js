{% load static %}// Plenary badges: keep the delegate's badge and the desk page usable offline from the first load.
const CACHE = "plenary-badges-{{ slug }}-v3";
const PAGES = ["/a/{{ slug }}/badges/", "/a/{{ slug }}/desk/"];
// Pages answered whatever their query (?checkpoint=…): the page reads it in the browser.
const ANY_QUERY = ["/a/{{ slug }}/badges/desk/", "/a/{{ slug }}/badges/my/", "/a/{{ slug }}/desk/"];
// Everything the desk and the badge page need, fetched at install: the first load is enough.
const PRECACHE = [
  "/a/{{ slug }}/badges/desk/",
  "/a/{{ slug }}/badges/my/",
  "/a/{{ slug }}/desk/",
  "{% static 'css/plenary.css' %}",
  "{% static 'css/badges.css' %}",
  "{% static 'js/badges/desk.js' %}",
  "{% static 'js/badges/my_badge.js' %}",
  "{% static 'vendor/noble-ed25519/index.js' %}",
  "{% static 'vendor/idb-keyval/index.js' %}",
  "{% static 'vendor/qr-scanner/qr-scanner.min.js' %}",
  "{% static 'vendor/qr-scanner/qr-scanner-worker.min.js' %}",
];

// One by one: a page this user may not open (a desk's /badges/my/) is skipped, not fatal.
async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    PRECACHE.map(async (url) => {
      try {
        const response = await fetch(url, { credentials: "same-origin", redirect: "error" });
        if (response.ok) await cache.put(url, response);
      } catch (error) {
        // Offline or refused: cached when next fetched.
      }
    }),
  );
}

self.addEventListener("install", (event) => event.waitUntil(precache().then(() => self.skipWaiting())));
self.addEventListener("activate", (event) =>
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("plenary-badges-{{ slug }}-") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  ),
);

function cacheable(url, request) {
  if (request.method !== "GET" || url.origin !== self.location.origin) return false;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/ws/")) return false;
  return (
    PAGES.some((page) => url.pathname.startsWith(page)) ||
    ["/static/", "/media/", "/photos/delegates/"].some((prefix) => url.pathname.startsWith(prefix))
  );
}

function cacheKey(url) {
  return ANY_QUERY.includes(url.pathname) ? url.origin + url.pathname : url.href;
}

// The desk page answered with a redirect (to the login) or a 401: nobody is logged in.
function loggedOut(url, response) {
  if (!ANY_QUERY.includes(url.pathname)) return false;
  return response.type === "opaqueredirect" || response.redirected || response.status === 401;
}

// The badge page answered from here says so (my_badge.js shows "Saved copy from …"): wifi that is
// up but reaches nothing leaves navigator.onLine true, so the page cannot tell by itself.
async function markedAsSavedCopy(response) {
  if (!(response.headers.get("content-type") || "").startsWith("text/html")) return response;
  const body = (await response.text()).replace(" data-rendered-at=", " data-from-cache data-rendered-at=");
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

// Network first (fresh badge, fresh desk), the cached copy when the network is gone.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (!cacheable(url, event.request)) return;
  const key = cacheKey(url);
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (loggedOut(url, response)) {
          // Online, the server is the session check: the next offline visit finds no desk,
          // roster page or photos of a login that has ended.
          caches.delete(CACHE);
          return response;
        }
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(key, copy));
        }
        return response;
      })
      .catch(() => caches.match(key).then((hit) => (hit ? markedAsSavedCopy(hit) : Response.error()))),
  );
});
