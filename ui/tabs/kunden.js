// Kunden: list (virtualised), search, archive switch, detail, Neuer Kunde,
// and "Kunden importieren › lexoffice Import" with progress and summary.
import * as api from "../api.js";
import { h, replace, toast, field, showFieldError, changedMeanwhile } from "../lib/dom.js";
import { formatCount, countLabel } from "../lib/format.js";
import { renderRateRules } from "../lib/raterules.js";
import { undoToast } from "../lib/undo.js";

const ROW_HEIGHT = 40;

/** The detail pane while no customer is chosen. */
const noSelection = () => h("p", { class: "muted pad" }, "Wählen Sie einen Kunden, um seine Details zu sehen.");
const OVERSCAN = 8;

// Survives tab switches while the app runs.
const state = {
  rows: [],
  haystacks: [],
  query: "",
  showArchived: false,
  selectedId: null,
  importing: false,
  progress: null,
  lastSummary: null,
  // The Kunden view currently on screen (a running import reports to it, even
  // after the user switched tabs and came back).
  view: null,
};

export function renderKunden(root, { navigate }) {
  const countEl = h("span", { class: "count", "aria-live": "polite" });
  const search = field("Suche", { type: "search", placeholder: "Name, Nummer, Ort oder E-Mail", autocomplete: "off" });
  search.input.value = state.query;
  const archivedBox = h("input", { type: "checkbox", id: "show-archived" });
  archivedBox.checked = state.showArchived;
  const importArea = h("div", { class: "import-area" });
  const listWrap = h("div", { class: "customer-list", role: "table", "aria-label": "Kunden" });
  const detail = h("aside", { class: "customer-detail", "aria-label": "Kundendetails" });
  const body = h("div", { class: "kunden-body" });

  const menu = h("div", { class: "menu", role: "menu", hidden: true },
    h("button", { type: "button", role: "menuitem", onclick: () => { closeMenu(); startImport(); } }, "lexoffice Import"));
  const importBtn = h("button", {
    type: "button", class: "primary has-caret", "aria-haspopup": "menu", "aria-expanded": "false",
    onclick: (e) => { e.stopPropagation(); menu.hidden ? openMenu() : closeMenu(); },
  }, "Kunden importieren");
  function openMenu() {
    menu.hidden = false; importBtn.setAttribute("aria-expanded", "true");
    menu.querySelector("button").focus();
    setTimeout(() => document.addEventListener("click", closeMenu, { once: true }));
  }
  function closeMenu() { menu.hidden = true; importBtn.setAttribute("aria-expanded", "false"); }
  menu.addEventListener("keydown", (e) => { if (e.key === "Escape") { closeMenu(); importBtn.focus(); } });

  root.append(
    h("section", { class: "page page-wide" },
      h("div", { class: "page-head" },
        h("div", { class: "title-count" }, h("h1", {}, "Kunden"), countEl),
        h("div", { class: "row" },
          h("button", { type: "button", class: "secondary", onclick: () => openCustomerForm(null, afterSave) }, "Neuer Kunde"),
          h("div", { class: "menu-wrap" }, importBtn, menu))),
      importArea,
      body),
  );

  const toolbar = h("div", { class: "toolbar" },
    search.wrap,
    h("label", { class: "switch", for: "show-archived" }, archivedBox, h("span", {}, "Archivierte anzeigen")));

  // --- list -----------------------------------------------------------------
  const header = h("div", { class: "row-grid head", role: "row" },
    ["Kundennummer", "Name", "Ansprechpartner", "Ort", "E-Mail", "Quelle"].map((t) => h("div", { role: "columnheader" }, t)));
  const viewport = h("div", { class: "viewport", tabindex: "0" });
  const spacer = h("div", { class: "spacer" });
  const windowEl = h("div", { class: "window", role: "rowgroup" });
  spacer.append(windowEl);
  viewport.append(spacer);
  listWrap.append(header, viewport);

  let visible = [];
  function applyFilter() {
    const q = state.query.trim().toLowerCase();
    visible = [];
    for (let i = 0; i < state.rows.length; i++) {
      const r = state.rows[i];
      if (!state.showArchived && r.archived) continue;
      if (q && !state.haystacks[i].includes(q)) continue;
      visible.push(r);
    }
    countEl.textContent = countLabel(visible.length, "Kunde", "Kunden");
    spacer.style.height = `${visible.length * ROW_HEIGHT}px`;
    drawWindow();
  }

  function drawWindow() {
    const top = viewport.scrollTop;
    const height = viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(visible.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    windowEl.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const rows = [];
    for (let i = first; i < last; i++) rows.push(rowEl(visible[i]));
    windowEl.replaceChildren(...rows);
    if (!visible.length && state.rows.length) {
      windowEl.replaceChildren(h("div", { class: "no-match" }, "Keine Kunden gefunden. Suche ändern oder „Archivierte anzeigen“ einschalten."));
    }
  }

  function rowEl(r) {
    const badges = [];
    if (r.archived) badges.push(h("span", { class: "badge muted-badge" }, "archiviert"));
    if (r.missingInLexoffice) badges.push(h("span", { class: "badge warn-badge" }, "nicht mehr in lexoffice"));
    const el = h("div", {
      class: `row-grid${r.id === state.selectedId ? " selected" : ""}`, role: "row", tabindex: "-1",
      dataset: { id: String(r.id) },
      onclick: () => select(r.id),
    },
      h("div", { role: "cell" }, r.number || "–"),
      h("div", { role: "cell", class: "name-cell", title: r.name }, h("span", { class: "ellipsis" }, r.name), ...badges),
      h("div", { role: "cell", title: r.contactPerson }, r.contactPerson),
      h("div", { role: "cell", title: r.city }, r.city),
      h("div", { role: "cell", title: r.email }, r.email),
      h("div", { role: "cell" }, h("span", { class: `source ${r.source}` }, r.source)));
    return el;
  }

  let raf = 0;
  viewport.addEventListener("scroll", () => {
    if (raf) return;
    raf = requestAnimationFrame(() => { raf = 0; drawWindow(); });
  });
  window.addEventListener("resize", drawWindow);
  search.input.addEventListener("input", () => { state.query = search.input.value; viewport.scrollTop = 0; applyFilter(); });
  archivedBox.addEventListener("change", () => { state.showArchived = archivedBox.checked; applyFilter(); });
  viewport.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const idx = visible.findIndex((r) => r.id === state.selectedId);
    const next = visible[Math.max(0, Math.min(visible.length - 1, idx + (e.key === "ArrowDown" ? 1 : -1)))];
    if (next) {
      select(next.id);
      const pos = visible.indexOf(next) * ROW_HEIGHT;
      if (pos < viewport.scrollTop) viewport.scrollTop = pos;
      else if (pos + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = pos + ROW_HEIGHT - viewport.clientHeight;
    }
  });

  // --- detail ---------------------------------------------------------------
  async function select(id) {
    state.selectedId = id;
    drawWindow();
    replace(detail, h("p", { class: "muted" }, "Wird geladen …"));
    try {
      const d = await api.customerGet(id);
      if (state.selectedId === id) renderDetail(detail, d, afterSave, afterDelete);
    } catch (e) {
      replace(detail, h("p", { class: "alert error" }, e.message));
    }
  }

  async function afterSave(saved) {
    await load();
    if (saved) select(saved.id);
  }

  /** After „Löschen“: the list without it, „Rückgängig“ brings it back selected. */
  async function afterDelete(id, r) {
    state.selectedId = null;
    replace(detail, noSelection());
    undoToast(r.message, r.undo, () => afterSave({ id }));
    await load();
  }

  // --- import ---------------------------------------------------------------
  function drawImportArea() {
    if (state.importing) {
      const p = state.progress;
      const label = p ? p.label : "Verbindung zu lexoffice …";
      // totalPages 0: the search past lexoffice's 10,000 window, length unknown.
      const bar = h("progress", { max: p && p.totalPages ? p.totalPages : 1, "aria-label": "Fortschritt des Imports" });
      if (p && p.totalPages) bar.value = p.page; else bar.removeAttribute("value");
      const cancelBtn = h("button", {
        type: "button", class: "secondary",
        onclick: async () => { cancelBtn.disabled = true; cancelBtn.textContent = "Wird abgebrochen …"; await api.customersImportCancel().catch(() => {}); },
      }, "Abbrechen");
      replace(importArea, h("div", { class: "import-panel", role: "status" },
        h("div", { class: "import-text" }, h("strong", {}, "lexoffice Import läuft"), h("span", {}, label)),
        bar, cancelBtn));
    } else if (state.lastSummary) {
      const s = state.lastSummary;
      const cls = s.error ? "error" : s.cancelled ? "warn" : "ok";
      replace(importArea, h("div", { class: `alert ${cls} summary`, role: "status" },
        h("div", { class: "summary-text" }, s.message),
        s.error || s.cancelled || !s.completed ? null : h("div", { class: "summary-grid" },
          [["neu", s.new], ["aktualisiert", s.updated], ["unverändert", s.unchanged], ["verknüpft", s.linked], ["archiviert", s.archived], ["nicht mehr in lexoffice", s.missing]]
            .map(([k, v]) => h("div", { class: "stat" }, h("strong", {}, formatCount(v)), h("span", {}, k)))),
        h("button", { type: "button", class: "linkbtn", onclick: () => { state.lastSummary = null; drawImportArea(); } }, "Schließen")));
    } else {
      importArea.replaceChildren();
    }
  }

  async function startImport() {
    if (state.importing) return;
    state.importing = true;
    state.progress = null;
    state.lastSummary = null;
    importBtn.disabled = true;
    drawImportArea();
    try {
      let lastReload = 0;
      const summary = await api.customersImport((p) => {
        state.progress = p;
        const v = state.view;
        if (!v || !v.isOnScreen()) return;
        v.drawImportArea();
        // Show the customers as they arrive, without reloading on every page.
        if (Date.now() - lastReload > 1500) { lastReload = Date.now(); v.load(); }
      });
      state.lastSummary = summary;
    } catch (e) {
      state.lastSummary = { message: e.message, error: e, completed: false };
      if (e.kind === "notConnected") {
        toast("Bitte zuerst unter Einstellungen › Schnittstellen mit lexoffice verbinden.", "error");
      }
    } finally {
      state.importing = false;
    }
    const v = state.view;
    if (v && v.isOnScreen()) {
      v.setImportEnabled(true);
      v.drawImportArea();
      await v.load();
    }
  }

  // --- data -----------------------------------------------------------------
  async function load() {
    try {
      state.rows = await api.customersList();
    } catch (e) {
      replace(body, h("p", { class: "alert error" }, e.message));
      return;
    }
    state.haystacks = state.rows.map((r) => `${r.name}\n${r.number}\n${r.city}\n${r.email}`.toLowerCase());
    if (!state.rows.length) {
      countEl.textContent = "0 Kunden";
      replace(body, h("div", { class: "empty" },
        h("h2", {}, "Noch keine Kunden"),
        h("p", {}, "Holen Sie Ihre Kunden mit „Kunden importieren › lexoffice Import“ aus lexoffice – dafür muss Zeitrechnung unter Einstellungen › Schnittstellen verbunden sein. Oder legen Sie einen Kunden von Hand an."),
        h("div", { class: "row center" },
          h("button", { type: "button", class: "secondary", onclick: () => navigate("einstellungen") }, "Zu den Schnittstellen"),
          h("button", { type: "button", class: "secondary", onclick: () => openCustomerForm(null, afterSave) }, "Neuer Kunde"))));
      return;
    }
    if (!body.contains(listWrap)) {
      replace(body, h("div", { class: "list-col" }, toolbar, listWrap), detail);
      if (!state.selectedId) replace(detail, noSelection());
    }
    applyFilter();
    if (state.selectedId && !detail.dataset.loaded) select(state.selectedId);
  }

  state.view = {
    isOnScreen: () => importArea.isConnected,
    drawImportArea,
    load,
    setImportEnabled: (on) => { importBtn.disabled = !on; },
  };
  importBtn.disabled = state.importing;
  drawImportArea();
  load();
}

