// A calendar for every date field (placeholder „TT.MM.JJJJ…“): a small button
// beside the field, or Alt+↓ in it, opens a month; a click or Enter on a day
// writes it as TT.MM.JJJJ. Typing stays the fast way („heute“, „12.3.“);
// the calendar is for finding a day. Fields are enhanced as they appear.
import { h } from "./dom.js";
import { dateUnderstood } from "../api.js";
import { dateDe as fmt } from "./format.js";

const MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"];
const DAYS = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"];

/** The day a field shows, if it reads as TT.MM.JJJJ (else today). */
function shown(value) {
  const m = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/.exec(value.trim());
  if (!m) return new Date();
  const y = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  const d = new Date(y, Number(m[2]) - 1, Number(m[1]));
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

function open(input, anchor) {
  close();
  let month = shown(input.value);
  month = new Date(month.getFullYear(), month.getMonth(), 1);
  const selected = input.value.trim();
  const pop = h("div", { class: "calendar", role: "dialog", "aria-label": "Kalender" });
  const title = h("strong", { "aria-live": "polite" });
  const grid = h("div", { class: "cal-grid", role: "grid" });
  const pick = (d) => {
    input.value = fmt(d);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    close();
    input.focus();
  };
  const draw = () => {
    title.textContent = `${MONTHS[month.getMonth()]} ${month.getFullYear()}`;
    grid.replaceChildren(...DAYS.map((d) => h("span", { class: "cal-head" }, d)));
    const lead = (month.getDay() + 6) % 7;
    for (let i = 0; i < lead; i++) grid.append(h("span", {}));
    const today = fmt(new Date());
    const days = new Date(month.getFullYear(), month.getMonth() + 1, 0).getDate();
    for (let day = 1; day <= days; day++) {
      const d = new Date(month.getFullYear(), month.getMonth(), day);
      const text = fmt(d);
      grid.append(h("button", {
        type: "button", class: `cal-day${text === today ? " today" : ""}${text === selected ? " selected" : ""}`,
        "aria-label": `${day}. ${MONTHS[d.getMonth()]} ${d.getFullYear()}`, dataset: { date: text },
        onclick: () => pick(d),
      }, String(day)));
    }
  };
  const step = (n) => { month = new Date(month.getFullYear(), month.getMonth() + n, 1); draw(); };
  pop.append(
    h("div", { class: "cal-top" },
      h("button", { type: "button", class: "iconbtn small", "aria-label": "Voriger Monat", onclick: () => step(-1) }, "‹"),
      title,
      h("button", { type: "button", class: "iconbtn small", "aria-label": "Nächster Monat", onclick: () => step(1) }, "›")),
    grid,
    h("div", { class: "cal-bottom" },
      h("button", { type: "button", class: "linkbtn", onclick: () => pick(new Date()) }, "Heute")));
  pop.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); input.focus(); }
  });
  draw();
  anchor.after(pop);
  const first = pop.querySelector(".cal-day.selected") || pop.querySelector(".cal-day.today") || pop.querySelector(".cal-day");
  if (first) first.focus();
  openPop = pop;
}

let openPop = null;
function close() {
  if (openPop) { openPop.remove(); openPop = null; }
}

function enhance(input) {
  if (input.dataset.calendar) return;
  input.dataset.calendar = "1";
  const btn = h("button", {
    type: "button", class: "cal-btn", tabindex: "-1", "aria-label": "Kalender öffnen", title: "Kalender (Alt+↓)",
    onclick: (e) => { e.preventDefault(); if (openPop) close(); else open(input, btn); },
  });
  btn.append(h("span", { "aria-hidden": "true" }, "▦"));
  // Field and button in one box the calendar hangs from; focus stays put.
  const focused = document.activeElement === input;
  const wrap = h("span", { class: "date-wrap" });
  input.replaceWith(wrap);
  wrap.append(input, btn);
  if (focused) input.focus();
  input.addEventListener("keydown", (e) => {
    if (e.altKey && e.key === "ArrowDown") { e.preventDefault(); open(input, btn); }
  });
  // Left: the field shows the full date it understood („29.12.“ → „29.12.2026“),
  // so a date at the year's end is seen before it is saved. What is no date
  // stays as typed; saving names the problem.
  input.addEventListener("blur", async () => {
    const typed = input.value;
    if (!typed.trim()) return;
    let full;
    try { full = await dateUnderstood(typed); } catch { return; }
    if (input.value !== typed || full === typed) return;
    input.value = full;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

/** Enhances every date field now and whenever one appears. */
export function installDatePickers() {
  // Also the Stundenzettel's „TT.MM.JJJJ oder „heute““.
  const selector = 'input[placeholder^="TT.MM.JJJJ"]';
  const scan = (root) => {
    if (root.matches && root.matches(selector)) enhance(root);
    for (const el of root.querySelectorAll(selector)) enhance(el);
  };
  scan(document);
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) scan(n);
  }).observe(document.body, { childList: true, subtree: true });
  document.addEventListener("mousedown", (e) => {
    if (openPop && !openPop.contains(e.target) && !e.target.closest(".cal-btn")) close();
  });
}
