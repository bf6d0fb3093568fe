// Einstellungen › Mitarbeiter: the people whose times are recorded, with Rolle,
// an optional own Stundensatz („gültig ab“) and aktiv.
import * as api from "../api.js";
import { h, replace, toast, formDialog } from "../lib/dom.js";
import { suffixInDialog } from "../lib/raterules.js";
import { undoToast } from "../lib/undo.js";

export function renderMitarbeiter(root) {
  const box = h("div", { class: "card-body" });
  root.append(
    h("section", { class: "card", "aria-labelledby": "employees-title" },
      h("div", { class: "card-head spread" },
        h("h2", { id: "employees-title" }, "Mitarbeiter"),
        h("button", { type: "button", class: "secondary", onclick: () => employeeForm(null) }, "Neuer Mitarbeiter")),
      box));

  async function load() {
    try { draw(await api.employeesList()); } catch (e) { replace(box, h("p", { class: "alert error" }, e.message)); }
  }

  function draw(list) {
    if (!list.length) {
      replace(box, h("div", { class: "empty small-empty" },
        h("h2", {}, "Noch keine Mitarbeiter"),
        h("p", {}, "Legen Sie Ihre Mitarbeiter mit „Neuer Mitarbeiter“ an und geben Sie ihnen eine Rolle, z. B. Geselle. Namen, die Sie unter „Zeit erfassen“ eintragen oder per CSV importieren, erscheinen hier ebenfalls – dann fehlt nur noch die Rolle.")));
      return;
    }
    replace(box,
      h("div", { class: "table-wrap" }, h("table", { class: "data" },
        h("thead", {}, h("tr", {},
          ["Name", "Rolle", "Stundensatz", "Status"].map((t) => h("th", { scope: "col" }, t)),
          h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Aktionen")))),
        h("tbody", {}, list.map((e) => h("tr", { class: e.active ? null : "inactive" },
          h("td", {}, e.name),
          h("td", {}, e.roleDisplay),
          h("td", {}, e.ratesDisplay),
          h("td", {}, h("span", { class: `state ${e.active ? "" : "inaktiv"}` }, e.activeDisplay)),
          h("td", { class: "actions-cell text-actions" },
            h("button", { type: "button", class: "linkbtn", onclick: () => employeeForm(e) }, "Bearbeiten"),
            list.length > 1 ? h("button", { type: "button", class: "linkbtn", onclick: () => mergeForm(e, list) }, "Zusammenführen") : null)))))),
      h("p", { class: "hint table-note" }, "„Stundensatz“ ist der eigene Satz der Person („–“ = keiner, dann gilt der Satz ihrer Rolle). Er gilt nur, wenn weder Projekt noch Kunde einen Satz vorgeben."));
  }

  // Two records of one person (e.g. „jana kraus“ beside „Jana Kraus“): all of
  // this one's entries go to the one chosen, and this one is removed.
  async function mergeForm(dup, list) {
    const others = list.filter((o) => o.id !== dup.id)
      .map((o) => [String(o.id), o.roleId ? `${o.name} (${o.roleDisplay})` : o.name]);
    const result = await formDialog({
      title: `„${dup.name}“ zusammenführen`,
      submitLabel: "Zusammenführen",
      fields: [{ key: "into", label: "Zusammenführen mit", type: "select", options: others, full: true }],
      values: { into: others[0][0] },
      extra: h("p", { class: "hint" }, `Alle Einträge von „${dup.name}“ gehen an den gewählten Mitarbeiter: offene werden mit dessen Rolle und Stundensatz abgerechnet, bereits abgerechnete bleiben, wie sie sind. „${dup.name}“ wird danach entfernt.`),
      submit: (v) => api.employeeMerge({ from: dup.id, into: Number(v.into) }),
    });
    if (result) {
      draw(result.employees);
      undoToast(result.message, result.undo, load);
    }
  }

  async function employeeForm(existing) {
    let roles;
    try { roles = await api.rolesList(); } catch (e) { toast(e.message, "error"); return; }
    const roleOptions = [["", "keine Rolle"], ...roles.map((r) => [String(r.id), r.name])];
    const pending = formDialog({
      title: existing ? "Mitarbeiter bearbeiten" : "Neuer Mitarbeiter",
      fields: [
        { key: "name", label: "Name", full: true, attrs: { placeholder: "z. B. Anna Schmidt" } },
        { key: "roleId", label: "Rolle", type: "select", options: roleOptions, full: true,
          hint: roles.length ? null : "Rollen legen Sie unter Einstellungen › Abrechnung an." },
        { key: "rate", label: "Stundensatz", attrs: { inputmode: "decimal", placeholder: "leer = keiner" }, hint: "optional: der eigene Satz dieser Person" },
        { key: "validFrom", label: "gültig ab", attrs: { placeholder: "TT.MM.JJJJ" }, hint: "Leer = seit jeher. Mit Datum gilt, was Sie hier ändern – Stundensatz und/oder Rolle –, ab diesem Tag; frühere Arbeit behält die bisherigen." },
        { key: "active", label: "aktiv", type: "checkbox" },
      ],
      values: existing
        ? { name: existing.name, roleId: existing.roleId ?? "", rate: existing.rate, active: existing.active }
        : { roleId: "", active: true },
      extra: existing ? h("div", {},
        existing.ratesDisplay !== "–" ? h("p", { class: "hint" }, `Bisher: ${existing.ratesDisplay}`) : null,
        existing.roleChanged ? h("p", { class: "hint" }, `Rolle: ${existing.roleDisplay}`) : null) : null,
      submit: (v) => api.employeeSave({
        id: existing ? existing.id : null,
        name: v.name,
        roleId: v.roleId ? Number(v.roleId) : null,
        rate: v.rate,
        validFrom: v.validFrom,
        active: v.active,
      }),
    });
    suffixInDialog("rate", "€/h");
    const saved = await pending;
    if (saved) {
      toast(existing ? `„${saved.name}“ gespeichert` : `Mitarbeiter „${saved.name}“ angelegt`);
      load();
    }
  }

  load();
}
