// A batch's page: the compound's counter follows the pledges while the page is open (the
// batch's API every 15 seconds); it counts only pledges with a card in hand, as the server does.
(function () {
  "use strict";
  var box = document.getElementById("live-counter");
  if (!box) return;
  var text = box.querySelector("p");
  var bar = box.querySelector("progress");

  function refresh() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (batch) {
        if (!batch) return;
        var here = batch.compounds.filter(function (c) {
          return String(c.community_id) === box.dataset.community;
        })[0];
        if (!here) return;
        text.textContent = box.dataset.sentence.replace("{n}", here.pledged);
        bar.value = Math.min(here.pledged, Number(bar.max));
      })
      .catch(function () { /* offline for a moment: the next tick tries again */ });
  }

  window.setInterval(refresh, 15000);
})();
