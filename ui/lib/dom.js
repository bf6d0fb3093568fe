// A tiny element builder. Children that are strings become text nodes, so data
// is never parsed as HTML.

/**
 * h("button", {class: "primary", onclick: fn}, "Speichern")
 * Attributes starting with "on" become listeners; `dataset` and `aria-*` work as expected.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "text") {
      el.textContent = String(value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

let fieldCounter = 0;
/** A labelled input: returns {wrap, input, error}. */
export function field(label, inputAttrs = {}, opts = {}) {
  const id = `f${++fieldCounter}`;
  const input = h("input", { id, ...inputAttrs });
  const error = h("p", { class: "field-error", id: `${id}-err`, role: "alert", hidden: true });
  input.setAttribute("aria-describedby", `${id}-err`);
  const control = opts.suffix
    ? h("div", { class: "with-suffix" }, input, h("span", { class: "suffix", "aria-hidden": "true" }, opts.suffix))
    : input;
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), control, opts.hint ? h("p", { class: "hint" }, opts.hint) : null, error);
  return { wrap, input, error };
}

export function showFieldError(f, message) {
  if (message) {
    f.error.textContent = message;
    f.error.hidden = false;
    f.input.setAttribute("aria-invalid", "true");
  } else {
    f.error.textContent = "";
    f.error.hidden = true;
    f.input.removeAttribute("aria-invalid");
  }
}

/** A short message in the corner. */
export function toast(message, kind = "ok") {
  const box = document.getElementById("toasts");
  const t = h("div", { class: `toast ${kind}` }, message);
  box.appendChild(t);
  setTimeout(() => t.remove(), kind === "error" ? 8000 : 3500);
}

/**
 * A modal confirmation built on <dialog>. Resolves true when confirmed.
 * @param {{title: string, text: string, confirm: string, danger?: boolean}} o
 */
export function confirmDialog(o) {
  return new Promise((resolve) => {
    const dlg = h("dialog", { class: "modal", "aria-labelledby": "dlg-title" });
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    dlg.append(
      h("h2", { id: "dlg-title" }, o.title),
      h("p", {}, o.text),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => done(false) }, "Abbrechen"),
        h("button", { type: "button", class: o.danger ? "danger" : "primary", onclick: () => done(true) }, o.confirm)),
    );
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); done(false); });
    document.body.appendChild(dlg);
    dlg.showModal();
  });
}
