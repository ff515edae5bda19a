// Counts down every [data-closes-at] element each second, including ballots inserted live.
(function () {
  "use strict";
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-closes-at]").forEach(function (node) {
      var left = Math.max(0, Math.round((Date.parse(node.dataset.closesAt) - now) / 1000));
      var template = left > 0 ? node.dataset.template : node.dataset.over;
      node.textContent = template.replace("{s}", String(left));
    });
  }
  tick();
  setInterval(tick, 1000);
})();
