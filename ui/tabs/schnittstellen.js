// Einstellungen › Schnittstellen: lexoffice connection and the default hourly rate.
import * as api from "../api.js";
import { h, field, showFieldError, toast, confirmDialog, replace } from "../lib/dom.js";

export function renderSchnittstellen(root) {
  const lexBox = h("div", { class: "card-body", "aria-live": "polite" });
  const rateBox = h("div", { class: "card-body" });
  root.append(
    h("section", { class: "card", "aria-labelledby": "lex-title" },
      h("div", { class: "card-head" },
        h("img", { src: "lexoffice-mark.svg", alt: "", width: 28, height: 28 }),
        h("h2", { id: "lex-title" }, "lexoffice")),
      lexBox),
    h("section", { class: "card", "aria-labelledby": "rate-title" },
      h("div", { class: "card-head" }, h("h2", { id: "rate-title" }, "Abrechnung")),
      rateBox),
  );
  lexBox.append(h("p", { class: "muted" }, "Verbindung wird geladen …"));
  loadConnection(lexBox);
  renderRate(rateBox);
}

async function loadConnection(box) {
  try {
    const st = await api.connectionStatus();
    showStatus(box, st);
    if (st.connected) {
      // Cached profile first, then ask lexoffice again without blocking the screen.
      api.connectionRefresh().then((fresh) => {
        if (box.isConnected && box.dataset.state === "connected") showStatus(box, fresh);
      }).catch(() => {});
    }
  } catch (e) {
    replace(box, h("p", { class: "alert error" }, e.message));
  }
}

function showStatus(box, st) {
  if (st.connected) renderConnected(box, st);
  else renderUnconnected(box, st);
}

function keyringBanner(st) {
  return st.keyringProblem
    ? h("div", { class: "alert error", role: "alert" },
        h("strong", {}, "Schlüsselbund nicht verfügbar. "),
        "Zeitrechnung speichert den API-Key nur im Schlüsselbund des Systems. ",
        st.keyringProblem)
    : null;
}

function renderUnconnected(box, st) {
  box.dataset.state = "unconnected";
  const key = field("API-Key", { type: "password", autocomplete: "off", spellcheck: "false", placeholder: "API-Key hier einfügen" });
  const connectBtn = h("button", { type: "submit", class: "primary" }, "Verbinden");
  const formError = h("div", { class: "alert error", role: "alert", hidden: true });
  const reveal = h("button", {
    type: "button", class: "linkbtn", "aria-pressed": "false",
    onclick: () => {
      const show = key.input.type === "password";
      key.input.type = show ? "text" : "password";
      reveal.setAttribute("aria-pressed", String(show));
      reveal.textContent = show ? "Verbergen" : "Anzeigen";
    },
  }, "Anzeigen");

  let busy = false;
  const form = h("form", {
    class: "connect-form", novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      if (busy) return;
      formError.hidden = true;
      showFieldError(key, "");
      if (!key.input.value.trim()) {
        showFieldError(key, "Bitte den API-Key aus lexoffice einfügen.");
        key.input.focus();
        return;
      }
      busy = true;
      connectBtn.disabled = true;
      connectBtn.textContent = "Wird geprüft …";
      try {
        const status = await api.connectLexoffice(key.input.value);
        key.input.value = "";
        toast(`Verbunden mit ${status.companyName || "lexoffice"}`);
        showStatus(box, status);
      } catch (e) {
        if (e.kind === "validation") showFieldError(key, e.message);
        else { formError.textContent = e.message; formError.hidden = false; }
        connectBtn.disabled = false;
        connectBtn.textContent = "Verbinden";
        key.input.focus();
      } finally {
        busy = false;
      }
    },
  },
    key.wrap,
    h("div", { class: "row" }, connectBtn, reveal),
    formError);

  replace(box,
    keyringBanner(st),
    h("p", {}, "Verbinden Sie Zeitrechnung mit lexoffice, um Ihre Kunden zu übernehmen und Rechnungsentwürfe zu erstellen."),
    h("div", { class: "steps" },
      h("button", {
        type: "button", class: "secondary",
        onclick: async () => {
          try { await api.openKeyPage(); } catch (e) { toast(e.message, "error"); }
        },
      }, "API-Key generieren"),
      h("p", { class: "hint" }, "Melden Sie sich im Browser bei lexoffice an, erstellen Sie dort einen neuen API-Key, kopieren Sie ihn und fügen Sie ihn hier ein.")),
    form,
    h("p", { class: "demo-link" }, "Noch kein lexoffice? ",
      h("button", { type: "button", class: "linkbtn", onclick: () => api.demoStart().catch((e) => toast(e.message, "error")) }, "Ohne lexoffice-Konto ausprobieren"),
      " – startet Zeitrechnung mit Beispieldaten und einer eingebauten lexoffice-Sandbox; Ihre echten Daten bleiben unberührt."));
}

