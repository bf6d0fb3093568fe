// Einstellungen › Über Zeitrechnung: version and where data and logs live.
import * as api from "../api.js";
import { h, replace } from "../lib/dom.js";
import { SHORTCUTS } from "../lib/shortcuts.js";

export function renderUeber(root) {
  const body = h("div", { class: "card-body" }, h("p", { class: "muted" }, "Wird geladen …"));
  root.append(h("section", { class: "card" },
    h("div", { class: "card-head" }, h("img", { src: "logo.svg", alt: "", width: 28, height: 28 }), h("h2", {}, "Über Zeitrechnung")),
    body));
  api.appInfo().then((i) => {
    replace(body,
      h("p", {}, i.description),
      h("dl", { class: "facts" },
        [["Version", i.version], ["Datenordner", i.dataDir || "–"], ["Protokolle", i.logDir || "–"],
         ["Automatische Sicherungen", i.backupDir || "–"], ["lexoffice-Schnittstelle", i.lexofficeApi || "–"]]
          .map(([k, v]) => [h("dt", {}, k), h("dd", { class: "mono" }, v)])),
      h("p", { class: "hint" }, "Der API-Key liegt nur im Schlüsselbund des Systems, nie im Datenordner."),
      h("h3", {}, "Tastenkürzel"),
      h("table", { class: "data shortcuts" },
        h("thead", {}, h("tr", {}, h("th", {}, "Tasten"), h("th", {}, "Aktion"))),
        h("tbody", {}, SHORTCUTS.map(([keys, what]) => h("tr", {}, h("td", {}, h("kbd", {}, keys)), h("td", {}, what))))),
      h("p", { class: "hint" }, "In Formularen: Tab springt zum nächsten Feld, Enter speichert, Esc bricht ab. Datumsfelder verstehen auch „heute“, „gestern“ und „12.3.“; Uhrzeiten „730“, „7.30“ oder „7:30“."));
  }).catch((e) => replace(body, h("p", { class: "alert error" }, e.message)));
}
