/* The installed app: registers the service worker, asks it to keep this language's public pages
   for offline use, and keeps a report that could not be sent in the outbox (static/js/outbox.js)
   until the network is back. Without this file every page still works online. */
(function () {
  "use strict";
  if (typeof LanternOutbox === "undefined" || !window.indexedDB || !window.crypto || !crypto.subtle) return;

  var prefix = document.documentElement.getAttribute("data-prefix") || "";
  var RETRY_MS = 30000;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* still works online */ });
    navigator.serviceWorker.ready.then(function (registration) {
      if (!registration.active) return;
      // Opened while the worker was starting: ask to be taken under it now, not at the next page.
      if (!navigator.serviceWorker.controller) registration.active.postMessage({ type: "claim" });
      registration.active.postMessage({ type: "warm", prefix: prefix });
    });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox-changed") showStatus();
    });
  }

  // --- Report forms: a code made here, a fresh idempotency key, and the outbox when offline -------

  function prepare(root) {
    var forms = root.matches && root.matches("form[data-outbox]") ? [root] : root.querySelectorAll("form[data-outbox]");
    Array.prototype.forEach.call(forms, function (form) {
      if (form.querySelector("input[name=receipt_code]")) return;
      // The page may come from the cache: a key of its own per form shown, so no two reports share one.
      var key = form.querySelector("input[name=idempotency_key]");
      if (key) key.value = LanternOutbox.newKey();
      var code = document.createElement("input");
      code.type = "hidden";
      code.name = "receipt_code";
      code.value = LanternOutbox.newCode();
      form.appendChild(code);
    });
  }

  function outboxForm(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.closest ? elt.closest("form[data-outbox]") : null;
  }

  function readForm(form) {
    var fields = [];
    var files = [];
    var reads = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") { fields.push([name, value]); return; }
      if (!value.size) return;
      reads.push(value.arrayBuffer().then(function (data) {
        files.push({ name: name, filename: value.name, type: value.type, data: data });
      }));
    });
    return Promise.all(reads).then(function () { return { fields: fields, files: files }; });
  }

  function keep(form) {
    if (form.dataset.keeping) return;
    // The page's own messages, not the browser's (lantern.js); the server is not there to say them.
    if (window.LanternForms ? !LanternForms.check(form) : !form.checkValidity()) return;
    form.dataset.keeping = "1";
    var code = form.querySelector("input[name=receipt_code]").value;
    var key = form.querySelector("input[name=idempotency_key]").value;
    readForm(form)
      .then(function (content) { return LanternOutbox.save(key, form.getAttribute("action"), content.fields, content.files); })
      .then(function () { showSaved(code); askForSync(); })
      .catch(function () { delete form.dataset.keeping; });
  }

  function showSaved(code) {
    var template = document.getElementById("outbox-saved");
    var main = document.getElementById("main");
    if (!template || !main) return;
    var saved = template.content.cloneNode(true);
    saved.querySelector("[data-outbox-code]").setAttribute("data-code", code);
    saved.querySelector("[data-outbox-code] span").textContent = code.replace(/(\d{4})(?=\d)/g, "$1 ");
    main.replaceChildren(saved);
    window.scrollTo(0, 0);
    main.querySelector("h1").focus();
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register("lantern-outbox");
    }).catch(function () { /* the online event and the interval still send it */ });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = outboxForm(event);
    if (form && !navigator.onLine) { event.preventDefault(); keep(form); }
  });
  // No answer at all: the network dropped, or the answer was lost on the way back. Either way the
  // report waits here; if the server did store it, the retry carries the same key and code.
  document.addEventListener("htmx:sendError", function (event) {
    var form = outboxForm(event);
    if (form) keep(form);
  });
  document.addEventListener("htmx:load", function (event) { prepare(event.detail.elt); });

  // --- Sending what waits, and saying so ------------------------------------------------------------

  var hadWaiting = false;
  var sentShown = false;

  function showStatus() {
    // Looked up each time: a page opened inside Lantern replaces the body, this notice included.
    var status = document.querySelector("[data-outbox-status]");
    if (!status) return;
    LanternOutbox.counts().then(function (counts) {
      var text = "";
      if (counts.waiting) text = status.getAttribute("data-waiting").replace("{count}", counts.waiting);
      else if (hadWaiting) text = status.getAttribute("data-sent");
      sentShown = !counts.waiting && hadWaiting;
      if (counts.needsFix) text += (text ? " " : "") + status.getAttribute("data-needs-fix");
      // Once something waited, "sent" stays in view until the page after the one that said it.
      hadWaiting = hadWaiting || counts.waiting > 0;
      status.textContent = text;
      status.classList.toggle("outbox-status--shown", text !== "");
    });
  }

  function flush() {
    if (!navigator.onLine) { showStatus(); return; }
    LanternOutbox.counts().then(function (counts) {
      if (!counts.waiting) return;
      hadWaiting = true;
      showStatus();
      return LanternOutbox.flush();
    }).then(showStatus, showStatus);
  }

  // Chromium offers its own install prompt; the install page shows a button for it when it may.
  var installPrompt = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    installPrompt = event;
    document.querySelectorAll("[data-install]").forEach(function (button) { button.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-install]");
    if (!button || !installPrompt) return;
    installPrompt.prompt();
    installPrompt = null;
    button.hidden = true;
  });

  window.addEventListener("lantern:outbox", showStatus);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.boosted) return;
    if (sentShown) hadWaiting = sentShown = false;
    showStatus();
  });
  window.addEventListener("online", flush);
  setInterval(flush, RETRY_MS);
  document.addEventListener("DOMContentLoaded", function () {
    prepare(document);
    flush();
  });
})();
