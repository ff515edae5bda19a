// Counts down every [data-closes-at] element each second, in words the screen already uses.
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-closes-at]");
  if (!nodes.length) { return; }
  function tick() {
    var now = Date.now();
    nodes.forEach(function (node) {
      var left = Math.max(0, Math.round((Date.parse(node.dataset.closesAt) - now) / 1000));
      var template = left > 0 ? node.dataset.template : node.dataset.over;
      node.textContent = template.replace("{s}", String(left));
    });
  }
  tick();
  setInterval(tick, 1000);
})();
