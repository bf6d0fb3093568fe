// „Rückgängig“: the toast after a deletion or an edit (docs/architecture.md › Rückgängig).
import * as api from "../api.js";
import { toast } from "./dom.js";

/**
 * Shows `message` with „Rückgängig“ for 10 seconds; a click undoes `token`
 * and then calls `after` (to redraw what came back).
 */
export function undoToast(message, token, after) {
  toast(message, "ok", {
    label: "Rückgängig",
    onclick: async () => {
      try { toast(await api.undo(token)); } catch (err) { toast(err.message, "error"); }
      await after();
    },
  });
}
