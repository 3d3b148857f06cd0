// Marginalia's service worker: keeps the app's own files (this page, its script,
// its WebAssembly and its style sheet, all from this address) so that the app
// opens again without a network, as on a school laptop whose wifi drops.
// It stores nothing else and fetches nothing from anywhere else; annotations
// live in the browser's storage, not here.
//
// The page is fetched from the network first (so a new version is picked up at
// once), from this cache when there is no network. Its files have the hash of
// their content in their names, so a stored copy is always the right one.
"use strict";

const CACHE = "marginalia-app-v1";

// The files a page names: its style sheet, script and WebAssembly (relative paths).
function assetsOf(html) {
  const found = new Set();
  for (const m of html.matchAll(/["']\.\/([^"'?#]+\.(?:js|wasm|css))["']/g)) found.add("./" + m[1]);
  return [...found];
}

// Stores the page and its files; drops files of earlier versions.
async function keep(pageResponse) {
  const cache = await caches.open(CACHE);
  const html = await pageResponse.clone().text();
  const assets = assetsOf(html);
  await cache.put("./", pageResponse);
  for (const a of assets) {
    if (!(await cache.match(a))) {
      try {
        const r = await fetch(a);
        if (r.ok) await cache.put(a, r);
      } catch (_) {
        // Offline now: the file is stored the next time it is fetched.
      }
    }
  }
  const wanted = new Set(["./", ...assets].map((a) => new URL(a, self.registration.scope).href));
  for (const req of await cache.keys()) {
    if (!wanted.has(req.url)) await cache.delete(req);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    fetch("./", { cache: "no-cache" })
      .then((r) => (r.ok ? keep(r) : undefined))
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("marginalia-app-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  const scope = new URL(self.registration.scope);
  const isPage = req.mode === "navigate" || url.href === scope.href || url.href === new URL("index.html", scope).href;
  if (isPage) {
    event.respondWith(
      fetch(req)
        .then((r) => {
          if (r.ok) event.waitUntil(keep(r.clone()));
          return r;
        })
        .catch(async () => (await caches.match("./")) || Response.error()),
    );
    return;
  }
  if (/\.(?:js|wasm|css)$/.test(url.pathname)) {
    event.respondWith(
      caches.match(req, { ignoreVary: true }).then(
        (hit) =>
          hit ||
          fetch(req).then(async (r) => {
            if (r.ok && r.type === "basic") {
              const cache = await caches.open(CACHE);
              await cache.put(req, r.clone());
            }
            return r;
          }),
      ),
    );
  }
});
