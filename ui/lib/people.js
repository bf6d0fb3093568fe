// Saving a time whose Mitarbeiter matches nobody: never a silent new employee.
// The backend answers `{kind: "confirm"}` („Neuen Mitarbeiter „…“ anlegen?“);
// the user says yes (the time is saved and the employee created) or goes back
// to the field. „Zeit erfassen“ and the Stundenzettel save through this.
import * as api from "../api.js";
import { confirmDialog } from "./dom.js";

/** api.timeSave, asking first when the name is new. Rejects like timeSave. */
export async function timeSaveAsking(input) {
  try {
    return await api.timeSave(input);
  } catch (e) {
    if (e.kind !== "confirm" || e.fieldKey !== "employee") throw e;
    const yes = await confirmDialog({
      title: e.message,
      text: "Unter diesem Namen gibt es noch keinen Mitarbeiter. Bitte die Schreibweise prüfen – oder ihn neu anlegen; seine Rolle geben Sie danach unter Einstellungen › Mitarbeiter.",
      confirm: "Anlegen",
      focusConfirm: true,
    });
    if (!yes) throw { kind: "validation", field: "Mitarbeiter", message: "Bitte einen vorhandenen Mitarbeiter wählen oder den Namen prüfen." };
    const saved = await api.timeSave({ ...input, newEmployee: true });
    document.dispatchEvent(new Event("employee-created"));
    return saved;
  }
}
