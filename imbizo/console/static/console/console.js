/* Staff console: small enhancements only; every page works without this file. */
(function () {
  "use strict";
  // A "select all" box above the queue's checkboxes, added only when scripts run.
  function addSelectAll(root) {
    var table = root.querySelector("table.queue");
    if (!table || table.querySelector(".select-all")) { return; }
    var boxes = table.querySelectorAll("input[name=cases]");
    var head = table.querySelector("thead th");
    if (!boxes.length || !head) { return; }
    var box = document.createElement("input");
    box.type = "checkbox";
    box.className = "select-all";
    box.id = "select-all";
    var label = document.createElement("label");
    label.htmlFor = "select-all";
    label.className = "sr-only";
    label.textContent = head.textContent.trim() || "Select all";
    head.textContent = "";
    head.appendChild(box);
    head.appendChild(label);
    box.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = box.checked; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { addSelectAll(document); });
  document.addEventListener("htmx:afterSettle", function () { addSelectAll(document); });
})();
