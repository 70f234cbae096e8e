/* The outbox: reports written while the network was away wait here, on this device, encrypted with
   a key the page cannot read out (WebCrypto, non-extractable), until the server confirms them.
   Shared by the pages and the service worker (importScripts), so either may send them.

   Each report keeps the idempotency key it was written with: a retry after a lost answer never
   makes a second report, because the server stores that key under a unique constraint. */
var LanternOutbox = (function () {
  "use strict";

  var DB_NAME = "lantern-outbox";
  var ITEMS = "items";
  var KEYS = "keys";
  var LOCK = "lantern-outbox";

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function open() {
    var req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = function () {
      req.result.createObjectStore(ITEMS, { keyPath: "id" });
      req.result.createObjectStore(KEYS);
    };
    return request(req);
  }

  function store(db, name, mode) {
    return db.transaction(name, mode).objectStore(name);
  }

  // One AES-GCM key per device, made here and never exportable: a copy of the storage is not enough
  // to read what waits in the outbox.
  function deviceKey(db) {
    return request(store(db, KEYS, "readonly").get("device")).then(function (key) {
      if (key) return key;
      return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
        .then(function (made) {
          return request(store(db, KEYS, "readwrite").put(made, "device")).then(function () { return made; });
        });
    });
  }

  // [4-byte header length][header JSON][file bytes, one after another]
  function pack(fields, files) {
    var header = new TextEncoder().encode(JSON.stringify({
      fields: fields,
      files: files.map(function (f) { return { name: f.name, filename: f.filename, type: f.type, size: f.data.byteLength }; })
    }));
    var total = 4 + header.length + files.reduce(function (n, f) { return n + f.data.byteLength; }, 0);
    var out = new Uint8Array(total);
    new DataView(out.buffer).setUint32(0, header.length);
    out.set(header, 4);
    var at = 4 + header.length;
    files.forEach(function (f) { out.set(new Uint8Array(f.data), at); at += f.data.byteLength; });
    return out;
  }

  function unpack(buffer) {
    var bytes = new Uint8Array(buffer);
    var length = new DataView(bytes.buffer).getUint32(0);
    var header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
    var at = 4 + length;
    var files = header.files.map(function (f) {
      var data = bytes.slice(at, at + f.size);
      at += f.size;
      return { name: f.name, filename: f.filename, type: f.type, data: data };
    });
    return { fields: header.fields, files: files };
  }

  function withLock(work) {
    if (self.navigator && navigator.locks) return navigator.locks.request(LOCK, work);
    return work();
  }

  function changed() {
    if (typeof window !== "undefined") {
      window.dispatchEvent(new CustomEvent("lantern:outbox"));
    } else if (self.clients) {
      self.clients.matchAll({ includeUncontrolled: true }).then(function (all) {
        all.forEach(function (client) { client.postMessage({ type: "outbox-changed" }); });
      });
    }
  }

  // fields: [[name, value], ...]; files: [{name, filename, type, data: ArrayBuffer}]
  function save(id, action, fields, files) {
    return open().then(function (db) {
      return deviceKey(db).then(function (key) {
        var iv = crypto.getRandomValues(new Uint8Array(12));
        return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, pack(fields, files)).then(function (sealed) {
          return request(store(db, ITEMS, "readwrite").put({
            id: id, action: action, iv: iv, sealed: sealed, state: "waiting", attempts: 0, savedAt: Date.now()
          }));
        });
      });
    }).then(changed);
  }

  function items() {
    return open().then(function (db) { return request(store(db, ITEMS, "readonly").getAll()); });
  }

  function counts() {
    return items().then(function (all) {
      return {
        waiting: all.filter(function (i) { return i.state === "waiting"; }).length,
        needsFix: all.filter(function (i) { return i.state === "needs-fix"; }).length
      };
    });
  }

  function send(db, key, item) {
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: item.iv }, key, item.sealed).then(function (plain) {
      var content = unpack(plain);
      var body = new FormData();
      content.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
      content.files.forEach(function (f) { body.append(f.name, new Blob([f.data], { type: f.type }), f.filename); });
      return fetch(item.action, { method: "POST", body: body, credentials: "same-origin" });
    }).then(function (response) {
      if (response.ok) return request(store(db, ITEMS, "readwrite").delete(item.id)).then(function () { return "sent"; });
      if (response.status === 422) {
        // The server asks for a change; it waits, marked, until someone opens it again.
        item.state = "needs-fix";
        return request(store(db, ITEMS, "readwrite").put(item)).then(function () { return "needs-fix"; });
      }
      item.attempts += 1;
      return request(store(db, ITEMS, "readwrite").put(item)).then(function () { return "later"; });
    }, function () { return "later"; });
  }

  // Send everything that waits, one at a time. Resolves to how many the server confirmed.
  function flush() {
    return withLock(function () {
      return open().then(function (db) {
        return deviceKey(db).then(function (key) {
          return request(store(db, ITEMS, "readonly").getAll()).then(function (all) {
            var sent = 0;
            var waiting = all.filter(function (i) { return i.state === "waiting"; });
            return waiting.reduce(function (chain, item) {
              return chain.then(function () {
                return send(db, key, item).then(function (outcome) { if (outcome === "sent") sent += 1; });
              });
            }, Promise.resolve()).then(function () {
              if (waiting.length) changed();
              return sent;
            });
          });
        });
      });
    });
  }

  // What a report that needs a fix said, to put back into the form; it leaves the outbox then.
  function takeBack(id) {
    return open().then(function (db) {
      return deviceKey(db).then(function (key) {
        return request(store(db, ITEMS, "readonly").get(id)).then(function (item) {
          if (!item) return null;
          return crypto.subtle.decrypt({ name: "AES-GCM", iv: item.iv }, key, item.sealed).then(function (plain) {
            return request(store(db, ITEMS, "readwrite").delete(id)).then(function () {
              changed();
              var content = unpack(plain);
              content.action = item.action;
              return content;
            });
          });
        });
      });
    });
  }

  // The Damm check digit (web/cases/receipts.py makes the same; tests/data/receipt_check_digits.json
  // holds the vectors both are tested against): it catches every wrong digit and every swap of two
  // neighbors, so /check can say "one digit looks wrong" instead of "no such code".
  var DAMM = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3], [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6], [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7], [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0]
  ];

  function checkDigit(digits) {
    var interim = 0;
    for (var i = 0; i < digits.length; i++) interim = DAMM[interim][digits.charCodeAt(i) - 48];
    return String(interim);
  }

  // A 16-digit receipt code: 15 digits from the CSPRNG (rejection sampling keeps every digit equally
  // likely) and their check digit.
  function newCode() {
    var digits = "";
    var buffer = new Uint8Array(32);
    while (digits.length < 15) {
      crypto.getRandomValues(buffer);
      for (var i = 0; i < buffer.length && digits.length < 15; i++) {
        if (buffer[i] < 250) digits += String(buffer[i] % 10);
      }
    }
    return digits + checkDigit(digits);
  }

  function newKey() {
    var bytes = crypto.getRandomValues(new Uint8Array(24));
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  return { save: save, items: items, counts: counts, flush: flush, takeBack: takeBack, newCode: newCode, checkDigit: checkDigit, newKey: newKey };
})();
