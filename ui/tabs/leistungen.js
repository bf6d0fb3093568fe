// Einstellungen › Leistungen: the Leistungskatalog. Services billed again and
// again (Bezeichnung, Einheit, Einzelpreis, Steuersatz, Art), typed in or
// imported from lexoffice's articles; „Leistung erfassen“ offers them as you type.
import * as api from "../api.js";
import { h, replace, toast, formDialog, confirmDialog } from "../lib/dom.js";

const UNITS = ["Stunde", "Stück", "m", "m²", "km", "Pauschal"];

export function renderLeistungen(root) {
  const box = h("div", { class: "card-body" });
  const importBtn = h("button", { type: "button", class: "secondary", onclick: () => importArticles() }, "Artikel aus lexoffice importieren");
  root.append(
    h("section", { class: "card", "aria-labelledby": "catalog-title" },
      h("div", { class: "card-head spread" },
        h("h2", { id: "catalog-title" }, "Leistungskatalog"),
        h("div", { class: "row" }, importBtn,
          h("button", { type: "button", class: "secondary", onclick: () => itemForm(null) }, "Neue Leistung"))),
      box));

  async function load() {
    try { draw(await api.catalogList()); } catch (e) { replace(box, h("p", { class: "alert error" }, e.message)); }
  }

  function draw(list) {
    if (!list.length) {
      replace(box, h("div", { class: "empty small-empty" },
        h("h2", {}, "Noch keine Leistungen im Katalog"),
        h("p", {}, "Legen Sie wiederkehrende Leistungen wie Anfahrt, Kleinmaterial oder Entsorgung mit „Neue Leistung“ an, oder übernehmen Sie Ihre Artikel aus lexoffice. Beim Erfassen einer Leistung schlägt Zeitrechnung sie dann vor.")));
      return;
    }
    replace(box,
      h("div", { class: "table-wrap" }, h("table", { class: "data" },
        h("thead", {}, h("tr", {},
          ["Bezeichnung", "Einheit", "Einzelpreis", "Steuersatz", "Art", "Herkunft"].map((t, i) => h("th", { scope: "col", class: i === 2 || i === 3 ? "num" : null }, t)),
          h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Aktionen")))),
        h("tbody", {}, list.map((r) => h("tr", {},
          h("td", {}, r.name),
          h("td", { class: "nowrap" }, r.unit),
          h("td", { class: "num" }, r.unitPriceDisplay),
          h("td", { class: "num" }, r.taxRateDisplay),
          h("td", {}, r.artSet ? r.art : `${r.art} (nach Einheit)`),
          h("td", {}, r.source || "eigene"),
          h("td", { class: "actions-cell text-actions" },
            h("button", { type: "button", class: "linkbtn", onclick: () => itemForm(r) }, "Bearbeiten"),
            h("button", { type: "button", class: "linkbtn danger-link", onclick: () => remove(r) }, "Löschen"))))))),
      h("p", { class: "hint table-note" }, "Leistungen aus lexoffice-Artikeln kommen als Artikel auf den Rechnungsentwurf. Preise sind netto."));
  }

  async function itemForm(existing) {
    const saved = await formDialog({
      title: existing ? "Leistung bearbeiten" : "Neue Leistung",
      fields: [
        { key: "name", label: "Bezeichnung", full: true, attrs: { placeholder: "z. B. Anfahrt" } },
        { key: "unit", label: "Einheit", attrs: { list: "catalog-units", placeholder: "Stück" } },
        { key: "unitPrice", label: "Einzelpreis", attrs: { inputmode: "decimal", placeholder: "0,00" }, hint: "netto in €" },
        { key: "taxRate", label: "Steuersatz", type: "select", options: [["19", "19 %"], ["7", "7 %"], ["0", "0 %"]] },
        { key: "art", label: "Art", type: "select", options: [["", "nach Einheit"], ["Arbeit", "Arbeit"], ["Material", "Material"], ["Fahrt", "Fahrt"]] },
      ],
      values: existing
        ? { name: existing.name, unit: existing.unit, unitPrice: existing.unitPrice, taxRate: existing.taxRate, art: existing.artSet ? existing.art : "" }
        : { unit: "Stück", taxRate: "19", art: "" },
      extra: h("datalist", { id: "catalog-units" }, UNITS.map((u) => h("option", { value: u }))),
      submit: (v) => api.catalogSave({ id: existing ? existing.id : null, name: v.name, unit: v.unit, unitPrice: v.unitPrice, taxRate: v.taxRate, art: v.art }),
    });
    if (saved) {
      toast(existing ? "Leistung gespeichert" : "Leistung in den Katalog aufgenommen");
      draw(saved);
    }
  }

  async function remove(r) {
    const ok = await confirmDialog({ title: "Leistung löschen?", text: `„${r.name}“ wird aus dem Katalog entfernt. Bereits erfasste Leistungen bleiben unverändert.`, confirm: "Löschen", danger: true });
    if (!ok) return;
    try { draw(await api.catalogDelete(r.id)); toast("Leistung gelöscht"); } catch (e) { toast(e.message, "error"); }
  }

  async function importArticles() {
    importBtn.disabled = true;
    importBtn.textContent = "Artikel werden geladen …";
    try {
      const res = await api.catalogImport();
      draw(res.rows);
      toast(res.message);
    } catch (e) {
      toast(e.message, "error");
    } finally {
      importBtn.disabled = false;
      importBtn.textContent = "Artikel aus lexoffice importieren";
    }
  }

  load();
}
