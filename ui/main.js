// App shell: navigation between Kunden, Projekte and Einstellungen.
import { renderKunden } from "./tabs/kunden.js";
import { renderProjekte } from "./tabs/projekte.js";
import { renderUebersicht } from "./tabs/uebersicht.js";
import { renderEinstellungen } from "./tabs/einstellungen.js";
import { renderStartupFailure } from "./tabs/startfehler.js";
import * as api from "./api.js";
import { h, toast } from "./lib/dom.js";
import { installShortcuts } from "./lib/shortcuts.js";
import { installDatePickers } from "./lib/calendar.js";

const views = {
  kunden: renderKunden,
  projekte: renderProjekte,
  abrechnung: renderUebersicht,
  einstellungen: renderEinstellungen,
};

let current = null;

/** `opts` reach the view, e.g. `{ tab: "abrechnung", focus: "texte" }` for Einstellungen. */
export function navigate(view, opts = {}) {
  if (!views[view]) view = "kunden";
  current = view;
  for (const b of document.querySelectorAll("[data-view]")) {
    const active = b.dataset.view === view;
    b.classList.toggle("active", active);
    if (active) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  }
  const root = document.getElementById("view");
  root.replaceChildren();
  views[view](root, { navigate, ...opts });
}

window.addEventListener("DOMContentLoaded", async () => {
  // A tab clicked while the app still asks how it started is not lost: it is
  // the first view shown.
  let ready = false;
  let wanted = "kunden";
  // The tabs are disabled in index.html until they listen: a click is never lost.
  for (const b of document.querySelectorAll("[data-view]")) {
    b.addEventListener("click", () => { if (ready) navigate(b.dataset.view); else wanted = b.dataset.view; });
    b.disabled = false;
  }
  let mode = { demo: false, startupFailure: null };
  try { mode = await api.appMode(); } catch (e) { toast(e.message, "error"); }
  if (mode.startupFailure) {
    renderStartupFailure(document.getElementById("view"), mode.startupFailure);
    document.body.dataset.shell = "failed";
    return;
  }
  ready = true;
  navigate(wanted);
  document.body.dataset.shell = "ready";
  watchAutoBackup();
  watchDatabase();
  watchOtherSeats();
  installShortcuts(navigate, () => current);
  installDatePickers();
  {
    if (!mode.demo) return;
    const banner = document.getElementById("banner");
    banner.replaceChildren(
      h("span", {}, "Demo-Modus: Beispieldaten und eine eingebaute lexoffice-Sandbox – nichts geht an das echte lexoffice."),
      h("button", { type: "button", class: "secondary small", onclick: () => api.demoExit().catch((e) => toast(e.message, "error")) }, "Demo beenden"));
    banner.hidden = false;
    document.title = "Zeitrechnung – Demo";
  }
});

export const currentView = () => current;

/** Far fewer records than the newest automatic backup: a banner with the way
 *  to Datensicherung, until it is closed. */
function showShrunk(message) {
  const box = h("div", { id: "shrunk-banner", class: "alert warn", role: "alert" },
    h("span", {}, message),
    h("button", { type: "button", class: "secondary small", onclick: () => navigate("einstellungen", { tab: "datensicherung" }) }, "Zur Datensicherung"),
    h("button", { type: "button", class: "linkbtn", onclick: () => box.remove() }, "Schließen"));
  document.getElementById("view").before(box);
}

/** The office's database server away: a banner (the lists keep showing the
 *  last state, every write is refused with its own message), a look every
 *  few seconds, and when the server answers again the banner goes and the
 *  view loads anew. Also looked at every 20 s while the app works on a server. */
