// Projekte › Stundenzettel: a paper timesheet typed with the keyboard only.
// One employee, one row per entry (Datum, Projekt, Von, Bis, Pause, Dauer,
// Beschreibung): Tab moves on, Enter saves the row (the same check as „Zeit
// erfassen“, nothing invalid is stored) and opens the next one with date and
// project carried over, Strg+D copies the row above, Esc discards the row.
// A half-typed row survives closing the sheet (kept until it is saved or discarded).
import * as api from "../api.js";
import { h, replace, toast } from "../lib/dom.js";

const COLS = [
  ["date", "Datum", "TT.MM.JJJJ oder „heute“"],
  ["projectId", "Projekt", ""],
  ["start", "Von", "730"],
  ["end", "Bis", "1600"],
  ["break", "Pause", "0:30"],
  ["duration", "Dauer", "7,5"],
  ["description", "Beschreibung", ""],
];
const FIELD_OF = { Datum: "date", Projekt: "projectId", Von: "start", Bis: "end", Pause: "break", Dauer: "duration", Beschreibung: "description" };

// What survives closing: the employee, the row being typed, the rows saved.
const sheet = { employee: "", draft: null, saved: [] };

export async function openStundenzettel(projectId, onChange) {
  let projects = [];
  let people = [];
  try {
    [projects, people] = await Promise.all([api.projectsList(), api.employeesList()]);
  } catch (e) { toast(e.message, "error"); return; }
  projects = projects.filter((p) => p.status === "aktiv");
  people = people.filter((p) => p.active);
  const dlg = h("dialog", { class: "modal sheet-modal", "aria-labelledby": "sheet-title" });
  const employee = h("input", { id: "sheet-employee", type: "text", autocomplete: "off", list: "sheet-people", placeholder: "Name eingeben oder wählen" });
  employee.value = sheet.employee;
  const employeeErr = h("p", { class: "field-error", role: "alert", hidden: true });
  const body = h("tbody", {});
  const status = h("p", { class: "hint", "aria-live": "polite" }, "");
  let changed = false;
  const close = () => { keepDraft(); dlg.close(); dlg.remove(); if (changed && onChange) onChange(); };

  // The entry row.
  const inputs = {};
  const errors = {};
  const cells = COLS.map(([key, label, placeholder]) => {
    const id = `sheet-${key}`;
    const input = key === "projectId"
      ? h("select", { id, "aria-label": label }, projects.map((p) => h("option", { value: String(p.id) }, p.parentId ? `↳ ${p.name}` : p.name)))
      : h("input", { id, type: "text", autocomplete: "off", placeholder, "aria-label": label });
    inputs[key] = input;
    errors[key] = h("div", { class: "cell-error", role: "alert", hidden: true });
    return h("td", {}, input, errors[key]);
  });
  const entryRow = h("tr", { class: "sheet-entry" }, cells);

  function values() {
    return Object.fromEntries(COLS.map(([k]) => [k, inputs[k].value]));
  }
  function fill(v) {
    for (const [k] of COLS) if (v && v[k] !== undefined) inputs[k].value = v[k];
  }
  function clearRow(keep) {
    for (const [k] of COLS) if (!keep.includes(k)) inputs[k].value = "";
    for (const e of Object.values(errors)) { e.hidden = true; e.textContent = ""; }
    for (const i of Object.values(inputs)) i.removeAttribute("aria-invalid");
  }
  function keepDraft() {
    sheet.employee = employee.value;
    const v = values();
    const typed = COLS.some(([k]) => k !== "projectId" && k !== "date" && v[k].trim() !== "");
    sheet.draft = typed ? v : { date: v.date, projectId: v.projectId };
  }
  function drawSaved() {
    replace(body, sheet.saved.map((r) => h("tr", { class: "sheet-saved" },
      h("td", {}, r.dateDisplay), h("td", {}, r.projectName), h("td", {}, r.start || "–"), h("td", {}, r.end || "–"),
      h("td", {}, r.breakMinutes ? `${r.breakMinutes} min` : "–"), h("td", { class: "num" }, r.durationDisplay),
      h("td", {}, r.description, h("span", { class: "saved-mark", title: "gespeichert" }, " ✓")))), entryRow);
    const total = sheet.saved.reduce((s, r) => s + r.minutes, 0);
    const help = "Tab: nächstes Feld · Enter speichert die Zeile · Strg+D übernimmt die Zeile darüber · Esc verwirft sie";
    status.textContent = sheet.saved.length
      ? `${sheet.saved.length} ${sheet.saved.length === 1 ? "Eintrag" : "Einträge"} gespeichert · ${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")} h — ${help}`
      : help;
  }

  // „Bereits erfasst“: what the employee already has in the week (or month)
  // of the row's date, across all projects.
  const period = { month: false, day: "" };
  const recordedTitle = h("strong", {});
  const recordedSummary = h("span", { class: "muted" });
  const recordedBody = h("div", { class: "sheet-recorded-body" });
  const scope = h("select", { id: "sheet-scope", "aria-label": "Zeitraum" },
    h("option", { value: "week" }, "Woche"), h("option", { value: "month" }, "Monat"));
  let recordedSeq = 0;
  async function drawRecorded() {
    const mine = ++recordedSeq;
    if (!employee.value.trim()) {
      recordedTitle.textContent = "Bereits erfasst";
      recordedSummary.textContent = "– bitte zuerst den Mitarbeiter eintragen.";
      replace(recordedBody);
      return;
    }
    let p;
    try { p = await api.sheetPeriod(employee.value, period.day || inputs.date.value, period.month); }
    catch (e) { if (mine === recordedSeq) { recordedSummary.textContent = e.message; } return; }
    if (mine !== recordedSeq) return;
    period.day = p.from;
    recordedTitle.textContent = `Bereits erfasst · ${p.title}`;
    recordedSummary.textContent = p.summary;
    prev.onclick = () => { period.day = p.previous; drawRecorded(); };
    next.onclick = () => { period.day = p.next; drawRecorded(); };
    replace(recordedBody, p.entries.length ? h("table", { class: "data sheet-recorded-table" },
      h("tbody", {}, p.entries.map((r) => h("tr", {},
        h("td", { class: "nowrap" }, r.dateDisplay), h("td", {}, r.projectName), h("td", { class: "nowrap" }, `${r.start}–${r.end}`),
        h("td", { class: "nowrap" }, r.breakDisplay), h("td", { class: "num" }, r.durationDisplay), h("td", {}, r.description),
        h("td", {}, h("span", { class: "state" }, r.stateDisplay)))))) : null);
  }
  const prev = h("button", { type: "button", class: "iconbtn small", "aria-label": "Voriger Zeitraum" }, "‹");
  const next = h("button", { type: "button", class: "iconbtn small", "aria-label": "Nächster Zeitraum" }, "›");
  scope.addEventListener("change", () => { period.month = scope.value === "month"; period.day = ""; drawRecorded(); });
  employee.addEventListener("change", () => { period.day = ""; drawRecorded(); });
  inputs.date.addEventListener("change", () => { period.day = ""; drawRecorded(); });
  const recorded = h("section", { class: "sheet-recorded", "aria-label": "Bereits erfasst" },
    h("div", { class: "row sheet-recorded-head" }, prev, recordedTitle, next, scope, recordedSummary),
    recordedBody);

  let saving = false;
  async function saveRow() {
    if (saving) return;
    const v = values();
    for (const e of Object.values(errors)) { e.hidden = true; e.textContent = ""; }
    for (const i of Object.values(inputs)) i.removeAttribute("aria-invalid");
    employeeErr.hidden = true;
    saving = true;
    try {
      const saved = await api.timeSave({ id: null, projectId: Number(v.projectId), date: v.date, employee: employee.value, start: v.start, end: v.end, break: v.break, duration: v.duration, description: v.description, billable: true });
      changed = true;
      const project = projects.find((p) => p.id === Number(v.projectId));
      sheet.saved.push({ ...saved, projectName: project ? project.name : "", typed: v });
      // The next row: same date and project.
      clearRow(["date", "projectId"]);
      sheet.draft = { date: v.date, projectId: v.projectId };
      drawSaved();
      drawRecorded();
      inputs.date.focus();
      inputs.date.select();
    } catch (e) {
      const key = FIELD_OF[e.field];
      if (key) {
        errors[key].textContent = e.message; errors[key].hidden = false;
        inputs[key].setAttribute("aria-invalid", "true");
        inputs[key].focus();
      } else if (e.field === "Mitarbeiter") {
        employeeErr.textContent = e.message; employeeErr.hidden = false; employee.focus();
      } else {
        status.textContent = e.message;
      }
    } finally { saving = false; }
  }

  entryRow.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); saveRow(); }
    else if (e.key === "Escape") {
      // Discard what was typed; date and project stay for the next try.
      e.preventDefault(); e.stopPropagation();
      clearRow(["date", "projectId"]);
      inputs.date.focus(); inputs.date.select();
    }
    else if (e.key.toLowerCase() === "d" && e.ctrlKey) {
      e.preventDefault();
      const above = sheet.saved[sheet.saved.length - 1];
      if (above) { fill(above.typed); inputs.date.focus(); }
    }
  });
  // Esc in the row discards the row, not the sheet.
  dlg.addEventListener("cancel", (e) => { e.preventDefault(); if (!entryRow.contains(document.activeElement)) close(); });

  dlg.append(
    h("div", { class: "invoice-head" },
      h("h2", { id: "sheet-title" }, "Stundenzettel"),
      h("button", { type: "button", class: "iconbtn", "aria-label": "Schließen", onclick: close }, "✕")),
    h("div", { class: "row sheet-employee" },
      h("div", { class: "field" }, h("label", { for: "sheet-employee" }, "Mitarbeiter"), employee, employeeErr),
      h("datalist", { id: "sheet-people" }, people.map((p) => h("option", { value: p.name })))),
    h("div", { class: "table-wrap" }, h("table", { class: "data sheet-table" },
      h("thead", {}, h("tr", {}, COLS.map(([, label]) => h("th", {}, label)))),
      body)),
    status,
    recorded,
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: close }, "Schließen")));
  document.body.append(dlg);
  drawSaved();
  if (sheet.draft) fill(sheet.draft);
  if (!inputs.date.value) {
    const d = new Date();
    inputs.date.value = `${String(d.getDate()).padStart(2, "0")}.${String(d.getMonth() + 1).padStart(2, "0")}.${d.getFullYear()}`;
  }
  if (!sheet.draft && projectId && projects.some((p) => p.id === projectId)) inputs.projectId.value = String(projectId);
  dlg.showModal();
  (employee.value ? inputs.date : employee).focus();
  drawRecorded();
}
