/* Lantern's service worker: the app shell and the resource directory offline, the outbox sent in
   the background. `self.LANTERN` (version, shell files, ...) is written in front of this file by
   the server, so a deploy that changes anything cached changes the version.

   Rules: network only for staff pages, /check, the kiosk enrolment and every POST; nothing about a
   case is ever cached. Pages are cached only from the list the server gives for a language, all of
   them in one round, so the cache never tells which entries someone looked at, nor when. */
"use strict";

var CONFIG = self.LANTERN;
var SHELL = "lantern-shell-" + CONFIG.version;
var PAGES = "lantern-pages-" + CONFIG.version;
var NETWORK_WAIT_MS = 4000;
// Browsing never writes to the pages cache: refreshing only the page just opened would give it a
// newer Date and move it to the end of the cache's keys, a record of what was read and when. Only the
// whole list of a language is fetched again, together, at most this often (the time of the last round
// is kept with the list itself, since a worker is short-lived).
var WARM_AGAIN_MS = 6 * 60 * 60 * 1000;
var warming = {};

importScripts(CONFIG.outbox);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL)
      .then(function (cache) { return cache.addAll(CONFIG.shell.concat(["/offline", "/brand.css"])); })
      .then(function () { return self.skipWaiting(); })
  );
});

// The new version takes over at once: pages already open keep what they loaded (forms included),
// and their next request is answered by the new shell. Caches of other versions are deleted.
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("lantern-") === 0 && name !== SHELL && name !== PAGES;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function localePrefix(pathname) {
  var first = pathname.split("/")[1];
  return CONFIG.locales.indexOf(first) >= 0 && first !== "en" ? "/" + first : "";
}

function withoutPrefix(pathname) {
  var prefix = localePrefix(pathname);
  return pathname.slice(prefix.length) || "/";
}

// Pages that may be answered from the cache when the network is away.
var CACHEABLE = /^\/(|resources|resources\/[^/]+|counselor|report|community|offline|install)$/;
// Public pages that always need the server (a case is never cached).
var PUBLIC_LIVE = /^\/(check|kiosk)(\/|$)/;
// Never touched by the worker: the browser goes straight to the network.
var NETWORK_ONLY = /^\/(staff|check|kiosk|api|sw\.js|manifest\.webmanifest|healthz|offline\/pages)(\/|$)/;

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var path = withoutPrefix(url.pathname);
  if (NETWORK_ONLY.test(path)) {
    // Never cached. A public page opened with no network gets the offline page (what still works).
    if (request.mode === "navigate" && PUBLIC_LIVE.test(path)) {
      event.respondWith(fetch(request).catch(function () { return offlinePage(url); }));
    }
    return;
  }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/brand.css") {
    event.respondWith(fromShell(request));
    return;
  }
  if (!CACHEABLE.test(path)) return;
  // A partial swap (htmx, not boosted) needs the server; only whole pages come from the cache.
  var partial = request.headers.get("HX-Request") === "true" && request.headers.get("HX-Boosted") !== "true";
  if (partial) return;
  event.respondWith(page(request, url));
});

// Versioned files (?v=<content hash>) never change under their URL: the cached copy is always right.
// /brand.css has no version: the cached copy now, a fresh one for next time.
function fromShell(request) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var versioned = request.url.indexOf("?v=") >= 0;
      if (hit && versioned) return hit;
      var fresh = fetch(request).then(function (response) {
        if (response.ok && !versioned) cache.put(request, response.clone());
        return response;
      });
      if (hit) { fresh.catch(function () { /* offline: the cached copy serves */ }); return hit; }
      return fresh;
    });
  });
}

function timeout(ms) {
  return new Promise(function (_, reject) { setTimeout(function () { reject(new Error("slow")); }, ms); });
}