function renderDetail(box, d, afterSave, afterDelete) {
  const c = d;
  const a = c.address || {};
  const addressLines = [a.supplement, a.street, [a.zip, a.city].filter(Boolean).join(" "), a.countryCode && a.countryCode !== "DE" ? a.countryCode : ""]
    .filter((l) => l && l.trim());
  const facts = [
    ["Art", c.kind === "person" ? "Person" : "Firma"],
    ["Kundennummer", c.number || "–"],
    ["Ansprechpartner", c.contactPerson || "–"],
    ["Rechnungsadresse", addressLines.length ? addressLines.map((l, i) => [i ? h("br") : null, l]) : "–"],
    ["E-Mail", c.email || "–"],
    ["Telefon", c.phone || "–"],
    ["Quelle", d.sourceLabel],
  ];
  if (c.vatId) facts.push(["USt-IdNr.", c.vatId]);
  if (c.lexofficeId) facts.push(["Zuletzt aus lexoffice übernommen", d.lastImported || "–"]);
  const badges = [];
  if (c.archived) badges.push(h("span", { class: "badge muted-badge" }, "archiviert"));
  if (c.missingInLexoffice) badges.push(h("span", { class: "badge warn-badge" }, "nicht mehr in lexoffice"));
  const rateId = `cust-rate-${c.id}`;
  const rateInput = h("input", { id: rateId, type: "text", inputmode: "decimal", autocomplete: "off", placeholder: "leer" });
  rateInput.value = d.hourlyRateDisplay || "";
  const rateErr = h("p", { class: "field-error", role: "alert", hidden: true });
  const rateForm = h("form", {
    class: "rate-inline", novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      rateErr.hidden = true;
      try {
        const saved = await api.customerSetRate(c.id, rateInput.value);
        rateInput.value = saved.hourlyRateDisplay || "";
        toast(saved.hourlyRateDisplay ? `Stundensatz ${saved.hourlyRateDisplay} €/h für diesen Kunden gespeichert` : "Kundenstundensatz entfernt");
        renderRateRules(rulesBox, { customerId: c.id });
      } catch (e) { rateErr.textContent = e.message; rateErr.hidden = false; }
    },
  },
    h("label", { for: rateId }, "Stundensatz des Kunden"),
    h("div", { class: "row" }, h("div", { class: "with-suffix" }, rateInput, h("span", { class: "suffix" }, "€/h")), h("button", { type: "submit", class: "secondary" }, "Speichern")),
    h("p", { class: "hint" }, "Gilt für seine Projekte, wenn diese keinen eigenen Satz haben."),
    rateErr);
  // „Steuerart“ (with the suggestion from country and VAT id, never applied by
  // itself) and „Privatkunde (§35a)“.
  const taxId = `cust-tax-${c.id}`;
  const privId = `cust-35a-${c.id}`;
  const taxSelect = h("select", { id: taxId }, d.taxCases.map((t) => h("option", { value: t.key }, t.label)));
  taxSelect.value = d.taxCaseKey;
  const priv = h("input", { id: privId, type: "checkbox" });
  priv.checked = Boolean(c.tax && c.tax.private35a);
  const taxErr = h("p", { class: "field-error", role: "alert", hidden: true });
  const saveTax = async () => {
    taxErr.hidden = true;
    try {
      const saved = await api.customerSetTax(c.id, taxSelect.value, priv.checked);
      toast(`Steuerart „${saved.taxCases.find((t) => t.key === saved.taxCaseKey).label}“${saved.tax.private35a ? ", Privatkunde (§35a)" : ""} gespeichert`);
      renderDetail(box, saved, afterSave, afterDelete);
    } catch (e) { taxErr.textContent = e.message; taxErr.hidden = false; }
  };
  const taxForm = h("form", { class: "rate-inline tax-inline", novalidate: true, onsubmit: (ev) => { ev.preventDefault(); saveTax(); } },
    h("label", { for: taxId }, "Steuerart"),
    h("div", { class: "row" }, taxSelect, h("button", { type: "submit", class: "secondary" }, "Speichern")),
    h("p", { class: "hint" }, d.vatIdDisplay),
    d.taxSuggestion
      ? h("div", { class: "row suggestion" }, h("span", {}, d.taxSuggestion.text),
        h("button", { type: "button", class: "linkbtn", onclick: () => { taxSelect.value = d.taxSuggestion.key; saveTax(); } }, "Übernehmen"))
      : null,
    h("label", { class: "switch", for: privId }, priv, h("span", {}, "Privatkunde (§35a)")),
    h("p", { class: "hint" }, "Die Rechnung zeigt Arbeitskosten und Materialkosten getrennt und nennt die Arbeitskosten im Schlusstext (Steuerermäßigung für Handwerkerleistungen)."),
    taxErr);
  priv.addEventListener("change", saveTax);
  // „Stundensätze je Rolle“, later changes of the rate, own Abrechnungstakt.
  const rulesBox = h("div", { class: "customer-rules" });
  renderRateRules(rulesBox, { customerId: c.id });
  replace(box,
    h("div", { class: "detail-head" }, h("h2", { class: "detail-name" }, c.name), h("div", { class: "badges" }, badges)),
    d.notice ? h("div", { class: "alert warn" }, d.notice) : null,
    h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    d.changedHint ? h("p", { class: "hint changed-hint" }, d.changedHint) : null,
    h("div", { class: "row wrap detail-actions" },
      c.lexofficeId
        ? h("button", { type: "button", class: "secondary", onclick: () => api.customerOpenLexoffice(c.id).catch((e) => toast(e.message, "error")) }, "In lexoffice öffnen")
        : null,
      // Opened on the customer as stored now (a Stundensatz or rules saved
      // here since, or a change at another seat, gave it a new version).
      h("button", { type: "button", class: "secondary", onclick: async () => {
        try { openCustomerForm(await api.customerGet(c.id), afterSave); } catch (e) { toast(e.message, "error"); }
      } }, "Bearbeiten"),
      d.canCreateInLexoffice
        ? pushButton("In lexoffice anlegen", () => api.customerPush(c.id, "create"))
        : null,
      d.canUpdateInLexoffice
        ? pushButton("In lexoffice aktualisieren", () => api.customerPush(c.id, "update"))
        : null,
      // No question first: „Rückgängig“ brings it back for 10 seconds.
      h("button", {
        type: "button", class: "secondary danger-text",
        onclick: async () => {
          try { await afterDelete(c.id, await api.customerDelete(c.id)); } catch (e) { toast(e.message, "error"); }
        },
      }, "Löschen")),
    rateForm,
    taxForm,
    rulesBox);
  box.dataset.loaded = "1";

  // „In lexoffice anlegen“ / „In lexoffice aktualisieren“: disabled while
  // under way (one push at a time), then the outcome is handled.
  function pushButton(label, run) {
    const btn = h("button", {
      type: "button", class: "primary",
      onclick: async () => {
        btn.disabled = true;
        btn.textContent = "Wird übertragen …";
        try { await handleOutcome(c.id, await run(), afterSave); }
        catch (e) { toast(e.message, "error"); }
        finally { btn.disabled = false; btn.textContent = label; }
      },
    }, label);
    return btn;
  }
}

