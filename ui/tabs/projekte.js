// Projekte: project tree, detail with totals, times and services, forms, CSV import.
import * as api from "../api.js";
import { h, replace, toast, confirmDialog, formDialog, typeAheadSelect } from "../lib/dom.js";
import { undoToast } from "../lib/undo.js";
import { todayDe } from "../lib/format.js";
import { attachSuggestions, suggestPeople } from "../lib/combo.js";
import { timeSaveAsking } from "../lib/people.js";
import { openInvoiceDialog } from "./rechnung.js";
import { openStundenzettel } from "./stundenzettel.js";
import { embedRateRules } from "../lib/raterules.js";

// A project can hold 100,000 entries: the view shows the newest ones of the chosen
// period, 200 at a time ("Ältere Einträge anzeigen" adds the next 200).
const PAGE = 200;
const state = { query: "", status: "alle", selectedId: null, from: "", to: "", shown: PAGE };
let detailSeq = 0;

/** Opens the Projekte tab on this project next time (from the Abrechnung tab). */
export function preselectProject(id) {
  state.selectedId = id;
  state.query = "";
  state.status = "alle";
}

const UNITS = ["Stunde", "Stück", "m", "m²", "km", "Pauschal"];


export function renderProjekte(root, { navigate }) {
  const listBox = h("nav", { class: "project-list", "aria-label": "Projekte" });
  const detail = h("section", { class: "project-detail", "aria-live": "polite" });
  const searchId = "proj-search";
  const search = h("input", { id: searchId, type: "search", placeholder: "Name oder Nummer", autocomplete: "off" });
  search.value = state.query;
  const statusSel = h("select", { id: "proj-status" },
    [["alle", "alle"], ["aktiv", "aktiv"], ["abgeschlossen", "abgeschlossen"], ["archiviert", "archiviert"]].map(([v, l]) => h("option", { value: v }, l)));
  statusSel.value = state.status;
  const body = h("div", { class: "projekte-body" });
  root.append(h("section", { class: "page page-wide" },
    h("div", { class: "page-head" },
      h("h1", {}, "Projekte"),
      h("div", { class: "row" },
        h("button", { type: "button", class: "secondary", onclick: () => openStundenzettel(state.selectedId, () => load(state.selectedId)) }, "Stundenzettel"),
        h("button", { type: "button", class: "primary", onclick: () => projectForm(null, null) }, "Neues Projekt"))),
    body));

  let rows = [];
  let customers = [];

  function drawList() {
    const q = state.query.trim().toLowerCase();
    const matches = (r) => (!q || r.name.toLowerCase().includes(q) || r.number.toLowerCase().includes(q) || r.customerName.toLowerCase().includes(q))
      && (state.status === "alle" || r.status === state.status);
    // Keep a parent visible when one of its subprojects matches.
    const visibleIds = new Set();
    for (const r of rows) if (matches(r)) { visibleIds.add(r.id); if (r.parentId) visibleIds.add(r.parentId); }
    const items = rows.filter((r) => visibleIds.has(r.id)).map((r) => h("button", {
      type: "button", class: `project-item depth-${Math.min(r.depth, 2)}${r.id === state.selectedId ? " selected" : ""}`,
      "aria-current": r.id === state.selectedId ? "true" : null,
      onclick: () => select(r.id),
    },
      h("span", { class: "p-name" }, r.name),
      h("span", { class: "p-meta" }, [r.number, r.depth === 0 ? r.customerName : null].filter(Boolean).join(" · ") || " "),
      r.status !== "aktiv" ? h("span", { class: "badge muted-badge" }, r.status) : null));
    replace(listBox, items.length ? items : h("p", { class: "muted pad" }, "Keine Projekte gefunden."));
  }

  search.addEventListener("input", () => { state.query = search.value; drawList(); });
  statusSel.addEventListener("change", () => { state.status = statusSel.value; drawList(); });

  async function load(selectId) {
    try {
      [rows, customers] = await Promise.all([api.projectsList(), api.customersList()]);
    } catch (e) {
      replace(body, h("p", { class: "alert error" }, e.message));
      return;
    }
    if (!rows.length) {
      replace(body, h("div", { class: "empty" },
        h("h2", {}, "Noch keine Projekte"),
        h("p", {}, customers.length
          ? "Legen Sie Ihr erstes Projekt mit „Neues Projekt“ an und ordnen Sie es einem Kunden zu. Danach erfassen Sie Zeiten und Leistungen darauf."
          : "Legen Sie zuerst Ihre Kunden an oder importieren Sie sie aus lexoffice. Projekte mit ihren Zeiten und Leistungen ordnen Sie dann einem Kunden zu."),
        h("div", { class: "row center" },
          customers.length ? null : h("button", { type: "button", class: "secondary", onclick: () => navigate("kunden") }, "Zu den Kunden"),
          h("button", { type: "button", class: "primary", onclick: () => projectForm(null, null) }, "Neues Projekt"))));
      return;
    }
    if (!body.contains(listBox)) {
      replace(body,
        h("div", { class: "project-col" },
          h("div", { class: "project-filters" },
            h("div", { class: "field" }, h("label", { for: searchId }, "Suche"), search),
            h("div", { class: "field" }, h("label", { for: "proj-status" }, "Status"), statusSel)),
          listBox),
        detail);
    }
    const before = state.selectedId;
    if (selectId) state.selectedId = selectId;
    if (state.selectedId && !rows.some((r) => r.id === state.selectedId)) state.selectedId = null;
    if (!state.selectedId) state.selectedId = rows[0].id;
    if (state.selectedId !== before) state.shown = PAGE;
    drawList();
    await showDetail();
  }

  async function select(id) {
    state.selectedId = id;
    state.shown = PAGE;
    drawList();
    await showDetail();
  }

  async function showDetail() {
    // Only the answer to the latest request is shown (quick clicks, period changes).
    const seq = ++detailSeq;
    const id = state.selectedId;
    const limit = state.shown;
    // Being replaced: said to assistive technology (and to the window tests,
    // which wait for it before they click into the view).
    detail.setAttribute("aria-busy", "true");
    try {
      let d, entries;
      try {
        // The newest `limit` entries in two tables, each newest first; `more`: older ones exist.
        [d, entries] = await Promise.all([api.projectGet(id), api.entriesList(id, state.from, state.to, limit)]);
      } catch (e) {
        if (seq === detailSeq) replace(detail, h("p", { class: "alert error" }, e.message));
        return;
      }
      const roleRates = await roleRatesFact(d.project);
      if (seq !== detailSeq) return;
      renderDetail(d, entries, roleRates);
    } finally {
      if (seq === detailSeq) detail.removeAttribute("aria-busy");
    }
  }

  // The project's own „Stundensätze je Rolle“ in one line („Geselle 68,00 €/h,
  // ab 01.04.2025 72,00 €/h · Meister 95,00 €/h“), from the rows the project
  // form edits; null when it has none (or they cannot be read just now).
  async function roleRatesFact(p) {
    if (!(p.rules && p.rules.roleRates && p.rules.roleRates.length)) return null;
    let view;
    try { view = await api.rateRulesGet({ projectId: p.id }); } catch { return null; }
    const names = new Map(view.roles.map(([rid, name]) => [rid, name]));
    const byRole = new Map();
    for (const r of view.roleRates) {
      const name = names.get(r.roleId) || "Rolle";
      if (!byRole.has(name)) byRole.set(name, []);
      byRole.get(name).push(`${r.validFrom ? `ab ${r.validFrom} ` : ""}${r.rate} €/h`);
    }
    return [...byRole].map(([name, rates]) => `${name} ${rates.join(", ")}`).join(" · ") || null;
  }

  function renderDetail(d, entries, roleRates) {
    const p = d.project;
    const isSub = Boolean(p.parentId);
    // Newest first: "Ältere Einträge anzeigen" below the tables continues the list.
    const { times, services, more } = entries;
    const family = [{ id: p.id, choice: d.choice }, ...d.subprojects.map((s) => ({ id: s.id, choice: s.choice }))];
    const invoiceBtn = h("button", {
      type: "button", class: "primary",
      onclick: () => openInvoiceDialog(p.id, () => showDetail()),
    }, "lexoffice Rechnung");
    const bar = h("div", { class: "options-bar", role: "toolbar", "aria-label": "Projektaktionen" },
      invoiceBtn,
      isSub ? null : h("button", { type: "button", class: "secondary", onclick: () => projectForm(null, p) }, "Unterprojekt anlegen"),
      h("button", { type: "button", class: "secondary", disabled: Boolean(d.closedReason), title: d.closedReason || null, onclick: () => timeForm(null, family, p.id) }, "Zeit erfassen"),
      h("button", { type: "button", class: "secondary", disabled: Boolean(d.closedReason), title: d.closedReason || null, onclick: () => serviceForm(null, family, p.id) }, "Leistung erfassen"),
      h("button", { type: "button", class: "secondary", disabled: Boolean(d.closedReason), title: d.closedReason || null, onclick: () => csvDialog() }, "Importieren"),
      d.closedReason ? h("div", { class: "closed-reason" },
        h("p", { class: "hint" }, d.closedReason),
        h("button", { type: "button", class: "secondary small", onclick: async () => {
          try { await api.projectSetStatus(p.id, "aktiv"); toast(`Projekt „${p.name}“ ist wieder aktiv`); load(p.id); }
          catch (e) { toast(e.message, "error"); }
        } }, "Wieder öffnen")) : null);
    const facts = [
      ["Kunde", d.customer ? `${d.customer.name}${d.customer.number ? ` (${d.customer.number})` : ""}` : "– kein Kunde –"],
      ["Projektnummer", p.number || "–"],
      ["Stundensatz", d.rate.display ? `${d.rate.display} (${d.rate.source})` : "kein Stundensatz – bitte im Projekt oder unter Einstellungen › Schnittstellen festlegen"],
    ];
    if (d.parentName) facts.unshift(["Hauptprojekt", d.parentName]);
    if (roleRates) facts.push(["Stundensätze je Rolle", roleRates]);
    const t = d.totals;
    // The Unterprojekt column only where there are subprojects to tell apart.
    const sub = d.subprojects.length ? ["Unterprojekt", (e) => e.subproject || "–"] : null;
    replace(detail,
      h("div", { class: "detail-title" },
        h("div", {},
          h("h2", { class: "detail-name" }, p.name),
          h("span", { class: "badge muted-badge" }, d.statusLabel)),
        h("div", { class: "row" },
          h("button", { type: "button", class: "linkbtn", onclick: async () => {
            // Opened on the project as stored now (its version moves with every save).
            try {
              const fresh = await api.projectGet(p.id);
              projectForm(fresh.project, null, fresh.hourlyRateInput, fresh.version);
            } catch (e) { toast(e.message, "error"); }
          } }, "Bearbeiten"),
          h("button", { type: "button", class: "linkbtn danger-link", onclick: () => deleteProject(p, d) }, "Löschen"))),
      bar,
      h("div", { class: "kpis" },
        kpi("Stunden", t.hoursDisplay),
        kpi("Leistungen", t.servicesNetDisplay),
        kpi("noch nicht abgerechnet", t.openNetDisplay, t.minutesWithoutRate ? "ohne Zeiten ohne Stundensatz" : "netto")),
      h("dl", { class: "facts inline" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      periodFilter(d, more, times.length + services.length),
      d.subprojects.length ? h("div", { class: "subprojects" }, h("span", { class: "muted" }, "Unterprojekte:"),
        d.subprojects.map((s) => h("button", { type: "button", class: "chip", onclick: () => select(s.id) }, s.name))) : null,
      entryTable("Zeiten", times, [
        ["Datum", (e) => e.dateDisplay, "nowrap"], sub, ["Mitarbeiter", (e) => e.employee || "–"],
        ["Von–Bis", (e) => (e.start ? [`${e.start}–${e.end}`, e.breakMinutes ? h("span", { class: "sub-line" }, `${e.breakMinutes} min Pause`) : null] : "–"), "nowrap"],
        ["Dauer", (e) => e.durationShown, "num"], ["Beschreibung", (e) => e.description, "wide"],
      ].filter(Boolean), (e) => timeForm(e, family, p.id)),
      entryTable("Leistungen", services, [
        ["Datum", (e) => e.dateDisplay, "nowrap"], sub, ["Bezeichnung", (e) => e.name, "wide"],
        ["Menge", (e) => `${e.quantityDisplay} ${e.unit}`, "num"], ["Einzelpreis", (e) => e.unitPriceDisplay, "num"],
        ["Steuer", (e) => `${e.taxRate} %`, "num"], ["Betrag", (e) => e.amountDisplay, "num"],
      ].filter(Boolean), (e) => serviceForm(e, family, p.id)),
      more
        ? h("div", { class: "more-entries" },
          h("button", { type: "button", class: "secondary", onclick: () => { state.shown += PAGE; showDetail(); } },
            `Ältere Einträge anzeigen (weitere ${PAGE.toLocaleString("de-DE")})`))
        : null,
    );
  }

  function periodFilter(d, more, shownCount) {
    const from = h("input", { id: "entries-from", type: "text", placeholder: "TT.MM.JJJJ", autocomplete: "off" });
    const to = h("input", { id: "entries-to", type: "text", placeholder: "TT.MM.JJJJ", autocomplete: "off" });
    from.value = state.from; to.value = state.to;
    const apply = (ev) => { ev.preventDefault(); state.from = from.value; state.to = to.value; state.shown = PAGE; showDetail(); };
    const note = more
      ? h("p", { class: "hint" }, `Es werden die neuesten ${shownCount.toLocaleString("de-DE")} Einträge gezeigt (insgesamt ${d.entryCount.toLocaleString("de-DE")}) – ältere unten nachladen oder den Zeitraum eingrenzen.`)
      : null;
    return h("form", { class: "period-filter", onsubmit: apply },
      h("div", { class: "field" }, h("label", { for: "entries-from" }, "Einträge von"), from),
      h("div", { class: "field" }, h("label", { for: "entries-to" }, "bis"), to),
      h("button", { type: "submit", class: "secondary" }, "Anzeigen"),
      state.from || state.to ? h("button", { type: "button", class: "linkbtn", onclick: () => { state.from = ""; state.to = ""; state.shown = PAGE; showDetail(); } }, "alle") : null,
      note);
  }

  function kpi(label, value, hint) {
    return h("div", { class: "kpi" }, h("span", { class: "kpi-label" }, label), h("strong", {}, value), hint ? h("span", { class: "kpi-hint" }, hint) : null);
  }

  function entryTable(title, list, cols, edit) {
    const head = h("tr", {}, cols.map(([c, , cls]) => h("th", { class: cls || null, scope: "col" }, c)),
      h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Aktionen")));
    const bodyRows = list.map((e) => h("tr", { class: e.state !== "offen" ? "locked" : null },
      cols.map(([, f, cls]) => h("td", { class: cls || null }, f(e))),
      h("td", { class: "nowrap" }, h("span", { class: `state ${e.state}`, title: e.lockedReason || "" }, e.stateDisplay),
        e.billable ? null : h("span", { class: "sub-line" }, "nicht abrechenbar")),
      h("td", { class: "actions-cell" }, e.lockedReason
        ? h("span", { class: "lock", title: e.lockedReason, "aria-label": e.lockedReason }, "🔒")
        : [
          h("button", { type: "button", class: "rowbtn", title: "Bearbeiten", "aria-label": "Bearbeiten", onclick: () => edit(e) }, "✎"),
          h("button", { type: "button", class: "rowbtn danger", title: "Löschen", "aria-label": "Löschen", onclick: () => deleteEntry(e) }, "✕"),
        ])));
    return h("section", { class: "entries" },
      h("h3", {}, `${title} (${list.length})`),
      list.length
        ? h("div", { class: "table-wrap" }, h("table", { class: "data" }, h("thead", {}, head), h("tbody", {}, bodyRows)))
        : h("p", { class: "muted" }, title === "Zeiten" ? "Noch keine Zeiten erfasst." : "Noch keine Leistungen erfasst."));
  }

  async function deleteEntry(e) {
    // No question first: the deletion can be undone for 10 seconds.
    try {
      const r = await api.entryDelete(e.id);
      undoToast(`${r.message}: ${e.dateDisplay} · ${e.kind === "time" ? e.durationDisplay + " h" : e.name}`, r.undo, showDetail);
      showDetail();
    } catch (err) { toast(err.message, "error"); }
  }

  async function deleteProject(p, d) {
    try {
      let r = await api.projectDelete(p.id, false);
      if (r.check) {
        const ok = await confirmDialog({ title: "Projekt löschen?", text: `${r.check.question} Danach lässt es sich 10 Sekunden lang rückgängig machen.`, confirm: "Löschen", danger: true });
        if (!ok) return;
        r = await api.projectDelete(p.id, true);
      }
      const id = p.id;
      undoToast(r.deleted.message, r.deleted.undo, () => load(id));
      state.selectedId = null;
      load();
    } catch (err) {
      toast(err.message, "error");
    }
  }

  // ---- forms -------------------------------------------------------------
  async function projectForm(existing, parent, rateInput = "", version = null) {
    const isSub = Boolean(parent || (existing && existing.parentId));
    // Opened before the tab's list arrived: the customers first.
    if (!isSub && !customers.length) {
      try { customers = await api.customersList(); } catch (e) { toast(e.message, "error"); return; }
    }
    const custOptions = [["", "– kein Kunde –"], ...customers.filter((c) => !c.archived || (existing && existing.customerId === c.id))
      .map((c) => [String(c.id), `${c.name}${c.number ? ` (${c.number})` : ""}${c.source === "manuell" ? " – manuell" : ""}`])];
    const fields = [
      { key: "name", label: "Name", full: true },
      { key: "number", label: "Projektnummer" },
      { key: "status", label: "Status", type: "select", options: [["aktiv", "aktiv"], ["abgeschlossen", "abgeschlossen"], ["archiviert", "archiviert"]] },
    ];
    if (!isSub) fields.splice(1, 0, { key: "customerId", label: "Kunde", type: "select", options: custOptions, full: true });
    // „Steuerart“ for this project only (e.g. a building firm as a private client
    // for one job); the labels are the fixed ones of the Kunden detail.
    // „Steuerart“ of a project: blank = inherited; the others as in the Kunden detail.
    let taxCases = [];
    try { taxCases = await api.taxCasesList(); } catch (e) { toast(e.message, "error"); return; }
    fields.push({ key: "taxCase", label: "Steuerart", type: "select",
      options: [["", isSub ? "wie beim Hauptprojekt" : "wie beim Kunden"], ...taxCases.map((t) => [t.key, t.label])],
      hint: isSub ? "Leer: wie beim Hauptprojekt bzw. beim Kunden." : "Leer: wie beim Kunden (Kunden › Steuerart)." });
    fields.push({ key: "hourlyRate", label: "Stundensatz", full: true, attrs: { inputmode: "decimal", placeholder: "leer = übernehmen" }, hint: isSub ? "Leer lassen, um den Satz des Hauptprojekts zu übernehmen." : "Leer lassen, um den Satz des Kunden bzw. aus Einstellungen › Schnittstellen zu übernehmen." });
    const values = existing
      ? { name: existing.name, number: existing.number, customerId: existing.customerId ?? "", status: existing.status, hourlyRate: rateInput || "", taxCase: existing.taxCase || "" }
      : { status: "aktiv", customerId: "", taxCase: "" };
    // „Stundensätze je Rolle“, later changes of the Stundensatz and an own
    // Abrechnungstakt under the fields: the same sections as a customer's editor,
    // saved by this dialog's „Speichern“ right after the project.
    const rulesBox = h("section", { class: "project-form-rules", "aria-label": "Stundensätze und Abrechnungstakt des Projekts" });
    const rules = embedRateRules(rulesBox, existing ? { projectId: existing.id } : null,
      isSub ? { inherited: "wie beim Hauptprojekt, beim Kunden bzw. unter Einstellungen › Abrechnung" } : {});
    await rules.ready;
    // A new project is created once: after that a retry (the rules were refused) updates it.
    let createdId = null;
    let createdName = "";
    const pending = formDialog({
      title: existing ? "Projekt bearbeiten" : parent ? `Unterprojekt von „${parent.name}“` : "Neues Projekt",
      fields, values, wide: true, extra: rulesBox,
      submit: async (v) => {
        const out = await api.projectSave({
          id: existing ? existing.id : createdId,
          version: existing ? version : null,
          name: v.name, number: v.number, status: v.status, hourlyRate: v.hourlyRate, taxCase: v.taxCase,
          customerId: isSub ? null : (v.customerId ? Number(v.customerId) : null),
          parentId: parent ? parent.id : existing ? existing.parentId : null,
        });
        if (!existing) { createdId = out.project.id; createdName = out.project.name; }
        // A retry after refused rules saves over this save, not the one before.
        version = out.version;
        // Only when changed: a plain rename leaves the project's rules alone.
        if (rules.changed()) {
          try {
            await api.rateRulesSave({ projectId: out.project.id }, rules.value());
          } catch (e) {
            rules.markError(e);
            // Shown in the dialog's error box right under the rates, not at the
            // project's own „Stundensatz“ field.
            throw { message: (e && e.message) || "Unbekannter Fehler." };
          }
        }
        return out;
      },
    });
    // Kunde: type-ahead over all customers (the first letters or the Kundennummer).
    const custSelect = document.querySelector("dialog[open] select[id$='-customerId']");
    if (custSelect) typeAheadSelect(custSelect, { placeholder: "Kunde suchen: Name oder Kundennummer", label: "Kunde suchen" });
    const saved = await pending;
    if (saved) {
      toast(existing ? "Projekt gespeichert" : `Projekt „${saved.project.name}“ angelegt`);
      load(saved.project.id);
    } else if (createdId) {
      // Cancelled after the project was created but its rates were refused.
      toast(`Projekt „${createdName}“ angelegt – Stundensätze je Rolle und Abrechnungstakt nicht gespeichert`, "error");
      load(createdId);
    }
  }

  function projectChoice(family, projectId) {
    return { key: "projectId", label: "Projekt", type: "select", full: true,
      options: family.map((f) => [String(f.id), f.choice]) };
  }

  async function timeForm(existing, family, projectId) {
    // Type-ahead over the active employees; a new name is created on saving.
    let people = [];
    try { people = (await api.employeesList()).filter((e) => e.active); } catch { people = []; }
    const fields = [
      projectChoice(family, projectId),
      { key: "date", label: "Datum", attrs: { placeholder: "TT.MM.JJJJ" } },
      { key: "employee", label: "Mitarbeiter", attrs: { placeholder: people.length ? "Name eingeben oder wählen" : "Name" },
        enhance: (input) => suggestPeople(input, people),
        hint: "Ein neuer Name wird nach Rückfrage unter Einstellungen › Mitarbeiter angelegt." },
      { key: "start", label: "Von", attrs: { placeholder: "08:00", inputmode: "numeric" } },
      { key: "end", label: "Bis", attrs: { placeholder: "16:30", inputmode: "numeric" } },
      { key: "break", label: "Pause", attrs: { placeholder: "0:30" } },
      { key: "duration", label: "Dauer", attrs: { placeholder: "1:30 oder 1,5" }, hint: "Aus Von–Bis minus Pause berechnet, oder direkt eingeben." },
      { key: "description", label: "Beschreibung", type: "textarea", full: true },
      { key: "billable", label: "abrechenbar", type: "checkbox" },
    ];
    const values = existing
      ? { projectId: existing.projectId, date: existing.dateDisplay, employee: existing.employee, start: existing.start, end: existing.end, break: existing.breakMinutes ? String(existing.breakMinutes) + " min" : "", duration: existing.start ? "" : existing.durationDisplay, description: existing.description, billable: existing.billable }
      : { projectId, date: todayDe(), billable: true };
    const saved = await formDialog({
      title: existing ? "Zeit bearbeiten" : "Zeit erfassen", fields, values,
      submit: (v) => timeSaveAsking({ id: existing ? existing.id : null, version: existing ? existing.version : null, projectId: Number(v.projectId), date: v.date, employee: v.employee, start: v.start, end: v.end, break: v.break, duration: v.duration, description: v.description, billable: v.billable }),
    });
    if (saved) {
      if (saved.undo) undoToast(`Zeit ${saved.durationDisplay} h gespeichert`, saved.undo, showDetail);
      else toast(`Zeit ${saved.durationDisplay} h gespeichert`);
      showDetail();
    }
  }

  async function serviceForm(existing, family, projectId) {
    // The Leistungskatalog as type-ahead: a name typed or picked that is in the
    // catalog fills Einheit, Einzelpreis, Steuersatz and Art.
    let catalog = [];
    try { catalog = await api.catalogList(); } catch { catalog = []; }
    let chosen = null;
    const apply = (form, item) => {
      chosen = item;
      const set = (key, value) => { const el = form.querySelector(`[id$="-${key}"]`); if (el) el.value = value; };
      set("unit", item.unit); set("unitPrice", item.unitPrice); set("taxRate", item.taxRate); set("art", item.artSet ? item.art : "");
    };
    // A name typed that is in the catalog (the first item of that name).
    const pick = (ev) => {
      if (chosen && chosen.name === ev.target.value) return;
      const item = catalog.find((c) => c.name === ev.target.value);
      if (item) apply(ev.target.form, item); else chosen = null;
    };
    const fields = [
      projectChoice(family, projectId),
      { key: "date", label: "Datum", attrs: { placeholder: "TT.MM.JJJJ" } },
      { key: "name", label: "Bezeichnung", attrs: { oninput: pick, onchange: pick },
        // A suggestion taken is that very item (two articles may share a name).
        enhance: (input) => attachSuggestions(input, catalog.map((c) => ({ text: c.name, hint: [`${c.unitPriceDisplay} je ${c.unit}`, c.source].filter(Boolean).join(" · "), keys: c.source, item: c })),
          { free: true, onPick: (it) => { input.value = it.text; apply(input.form, it.item); } }),
        hint: catalog.length ? "Tippen zeigt Leistungen aus dem Katalog (Einstellungen › Leistungen)." : null },
      { key: "quantity", label: "Menge", attrs: { inputmode: "decimal", placeholder: "1" } },
      { key: "unit", label: "Einheit", attrs: { list: "unit-list", placeholder: "Stück" } },
      { key: "unitPrice", label: "Einzelpreis", attrs: { inputmode: "decimal", placeholder: "0,00" }, hint: "netto in €" },
      { key: "taxRate", label: "Steuersatz", type: "select", options: [["19", "19 %"], ["7", "7 %"], ["0", "0 %"]] },
      { key: "art", label: "Art", type: "select", options: [["", "nach Einheit"], ["Arbeit", "Arbeit"], ["Material", "Material"], ["Fahrt", "Fahrt"]],
        hint: "Für Privatkunden (§35a): Arbeit und Fahrt zählen zu den Arbeitskosten. „nach Einheit“: km = Fahrt, Std./pauschal = Arbeit, sonst Material." },
      { key: "description", label: "Beschreibung", type: "textarea", full: true },
      { key: "billable", label: "abrechenbar", type: "checkbox" },
    ];
    const values = existing
      ? { projectId: existing.projectId, date: existing.dateDisplay, name: existing.name, quantity: existing.quantityDisplay, unit: existing.unit, unitPrice: existing.unitPriceInput, taxRate: existing.taxRate, art: existing.art, description: existing.description, billable: existing.billable }
      : { projectId, date: todayDe(), quantity: "1", unit: "Stück", taxRate: "19", art: "", billable: true };
    const saved = await formDialog({
      title: existing ? "Leistung bearbeiten" : "Leistung erfassen", fields, values,
      extra: h("datalist", { id: "unit-list" }, UNITS.map((u) => h("option", { value: u }))),
      submit: (v) => api.serviceSave({ id: existing ? existing.id : null, version: existing ? existing.version : null, projectId: Number(v.projectId), date: v.date, name: v.name, description: v.description, quantity: v.quantity, unit: v.unit, unitPrice: v.unitPrice, taxRate: v.taxRate, art: v.art, billable: v.billable, catalogId: chosen && chosen.name === v.name ? chosen.id : null }),
    });
    if (saved) {
      if (saved.undo) undoToast(`Leistung „${saved.name}“ gespeichert`, saved.undo, showDetail);
      else toast(`Leistung „${saved.name}“ gespeichert`);
      showDetail();
    }
  }

  // ---- CSV import ----------------------------------------------------------
  function csvDialog() {
    const dlg = h("dialog", { class: "modal form-modal wide", "aria-labelledby": "csv-title" });
    const pathInput = h("input", { id: "csv-path", type: "text", autocomplete: "off", placeholder: "/home/…/zeiten.csv" });
    const previewBox = h("div", { class: "csv-preview" });
    const importBtn = h("button", { type: "button", class: "primary", disabled: true }, "Gültige Zeilen importieren");
    const close = () => { dlg.close(); dlg.remove(); };
    // The Spaltenzuordnung of a file whose columns are not ours: null until
    // the preview offers one; then what the selects say.
    let mapping = null;
    let mappingControls = null;
    const currentMapping = () => mappingControls
      ? { columns: mappingControls.selects.map((s) => s.value), dateOrder: mappingControls.dateOrder.value }
      : null;
    const mappingBox = (m) => {
      const selects = m.columns.map((c, i) => {
        const sel = h("select", { id: `map-col-${i}`, "aria-label": `Zuordnung der Spalte ${c.header}` },
          h("option", { value: "" }, "– nicht importieren –"),
          m.targets.map((t) => h("option", { value: t.key }, t.label)));
        sel.value = c.target;
        // What is imported is what the preview showed: a change needs
        // „Vorschau aktualisieren“ first.
        sel.addEventListener("change", () => { importBtn.disabled = true; });
        return sel;
      });
      const dateOrder = h("select", { id: "map-date-order" },
        h("option", { value: "dmy" }, "TT.MM.JJJJ, JJJJ-MM-TT oder TT/MM/JJJJ"),
        h("option", { value: "mdy" }, "MM/TT/JJJJ (USA)"));
      dateOrder.value = m.dateOrder;
      dateOrder.addEventListener("change", () => { importBtn.disabled = true; });
      mappingControls = { selects, dateOrder };
      // Recognised or remembered: folded away, the rows below come first.
      const details = h("details", { open: m.required },
        h("summary", {}, m.required ? "Spalten zuordnen" : "Zuordnung ansehen oder ändern"),
        h("div", { class: "table-wrap" }, h("table", { class: "data" },
          h("thead", {}, h("tr", {}, h("th", {}, "Spalte in der Datei"), h("th", {}, "erste Werte"), h("th", {}, "Feld in Zeitrechnung"))),
          h("tbody", {}, m.columns.map((c, i) => h("tr", {},
            h("td", {}, h("label", { for: `map-col-${i}` }, c.header)),
            h("td", { class: "muted" }, c.samples || "–"),
            h("td", {}, selects[i])))))),
        h("div", { class: "row map-actions" },
          h("div", { class: "field" }, h("label", { for: "map-date-order" }, "Datumsformat"), dateOrder),
          h("button", { type: "button", class: "secondary", onclick: () => { mapping = currentMapping(); runPreview(); } }, "Vorschau aktualisieren")));
      return h("section", { class: "csv-mapping", "aria-labelledby": "map-title" },
        h("h3", { id: "map-title" }, "Spaltenzuordnung"),
        h("p", { class: m.required ? "alert warn" : "hint" }, m.source),
        details);
    };
    let lastMappingEl = null;
    const runPreview = async (page = 0) => {
      importBtn.disabled = true;
      replace(previewBox, lastMappingEl, h("p", { class: "muted" }, "Datei wird geprüft …"));
      try {
        const pv = await api.csvPreview(pathInput.value, mapping, page);
        mappingControls = null;
        const mapped = pv.mapping ? mappingBox(pv.mapping) : null;
        lastMappingEl = mapped;
        if (pv.mapping && pv.mapping.required) {
          replace(previewBox, mapped);
          return;
        }
        replace(previewBox, mapped,
          h("p", { class: "csv-counts" }, `${pv.valid} gültig · ${pv.invalid} fehlerhaft · ${pv.duplicates} bereits importiert`,
            h("span", { class: "muted" }, ` (${pv.encoding}, Trennzeichen „${pv.delimiter}“)`)),
          pv.newEmployeesDisplay ? h("p", { class: "alert ok" }, pv.newEmployeesDisplay) : null,
          h("div", { class: "table-wrap" }, h("table", { class: "data" },
            h("thead", {}, h("tr", {}, h("th", {}, "Zeile"), h("th", {}, "Status"), h("th", {}, "Inhalt bzw. Grund"))),
            h("tbody", {}, pv.rows.map((r) => h("tr", { class: `csv-${r.status}` },
              h("td", { class: "num" }, String(r.line)),
              h("td", {}, r.status === "ok" ? "ok" : r.status === "error" ? "Fehler" : "doppelt"),
              h("td", {}, r.status === "ok" ? r.summary : `${r.reason}${r.summary ? " – " + r.summary : ""}`)))))),
          pv.pages > 1
            ? h("div", { class: "row pager" },
              h("button", { type: "button", class: "secondary small", disabled: pv.page === 0, onclick: () => runPreview(pv.page - 1) }, "Vorherige Zeilen"),
              h("span", { class: "muted" }, pv.shownDisplay),
              h("button", { type: "button", class: "secondary small", disabled: pv.page + 1 >= pv.pages, onclick: () => runPreview(pv.page + 1) }, "Weitere Zeilen"))
            : null);
        importBtn.disabled = pv.valid === 0;
      } catch (e) {
        replace(previewBox, lastMappingEl, h("p", { class: "alert error", role: "alert" }, e.message));
      }
    };
    // Another file: the Spaltenzuordnung of the last one no longer applies.
    function forgetMapping() { mapping = null; mappingControls = null; lastMappingEl = null; }
    pathInput.addEventListener("change", forgetMapping);
    importBtn.addEventListener("click", async () => {
      importBtn.disabled = true;
      try {
        const r = await api.csvImport(pathInput.value, mapping);
        close();
        toast(r.message);
        showDetail();
      } catch (e) {
        replace(previewBox, h("p", { class: "alert error", role: "alert" }, e.message));
      }
    });
    dlg.append(
      h("h2", { id: "csv-title" }, "Zeiten und Leistungen importieren"),
      h("p", { class: "hint csv-intro" }, "CSV-Datei (Semikolon oder Komma, UTF-8 oder Excel) oder Tabelle (.xlsx, .ods, .xls; erstes Tabellenblatt, Datum und Uhrzeit als Zellwerte). Spalten nach Überschrift: Typ, Projekt, Unterprojekt, Datum, Mitarbeiter, Von, Bis, Pause, Dauer, Beschreibung, Bezeichnung, Menge, Einheit, Einzelpreis, Steuersatz. Andere Spalten (z. B. Exporte aus Kimai, Toggl Track, Clockify oder Harvest) ordnen Sie einmal zu; Zeitrechnung merkt sich die Zuordnung. Vor dem Import sehen Sie jede Zeile."),
      h("div", { class: "field wide-field" }, h("label", { for: "csv-path" }, "Datei"),
        h("div", { class: "row" }, pathInput,
          h("button", { type: "button", class: "secondary", onclick: async () => {
            try { const p = await api.csvPickFile(); if (p) { pathInput.value = p; forgetMapping(); runPreview(); } } catch (e) { toast(e.message, "error"); }
          } }, "Durchsuchen …"),
          h("button", { type: "button", class: "secondary", onclick: () => runPreview() }, "Vorschau"))),
      previewBox,
      h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: close }, "Abbrechen"), importBtn));
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); close(); });
    document.body.append(dlg);
    dlg.showModal();
    pathInput.focus();
  }

  load();
}
