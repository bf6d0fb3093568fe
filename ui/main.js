// App shell: navigation between Kunden, Projekte and Einstellungen.
import { renderKunden } from "./tabs/kunden.js";
import { renderProjekte } from "./tabs/projekte.js";
import { renderEinstellungen } from "./tabs/einstellungen.js";

const views = {
  kunden: renderKunden,
  projekte: renderProjekte,
  einstellungen: renderEinstellungen,
};

let current = null;

export function navigate(view) {
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
  views[view](root, { navigate });
}

window.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll("[data-view]")) {
    b.addEventListener("click", () => navigate(b.dataset.view));
  }
  navigate("kunden");
});

export const currentView = () => current;
