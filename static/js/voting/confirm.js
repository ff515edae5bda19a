/* The confirm page, live: when the poll closes (the chair closes it, or its countdown ends) the
   Confirm button is disabled with a message, before a tap could send a ballot that is refused.
   While the ballot is on its way Confirm takes no second tap (on a slow network a double tap
   sent two ballots and lost the answer holding the receipt code); back on the page, it does. */
(function () {
  "use strict";
  var R = window.PlenaryRoom;
  var L = R.labels;
  var card = document.querySelector(".confirm-card");
  if (!card) return;
  var pollId = Number(card.dataset.pollId);
  var form = card.querySelector(".confirm-form");
  var button = form && form.querySelector('button[type="submit"]');
  var sendingNote = form && form.querySelector(".sending-note");
  var sending = false;

  function close() {
    if (card.dataset.closed) return;
    card.dataset.closed = "1";
    var hadFocus = card.contains(document.activeElement) || document.activeElement === document.body;
    card.querySelectorAll("form button").forEach(function (b) { b.disabled = true; });
    card.querySelectorAll("[data-closes-at]").forEach(function (timer) { timer.remove(); });
    if (sendingNote) sendingNote.textContent = "";
    var note = card.querySelector(".ballot-closed");
    if (!note) {
      note = R.el("p", { "class": "alert warn ballot-closed", role: "alert", tabindex: "-1", text: L.closed_ballot });
      card.insertBefore(note, card.children[1] || null);
    }
    // The focused Confirm is disabled: without this the focus would fall to the page's start.
    if (hadFocus) note.focus();
  }

  if (form && button) {
    form.addEventListener("submit", function (event) {
      if (sending || card.dataset.closed) { event.preventDefault(); return; }
      sending = true;
      // Disabled after the submit is under way: the button carries no value of its own.
      window.setTimeout(function () { button.disabled = true; }, 0);
      if (sendingNote) sendingNote.textContent = form.dataset.sending;
    });
    // Back on this page (the answer never came, or the voter went back): Confirm works again;
    // the server shows the receipt of a Confirm it already counted.
    window.addEventListener("pageshow", function () {
      sending = false;
      if (sendingNote) sendingNote.textContent = "";
      if (!card.dataset.closed) button.disabled = false;
    });
  }

  card.addEventListener("plenary:time-over", close);
  if (card.querySelector("[data-closes-at][data-ended]")) close(); // ended before this ran
  if (card.querySelector(".ballot-closed") && button && button.disabled) card.dataset.closed = "1";

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
