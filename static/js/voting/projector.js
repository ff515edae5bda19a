/* The projector: quorum bar, the open poll with countdown and turnout gauge, then the result.
   Runs unattended: state is a small map of the polls on show, redrawn from it, never appended. */
(function () {
  "use strict";
  var R = window.PlenaryRoom;
  var L = R.labels;
  var state = { quorum: null, polls: {} };
  var quorumEl = document.getElementById("projector-quorum");
  var pollEl = document.getElementById("projector-poll");

  function current() {
    var polls = Object.keys(state.polls).map(function (id) { return state.polls[id]; });
    var open = polls.filter(function (p) { return p.state === "open"; });
    if (open.length) {
      return open.sort(function (a, b) { return (b.opened_at || "").localeCompare(a.opened_at || ""); })[0];
    }
    var done = polls.filter(function (p) { return p.state === "closed" || p.state === "published"; });
    return done.sort(function (a, b) { return (b.closed_at || "").localeCompare(a.closed_at || ""); })[0] || null;
  }

  // Keep only what can still be shown: the open polls and the latest closed one.
  function prune() {
    var keep = current();
    Object.keys(state.polls).forEach(function (id) {
      var p = state.polls[id];
      if (p.state !== "open" && (!keep || keep.id !== p.id)) delete state.polls[id];
    });
  }

  function figures(title, fig) {
    if (!fig) return null;
    var e = fig.electorate || {}, head = fig.audit_head || {};
    return R.el("p", { "class": "observer" }, [
      R.el("strong", { text: title + ": " }),
      document.createTextNode(R.fill(L.electorate, { count: e.count, fingerprint: e.fingerprint }) + " · " +
        R.fill(L.audit_head, { seq: head.seq, hash: head.hash }))
    ]);
  }

  function countdownNode(poll) {
    if (poll.state !== "open" || !poll.closes_at) return null;
    return R.el("p", {
      "class": "countdown", role: "timer", "aria-live": "off",
      "data-closes-at": poll.closes_at, "data-template": L.closes_in, "data-over": L.time_over,
      text: R.fill(L.closes_in, { s: poll.seconds_left })
    });
  }

  function resultNode(lines) {
    var list = R.el("ul", { "class": "bars result-bars" });
    lines.bars.forEach(function (bar) {
      list.appendChild(R.el("li", { "class": bar.elected ? "elected" : "" }, [
        R.el("span", { text: bar.label }),
        R.el("span", { "class": "bar", "aria-hidden": "true" }, [R.el("span", { style: "width: " + bar.share + "%" })]),
        R.el("span", { "class": "count", text: R.numbers.format(bar.count) })
      ]));
    });
    return R.el("div", {}, [
      R.el("p", { "class": "result-sentence", text: lines.sentence }),
      list,
      R.el("p", { "class": "result-base", text: R.fill(L.base, lines) })
    ]);
  }

  function add(node) { if (node) pollEl.appendChild(node); }

  function drawPoll() {
    var poll = current();
    pollEl.textContent = "";
    if (!poll) {
      add(R.el("p", { "class": "projector-idle", text: L.no_poll }));
      return;
    }
    add(R.el("h1", { "class": "projector-question", id: "projector-question", text: poll.title }));
    if (poll.round > 1) add(R.el("p", { "class": "projector-round", text: R.fill(L.round, { n: poll.round }) }));
    var turnoutWords = R.fill(L.turnout, { turnout: poll.turnout, eligible: poll.eligible });
    if (poll.state === "open") {
      add(countdownNode(poll));
      add(R.el("div", { "class": "gauge", role: "img", "aria-label": turnoutWords }, [
        R.el("span", { "class": "gauge-fill", style: "width: " + R.pct(poll.turnout, poll.eligible) + "%" })
      ]));
      add(R.el("p", { "class": "projector-turnout", id: "projector-turnout", "data-turnout": poll.turnout, text: turnoutWords }));
      add(figures(L.at_open, poll.at_open));
      return;
    }
    add(R.el("p", { "class": "projector-turnout", id: "projector-turnout", "data-turnout": poll.turnout, text: turnoutWords }));
    if (poll.state === "published" && poll.lines) add(resultNode(poll.lines));
    else add(R.el("p", { "class": "projector-awaiting", text: L.awaiting }));
    add(figures(L.at_open, poll.at_open));
    add(figures(L.at_close, poll.at_close));
  }

  // The quorum of the body whose poll is on screen, else the first body's (the General Assembly).
  function quorumOnShow() {
    var bodies = (state.quorum && state.quorum.bodies) || [];
    var poll = current();
    return bodies.filter(function (q) { return poll && q.body === poll.body; })[0] || bodies[0];
  }

  function drawQuorum() {
    quorumEl.textContent = "";
    var q = quorumOnShow();
    if (q) quorumEl.appendChild(R.quorumNode(q, false));
  }

  var drawn = false;
  function redraw() {
    // Coalesce redraws to one per frame whatever arrives.
    if (drawn) return;
    drawn = true;
    window.requestAnimationFrame(function () { drawn = false; prune(); drawQuorum(); drawPoll(); });
  }

  function onSnapshot(payload) {
    state.quorum = payload.quorum;
    state.polls = {};
    payload.polls.forEach(function (p) { state.polls[p.id] = p; });
    redraw();
  }

  function onEvent(type, payload) {
    if (type === "quorum.changed") state.quorum = payload;
    else if (type === "poll.state") {
      var before = state.polls[payload.id];
      if (before && payload.state === "open") payload.turnout = Math.max(payload.turnout, before.turnout);
      state.polls[payload.id] = payload;
    } else if (type === "poll.turnout") {
      var poll = state.polls[payload.poll];
      if (!poll) return;
      poll.turnout = payload.turnout;
      poll.turnout_weight = payload.turnout_weight;
      if (payload.eligible !== null && payload.eligible !== undefined) poll.eligible = payload.eligible;
    } else return;
    redraw();
  }

  var first = R.json("room-snapshot");
  if (first) onSnapshot(first.payload);
  var connection = R.start({ onSnapshot: onSnapshot, onEvent: onEvent });
  if (connection && first) connection.accept(first);
})();
