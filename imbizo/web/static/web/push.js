/* "Notify me on this phone" on the resident's cases page: asks the browser for
   permission, subscribes it with the server's VAPID key and posts the subscription to
   /push/subscribe; "Stop" undoes both. Hidden where the browser cannot do Web Push. */
(function () {
  "use strict";
  var box = document.getElementById("push");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) ||
      !("Notification" in window)) { return; }
  var on = document.getElementById("push-on"), off = document.getElementById("push-off");
  var note = document.getElementById("push-status");
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");

  function say(name) { note.textContent = box.getAttribute("data-" + name) || ""; }

  function key() {  // base64url to bytes, as PushManager wants it
    var text = box.getAttribute("data-key").replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(text + "===".slice((text.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify(body),
                       headers: {"Content-Type": "application/json",
                                 "X-CSRFToken": csrf ? csrf.value : ""}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function shown(subscribed) { on.hidden = subscribed; off.hidden = !subscribed; }

  navigator.serviceWorker.ready.then(function (reg) {
    box.hidden = false;
    return reg.pushManager.getSubscription().then(function (sub) { shown(!!sub); });
  });

  on.addEventListener("click", function () {
    Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") { say("denied"); throw new Error("denied"); }
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key()});
    }).then(function (sub) {
      return post(box.getAttribute("data-subscribe"), sub.toJSON());
    }).then(function () { shown(true); say("on"); }, function (e) {
      if (e.message !== "denied") { say("failed"); }
    });
  });

  off.addEventListener("click", function () {
    navigator.serviceWorker.ready.then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (sub) {
      if (!sub) { return null; }
      return post(box.getAttribute("data-unsubscribe"), {endpoint: sub.endpoint})
        .then(function () { return sub.unsubscribe(); });
    }).then(function () { shown(false); say("off"); }, function () { say("failed"); });
  });
})();
