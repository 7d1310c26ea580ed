/* Imbizo's service worker, served as /sw.js (web/pwa.py fills in VERSION and SHELL).
   - Keeps the app shell (stylesheet, script, icons, the offline page) for offline use.
   - Pages: network first; with no network, the offline page. Page HTML is never stored,
     so nothing of a signed-in resident stays on the phone; POSTs are never touched.
   - Sends the reports queued offline (see app.js) on Background Sync, where supported.
   - Shows Web Push notifications and opens the case a tap is about. */
"use strict";
var VERSION = "__VERSION__";
var SHELL = ["__SHELL__"];  // site.css, app.js, icon-192, icon-512 (web/pwa.py)
var CACHE = "imbizo-shell-" + VERSION;
var OFFLINE = "/offline";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL.concat([new Request(OFFLINE, {credentials: "omit"})]));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("imbizo-shell-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }  // POSTs go to the network, untouched
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE, {cacheName: CACHE});
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {  // the shell: the network, else the kept copy
    event.respondWith(fetch(request).catch(function () {
      return caches.match(url.pathname, {cacheName: CACHE});
    }));
  }
});

/* The queue of reports made offline: the same code as the pages' (app.js, SHELL[1]). */
importScripts(SHELL[1]);

function sendQueued() {
  return self.imbizoQueue.sendQueued("").then(function () {
    return self.clients.matchAll({type: "window"});
  }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({imbizo: "queue-changed"}); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "imbizo-reports") { event.waitUntil(sendQueued()); }
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {body: event.data.text()}; }
  event.waitUntil(self.registration.showNotification(data.title || "Imbizo", {
    body: data.body || "", tag: data.tag || "imbizo", icon: SHELL[2], badge: SHELL[2],
    data: {url: data.url || "/my"}
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) || "/my",
                    self.location.origin).href;
  event.waitUntil(self.clients.matchAll({type: "window"}).then(function (clients) {
    for (var i = 0; i < clients.length; i++) {
      if (clients[i].url === url && "focus" in clients[i]) { return clients[i].focus(); }
    }
    return self.clients.openWindow(url);
  }));
});
