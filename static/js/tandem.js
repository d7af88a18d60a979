// Small progressive enhancements; every page works without this file.
"use strict";

// Ask before destructive actions: <form data-confirm="Really remove?">.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset ? event.target.dataset.confirm : null;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Close open menus (<details class="org-menu">) with Escape or a click outside.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll("details.org-menu[open]").forEach((menu) => {
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  });
});
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.org-menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});

// Bring the error summary into view and focus so the reader learns what failed.
const summary = document.getElementById("error-summary");
if (summary) summary.focus();

// Filter panels start open on wide screens; on phones they stay folded so the
// results come first.
if (window.matchMedia("(min-width: 721px)").matches) {
  document.querySelectorAll("details[data-open-wide]").forEach((panel) => panel.setAttribute("open", ""));
}

// Copy buttons: <button data-copy="id-of-field" data-copied="Copied" hidden>.
// Shown only when script runs; without it people select the text themselves.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    field.select();
    const done = () => { button.textContent = button.dataset.copied; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
    } else if (document.execCommand("copy")) {
      done();
    }
  });
});
