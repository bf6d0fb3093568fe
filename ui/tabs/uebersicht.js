// The „Abrechnung“ tab: what is still unbilled per customer and project, the
// drafts waiting in lexoffice and the invoices still open, „Mit lexoffice
// abgleichen“ and „Entwürfe erstellen“ for several projects at once.
// Everything shown comes formatted from Rust; the `*Key` fields only sort.
// The table is virtualised: only the rows in view exist in the DOM, so 10,000
// projects scroll as smoothly as ten.
import * as api from "../api.js";
import { h, replace, toast } from "../lib/dom.js";
import { preselectProject } from "./projekte.js";

const ROW_H = 52;
const OVERSCAN = 8;

const COLUMNS = [
  { key: "customer", label: "Kunde", sort: (r) => r.customerName.toLowerCase() },
  { key: "project", label: "Projekt", sort: (r) => r.projectName.toLowerCase() },
  { key: "hours", label: "Stunden offen", num: true, sort: (r) => r.minutesKey },
  { key: "net", label: "noch nicht abgerechnet", num: true, sort: (r) => r.netKey },
  { key: "oldest", label: "ältester Eintrag", sort: (r) => r.oldestKey || "9999" },
  { key: "lexoffice", label: "in lexoffice", num: true, sort: (r) => r.openKey * 1000 + r.drafts },
];

