// Type-ahead: the first letters or a number find the entry among thousands
// (docs/benchmarks.md › Projekt suchen, Leistung suchen). Two kinds:
// - `comboBox`: a chooser (the Stundenzettel's Projekt). Typing lists the
//   matches with the first one highlighted; ↓/↑ move, Tab or Enter take the
//   highlighted one (Enter then goes on to whatever Enter does around it), Esc
//   restores the last choice.
// - `attachSuggestions` with `free: true`: a text field that may hold any text
//   (Bezeichnung, Mitarbeiter) and offers matches; nothing is taken unless
//   chosen with ↓/↑ and Enter/Tab or a click, so a new name stays as typed.
import { h } from "./dom.js";
import { rankMatches } from "./match.js";
import { employeeMatch } from "../api.js";

const SHOWN = 8;
let lists = 0;

/**
 * Offers `items` below `input` while typing.
 * @param {HTMLInputElement} input
 * @param {{text: string, hint?: string, keys?: string}[]} items text as shown and
 *   taken; hint shown beside it; keys: more text that finds it (a number)
 * @param {{free?: boolean, onPick?: (item: object) => void, onEscape?: () => void}} o
 *   onPick: what taking an item does; a free field's default writes its text and
 *   fires "change" (as a typed value would on leaving)
 */
