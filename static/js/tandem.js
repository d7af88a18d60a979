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
// ...and when the keyboard leaves it: left open, it would cover what gets focus next.
document.addEventListener("focusout", (event) => {
  const menu = event.target.closest && event.target.closest("details.org-menu[open]");
  if (menu && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.removeAttribute("open");
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

// ---------------------------------------------------------------------------
// In-place updates. The server renders every piece of HTML (template partials
// chosen by the X-Tandem-Fragment header) and every word shown; this script
// only fetches a partial and puts its [data-live-slot] elements in place of
// those with the same id. Without the script, forms and links load pages.
// ---------------------------------------------------------------------------
const FRAGMENT_HEADER = "X-Tandem-Fragment";

// The elements of a partial's HTML, parsed without running or showing them.
function parseFragment(html) {
  const holder = document.createElement("template");
  holder.innerHTML = html;
  return holder.content;
}

// Put each [data-live-slot id=...] of the partial in place of the page's
// element with that id; returns the elements now in the page.
function swapSlots(fragment) {
  const swapped = [];
  fragment.querySelectorAll("[data-live-slot][id]").forEach((fresh) => {
    const current = document.getElementById(fresh.id);
    if (current) {
      current.replaceWith(fresh);
      swapped.push(fresh);
    }
  });
  return swapped;
}

// Polite live regions say nothing when their text does not change: empty the
// region first so that the same count or confirmation is read again.
function announce(region, text) {
  if (!region || !text) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 100);
}

function focusLost() {
  return !document.activeElement || document.activeElement === document.body;
}

function sameDocument(a, b) {
  const left = new URL(a, window.location.href);
  const right = new URL(b, window.location.href);
  left.hash = "";
  right.hash = "";
  return left.href === right.href;
}

// ---------------------------------------------------------------------------
// Live results: <form method="get" data-live-results="results"
// data-live-status="id of a role=status element" data-live-heading="id">.
// Changing a field (typing: after a pause) fetches the page's "results"
// partial for the new address and swaps it in; the address follows, so
// reload, back and sharing work. Links inside the results (pages, tags) and
// <a data-live-link> in the form do the same. Errors: an ordinary page load.
// The form's [data-live-submit] button takes the words of the results'
// [data-live-submit-label] ("Show 12 capabilities"): on phones the results
// are below the open filters, and the button says what changed.
// ---------------------------------------------------------------------------
const TYPING_PAUSE_MS = 300;

function isTyped(field) {
  return field.matches("input:not([type]), input[type=text], input[type=search], input[type=number]");
}

function setUpLiveResults(form) {
  const fragmentName = form.dataset.liveResults;
  const status = document.getElementById(form.dataset.liveStatus);
  const region = status ? status.parentElement : null;
  const action = new URL(form.getAttribute("action") || window.location.pathname, window.location.href);
  let shown = window.location.href; // the address whose results are on the page
  let wanted = shown; // the address last asked for (shown, or on its way)
  let controller = null;
  let timer = null;
  const submit = form.querySelector("[data-live-submit]");
  // An element of the results the form controls.
  const inResults = (selector) => document.querySelector(`#${CSS.escape(form.getAttribute("aria-controls"))} ${selector}`);
  const labelSubmit = () => {
    const label = inResults("[data-live-submit-label]");
    if (submit && label) submit.textContent = label.dataset.liveSubmitLabel;
  };
  labelSubmit();

  // The address of the form's current values, without empty ones.
  const formAddress = () => {
    const params = new URLSearchParams();
    new FormData(form).forEach((value, name) => {
      if (typeof value === "string" && value.trim() !== "") params.append(name, value);
    });
    const address = new URL(action.href);
    address.search = params.toString();
    return address.href;
  };

  // Show in the form the filters of an address (links, back and forward).
  const fillForm = (address) => {
    const params = new URL(address, window.location.href).searchParams;
    Array.from(form.elements).forEach((field) => {
      if (!field.name || field.type === "submit" || field.type === "button") return;
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = params.getAll(field.name).includes(field.value);
      } else {
        field.value = params.get(field.name) || "";
        if (field.tagName === "SELECT" && field.selectedIndex === -1) field.selectedIndex = 0;
      }
    });
  };

  // The form's own field errors describe the last full page; after an update
  // the results say which filters were left out, and those fields are marked.
  const markInvalidFields = (fragment) => {
    form.querySelectorAll(".errorlist").forEach((list) => list.remove());
    const invalid = new Set(
      Array.from(fragment.querySelectorAll("[data-invalid-field]"), (item) => item.dataset.invalidField)
    );
    Array.from(form.elements).forEach((field) => {
      if (!field.id) return;
      if (invalid.has(field.id)) {
        field.setAttribute("aria-invalid", "true");
      } else if (field.hasAttribute("aria-invalid")) {
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
      }
    });
  };

  // New counts in the choices' labels ("API (12)"), keeping what is chosen.
  const relabelOptions = (fragment) => {
    fragment.querySelectorAll("template[data-live-option-labels]").forEach((labels) => {
      const select = document.getElementById(labels.dataset.liveOptionLabels);
      if (!select) return;
      labels.content.querySelectorAll("option").forEach((fresh) => {
        const option = Array.from(select.options).find((candidate) => candidate.value === fresh.value);
        if (option) option.textContent = fresh.textContent;
      });
    });
  };

  const cancel = () => {
    if (controller) controller.abort();
    controller = null;
    if (region) region.removeAttribute("aria-busy");
  };

  const load = async (address, historyMode) => {
    cancel();
    wanted = address;
    controller = new AbortController();
    const { signal } = controller;
    if (region) region.setAttribute("aria-busy", "true");
    let html;
    try {
      const response = await fetch(address, {
        headers: { [FRAGMENT_HEADER]: fragmentName },
        credentials: "same-origin",
        signal,
      });
      if (!response.ok || response.redirected) throw new Error(`HTTP ${response.status}`);
      html = await response.text();
    } catch {
      if (signal.aborted) return;
      window.location.assign(address);
      return;
    }
    if (signal.aborted) return;
    controller = null;
    if (region) region.removeAttribute("aria-busy");
    const fragment = parseFragment(html);
    markInvalidFields(fragment);
    relabelOptions(fragment);
    swapSlots(fragment);
    if (historyMode === "typing" && window.history.state && window.history.state.liveTyping) {
      window.history.replaceState({ liveResults: true, liveTyping: true }, "", address);
    } else if (historyMode !== "none") {
      window.history.pushState({ liveResults: true, liveTyping: historyMode === "typing" }, "", address);
    }
    shown = address;
    labelSubmit();
    const count = inResults("[data-live-count]");
    announce(status, count ? count.textContent.trim() : "");
    // A page or tag link that was followed is gone: continue from the results.
    if (focusLost()) {
      const heading = document.getElementById(form.dataset.liveHeading);
      if (heading) heading.focus();
    }
  };

  const refresh = (historyMode) => {
    window.clearTimeout(timer);
    const address = formAddress();
    if (sameDocument(address, wanted)) return;
    if (sameDocument(address, shown)) {
      // Typed back to what is shown while another answer was on its way.
      cancel();
      wanted = shown;
      return;
    }
    load(address, historyMode);
  };

  form.addEventListener("input", (event) => {
    if (!isTyped(event.target)) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => refresh("typing"), TYPING_PAUSE_MS);
  });
  form.addEventListener("change", (event) => {
    // Typed fields also fire "change" when left; their pause timer handles them.
    if (!isTyped(event.target)) refresh("push");
  });
  form.addEventListener("submit", (event) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    refresh("push");
    // The button says "show": on phones the results are below the filters.
    const top = region ? region.getBoundingClientRect().top : 0;
    if (region && (top < 0 || top > window.innerHeight / 3)) region.scrollIntoView({ block: "start" });
  });

  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const link = event.target.closest("a[href]");
    if (!link || !(link.closest("[data-live-slot]") || (link.hasAttribute("data-live-link") && form.contains(link)))) {
      return;
    }
    const address = new URL(link.href, window.location.href);
    if (address.origin !== action.origin || address.pathname !== action.pathname) return;
    // "#id_budget" in the list of filters left out: an ordinary jump.
    if (address.hash && sameDocument(address.href, window.location.href)) return;
    event.preventDefault();
    window.clearTimeout(timer);
    fillForm(address.href);
    load(address.href, "push");
  });

  window.addEventListener("popstate", () => {
    if (sameDocument(window.location.href, shown)) return;
    window.clearTimeout(timer);
    fillForm(window.location.href);
    load(window.location.href, "none");
  });
}

