// „Stundennachweis“ of a draft: where to save it (suggested, or picked with the
// native dialog), optionally also as CSV; then it is written and opened.
import * as api from "../api.js";
import { h, toast, formDialog, confirmDialog } from "./dom.js";

/** api.timesheetSave; an existing file is replaced only after „Ersetzen“. */
async function saveAsking(request) {
  try {
    return await api.timesheetSave(request);
  } catch (e) {
    if (e.kind !== "confirm" || e.fieldKey !== "path") throw e;
    const yes = await confirmDialog({ title: "Datei ersetzen?", text: e.message, confirm: "Ersetzen" });
    if (!yes) throw { kind: "validation", field: "Datei", message: "Bitte einen anderen Namen oder Ordner wählen." };
    return api.timesheetSave({ ...request, replace: true });
  }
}

export async function openTimesheetDialog(recordId) {
  // The file is Rust's suggestion or what its „Speichern unter“ dialog
  // returned: the field shows it (read-only), the save names it by token.
  let chosen;
  try { chosen = await api.timesheetSuggest(recordId); } catch (e) { toast(e.message, "error"); return; }
  const browse = h("button", {
    type: "button", class: "secondary",
    onclick: async (ev) => {
      const input = ev.target.closest("dialog").controls.path.input;
      try { const p = await api.timesheetPick(chosen.token); if (p) { chosen = p; input.value = p.display; } } catch (e) { toast(e.message, "error"); }
    },
  }, "Durchsuchen …");
  const saved = await formDialog({
    title: "Stundennachweis speichern",
    wide: true,
    fields: [
      { key: "path", label: "Datei", full: true, attrs: { readonly: true }, hint: "PDF mit allen Zeiten dieses Entwurfs, zum Beilegen zur Rechnung. Einen anderen Ort wählen Sie mit „Durchsuchen …“." },
      { key: "csv", label: "zusätzlich als CSV (für Excel)", type: "checkbox" },
    ],
    values: { path: chosen.display, csv: false },
    submitLabel: "Speichern und öffnen",
    extra: h("div", { class: "row" }, browse),
    submit: (v) => saveAsking({ recordId, path: chosen.token, csv: v.csv, replace: false }),
  });
  if (!saved) return;
  toast(saved.opened ? saved.message : `${saved.message} – bitte die Datei selbst öffnen.`);
}
