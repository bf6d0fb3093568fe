import { rankMatches } from "./match.js";

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
export function toast(message, kind = "ok", action = null) {
  const box = document.getElementById("toasts");
  const t = h("div", { class: `toast ${kind}`, role: action ? "status" : null }, message);
  if (action) {
    // „Rückgängig“: offered for 10 seconds; one click, then gone.
    t.append(" ", h("button", {
      type: "button", class: "toast-action",
      onclick: async () => { t.remove(); await action.onclick(); },
    }, action.label));
  }
  box.appendChild(t);
  // At most two at a time: the newest ones.
  while (box.children.length > 2) box.firstElementChild.remove();
  setTimeout(() => t.remove(), action ? 10000 : kind === "error" ? 8000 : 3500);
}

/**
 * A modal confirmation built on <dialog>. Resolves true when confirmed.
 * @param {{title: string, text: string, confirm: string, danger?: boolean}} o
 */
export function confirmDialog(o) {
  return new Promise((resolve) => {
    const dlg = h("dialog", { class: "modal", "aria-labelledby": "dlg-title" });
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    const yes = h("button", { type: "button", class: o.danger ? "danger" : "primary", onclick: () => done(true) }, o.confirm);
    dlg.append(
      h("h2", { id: "dlg-title" }, o.title),
      h("p", {}, o.text),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => done(false) }, "Abbrechen"),
        yes),
    );
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); done(false); });
    document.body.appendChild(dlg);
    dlg.showModal();
    // `focusConfirm`: Enter answers yes (a question in the middle of typing).
    if (o.focusConfirm) yes.focus();
  });
}

let dialogCounter = 0;
/**
 * A modal form. `fields`: [{key, label, type?: "text"|"select"|"checkbox"|"textarea",
 * options?: [[value,label]], attrs?, full?: bool, hint?, enhance?(input)}]. `submit(values)` returns
 * a promise; a rejected {field, message} is shown at the field with that label.
 * Resolves with submit's result, or null when cancelled.
 */
/** A save refused because the record changed meanwhile (at another seat):
 *  the form is gone, the message stays, and the view loads the new state. */
export function changedMeanwhile(e) {
  toast(e.message, "error");
  window.dispatchEvent(new CustomEvent("zr-data-changed"));
}

export function formDialog({ title, fields, values = {}, submitLabel = "Speichern", submit, wide = false, extra = null }) {
  return new Promise((resolve) => {
    const titleId = `dlg-${++dialogCounter}`;
    const dlg = h("dialog", { class: `modal form-modal${wide ? " wide" : ""}`, "aria-labelledby": titleId });
    const controls = {};
    const grid = h("div", { class: "form-grid" });
    for (const f of fields) {
      const id = `${titleId}-${f.key}`;
      let input;
      if (f.type === "select") {
        input = h("select", { id, ...(f.attrs || {}) }, (f.options || []).map(([v, l]) => h("option", { value: v }, l)));
      } else if (f.type === "textarea") {
        input = h("textarea", { id, rows: 3, ...(f.attrs || {}) });
      } else if (f.type === "checkbox") {
        input = h("input", { id, type: "checkbox", ...(f.attrs || {}) });
      } else {
        input = h("input", { id, type: "text", autocomplete: "off", ...(f.attrs || {}) });
      }
      const error = h("p", { class: "field-error", role: "alert", hidden: true });
      const wrap = f.type === "checkbox"
        ? h("div", { class: "field checkbox-field" }, h("label", { class: "switch", for: id }, input, h("span", {}, f.label)), error)
        : h("div", { class: "field" }, h("label", { for: id }, f.label), input, f.hint ? h("p", { class: "hint" }, f.hint) : null, error);
      if (f.full) wrap.classList.add("full");
      // E.g. type-ahead suggestions (ui/lib/combo.js), once the field is in its box.
      if (f.enhance) f.enhance(input);
      const v = values[f.key];
      if (f.type === "checkbox") input.checked = v === undefined ? true : Boolean(v);
      else if (v !== undefined && v !== null) input.value = String(v);
      controls[f.key] = { input, error, label: f.label, wrap };
      grid.append(wrap);
    }
    const formError = h("div", { class: "alert error", role: "alert", hidden: true });
    const save = h("button", { type: "submit", class: "primary" }, submitLabel);
    const finish = (result) => { dlg.close(); dlg.remove(); resolve(result); };
    const form = h("form", {
      novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        for (const c of Object.values(controls)) { c.error.hidden = true; c.input.removeAttribute("aria-invalid"); }
        formError.hidden = true;
        const out = {};
        for (const [k, c] of Object.entries(controls)) out[k] = c.input.type === "checkbox" ? c.input.checked : c.input.value;
        save.disabled = true;
        try {
          finish(await submit(out));
        } catch (e) {
          if (e && e.kind === "changed") { finish(null); changedMeanwhile(e); return; }
          const target = e && e.fieldKey ? controls[e.fieldKey] : null;
          if (target) {
            target.error.textContent = e.message; target.error.hidden = false;
            target.input.setAttribute("aria-invalid", "true"); target.input.focus();
          } else {
            formError.textContent = (e && e.message) || "Unbekannter Fehler."; formError.hidden = false;
          }
        } finally {
          save.disabled = false;
        }
      },
    },
      h("h2", { id: titleId }, title),
      grid, extra, formError,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => finish(null) }, "Abbrechen"),
        save));
    dlg.append(form);
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); finish(null); });
    document.body.append(dlg);
    dlg.showModal();
    const first = fields.find((f) => !(f.attrs && f.attrs.disabled));
    if (first) controls[first.key].input.focus();
    dlg.controls = controls;
  });
}

/**
 * A search field above a long <select> (e.g. 10,000 customers): the first
 * letters or a number narrow the options to the matches — those starting with
 * the text first, at most 200 — and choose the first one. The select stays the
 * control that is read and saved.
 */
export function typeAheadSelect(select, { placeholder, label }) {
  const all = [...select.options].map((o) => ({ value: o.value, text: o.textContent, lower: o.textContent.toLowerCase(), el: o }));
  const searchable = all.filter((o) => o.value).map((o) => ({ lower: o.lower, item: o }));
  const input = h("input", { type: "search", class: "typeahead", placeholder, "aria-label": label, autocomplete: "off" });
  const info = h("p", { class: "hint typeahead-info", "aria-live": "polite" });
  const show = (items, more) => {
    const keep = select.value;
    // The select's own option elements, moved in and out (none made per keystroke).
    select.replaceChildren(...items.map((o) => o.el),
      ...(more ? [h("option", { value: "", disabled: true }, `… ${more} weitere – bitte genauer tippen`)] : []));
    if (items.some((o) => o.value === keep)) select.value = keep;
  };
  // The empty choice („– kein Kunde –“) always stays in the list.
  const empty = all.filter((o) => !o.value);
  input.addEventListener("input", () => {
    if (!input.value.trim()) { show(all, 0); info.textContent = ""; return; }
    const hits = rankMatches(searchable, input.value);
    // No match: the list and the choice stay as they are.
    if (!hits.length) { info.textContent = "Kein Treffer"; return; }
    show(empty.concat(hits.slice(0, 200)), Math.max(0, hits.length - 200));
    select.value = hits[0].value;
    info.textContent = hits.length === 1 ? "1 Treffer" : `${hits.length} Treffer`;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); select.focus(); }
  });
  select.before(input);
  select.after(info);
  return input;
}
