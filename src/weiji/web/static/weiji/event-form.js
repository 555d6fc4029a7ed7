// Show only the fields that belong to the chosen event type (the server validates anyway).
(function () {
  var select = document.getElementById("id_type");
  if (!select) return;
  var fieldsByType = JSON.parse(document.getElementById("event-type-fields").textContent);
  function update() {
    var wanted = fieldsByType[select.value] || [];
    document.querySelectorAll("[data-type-field]").forEach(function (row) {
      var name = row.getAttribute("data-type-field");
      row.hidden = wanted.indexOf(name) === -1;
    });
  }
  select.addEventListener("change", update);
  update();
})();
