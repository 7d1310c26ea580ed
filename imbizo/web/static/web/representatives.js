/* "Use my location" on the Who represents me page: asks the browser for the resident's
   position, puts it in the form's hidden lat and lon and sends the form. The form works
   without it: a suburb or a ward off the lists. */
(function () {
  "use strict";
  var button = document.getElementById("locate"), form = document.getElementById("where");
  if (!button || !form || !navigator.geolocation) { return; }
  var status = document.getElementById("locate-status");
  button.hidden = false;
  ["suburb", "ward"].forEach(function (name) {  // a choice off a list replaces the point
    form.elements[name].addEventListener("change", function () {
      form.elements.lat.value = "";
      form.elements.lon.value = "";
    });
  });
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.lat.value = position.coords.latitude.toFixed(6);
      form.elements.lon.value = position.coords.longitude.toFixed(6);
      form.elements.suburb.value = "";
      form.elements.ward.value = "";
      form.submit();
    }, function () {
      button.disabled = false;
      status.textContent = button.getAttribute("data-failed");
    }, {enableHighAccuracy: false, timeout: 15000, maximumAge: 600000});
  });
}());
