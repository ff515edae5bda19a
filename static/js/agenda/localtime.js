// Times are printed in the assembly's zone; this switch shows them in the phone's own zone.
(function () {
  "use strict";
  var button = document.querySelector("[data-tz-switch]");
  if (!button || !window.Intl) return;
  var viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var assemblyZone = button.getAttribute("data-assembly-zone");
  var key = "plenary.agenda.viewerTime";
  var clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  var day = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
  var zoneName = new Intl.DateTimeFormat(undefined, { timeZoneName: "shortOffset" });

  function offsetOf(date) {
    var part = zoneName.formatToParts(date).find(function (p) { return p.type === "timeZoneName"; });
    return part ? part.value.replace("GMT", "UTC") : viewerZone;
  }

  function apply(viewer) {
    document.querySelectorAll("time[data-ts]").forEach(function (el) {
      if (!el.hasAttribute("data-assembly-text")) el.setAttribute("data-assembly-text", el.textContent);
      if (!viewer) { el.textContent = el.getAttribute("data-assembly-text"); return; }
      var date = new Date(Number(el.getAttribute("data-ts")));
      el.textContent = (el.getAttribute("data-day") ? day.format(date) + ", " : "") + clock.format(date);
    });
    document.querySelectorAll("[data-tz-offset]").forEach(function (el) {
      if (!el.hasAttribute("data-assembly-text")) el.setAttribute("data-assembly-text", el.textContent);
      var first = el.parentElement && el.parentElement.querySelector("time[data-ts]");
      el.textContent = viewer && first ? offsetOf(new Date(Number(first.getAttribute("data-ts"))))
                                       : el.getAttribute("data-assembly-text");
    });
    button.setAttribute("aria-pressed", viewer ? "true" : "false");
    button.textContent = viewer ? button.getAttribute("data-label-assembly")
                                : button.getAttribute("data-label-viewer");
    var note = document.querySelector("[data-tz-note]");
    if (note) note.textContent = viewer ? viewerZone : assemblyZone;
  }

  if (viewerZone === assemblyZone) { button.hidden = true; return; }
  button.hidden = false;
  var viewer = false;
  try { viewer = localStorage.getItem(key) === "1"; } catch (e) { /* private mode */ }
  apply(viewer);
  button.addEventListener("click", function () {
    viewer = !viewer;
    try { localStorage.setItem(key, viewer ? "1" : "0"); } catch (e) { /* private mode */ }
    apply(viewer);
  });
})();