export function renderUebersicht(root, ctx) {
  let data = null;
  let sortKey = "customer";
  let sortDir = 1;
  let shown = [];
  const selected = new Set();

  const syncLine = h("span", { class: "sync-line muted", role: "status" });
  const syncBtn = h("button", { type: "button", class: "secondary", onclick: () => syncNow() }, "Mit lexoffice abgleichen");
  const cancelSync = h("button", { type: "button", class: "linkbtn", hidden: true, onclick: () => api.lexofficeSyncCancel() }, "Abbrechen");
  const kpis = h("div", { class: "kpis kpis-4" });
  const count = h("span", { class: "count", "aria-live": "polite" });
  const search = h("input", { id: "ov-search", type: "search", placeholder: "Kunde, Projekt oder Nummer", autocomplete: "off" });
  const show = h("select", { id: "ov-show" },
    h("option", { value: "all" }, "alles mit Offenem"),
    h("option", { value: "billable" }, "noch abzurechnen"),
    h("option", { value: "waiting" }, "wartet in lexoffice"));
  const selInfo = h("span", { class: "muted sel-info" });
  const createBtn = h("button", { type: "button", class: "primary", disabled: true, onclick: () => createDrafts() }, "Entwürfe erstellen");
  const head = h("div", { class: "ov-row ov-head", role: "row" });
  const spacer = h("div", { class: "ov-spacer" });
  const body = h("div", { class: "ov-body", role: "rowgroup" });
  const scroller = h("div", { class: "ov-scroll", role: "table", "aria-label": "Abrechnung je Projekt", tabindex: "0" },
    head, h("div", { class: "ov-canvas" }, spacer, body));
  const empty = h("p", { class: "muted ov-empty", hidden: true });

  root.append(h("section", { class: "page page-wide" },
    h("div", { class: "page-head" }, h("div", { class: "title-count" }, h("h1", {}, "Abrechnung"), count),
      h("div", { class: "sync-box" }, syncLine, cancelSync, syncBtn)),
    kpis,
    h("div", { class: "toolbar" },
      h("div", { class: "field" }, h("label", { for: "ov-search" }, "Suche"), search),
      h("div", { class: "field narrow" }, h("label", { for: "ov-show" }, "Anzeigen"), show),
      h("div", { class: "toolbar-end" }, selInfo, createBtn)),
    scroller, empty));

  function drawSync(v) {
    syncLine.textContent = v.text;
    syncLine.className = `sync-line sync-${v.state}`;
    syncBtn.disabled = v.running;
    cancelSync.hidden = !v.running;
  }

  function kpi(label, value, hint) {
    return h("div", { class: "kpi" }, h("span", { class: "kpi-label" }, label), h("strong", {}, value), hint ? h("span", { class: "kpi-hint" }, hint) : null);
  }

  function drawTotals() {
    const t = data.totals;
    count.textContent = t.projectsDisplay;
    replace(kpis,
      kpi("noch nicht abgerechnet", t.netDisplay, `netto · ${t.hoursDisplay} offen`),
      kpi("Entwürfe in lexoffice", t.draftsDisplay || "keine", "noch nicht abgeschlossen"),
      kpi("offene Rechnungen", t.openDisplay, "noch nicht bezahlt"),
      kpi("davon überfällig", t.overdueDisplay, "Zahlungsziel überschritten"));
  }

  function drawHead() {
    replace(head,
      h("div", { class: "ov-cell ov-check", role: "columnheader" },
        h("input", { type: "checkbox", "aria-label": "Alle angezeigten auswählen", onchange: (e) => {
          for (const r of shown) if (r.billable) { if (e.target.checked) selected.add(r.projectId); else selected.delete(r.projectId); }
          drawRows(true); drawSelection();
        } })),
      COLUMNS.map((c) => h("div", { class: `ov-cell ov-${c.key}${c.num ? " num" : ""}`, role: "columnheader", "aria-sort": sortKey === c.key ? (sortDir > 0 ? "ascending" : "descending") : "none" },
        h("button", { type: "button", class: "sortbtn", onclick: () => { sortDir = sortKey === c.key ? -sortDir : 1; sortKey = c.key; apply(); } },
          c.label, sortKey === c.key ? (sortDir > 0 ? " ▲" : " ▼") : ""))));
  }

  function apply() {
    const q = search.value.trim().toLowerCase();
    const mode = show.value;
    const col = COLUMNS.find((c) => c.key === sortKey);
    shown = data.rows.filter((r) =>
      (mode === "all" || (mode === "billable" ? r.billable : r.waiting)) &&
      (!q || r.customerName.toLowerCase().includes(q) || r.projectName.toLowerCase().includes(q)
        || r.projectNumber.toLowerCase().includes(q) || r.customerNumber.toLowerCase().includes(q)));
    shown.sort((a, b) => {
      const x = col.sort(a), y = col.sort(b);
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
    });
    drawHead();
    spacer.style.height = `${shown.length * ROW_H}px`;
    empty.hidden = shown.length > 0;
    empty.textContent = data.rows.length ? "Kein Projekt passt zur Suche." : "Alles abgerechnet: kein Projekt hat offene Einträge, Entwürfe oder unbezahlte Rechnungen.";
    scroller.hidden = shown.length === 0;
    drawRows(true);
  }

  let lastFirst = -1;
  function drawRows(force) {
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_H) - OVERSCAN);
    if (!force && first === lastFirst) return;
    lastFirst = first;
    const count = Math.ceil((scroller.clientHeight || 600) / ROW_H) + OVERSCAN * 2;
    body.style.transform = `translateY(${first * ROW_H}px)`;
    replace(body, shown.slice(first, first + count).map(row));
  }

  function row(r) {
    const box = h("input", { type: "checkbox", "aria-label": `${r.projectName} auswählen`, disabled: !r.billable, checked: selected.has(r.projectId) });
    box.addEventListener("change", () => { if (box.checked) selected.add(r.projectId); else selected.delete(r.projectId); drawSelection(); });
    const lex = [r.draftsDisplay, r.openDisplay].filter(Boolean).join(" · ");
    return h("div", { class: `ov-row${selected.has(r.projectId) ? " selected" : ""}`, role: "row", dataset: { projectId: String(r.projectId) } },
      h("div", { class: "ov-cell ov-check", role: "cell" }, box),
      h("div", { class: "ov-cell ov-customer", role: "cell", title: r.customerName }, h("div", { class: "ell" }, r.customerName || "–"), r.customerNumber ? h("div", { class: "hint ell" }, r.customerNumber) : null),
      h("div", { class: "ov-cell ov-project", role: "cell", title: r.projectName },
        h("button", { type: "button", class: "linkbtn ell", onclick: () => { preselectProject(r.projectId); ctx.navigate("projekte"); } }, r.projectName),
        h("div", { class: "hint ell" }, [r.projectNumber, r.status !== "aktiv" ? r.status : ""].filter(Boolean).join(" · "))),
      h("div", { class: "ov-cell ov-hours num", role: "cell" }, r.hoursDisplay),
      h("div", { class: "ov-cell ov-net num", role: "cell" }, h("div", {}, r.netDisplay), r.withoutRate ? h("div", { class: "hint warn-text ell" }, r.withoutRate) : null),
      h("div", { class: "ov-cell ov-oldest", role: "cell" }, r.oldestDisplay),
      h("div", { class: "ov-cell ov-lexoffice num", role: "cell" },
        h("div", { class: "ell" }, lex || "–"),
        r.overdueDisplay ? h("div", { class: "hint overdue ell" }, r.overdueDisplay) : null,
        r.warning ? h("div", { class: "hint warn-text ell", title: r.warning }, r.warning) : null));
  }

  function drawSelection() {
    const n = [...selected].filter((id) => data.rows.some((r) => r.projectId === id && r.billable)).length;
    selInfo.textContent = n ? `${n} ausgewählt` : "Projekte zum Abrechnen auswählen";
    createBtn.disabled = n === 0;
  }

  scroller.addEventListener("scroll", () => requestAnimationFrame(() => drawRows(false)), { passive: true });
  search.addEventListener("input", apply);
  show.addEventListener("change", apply);

  async function load() {
    try {
      data = await api.overviewGet();
    } catch (e) {
      replace(kpis, h("p", { class: "alert error" }, e.message));
      return;
    }
    drawSync(data.sync);
    drawTotals();
    for (const id of [...selected]) if (!data.rows.some((r) => r.projectId === id && r.billable)) selected.delete(id);
    apply();
    drawSelection();
  }

  async function syncNow() {
    try {
      const res = await api.lexofficeSync(drawSync);
      drawSync(res.sync);
      if (res.sync.state === "ok") toast(res.message);
    } catch (e) {
      if (e.kind !== "notConnected") toast(e.message, "error");
      else syncLine.textContent = e.message;
    }
    if (root.isConnected) load();
  }

  async function createDrafts() {
    const ids = shown.filter((r) => selected.has(r.projectId)).map((r) => r.projectId);
    for (const id of selected) if (!ids.includes(id)) ids.push(id);
    const rows = ids.map((id) => data.rows.find((r) => r.projectId === id)).filter(Boolean);
    const dlg = h("dialog", { class: "modal batch-modal", "aria-labelledby": "batch-title" });
    const bar = h("progress", { max: String(rows.length), value: "0" });
    const line = h("p", { class: "muted", role: "status" }, rows.length === 1
      ? "Ein Entwurf über alle offenen Einträge des Projekts, mit den gemerkten Einstellungen des Kunden."
      : `${rows.length} Projekte, je ein Entwurf über alle offenen Einträge mit den gemerkten Einstellungen des Kunden.`);
    const list = h("ul", { class: "batch-list" }, rows.map((r) => h("li", { dataset: { projectId: String(r.projectId) } },
      h("span", { class: "batch-state" }, "wartet"),
      h("div", { class: "batch-what" }, h("strong", {}, r.projectName), h("div", { class: "hint" }, r.customerName)),
      h("span", { class: "num" }, r.netDisplay))));
    const cancel = h("button", { type: "button", class: "secondary", onclick: () => { api.draftsCreateCancel(); cancel.disabled = true; line.textContent = "Wird nach dem laufenden Entwurf angehalten …"; } }, "Abbrechen");
    const close = h("button", { type: "button", class: "primary", hidden: true, onclick: () => { dlg.close(); dlg.remove(); load(); } }, "Schließen");
    const start = h("button", { type: "button", class: "primary", onclick: () => run() }, "Jetzt erstellen");
    const keep = h("button", { type: "button", class: "secondary", onclick: () => { dlg.close(); dlg.remove(); } }, "Zurück");
    dlg.append(h("h2", { id: "batch-title" }, "Entwürfe erstellen"), line, bar, list, h("div", { class: "actions" }, keep, cancel, start, close));
    cancel.hidden = true;
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); if (!start.hidden) { dlg.close(); dlg.remove(); } });
    document.body.append(dlg);
    dlg.showModal();
    start.focus();

    async function run() {
      start.hidden = true; keep.hidden = true; cancel.hidden = false;
      try {
        const res = await api.draftsCreate(ids, (p) => { bar.value = String(p.done); line.textContent = p.text; });
        bar.value = String(rows.length);
        line.textContent = res.summary;
        for (const r of res.rows) {
          const li = list.querySelector(`li[data-project-id="${r.projectId}"]`);
          if (!li) continue;
          li.className = `batch-${r.state}`;
          li.querySelector(".batch-state").textContent = r.stateDisplay;
          li.querySelector(".batch-what").append(h("div", { class: "hint" }, r.text));
          if (r.state === "created") selected.delete(r.projectId);
        }
      } catch (e) {
        line.textContent = e.message;
      }
      cancel.hidden = true; close.hidden = false; close.focus();
    }
  }

  drawSelection();
  replace(kpis, h("p", { class: "muted" }, "Wird geladen …"));
  load().then(() => { if (root.isConnected) syncNow(); });
}