function renderConnected(box, st) {
  box.dataset.state = "connected";
  const rows = [
    ["Verbunden seit", st.connectedOn || "–"],
    ["Besteuerung", st.taxDisplay || "–"],
    ["API-Key", "sicher im Schlüsselbund des Systems gespeichert"],
  ];
  const disconnect = h("button", {
    type: "button", class: "secondary danger-text",
    onclick: async () => {
      const ok = await confirmDialog({
        title: "Verbindung zu lexoffice trennen?",
        text: "Der API-Key wird aus dem Schlüsselbund entfernt. Ihre Kunden, Projekte und Zeiten bleiben erhalten. Zum erneuten Verbinden brauchen Sie einen API-Key.",
        confirm: "Trennen", danger: true,
      });
      if (!ok) return;
      disconnect.disabled = true;
      try {
        const status = await api.disconnectLexoffice();
        toast("Verbindung zu lexoffice getrennt");
        showStatus(box, status);
      } catch (e) {
        toast(e.message, "error");
        disconnect.disabled = false;
      }
    },
  }, "Trennen");
  replace(box,
    keyringBanner(st),
    h("p", { class: "connected-badge" },
      h("span", { class: "dot", "aria-hidden": "true" }),
      `Verbunden mit ${st.companyName || "lexoffice"}`),
    h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    st.refreshProblem ? h("div", { class: `alert ${st.refreshProblemKind === "unauthorized" ? "error" : "warn"}` }, st.refreshProblem) : null,
    h("div", { class: "row" }, disconnect));
}

async function renderRate(box) {
  const rate = field("Stundensatz", { type: "text", inputmode: "decimal", autocomplete: "off", placeholder: "z. B. 85,50" },
    { suffix: "€/h", hint: "Standard (netto) für Zeiten, für die weder Projekt, Kunde, Mitarbeiter noch Rolle einen Stundensatz haben." });
  const from = field("gültig ab", { type: "text", autocomplete: "off", placeholder: "TT.MM.JJJJ" },
    { hint: "Leer = seit jeher. Mit Datum gilt der Satz ab diesem Tag; frühere Arbeit behält den bisherigen." });
  const history = h("p", { class: "hint" }, "");
  // The rate as it was shown: a save over another seat's change is refused.
  let version = null;
  const save = h("button", { type: "submit", class: "primary" }, "Speichern");
  const form = h("form", {
    class: "rate-form", novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      showFieldError(rate, "");
      showFieldError(from, "");
      save.disabled = true;
      try {
        const r = await api.saveRate(rate.input.value, from.input.value, version);
        version = r.version;
        rate.input.value = r.hourlyRateDisplay || "";
        from.input.value = "";
        history.textContent = r.changesDisplay || "";
        toast(r.message);
      } catch (e) {
        // Changed at another seat meanwhile: the form shows the rate as it is now.
        if (e.kind === "changed") { toast(e.message, "error"); renderRate(box); return; }
        if (e.kind === "validation" && e.fieldKey === "validFrom") showFieldError(from, e.message);
        else if (e.kind === "validation") showFieldError(rate, e.message);
        else toast(e.message, "error");
      } finally {
        save.disabled = false;
      }
    },
  }, h("div", { class: "two" }, rate.wrap, from.wrap), history, h("div", { class: "row" }, save));
  replace(box, form);
  try {
    const r = await api.getRate();
    version = r.version;
    if (r.hourlyRateDisplay && !rate.input.value) rate.input.value = r.hourlyRateDisplay;
    history.textContent = r.changesDisplay || "";
  } catch (e) {
    showFieldError(rate, e.message);
  }
}
