/* The live room's shared pieces: labels, number formatting, the quorum picture, the socket. */
(function () {
  "use strict";

  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var labels = json("live-labels") || {};
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, name) {
      var value = values[name];
      if (value === undefined || value === null) return "–";
      return typeof value === "number" ? numbers.format(value) : String(value);
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "style") node.setAttribute("style", attrs[name]);
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function pct(part, whole) {
    return whole ? Math.min(100, Math.round((100 * part) / whole)) : 0;
  }

  // One body's quorum: the line in words, the bar with its threshold mark, optionally regions.
  function quorumNode(q, withRegions) {
    var line = fill(labels.quorum_line, q);
    var status = labels[q.status] || q.status;
    var node = el("div", { "class": "quorum", "data-body": q.body }, [
      el("p", {}, [
        el("strong", { text: q.body_name }), document.createTextNode(": " + line + " — "),
        el("span", { "class": "quorum-status " + q.status, text: status })
      ]),
      el("div", { "class": "quorum-bar", role: "img", "aria-label": line + " — " + status }, [
        el("span", { "class": "fill " + q.status, style: "width: " + pct(q.present, q.eligible) + "%" }),
        el("span", { "class": "mark", style: "left: " + pct(q.needed, q.eligible) + "%" })
      ])
    ]);
    if (withRegions && q.by_region) {
      var list = el("ul", { "class": "bars", "aria-label": labels.by_region || "" });
      Object.keys(q.by_region).forEach(function (code) {
        var r = q.by_region[code];
        if (!r.eligible) return;
        list.appendChild(el("li", {}, [
          el("span", { text: r.label }),
          el("span", { "class": "bar" }, [el("span", { style: "width: " + pct(r.present, r.eligible) + "%" })]),
          el("span", { "class": "count", text: numbers.format(r.present) + "/" + numbers.format(r.eligible) })
        ]));
      });
      node.appendChild(list);
    }
    return node;
  }

  function start(handlers) {
    var config = json("live-config");
    if (!config || !window.PlenaryLive) return null;
    return window.PlenaryLive.connect({
      socket: config.socket,
      snapshot: config.snapshot,
      heartbeatSeconds: config.heartbeat_seconds,
      statusEl: document.getElementById("live-status"),
      onSnapshot: function (payload, message) {
        // Each snapshot carries the server's clock: countdowns follow it, not this device's.
        if (window.PlenaryClock) window.PlenaryClock.sync(payload.now);
        handlers.onSnapshot(payload, message);
      },
      onEvent: handlers.onEvent,
      onEnd: handlers.onEnd
    });
  }

  window.PlenaryRoom = {
    labels: labels, fill: fill, el: el, pct: pct, json: json,
    numbers: numbers, quorumNode: quorumNode, start: start
  };
})();
