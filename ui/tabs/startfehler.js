// The start-up failure screen: shown instead of the app when the data dir or the
// database cannot be opened. It says what is wrong and what to do; nothing here
// deletes or overwrites data.
import * as api from "../api.js";
import { h, replace, toast } from "../lib/dom.js";

/** @param {HTMLElement} root @param {import("../api.js").StartupFailure} f */
export function renderStartupFailure(root, f) {
  document.querySelector(".mainnav")?.setAttribute("hidden", "");
  document.getElementById("settings-button")?.setAttribute("hidden", "");
  document.title = "Zeitrechnung – Start fehlgeschlagen";

  const restoreBox = h("div", { class: "restore-box", hidden: true });
  const buttons = h("div", { class: "row wrap" },
    f.canRetry
      ? h("button", { type: "button", class: "primary", onclick: () => api.startupRetry().catch((e) => toast(e.message, "error")) }, "Erneut versuchen")
      : null,
    h("button", { type: "button", class: "secondary", onclick: () => api.startupOpenDataDir().catch((e) => toast(e.message, "error")) }, "Datenordner öffnen"),
    f.canRestore
      ? h("button", { type: "button", class: "primary", onclick: () => { restoreBox.hidden = false; input.focus(); } }, "Sicherung wiederherstellen")
      : null,
    h("button", { type: "button", class: "secondary", onclick: () => api.startupQuit().catch((e) => toast(e.message, "error")) }, "Beenden"));

  const input = h("input", { id: "startup-backup", type: "text", autocomplete: "off", value: f.suggestedBackup || "", placeholder: "/home/…/zeitrechnung-sicherung.json" });
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const go = h("button", { type: "button", class: "primary" }, "Wiederherstellen und neu starten");
  go.addEventListener("click", async () => {
    error.hidden = true;
    go.disabled = true;
    try {
      await api.startupRestore(input.value);
      replace(restoreBox, h("p", { class: "alert ok" }, "Sicherung wiederhergestellt. Zeitrechnung startet neu …"));
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      go.disabled = false;
    }
  });
  replace(restoreBox,
    h("p", {}, "Die beschädigte Datenbank wird beiseitegelegt, nicht gelöscht. Zeitrechnung beginnt danach mit den Daten der gewählten Sicherung."),
    h("div", { class: "field wide-field" },
      h("label", { for: "startup-backup" }, "Sicherungsdatei"),
      h("div", { class: "row" }, input,
        h("button", { type: "button", class: "secondary", onclick: async () => {
          try { const p = await api.backupPickFile(false); if (p) input.value = p; } catch (e) { toast(e.message, "error"); }
        } }, "Durchsuchen …")),
      error),
    h("div", { class: "row" }, go));

  root.append(
    h("section", { class: "card startup-failure", role: "alert" },
      h("div", { class: "card-head" }, h("h1", {}, f.heading)),
      h("div", { class: "card-body" },
        h("p", { class: "cause" }, f.cause),
        h("p", {}, f.advice),
        f.dataDir ? h("p", { class: "hint" }, `Datenordner: ${f.dataDir}`) : null,
        buttons,
        restoreBox)));
}
