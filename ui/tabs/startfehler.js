// The start-up failure screen: shown instead of the app when the data dir or the
// database cannot be opened. It says what is wrong and what to do; nothing here
// deletes or overwrites data.
import * as api from "../api.js";
import { h, replace, toast, confirmDialog } from "../lib/dom.js";
import { serverForm } from "./mehrplatz.js";

/** @param {HTMLElement} root @param {import("../api.js").StartupFailure} f */
export function renderStartupFailure(root, f) {
  document.querySelector(".mainnav")?.setAttribute("hidden", "");
  document.getElementById("settings-button")?.setAttribute("hidden", "");
  document.title = "Zeitrechnung – Start fehlgeschlagen";

  const restoreBox = h("div", { class: "restore-box", hidden: true });
  const serverBox = f.server ? renderServerBox(f.server) : null;
  const buttons = h("div", { class: "row wrap" },
    f.canRetry
      ? h("button", { type: "button", class: "primary", onclick: () => api.startupRetry().catch((e) => toast(e.message, "error")) }, "Erneut versuchen")
      : null,
    serverBox
      ? h("button", { type: "button", class: "secondary", onclick: () => { serverBox.hidden = false; serverBox.querySelector("input")?.focus(); } }, "Einstellungen öffnen")
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
        serverBox,
        restoreBox)));
}

/** „Einstellungen öffnen“ when this PC's database server could not be
 *  reached: correct the fields (a new password, another address) or start
 *  with the data of this PC. */
function renderServerBox(server) {
  const box = h("div", { class: "restore-box", hidden: true });
  const form = serverForm(server);
  const buttons = [];
  const button = (label, cls, action) => {
    const b = h("button", { type: "button", class: cls, onclick: async () => {
      form.clearErrors();
      for (const x of buttons) x.disabled = true;
      try { await action(); } catch (e) { form.showError(e); } finally { for (const x of buttons) x.disabled = false; }
    } }, label);
    buttons.push(b);
    return b;
  };
  replace(box,
    h("h2", {}, "Mehrplatz"),
    h("p", {}, "Die Verbindung zur Datenbank auf dem Server, wie dieser PC sie kennt. Hat sich das Passwort oder die Adresse geändert, hier korrigieren."),
    ...form.nodes,
    h("div", { class: "row wrap" },
      button("Verbindung prüfen", "secondary", async () => form.showCheck(await api.startupServerCheck(form.values()))),
      button("Speichern und neu starten", "primary", async () => {
        await api.startupServerSave(form.values());
        replace(form.result, h("p", { class: "alert ok" }, "Gespeichert. Zeitrechnung startet neu …"));
      }),
      button("Mit den Daten dieses PCs starten", "secondary", async () => {
        const ok = await confirmDialog({
          title: "Mit den Daten dieses PCs starten?",
          text: "Dieser PC arbeitet dann wieder als Einzelplatz mit seinen eigenen Daten – dem Stand, bevor er mit dem Server verbunden wurde. Was seitdem auf dem Server erfasst wurde, fehlt hier. Die Daten auf dem Server bleiben unverändert.",
          confirm: "Mit den Daten dieses PCs starten",
        });
        if (!ok) return;
        await api.startupUseLocal();
      })),
    form.result);
  return box;
}
