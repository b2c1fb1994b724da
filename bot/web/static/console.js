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

// NLU inbox: select words in the example and press a place type to mark them, e.g.
// "ở phường Kim Liên" → "ở [phường Kim Liên](ward)". Without this, the admin types the markup.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button[data-entity]") : null;
  const form = button ? button.closest("form") : null;
  const input = form ? form.querySelector("input.example") : null;
  if (!button || !input) return;
  const start = input.selectionStart;
  const end = input.selectionEnd;
  if (start === null || end === null || start === end) {
    input.focus();
    return;
  }
  const value = input.value;
  const picked = value.slice(start, end).trim();
  const offset = value.slice(start, end).indexOf(picked);
  const from = start + offset;
  const to = from + picked.length;
  input.value = `${value.slice(0, from)}[${picked}](${button.dataset.entity})${value.slice(to)}`;
  input.focus();
});

// Models page: follow a training run until it ends, then reload to show the new model.
(() => {
  const panel = document.getElementById("training-status");
  if (!panel || panel.dataset.running !== "true") return;
  const timer = window.setInterval(async () => {
    try {
      const answer = await fetch("/api/staff/models/training", { headers: { Accept: "application/json" } });
      if (!answer.ok) return;
      const run = (await answer.json()).run;
      if (!run || run.status !== "running") {
        window.clearInterval(timer);
        window.location.reload();
        return;
      }
      const phase = panel.querySelector("[data-testid=run-phase]");
      if (phase) phase.textContent = run.phase_label;
      const epoch = panel.querySelector("[data-testid=run-epoch]");
      if (epoch && run.epochs) epoch.textContent = `${run.epoch}/${run.epochs}`;
      const left = panel.querySelector("[data-testid=run-left]");
      if (left && run.seconds_left_estimate !== null) {
        left.textContent = `cả lần còn khoảng ${Math.max(1, Math.ceil(run.seconds_left_estimate / 60))} phút`;
      }
      const bar = panel.querySelector("progress");
      if (bar && run.epochs) { bar.max = run.epochs; bar.value = run.epoch || 0; }
    } catch (error) {
      // The server restarts or the network drops: try again at the next tick.
    }
  }, 2000);
})();
