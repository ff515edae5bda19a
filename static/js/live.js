/* Plenary live client: snapshot first, then deltas; stale messages dropped by seq;
   reconnects with backoff and shows a small "reconnecting" mark; falls back to polling
   a JSON snapshot endpoint (same shape) where websockets are blocked. The server sends a
   heartbeat: a socket silent for a few of them is dead (a dropped network closes nothing),
   so the page says "reconnecting", polls meanwhile and opens a new socket. The browser's own
   offline and online events are taken at once: "reconnecting" when the network goes, a new
   socket the moment it is back (not after the heartbeat's silence and the retry's backoff). */
(function () {
  "use strict";

  function socketUrl(path) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + path;
  }

  function LiveConnection(options) {
    this.path = options.socket;             // e.g. "/ws/a/wego/room/"
    this.snapshotUrl = options.snapshot;    // JSON endpoint answering {type, seq, payload}
    this.onSnapshot = options.onSnapshot || function () {};
    this.onEvent = options.onEvent || function () {};
    this.statusEl = options.statusEl || null;
    this.pollEvery = options.pollEvery || 4000;
    this.snapshotSeq = 0;
    this.highestSeq = 0;
    this.lastSeqByType = {};
    this.failures = 0;
    this.polling = null;
    this.socket = null;
    this.closedByUs = false;
    this.onEnd = options.onEnd || function () {};
    // Silent for two heartbeats and a margin: dead. Opening gets less time than that.
    var beat = options.heartbeatSeconds || 15;
    this.silentMs = (2 * beat + 5) * 1000;
    this.openingMs = Math.min(this.silentMs, 10000);
    this.watchdog = null;
    this.retryTimer = null;
    this.ended = false;
    this.listenToNetwork();
  }

  // Close codes that end live updates for good: no reconnecting, the page says why.
  var ENDED = { 4403: "denied", 4410: "replaced" };

  LiveConnection.prototype.setStatus = function (state) {
    if (!this.statusEl) return;
    this.statusEl.dataset.state = state;
    var text = this.statusEl.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)];
    this.statusEl.textContent = text || "";
    this.statusEl.hidden = state === "live";
  };

  LiveConnection.prototype.accept = function (message) {
    if (!message || typeof message.seq !== "number") return;
    // Several messages in one frame (the server's per-socket rate), oldest first: each in turn.
    if (message.type === "batch" && Array.isArray(message.payload)) {
      for (var i = 0; i < message.payload.length; i++) this.accept(message.payload[i]);
      return;
    }
    if (message.type === "snapshot") {
      // A snapshot numbered before something already shown would take the screen back.
      if (message.seq <= this.highestSeq) return;
      this.snapshotSeq = this.highestSeq = message.seq;
      this.lastSeqByType = {};
      this.onSnapshot(message.payload, message);
      return;
    }
    // Anything built before the snapshot we hold, or before a newer message about the same
    // thing (type + poll), is stale. One entry per open thing: the map does not grow all day.
    if (message.seq <= this.snapshotSeq) return;
    var payload = message.payload || {};
    var key = message.type + ":" + (payload.poll || payload.id || "");
    if (message.seq <= (this.lastSeqByType[key] || 0)) return;
    this.lastSeqByType[key] = message.seq;
    if (message.seq > this.highestSeq) this.highestSeq = message.seq;
    this.onEvent(message.type, message.payload, message);
  };

  LiveConnection.prototype.fetchSnapshot = function () {
    var self = this;
    if (!this.snapshotUrl) return Promise.resolve();
    return fetch(this.snapshotUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 403) { self.end("denied"); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (message) { if (message) self.accept(message); })
      .catch(function () { /* offline: the next poll or reconnect tries again */ });
  };

  LiveConnection.prototype.listenToNetwork = function () {
    var self = this;
    window.addEventListener("offline", function () { self.wentOffline(); });
    window.addEventListener("online", function () { self.cameOnline(); });
  };

  // The network is gone: the socket with it (whatever it has not noticed yet). Say so now and
  // wait for "online" rather than retrying into nothing.
  LiveConnection.prototype.wentOffline = function () {
    if (this.ended || this.closedByUs) return;
    var socket = this.socket;
    this.socket = null;
    this.unwatch();
    this.stopPolling();
    this.cancelRetry();
    if (socket) {
      try { socket.close(); } catch (error) { /* already closing */ }
    }
    this.setStatus("reconnecting");
  };

  // The network is back: reconnect at once, from a fresh start of the backoff.
  LiveConnection.prototype.cameOnline = function () {
    if (this.ended || this.closedByUs) return;
    if (this.socket && this.socket.readyState === 1) return; // still live: nothing was lost
    var socket = this.socket;
    this.socket = null;
    if (socket) {
      try { socket.close(); } catch (error) { /* already closing */ }
    }
    this.cancelRetry();
    this.failures = 0;
    this.connect();
  };

  LiveConnection.prototype.cancelRetry = function () {
    if (this.retryTimer) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  };

  // Live updates stop for good (access refused, projector link replaced): say why, stay put.
  LiveConnection.prototype.end = function (why) {
    this.ended = true;
    this.close();
    this.setStatus(why);
    this.onEnd(why);
  };

  LiveConnection.prototype.startPolling = function (quietly) {
    var self = this;
    if (this.polling || !this.snapshotUrl) return;
    if (!quietly) this.setStatus("polling");
    this.fetchSnapshot();
    this.polling = window.setInterval(function () { self.fetchSnapshot(); }, this.pollEvery);
  };

  LiveConnection.prototype.stopPolling = function () {
    if (this.polling) window.clearInterval(this.polling);
    this.polling = null;
  };

  LiveConnection.prototype.connect = function () {
    var self = this;
    this.closedByUs = false;
    if (!("WebSocket" in window)) { this.startPolling(); return this; }
    var socket;
    try {
      socket = new WebSocket(socketUrl(this.path));
    } catch (error) {
      this.startPolling();
      return this;
    }
    this.socket = socket;
    this.watch(this.openingMs);
    socket.onopen = function () {
      self.failures = 0;
      self.stopPolling();
      self.setStatus("live");
      self.watch(self.silentMs);
    };
    socket.onmessage = function (event) {
      self.watch(self.silentMs); // anything, the heartbeat included, shows the socket carries
      var message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      self.accept(message);
    };
    socket.onclose = function (event) {
      if (self.socket !== socket) return; // given up on already (silent too long)
      self.socket = null;
      self.unwatch();
      if (self.closedByUs) return;
      if (ENDED[event.code]) { self.end(ENDED[event.code]); return; }
      self.retry();
    };
    return this;
  };

  LiveConnection.prototype.retry = function () {
    var self = this;
    this.failures += 1;
    // After a few failed attempts the network probably blocks websockets: poll meanwhile.
    if (this.failures >= 3) this.startPolling(); else this.setStatus("reconnecting");
    var delay = Math.min(30000, 1000 * Math.pow(2, this.failures - 1));
    delay = delay / 2 + Math.random() * delay / 2;
    this.cancelRetry();
    this.retryTimer = window.setTimeout(function () {
      self.retryTimer = null;
      if (self.closedByUs) return;
      // Offline, a new socket would only fail: wait on ("online" reconnects at once).
      if (navigator.onLine === false) self.retry(); else self.connect();
    }, delay);
  };

  LiveConnection.prototype.watch = function (ms) {
    var self = this;
    this.unwatch();
    this.watchdog = window.setTimeout(function () { self.giveUp(); }, ms);
  };

  LiveConnection.prototype.unwatch = function () {
    if (this.watchdog) window.clearTimeout(this.watchdog);
    this.watchdog = null;
  };

  // Nothing heard for too long: the socket is dead even if the browser has not noticed. Drop it,
  // keep the screen current by polling, and open a new one.
  LiveConnection.prototype.giveUp = function () {
    var socket = this.socket;
    this.socket = null;
    this.watchdog = null;
    if (socket) {
      try { socket.close(); } catch (error) { /* already closing */ }
    }
    this.setStatus("reconnecting");
    this.startPolling(true);
    this.retry();
  };

  LiveConnection.prototype.close = function () {
    this.closedByUs = true;
    this.stopPolling();
    this.unwatch();
    this.cancelRetry();
    if (this.socket) this.socket.close();
  };

  window.PlenaryLive = {
    connect: function (options) { return new LiveConnection(options).connect(); },
    LiveConnection: LiveConnection
  };
})();
