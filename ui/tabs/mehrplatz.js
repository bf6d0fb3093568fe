// Einstellungen › Mehrplatz: which database this PC works with — its own
// (Einzelplatz) or the office's PostgreSQL server (Mehrplatz). Every switch
// restarts the app; the texts and counts come ready from Rust.
import * as api from "../api.js";
import { h, field, showFieldError, toast, confirmDialog, replace } from "../lib/dom.js";

export function renderMehrplatz(root) {
  const box = h("div", { class: "card-body" });
  root.append(
    h("section", { class: "card", "aria-labelledby": "mp-title" },
      h("div", { class: "card-head" }, h("h2", { id: "mp-title" }, "Mehrplatz")),
      box));
  box.append(h("p", { class: "muted" }, "Wird geladen …"));
  api.mehrplatzStatus()
    .then((st) => renderPage(box, st))
    .catch((e) => replace(box, h("p", { class: "alert error", role: "alert" }, e.message)));
}

/**
 * The server's fields, as Einstellungen › Mehrplatz and the start-up failure
 * screen show them. `st`: {host, port, database, user, certificate,
 * hasPassword, fingerprint}. Returns the nodes, the typed values, and how an
 * error lands (at its field by `fieldKey`, else in `result`).
 */
export function serverForm(st, { locked = false, onServer = false } = {}) {
  const host = field("Server", { type: "text", autocomplete: "off", spellcheck: "false", value: st.host, placeholder: "z. B. buero-pc oder 192.168.1.20", disabled: locked },
    { hint: "Name oder Adresse des PCs, auf dem PostgreSQL läuft." });
  const port = field("Port", { type: "text", inputmode: "numeric", autocomplete: "off", value: st.port, disabled: locked });
  const database = field("Datenbank", { type: "text", autocomplete: "off", spellcheck: "false", value: st.database, placeholder: "z. B. zeitrechnung", disabled: locked });
  const user = field("Benutzer", { type: "text", autocomplete: "off", spellcheck: "false", value: st.user, disabled: locked });
  const password = field("Passwort", {
    type: "password", autocomplete: "off", disabled: locked,
    placeholder: st.hasPassword ? (onServer ? "im Schlüsselbund gespeichert" : "gespeichert – leer lassen, um es zu behalten") : "",
  }, { hint: "Wird nur im Schlüsselbund des Systems gespeichert, nie in einer Datei." });
  const certificate = field("Zertifikat", { type: "text", autocomplete: "off", spellcheck: "false", value: st.certificate, placeholder: "leer = kein eigenes Zertifikat", disabled: locked },
    { hint: "Die Zertifikatsdatei (PEM) des Servers. Zu einem anderen PC verbindet Zeitrechnung immer verschlüsselt und prüft dessen Zertifikat." });
  const fingerprint = h("p", { class: "hint fingerprint" }, "");
  const showFingerprint = (fp) => { fingerprint.textContent = fp ? `Fingerabdruck (SHA-256): ${fp}` : ""; };
  showFingerprint(st.fingerprint);
  const browse = h("button", {
    type: "button", class: "secondary", disabled: locked,
    onclick: async () => {
      try { const p = await api.mehrplatzPickCertificate(); if (p) certificate.input.value = p; } catch (e) { toast(e.message, "error"); }
    },
  }, "Durchsuchen …");
  const fields = { host, port, database, user, password, certificate };
  const result = h("div", { class: "mp-result", "aria-live": "polite" });
  return {
    nodes: [
      h("div", { class: "two" }, host.wrap, port.wrap),
      h("div", { class: "two" }, database.wrap, user.wrap),
      password.wrap,
      h("div", { class: "field-with-button" }, certificate.wrap, browse),
      fingerprint,
    ],
    result,
    browse,
    showFingerprint,
    values: () => ({
      host: host.input.value, port: port.input.value, database: database.input.value,
      user: user.input.value, password: password.input.value, certificate: certificate.input.value,
    }),
    clearErrors: () => { for (const f of Object.values(fields)) showFieldError(f, ""); replace(result); },
    showError: (e) => {
      const f = e.kind === "validation" ? fields[e.fieldKey] : null;
      if (f) { showFieldError(f, e.message); f.input.focus(); }
      else replace(result, h("p", { class: "alert error", role: "alert" }, e.message));
    },
    showCheck: (r) => {
      replace(result, h("div", { class: "alert ok" }, h("p", {}, r.message), h("p", {}, r.detail)));
      showFingerprint(r.fingerprint);
    },
  };
}

