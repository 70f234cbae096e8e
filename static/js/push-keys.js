/* Shared by push.js (staff alerts on a device) and signal.js (a reporter's opt-in reply signal): the
   server's public VAPID key as bytes for PushManager.subscribe, and a same-origin JSON POST that
   fails on any answer but 2xx. */
(function () {
  "use strict";

  function keyBytes(text) {
    var raw = atob((text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function postJson(url, body, headers) {
    var all = { "Content-Type": "application/json" };
    Object.keys(headers || {}).forEach(function (name) { all[name] = headers[name]; });
    return fetch(url, { method: "POST", credentials: "same-origin", headers: all, body: JSON.stringify(body) })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response; });
  }

  window.LanternPush = { keyBytes: keyBytes, postJson: postJson };
})();
