/* Marks the place of a fault on a map. Leaflet and its tiles are fetched only when the
   resident asks for the map; the form works the same without any of it. Fills the
   hidden lat and lon inputs of the report form. */
(function () {
  "use strict";
  var box = document.getElementById("mapbox");
  if (!box || !document.querySelector) { return; }
  var lat = document.getElementById("id_lat"), lon = document.getElementById("id_lon");
  var status = document.getElementById("map-status"), map = null, pin = null;
  box.hidden = false;

  function say(text) { status.textContent = text; }

  function mark(la, lo) {
    lat.value = la.toFixed(6); lon.value = lo.toFixed(6);
    if (map) {
      if (pin) { pin.setLatLng([la, lo]); } else { pin = window.L.marker([la, lo]).addTo(map); }
      map.setView([la, lo], Math.max(map.getZoom(), 16));
    }
    say(box.getAttribute("data-marked") || "✓ " + lat.value + ", " + lon.value);
  }

  function load(done) {
    if (window.L) { done(); return; }
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = box.getAttribute("data-leaflet-css");
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = box.getAttribute("data-leaflet-js"); js.onload = done;
    document.head.appendChild(js);
  }

  function open() {
    load(function () {
      var el = document.getElementById("map"), L = window.L;
      el.className = "map on";
      if (map) { return; }
      var la = parseFloat(lat.value || box.getAttribute("data-lat") || "-29");
      var lo = parseFloat(lon.value || box.getAttribute("data-lon") || "25");
      map = L.map(el).setView([la, lo], lat.value ? 16 : 13);
      L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 19, attribution: "&copy; OpenStreetMap contributors"
      }).addTo(map);
      if (lat.value) { mark(la, lo); }
      map.on("click", function (e) { mark(e.latlng.lat, e.latlng.lng); });
    });
  }

  document.getElementById("map-open").addEventListener("click", open);
  var here = document.getElementById("map-here");
  if (!navigator.geolocation) { here.hidden = true; }
  here.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (p) {
      open(); mark(p.coords.latitude, p.coords.longitude);
    }, function () { say(here.getAttribute("data-failed") || "?"); });
  });
})();
