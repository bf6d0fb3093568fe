// The rates of one customer or project in one editor: „Stundensätze je Rolle“,
// later changes of the flat Stundensatz („Stundensatz ändern ab“) and an own
// Abrechnungstakt. Standalone (the Kunden detail) with one „Speichern“ for all
// of it, the view it returns drawn again as it comes; or embedded in the project
// dialog, whose „Speichern“ saves it. Nothing here re-reads display strings.
import * as api from "../api.js";
import { h, replace, toast } from "./dom.js";

/** The Abrechnungstakt steps: value as the Rust side takes it, text as shown. */
export const STEP_OPTIONS = [
  ["0", "keiner"], ["1", "1 Minute"], ["5", "5 Minuten"], ["6", "6 Minuten"], ["10", "10 Minuten"],
  ["15", "15 Minuten"], ["30", "30 Minuten"], ["60", "60 Minuten"],
];
export const MODE_OPTIONS = [["aufrunden", "aufrunden"], ["kaufmännisch", "kaufmännisch"]];
export const SCOPE_OPTIONS = [["jeden Eintrag", "jeden Eintrag"], ["Summe je Tag und Mitarbeiter", "Summe je Tag und Mitarbeiter"]];
/** The first option of an own Abrechnungstakt: nothing of its own. */
const INHERIT = "";

let seq = 0;
const nextId = () => `rr${++seq}`;

/**
 * A labelled control with a unique id (rows repeat the same labels).
 * @returns {{wrap: HTMLElement, input: HTMLElement, error: HTMLElement}}
 */
export function labelled(label, input, { suffix = null, hint = null, cls = "" } = {}) {
  const id = nextId();
  input.id = id;
  const error = h("p", { class: "field-error", id: `${id}-err`, role: "alert", hidden: true });
  input.setAttribute("aria-describedby", `${id}-err`);
  const control = suffix
    ? h("div", { class: "with-suffix" }, input, h("span", { class: "suffix", "aria-hidden": "true" }, suffix))
    : input;
  const wrap = h("div", { class: `field${cls ? ` ${cls}` : ""}` },
    h("label", { for: id }, label), control, hint ? h("p", { class: "hint" }, hint) : null, error);
  return { wrap, input, error };
}

export function selectOf(options, value) {
  const sel = h("select", {}, options.map(([v, l]) => h("option", { value: v }, l)));
  if (value !== undefined && value !== null && options.some(([v]) => v === String(value))) sel.value = String(value);
  return sel;
}

const textInput = (attrs = {}) => h("input", { type: "text", autocomplete: "off", ...attrs });

/**
 * Abrechnungstakt, Runden, Anwenden auf, Mindestens. With `inherited` (a hint
 * text) the first choice is „wie übergeordnet“ and the other three show only
 * when an own step is chosen.
 * @param {import("../api.js").RoundingForm|null} form
 * @returns {{wrap: HTMLElement, value: () => object|null, controls: Object<string, {wrap, input, error}>}}
 */
export function roundingControls(form, { inherited = null, stepCls = "" } = {}) {
  const own = inherited === null || Boolean(form);
  const f = form || { step: "15", mode: "aufrunden", scope: "jeden Eintrag", minimum: "" };
  const stepOptions = inherited === null ? STEP_OPTIONS : [[INHERIT, "wie übergeordnet"], ...STEP_OPTIONS];
  const step = labelled("Abrechnungstakt", selectOf(stepOptions, own ? f.step : INHERIT), {
    hint: inherited, cls: stepCls,
  });
  const mode = labelled("Runden", selectOf(MODE_OPTIONS, f.mode), { cls: "rr-mode" });
  const scope = labelled("Anwenden auf", selectOf(SCOPE_OPTIONS, f.scope), { cls: "rr-scope" });
  const minimum = labelled("Mindestens", textInput({ inputmode: "numeric", placeholder: "leer" }), {
    suffix: "Min.", hint: "optional, z. B. 30", cls: "rr-minimum",
  });
  minimum.input.value = f.minimum || "";
  const details = h("div", { class: "rr-rounding-details" }, mode.wrap, scope.wrap, minimum.wrap);
  const hint = step.wrap.querySelector(".hint");
  const sync = () => {
    const isOwn = inherited === null || step.input.value !== INHERIT;
    details.hidden = !isOwn;
    if (hint) hint.hidden = isOwn;
  };
  step.input.addEventListener("change", sync);
  sync();
  return {
    wrap: h("div", { class: "rr-rounding" }, step.wrap, details),
    controls: { step, mode, scope, minimum },
    value: () => (inherited !== null && step.input.value === INHERIT)
      ? null
      : { step: step.input.value, mode: mode.input.value, scope: scope.input.value, minimum: minimum.input.value },
  };
}

/**
 * Marks the control named by an error's field (if it is one of `controls`),
 * with the message under it unless `quiet` (when it is shown elsewhere).
 */
