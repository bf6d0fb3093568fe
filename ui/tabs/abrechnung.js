// Einstellungen › Abrechnung: Rollen (name and Stundensatz per role), the
// default Abrechnungstakt with how hours appear on the invoice, and the
// Rechnungstexte (Aufstellung, Positionstext, Titel, Einleitung, Schlusstext).
import * as api from "../api.js";
import { h, replace, toast, confirmDialog, formDialog, changedMeanwhile } from "../lib/dom.js";
import { roundingControls, labelled, markError, suffixInDialog } from "../lib/raterules.js";

const SUGGESTED_ROLES = ["Meister", "Geselle", "Azubi", "Helfer"];

/**
 * A settings card's form: `children`, then „Speichern“. `save()` stores and
 * redraws; a refused field (`e.fieldKey`, the key of one of `controls`) is marked
 * there, any other error under the button.
 */
function settingsForm(cls, controls, save, ...children) {
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const button = h("button", { type: "submit", class: "primary" }, "Speichern");
  return h("form", {
    class: cls, novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      markError(controls, null);
      button.disabled = true;
      try {
        await save();
      } catch (e) {
        // Changed at another seat meanwhile: the view shows the new state.
        if (e && e.kind === "changed") { changedMeanwhile(e); return; }
        if (!markError(controls, e)) { error.textContent = e.message; error.hidden = false; }
        button.disabled = false;
      }
    },
  }, ...children, h("div", { class: "row" }, button, error));
}

