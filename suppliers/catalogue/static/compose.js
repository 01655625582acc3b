// Compose a bundle: find supplier items, add them as rows, and show margin and saving live.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  if (!form) return;
  var search = document.getElementById("item-search");
  var results = document.getElementById("item-results");
  var body = document.querySelector("#components tbody");
  var yuan = function (fen) { return (fen < 0 ? "-" : "") + "¥" + (Math.abs(fen) / 100).toFixed(2); };
  // Prices are typed in yuan; the figures are worked out in fen.
  var fen = function (text) { var v = parseFloat(text); return isNaN(v) ? null : Math.round(v * 100); };
  var num = function (name) { var el = form.elements[name]; return el && el.value !== "" ? fen(el.value) : null; };

  function renumber() {
    Array.prototype.forEach.call(body.rows, function (row, i) {
      row.querySelectorAll("input").forEach(function (input) {
        input.name = input.name.replace(/components-\d+-/, "components-" + i + "-");
      });
    });
  }

  function figures() {
    var settlement = 0, listed = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var q = parseInt(row.querySelector("[name$=-quantity]").value || "0", 10);
      settlement += q * (fen(row.querySelector("[name$=-settlement_price]").value) || 0);
      listed += q * (fen(row.querySelector("[name$=-list_price]").value) || 0);
    });
    var price = num("price"), reference = num("reference_price");
    var show = function (key, text) { form.querySelector("[data-fig=" + key + "]").textContent = text; };
    show("settlement", yuan(settlement));
    show("margin", price === null ? "–" : yuan(price - settlement));
    show("saving", price === null ? "–" : yuan(listed - price));
    show("reference", price === null || reference === null ? "–" : yuan(reference - price));
    form.querySelector("[data-fig=margin]").className = price !== null && price < settlement ? "bad" : "";
  }

  function addRow(item) {
    var i = body.rows.length;
    var row = body.insertRow();
    row.innerHTML = "<td></td><td></td><td></td><td></td><td></td>";
    row.cells[0].textContent = item.name + "（" + item.supplier_name + "）";
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "components-" + i + "-item_id"; hidden.value = item.id;
    row.cells[0].appendChild(hidden);
    var asYuan = (item.supply_price_minor / 100).toFixed(2);
    [["quantity", 1], ["settlement_price", asYuan], ["list_price", asYuan]]
      .forEach(function (pair, n) {
        var input = document.createElement("input");
        input.type = "number"; input.min = pair[0] === "quantity" ? "1" : "0";
        input.name = "components-" + i + "-" + pair[0]; input.value = pair[1];
        row.cells[n + 1].appendChild(input);
      });
    row.cells[4].innerHTML = '<button type="button" class="link remove">✕</button>';
    figures();
  }

  var timer;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    var q = search.value.trim();
    if (!q) { results.innerHTML = ""; return; }
    timer = setTimeout(function () {
      fetch(search.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (page) {
          var items = page.items;
          results.innerHTML = "";
          items.forEach(function (item) {
            var li = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button"; button.className = "link";
            button.textContent = item.name + " · " + item.supplier_name + " · " + yuan(item.supply_price_minor);
            button.addEventListener("click", function () { addRow(item); results.innerHTML = ""; search.value = ""; });
            li.appendChild(button); results.appendChild(li);
          });
        });
    }, 200);
  });
  body.addEventListener("click", function (e) {
    if (e.target.classList.contains("remove")) { e.target.closest("tr").remove(); renumber(); figures(); }
  });
  form.addEventListener("input", figures);
  figures();
})();
