/* Counts down every [data-closes-at] element, including ballots inserted live, from its absolute
   close time on the server's clock (the offset from the page and from each live snapshot), so a
   count only ever goes down. At zero it tells the page ("plenary:time-over" on the element).
   The count itself is silent (role=timer, aria-live=off: a number a second is noise); a timer
   with data-warn-minute / data-warn-seconds says once, in the page's #countdown-warning live
   region, when it passes one minute and ten seconds left. */
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

  // The page's live region for the warnings (in the page from the start: a region made when
  // it speaks is not heard).
  var warnings = document.getElementById("countdown-warning");

  // Said once per timer, when the count passes the mark (not when a page opens below it).
  var MARKS = [[60, "warnMinute"], [10, "warnSeconds"]];

  function warn(node, left) {
    var before = node.lastLeft;
    node.lastLeft = left;
    if (before === undefined || left === 0) return;
    MARKS.forEach(function (mark) {
      var words = node.dataset[mark[1]];
      if (words && before > mark[0] && left <= mark[0] && !node.dataset[mark[1] + "Said"]) {
        node.dataset[mark[1] + "Said"] = "1";
        if (left <= 10 && mark[0] > 10) return; // both passed at once: the later one is said
        if (warnings) warnings.textContent = words;
      }
    });
  }

  function tick() {
    document.querySelectorAll("[data-closes-at]").forEach(function (node) {
      var left = secondsLeft(node.dataset.closesAt);
      if (left === null) return;
      warn(node, left);
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