export function markError(controls, e, { quiet = false } = {}) {
  for (const c of Object.values(controls)) { c.error.hidden = true; c.input.removeAttribute("aria-invalid"); }
  const c = e && e.fieldKey ? controls[e.fieldKey] : null;
  if (!c) return false;
  if (!quiet) {
    c.error.textContent = e.message;
    c.error.hidden = false;
  }
  c.input.setAttribute("aria-invalid", "true");
  c.input.focus();
  return true;
}

/**
 * Draws the editor for `target` ({customerId} or {projectId}) into `container`.
 * `onSaved(view)` runs after a successful save (e.g. to refresh figures).
 */
export async function renderRateRules(container, target, { onSaved = null } = {}) {
  container.classList.add("rate-rules");
  replace(container, h("p", { class: "muted" }, "Stundensätze werden geladen …"));
  try {
    draw(container, target, await api.rateRulesGet(target), onSaved);
  } catch (e) {
    replace(container, h("p", { class: "alert error", role: "alert" }, e.message));
  }
}

/** The Abrechnungstakt hint of a project not saved yet. */
export const NEW_PROJECT_INHERITED = "wie beim Kunden bzw. unter Einstellungen › Abrechnung";

/**
 * The same three sections inside another form (the project dialog): no <form>
 * and no „Speichern“ of its own; the caller saves `value()` with
 * `api.rateRulesSave`. `target` null (a project not saved yet) starts empty
 * with the roles of Einstellungen › Abrechnung and `inherited` as the
 * Abrechnungstakt hint.
 * @returns {{ready: Promise<void>, value: () => object|null, changed: () => boolean, markError: (e: object|null) => void}}
 *   value() is null until loaded (or when loading failed): then nothing is to be saved.
 */
export function embedRateRules(container, target, { inherited = NEW_PROJECT_INHERITED } = {}) {
  container.classList.add("rate-rules", "rr-embedded");
  replace(container, h("p", { class: "muted" }, "Stundensätze werden geladen …"));
  let parts = null;
  let loaded = "";
  const ready = (async () => {
    try {
      const view = target ? await api.rateRulesGet(target) : emptyView(await api.rolesList(), inherited);
      parts = sections(view);
      loaded = JSON.stringify(parts.value());
      replace(container, parts.el);
    } catch (e) {
      replace(container, h("p", { class: "alert error", role: "alert" },
        `Stundensätze je Rolle und Abrechnungstakt konnten nicht geladen werden: ${e.message}`));
    }
  })();
  return {
    ready,
    value: () => (parts ? parts.value() : null),
    changed: () => Boolean(parts) && JSON.stringify(parts.value()) !== loaded,
    markError: (e) => { if (parts) markError(parts.controls, e, { quiet: true }); },
  };
}

/** A RulesView with nothing of its own yet (roles as api.rolesList() gives them). */
function emptyView(roles, inherited) {
  return {
    ratesDisplay: "", rateChanges: [], roleRates: [], rounding: null, inheritedRounding: inherited,
    roles: roles.map((r) => [r.id, r.name]).sort((a, b) => a[1].toLowerCase().localeCompare(b[1].toLowerCase(), "de")),
  };
}

/** The standalone editor: the sections in a <form> with its own „Speichern“. */
function draw(container, target, view, onSaved) {
  const parts = sections(view);
  const error = h("p", { class: "field-error rr-error", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "primary" }, "Speichern");
  const form = h("form", {
    novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      markError(parts.controls, null);
      save.disabled = true;
      try {
        const saved = await api.rateRulesSave(target, parts.value());
        draw(container, target, saved, onSaved);
        toast("Stundensätze und Abrechnungstakt gespeichert");
        if (onSaved) onSaved(saved);
      } catch (e) {
        markError(parts.controls, e, { quiet: true });
        error.textContent = e.message || "Unbekannter Fehler.";
        error.hidden = false;
        save.disabled = false;
      }
    },
  },
    h("p", { class: "rr-current" }, h("span", { class: "muted" }, "Stundensatz: "), view.ratesDisplay),
    parts.el,
    h("div", { class: "rr-actions" }, save, error));
  replace(container, form);
}

/**
 * „Stundensätze je Rolle“, „Stundensatz ändern ab“ and the own Abrechnungstakt
 * of `view` (the one home of rows and sections, standalone or embedded).
 * @returns {{el: HTMLElement, value: () => object, controls: Object<string, {wrap, input, error}>}}
 *   value() is the RulesInput for api.rateRulesSave; controls those of the Abrechnungstakt.
 */
