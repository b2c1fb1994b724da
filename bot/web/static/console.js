// Staff console: small progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // One click, one action: a second click while the page loads would be refused anyway.
  for (const button of form.querySelectorAll("button[type=submit]")) {
    button.disabled = true;
  }
});

window.addEventListener("pageshow", () => {
  // Coming back with the browser's back button: the buttons work again.
  for (const button of document.querySelectorAll("button[type=submit][disabled]")) {
    button.disabled = false;
  }
});
