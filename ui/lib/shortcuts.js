// Keyboard shortcuts for the frequent actions. One list: the handler below and
// the table in Einstellungen › Über Zeitrechnung both read SHORTCUTS.
// Each presses the visible button of that name (the same as a click), after
// switching to the view it lives in; nothing happens while a dialog is open.

/** [keys as shown, what it does, view, button text | "search"] */
export const SHORTCUTS = [
  ["Alt+Z", "Zeit erfassen", "projekte", "Zeit erfassen"],
  ["Alt+L", "Leistung erfassen", "projekte", "Leistung erfassen"],
  ["Alt+S", "Stundenzettel", "projekte", "Stundenzettel"],
  ["Alt+P", "Neues Projekt", "projekte", "Neues Projekt"],
  ["Alt+R", "lexoffice Rechnung des gewählten Projekts", "projekte", "lexoffice Rechnung"],
  ["Alt+K", "Neuer Kunde", "kunden", "Neuer Kunde"],
  ["Strg+F", "Suche im Kunden- oder Projektverzeichnis", null, "search"],
];

const KEYS = { "Alt+Z": (e) => e.altKey && e.code === "KeyZ", "Alt+L": (e) => e.altKey && e.code === "KeyL",
  "Alt+S": (e) => e.altKey && e.code === "KeyS",
  "Alt+P": (e) => e.altKey && e.code === "KeyP", "Alt+R": (e) => e.altKey && e.code === "KeyR",
  "Alt+K": (e) => e.altKey && e.code === "KeyK", "Strg+F": (e) => e.ctrlKey && !e.altKey && e.code === "KeyF" };

function visibleButton(text) {
  return [...document.querySelectorAll("#view button")]
    .find((b) => b.textContent.trim() === text && b.offsetParent !== null && !b.disabled);
}

/** Installs the handler; `navigate(view)` and `currentView()` come from main.js. */
export function installShortcuts(navigate, currentView) {
  document.addEventListener("keydown", (e) => {
    if (document.querySelector("dialog[open]")) return;
    const hit = SHORTCUTS.find(([keys]) => KEYS[keys](e));
    if (!hit) return;
    e.preventDefault();
    const [, , view, target] = hit;
    if (target === "search") {
      const search = document.querySelector("#view input[type=search], #view .search input, #view input[placeholder^='Name']");
      if (search) { search.focus(); search.select(); }
      return;
    }
    if (view && currentView() !== view) navigate(view);
    // The view renders asynchronously: try for a moment.
    let tries = 0;
    const press = () => {
      const b = visibleButton(target);
      if (b) b.click();
      else if (++tries < 20) setTimeout(press, 50);
    };
    press();
  });
}
