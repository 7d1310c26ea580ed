/* The installable app, on every page (and imported by the service worker for the queue).
   - Registers the service worker (/sw.js).
   - The report form, when the phone is offline: its fields and photo are kept in
     IndexedDB with a key made on the phone, and sent to /report/queued when the phone is
     back online (on "online", on every page load, and by the worker's Background Sync);
     the key makes a report sent twice a single case. The references are shown when sent.
   Without JavaScript, or without IndexedDB, the form posts as always. */
(function (scope) {
  "use strict";
  var DB = "imbizo", STORE = "reports", SENT = "sent";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var open = scope.indexedDB.open(DB, 1);
      open.onupgradeneeded = function () {
        var db = open.result;
        if (!db.objectStoreNames.contains(STORE)) { db.createObjectStore(STORE, {keyPath: "key"}); }
        if (!db.objectStoreNames.contains(SENT)) { db.createObjectStore(SENT, {keyPath: "key"}); }
      };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
  }

  function run(store, mode, act) {  // one request in its own transaction
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode), req = act(tx.objectStore(store));
        tx.oncomplete = function () { resolve(req && req.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function save(report) { return run(STORE, "readwrite", function (s) { return s.put(report); }); }
  function queued() { return run(STORE, "readonly", function (s) { return s.getAll(); }); }
  function answers() { return run(SENT, "readonly", function (s) { return s.getAll(); }); }
  function forget(key) { return run(SENT, "readwrite", function (s) { return s.delete(key); }); }

  function settle(report, answer) {
    return openDb().then(function (db) {
      return new Promise(function (resolve) {
        var tx = db.transaction([STORE, SENT], "readwrite");
        tx.objectStore(STORE).delete(report.key);
        tx.objectStore(SENT).put({key: report.key, answer: answer});
        tx.oncomplete = tx.onerror = function () { resolve(); };
      });
    });
  }

  /* Post each queued report, one after the other; csrf: the page's token (the worker has
     none of its own and uses the one kept with the report). A refusal by the server
     (field errors) is an answer too; no answer at all leaves the report queued. */
  function sendQueued(csrf) {
    // The page and the worker may both start at the moment the phone is back online:
    // one at a time (Web Locks), so the second finds the queue already sent.
    var locks = scope.navigator && scope.navigator.locks;
    if (locks) { return locks.request("imbizo-reports", function () { return sendAll(csrf); }); }
    return sendAll(csrf);
  }

  function sendAll(csrf) {
    return queued().then(function (reports) {
      return reports.reduce(function (done, report) {
        return done.then(function () {
          var body = new FormData();
          report.fields.forEach(function (f) {
            if (f[0] === "csrfmiddlewaretoken") { return; }
            if (f[2]) { body.append(f[0], f[1], f[2]); } else { body.append(f[0], f[1]); }
          });
          return fetch(report.action, {method: "POST", body: body, credentials: "same-origin",
                                       headers: {"X-CSRFToken": csrf || report.csrf}})
            .then(function (response) {
              if (response.status === 403 || response.status >= 500) { return null; }
              return response.json().then(function (answer) {
                answer.status = response.status;
                return settle(report, answer);
              });
            }, function () { return null; });
        });
      }, Promise.resolve());
    });
  }

  scope.imbizoQueue = {sendQueued: sendQueued};
  if (typeof document === "undefined") { return; }  // in the service worker: the queue only

  var status = document.getElementById("queue-status");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var usable = status && scope.indexedDB && scope.fetch && scope.FormData && scope.Promise;

  if ("serviceWorker" in navigator && status) {
    navigator.serviceWorker.register(status.getAttribute("data-worker"), {scope: "/"})
      .catch(function () { /* the site works without it */ });
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.imbizo === "queue-changed") { show(); }
    });
  }
  if (!usable) { return; }

  function say(text, link, css) {
    var p = document.createElement("p");
    p.className = css || "";
    p.appendChild(document.createTextNode(text));
    if (link) {
      var a = document.createElement("a");
      a.href = link.url; a.textContent = link.text;
      p.appendChild(document.createTextNode(" ")); p.appendChild(a);
    }
    status.appendChild(p);
    status.hidden = false;
  }

  // The page's flush and the worker's "queue-changed" may both read an answer before
  // either forgets it: each report is told once on this page.
  var told = {};
  function show() {  // the answers to reports sent since the resident last looked
    return answers().then(function (list) {
      list.forEach(function (item) {
        if (told[item.key]) { return; }
        told[item.key] = true;
        var a = item.answer;
        if (a.reference) {
          say(status.getAttribute("data-sent"), {url: a.url, text: a.reference});
        } else {
          var why = [];
          Object.keys(a.errors || {}).forEach(function (k) { why = why.concat(a.errors[k]); });
          say(status.getAttribute("data-refused") + " " + why.join(" "), null, "error");
        }
        forget(item.key);
      });
    });
  }

  // One flush at a time: the page's load and an "online" event may both ask, and a
  // second flush would post the same queued reports again (one case, by their key).
  var flushing = null;
  function flush() {
    if (navigator.onLine === false) { return show(); }
    if (!flushing) {
      flushing = sendQueued(csrf).then(show, show).then(function () { flushing = null; });
    }
    return flushing;
  }

  function randomKey() {
    if (scope.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function keep(form) {
    var data = new FormData(form), fields = [], key = data.get("token") || randomKey();
    data.forEach(function (value, name) {
      if (name === "token") { return; }
      if (typeof value === "string") { fields.push([name, value]); }
      else if (value.size) { fields.push([name, value, value.name || "photo"]); }
    });
    fields.push(["token", key]);
    return save({key: key, action: form.getAttribute("data-queue"), csrf: csrf,
                 fields: fields, saved: Date.now()}).then(function () {
      form.hidden = true;
      say(status.getAttribute("data-saved"), null, "notice");
      status.focus();
      if ("serviceWorker" in navigator) {
        navigator.serviceWorker.ready.then(function (reg) {
          if (reg.sync) { return reg.sync.register("imbizo-reports"); }
        }).catch(function () {});
      }
    });
  }

  var form = document.querySelector("form[data-queue]");
  if (form) {
    // The report's idempotency key (report_log), made on the phone: the form's token
    // becomes it, so a post whose answer was lost and the queued copy are one case.
    var token = form.querySelector("input[name=token]");
    if (token) { token.value = randomKey(); }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      function again() { if (button) { button.disabled = false; } }
      if (navigator.onLine === false) { keep(form).then(again, again); return; }
      fetch(form.action || location.href, {method: "POST", body: new FormData(form),
                                           credentials: "same-origin"})
        .then(function (response) {
          if (response.redirected) { location.href = response.url; return; }
          form.submit();  // a mistake in the form: the server's page shows it
        }, function () { keep(form).then(again, again); });  // no connection
    });
  }
  scope.addEventListener("online", flush);
  flush();
})(self);
