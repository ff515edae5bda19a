/* The projector: quorum bar, each open poll with countdown and turnout gauge, then the result.
   Runs unattended: state is a small map of the polls on show, redrawn from it, never appended. */
(function () {
  "use strict";
  var R = window.PlenaryRoom;
  var L = R.labels;
  var state = { quorum: null, polls: {} };
  var quorumEl = document.getElementById("projector-quorum");
  var pollEl = document.getElementById("projector-poll");

  function time(iso) { return Date.parse(iso || "") || 0; }
  // When a poll last ended: its publication, else its closing.
  function endedAt(poll) { return time(poll.published_at || poll.closed_at); }

  // What the hall sees: every open poll (first opened on top), then the poll that ended last
  // (closed, or published) unless a poll opened after it ended. So a result the chair has just
  // published stays up beside the open ballots until the chair opens another poll or ends
  // another one; with nothing open, the last one that ended stays, as before.
  function onShow() {
    var polls = Object.keys(state.polls).map(function (id) { return state.polls[id]; });
    var open = polls.filter(function (p) { return p.state === "open"; })
      .sort(function (a, b) { return time(a.opened_at) - time(b.opened_at) || a.id - b.id; });
    var last = polls.filter(function (p) { return p.state === "closed" || p.state === "published"; })
      .sort(function (a, b) { return endedAt(b) - endedAt(a) || b.id - a.id; })[0];
    var lastOpening = Math.max.apply(null, [0].concat(open.map(function (p) { return time(p.opened_at); })));
    return last && endedAt(last) >= lastOpening ? open.concat([last]) : open;
  }

  // Keep only what can still be shown: the open polls and the ended one on show.
  function prune() {
    var shown = onShow().map(function (p) { return p.id; });
    Object.keys(state.polls).forEach(function (id) {
      var p = state.polls[id];
      if (p.state !== "open" && shown.indexOf(p.id) < 0) delete state.polls[id];
    });
  }

  // The observers' figures, whole (they are checked against the audit export), one compact
  // line each in the screen's foot.
  function figures(title, fig) {
    if (!fig) return null;
    var e = fig.electorate || {}, head = fig.audit_head || {};
    return R.el("p", { "class": "observer" }, [
      R.el("strong", { text: title + ": " }),
      document.createTextNode(R.fill(L.electorate, { count: e.count, fingerprint: e.fingerprint }) + " · " +
        R.fill(L.audit_head, { seq: head.seq, hash: head.hash }))
    ]);
  }

  function observers(rows) {
    var lines = rows.map(function (row) { return figures(row[0], row[1]); }).filter(Boolean);
    return lines.length ? R.el("footer", { "class": "observers" }, lines) : null;
  }

  // The time left comes from the absolute close time on the server's clock (countdown.js), never
  // from a message's seconds_left: a redraw between two ticks must not take the count back up.
  function countdownNode(poll) {
    if (poll.state !== "open" || !poll.closes_at) return null;
    var left = window.PlenaryClock ? window.PlenaryClock.secondsLeft(poll.closes_at) : poll.seconds_left;
    return R.el("p", {
      "class": "countdown", role: "timer", "aria-live": "off",
      "data-closes-at": poll.closes_at, "data-template": L.closes_in, "data-over": L.time_over,
      text: left > 0 ? R.fill(L.closes_in, { s: left }) : L.time_over
    });
  }

  function resultNode(lines) {
    var list = R.el("ul", { "class": "bars result-bars" });
    lines.bars.forEach(function (bar) {
      list.appendChild(R.el("li", { "class": bar.elected ? "elected" : "" }, [
        R.el("span", { text: bar.label }),
        R.el("span", { "class": "bar", "aria-hidden": "true" }, [
          R.el("span", { style: "width: " + bar.share + "%" }),
          bar.mark === null || bar.mark === undefined ? null
            : R.el("span", { "class": "threshold-mark", style: "left: " + bar.mark + "%" })
        ]),
        R.el("span", { "class": "count", text: R.numbers.format(bar.count) })
      ]));
    });
    return R.el("div", {}, [
      R.el("p", { "class": "result-sentence", text: lines.sentence }),
      list,
      R.el("p", { "class": "result-base", text: R.fill(L.base, lines) })
    ]);
  }

  // One poll's block; with several on show, no ids (they would repeat) and observer lines
  // named by the poll they belong to.
  function pollNode(poll, several) {
    var item = R.el("article", { "class": "projector-item", "data-poll": poll.id, "data-state": poll.state });
    function add(node) { if (node) item.appendChild(node); }
    function named(label) { return several ? poll.title + " · " + label : label; }
    function only(id) { return several ? {} : { id: id }; }
    add(R.el("h1", Object.assign({ "class": "projector-question", text: poll.title }, only("projector-question"))));
    if (poll.round > 1) add(R.el("p", { "class": "projector-round", text: R.fill(L.round, { n: poll.round }) }));
    // A show of hands has no electronic turnout: its counts come with the result.
    var byHand = poll.kind === "hand";
    var turnoutWords = R.fill(L.turnout, { turnout: poll.turnout, eligible: poll.eligible });
    var turnout = byHand ? null : R.el("p", Object.assign({
      "class": "projector-turnout", "data-turnout": poll.turnout, text: turnoutWords
    }, only("projector-turnout")));
    if (poll.state === "open") {
      add(countdownNode(poll));
      if (byHand) add(R.el("p", { "class": "projector-by-hand", text: L.by_hand }));
      else add(R.el("div", { "class": "gauge", role: "img", "aria-label": turnoutWords }, [
        R.el("span", { "class": "gauge-fill", style: "width: " + R.pct(poll.turnout, poll.eligible) + "%" })
      ]));
      add(turnout);
      return { node: item, figures: [[named(L.at_open), poll.at_open]] };
    }
    if (poll.state === "published" && poll.lines) {
      add(resultNode(poll.lines));
    } else {
      add(turnout);
      add(R.el("p", { "class": "projector-awaiting", text: byHand ? L.by_hand_counting : L.awaiting }));
    }
    return { node: item, figures: [[named(L.at_open), poll.at_open], [named(L.at_close), poll.at_close]] };
  }

  function drawPoll() {
    var polls = onShow();
    var several = polls.length > 1;
    pollEl.textContent = "";
    pollEl.classList.toggle("several", several);
    if (!polls.length) {
      pollEl.appendChild(R.el("p", { "class": "projector-idle", text: L.no_poll }));
      return;
    }
    var rows = [];
    polls.forEach(function (poll) {
      var block = pollNode(poll, several);
      pollEl.appendChild(block.node);
      rows = rows.concat(block.figures);
    });
    var foot = observers(rows);
    if (foot) pollEl.appendChild(foot);
  }

  // The quorum of each body with a poll on show, else the first body's (the General Assembly).
  function quorumsOnShow() {
    var bodies = (state.quorum && state.quorum.bodies) || [];
    var codes = onShow().map(function (p) { return p.body; });
    var shown = bodies.filter(function (q) { return codes.indexOf(q.body) >= 0; });
    return shown.length ? shown : bodies.slice(0, 1);
  }

  function drawQuorum() {
    quorumEl.textContent = "";
    quorumsOnShow().forEach(function (q) { quorumEl.appendChild(R.quorumNode(q, false)); });
  }

  // Nobody scrolls a hall's screen: when a long result overflows it, all type shrinks together.
  function fit() {
    var body = document.body;
    var scale = 1;
    body.style.setProperty("--fit", "1");
    while (scale > 0.5 && pollEl.scrollHeight > pollEl.clientHeight + 1) {
      scale -= 0.05;
      body.style.setProperty("--fit", scale.toFixed(2));
    }
  }

  var drawn = false;
  function redraw() {
    // Coalesce redraws to one per frame whatever arrives.
    if (drawn) return;
    drawn = true;
    window.requestAnimationFrame(function () { drawn = false; prune(); drawQuorum(); drawPoll(); fit(); });
  }
  window.addEventListener("resize", redraw);

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

  // The link was replaced (or live updates refused): nothing stale stays on the hall's screen.
  function onEnd(why) {
    state = { quorum: null, polls: {}, ended: why };
    quorumEl.textContent = "";
    pollEl.textContent = "";
    var status = document.getElementById("live-status");
    pollEl.appendChild(R.el("p", { "class": "projector-ended", role: "alert", text: status ? status.textContent : why }));
  }

  var first = R.json("room-snapshot");
  if (first) onSnapshot(first.payload);
  var connection = R.start({ onSnapshot: onSnapshot, onEvent: onEvent, onEnd: onEnd });
  if (connection && first) connection.accept(first);
})();
