// de-DE formatting of counts. Money is formatted in Rust (rust_decimal) and
// arrives as text; JavaScript never does arithmetic on amounts.
const countFmt = new Intl.NumberFormat("de-DE", { maximumFractionDigits: 0 });

/** 1234 → "1.234" */
export function formatCount(n) {
  return countFmt.format(n);
}

const pad2 = (n) => String(n).padStart(2, "0");

/** A day as a date field holds it: TT.MM.JJJJ (the calendar, a form's „heute“). */
export function dateDe(d) {
  return `${pad2(d.getDate())}.${pad2(d.getMonth() + 1)}.${d.getFullYear()}`;
}

/** Today as TT.MM.JJJJ, the default of a new entry's Datum. */
export function todayDe() {
  return dateDe(new Date());
}

/** A count with its noun in the right number: "1 Kunde", "1.234 Kunden". */
export function countLabel(n, one, many) {
  return `${countFmt.format(n)} ${n === 1 ? one : many}`;
}
