import { h } from "../lib/dom.js";

export function renderKunden(root, { navigate }) {
  root.append(
    h("section", { class: "page" },
      h("div", { class: "page-head" }, h("h1", {}, "Kunden")),
      h("div", { class: "empty" },
        h("h2", {}, "Noch keine Kunden"),
        h("p", {}, "Verbinden Sie zuerst Zeitrechnung mit lexoffice unter Einstellungen › Schnittstellen. Danach holen Sie Ihre Kunden mit „Kunden importieren“ aus lexoffice."),
        h("button", { type: "button", class: "primary", onclick: () => navigate("einstellungen") }, "Zu den Schnittstellen"),
      ),
    ),
  );
}
