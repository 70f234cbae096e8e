/* Reply signal (opt-in): on the installed app only, a reporter may ask for a content-free notice
   when the school writes back on their case. Never offered in a normal browser tab or on a kiosk. */
(function () {
  "use strict";

  function installed() {
    return window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true;
  }

  function post(url, body) { return window.LanternPush.postJson(url, body); }

  function setUp(box) {
    if (box.dataset.signalReady) return;
    box.dataset.signalReady = "1";
    if (document.body.classList.contains("kiosk") || !installed()) return;
    if (!("serviceWorker" in navigator && "PushManager" in window && "Notification" in window)) return;
    var state = box.querySelector("[data-signal-state]");
    var on = box.querySelector("[data-signal-on]");
    var off = box.querySelector("[data-signal-off]");
    var prefix = document.documentElement.getAttribute("data-prefix") || "";
    var token = box.getAttribute("data-token");
    box.hidden = false;
    function show(isOn) {
      state.textContent = box.getAttribute(isOn ? "data-on" : "data-off");
      on.hidden = isOn;
      off.hidden = !isOn;
    }
    function failed() { state.textContent = box.getAttribute("data-failed"); }
    navigator.serviceWorker.ready.then(function (registration) {
      // Whether this device asked for this case is not kept anywhere on the device: it starts "off".
      show(false);
      on.addEventListener("click", function () {
        Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") { failed(); return; }
          return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: window.LanternPush.keyBytes(box.getAttribute("data-public-key")) })
            .then(function (subscription) { return post(prefix + "/check/signal", { token: token, subscription: subscription.toJSON() }); })
            .then(function () { show(true); });
        }).catch(failed);
      });
      off.addEventListener("click", function () {
        registration.pushManager.getSubscription().then(function (subscription) {
          if (!subscription) { show(false); return; }
          return post(prefix + "/check/signal/off", { token: token, endpoint: subscription.endpoint }).then(function () { show(false); });
        }).catch(failed);
      });
    });
  }

  function scan(root) { (root.querySelectorAll ? root : document).querySelectorAll("[data-reply-signal]").forEach(setUp); }
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:load", function (event) { scan(event.detail.elt.parentNode || document); });
})();