export function renderAbrechnung(root, opts = {}) {
  const rolesBox = h("div", { class: "card-body" });
  const taktBox = h("div", { class: "card-body" });
  const textsBox = h("div", { class: "card-body" });
  const notesBox = h("div", { class: "card-body" });
  const newRole = h("button", { type: "button", class: "secondary", onclick: () => roleForm(null) }, "Neue Rolle");
  root.append(
    h("section", { class: "card", "aria-labelledby": "roles-title" },
      h("div", { class: "card-head spread" }, h("h2", { id: "roles-title" }, "Rollen"), newRole),
      rolesBox),
    h("section", { class: "card", "aria-labelledby": "takt-title" },
      h("div", { class: "card-head" }, h("h2", { id: "takt-title" }, "Abrechnungstakt")),
      taktBox),
    h("section", { class: "card", "aria-labelledby": "texts-title" },
      h("div", { class: "card-head" }, h("h2", { id: "texts-title" }, "Rechnungstexte")),
      textsBox),
    h("section", { class: "card", "aria-labelledby": "taxnotes-title" },
      h("div", { class: "card-head" }, h("h2", { id: "taxnotes-title" }, "Hinweise zur Steuerart")),
      notesBox),
  );

  // ---- Rollen ---------------------------------------------------------------
  let roles = [];
  async function loadRoles() {
    try { drawRoles(await api.rolesList()); } catch (e) { replace(rolesBox, h("p", { class: "alert error" }, e.message)); }
  }

  function drawRoles(list) {
    roles = list;
    const intro = h("p", { class: "hint" }, "Eine Rolle gibt Mitarbeitern einen gemeinsamen Stundensatz; bei Kunden und Projekten lässt sich je Rolle ein eigener Satz festlegen. Den allgemeinen Stundensatz finden Sie unter Einstellungen › Schnittstellen.");
    // One click per suggested role while the list is being set up (empty, or
    // only suggested roles so far).
    const missing = SUGGESTED_ROLES.filter((n) => !roles.some((r) => r.name.toLowerCase() === n.toLowerCase()));
    const settingUp = roles.every((r) => SUGGESTED_ROLES.some((n) => n.toLowerCase() === r.name.toLowerCase()));
    const quickError = h("p", { class: "field-error", role: "alert", hidden: true });
    const chips = missing.map((name) => h("button", {
      type: "button", class: "chip",
      onclick: async (ev) => {
        const btn = ev.currentTarget;
        btn.disabled = true;
        try { drawRoles(await api.roleSave({ name, rate: "", validFrom: "" })); toast(`Rolle „${name}“ angelegt`); }
        catch (e) { quickError.textContent = e.message; quickError.hidden = false; btn.disabled = false; }
      },
    }, `+ ${name}`));
    if (!roles.length) {
      replace(rolesBox, intro,
        h("div", { class: "empty small-empty" },
          h("p", {}, "Noch keine Rollen. Mit einem Klick anlegen und den Stundensatz danach unter „Bearbeiten“ eintragen:"),
          h("div", { class: "row center wrap" }, chips),
          quickError));
      return;
    }
    replace(rolesBox, intro,
      h("div", { class: "table-wrap" }, h("table", { class: "data" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Stundensatz"),
          h("th", { scope: "col", class: "num" }, "Mitarbeiter"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Aktionen")))),
        h("tbody", {}, roles.map((r) => h("tr", {},
          h("td", {}, r.name),
          h("td", {}, r.ratesDisplay),
          h("td", { class: "num" }, String(r.employees)),
          h("td", { class: "actions-cell text-actions" },
            h("button", { type: "button", class: "linkbtn", onclick: () => roleForm(r) }, "Bearbeiten"),
            h("button", { type: "button", class: "linkbtn danger-link", onclick: () => removeRole(r) }, "Entfernen"))))))),
      settingUp && missing.length
        ? h("div", { class: "role-suggestions" }, h("span", { class: "muted" }, "Weitere Vorschläge:"), chips, quickError)
        : null);
  }

  async function roleForm(existing) {
    const pending = formDialog({
      title: existing ? "Rolle bearbeiten" : "Neue Rolle",
      fields: [
        { key: "name", label: "Name", full: true, attrs: { maxlength: 60, placeholder: "z. B. Geselle" } },
        { key: "rate", label: "Stundensatz", attrs: { inputmode: "decimal", placeholder: "0,00" }, hint: "leer = die Rolle hat keinen eigenen Satz" },
        { key: "validFrom", label: "gültig ab", attrs: { placeholder: "TT.MM.JJJJ" }, hint: "Leer = seit jeher. Mit Datum gilt der Satz ab diesem Tag; frühere Arbeit behält den bisherigen." },
      ],
      values: existing ? { name: existing.name, rate: existing.rate } : {},
      extra: existing && existing.ratesDisplay !== "kein Stundensatz"
        ? h("p", { class: "hint" }, `Bisher: ${existing.ratesDisplay}`) : null,
      submit: (v) => api.roleSave({ id: existing ? existing.id : null, name: v.name, rate: v.rate, validFrom: v.validFrom }),
    });
    suffixInDialog("rate", "€/h");
    const saved = await pending;
    if (saved) {
      toast(existing ? "Rolle gespeichert" : "Rolle angelegt");
      drawRoles(saved);
    }
  }

  async function removeRole(r) {
    const ok = await confirmDialog({ title: "Rolle entfernen?", text: `Die Rolle „${r.name}“ wird entfernt.`, confirm: "Entfernen", danger: true });
    if (!ok) return;
    try {
      drawRoles(await api.roleDelete(r.id));
      toast(`Rolle „${r.name}“ entfernt`);
    } catch (e) {
      toast(e.message, "error");
    }
  }

  // ---- Abrechnungstakt ------------------------------------------------------
  async function loadTakt() {
    try { drawTakt(await api.billingSettingsGet()); } catch (e) { replace(taktBox, h("p", { class: "alert error" }, e.message)); }
  }

  function drawTakt(s) {
    const rounding = roundingControls(s.rounding);
    const unit = labelled("Einheit", h("input", { type: "text", autocomplete: "off", maxlength: 30, placeholder: "Std." }),
      { hint: "Einheit der Stunden auf der Rechnung" });
    unit.input.value = s.hourUnit;
    const exactId = "billing-exact";
    const exact = h("input", { type: "checkbox", id: exactId });
    exact.checked = s.exactHours;
    const controls = { ...rounding.controls, hourUnit: unit };
    const form = settingsForm("takt-form", controls, async () => {
      drawTakt(await api.billingSettingsSave({ rounding: rounding.value(), hourUnit: unit.input.value, exactHours: exact.checked, version: s.version }));
      toast("Abrechnungstakt gespeichert");
    },
      h("p", {}, "Erfasste Zeiten bleiben immer unverändert – gerundet wird nur die abgerechnete Menge auf der Rechnung. Kunden und Projekte können einen eigenen Abrechnungstakt haben."),
      h("p", { class: "current-setting" }, h("span", { class: "muted" }, "Aktuell: "), s.roundingDisplay),
      h("div", { class: "takt-grid" }, rounding.wrap),
      h("h3", { class: "takt-sub" }, "Stunden auf der Rechnung"),
      h("div", { class: "takt-grid" }, unit.wrap,
        h("div", { class: "field checkbox-field" },
          h("label", { class: "switch", for: exactId }, exact, h("span", {}, "Stunden exakt (4 Nachkommastellen)")),
          h("p", { class: "hint" }, "sonst 2 Nachkommastellen, z. B. 7,25 Std."))));
    replace(taktBox, form);
  }

  // ---- Rechnungstexte -------------------------------------------------------
  async function loadTexts() {
    try { drawTexts(await api.invoiceStyleGet()); } catch (e) { replace(textsBox, h("p", { class: "alert error" }, e.message)); }
    // Come from the invoice dialog's note on the Schlusstext: show the texts.
    if (opts.focus === "texte") {
      textsBox.scrollIntoView({ block: "start" });
      const field = [...textsBox.querySelectorAll("label")].find((l) => l.textContent === "Schlusstext");
      if (field) document.getElementById(field.htmlFor)?.focus();
    }
  }

  function drawTexts(v) {
    const layout = labelled("Aufstellung", h("select", {}, v.layouts.map((l) => h("option", { value: l.key }, l.label))),
      { hint: "So werden die Zeiten zu Rechnungspositionen. Im Rechnungsdialog änderbar." });
    layout.input.value = v.style.layout;
    const lineText = labelled("Positionstext", h("textarea", { rows: 3, spellcheck: "false" }),
      { hint: `Erste Zeile: Bezeichnung, weitere Zeilen: Beschreibung. Platzhalter: ${v.linePlaceholders}` });
    lineText.input.value = v.style.lineText;
    // The default text follows the Aufstellung until the user changes it.
    const defaultOf = (key) => (v.layouts.find((l) => l.key === key) || {}).defaultText || "";
    let shownDefault = defaultOf(layout.input.value);
    layout.input.addEventListener("change", () => {
      if (lineText.input.value.trim() === shownDefault.trim()) lineText.input.value = defaultOf(layout.input.value);
      shownDefault = defaultOf(layout.input.value);
    });
    const textHint = `Leer lassen: lexoffice verwendet den Text aus Ihren lexoffice-Einstellungen. Platzhalter: ${v.textPlaceholders}`;
    const title = labelled("Titel", h("input", { type: "text", autocomplete: "off", maxlength: 60 }), { hint: "höchstens 25 Zeichen, z. B. „Rechnung {Projektnummer}“" });
    title.input.value = v.style.title;
    const intro = labelled("Einleitung", h("textarea", { rows: 3 }), { hint: textHint });
    intro.input.value = v.style.introduction;
    const remark = labelled("Schlusstext", h("textarea", { rows: 3 }), { hint: textHint });
    remark.input.value = v.style.remark;
    const controls = { layout, lineText, title, introduction: intro, remark };
    const form = settingsForm("texts-form", controls, async () => {
      drawTexts(await api.invoiceStyleSave({ layout: layout.input.value, lineText: lineText.input.value, title: title.input.value, introduction: intro.input.value, remark: remark.input.value, version: v.version }));
      toast("Rechnungstexte gespeichert");
    },
      h("p", {}, "Standard für jede neue Rechnung. Im Rechnungsdialog kann alles für eine Rechnung geändert oder mit „Für diesen Kunden merken“ je Kunde gespeichert werden."),
      v.remarkNote ? h("p", { class: "alert warn remark-note" }, v.remarkNote) : null,
      h("div", { class: "texts-grid" }, layout.wrap, lineText.wrap, title.wrap, intro.wrap, remark.wrap));
    replace(textsBox, form);
  }

  // ---- Hinweise zur Steuerart ---------------------------------------------------
  async function loadNotes() {
    try { drawNotes(await api.taxNotesGet()); } catch (e) { replace(notesBox, h("p", { class: "alert error" }, e.message)); }
  }

  function drawNotes(v) {
    const inputs = v.rows.map((r) => {
      const f = labelled(r.label, h("input", { type: "text", autocomplete: "off", maxlength: 500, placeholder: r.lexofficeNote }),
        { hint: `Leer: „${r.lexofficeNote}“ (Standard von lexoffice)` });
      f.input.value = r.note;
      return [r.key, f];
    });
    replace(notesBox, settingsForm("texts-form", {}, async () => {
      drawNotes(await api.taxNotesSave({ ...Object.fromEntries(inputs.map(([k, f]) => [k, f.input.value])), version: v.version }));
      toast("Hinweise zur Steuerart gespeichert");
    },
      h("p", {}, "Steht auf der Rechnung, wenn ein Kunde oder Projekt diese Steuerart hat (z. B. bei §13b: wer die Umsatzsteuer schuldet)."),
      h("div", { class: "texts-grid notes-grid" }, inputs.map(([, f]) => f.wrap))));
  }

  loadRoles();
  loadTakt();
  loadTexts();
  loadNotes();
}
