/* The chair console, live: quorum (with "quorum lost") and presence by region redrawn outside
   any form; each open poll's turnout; a note when a poll changes state elsewhere. */
(function () {
  "use strict";
  var R = window.PlenaryRoom;
  var L = R.labels;
  var quorumEl = document.getElementById("console-quorum");
  var notice = document.getElementById("console-notice");

  function showQuorum(quorum) {
    if (!quorum || !quorum.bodies) return;
    quorumEl.textContent = "";
    quorum.bodies.forEach(function (q, i) { quorumEl.appendChild(R.quorumNode(q, i === 0)); });
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
