// „Stundennachweis“ of a draft: where to save it (suggested, or picked with the
// native dialog), optionally also as CSV; then it is written and opened.
import * as api from "../api.js";
import { h, toast, formDialog } from "./dom.js";

export async function openTimesheetDialog(recordId) {
  let suggested = "";
  try { suggested = await api.timesheetSuggest(recordId); } catch (e) { toast(e.message, "error"); return; }
  const browse = h("button", {
    type: "button", class: "secondary",
    onclick: async (ev) => {
      const input = ev.target.closest("dialog").controls.path.input;
      try { const p = await api.timesheetPick(input.value); if (p) input.value = p; } catch (e) { toast(e.message, "error"); }
    },
  }, "Durchsuchen …");
  const saved = await formDialog({
    title: "Stundennachweis speichern",
    wide: true,
    fields: [
      { key: "path", label: "Datei", full: true, hint: "PDF mit allen Zeiten dieses Entwurfs, zum Beilegen zur Rechnung." },
      { key: "csv", label: "zusätzlich als CSV (für Excel)", type: "checkbox" },
    ],
    values: { path: suggested, csv: false },
    submitLabel: "Speichern und öffnen",
    extra: h("div", { class: "row" }, browse),
    submit: (v) => api.timesheetSave({ recordId, path: v.path, csv: v.csv }),
  });
  if (!saved) return;
  toast(saved.opened ? saved.message : `${saved.message} – bitte die Datei selbst öffnen.`);
}
