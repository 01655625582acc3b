// Paying (an order) or pledging (a custom batch): the card becomes a PaymentMethod (Stripe.js's
// card element; in test mode one of Stripe's test PaymentMethods), our server confirms the
// PaymentIntent (or holds or saves the card) with it, and Stripe.js finishes 3-D Secure when
// Stripe asks for it. The signed webhook marks the order paid, or the pledge held.
// The box's data: confirm (where to post), fields (a form whose inputs go along), key-header
// (an Idempotency-Key), ok (the statuses that mean done), done (where to go then).
(function () {
  "use strict";
  var box = document.getElementById("payment");
  if (!box) return;
  var message = document.getElementById("pay-message");
  var live = typeof Stripe !== "undefined" && document.getElementById("card-element");
  var stripe = live ? Stripe(box.dataset.key) : null;
  var card = null;
  if (live) {
    card = stripe.elements().create("card");
    card.mount("#card-element");
  }

  function paymentMethod(button) {
    if (button.dataset.method) return Promise.resolve({ id: button.dataset.method });
    return stripe.createPaymentMethod({ type: "card", card: card }).then(function (made) {
      return made.error ? { error: made.error } : { id: made.paymentMethod.id };
    });
  }

  var ok = (box.dataset.ok || "succeeded processing").split(" ");

  function body(id) {
    var sent = { payment_method: id };
    var fields = box.dataset.fields && document.getElementById(box.dataset.fields);
    if (fields) {
      fields.querySelectorAll("input[name]").forEach(function (input) {
        sent[input.name] = input.type === "number" ? Number(input.value) : input.value;
      });
    }
    return JSON.stringify(sent);
  }

  function confirm(id) {
    var headers = { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf };
    if (box.dataset.keyHeader) headers["Idempotency-Key"] = box.dataset.keyHeader;
    return fetch(box.dataset.confirm, {
      method: "POST", credentials: "same-origin", headers: headers, body: body(id)
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
        return body;
      });
    });
  }

  document.querySelectorAll("button.pay").forEach(function (button) {
    var label = button.textContent;
    button.addEventListener("click", function () {
      button.disabled = true;
      button.textContent = box.dataset.wait;
      message.textContent = "";
      paymentMethod(button).then(function (made) {
        if (made.error) throw new Error(made.error.message);
        return confirm(made.id);
      }).then(function (answer) {
        var secret = answer.client_secret || box.dataset.secret;
        if ((answer.status === "requires_action" || answer.status === "pending_card") && stripe) {
          var finish = answer.mode === "saved_card" ? stripe.confirmCardSetup(secret)
            : stripe.confirmCardPayment(secret);
          return finish.then(function (result) {
            if (result.error) throw new Error(result.error.message);
          });
        }
        if (ok.indexOf(answer.status) < 0) throw new Error(answer.status);
      }).then(function () {
        window.location = box.dataset.done;
      }).catch(function (error) {
        message.textContent = error.message;
        button.disabled = false;
        button.textContent = label;
      });
    });
  });
})();
