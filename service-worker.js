// Service worker of LMS Pamong Desa.
// The server prepends PRECACHE (hashed asset URLs) and VERSION to this file.
// Static assets: cache first (their URLs change with their content); the
// small shared ones are precached, vendored scripts are kept on first use.
// Pages: always from the network; the offline page when there is none.
// Pages are never cached: they carry personal data or a CSRF token. The
// offline page is fetched without cookies, so it has neither. htmx requests
// always go to the network: a fragment is never a page, nor taken from here.
/* global PRECACHE, VERSION */
"use strict";

var CACHE = "pamong-" + VERSION;
var OFFLINE_URL = "/offline";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(PRECACHE).then(function () {
        return cache.add(new Request(OFFLINE_URL, { credentials: "omit" }));
      });
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("pamong-") === 0 && name !== CACHE;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (
    request.method !== "GET" ||
    url.origin !== self.location.origin ||
    request.headers.has("HX-Request")
  ) {
    return;
  }

  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(
      caches.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok && url.searchParams.has("v")) {
            var copy = response.clone();
            caches.open(CACHE).then(function (cache) {
              cache.put(request, copy);
            });
          }
          return response;
        });
      })
    );
    return;
  }

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(function () {
        return caches.match(OFFLINE_URL).then(function (page) {
          return page || Response.error();
        });
      })
    );
  }
});
