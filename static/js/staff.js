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
  function announceNewRows() {
    var rows = document.querySelectorAll("#queue-rows [data-case]");
    var seen = {};
    var fresh = [];
    rows.forEach(function (row) {
      var id = row.getAttribute("data-case");
      seen[id] = true;
      if (knownCases && !knownCases[id]) fresh.push(row);
    });
    knownCases = seen;
    fresh.forEach(function (row) {
      var urgent = row.getAttribute("data-life-safety") === "yes";
      var region = document.querySelector(urgent ? "[data-announce-urgent]" : "[data-announce-polite]");
      if (region) region.textContent = region.getAttribute("data-prefix") + " " + row.getAttribute("data-announce");
    });
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
  document.addEventListener("htmx:afterSwap", function () { updateUrgent(); updateAges(); announceNewRows(); });
  document.addEventListener("DOMContentLoaded", function () {
    setUpMute();
    updateUrgent();
    announceNewRows();
    updateAges();
    setInterval(updateAges, 30000);
  });
})();