function watchDatabase() {
  let watching = null;
  const show = (message) => {
    let box = document.getElementById("database-banner");
    const text = "Keine Verbindung zur Datenbank auf dem Server. Die Listen zeigen den letzten Stand; Änderungen werden nicht gespeichert, bis die Verbindung wieder steht. Zeitrechnung verbindet sich von selbst wieder.";
    if (!box) {
      box = h("div", { id: "database-banner", class: "alert error", role: "alert" },
        h("strong", {}, "Datenbank nicht erreichbar. "), h("span", {}, text));
      document.getElementById("view").before(box);
    }
    box.title = message || "";
    if (!watching) watching = setInterval(look, 3000);
  };
  const look = async () => {
    let st;
    try { st = await api.databaseStatus(); } catch (_) { return; }
    if (!st.onServer) return;
    if (!st.reachable) { show(st.message); return; }
    showStopped(st.stopped);
    if (watching) {
      clearInterval(watching);
      watching = null;
      document.getElementById("database-banner")?.remove();
      toast("Die Verbindung zur Datenbank ist wieder da.");
      // What changed meanwhile is shown by the other seats' notices („*“).
    }
  };
  window.addEventListener("zeitrechnung:database-down", (ev) => show(ev.detail));
  api.databaseStatus().then((st) => {
    if (!st.onServer) return;
    showStopped(st.stopped);
    setInterval(() => { if (!watching) look(); }, 20_000);
  }).catch(() => {});
}

/** Another seat saved, imported, billed or restored: the view on screen loads
 *  anew within a moment (its selection kept) — unless a dialog is open or
 *  the user is typing in the view; then as soon as that is over. */
function watchOtherSeats() {
  let pending = false;
  let timer = null;
  // A click or key in the last moment: the user is acting on what is shown.
  let lastInput = 0;
  for (const type of ["pointerdown", "keydown"]) {
    window.addEventListener(type, () => { lastInput = Date.now(); }, true);
  }
  const busy = () => document.querySelector("dialog[open]")
    || Date.now() - lastInput < 2000
    || (document.activeElement && document.getElementById("view")?.contains(document.activeElement)
      && /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName));
  const apply = () => {
    timer = null;
    if (!pending) return;
    if (busy()) { timer = setTimeout(apply, 1000); return; }
    pending = false;
    navigate(current);
  };
  const heard = (what) => {
    // Another seat restores a backup: a banner until it is done, then
    // everything anew.
    if (what === "restore-begins") { showRestoring(true); return; }
    if (what === "restore-done") showRestoring(false);
    pending = true;
    if (!timer) timer = setTimeout(apply, 200);
  };
  // A save refused because the record changed meanwhile: show the new state.
  window.addEventListener("zr-data-changed", heard);
  api.dataWatch(heard).catch(() => {});
}

/** This seat may no longer write to the server (another seat chose „Zurück
 *  zu Einzelplatz“, or a newer Zeitrechnung changed the tables): a banner that
 *  stays, with the reason. */
function showStopped(reason) {
  const box = document.getElementById("stopped-banner");
  if (!reason) { if (box) box.remove(); return; }
  if (box) { box.lastChild.textContent = reason; return; }
  document.getElementById("view").before(h("div", { id: "stopped-banner", class: "alert error", role: "alert" },
    h("strong", {}, "Hier wird nichts mehr gespeichert. "), h("span", {}, reason)));
}

/** „Daten werden wiederhergestellt …“ while another seat restores a backup. */
function showRestoring(on) {
  const box = document.getElementById("restore-banner");
  if (!on) { if (box) box.remove(); return; }
  if (box) return;
  document.getElementById("view").before(h("div", { id: "restore-banner", class: "alert warn", role: "status" },
    h("strong", {}, "Daten werden wiederhergestellt … "),
    h("span", {}, "An einem anderen Arbeitsplatz wird gerade eine Sicherung zurückgespielt. Bitte mit Änderungen warten; die Ansicht lädt danach von selbst neu.")));
  // Should the other seat's end be missed, the banner goes after a minute.
  setTimeout(() => showRestoring(false), 60_000);
}

/** A failed automatic backup (or one that kept every older copy) as a notice:
 *  shortly after start, when the first one has run, then every hour. */
function watchAutoBackup() {
  let shown = "";
  let shownReplayed = false;
  const look = async () => {
    try {
      const info = await api.backupInfo();
      const s = info.autoStatus;
      if (s && !s.ok && s.message !== shown) { shown = s.message; toast(s.message, "error"); }
      if (info.shrunk && !document.getElementById("shrunk-banner")) showShrunk(info.shrunk);
      if (info.replayed && !shownReplayed) { shownReplayed = true; toast(info.replayed); }
    } catch (_) { /* Datensicherung shows it too */ }
  };
  look();
  setTimeout(look, 30_000);
  setInterval(look, 3_600_000);
}
