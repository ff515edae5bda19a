/* The chair console, live: quorum (with "quorum lost") and presence by region redrawn outside
   any form, its short sentence announced when it changes; each open poll's turnout; a note
   when a poll changes state elsewhere; a refused opening marks the reason box invalid. */
(function () {
  "use strict";
  var R = window.PlenaryRoom;
  var L = R.labels;
  var quorumEl = document.getElementById("console-quorum");
  var quorumNews = document.getElementById("console-quorum-news");
  var notice = document.getElementById("console-notice");
  // body -> the sentence the chair last had: at first, what the page came with.
  var said = {};
  quorumEl.querySelectorAll(".quorum[data-body]").forEach(function (node) {
    var line = node.querySelector("p");
    if (line) said[node.dataset.body] = line.textContent.replace(/\s+/g, " ").trim();
  });

  function sentence(q) {
    return q.body_name + ": " + R.fill(L.quorum_line, q) + " — " + (L[q.status] || q.status);
  }

  // The picture is redrawn silently; a screen reader hears only the short sentence of a body
  // whose quorum changed (never the regions, never the same words again).
  function showQuorum(quorum) {
    if (!quorum || !quorum.bodies) return;
    quorumEl.textContent = "";
    quorum.bodies.forEach(function (q, i) { quorumEl.appendChild(R.quorumNode(q, i === 0)); });
    var changed = [];
    quorum.bodies.forEach(function (q) {
      var words = sentence(q);
      if (said[q.body] !== words) changed.push(words);
      said[q.body] = words;
    });
    if (changed.length && quorumNews) quorumNews.textContent = changed.join(" ");
  }

  function showTurnout(id, turnout, eligible) {
    document.querySelectorAll('[data-turnout-for="' + id + '"]').forEach(function (node) {
      node.textContent = R.fill(L.turnout_short, { turnout: turnout, eligible: eligible });
      node.dataset.turnout = turnout;
    });
  }

  function checkState(poll) {
    var row = document.getElementById("poll-" + poll.id);
    if (row && row.dataset.state === poll.state) return;
    notice.hidden = false;
  }

  // A refused "Open the poll" comes back as an error that forms.js moved into its poll (the
  // #poll-N anchor): the reason box there is marked invalid and names the message, so a screen
  // reader hears why on reaching it, not only "invalid entry".
  function markMissingReason() {
    var region = document.querySelector(".poll-row #messages");
    var row = region && region.closest(".poll-row");
    var error = region && region.querySelector(".message.error");
    var reason = row && row.querySelector('textarea[name="override_reason"]');
    if (!error || !reason) return;
    if (!error.id) error.id = reason.id + "-error";
    reason.setAttribute("aria-invalid", "true");
    reason.setAttribute("aria-describedby", error.id);
  }
  markMissingReason();

  R.start({
    onSnapshot: function (payload) {
      showQuorum(payload.quorum);
      payload.polls.forEach(function (p) {
        if (p.state === "open") showTurnout(p.id, p.turnout, p.eligible);
        checkState(p);
      });
    },
    onEvent: function (type, payload) {
      if (type === "quorum.changed") showQuorum(payload);
      else if (type === "poll.turnout") showTurnout(payload.poll, payload.turnout, payload.eligible);
      else if (type === "poll.state") {
        if (payload.state === "open") showTurnout(payload.id, payload.turnout, payload.eligible);
        checkState(payload);
      }
    }
  });
})();
