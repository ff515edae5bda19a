// Loaded on pages seen without a login: the offline desk's cached pages and photos, and its
// service worker, go with the session. A logout whose answer kept this site's stored data
// (a desk's scans still waiting to go up) leaves them to this script; the scans stay.
if ("caches" in window) {
  caches.keys().then((names) => Promise.all(names.map((name) => caches.delete(name))));
}
if ("serviceWorker" in navigator) {
  navigator.serviceWorker
    .getRegistrations()
    .then((registrations) => Promise.all(registrations.map((registration) => registration.unregister())));
}