export function attachSuggestions(input, items, o) {
  const all = items.map((it) => ({ item: it, lower: `${it.text}\n${it.keys || ""}`.toLowerCase() }));
  const listId = `${input.id || "combo"}-list-${++lists}`;
  const list = h("ul", { id: listId, class: "combo-list", role: "listbox", hidden: true });
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);
  input.after(list);
  let hits = [];
  let active = -1;

  let watching = false;
  function onMove(e) {
    // Not the field's own text scrolling sideways as it fills.
    if (e.type === "scroll" && (e.target === input || list.contains(e.target))) return;
    close();
  }
  function close() {
    if (watching) {
      watching = false;
      window.removeEventListener("scroll", onMove, true);
      window.removeEventListener("resize", onMove);
    }
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function take(it) {
    close();
    if (o.onPick) { o.onPick(it); return; }
    input.value = it.text;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function draw() {
    list.replaceChildren(...hits.slice(0, SHOWN).map((it, i) => h("li", {
      id: `${listId}-${i}`, role: "option", class: i === active ? "active" : null,
      "aria-selected": i === active ? "true" : "false",
      // mousedown, not click: keeps the focus in the input.
      onmousedown: (e) => { e.preventDefault(); take(it); },
    }, it.text, it.hint ? h("span", { class: "combo-hint" }, it.hint) : null)));
    if (hits.length > SHOWN) list.append(h("li", { class: "combo-more", role: "presentation" }, `… ${hits.length - SHOWN} weitere – bitte genauer tippen`));
    if (!hits.length) {
      if (o.free) { close(); return; }
      list.append(h("li", { class: "combo-more", role: "presentation" }, "Kein Treffer"));
    }
    // Fixed to the window: a table or a form that scrolls would clip it otherwise.
    // Below the field, or above it when the window ends first; closed when the
    // page scrolls or the window changes size (it would float away from the field).
    const r = input.getBoundingClientRect();
    list.style.left = `${r.left}px`;
    list.style.minWidth = `${r.width}px`;
    list.hidden = false;
    const below = r.bottom + 3;
    list.style.top = `${below + list.offsetHeight > window.innerHeight && r.top > list.offsetHeight + 3 ? r.top - list.offsetHeight - 3 : below}px`;
    if (!watching) {
      watching = true;
      window.addEventListener("scroll", onMove, true);
      window.addEventListener("resize", onMove);
    }
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) input.setAttribute("aria-activedescendant", `${listId}-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }
  input.addEventListener("input", (e) => {
    if (!input.value.trim()) { hits = []; close(); return; }
    hits = rankMatches(all, input.value);
    active = o.free ? -1 : 0;
    draw();
  });
  input.addEventListener("keydown", (e) => {
    if (list.hidden) return;
    const n = Math.min(hits.length, SHOWN);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (n) { active = e.key === "ArrowDown" ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1); draw(); }
    } else if (e.key === "Enter" || e.key === "Tab") {
      if (active >= 0 && hits[active]) {
        // A free field's Enter takes the suggestion and does not submit the form.
        if (o.free && e.key === "Enter") e.preventDefault();
        take(hits[active]);
      } else close();
    } else if (e.key === "Escape") {
      e.preventDefault(); e.stopPropagation();
      close();
      if (o.onEscape) o.onEscape();
    }
  });
  input.addEventListener("blur", () => {
    // A chooser left with a typed text takes the first match, as Tab would.
    if (!o.free && !list.hidden && hits.length) take(hits[Math.max(active, 0)]);
    else close();
  });
}

/**
 * The active employees as suggestions of a Mitarbeiter field. Left, the field
 * shows the employee the name means in his own spelling („jana kraus“ → „Jana
 * Kraus“), or „neu“ beside it when the name matches nobody (saving then asks).
 */
export function suggestPeople(input, people) {
  attachSuggestions(input, people.map((p) => ({ text: p.name, hint: p.roleId ? p.roleDisplay : "" })), { free: true });
  const badge = h("span", { class: "badge-new", hidden: true, title: "Unter diesem Namen gibt es noch keinen Mitarbeiter." }, "neu");
  // Inside the field's box, at its right end: the layout never shifts.
  const focused = document.activeElement === input;
  const wrap = h("span", { class: "with-badge" });
  input.replaceWith(wrap);
  wrap.append(input, badge);
  if (focused) input.focus();
  input.addEventListener("input", () => { badge.hidden = true; });
  const check = async () => {
    const typed = input.value;
    if (!typed.trim()) { badge.hidden = true; return; }
    let m;
    try { m = await employeeMatch(typed); } catch { return; }
    if (input.value !== typed) return;
    if (m.name !== typed) {
      input.value = m.name;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    badge.hidden = m.known;
  };
  input.addEventListener("blur", check);
  // Created after „Anlegen“ (ui/lib/people.js): no longer „neu“.
  document.addEventListener("employee-created", () => { if (!badge.hidden && input.isConnected) check(); });
}

/**
 * A chooser: the value is the id of the item taken, "" while the text matches nothing.
 * @param {{value: string, text: string, keys?: string}[]} items
 * @param {{id: string, label: string, placeholder?: string, restoreOnMiss?: boolean}} o
 *   restoreOnMiss: leaving a text that matches nothing brings back the last
 *   choice (a sheet's own project); otherwise the text stays, unchosen, so a save
 *   can say so instead of using a project nobody typed.
 * @returns {{input: HTMLInputElement, el: HTMLElement, get value(): string, set value(v: string)}}
 */
export function comboBox(items, o) {
  const byValue = new Map(items.map((it) => [it.value, it]));
  const input = h("input", { id: o.id, type: "text", autocomplete: "off", placeholder: o.placeholder || "Name oder Nummer", "aria-label": o.label });
  const el = h("div", { class: "combo" }, input);
  let chosen = "";
  let last = "";
  const take = (it) => {
    chosen = it ? it.value : "";
    input.value = it ? it.text : "";
    input.removeAttribute("aria-invalid");
  };
  attachSuggestions(input, items, {
    free: false,
    onPick: take,
    onEscape: () => take(byValue.get(last)),
  });
  input.addEventListener("input", () => { chosen = ""; });
  input.addEventListener("focus", () => { last = chosen; input.select(); });
  input.addEventListener("blur", () => {
    if (o.restoreOnMiss && !chosen) take(byValue.get(last));
  });
  return {
    input,
    el,
    get value() { return chosen; },
    set value(v) { take(byValue.get(String(v))); },
  };
}
