// Projekte › Stundenzettel: a paper timesheet typed with the keyboard only.
// Either one employee's sheet (rows: Datum, Projekt, Von, Bis, Pause, Dauer,
// Beschreibung; any project) or one project's sheet (rows with a Mitarbeiter
// column; the project or one of its subprojects). Tab moves on, Enter saves the
// row (the same check as „Zeit erfassen“, nothing invalid is stored) and opens
// the next one with date and project (and employee) carried over, Strg+D copies
// the row above, Esc discards the row. The project is found by typing its first
// letters or its number (ui/lib/combo.js). A half-typed row survives closing the
// sheet (kept until it is saved or discarded).
import * as api from "../api.js";
import { h, replace, toast } from "../lib/dom.js";
import { comboBox, suggestPeople } from "../lib/combo.js";
import { timeSaveAsking } from "../lib/people.js";
import { countLabel, todayDe } from "../lib/format.js";

const COL = {
  date: ["Datum", "TT.MM.JJJJ oder „heute“"],
  employee: ["Mitarbeiter", "Name"],
  projectId: ["Projekt", "Name oder Nummer"],
  start: ["Von", "730"],
  end: ["Bis", "1600"],
  break: ["Pause", "0:30"],
  duration: ["Dauer", "7,5"],
  description: ["Beschreibung", ""],
};
const COLS_OF = {
  employee: ["date", "projectId", "start", "end", "break", "duration", "description"],
  project: ["date", "employee", "projectId", "start", "end", "break", "duration", "description"],
};
// Carried over into the next row after Enter (and kept by Esc).
const CARRY = { employee: ["date", "projectId"], project: ["date", "employee", "projectId"] };
const CARRIED = ["date", "employee", "projectId"];
// The row's inputs by the key an error names (`fieldKey`); the employee is a row field only on a project's sheet.
const ROW_FIELDS = new Set(["date", "projectId", "employee", "start", "end", "break", "duration", "description"]);

// What survives closing: whose sheet, the row being typed (every field of both
// kinds of sheet, so switching keeps what was typed; `draftTyped`: more than
// what is carried over), the rows saved.
const sheet = { mode: "employee", employee: "", projectId: "", draft: null, draftTyped: false, saved: [] };