/** A push outcome: toast and refresh, or one of the two questions. */
async function handleOutcome(id, out, afterSave) {
  if (out.outcome === "done") {
    toast(out.message);
    await afterSave(out.detail);
  } else if (out.outcome === "duplicates") {
    await duplicatesDialog(id, out, afterSave);
  } else if (out.outcome === "conflict") {
    await conflictDialog(id, out, afterSave);
  }
}

/** A small modal with a title, body nodes and a row of buttons. */
function modal(title, body, buttons) {
  const dlg = h("dialog", { class: "modal", "aria-labelledby": "push-dlg-title" });
  const close = () => { dlg.close(); dlg.remove(); };
  const error = h("p", { class: "alert error", role: "alert", hidden: true });
  const run = async (btn, fn) => {
    for (const b of dlg.querySelectorAll("button")) b.disabled = true;
    error.hidden = true;
    try { await fn(close); }
    catch (e) { error.textContent = e.message; error.hidden = false; }
    finally { for (const b of dlg.querySelectorAll("button")) b.disabled = false; }
  };
  dlg.append(
    h("h2", { id: "push-dlg-title" }, title),
    ...body(run),
    error,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: close }, "Abbrechen"),
      ...buttons.map(([label, fn, cls]) => {
        const b = h("button", { type: "button", class: cls || "secondary", onclick: () => run(b, fn) }, label);
        return b;
      })));
  dlg.addEventListener("cancel", (e) => { e.preventDefault(); close(); });
  document.body.append(dlg);
  dlg.showModal();
}

