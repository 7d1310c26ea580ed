/* The compose form's zone: without scripts it is GeoJSON typed or pasted in the text box;
   with them, a Leaflet map (the citizen site's vendored copy) where each click adds a
   corner of the zone, written back into the box as a GeoJSON polygon. */
(function () {
  "use strict";
  var box = document.getElementById("zonemap");
  var text = box && document.getElementById(box.getAttribute("data-target"));
  if (!box || !text || !document.querySelector) { return; }

  function load(done) {
    if (window.L) { done(); return; }
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = box.getAttribute("data-leaflet-css");
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = box.getAttribute("data-leaflet-js"); js.onload = done;
    document.head.appendChild(js);
  }

  function corners() {  // [lat, lon] of the polygon in the box, if there is one
    try {
      var geometry = JSON.parse(text.value);
      if (geometry.type === "Feature") { geometry = geometry.geometry; }
      if (geometry.type !== "Polygon") { return []; }
      return geometry.coordinates[0].slice(0, -1).map(function (p) { return [p[1], p[0]]; });
    } catch (e) { return []; }
  }

  function write(points) {
    if (points.length < 3) { text.value = ""; return; }
    var ring = points.map(function (p) { return [+p[1].toFixed(6), +p[0].toFixed(6)]; });
    ring.push(ring[0]);
    text.value = JSON.stringify({type: "Polygon", coordinates: [ring]});
  }

  function draw() {
    var L = window.L, centre = box.getAttribute("data-centre").split(",").map(Number);
    box.hidden = false;
    var hint = document.createElement("p");
    hint.className = "hint"; hint.textContent = box.getAttribute("data-hint");
    box.parentNode.insertBefore(hint, box);
    var map = L.map(box).setView(centre, 11);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "&copy; OpenStreetMap contributors"
    }).addTo(map);
    var points = corners(), shape = L.polygon(points).addTo(map);
    if (points.length) { map.fitBounds(shape.getBounds(), {padding: [20, 20]}); }
    map.on("click", function (event) {
      points.push([event.latlng.lat, event.latlng.lng]);
      shape.setLatLngs(points); write(points);
    });
    var clear = document.createElement("button");
    clear.type = "button"; clear.textContent = box.getAttribute("data-clear");
    clear.addEventListener("click", function () { points = []; shape.setLatLngs([]); write([]); });
    box.parentNode.insertBefore(clear, box.nextSibling);
  }

  load(draw);
})();
