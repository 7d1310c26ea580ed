/* "Use my location" on the nearest-facility page: fills the form's hidden latitude and
   longitude from the browser and sends it. Without a script, or a browser that cannot
   tell, the suburb list and the plus code serve. */
(function () {
  "use strict";
  var box = document.getElementById("here-box");
  if (!box || !navigator.geolocation) { return; }
  var form = document.getElementById("nearest-form");
  var button = document.getElementById("use-here"), status = document.getElementById("here-status");
  box.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("id_lat").value = p.coords.latitude.toFixed(6);
      document.getElementById("id_lon").value = p.coords.longitude.toFixed(6);
      ["id_suburb", "id_pluscode"].forEach(function (id) {
        var field = document.getElementById(id);
        if (field) { field.value = ""; }
      });
      form.submit();
    }, function () { status.textContent = button.getAttribute("data-failed") || "?"; },
    { maximumAge: 60000, timeout: 15000 });
  });
})();
