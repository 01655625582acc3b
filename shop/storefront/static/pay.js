// Paying: the card becomes a PaymentMethod (Stripe.js's card element; in test mode one of
// Stripe's test PaymentMethods), our server confirms the PaymentIntent with it, and Stripe.js
// finishes 3-D Secure when Stripe asks for it. The signed webhook marks the order paid.
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

  function confirm(id) {
    return fetch(box.dataset.confirm, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf },
      body: JSON.stringify({ payment_method: id })
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
      }).then(function (body) {
        if (body.status === "requires_action" && stripe) {
          return stripe.confirmCardPayment(box.dataset.secret).then(function (result) {
            if (result.error) throw new Error(result.error.message);
          });
        }
        if (body.status !== "succeeded" && body.status !== "processing") {
          throw new Error(body.status);
        }
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
