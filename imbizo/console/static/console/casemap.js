/* The console's map of open cases: Leaflet (the citizen site's vendored copy) is loaded
   only here, and the points come from the JSON endpoint. Without scripts the table below
   lists the same cases. */
(function () {
  "use strict";
  var box = document.getElementById("casemap");
  if (!box || !document.querySelector) { return; }

  function load(done) {
    if (window.L) { done(); return; }
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = box.getAttribute("data-leaflet-css");
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = box.getAttribute("data-leaflet-js"); js.onload = done;
    document.head.appendChild(js);
  }

  function link(point) {
    var a = document.createElement("a");
    a.href = box.getAttribute("data-case-url") + encodeURIComponent(point.reference);
    a.textContent = point.reference;
    var p = document.createElement("p");
    p.appendChild(a);
    p.appendChild(document.createTextNode(" · " + point.category + " · " + point.status_label));
    return p;
  }

  function draw(points) {
    var L = window.L;
    box.hidden = false;
    var map = L.map(box);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "&copy; OpenStreetMap contributors"
    }).addTo(map);
    var bounds = [];
    points.forEach(function (point) {
      L.circleMarker([point.lat, point.lon], {radius: 6, className: "pin-" + point.status})
        .bindPopup(link(point)).addTo(map);
      bounds.push([point.lat, point.lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, {maxZoom: 16, padding: [20, 20]}); }
    else { map.setView([-29, 25], 5); }
  }

  fetch(box.getAttribute("data-src"), {credentials: "same-origin",
                                       headers: {"Accept": "application/json"}})
    .then(function (r) { return r.ok ? r.json() : {cases: []}; })
    .then(function (data) { load(function () { draw(data.cases || []); }); });
})();
