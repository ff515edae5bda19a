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

  // The viewer's calendar date of an instant, "YYYY-MM-DD" like the server's data-date.
  var isoDay = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" });
  function viewerDate(date) {
    var parts = {};
    isoDay.formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }
  function daysBetween(first, second) {
    return Math.round((Date.parse(viewerDate(second)) - Date.parse(viewerDate(first))) / 86400000);
  }
  function dayAfter(days) {
    var label = button.getAttribute(days === 1 ? "data-label-next-day" : "data-label-next-days") || "+{n}";
    return " (" + label.replace("{n}", days) + ")";
  }

  // A time whose day in the viewer's zone is not the assembly's day it is listed under
  // carries its date; an end on a later day than its start says "(+1 day)".
  function viewerText(el) {
    var date = new Date(Number(el.getAttribute("data-ts")));
    var since = el.getAttribute("data-since");
    if (since) {
      var days = daysBetween(new Date(Number(since)), date);
      return clock.format(date) + (days > 0 ? dayAfter(days) : "");
    }
    var otherDay = el.getAttribute("data-date") && el.getAttribute("data-date") !== viewerDate(date);
    return (el.getAttribute("data-day") || otherDay ? day.format(date) + ", " : "") + clock.format(date);
  }

  function apply(viewer) {
    document.querySelectorAll("time[data-ts]").forEach(function (el) {
      if (!el.hasAttribute("data-assembly-text")) el.setAttribute("data-assembly-text", el.textContent);
      el.textContent = viewer ? viewerText(el) : el.getAttribute("data-assembly-text");
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