/** „Gibt es schon in lexoffice“: link one of the matches, or create anyway. */
function duplicatesDialog(id, out, afterSave) {
  modal("Kunde schon in lexoffice?", (run) => [
    h("p", {}, out.message),
    h("ul", { class: "match-list" }, out.matches.map((m) => {
      const b = h("button", {
        type: "button", class: "secondary",
        onclick: () => run(b, async (close) => {
          const done = await api.customerLink(id, m.contactId);
          close();
          await handleOutcome(id, done, afterSave);
        }),
      }, "Mit diesem Kontakt verknüpfen");
      return h("li", { class: "match" },
        h("div", {}, h("strong", {}, m.name), h("br"), `Kundennummer ${m.number} · ${m.address}`),
        b);
    })),
  ], [["Trotzdem neu anlegen", async (close) => {
    const done = await api.customerPush(id, "createAnyway");
    close();
    await handleOutcome(id, done, afterSave);
  }]]);
}

/** 409: lexoffice changed meanwhile; take lexoffice's data or send ours. */
function conflictDialog(id, out, afterSave) {
  modal("In lexoffice inzwischen geändert", () => [
    h("p", {}, out.message),
    h("ul", { class: "diff-list" }, out.differences.map((d) => h("li", {}, d.text))),
  ], [
    ["lexoffice-Stand übernehmen", async (close) => {
      const done = await api.customerTakeLexoffice(id);
      close();
      await handleOutcome(id, done, afterSave);
    }],
    ["Meine Änderungen senden", async (close) => {
      const done = await api.customerPush(id, "updateAnyway", out.version);
      close();
      await handleOutcome(id, done, afterSave);
    }, "primary"],
  ]);
}

