/* Kiosk mode: after a while without input, a visible countdown, then a full reset so the next
   person finds no trace of the last: forms cleared, page history replaced, session and local
   storage, IndexedDB and caches emptied of anything personal, and the kiosk home opened again in
   the kiosk's own language. Reports still waiting in the outbox stay (encrypted) until sent. */
(function () {
  "use strict";
  var body = document.body;
  var idleSeconds = Number(body.getAttribute("data-kiosk-idle"));
  var home = body.getAttribute("data-kiosk-home");
  if (!idleSeconds || !home) return;

  var COUNTDOWN_SECONDS = 10;
  // Kept across a reset: the outbox (reports not yet sent) and the service worker's public caches.
  var KEEP_DATABASES = ["lantern-outbox"];
  var KEEP_CACHES = /^lantern-(shell|pages)-/;

  // Looked up each time: a boosted page load replaces the body's content, the countdown included.
  function countdown() { return document.querySelector("[data-kiosk-countdown]"); }
  var idleTimer = null;
  var tick = null;
  var resetting = false;

  function clearStorage() {
    var work = [];
    try { sessionStorage.clear(); } catch (e) { /* blocked */ }
    try { localStorage.clear(); } catch (e) { /* blocked */ }
    if (window.indexedDB && indexedDB.databases) {
      work.push(indexedDB.databases().then(function (all) {
        return Promise.all(all.filter(function (db) { return KEEP_DATABASES.indexOf(db.name) < 0; })
          .map(function (db) {
            return new Promise(function (resolve) {
              var req = indexedDB.deleteDatabase(db.name);
              req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
            });
          }));
      }));
    }
    if (window.caches) {
      work.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) { return !KEEP_CACHES.test(name); })
          .map(function (name) { return caches.delete(name); }));
      }));
    }
    return Promise.all(work);
  }

  function reset() {
    if (resetting) return;
    resetting = true;
    window.__kioskResetStartedAt = performance.now();
    document.querySelectorAll("form").forEach(function (form) { form.reset(); });
    // Nothing of the last person stays on screen while storage is cleared.
    document.getElementById("main").replaceChildren();
    body.hidden = true;
    var done = function () { window.location.replace(home); };
    Promise.race([clearStorage(), new Promise(function (resolve) { setTimeout(resolve, 500); })]).then(done, done);
  }

  function hideCountdown() {
    clearInterval(tick);
    tick = null;
    var dialog = countdown();
    if (dialog) dialog.hidden = true;
  }

  function showCountdown() {
    var dialog = countdown();
    if (!dialog) { reset(); return; }
    var text = dialog.querySelector("[data-kiosk-text]");
    var left = COUNTDOWN_SECONDS;
    var render = function () { text.textContent = text.getAttribute("data-kiosk-text").replace("{seconds}", left); };
    render();
    dialog.hidden = false;
    dialog.querySelector("[data-kiosk-stay]").focus();
    tick = setInterval(function () {
      left -= 1;
      if (left <= 0) { hideCountdown(); reset(); return; }
      render();
    }, 1000);
  }

  function active() {
    if (resetting) return;
    if (tick) hideCountdown();
    clearTimeout(idleTimer);
    idleTimer = setTimeout(showCountdown, idleSeconds * 1000);
  }

  // Not "scroll": moving focus to the countdown scrolls the page, which is not a person.
  ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, active, { capture: true, passive: true });
  });
  document.addEventListener("htmx:afterSettle", active);

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) return;
    if (target.closest("[data-kiosk-stay]")) { active(); return; }
    // On a kiosk, Quick exit and "Start over now" both clear everything and open the kiosk home.
    if (target.closest("[data-kiosk-reset]") || target.closest("[data-quick-exit]")) {
      event.preventDefault();
      event.stopImmediatePropagation();
      reset();
    }
  }, true);

  // Coming back to a kiosk page from the browser's page cache must not show the last person's page.
  window.addEventListener("pageshow", function (event) { if (event.persisted) window.location.replace(home); });

  active();
})();
