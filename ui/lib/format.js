// de-DE formatting of counts. Money is formatted in Rust (rust_decimal) and
// arrives as text; JavaScript never does arithmetic on amounts.
const countFmt = new Intl.NumberFormat("de-DE", { maximumFractionDigits: 0 });

/** 1234 → "1.234" */
export function formatCount(n) {
  return countFmt.format(n);
}

/** A count with its noun in the right number: "1 Kunde", "1.234 Kunden". */
export function countLabel(n, one, many) {
  return `${countFmt.format(n)} ${n === 1 ? one : many}`;
}