document.querySelectorAll("form[data-live-results]").forEach(setUpLiveResults);

// A link to a field folded away in a closed <details> (the filters on phones)
// unfolds it first, so that the jump lands on the field.
document.addEventListener("click", (event) => {
  const link = event.target.closest('a[href^="#"]');
  const target = link && link.hash.length > 1 ? document.getElementById(decodeURIComponent(link.hash.slice(1))) : null;
  const folded = target ? target.closest("details:not([open])") : null;
  if (folded) folded.setAttribute("open", "");
});

// ---------------------------------------------------------------------------
// Posting a form in place: used by match feedback and messages below.
// Resolves to the response, or null when it did not give one the caller
// handles. The post is never sent again by the script: the server may already
// have done it (a message would then be sent twice). A redirect (the session
// ended, or a proxy dropped the header) is followed; any other failure is told
// at the form, whose fields keep what was typed, so the person can try again.
// ---------------------------------------------------------------------------
async function postInPlace(form, fragmentName, handledStatuses) {
  const body = new FormData(form);
  const token = body.get("csrfmiddlewaretoken");
  const headers = { [FRAGMENT_HEADER]: fragmentName };
  if (token) headers["X-CSRFToken"] = token;
  let response;
  try {
    response = await fetch(form.action, { method: "POST", body, headers, credentials: "same-origin" });
  } catch {
    response = null;
  }
  if (response && response.redirected) {
    window.location.assign(response.url);
    return null;
  }
  if (response && handledStatuses.includes(response.status)) {
    showPostFailure(form, "");
    return { status: response.status, fragment: parseFragment(await response.text()) };
  }
  doneSending(form);
  showPostFailure(form, document.body.dataset.liveFailed || "");
  return null;
}

