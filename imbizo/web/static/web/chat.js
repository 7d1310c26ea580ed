/* The web chat, live: posts its forms with fetch and polls /chat/log for replies every
   3 seconds, so the page is not reloaded. Without this script every form still works as
   a plain post (the server answers with a redirect back to /chat). No inline script:
   the page links this file only. */
(function () {
  "use strict";
  var chat = document.getElementById("chat");
  if (!chat || !window.fetch || !window.FormData) { return; }
  var live = document.getElementById("chat-live");
  var errors = document.getElementById("chat-errors");
  var logUrl = chat.getAttribute("data-log-url");
  var clicked = null;
  var busy = false;

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function version() {
    var log = live.querySelector("[data-version]");
    return log ? log.getAttribute("data-version") : "";
  }

  function scrollDown() {
    var log = live.querySelector(".chat-log");
    if (log) { log.scrollTop = log.scrollHeight; }
  }

  /* Open the place or photo form when the conversation asks for one. */
  function showExpected() {
    var log = live.querySelector("[data-expects]");
    var expects = log ? log.getAttribute("data-expects") : "";
    chat.querySelectorAll("details[data-for]").forEach(function (details) {
      details.open = details.getAttribute("data-for") === expects;
    });
  }

  function say(lines) {
    errors.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      errors.appendChild(p);
    });
  }

  function refresh() {
    return fetch(logUrl + "?v=" + encodeURIComponent(version()), {
      credentials: "same-origin", headers: {"Accept": "text/html"}
    }).then(function (answer) {
      if (answer.status !== 200) { return; }
      return answer.text().then(function (html) {
        live.innerHTML = html;  /* our own template, escaped by the server */
        scrollDown();
        showExpected();
      });
    }).catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  function send(form, submitter) {
    if (busy) { return; }
    busy = true;
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    chat.classList.add("chat-busy");
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (answer) {
        return answer.json().then(function (body) {
          if (answer.ok) {
            say([]);
            form.reset();
            document.querySelectorAll("input[name=cmid]").forEach(function (input) {
              input.value = newId();
            });
          } else {
            say(body.errors || []);
          }
        });
      })
      .catch(function () { say([chat.getAttribute("data-offline") || "Not sent."]); })
      .then(function () {
        busy = false;
        chat.classList.remove("chat-busy");
        return refresh();
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[type=submit]");
    clicked = button && chat.contains(button) ? button : null;
  });

  chat.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("chat-send")) { return; }
    event.preventDefault();
    var submitter = event.submitter || clicked;
    clicked = null;
    send(form, submitter);
  });

  /* "Use my location": the browser's position fills the place form and sends it. */
  var place = chat.querySelector(".chat-location");
  if (place && navigator.geolocation) {
    var use = document.createElement("button");
    use.type = "button";
    use.textContent = chat.getAttribute("data-use-location") || "Use my location";
    use.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        place.querySelector("[name=lat]").value = position.coords.latitude.toFixed(6);
        place.querySelector("[name=lon]").value = position.coords.longitude.toFixed(6);
        send(place, null);
      }, function () {
        say([chat.getAttribute("data-no-location") || "Your location is not available."]);
      }, {enableHighAccuracy: true, timeout: 15000});
    });
    place.insertBefore(use, place.firstChild);
  }

  scrollDown();
  setInterval(function () { if (!document.hidden && !busy) { refresh(); } }, 3000);
}());
