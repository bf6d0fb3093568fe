import { h } from "../lib/dom.js";

export function renderProjekte(root, { navigate }) {
  root.append(
    h("section", { class: "page" },
      h("div", { class: "page-head" }, h("h1", {}, "Projekte")),
      h("div", { class: "empty" },
        h("h2", {}, "Noch keine Projekte"),
        h("p", {}, "Legen Sie zuerst Ihre Kunden an oder importieren Sie sie aus lexoffice. Projekte mit ihren Zeiten und Leistungen ordnen Sie dann einem Kunden zu."),
        h("button", { type: "button", class: "secondary", onclick: () => navigate("kunden") }, "Zu den Kunden"),
      ),
    ),
  );
}
