/* Alerts on this device (staff account page): shows the state (on, off, blocked by the browser, not
   supported) and asks for permission only after a click. The subscription goes to the server, which
   sends alerts through the browser's push service; the service worker shows them. */
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) return;
  var state = box.querySelector("[data-push-state]");
  var on = box.querySelector("[data-push-on]");
  var off = box.querySelector("[data-push-off]");
  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  function show(name) {
    state.textContent = box.getAttribute("data-state-" + name);
    state.setAttribute("data-state", name);
    on.hidden = name !== "off";
    off.hidden = name !== "on";
  }

  function post(url, body) {
    return window.LanternPush.postJson(url, body, { "X-CSRFToken": box.getAttribute("data-csrf") });
  }

  function label() {
    var ua = navigator.userAgent;
    var browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
    var system = /CrOS/.test(ua) ? "Chromebook" : /iPad|iPhone/.test(ua) ? "iPad or iPhone" : /Android/.test(ua) ? "Android" : /Mac OS X/.test(ua) ? "Mac" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
    return browser + (system ? " on " + system : "");
  }

  function failed() { state.textContent = box.getAttribute("data-failed"); }

  function refresh(registration) {
    if (Notification.permission === "denied") { show("blocked"); return; }
    registration.pushManager.getSubscription().then(function (subscription) {
      show(subscription && Notification.permission === "granted" ? "on" : "off");
    });
  }

  if (!supported) { show("unsupported"); return; }
  show("checking");  // until the service worker answers (it can take a moment on a first visit)
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { show("unsupported"); });
  navigator.serviceWorker.ready.then(function (registration) {
    refresh(registration);
    on.addEventListener("click", function () {
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") { refresh(registration); return; }
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: window.LanternPush.keyBytes(box.getAttribute("data-public-key"))
        }).then(function (subscription) {
          var body = subscription.toJSON();
          body.label = label();
          return post("/staff/account/alerts/devices", body);
        }).then(function () { window.location.reload(); });
      }).catch(failed);
    });
    off.addEventListener("click", function () {
      registration.pushManager.getSubscription().then(function (subscription) {
        if (!subscription) return;
        return post("/staff/account/alerts/devices/remove", { endpoint: subscription.endpoint })
          .then(function () { return subscription.unsubscribe(); });
      }).then(function () { window.location.reload(); }).catch(failed);
    });
  });
})();