function renderPage(box, st) {
  const onServer = st.mode !== "einzelplatz";
  // On a server the fields show where (changed only via „Zurück zu Einzelplatz“).
  const locked = onServer;
  const form = serverForm(st, { locked, onServer });
  const { values, clearErrors, showError, result, browse } = form;
  const buttons = [];
  const busy = (on, btn, text) => {
    for (const b of buttons) b.disabled = on;
    browse.disabled = on || locked;
    if (btn) btn.textContent = on ? text : btn.dataset.label;
  };
  const button = (label, cls, action) => {
    const b = h("button", { type: "button", class: cls, dataset: { label }, onclick: () => action(b) }, label);
    buttons.push(b);
    return b;
  };

  const checkBtn = button("Verbindung prüfen", "secondary", async (b) => {
    clearErrors();
    busy(true, b, "Wird geprüft …");
    try {
      form.showCheck(await api.mehrplatzCheck(values()));
    } catch (e) { showError(e); } finally { busy(false, b); }
  });

  const switchTo = async (b, ask, run, busyText) => {
    clearErrors();
    if (!(await confirmDialog(ask))) return;
    busy(true, b, busyText);
    try {
      const r = await run();
      replace(box, h("div", { class: "alert ok", role: "status" }, h("p", {}, r.message)),
        h("p", { class: "muted" }, "Zeitrechnung startet neu …"));
      // Nothing more is entered into the database being left.
      document.body.inert = true;
    } catch (e) { showError(e); busy(false, b); }
  };
  const setupBtn = button("Mehrplatz einrichten", "primary", (b) => switchTo(b, {
    title: "Mehrplatz einrichten?",
    text: "Zeitrechnung prüft die Daten dieses PCs, überträgt alle Kunden, Projekte, Zeiten, Leistungen und Rechnungsentwürfe in die leere Datenbank auf dem Server, zählt dort nach und startet dann neu. Die Daten auf diesem PC bleiben unverändert als Rückfall liegen.",
    confirm: "Einrichten",
  }, () => api.mehrplatzSetup(values()), "Daten werden übertragen …"));
  const joinBtn = button("Mit Mehrplatz-Datenbank verbinden", "secondary", (b) => switchTo(b, {
    title: "Mit der Mehrplatz-Datenbank verbinden?",
    text: "Dieser PC arbeitet danach mit den Daten auf dem Server. Seine eigenen Daten bleiben unverändert liegen, werden aber nicht mehr verwendet.",
    confirm: "Verbinden",
  }, () => api.mehrplatzJoin(values()), "Wird verbunden …"));
  const leaveBtn = button("Zurück zu Einzelplatz", "secondary", (b) => switchTo(b, {
    title: "Zurück zu Einzelplatz?",
    text: "Zeitrechnung kopiert die Daten des Servers auf diesen PC und arbeitet danach nur noch mit dieser Kopie. Die Mehrplatz-Datenbank wird damit stillgelegt: Die anderen Arbeitsplätze können dort nichts mehr speichern und sehen einen Hinweis. Bitte vorher mit den Kolleginnen und Kollegen absprechen.",
    confirm: "Zurück zu Einzelplatz",
  }, () => api.mehrplatzLeave(), "Daten werden kopiert …"));

  const actions = st.mode === "umgebung" ? [checkBtn] : onServer ? [checkBtn, leaveBtn] : [checkBtn, setupBtn, joinBtn];
  replace(box,
    h("p", { class: onServer ? "connected-badge" : "" },
      onServer ? h("span", { class: "dot", "aria-hidden": "true" }) : null,
      st.modeDisplay),
    st.moved ? h("p", { class: "hint mp-moved" }, st.moved) : null,
    onServer && st.seats.length
      ? h("div", { class: "mp-seats" },
          h("h3", {}, "Arbeitsplätze, die gerade verbunden sind"),
          h("ul", {}, st.seats.map((line) => h("li", {}, line))))
      : null,
    ...form.nodes,
    h("div", { class: "row wrap" }, ...actions),
    result,
    onServer ? null : h("p", { class: "hint" },
      "So geht es: Auf einem PC im Büro PostgreSQL einrichten (siehe Handbuch „Mehrplatz mit PostgreSQL“). Am PC mit den bisherigen Daten „Mehrplatz einrichten“ wählen, an jedem weiteren PC „Mit Mehrplatz-Datenbank verbinden“."));
}
