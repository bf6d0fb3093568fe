// How typed letters find entries — one rule for every type-ahead („Kunde
// suchen“, ui/lib/combo.js): those starting with the text first, then those with
// a word starting with it (a number such as „(P-12)“, an article number), then
// those containing it anywhere; in their own order within each group.

/**
 * @template T
 * @param {{lower: string, item: T}[]} entries lower-cased search text of each item
 * @param {string} typed what was typed (trimmed and lower-cased here)
 * @returns {T[]} the matching items, best first
 */
export function rankMatches(entries, typed) {
  const q = typed.trim().toLowerCase();
  if (!q) return [];
  const starts = [], words = [], contains = [];
  for (const { lower, item } of entries) {
    if (lower.startsWith(q)) starts.push(item);
    else if (lower.includes(` ${q}`) || lower.includes(`(${q}`) || lower.includes(`\n${q}`)) words.push(item);
    else if (lower.includes(q)) contains.push(item);
  }
  return starts.concat(words, contains);
}