// Network first, so people see today's hours and numbers; the cached copy when there is no network
// (or it is too slow), then the offline page.
function page(request, url) {
  var key = url.pathname + url.search;
  var network = self.navigator.onLine === false
    ? Promise.reject(new Error("offline"))
    : Promise.race([fetch(request), timeout(NETWORK_WAIT_MS)]);
  return network
    .catch(function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(key, { ignoreVary: true }).then(function (hit) { return hit || offlinePage(url); });
      });
    });
}

// The offline page in the language of the page asked for, if kept; else the one in the shell.
function offlinePage(url) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(localePrefix(url.pathname) + "/offline", { ignoreVary: true });
  }).then(function (offline) {
    return offline || caches.match("/offline", { ignoreVary: true });
  });
}

// Keep every public page of one language, so the directory and the counselor page work offline.
function warm(prefix) {
  if (!warming[prefix]) {
    warming[prefix] = warmOnce(prefix).catch(function () { /* try again on the next visit */ })
      .then(function () { delete warming[prefix]; });
  }
  return warming[prefix];
}

function warmOnce(prefix) {
  var listKey = prefix + CONFIG.pagesList;
  return caches.open(PAGES).then(function (cache) {
    return cache.match(listKey).then(function (last) {
      var when = last ? Number(last.headers.get("X-Lantern-Kept-At")) : 0;
      if (Date.now() - when < WARM_AGAIN_MS) return;
      return fetch(listKey, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (list) {
          var queue = list.pages.slice();
          var failed = 0;
          function next() {
            var key = queue.shift();
            if (!key) return Promise.resolve();
            return fetch(key, { credentials: "same-origin" })
              .then(function (response) {
                if (response.ok && !response.redirected) return cache.put(key, response);
                failed += 1;
              }, function () { failed += 1; })
              .then(next);
          }
          return Promise.all([next(), next(), next()]).then(function () {
            if (failed) return;
            var stamp = new Response(JSON.stringify(list), {
              headers: { "Content-Type": "application/json", "X-Lantern-Kept-At": String(Date.now()) }
            });
            return cache.put(listKey, stamp);
          });
        });
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "claim") {
    // A page that opened while this worker was activating was not among those claimed then.
    event.waitUntil(self.clients.claim());
  } else if (data.type === "warm" && typeof data.prefix === "string" && /^(\/[a-z]{2})?$/.test(data.prefix)) {
    event.waitUntil(warm(data.prefix));
  } else if (data.type === "flush") {
    event.waitUntil(LanternOutbox.flush());
  }
});

// Background Sync (Chromium): the outbox is sent when the network is back, even with no tab open.
self.addEventListener("sync", function (event) {
  if (event.tag === "lantern-outbox") event.waitUntil(LanternOutbox.flush());
});

// Alerts (staff) and reply signals (reporters): the payload has a title, a line and a link, never
// case content. A click focuses an open Lantern tab (taking it to the link) or opens one.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var title = data.title || "Lantern";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.tag || "lantern",
    renotify: true,
    requireInteraction: data.tag === "lantern-life_safety" || data.tag === "lantern-escalation",
    icon: CONFIG.icon,
    data: { url: typeof data.url === "string" && data.url.charAt(0) === "/" ? data.url : "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(openCase(event.notification.data && event.notification.data.url || "/"));
});

// An open Lantern tab already at the link is focused; else an open Lantern tab goes there; else a new one.
function openCase(url) {
  var target = new URL(url, self.location.origin).href;
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (tabs) {
    // focus() needs the click's user activation; if it is refused the tab still goes to the link.
    function focus(tab) { return tab && tab.focus ? tab.focus().catch(function () { return tab; }) : tab; }
    for (var i = 0; i < tabs.length; i++) {
      if (tabs[i].url === target) return focus(tabs[i]);
    }
    for (var j = 0; j < tabs.length; j++) {
      if ("navigate" in tabs[j] && new URL(tabs[j].url).origin === self.location.origin) {
        return tabs[j].navigate(target).then(focus);
      }
    }
    return self.clients.openWindow(target);
  });
}
