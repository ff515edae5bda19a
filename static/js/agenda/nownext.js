// Lobby screen: a snapshot then deltas over the socket (stale seq dropped), the clock moves
// "now" and "next" on by itself, and a lost socket reconnects with capped, jittered backoff.
(function () {
  "use strict";
  var root = document.querySelector("[data-now-next]");
  if (!root) return;
  var zone = root.getAttribute("data-zone");
  var sessions = {};
  var lastSeq = 0;
  var hasSnapshot = false;
  var timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
  var dayFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", timeZone: zone });
  var clockEl = root.querySelector("[data-clock]");
  var statusEl = root.querySelector("[data-status]");

  function item(s, withDay) {
    var li = document.createElement("li");
    var start = new Date(s.starts_at), end = new Date(s.ends_at);
    var time = document.createElement("span");
    time.className = "nn-time";
    time.textContent = (withDay ? dayFmt.format(start) + " " : "") + timeFmt.format(start) + "–" + timeFmt.format(end);
    var title = document.createElement("strong");
    title.textContent = s.title;
    var room = document.createElement("span");
    room.className = "nn-room";
    room.textContent = s.room;
    li.append(time, " ", title, " ", room);
    if (s.status === "moved") {
      var moved = document.createElement("span");
      moved.className = "nn-moved";
      moved.textContent = root.getAttribute("data-label-moved");
      li.append(" ", moved);
    }
    return li;
  }

  function fill(name, list, emptyLabel, withDay) {
    var ul = root.querySelector('[data-list="' + name + '"]');
    var nodes = list.length ? list.map(function (s) { return item(s, withDay); }) : [(function () {
      var li = document.createElement("li"); li.className = "nn-empty"; li.textContent = emptyLabel; return li;
    })()];
    ul.replaceChildren.apply(ul, nodes);
  }

  function render() {
    var now = Date.now();
    clockEl.textContent = timeFmt.format(new Date(now));
    if (!hasSnapshot) return;
    var live = Object.values(sessions).filter(function (s) { return s.status !== "cancelled"; });
    live.sort(function (a, b) { return new Date(a.starts_at) - new Date(b.starts_at); });
    var current = live.filter(function (s) { return new Date(s.starts_at) <= now && now < new Date(s.ends_at); });
    var next = live.filter(function (s) { return new Date(s.starts_at) > now; }).slice(0, 4);
    fill("now", current, root.getAttribute("data-label-nothing-now"), false);
    fill("next", next, root.getAttribute("data-label-nothing-next"), true);
  }

  function onMessage(event) {
    var msg = JSON.parse(event.data);
    if (msg.type === "snapshot") {
      if (msg.seq < lastSeq) return;
      sessions = {};
      msg.payload.sessions.forEach(function (s) { sessions[s.code] = s; });
      hasSnapshot = true;
    } else {
      if (!hasSnapshot || msg.seq <= lastSeq) return;  // stale: older than what we hold
      if (msg.type === "session.changed") sessions[msg.payload.code] = msg.payload;
      if (msg.type === "session.removed") delete sessions[msg.payload.code];
    }
    lastSeq = msg.seq;
    root.setAttribute("data-seq", String(lastSeq));
    render();
  }

  var attempt = 0;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + root.getAttribute("data-ws"));
    socket.onopen = function () { attempt = 0; statusEl.textContent = ""; root.setAttribute("data-connected", "1"); };
    socket.onmessage = onMessage;
    socket.onclose = function () {
      root.setAttribute("data-connected", "0");
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      statusEl.textContent = "…";
      setTimeout(connect, delay);
    };
  }

  render();
  setInterval(render, 15000);
  if ("WebSocket" in window) connect();
})();
