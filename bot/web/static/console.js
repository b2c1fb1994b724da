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

// "Đánh dấu trùng với PA-…" next to a likely duplicate: fill in the duplicate form with that
// code and send it (after the confirmation). Without this, the link opens the filled-in form.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[data-original-code]") : null;
  const details = document.querySelector("details[data-action=duplicate]");
  const form = details ? details.querySelector("form") : null;
  if (!link || !form || typeof form.requestSubmit !== "function") return;
  event.preventDefault();
  details.open = true;
  form.elements.namedItem("original_code").value = link.dataset.originalCode;
  const question = form.dataset.confirm;
  form.dataset.confirm = link.dataset.confirm;
  form.requestSubmit();
  form.dataset.confirm = question;
});

window.addEventListener("pageshow", () => {
  // Coming back with the browser's back button: the buttons work again.
  for (const button of document.querySelectorAll("button[type=submit][disabled]")) {
    button.disabled = false;
  }
});
