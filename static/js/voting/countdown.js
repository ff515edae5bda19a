/* Counts down every [data-closes-at] element, including ballots inserted live, from its absolute
   close time on the server's clock (the offset from the page and from each live snapshot), so a
   count only ever goes down. At zero it tells the page ("plenary:time-over" on the element). */
(function () {
  "use strict";
  var offset = null; // the server's clock minus this device's, in milliseconds
  var lowest = {}; // close time (ms) -> the lowest count shown for it

  function sync(serverTime) {
    var server = Date.parse(serverTime || "");
    if (isNaN(server)) return;
    // Every estimate falls short of the truth by the time the message travelled: keep the largest.
    var estimate = server - Date.now();
    if (offset === null || estimate > offset) offset = estimate;
  }

  function secondsLeft(closesAt) {
    var end = Date.parse(closesAt || "");
    if (isNaN(end)) return null;
    var left = Math.max(0, Math.ceil((end - Date.now() - (offset || 0)) / 1000));
    if (lowest[end] !== undefined && lowest[end] < left) left = lowest[end];
    lowest[end] = left;
    return left;
  }

  function tick() {
    document.querySelectorAll("[data-closes-at]").forEach(function (node) {
      var left = secondsLeft(node.dataset.closesAt);
      if (left === null) return;
      var template = left > 0 ? node.dataset.template : node.dataset.over;
      node.textContent = template.replace("{s}", String(left));
      if (left === 0 && !node.dataset.ended) {
        node.dataset.ended = "1";
        node.dispatchEvent(new CustomEvent("plenary:time-over", { bubbles: true }));
      }
    });
  }

  var config = document.getElementById("live-config");
  if (config) sync(JSON.parse(config.textContent).server_now);
  window.PlenaryClock = { sync: sync, secondsLeft: secondsLeft, tick: tick };
  tick();
  setInterval(tick, 1000);
})();
