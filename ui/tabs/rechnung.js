// lexoffice Rechnung: period, rate, Aufstellung, texts and options on the left,
// the live preview (exactly the lines and totals lexoffice will show, each line
// correctable for this invoice) on the right, and the project's drafts below.
import * as api from "../api.js";
import { h, replace, toast, confirmDialog, formDialog } from "../lib/dom.js";
import { countLabel } from "../lib/format.js";
import { openTimesheetDialog } from "../lib/stundennachweis.js";
import { navigate } from "../main.js";

const TAX_OPTIONS = [["19", "19 %"], ["7", "7 %"], ["0", "0 %"]];
/** „Art“ of an added line (§35a: Arbeit and Fahrt are Arbeitskosten); blank = by its unit. */
const ART_OPTIONS = [["", "nach Einheit"], ["Arbeit", "Arbeit"], ["Material", "Material"], ["Fahrt", "Fahrt"]];

let counter = 0;

export async function openInvoiceDialog(projectId, onChange) {
  let defaults;
  try {
    defaults = await api.invoiceDefaults(projectId);
  } catch (e) {
    toast(e.message, "error");
    return;
  }
  const n = ++counter;
  const ids = {
    from: `inv-from-${n}`, to: `inv-to-${n}`, rate: `inv-rate-${n}`, subs: `inv-subs-${n}`,
    layout: `inv-layout-${n}`, lineText: `inv-linetext-${n}`, goodwill: `inv-goodwill-${n}`, remember: `inv-remember-${n}`,
    title: `inv-title-text-${n}`, intro: `inv-intro-${n}`, remark: `inv-remark-${n}`,
  };
  const dlg = h("dialog", { class: "modal invoice-modal", "aria-labelledby": `inv-title-${n}` });
  const from = h("input", { id: ids.from, type: "text", autocomplete: "off", placeholder: "TT.MM.JJJJ" });
  const to = h("input", { id: ids.to, type: "text", autocomplete: "off", placeholder: "TT.MM.JJJJ" });
  const rate = h("input", { id: ids.rate, type: "text", inputmode: "decimal", autocomplete: "off" });
  const subs = h("input", { id: ids.subs, type: "checkbox" });
  subs.checked = defaults.hasSubprojects;
  // Aufstellung and Positionstext: the customer's remembered ones or the firm's.
  const layout = h("select", { id: ids.layout }, defaults.layouts.map((l) => h("option", { value: l.key }, l.label)));
  layout.value = defaults.style.layout;
  const lineText = h("textarea", { id: ids.lineText, rows: 3, spellcheck: "false" });
  lineText.value = defaults.style.lineText;
  const defaultText = (key) => (defaults.layouts.find((l) => l.key === key) || {}).defaultText || "";
  let shownDefault = defaultText(layout.value);
  const goodwill = h("input", { id: ids.goodwill, type: "checkbox" });
  const remember = h("input", { id: ids.remember, type: "checkbox" });
  const titleText = h("input", { id: ids.title, type: "text", autocomplete: "off" });
  titleText.value = defaults.style.title;
  const intro = h("textarea", { id: ids.intro, rows: 3 });
  intro.value = defaults.style.introduction;
  const remark = h("textarea", { id: ids.remark, rows: 3 });
  remark.value = defaults.style.remark;
  // Corrections of single lines, this invoice only: key → {action, values?}.
  const edits = new Map();
  const extras = []; // „Position hinzufügen“: values as typed
  let lastPreview = null;
  // „Nur ‹Steuerart› abrechnen“: the key of the one Steuerart on this draft.
  let onlyTax = "";
  // „Stundensatz“ follows the preview (the one rate of all time, or empty =
  // „gemischt“) until the user types a rate: that one then applies to all time.
  let rateTyped = false;
  const rateHint = h("p", { class: "hint" }, "");
  const rateList = h("div", { class: "rate-list" });
  const rateEdits = new Map(); // listed rate → typed text, this invoice only
  let rateListKey = "";
  const initial = defaults.allOpen || defaults.lastMonth;
  from.value = initial[0];
  to.value = initial[1];
  // By the key of the field an error or a problem names (`fieldKey`, `problemFieldKey`).
  const errs = { from: err(), to: err(), rate: err(), layout: err(), lineText: err(), title: err(), introduction: err(), remark: err() };
  const previewBox = h("div", { class: "invoice-preview", "aria-live": "polite" });
  const historyBox = h("div", { class: "invoice-history" });
  const resultBox = h("div", { class: "invoice-result" });
  const create = h("button", { type: "button", class: "primary" }, "Erstellen");
  create.disabled = true;
  const close = () => { dlg.close(); dlg.remove(); onChange && onChange(); };

  const quick = (label, range) => h("button", {
    type: "button", class: "chip", disabled: !range,
    onclick: () => { from.value = range[0]; to.value = range[1]; create.disabled = true; seq++; schedule(0); },
  }, label);

  dlg.append(
    h("div", { class: "invoice-head" },
      h("h2", { id: `inv-title-${n}` }, `lexoffice Rechnung – ${defaults.projectName}`),
      h("button", { type: "button", class: "iconbtn", "aria-label": "Schließen", onclick: close }, "✕")),
    h("div", { class: "invoice-grid" },
      h("div", { class: "invoice-form" },
        h("div", { class: "two" },
          fieldOf("Von", ids.from, from, errs.from),
          fieldOf("Bis", ids.to, to, errs.to)),
        h("div", { class: "quick" },
          quick("letzter Monat", defaults.lastMonth),
          quick("dieser Monat", defaults.thisMonth),
          quick("alles noch nicht Abgerechnete", defaults.allOpen)),
        h("div", { class: "field" },
          h("label", { for: ids.rate }, "Stundensatz"),
          h("div", { class: "with-suffix" }, rate, h("span", { class: "suffix" }, "€/h")),
          rateHint,
          errs.rate,
          rateList),
        h("label", { class: "switch", for: ids.subs }, subs, h("span", {}, "Unterprojekte einzeln auflisten")),
        h("div", { class: "field" },
          h("label", { for: ids.layout }, "Aufstellung"), layout, errs.layout),
        h("div", { class: "field" },
          h("label", { for: ids.lineText }, "Positionstext"), lineText,
          h("p", { class: "hint" }, `1. Zeile: Bezeichnung, darunter: Beschreibung. Platzhalter: ${defaults.linePlaceholders}`),
          errs.lineText),
        h("label", { class: "switch", for: ids.goodwill }, goodwill, h("span", {}, "Nicht abrechenbare Zeiten als Kulanz zeigen")),
        h("section", { class: "invoice-texts", "aria-label": "Rechnungstexte" },
          h("h3", {}, "Rechnungstexte"),
          h("p", { class: "hint" }, `Leer lassen: lexoffice nimmt den Text aus Ihren lexoffice-Einstellungen. Platzhalter: ${defaults.textPlaceholders}`),
          h("div", { class: "field" }, h("label", { for: ids.title }, "Titel"), titleText, errs.title),
          h("div", { class: "field" }, h("label", { for: ids.intro }, "Einleitung"), intro, errs.introduction),
          h("div", { class: "field" }, h("label", { for: ids.remark }, "Schlusstext"), remark, errs.remark)),
        h("div", { class: "field checkbox-field" },
          h("label", { class: "switch", for: ids.remember }, remember, h("span", {}, "Für diesen Kunden merken")),
          h("p", { class: "hint" }, `Aufstellung, Positionstext und Rechnungstexte gelten dann für die nächste Rechnung dieses Kunden. Jetzt: ${defaults.styleSource}.`)),
        h("div", { class: "actions left" }, create,
          h("button", { type: "button", class: "secondary", onclick: close }, "Abbrechen"))),
      h("div", { class: "invoice-right" }, resultBox, previewBox)),
    h("h3", { class: "history-title" }, "Bisherige Entwürfe"),
    historyBox);

  let timer = 0;
  let seq = 0;
  function schedule(delay = 250) {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  }
  function request() {
    const rates = rateTyped ? [] : [...rateEdits].filter(([, v]) => v.trim() !== "").map(([listed, v]) => ({ listed, rate: v }));
    return {
      projectId, from: from.value, to: to.value, rate: rateTyped ? rate.value : "", listSubprojects: subs.checked, rates,
      layout: layout.value, lineText: lineText.value,
      title: titleText.value, introduction: intro.value, remark: remark.value,
      goodwillUnbillable: goodwill.checked,
      edits: [...edits].map(([key, e]) => ({ key, ...e })),
      extraLines: extras.slice(),
      remember: remember.checked,
      taxCase: onlyTax || null,
    };
  }
  async function refresh() {
    const mine = ++seq;
    for (const e of Object.values(errs)) { e.hidden = true; e.textContent = ""; }
    let pv;
    try {
      pv = await api.invoicePreview(request());
    } catch (e) {
      if (mine !== seq) return;
      if (e.fieldKey && errs[e.fieldKey]) { errs[e.fieldKey].textContent = e.message; errs[e.fieldKey].hidden = false; }
      replace(previewBox, h("p", { class: "alert error" }, e.message));
      create.disabled = true;
      return;
    }
    if (mine !== seq) return;
    lastPreview = pv;
    if (pv.problemFieldKey && errs[pv.problemFieldKey]) {
      errs[pv.problemFieldKey].textContent = pv.problems[pv.problems.length - 1];
      errs[pv.problemFieldKey].hidden = false;
    }
    showRates(pv);
    renderPreview(previewBox, pv, lineActions);
    create.disabled = !pv.ok || sending;
  }

  let sending = false;
  create.addEventListener("click", async () => {
    if (sending) return; // a second click while sending does nothing
    sending = true;
    create.disabled = true;
    create.textContent = "Wird erstellt …";
    replace(resultBox);
    let created = false;
    try {
      // The preview on screen is what is confirmed: if the draft would differ
      // now, nothing is sent and the new preview is shown with the reason.
      const r = await api.invoiceCreate({ ...request(), confirmed: lastPreview ? lastPreview.confirm : null });
      created = true;
      replace(resultBox, h("div", { class: "alert ok", role: "status" },
        h("strong", {}, r.message), " ",
        r.browserOpened ? "lexoffice wurde im Browser geöffnet." : `Bitte öffnen: ${r.url}`,
        h("div", { class: "row" },
          h("button", { type: "button", class: "secondary", onclick: () => api.invoiceOpen(r.recordId).catch((e) => toast(e.message, "error")) }, "In lexoffice öffnen"),
          h("button", { type: "button", class: "secondary", onclick: () => openTimesheetDialog(r.recordId) }, "Stundennachweis"))));
      toast("Entwurf in lexoffice erstellt");
    } catch (e) {
      replace(resultBox, h("div", { class: `alert ${e.kind === "unclear" ? "warn" : "error"}`, role: "alert" }, e.message));
    } finally {
      sending = false;
      create.textContent = "Erstellen";
      if (created) {
        // Keep the preview: it is exactly what lexoffice now holds (no more corrections).
        if (lastPreview) renderPreview(previewBox, lastPreview, null);
        edits.clear();
        extras.length = 0;
        previewBox.prepend(h("div", { class: "alert ok" }, "So wurde der Entwurf an lexoffice übergeben. Die Einträge stehen jetzt im Entwurf."));
        create.disabled = true;
      } else {
        await refresh();
      }
      loadHistory();
    }
  });

  // Erstellen sends only what the preview shows: any change disables it until the
  // preview for exactly these values is back and ok.
  for (const el of [from, to, lineText, titleText, intro, remark]) el.addEventListener("input", () => { create.disabled = true; seq++; schedule(); });
  layout.addEventListener("change", () => {
    // The Positionstext follows the Aufstellung until the user changed it.
    if (lineText.value.trim() === shownDefault.trim()) lineText.value = defaultText(layout.value);
    shownDefault = defaultText(layout.value);
    create.disabled = true; seq++; schedule(0);
  });
  goodwill.addEventListener("change", () => { create.disabled = true; seq++; schedule(0); });

  // ---- corrections of single lines (this invoice only) ----------------------
  function changed() { create.disabled = true; seq++; return refresh(); }
  /** Tries the preview with `apply` done; on a field error undoes it and rethrows (the form shows it). */
  async function attempt(apply, undo) {
    apply();
    try { await api.invoicePreview(request()); } catch (e) { undo(); throw e; }
    await changed();
    return true;
  }
  function valuesForm(title, values, submitLabel, submit) {
    return formDialog({
      title, submitLabel, wide: true,
      fields: [
        { key: "name", label: "Bezeichnung", full: true },
        { key: "description", label: "Beschreibung", type: "textarea", full: true, attrs: { rows: 4 } },
        { key: "quantity", label: "Menge", attrs: { inputmode: "decimal" } },
        { key: "unit", label: "Einheit", attrs: { placeholder: "pauschal" } },
        { key: "unitPrice", label: "Einzelpreis", attrs: { inputmode: "decimal" }, hint: "netto in €" },
        { key: "taxRate", label: "Steuersatz", type: "select", options: TAX_OPTIONS },
        { key: "art", label: "Art", type: "select", options: ART_OPTIONS, hint: "Arbeit und Fahrt zählen bei Privatkunden (§35a) zu den Arbeitskosten." },
      ],
      values,
      submit,
    });
  }
  const lineActions = {
    edit: (l) => {
      const before = edits.get(l.key);
      const v = { ...l.form };
      return formDialog({
        title: "Position bearbeiten", submitLabel: "Übernehmen", wide: true,
        fields: [
          { key: "name", label: "Bezeichnung", full: true },
          { key: "description", label: "Beschreibung", type: "textarea", full: true, attrs: { rows: 5 } },
          { key: "quantity", label: "Menge", attrs: { inputmode: "decimal" }, hint: l.unit || "" },
          { key: "unitPrice", label: "Einzelpreis", attrs: { inputmode: "decimal" }, hint: "netto in €" },
          { key: "taxRate", label: "Steuersatz", type: "select", options: TAX_OPTIONS },
        ],
        values: v,
        submit: (x) => attempt(
          () => edits.set(l.key, { action: "set", values: { name: x.name, description: x.description, quantity: x.quantity, unit: "", unitPrice: x.unitPrice, taxRate: x.taxRate } }),
          () => (before ? edits.set(l.key, before) : edits.delete(l.key))),
      });
    },
    remove: (l) => { if (l.added) extras.splice(Number(l.key.slice(2)), 1); else edits.set(l.key, { action: "remove" }); changed(); },
    goodwill: (l) => { edits.set(l.key, { action: "goodwill" }); changed(); },
    reset: (l) => { edits.delete(l.key); changed(); },
    restore: (key) => { edits.delete(key); changed(); },
    isEdited: (key) => edits.has(key),
    editExtra: (l) => {
      const i = Number(l.key.slice(2));
      const before = extras[i];
      return valuesForm("Position bearbeiten", before, "Übernehmen",
        (x) => attempt(() => { extras[i] = x; }, () => { extras[i] = before; }));
    },
    add: () => valuesForm("Position hinzufügen",
      { name: "", description: "", quantity: "1", unit: "pauschal", unitPrice: "", taxRate: lastPreview && lastPreview.smallBusiness ? "0" : "19", art: "" },
      "Hinzufügen", (x) => attempt(() => extras.push(x), () => extras.pop())),
    coarser: (key) => { layout.value = key; layout.dispatchEvent(new Event("change")); },
    onlyTax: (key) => { onlyTax = key; changed(); },
    toTexts: () => { close(); navigate("einstellungen", { tab: "abrechnung", focus: "texte" }); },
  };
  rate.addEventListener("input", () => { rateTyped = rate.value.trim() !== ""; create.disabled = true; seq++; schedule(); });

  // The rates in play: the field shows the single one, or „gemischt“ and the
  // list below it, each changeable for this invoice only.
  function showRates(pv) {
    const mixed = pv.rates.length > 1;
    if (!rateTyped) {
      rate.value = pv.uniformRate || "";
      rate.placeholder = mixed ? "gemischt" : "";
    }
    rateHint.textContent = rateTyped
      ? "Gilt für alle Zeiten dieser Rechnung. Feld leeren, um die hinterlegten Stundensätze zu verwenden."
      : mixed
        ? "Mehrere Stundensätze – jeder steht unten und kann nur für diese Rechnung geändert werden. Eine Eingabe hier gilt für alle Zeiten."
        : pv.rates.length === 1
          ? `Hinterlegt: ${pv.rates[0].sources}. Eine Eingabe hier gilt nur für diese Rechnung.`
          : "";
    const key = rateTyped || !mixed ? "" : pv.rates.map((r) => r.listed).join("|");
    if (key === rateListKey) {
      for (const r of pv.rates) {
        const out = rateList.querySelector(`[data-listed="${CSS.escape(r.listed)}"] .rate-hours`);
        if (out) out.textContent = `${r.sources} · ${r.hoursDisplay}`;
      }
      return;
    }
    rateListKey = key;
    if (!key) { replace(rateList); return; }
    replace(rateList, pv.rates.map((r, i) => {
      const id = `inv-rate-${n}-${i}`;
      const input = h("input", { id, type: "text", inputmode: "decimal", autocomplete: "off" });
      input.value = rateEdits.get(r.listed) ?? r.rateInput;
      input.addEventListener("input", () => {
        rateEdits.set(r.listed, input.value === r.rateInput ? "" : input.value);
        create.disabled = true; seq++; schedule();
      });
      return h("div", { class: "rate-row", dataset: { listed: r.listed } },
        h("label", { for: id, class: "rate-hours" }, `${r.sources} · ${r.hoursDisplay}`),
        h("div", { class: "with-suffix" }, input, h("span", { class: "suffix" }, "€/h")));
    }));
  }
  subs.addEventListener("change", () => { create.disabled = true; seq++; schedule(0); });
  dlg.addEventListener("cancel", (e) => { e.preventDefault(); close(); });

  let historySeq = 0;
  function drawHistory(list) {
    if (!list.length) { replace(historyBox, h("p", { class: "muted" }, "Noch keine Entwürfe für dieses Projekt.")); return; }
    const withProject = list.some((r) => r.projectName !== list[0].projectName);
    replace(historyBox, h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, ["Erstellt", withProject ? "Projekt" : null, "Zeitraum", "Netto", "Brutto", "Satz", "Optionen", "Status", ""].filter(Boolean).map((t) => h("th", {}, t)))),
      h("tbody", {}, list.map((r) => h("tr", {},
        h("td", { class: "nowrap" }, r.created), withProject ? h("td", {}, r.projectName) : null, h("td", { class: "nowrap" }, r.period),
        h("td", { class: "num" }, r.netDisplay), h("td", { class: "num" }, r.grossDisplay),
        h("td", { class: "num" }, r.rateDisplay), h("td", {}, r.options),
        h("td", { title: r.stateDetail || "" }, h("span", { class: `state inv-${r.stateKey}` }, r.voucherNumber ? `${r.state} · ${r.voucherNumber}` : r.state), r.stateDetail ? h("div", { class: "hint" }, r.stateDetail) : null,
          r.openDisplay ? h("div", { class: "hint" }, r.openDisplay) : null,
          r.ageWarning ? h("div", { class: "hint warn-text" }, r.ageWarning) : null),
        h("td", { class: "actions-cell" },
          r.canOpen ? h("button", { type: "button", class: "linkbtn", onclick: () => api.invoiceOpen(r.id).catch((e) => toast(e.message, "error")) }, "Öffnen") : null,
          r.canTimesheet ? h("button", { type: "button", class: "linkbtn", onclick: () => openTimesheetDialog(r.id) }, "Stundennachweis") : null,
          r.canWithdraw ? h("button", { type: "button", class: "linkbtn", onclick: () => releaseRow(r) }, "Abrechnung zurücknehmen") : null,
          r.canReconcile ? h("button", { type: "button", class: "linkbtn", onclick: () => reconcileRow(r) }, "Erneut prüfen") : null)))))));
  }

  async function loadHistory() {
    const mine = ++historySeq;
    let cached;
    try { cached = await api.invoiceHistory(projectId); drawHistory(cached); } catch (e) { replace(historyBox, h("p", { class: "alert error" }, e.message)); return; }
    // Then ask lexoffice what became of each draft (deleted, finalised, voided).
    // Redraw only what changed: a layout that jumps under the pointer loses clicks.
    try {
      const synced = await api.invoiceHistorySync(projectId);
      if (mine !== historySeq || JSON.stringify(synced) === JSON.stringify(cached)) return;
      drawHistory(synced);
      // Freed entries or a new voucher number change what the preview says.
      refresh();
    } catch (e) {
      if (mine === historySeq && e.kind !== "notConnected") historyBox.append(h("p", { class: "hint" }, `Stand in lexoffice nicht abgefragt: ${e.message}`));
    }
  }

  async function releaseRow(r) {
    const ok = await confirmDialog({
      title: "Abrechnung zurücknehmen?",
      text: "Zeitrechnung fragt in lexoffice nach, ob der Entwurf gelöscht oder die Rechnung storniert wurde. Nur dann werden die Einträge wieder offen und können neu abgerechnet werden.",
      confirm: "Prüfen und zurücknehmen",
    });
    if (!ok) return;
    try { await api.invoiceRelease(r.id); toast("Einträge wieder offen"); } catch (e) { toast(e.message, "error"); }
    loadHistory(); refresh();
  }

  async function reconcileRow(r) {
    try {
      const v = await api.invoiceReconcile(r.id);
      toast(v.stateKey === "draft" ? "Entwurf in lexoffice gefunden – Einträge im Entwurf" : v.stateKey === "notCreated" ? "Kein Entwurf angelegt – Einträge wieder offen" : (v.stateDetail || "Noch unklar"), v.stateKey === "unclear" ? "error" : "ok");
    } catch (e) { toast(e.message, "error"); }
    loadHistory(); refresh();
  }

  document.body.append(dlg);
  dlg.showModal();
  from.focus();
  refresh();
  loadHistory();
}