export async function openStundenzettel(projectId, onChange) {
  let projects = [];
  let people = [];
  try {
    [projects, people] = await Promise.all([api.projectsList(), api.employeesList()]);
  } catch (e) { toast(e.message, "error"); return; }
  projects = projects.filter((p) => p.status === "aktiv");
  people = people.filter((p) => p.active);
  const byId = new Map(projects.map((p) => [String(p.id), p]));
  const mainOf = (id) => { const p = byId.get(String(id)); return p && p.parentId ? String(p.parentId) : p ? String(p.id) : ""; };
  const choices = (list) => list.map((p) => ({ value: String(p.id), text: p.choice }));

  const dlg = h("dialog", { class: "modal sheet-modal", "aria-labelledby": "sheet-title" });
  const body = h("tbody", {});
  const head = h("thead", {});
  const status = h("p", { class: "hint", "aria-live": "polite" }, "");
  let changed = false;
  const close = () => { keepDraft(); dlg.close(); dlg.remove(); if (changed && onChange) onChange(); };

  // Whose sheet: „Mitarbeiter“ (one person, any project) or „Projekt“.
  const modeBox = h("div", { class: "segmented", role: "radiogroup", "aria-label": "Stundenzettel für" },
    ["employee", "project"].map((m) => h("label", {},
      h("input", { type: "radio", name: "sheet-mode", value: m, checked: sheet.mode === m }),
      h("span", {}, m === "employee" ? "einen Mitarbeiter" : "ein Projekt"))));
  const employee = h("input", { id: "sheet-employee", type: "text", autocomplete: "off", placeholder: "Name eingeben oder wählen" });
  const employeeBox = h("div", { class: "combo" }, employee);
  suggestPeople(employee, people);
  employee.value = sheet.employee;
  const employeeErr = h("p", { class: "field-error", role: "alert", hidden: true });
  const headProject = comboBox(choices(projects.filter((p) => !p.parentId)), { id: "sheet-head-project", label: "Projekt des Stundenzettels", restoreOnMiss: true });
  // Opened for a project: that project, unless a half-typed row waits for the
  // sheet it was typed in.
  const fresh = !sheet.draftTyped && projectId && byId.has(String(projectId));
  headProject.value = fresh ? mainOf(projectId) : (sheet.projectId || mainOf(projectId));
  if (fresh && sheet.draft) sheet.draft.projectId = String(projectId);
  const headBox = h("div", { class: "row sheet-employee" });
  function drawHead() {
    replace(headBox, h("div", { class: "field sheet-for" }, h("span", { class: "label-like" }, "Stundenzettel für"), modeBox),
      sheet.mode === "employee"
      ? h("div", { class: "field" }, h("label", { for: "sheet-employee" }, "Mitarbeiter"), employeeBox, employeeErr)
      : h("div", { class: "field" }, h("label", { for: "sheet-head-project" }, "Projekt"), headProject.el));
  }

  // The entry row, built for the mode.
  let cols = [];
  let inputs = {};
  let errors = {};
  let rowProject = null;
  const entryRow = h("tr", { class: "sheet-entry" });
  function buildRow() {
    const before = { ...(sheet.draft || {}), ...(inputs.date ? values() : {}) };
    if (!before.employee && sheet.mode === "project") before.employee = employee.value;
    sheet.draft = before;
    cols = COLS_OF[sheet.mode];
    inputs = {};
    errors = {};
    const family = sheet.mode === "project"
      ? projects.filter((p) => String(p.id) === headProject.value || String(p.parentId) === headProject.value)
      : projects;
    rowProject = comboBox(choices(family), { id: "sheet-projectId", label: "Projekt" });
    replace(entryRow, cols.map((key) => {
      const [label, placeholder] = COL[key];
      let cell;
      if (key === "projectId") { inputs[key] = rowProject.input; cell = rowProject.el; }
      else {
        inputs[key] = h("input", { id: `sheet-${key}`, type: "text", autocomplete: "off", placeholder, "aria-label": label });
        cell = key === "employee" ? h("div", { class: "combo" }, inputs[key]) : inputs[key];
        if (key === "employee") suggestPeople(inputs[key], people);
      }
      errors[key] = h("div", { class: "cell-error", role: "alert", hidden: true });
      return h("td", {}, cell, errors[key]);
    }));
    replace(head, h("tr", {}, cols.map((k) => h("th", { class: `col-${k}` }, COL[k][0]))));
    fill(before);
    if (sheet.mode === "project" && !family.some((p) => String(p.id) === rowProject.value)) rowProject.value = headProject.value;
  }

  function values() {
    return Object.fromEntries(cols.map((k) => [k, k === "projectId" ? rowProject.value : inputs[k].value]));
  }
  function fill(v) {
    if (!v) return;
    for (const k of cols) {
      if (v[k] === undefined) continue;
      if (k === "projectId") rowProject.value = v[k]; else inputs[k].value = v[k];
    }
  }
  function clearErrors() {
    for (const e of Object.values(errors)) { e.hidden = true; e.textContent = ""; }
    for (const i of Object.values(inputs)) i.removeAttribute("aria-invalid");
    employeeErr.hidden = true;
  }
  function clearRow() {
    const keep = CARRY[sheet.mode];
    for (const k of cols) if (!keep.includes(k)) inputs[k].value = "";
    clearErrors();
  }
  function kept(v) { return Object.fromEntries(CARRIED.filter((k) => v[k] !== undefined).map((k) => [k, v[k]])); }
  function keepDraft() {
    sheet.employee = employee.value;
    sheet.projectId = headProject.value;
    const v = { ...(sheet.draft || {}), ...values() };
    sheet.draftTyped = cols.some((k) => !CARRY[sheet.mode].includes(k) && v[k].trim() !== "");
    sheet.draft = sheet.draftTyped ? v : kept(v);
  }
  function markError(key, message) {
    errors[key].textContent = message; errors[key].hidden = false;
    inputs[key].setAttribute("aria-invalid", "true");
    inputs[key].focus();
  }
  function drawSaved() {
    const mine = sheet.saved.filter((r) => r.mode === sheet.mode);
    replace(body, mine.map((r) => h("tr", { class: "sheet-saved" }, cols.map((k) => {
      switch (k) {
        case "date": return h("td", {}, r.dateDisplay);
        case "employee": return h("td", {}, r.employee);
        case "projectId": return h("td", {}, r.projectName);
        case "start": return h("td", {}, r.start || "–");
        case "end": return h("td", {}, r.end || "–");
        case "break": return h("td", {}, r.breakMinutes ? `${r.breakMinutes} min` : "–");
        case "duration": return h("td", { class: "num" }, r.durationDisplay);
        default: return h("td", {}, r.description, h("span", { class: "saved-mark", title: "gespeichert" }, " ✓"));
      }
    }))), entryRow);
    const total = mine.reduce((s, r) => s + r.minutes, 0);
    const help = "Tab: nächstes Feld · Enter speichert die Zeile · Strg+D übernimmt die Zeile darüber · Esc verwirft sie";
    status.textContent = mine.length
      ? `${countLabel(mine.length, "Eintrag", "Einträge")} gespeichert · ${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")} h — ${help}`
      : help;
  }

  // „Bereits erfasst“: what the employee (or the project) already has in the
  // week (or month) of the row's date.
  const period = { month: false, day: "" };
  const recordedTitle = h("strong", {});
  const recordedSummary = h("span", { class: "muted" });
  const recordedBody = h("div", { class: "sheet-recorded-body" });
  const scope = h("select", { id: "sheet-scope", "aria-label": "Zeitraum" },
    h("option", { value: "week" }, "Woche"), h("option", { value: "month" }, "Monat"));
  let recordedSeq = 0;
  async function drawRecorded() {
    const mine = ++recordedSeq;
    const byProject = sheet.mode === "project";
    if (byProject ? !headProject.value : !employee.value.trim()) {
      recordedTitle.textContent = "Bereits erfasst";
      recordedSummary.textContent = byProject ? "– bitte zuerst das Projekt wählen." : "– bitte zuerst den Mitarbeiter eintragen.";
      replace(recordedBody);
      return;
    }
    const day = period.day || inputs.date.value;
    let p;
    try {
      p = byProject
        ? await api.sheetPeriodOfProject(Number(headProject.value), day, period.month)
        : await api.sheetPeriod(employee.value, day, period.month);
    } catch (e) { if (mine === recordedSeq) { recordedSummary.textContent = e.message; } return; }
    if (mine !== recordedSeq) return;
    period.day = p.from;
    recordedTitle.textContent = `Bereits erfasst · ${p.title}`;
    recordedSummary.textContent = p.summary;
    prev.onclick = () => { period.day = p.previous; drawRecorded(); };
    next.onclick = () => { period.day = p.next; drawRecorded(); };
    replace(recordedBody, p.entries.length ? h("table", { class: "data sheet-recorded-table" },
      h("tbody", {}, p.entries.map((r) => h("tr", {},
        h("td", { class: "nowrap" }, r.dateDisplay),
        byProject ? h("td", {}, r.employee) : null,
        h("td", {}, r.projectName), h("td", { class: "nowrap" }, `${r.start}–${r.end}`),
        h("td", { class: "nowrap" }, r.breakDisplay), h("td", { class: "num" }, r.durationDisplay), h("td", {}, r.description),
        h("td", {}, h("span", { class: "state" }, r.stateDisplay)))))) : null);
  }
  const prev = h("button", { type: "button", class: "iconbtn small", "aria-label": "Voriger Zeitraum" }, "‹");
  const next = h("button", { type: "button", class: "iconbtn small", "aria-label": "Nächster Zeitraum" }, "›");
  scope.addEventListener("change", () => { period.month = scope.value === "month"; period.day = ""; drawRecorded(); });
  employee.addEventListener("change", () => { period.day = ""; drawRecorded(); });
  headProject.input.addEventListener("blur", (e) => {
    if (headProject.value === sheet.projectId) return;
    sheet.projectId = headProject.value;
    // The row is built anew: Tab into it must still land in Datum.
    const toRow = e.relatedTarget && entryRow.contains(e.relatedTarget);
    buildRow(); drawSaved(); period.day = ""; drawRecorded();
    if (toRow) focusFirst();
  });
  entryRow.addEventListener("change", (e) => { if (e.target === inputs.date) { period.day = ""; drawRecorded(); } });
  const recorded = h("section", { class: "sheet-recorded", "aria-label": "Bereits erfasst" },
    h("div", { class: "row sheet-recorded-head" }, prev, recordedTitle, next, scope, recordedSummary),
    recordedBody);

  for (const radio of modeBox.querySelectorAll("input")) {
    radio.addEventListener("change", () => {
      if (!radio.checked) return;
      keepDraft();
      sheet.mode = radio.value;
      // A project's sheet for the project the row was typed for.
      if (sheet.mode === "project" && rowProject.value) { headProject.value = mainOf(rowProject.value); sheet.projectId = headProject.value; }
      drawHead(); buildRow(); drawSaved(); period.day = ""; drawRecorded();
      // After the click has focused the radio.
      setTimeout(focusFirst, 0);
    });
  }

  /** The first field to type: whose sheet, when not known yet, else Datum. */
  function focusFirst() {
    const whose = sheet.mode === "employee" ? (employee.value ? null : employee) : (headProject.value ? null : headProject.input);
    const el = whose || inputs.date;
    el.focus();
    if (el === inputs.date) el.select();
  }

  let saving = false;
  async function saveRow() {
    if (saving) return;
    const v = values();
    clearErrors();
    if (!v.projectId) {
      const typed = rowProject.input.value.trim();
      const head = byId.get(headProject.value);
      markError("projectId", !typed
        ? "Bitte ein Projekt wählen."
        : sheet.mode === "project" && head
          ? `Kein Projekt „${typed}“ in „${head.name}“ – bitte „${head.name}“ oder eines seiner Unterprojekte wählen.`
          : `Kein aktives Projekt „${typed}“ gefunden – bitte die ersten Buchstaben oder die Nummer tippen und einen Treffer wählen.`);
      return;
    }
    const who = sheet.mode === "project" ? v.employee : employee.value;
    saving = true;
    try {
      const saved = await timeSaveAsking({ id: null, projectId: Number(v.projectId), date: v.date, employee: who, start: v.start, end: v.end, break: v.break, duration: v.duration, description: v.description, billable: true });
      changed = true;
      const project = byId.get(v.projectId);
      sheet.saved.push({ ...saved, mode: sheet.mode, projectName: project ? project.choice : "", typed: v });
      // The next row: same date and project (and employee).
      clearRow();
      sheet.draft = kept({ ...sheet.draft, ...v });
      sheet.draftTyped = false;
      drawSaved();
      drawRecorded();
      inputs.date.focus();
      inputs.date.select();
    } catch (e) {
      const key = e.fieldKey === "employee" && sheet.mode !== "project" ? null : ROW_FIELDS.has(e.fieldKey) ? e.fieldKey : null;
      if (key) markError(key, e.message);
      else if (e.fieldKey === "employee") { employeeErr.textContent = e.message; employeeErr.hidden = false; employee.focus(); }
      else status.textContent = e.message;
    } finally { saving = false; }
  }

  entryRow.addEventListener("keydown", (e) => {
    // The Datum cell's calendar handles its own keys (Enter picks a day).
    if (e.defaultPrevented || e.target.closest(".calendar")) return;
    if (e.key === "Enter") { e.preventDefault(); saveRow(); }
    else if (e.key === "Escape") {
      // Discard what was typed; date and project stay for the next try.
      e.preventDefault(); e.stopPropagation();
      clearRow();
      inputs.date.focus(); inputs.date.select();
    }
    else if (e.key.toLowerCase() === "d" && e.ctrlKey) {
      e.preventDefault();
      const above = sheet.saved.filter((r) => r.mode === sheet.mode).pop();
      if (above) { fill(above.typed); inputs.date.focus(); }
    }
  });
  // Esc in the row discards the row, not the sheet.
  dlg.addEventListener("cancel", (e) => { e.preventDefault(); if (!entryRow.contains(document.activeElement) && !headBox.contains(document.activeElement)) close(); });

  dlg.append(
    h("div", { class: "invoice-head" },
      h("h2", { id: "sheet-title" }, "Stundenzettel"),
      h("button", { type: "button", class: "iconbtn", "aria-label": "Schließen", onclick: close }, "✕")),
    headBox,
    h("div", { class: "table-wrap" }, h("table", { class: "data sheet-table" }, head, body)),
    status,
    recorded,
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: close }, "Schließen")));
  document.body.append(dlg);
  drawHead();
  buildRow();
  drawSaved();
  if (!inputs.date.value) inputs.date.value = todayDe();
  if (!rowProject.value && projectId && byId.has(String(projectId))) rowProject.value = String(projectId);
  dlg.showModal();
  focusFirst();
  drawRecorded();
}
