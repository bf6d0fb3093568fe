// Einstellungen › Datensicherung: create a backup file, restore one, and the
// list of automatic daily backups.
import * as api from "../api.js";
import { h, replace, toast, confirmDialog } from "../lib/dom.js";
import { countLabel } from "../lib/format.js";

/** A file field. `save`: the file to write is chosen only with „Durchsuchen …“
 *  (the field shows it, read-only, and keeps its token); a file to read may
 *  also be typed. */
function pathField(id, label, placeholder, save) {
  const input = h("input", { id, type: "text", autocomplete: "off", placeholder, readonly: save });
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const field = { input, error, token: "", wrap: null };
  field.wrap = h("div", { class: "field wide-field" },
    h("label", { for: id }, label),
    h("div", { class: "row" }, input,
      h("button", { type: "button", class: "secondary", onclick: async () => {
        try {
          const p = await api.backupPickFile(save);
          if (p) { input.value = p.display; field.token = p.token; error.hidden = true; }
        } catch (e) { toast(e.message, "error"); }
      } }, "Durchsuchen …")),
    error);
  return field;
}

/** Restores; a backup whose billing does not add up is repaired only after
 *  „Reparieren und wiederherstellen“. Null when the user said no. */
async function restoreAsking(path) {
  try {
    return await api.backupRestore(path);
  } catch (e) {
    if (e.kind !== "confirm" || e.fieldKey !== "backup") throw e;
    const yes = await confirmDialog({ title: "Sicherung reparieren?", text: e.message, confirm: "Reparieren und wiederherstellen", danger: true });
    return yes ? api.backupRestore(path, true) : null;
  }
}

export function renderDatensicherung(root) {
  const target = pathField("backup-target", "Speicherort", "Bitte mit „Durchsuchen …“ wählen", true);
  const source = pathField("backup-source", "Sicherungsdatei", "/home/…/zeitrechnung-sicherung.json", false);
  const autoBox = h("div", {});
  const createBtn = h("button", { type: "button", class: "primary" }, "Sicherung erstellen");
  const restoreBtn = h("button", { type: "button", class: "secondary danger-text" }, "Sicherung wiederherstellen");

  createBtn.addEventListener("click", async () => {
    target.error.hidden = true;
    createBtn.disabled = true;
    try {
      const r = await api.backupCreate(target.token);
      toast(r.message);
      loadInfo();
    } catch (e) { target.error.textContent = e.message; target.error.hidden = false; }
    finally { createBtn.disabled = false; }
  });

  restoreBtn.addEventListener("click", async () => {
    source.error.hidden = true;
    let summary;
    try { summary = await api.backupInspect(source.input.value); } catch (e) { source.error.textContent = e.message; source.error.hidden = false; return; }
    const when = new Date(summary.createdAt).toLocaleString("de-DE");
    const ok = await confirmDialog({
      title: "Aktuelle Daten ersetzen?",
      text: `Die Sicherung vom ${when} enthält ${countLabel(summary.customers, "Kunde", "Kunden")}, ${countLabel(summary.projects, "Projekt", "Projekte")}, ${countLabel(summary.entries, "Eintrag", "Einträge")} und ${countLabel(summary.invoices, "Rechnungsentwurf", "Rechnungsentwürfe")}. Sie ersetzt alle aktuellen Daten. Vorher legt Zeitrechnung automatisch eine Kopie Ihrer aktuellen Daten an.`,
      confirm: "Wiederherstellen", danger: true,
    });
    if (!ok) return;
    restoreBtn.disabled = true;
    try { const r = await restoreAsking(source.input.value); if (r) { toast(r.message); loadInfo(); } }
    catch (e) { source.error.textContent = e.message; source.error.hidden = false; }
    finally { restoreBtn.disabled = false; }
  });

  /** The second folder: shown read-only, chosen only with Rust's dialog. */
  function copyFolder(info) {
    const show = (next) => replace(autoBox, ...renderInfo(next));
    const shown = h("input", { id: "backup-copy", type: "text", readonly: true, value: info.copyFolder || "", placeholder: "keiner" });
    return h("div", { class: "field wide-field" },
      h("label", { for: "backup-copy" }, "Zusätzlich kopieren nach"),
      h("div", { class: "row" }, shown,
        h("button", { type: "button", class: "secondary", onclick: async () => {
          try { show(await api.backupCopyFolderPick()); } catch (e) { toast(e.message, "error"); }
        } }, "Ordner wählen …"),
        info.copyFolder
          ? h("button", { type: "button", class: "linkbtn", onclick: async () => {
            try { show(await api.backupCopyFolderClear()); } catch (e) { toast(e.message, "error"); }
          } }, "Keine Kopie")
          : null),
      h("p", { class: "hint" }, "Z. B. ein Netzlaufwerk: jede automatische Sicherung kommt zusätzlich dorthin."));
  }

  /** What the card shows of `info` (backupInfo). */
  function renderInfo(info) {
    return [
      info.damaged.length
        ? h("div", { class: "alert warn", role: "alert" },
          h("strong", {}, `${countLabel(info.damaged.length, "beschädigter Datensatz", "beschädigte Datensätze")}: `),
          info.damaged.join(", "),
          h("div", {}, "Sie fehlen in den Listen und in neuen Sicherungen. Alles andere ist unversehrt. Bitte eine ältere Sicherung prüfen, die diese Datensätze noch enthält."))
        : null,
      info.shrunk ? h("div", { class: "alert warn", role: "alert" }, info.shrunk) : null,
      info.autoStatus
        ? h("p", { class: info.autoStatus.ok ? "hint" : "alert warn", role: info.autoStatus.ok ? null : "alert" }, info.autoStatus.message)
        : null,
      h("p", { class: "hint" }, `Ordner: ${info.folder || "–"}`),
      copyFolder(info),
      info.automatic.length
        ? h("ul", { class: "file-list" }, info.automatic.map((n) => h("li", {}, n)))
        : h("p", { class: "muted" }, "Noch keine automatischen Sicherungen."),
    ];
  }

  async function loadInfo() {
    try { replace(autoBox, ...renderInfo(await api.backupInfo())); }
    catch (e) { replace(autoBox, h("p", { class: "alert error" }, e.message)); }
  }


  root.append(
    h("section", { class: "card" },
      h("div", { class: "card-head" }, h("h2", {}, "Sicherung erstellen")),
      h("div", { class: "card-body" },
        h("p", {}, "Speichert Kunden, Projekte, Zeiten, Leistungen, Rechnungsentwürfe und Einstellungen in einer Datei. Der API-Key wird nicht gesichert – er bleibt im Schlüsselbund."),
        target.wrap, h("div", { class: "row" }, createBtn))),
    h("section", { class: "card" },
      h("div", { class: "card-head" }, h("h2", {}, "Sicherung wiederherstellen")),
      h("div", { class: "card-body" },
        h("p", {}, "Die Datei wird vollständig geprüft, bevor etwas ersetzt wird. Ihre aktuellen Daten werden vorher automatisch gesichert."),
        source.wrap, h("div", { class: "row" }, restoreBtn))),
    h("section", { class: "card" },
      h("div", { class: "card-head" }, h("h2", {}, "Automatische Sicherungen")),
      h("div", { class: "card-body" },
        h("p", {}, "Zeitrechnung sichert beim Start, wenn die letzte Sicherung älter als einen Tag ist, und danach alle 24 Stunden. Behalten wird je die neueste der letzten 7 Tage, 4 Wochen und 12 Monate."),
        autoBox)));
  loadInfo();
}