function sections(view) {
  const roleOptions = [["", "– Rolle wählen –"], ...view.roles.map(([id, name]) => [String(id), name])];

  // ---- Stundensätze je Rolle
  const roleRows = [];
  const roleList = h("div", { class: "rr-rows" });
  const roleEmpty = h("p", { class: "muted rr-empty" }, view.roles.length
    ? "Noch keine Stundensätze je Rolle."
    : "Noch keine Rollen. Rollen legen Sie unter Einstellungen › Abrechnung an.");
  const addRoleRow = (row = {}) => {
    const role = labelled("Rolle", selectOf(roleOptions, row.roleId ?? ""), { cls: "rr-role" });
    const rate = labelled("Stundensatz", textInput({ inputmode: "decimal", placeholder: "0,00" }), { suffix: "€/h", cls: "rr-rate" });
    const from = labelled("gültig ab", textInput({ placeholder: "TT.MM.JJJJ" }), { cls: "rr-date" });
    rate.input.value = row.rate || "";
    from.input.value = row.validFrom || "";
    const entry = { role, rate, from };
    const el = h("div", { class: "rr-row" }, role.wrap, rate.wrap, from.wrap,
      h("button", { type: "button", class: "linkbtn danger-link rr-remove", onclick: () => {
        roleRows.splice(roleRows.indexOf(entry), 1); el.remove(); roleEmpty.hidden = roleRows.length > 0;
      } }, "Entfernen"));
    entry.el = el;
    roleRows.push(entry);
    roleList.append(el);
    roleEmpty.hidden = true;
    return entry;
  };
  for (const r of view.roleRates) addRoleRow(r);
  roleEmpty.hidden = roleRows.length > 0;

  // ---- Stundensatz ändern ab
  const changeRows = [];
  const changeList = h("div", { class: "rr-rows" });
  const changeEmpty = h("p", { class: "muted rr-empty" }, "Keine späteren Änderungen.");
  const addChangeRow = (row = {}) => {
    const rate = labelled("Stundensatz", textInput({ inputmode: "decimal", placeholder: "0,00" }), { suffix: "€/h", cls: "rr-rate" });
    const from = labelled("gültig ab", textInput({ placeholder: "TT.MM.JJJJ" }), { cls: "rr-date" });
    rate.input.value = row.rate || "";
    from.input.value = row.validFrom || "";
    const entry = { rate, from };
    const el = h("div", { class: "rr-row" }, rate.wrap, from.wrap,
      h("button", { type: "button", class: "linkbtn danger-link rr-remove", onclick: () => {
        changeRows.splice(changeRows.indexOf(entry), 1); el.remove(); changeEmpty.hidden = changeRows.length > 0;
      } }, "Entfernen"));
    changeRows.push(entry);
    changeList.append(el);
    changeEmpty.hidden = true;
    return entry;
  };
  for (const r of view.rateChanges) addChangeRow(r);
  changeEmpty.hidden = changeRows.length > 0;

  // ---- own Abrechnungstakt
  const rounding = roundingControls(view.rounding, { inherited: view.inheritedRounding, stepCls: "rr-step" });

  const roleTitle = nextId();
  const changeTitle = nextId();
  const el = h("div", { class: "rr-sections" },
    h("section", { class: "rr-section", "aria-labelledby": roleTitle },
      h("h3", { id: roleTitle }, "Stundensätze je Rolle"),
      h("p", { class: "hint" }, "Für Zeiten von Mitarbeitern mit dieser Rolle statt des Stundensatzes. „gültig ab“ leer = seit jeher."),
      roleEmpty, roleList,
      h("button", {
        type: "button", class: "secondary small", disabled: !view.roles.length,
        onclick: () => addRoleRow().role.input.focus(),
      }, "Zeile hinzufügen")),
    h("section", { class: "rr-section", "aria-labelledby": changeTitle },
      h("h3", { id: changeTitle }, "Stundensatz ändern ab"),
      h("p", { class: "hint" }, "Ab dem Datum gilt der neue Stundensatz; frühere Arbeit behält den bisherigen."),
      changeEmpty, changeList,
      h("button", { type: "button", class: "secondary small", onclick: () => addChangeRow().rate.input.focus() }, "Zeile hinzufügen")),
    h("section", { class: "rr-section rr-takt" }, rounding.wrap));
  return {
    el,
    controls: rounding.controls,
    value: () => ({
      rateChanges: changeRows.map((r) => ({ rate: r.rate.input.value, validFrom: r.from.input.value })),
      roleRates: roleRows.map((r) => ({
        roleId: r.role.input.value ? Number(r.role.input.value) : null,
        rate: r.rate.input.value, validFrom: r.from.input.value,
      })),
      rounding: rounding.value(),
    }),
  };
}

/**
 * Puts a unit („€/h“) behind a field of the formDialog just opened: call it
 * right after formDialog(), which builds its dialog synchronously.
 */
export function suffixInDialog(key, suffix) {
  const dialogs = document.body.querySelectorAll("dialog.form-modal");
  const dlg = dialogs[dialogs.length - 1];
  const input = dlg && [...dlg.querySelectorAll("input")].find((i) => i.id.endsWith(`-${key}`));
  if (!input) return;
  const box = h("div", { class: "with-suffix" });
  input.replaceWith(box);
  box.append(input, h("span", { class: "suffix", "aria-hidden": "true" }, suffix));
}