// The failure line at the top of a form posted in place ("" removes it).
function showPostFailure(form, text) {
  let line = form.querySelector("[data-live-failure]");
  if (!text) {
    if (line) line.remove();
    return;
  }
  if (!line) {
    line = document.createElement("p");
    line.className = "form-errors";
    line.setAttribute("role", "alert");
    line.dataset.liveFailure = "";
    form.prepend(line);
  }
  line.textContent = text;
}

// One request per form at a time, so that a double click posts once. The
// buttons are not disabled: that would take the focus away from them.
function startSending(form) {
  if (form.getAttribute("aria-busy") === "true") return false;
  form.setAttribute("aria-busy", "true");
  return true;
}

function doneSending(form) {
  form.removeAttribute("aria-busy");
}

// ---------------------------------------------------------------------------
// Match feedback: <form data-live-feedback> inside <li id="match-N"
// data-live-slot>. The server answers with that match as its list shows it
// now (with the confirmation) or, with 400, its error list.
// ---------------------------------------------------------------------------
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.matches("form[data-live-feedback]")) return;
  const block = form.closest("[data-live-slot]");
  if (!block) return;
  event.preventDefault();
  if (!startSending(form)) return;
  const result = await postInPlace(form, "match", [200, 400]);
  if (!result) return;
  doneSending(form);
  const status = document.getElementById("matches-status");
  if (result.status === 400) {
    const errors = result.fragment.querySelector("[data-feedback-errors]");
    const old = block.querySelector("[data-feedback-errors]");
    if (old) old.remove();
    if (errors) {
      block.append(errors);
      announce(status, errors.textContent.trim());
    }
    return;
  }
  const [fresh] = swapSlots(result.fragment);
  if (!fresh) return;
  const confirmation = fresh.querySelector("[data-feedback-confirmation]");
  announce(status, confirmation ? confirmation.textContent.trim() : "");
  const next = fresh.querySelector("button");
  if (next) next.focus();
});

// ---------------------------------------------------------------------------
// Messages: <form data-live-message="thread" data-sent="Message sent.">.
// Sent: the thread (#thread-messages) comes back with the new message, the
// field is emptied and keeps the focus. 400: the field comes back with its
// error (#message-fields).
// ---------------------------------------------------------------------------
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.matches("form[data-live-message]")) return;
  event.preventDefault();
  if (!startSending(form)) return;
  const result = await postInPlace(form, form.dataset.liveMessage, [200, 400]);
  if (!result) return;
  doneSending(form);
  const fields = form.querySelector("[data-live-slot]");
  const hadErrors = fields && fields.querySelector(".errorlist, .form-errors");
  const freshFields = fields && result.fragment.getElementById(fields.id);
  if (result.status === 400) {
    if (freshFields) fields.replaceWith(freshFields);
  } else {
    const freshThread = result.fragment.getElementById("thread-messages");
    const thread = document.getElementById("thread-messages");
    if (freshThread && thread) {
      thread.replaceWith(freshThread);
      const last = freshThread.querySelector("li:last-child");
      if (last) last.scrollIntoView({ block: "nearest" });
    }
    if (hadErrors && freshFields) {
      fields.replaceWith(freshFields);
    } else {
      form.querySelectorAll("textarea").forEach((area) => { area.value = ""; });
    }
    announce(document.getElementById(form.dataset.liveStatus), form.dataset.sent);
  }
  const area = form.querySelector("textarea");
  if (area) area.focus();
});
