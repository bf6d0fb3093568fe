// A chooser typed into: the first letters or a number find the entry among
// thousands (docs/benchmarks.md › Projekt suchen). Used for the project in the
// Stundenzettel. Keyboard: type, ↓/↑ move through the matches, Tab or Enter
// take the highlighted one (Enter then goes on to whatever Enter does around
// it), Esc restores the last choice.
import { h } from "./dom.js";

const SHOWN = 8;

/**
 * @param {{value: string, text: string}[]} items what can be chosen (text as shown)
 * @param {{id: string, label: string, placeholder?: string, restoreOnMiss?: boolean}} o
 *   restoreOnMiss: leaving a text that matches nothing brings back the last
 *   choice (a sheet's own project); otherwise the text stays, unchosen, so a save
 *   can say so instead of using a project nobody typed.
 * @returns {{input: HTMLInputElement, el: HTMLElement, get value(): string, set value(v: string)}}
 */
export function comboBox(items, o) {
  const all = items.map((it) => ({ ...it, lower: it.text.toLowerCase() }));
  const byValue = new Map(all.map((it) => [it.value, it]));
  const listId = `${o.id}-list`;
  const input = h("input", {
    id: o.id, type: "text", autocomplete: "off", placeholder: o.placeholder || "Name oder Nummer",
    role: "combobox", "aria-label": o.label, "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listId,
  });
  const list = h("ul", { id: listId, class: "combo-list", role: "listbox", hidden: true });
  const el = h("div", { class: "combo" }, input, list);
  let chosen = "";
  let hits = [];
  let active = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function draw() {
    list.replaceChildren(...hits.slice(0, SHOWN).map((it, i) => h("li", {
      id: `${listId}-${i}`, role: "option", class: i === active ? "active" : null,
      "aria-selected": i === active ? "true" : "false",
      // mousedown, not click: keeps the focus in the input.
      onmousedown: (e) => { e.preventDefault(); take(it); close(); },
    }, it.text)));
    if (hits.length > SHOWN) list.append(h("li", { class: "combo-more", role: "presentation" }, `… ${hits.length - SHOWN} weitere – bitte genauer tippen`));
    if (!hits.length) list.append(h("li", { class: "combo-more", role: "presentation" }, "Kein Treffer"));
    // Fixed to the window: a table that scrolls would clip it otherwise.
    const r = input.getBoundingClientRect();
    list.style.left = `${r.left}px`;
    list.style.top = `${r.bottom + 3}px`;
    list.style.minWidth = `${r.width}px`;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (hits.length) input.setAttribute("aria-activedescendant", `${listId}-${active}`);
  }
  function take(it) {
    chosen = it ? it.value : "";
    input.value = it ? it.text : "";
    input.removeAttribute("aria-invalid");
  }
  input.addEventListener("input", () => {
    const q = input.value.trim().toLowerCase();
    chosen = "";
    if (!q) { hits = []; close(); return; }
    const starts = [], words = [], contains = [];
    for (const it of all) {
      if (it.lower.startsWith(q)) starts.push(it);
      else if (it.lower.includes(` ${q}`) || it.lower.includes(`(${q}`)) words.push(it);
      else if (it.lower.includes(q)) contains.push(it);
    }
    hits = starts.concat(words, contains);
    active = 0;
    draw();
  });
  input.addEventListener("keydown", (e) => {
    if (list.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = Math.min(hits.length, SHOWN);
      if (n) { active = (active + (e.key === "ArrowDown" ? 1 : n - 1)) % n; draw(); }
    } else if (e.key === "Enter" || e.key === "Tab") {
      if (hits.length) take(hits[active]);
      close();
    } else if (e.key === "Escape") {
      e.preventDefault(); e.stopPropagation();
      take(byValue.get(chosenBefore()));
      close();
    }
  });
  let last = "";
  const chosenBefore = () => last;
  input.addEventListener("focus", () => { last = chosen; input.select(); });
  input.addEventListener("blur", () => {
    // Left with a typed text: the first match, as Tab would take it.
    if (!list.hidden && hits.length) take(hits[active]);
    else if (o.restoreOnMiss && !chosen) take(byValue.get(last));
    close();
  });
  return {
    input,
    el,
    get value() { return chosen; },
    set value(v) { take(byValue.get(String(v))); },
  };
}
