import { h } from "../lib/dom.js";
import { renderSchnittstellen } from "./schnittstellen.js";
import { renderMitarbeiter } from "./mitarbeiter.js";
import { renderAbrechnung } from "./abrechnung.js";
import { renderLeistungen } from "./leistungen.js";
import { renderDatensicherung } from "./datensicherung.js";
import { renderMehrplatz } from "./mehrplatz.js";
import { renderUeber } from "./ueber.js";

const tabs = [
  { id: "schnittstellen", label: "Schnittstellen", render: renderSchnittstellen },
  { id: "mitarbeiter", label: "Mitarbeiter", render: renderMitarbeiter },
  { id: "abrechnung", label: "Abrechnung", render: renderAbrechnung },
  { id: "leistungen", label: "Leistungen", render: renderLeistungen },
  { id: "datensicherung", label: "Datensicherung", render: renderDatensicherung },
  { id: "mehrplatz", label: "Mehrplatz", render: renderMehrplatz },
  { id: "ueber", label: "Über Zeitrechnung", render: renderUeber },
];

export function renderEinstellungen(root, opts = {}) {
  const content = h("div", { class: "settings-content" });
  const tablist = h("div", { class: "settings-tabs", role: "tablist", "aria-label": "Einstellungen" });
  const select = (tab) => {
    for (const b of tablist.children) b.setAttribute("aria-selected", String(b.dataset.tab === tab.id));
    content.replaceChildren();
    tab.render(content, tab.id === opts.tab ? opts : {});
  };
  for (const t of tabs) {
    tablist.append(h("button", { type: "button", role: "tab", class: "settings-tab", dataset: { tab: t.id }, onclick: () => select(t) }, t.label));
  }
  root.append(
    h("section", { class: "page" },
      h("div", { class: "page-head" }, h("h1", {}, "Einstellungen")),
      h("div", { class: "settings" }, tablist, content)),
  );
  select(tabs.find((t) => t.id === opts.tab) || tabs[0]);
}