const FORM_FIELDS = [
  ["name", "Name", { required: true }],
  ["number", "Kundennummer", {}],
  ["contactPerson", "Ansprechpartner", {}],
  ["supplement", "Adresszusatz", {}],
  ["street", "Straße", {}],
  ["zip", "PLZ", { inputmode: "numeric" }],
  ["city", "Ort", {}],
  ["countryCode", "Land", { maxlength: 6, placeholder: "DE" }],
  ["email", "E-Mail", { type: "email" }],
  ["phone", "Telefon", { type: "tel" }],
  ["vatId", "USt-IdNr.", { placeholder: "z. B. DE123456789" }],
];

/** Neuer Kunde / Bearbeiten in a modal dialog. */
function openCustomerForm(existing, afterSave) {
  const dlg = h("dialog", { class: "modal form-modal", "aria-labelledby": "cust-form-title" });
  const fields = {};
  const kindId = "cust-kind";
  const kind = h("select", { id: kindId },
    h("option", { value: "company" }, "Firma"), h("option", { value: "person" }, "Person"));
  const grid = h("div", { class: "form-grid" },
    h("div", { class: "field" }, h("label", { for: kindId }, "Art"), kind));
  for (const [key, label, attrs] of FORM_FIELDS) {
    const f = field(label, { type: "text", autocomplete: "off", ...attrs });
    fields[key] = f;
    grid.append(f.wrap);
    f.wrap.classList.add(`f-${key}`);
  }
  if (existing) {
    kind.value = existing.kind;
    // Linked: lexoffice assigns the Kundennummer, the Art cannot change there.
    if (existing.lexofficeId) { kind.disabled = true; fields.number.input.disabled = true; }
    const a = existing.address || {};
    const values = { ...existing, ...a };
    for (const key of Object.keys(fields)) fields[key].input.value = values[key] || "";
  } else {
    fields.countryCode.input.value = "DE";
  }
  const formError = h("div", { class: "alert error", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "primary" }, "Speichern");
  const close = () => { dlg.close(); dlg.remove(); };
  const form = h("form", {
    method: "dialog", novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      for (const f of Object.values(fields)) showFieldError(f, "");
      formError.hidden = true;
      const input = { kind: kind.value };
      for (const [key, f] of Object.entries(fields)) input[key] = f.input.value;
      if (existing) { input.id = existing.id; input.version = existing.version; }
      save.disabled = true;
      try {
        const saved = await api.customerSave(input);
        close();
        toast(existing ? "Kunde gespeichert" : `Kunde „${saved.name}“ angelegt`);
        afterSave(saved);
      } catch (e) {
        if (e.kind === "changed") { close(); changedMeanwhile(e); return; }
        const target = e.fieldKey ? fields[e.fieldKey] : null;
        if (target) { showFieldError(target, e.message); target.input.focus(); }
        else { formError.textContent = e.message; formError.hidden = false; }
      } finally {
        save.disabled = false;
      }
    },
  },
    h("h2", { id: "cust-form-title" }, existing ? "Kunde bearbeiten" : "Neuer Kunde"),
    grid, formError,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: close }, "Abbrechen"),
      save));
  dlg.append(form);
  dlg.addEventListener("cancel", (e) => { e.preventDefault(); close(); });
  document.body.append(dlg);
  dlg.showModal();
  fields.name.input.focus();
}