function err() {
  return h("p", { class: "field-error", role: "alert", hidden: true });
}

function fieldOf(label, id, input, error) {
  return h("div", { class: "field" }, h("label", { for: id }, label), input, error);
}

function renderPreview(box, pv, act) {
  const parts = [];
  parts.push(h("div", { class: "pv-head" },
    h("div", {},
      h("div", { class: "pv-label" }, "Rechnungsempfänger"),
      pv.customer ? [h("strong", {}, pv.customer.name), ...pv.customer.lines.map((l) => h("div", {}, l))] : h("div", { class: "muted" }, "–")),
    h("div", {},
      h("div", { class: "pv-label" }, "Leistungszeitraum"), h("div", {}, pv.servicePeriod || "–"),
      h("div", { class: "pv-label" }, "Umfang"), h("div", {}, `${countLabel(pv.entryCount, "Eintrag", "Einträge")} · ${pv.hoursDisplay}`),
      pv.billedHoursDisplay !== pv.hoursDisplay ? h("div", { class: "hint" }, `erfasst ${pv.hoursDisplay} · abgerechnet ${pv.billedHoursDisplay}`) : null)));
  if (pv.problems.length) parts.push(h("ul", { class: "alert error problems", role: "alert" }, pv.problems.map((p) => h("li", {}, p))));
  if (pv.fixContactCustomerId != null) parts.push(h("div", { class: "row" }, h("button", { type: "button", class: "secondary", onclick: () => api.customerOpenLexoffice(pv.fixContactCustomerId).catch((e) => toast(e.message, "error")) }, "Kontakt in lexoffice öffnen")));
  if (pv.notes.length) parts.push(h("div", { class: "alert warn" }, pv.notes.map((t) => h("div", {}, t))));
  if (pv.taxChoices.length && act) {
    parts.push(h("div", { class: "row tax-choices" }, pv.taxChoices.map((c) =>
      h("button", { type: "button", class: "secondary", title: c.projects, onclick: () => act.onlyTax(c.key) }, c.label))));
  }
  if (pv.taxOnly) {
    parts.push(h("div", { class: "alert info tax-only" }, h("span", {}, pv.taxOnly), " ",
      act ? h("button", { type: "button", class: "linkbtn", onclick: () => act.onlyTax("") }, "Alle Steuerarten zeigen") : null));
  }
  if (pv.coarserLayout && act) {
    parts.push(h("div", { class: "row" }, h("button", { type: "button", class: "secondary", onclick: () => act.coarser(pv.coarserLayout.key) }, `Aufstellung „${pv.coarserLayout.label}“ verwenden`)));
  }
  if (pv.lines.length) {
    let pos = 0;
    const btn = (label, fn) => h("button", { type: "button", class: "linkbtn", onclick: fn }, label);
    const actions = (l) => {
      if (!act) return null;
      if (l.added) return [btn("Bearbeiten", () => act.editExtra(l)), btn("Entfernen", () => act.remove(l))];
      const out = [btn("Bearbeiten", () => act.edit(l)), btn("Entfernen", () => act.remove(l))];
      if (act.isEdited(l.key)) out.push(btn("Zurücksetzen", () => act.reset(l)));
      else if (!l.goodwill) out.push(btn("Als Kulanz", () => act.goodwill(l)));
      return out;
    };
    parts.push(h("div", { class: "table-wrap" }, h("table", { class: "data pv-lines" },
      h("thead", {}, h("tr", {}, ["Pos.", "Bezeichnung", "Menge", "Einheit", "Einzelpreis", "USt", "Betrag"].map((t, i) => h("th", { class: i >= 2 && i !== 3 ? "num" : null }, t)))),
      h("tbody", {}, pv.lines.map((l) => l.kind === "text"
        ? h("tr", { class: "pv-text" }, h("td", {}), h("td", { colspan: 6 }, h("strong", {}, l.name), l.description ? h("div", { class: "hint" }, l.description) : null))
        : h("tr", { class: [l.goodwill ? "pv-goodwill" : "", l.edited ? "pv-edited" : "", l.added ? "pv-added" : ""].filter(Boolean).join(" ") || null, dataset: { key: l.key } },
          h("td", { class: "num" }, String(++pos)),
          h("td", {}, h("div", {}, l.name), l.description ? h("div", { class: "hint pre" }, l.description) : null,
            l.rateSource ? h("div", { class: "hint rate-source" }, `Stundensatz: ${l.rateSource}`) : null,
            l.edited ? h("div", { class: "hint tag" }, "geändert für diese Rechnung") : null,
            l.added ? h("div", { class: "hint tag" }, "hinzugefügt") : null,
            act ? h("div", { class: "line-actions" }, actions(l)) : null),
          h("td", { class: "num" }, l.quantityDisplay || ""), h("td", { class: "nowrap" }, l.unit || ""),
          h("td", { class: "num" }, l.unitPriceDisplay || ""), h("td", { class: "num" }, l.taxRateDisplay || ""),
          h("td", { class: "num" }, l.amountDisplay || "", l.goodwillValueDisplay ? h("div", { class: "hint" }, l.goodwillValueDisplay) : null)))))));
  }
  if (act) parts.push(h("div", { class: "row pv-add" }, h("button", { type: "button", class: "secondary", onclick: () => act.add() }, "Position hinzufügen")));
  if (pv.removed.length && act) {
    parts.push(h("div", { class: "pv-removed" }, h("div", { class: "pv-label" }, "Entfernt (die Einträge bleiben offen)"),
      pv.removed.map((r) => h("div", { class: "row" }, h("span", {}, `${r.name} · ${r.amountDisplay}`),
        h("button", { type: "button", class: "linkbtn", onclick: () => act.restore(r.key) }, "Wiederherstellen")))));
  }
  if (pv.totals) {
    const t = pv.totals;
    parts.push(h("dl", { class: "pv-totals" },
      h("dt", {}, "Summe netto"), h("dd", {}, t.netDisplay),
      t.taxes.map((x) => [h("dt", {}, `zzgl. USt ${x.rateDisplay} auf ${x.netDisplay}`), h("dd", {}, x.taxDisplay)]),
      h("dt", { class: "gross" }, "Gesamtbetrag"), h("dd", { class: "gross" }, t.grossDisplay)));
    if (pv.smallBusiness) parts.push(h("p", { class: "hint" }, "Kleinunternehmer: Rechnung ohne Umsatzsteuer (§ 19 UStG)."));
    if (pv.taxRule) parts.push(h("div", { class: "alert info tax-rule" }, h("div", {}, pv.taxRule), pv.taxNote ? h("div", { class: "hint" }, pv.taxNote) : null));
    if (pv.labourSentence) parts.push(h("div", { class: "pv-labour" }, h("div", { class: "pv-label" }, "Im Schlusstext (§ 35a EStG)"), h("div", {}, pv.labourSentence)));
    if (pv.remarkReplaced) {
      parts.push(h("div", { class: "alert warn remark-replaced" }, h("div", {}, pv.remarkReplaced),
        act ? h("button", { type: "button", class: "linkbtn", onclick: () => act.toTexts() }, "Rechnungstexte öffnen") : null));
    }
  }
  replace(box, ...parts);
}
