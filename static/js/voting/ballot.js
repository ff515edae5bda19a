/* The phone ballot, live: a poll the chair opens appears without reload; a closed poll's ballot
   is disabled with a message. A ballot on the page is never redrawn, so a half-filled choice
   survives every update; only the quorum line outside the form changes. */
(function () {
  "use strict";
  var R = window.PlenaryRoom;
  var L = R.labels;
  var list = document.getElementById("ballots");
  var empty = document.getElementById("no-poll");
  var quorumLine = document.getElementById("phone-quorum");
  var news = document.getElementById("ballot-news");
  var asked = {};

  // A polite word for screen readers; the same words twice in a row are said again.
  function announce(text) {
    if (!news || !text) return;
    news.textContent = "";
    window.setTimeout(function () { news.textContent = text; }, 50);
  }

  function card(id) {
    return list.querySelector('.ballot-card[data-poll-id="' + id + '"]');
  }

  function showEmpty() {
    empty.hidden = list.querySelector(".ballot-card") !== null;
  }

  function add(poll) {
    if (card(poll.id) || asked[poll.id]) return;
    asked[poll.id] = true;
    var url = list.dataset.cardUrl.replace("/0/card/", "/" + poll.id + "/card/");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.status === 200 ? response.text() : ""; })
      .then(function (html) {
        delete asked[poll.id];
        if (!html || card(poll.id)) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var node = holder.querySelector(".ballot-card");
        if (!node) return;
        list.insertBefore(node, list.firstChild);
        showEmpty();
        showQuorum(null);
        var heading = node.querySelector(".ballot-question");
        if (heading && news) announce(R.fill(news.dataset.newPoll, { title: heading.textContent.trim() }));
        if (heading && !list.contains(document.activeElement)) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      })
      .catch(function () { delete asked[poll.id]; });
  }

  function close(poll) {
    var node = card(poll.id);
    if (!node || node.dataset.closed) return;
    node.dataset.closed = "1";
    node.querySelectorAll("input, button, select, textarea").forEach(function (field) { field.disabled = true; });
    node.querySelectorAll("[data-closes-at]").forEach(function (timer) { timer.remove(); });
    var hadFocus = node.contains(document.activeElement);
    var words = node.querySelector(".by-hand") ? L.closed : L.closed_ballot;
    var note = R.el("p", { "class": "alert warn ballot-closed", role: "alert", tabindex: "-1", text: words });
    node.insertBefore(note, node.children[1] || null);
    // A disabled button drops the focus to the page's start: keep the reader where they were.
    if (hadFocus) note.focus();
    showQuorum(null);
  }

  function follow(poll) {
    if (poll.state === "open") add(poll);
    else if (poll.state === "closed" || poll.state === "published") close(poll);
  }

  var lastQuorum = null;

  // The quorum of the body whose poll the delegate can vote in (the newest such open poll),
  // else of the newest open poll, else the first body's. The line is a live region: it is
  // written only when its words change, so a scan that changes nothing here says nothing.
  function showQuorum(quorum) {
    lastQuorum = quorum || lastQuorum;
    var bodies = (lastQuorum && lastQuorum.bodies) || [];
    var top = list.querySelector(".ballot-card[data-can-vote]:not([data-closed])") ||
      list.querySelector(".ballot-card:not([data-closed])");
    var q = bodies.filter(function (b) { return top && b.body === top.dataset.body; })[0] || bodies[0];
    if (!q) return;
    var text = q.body_name + ": " + R.fill(L.quorum_line, q) + " — " + (L[q.status] || q.status);
    if (quorumLine.textContent !== text) quorumLine.textContent = text;
    quorumLine.dataset.present = q.present;
  }

  // An election for N seats: the page stops a tick beyond N and says why, beside the ballot.
  list.addEventListener("change", function (event) {
    var box = event.target;
    var group = box.closest && box.closest("fieldset[data-max]");
    if (!group || box.type !== "checkbox") return;
    var error = document.getElementById(group.getAttribute("aria-describedby"));
    var ticked = group.querySelectorAll('input[type="checkbox"]:checked').length;
    if (box.checked && ticked > Number(group.dataset.max)) {
      box.checked = false;
      if (error) {
        // Emptied first: a second refused tick is announced again.
        error.textContent = "";
        window.setTimeout(function () { error.textContent = group.dataset.tooMany; }, 50);
      }
    } else if (error) {
      error.textContent = "";
    }
  });

  // The countdown reached zero: the server refuses ballots from now on, so the buttons go too.
  list.addEventListener("plenary:time-over", function (event) {
    var node = event.target.closest(".ballot-card");
    if (node) close({ id: node.dataset.pollId });
  });

  list.querySelectorAll("[data-closes-at][data-ended]").forEach(function (timer) {
    close({ id: timer.closest(".ballot-card").dataset.pollId });
  });

  // A refused choice comes back with its reason beside its ballot (else, a refused vote, at
  // the top): the focus goes there, so a screen reader hears it and the ballot is next.
  var refusal = list.querySelector(".ballot-error:not(:empty)") ||
    document.querySelector(".messages .message.error");
  if (refusal) {
    refusal.setAttribute("role", "alert");
    refusal.setAttribute("tabindex", "-1");
    refusal.focus();
  }

  R.start({
    onSnapshot: function (payload) {
      showQuorum(payload.quorum);
      var open = {};
      payload.polls.forEach(function (p) { if (p.state === "open") open[p.id] = true; follow(p); });
      // A poll that closed while we were away is disabled too.
      list.querySelectorAll(".ballot-card").forEach(function (node) {
        if (!open[node.dataset.pollId]) close({ id: node.dataset.pollId });
      });
    },
    onEvent: function (type, payload) {
      if (type === "quorum.changed") showQuorum(payload);
      else if (type === "poll.state") follow(payload);
    }
  });
})();
