/* The staff console's live parts: life-safety banner, sound, tab-title count, live ages, and a
   re-sync after the event stream reconnects so nothing is missed. */
(function () {
  "use strict";
  var baseTitle = document.title;
  var lastUrgent = null;
  var muted = false;
  try { muted = localStorage.getItem("lantern-muted") === "1"; } catch (e) { /* storage blocked */ }

  function beep() {
    if (muted) return;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    var audio = new Context();
    [0, 0.35].forEach(function (start) {
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime + start);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + start);
      tone.stop(audio.currentTime + start + 0.3);
    });
  }

  function updateUrgent() {
    var holder = document.querySelector("#queue-rows [data-urgent]");
    if (!holder) return;
    var count = parseInt(holder.getAttribute("data-urgent"), 10) || 0;
    var banner = document.querySelector("[data-testid=urgent-banner]");
    var text = document.querySelector("[data-urgent-text]");
    if (banner) banner.hidden = count === 0;
    if (text && count > 0) {
      text.textContent = count === 1 ? text.getAttribute("data-one") : text.getAttribute("data-many").replace("{n}", count);
    }
    document.title = count > 0 ? "(" + count + ") " + baseTitle : baseTitle;
    if (lastUrgent !== null && count > lastUrgent) beep();
    lastUrgent = count;
  }

  function updateAges() {
    var format = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(document.documentElement.lang, { numeric: "auto" }) : null;
    if (!format) return;
    document.querySelectorAll("time[data-age]").forEach(function (node) {
      var minutes = Math.round((Date.parse(node.getAttribute("datetime")) - Date.now()) / 60000);
      node.title = node.title || node.textContent.trim();
      node.textContent = Math.abs(minutes) < 60 ? format.format(minutes, "minute")
        : Math.abs(minutes) < 2880 ? format.format(Math.round(minutes / 60), "hour")
        : format.format(Math.round(minutes / 1440), "day");
    });
  }

  function setUpMute() {
    var button = document.querySelector("[data-mute]");
    if (!button) return;
    button.hidden = false;
    function show() {
      button.setAttribute("aria-pressed", muted ? "true" : "false");
      button.textContent = button.getAttribute(muted ? "data-label-off" : "data-label-on");
    }
    button.addEventListener("click", function () {
      muted = !muted;
      try { localStorage.setItem("lantern-muted", muted ? "1" : "0"); } catch (e) { /* storage blocked */ }
      show();
    });
    show();
  }

  // New rows are announced: politely, or at once for life-safety, without reading the whole table.
  var knownCases = null;
  function announceNewRows(silently) {
    var rows = document.querySelectorAll("#queue-rows [data-case]");
    var seen = {};
    var fresh = [];
    rows.forEach(function (row) {
      var id = row.getAttribute("data-case");
      seen[id] = true;
      if (knownCases && !knownCases[id]) fresh.push(row);
    });
    knownCases = seen;
    if (silently) return;
    ["urgent", "polite"].forEach(function (kind) {
      var matching = fresh.filter(function (row) {
        return (row.getAttribute("data-life-safety") === "yes") === (kind === "urgent");
      });
      var region = document.querySelector("[data-announce-" + kind + "]");
      if (!region || !matching.length) return;
      var prefix = region.getAttribute("data-prefix");
      region.textContent = matching.map(function (row) {
        return prefix + " " + row.getAttribute("data-announce");
      }).join(" ");
    });
  }

  // Keep what a staff member is typing when a live update redraws the case around it.
  var drafts = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "case-live") {
      drafts = {};
      event.detail.target.querySelectorAll("textarea, input[type=text], input[type=date]").forEach(function (field) {
        if (field.id && field.value) drafts[field.id] = field.value;
      });
    }
  });

  // While a confirmation is open (e.g. "Link as duplicate?"), a live redraw would take it away under
  // the staff member's pointer: the redraw waits, and the answer to the confirmation redraws anyway.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "case-live" && event.detail.requestConfig && event.detail.requestConfig.verb === "get" &&
        elt.querySelector("[data-confirm-pending]")) {
      event.preventDefault();
    }
  });

  function afterSwap(event) {
    var config = event.detail.requestConfig || {};
    var fromFilters = config.elt && config.elt.matches && config.elt.matches("[data-testid=queue-filters]");
    updateUrgent();
    updateAges();
    // A filter change shows cases that were already waiting: not news, so nothing is announced.
    announceNewRows(Boolean(fromFilters));
    var live = document.getElementById("case-live");
    if (!live || event.detail.target !== live) return;
    if (config.verb === "post") {
      // The staff member's own action: the form they used is gone, so focus the case heading.
      drafts = {};
      var heading = live.querySelector("[data-confirm-pending] h3") || live.querySelector("h1");
      if (heading) heading.focus();
    } else {
      Object.keys(drafts).forEach(function (id) {
        var field = document.getElementById(id);
        if (field && !field.value) field.value = drafts[id];
      });
    }
  }

  var opened = 0;
  document.addEventListener("htmx:sseOpen", function () {
    opened += 1;
    // The first open is the page load; any later one is a reconnect: fetch what may have been missed.
    if (opened > 1) {
      var rows = document.getElementById("queue-rows");
      if (rows) htmx.trigger(rows, "queue-resync");
      var live = document.getElementById("case-live");
      if (live) htmx.trigger(live, "case-resync");
    }
  });
  document.addEventListener("htmx:afterSwap", afterSwap);
  document.addEventListener("DOMContentLoaded", function () {
    setUpMute();
    updateUrgent();
    announceNewRows(true);
    updateAges();
    setInterval(updateAges, 30000);
  });
})();
