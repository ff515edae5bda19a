/* The confirm page, live: when the poll closes (the chair closes it, or its countdown ends) the
   Confirm button is disabled with a message, before a tap could send a ballot that is refused. */
(function () {
  "use strict";
  var R = window.PlenaryRoom;
  var L = R.labels;
  var card = document.querySelector(".confirm-card");
  if (!card) return;
  var pollId = Number(card.dataset.pollId);

  function close() {
    if (card.dataset.closed) return;
    card.dataset.closed = "1";
    card.querySelectorAll("form button").forEach(function (button) { button.disabled = true; });
    card.querySelectorAll("[data-closes-at]").forEach(function (timer) { timer.remove(); });
    var note = R.el("p", { "class": "alert warn ballot-closed", role: "alert", text: L.closed_ballot });
    card.insertBefore(note, card.children[1] || null);
  }

  card.addEventListener("plenary:time-over", close);
  if (card.querySelector("[data-closes-at][data-ended]")) close(); // ended before this ran

  R.start({
    onSnapshot: function (payload) {
      var open = payload.polls.some(function (p) { return p.id === pollId && p.state === "open"; });
      if (!open) close();
    },
    onEvent: function (type, payload) {
      if (type === "poll.state" && payload.id === pollId && payload.state !== "open") close();
    }
  });
})();
