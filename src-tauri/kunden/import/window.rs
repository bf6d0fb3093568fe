//! Past lexoffice's 10,000-result window (docs/lexoffice.md › Result windows).
//!
//! lexoffice answers at most 10,000 contacts of one query, and contacts can be
//! narrowed only by name (a case-insensitive „contains“ of at least three
//! characters, `%` for any run) or by an exact number. Above 10,000 customers
//! the import therefore asks by name parts:
//!
//! - every character seen in a name, one query each („ä“ is sent as `ä%%`);
//! - a part whose answer is below the window is complete once every customer
//!   it counts is known here, otherwise its pages are read (each page is
//!   applied like any other; the import de-duplicates by lexoffice id);
//! - a part still at 10,000 is lengthened: a single character by every
//!   character, a longer part by the characters that follow it in the names
//!   known so far;
//! - a part that is still at 10,000 and cannot be lengthened (a name held by
//!   more than 10,000 customers) is named to the user, as the name it belongs
//!   to: those customers could not all be reached. The 10,000 of them that
//!   lexoffice shows for that name are read.
//!
//! Every customer is found through the parts its name begins with; what is
//! not found is what the user is told about. A name made only of pieces of
//! such a mass name, continued by a character no known name shows there, can
//! be missed unnamed; docs/lexoffice.md records this limit. The split spends
//! at most `MAX_REQUESTS` requests and names what it had not finished.

use std::collections::{BTreeSet, HashMap};

use crate::lexoffice::{window_full, within_window};

/// Longest name part the split lengthens to (lexoffice takes 128 characters).
const MAX_DEPTH: usize = 40;

/// Requests the split may spend: ≈ 18 minutes at lexoffice's rate limit.
pub(crate) const MAX_REQUESTS: u32 = 2_000;

/// What one page of a name query told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Listed {
    /// `totalElements` (lexoffice stops counting at 10,000).
    pub total: u64,
    /// The last page of this query, or an empty one.
    pub end: bool,
}

/// The import stopped (cancel or error); the caller has recorded why.
#[derive(Debug)]
pub(crate) struct Halted;

/// Where the split reads from: the import (lexoffice, applying each page) or
/// a test's list.
pub(crate) trait Lister {
    /// Page `page` of the customers whose name contains `text`, applied.
    fn page(
        &mut self,
        text: &str,
        page: u32,
    ) -> impl std::future::Future<Output = Result<Listed, Halted>> + Send;

    /// Every customer received so far, once each: its name as lexoffice
    /// compares it (lower case, `& < >` HTML-encoded) and as shown.
    fn known(&self) -> &[KnownName];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KnownName {
    pub compared: String,
    pub shown: String,
}

impl KnownName {
    pub fn new(shown: &str) -> KnownName {
        let compared = crate::lexoffice::html_encode(shown).to_lowercase();
        KnownName {
            compared,
            shown: shown.to_string(),
        }
    }
}

/// What the split could not reach, as names the user knows (sorted, once
/// each). Empty when every customer was reached.
pub(crate) async fn split(lister: &mut impl Lister) -> Result<Vec<String>, Halted> {
    let alphabet = alphabet(lister.known());
    let mut level: Vec<String> = alphabet.iter().map(char::to_string).collect();
    let mut requests = 0u32;
    let mut mass: Vec<String> = Vec::new();
    let mut unfinished: Vec<String> = Vec::new();
    while !level.is_empty() {
        // Ask each part once; the small ones are read first, so that the
        // larger ones are often already complete by then.
        let mut asked: Vec<(String, Listed)> = Vec::new();
        for part in level {
            if requests >= MAX_REQUESTS {
                unfinished.push(part);
                continue;
            }
            requests += 1;
            let first = lister.page(&part, 0).await?;
            asked.push((part, first));
        }
        asked.sort_by_key(|(_, l)| l.total);
        let mut next = Vec::new();
        for (part, first) in asked {
            if window_full(first.total) {
                let longer: Vec<char> = if part.chars().count() == 1 {
                    alphabet.clone()
                } else {
                    continuations(lister.known(), &part)
                };
                if longer.is_empty() || part.chars().count() >= MAX_DEPTH {
                    mass.push(part);
                } else {
                    next.extend(longer.into_iter().map(|c| format!("{part}{c}")));
                }
                continue;
            }
            let mut page = 1;
            let mut end = first.end;
            while !end && matching(lister.known(), &part) < first.total && within_window(page) {
                if requests >= MAX_REQUESTS {
                    unfinished.push(part.clone());
                    break;
                }
                requests += 1;
                end = lister.page(&part, page).await?.end;
                page += 1;
            }
        }
        level = next;
    }
    // Of a name held too often, the 10,000 lexoffice does show.
    let crowded = named(lister.known(), mass.iter());
    for name in &crowded {
        let text = name.to_lowercase();
        let mut page = 0;
        while within_window(page) && requests < MAX_REQUESTS {
            requests += 1;
            if lister.page(&text, page).await?.end {
                break;
            }
            page += 1;
        }
    }
    let mut all: BTreeSet<String> = crowded.into_iter().collect();
    all.extend(named(lister.known(), unfinished.iter()));
    Ok(all.into_iter().collect())
}

/// The characters of the known names, sorted, without `& < >` (lexoffice
/// compares those HTML-encoded; their neighbours find such names).
fn alphabet(known: &[KnownName]) -> Vec<char> {
    let set: BTreeSet<char> = known
        .iter()
        .flat_map(|k| k.shown.to_lowercase().chars().collect::<Vec<_>>())
        .filter(|c| !matches!(c, '&' | '<' | '>') && !c.is_control())
        .collect();
    set.into_iter().collect()
}

/// The characters that follow `part` in the known names.
fn continuations(known: &[KnownName], part: &str) -> Vec<char> {
    let mut set = BTreeSet::new();
    for k in known {
        let mut from = 0;
        while let Some(at) = k.compared[from..].find(part) {
            let after = from + at + part.len();
            if let Some(c) = k.compared[after..].chars().next() {
                if !matches!(c, '&' | '<' | '>') {
                    set.insert(c);
                }
            }
            from += at + part.chars().next().map_or(1, char::len_utf8);
        }
    }
    set.into_iter().collect()
}

/// How many known customers lexoffice counts for `part`.
fn matching(known: &[KnownName], part: &str) -> u64 {
    known.iter().filter(|k| k.compared.contains(part)).count() as u64
}

/// Each part as the known name it most often belongs to (the name a user
/// recognises), once each, sorted.
fn named<'a>(known: &[KnownName], parts: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut out = BTreeSet::new();
    for part in parts {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for k in known.iter().filter(|k| k.compared.contains(part.as_str())) {
            *counts.entry(k.shown.as_str()).or_default() += 1;
        }
        let most = counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(name, _)| name.to_string());
        out.insert(most.unwrap_or_else(|| part.clone()));
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexoffice::{MAX_WINDOW, PAGE_SIZE};

    /// A list that behaves like lexoffice's: contains-match, sorted by name,
    /// 250 per page, at most 10,000 per query.
    struct Fake {
        names: Vec<String>,
        got: Vec<bool>,
        known: Vec<KnownName>,
        requests: u32,
    }

    impl Fake {
        fn new(mut names: Vec<String>) -> Fake {
            names.sort_by_key(|n| n.to_lowercase());
            let got = vec![false; names.len()];
            Fake {
                names,
                got,
                known: Vec::new(),
                requests: 0,
            }
        }

        fn read(&mut self, text: Option<&str>, page: u32) -> Listed {
            self.requests += 1;
            assert!(within_window(page), "paged past the window");
            let hits: Vec<usize> = (0..self.names.len())
                .filter(|&i| {
                    text.is_none_or(|t| KnownName::new(&self.names[i]).compared.contains(t))
                })
                .collect();
            let total = hits.len().min(MAX_WINDOW as usize) as u64;
            let size = PAGE_SIZE as usize;
            let from = page as usize * size;
            for &i in hits.iter().skip(from).take(size) {
                if !self.got[i] {
                    self.got[i] = true;
                    self.known.push(KnownName::new(&self.names[i]));
                }
            }
            Listed {
                total,
                end: from + size >= total as usize,
            }
        }

        /// The unfiltered window; true when it was full.
        fn root(&mut self) -> bool {
            let mut page = 0;
            loop {
                let l = self.read(None, page);
                if l.end || !within_window(page + 1) {
                    return window_full(l.total);
                }
                page += 1;
            }
        }
    }

    impl Lister for Fake {
        async fn page(&mut self, text: &str, page: u32) -> Result<Listed, Halted> {
            Ok(self.read(Some(text), page))
        }
        fn known(&self) -> &[KnownName] {
            &self.known
        }
    }

    fn run(f: &mut Fake) -> Vec<String> {
        if !f.root() {
            return Vec::new();
        }
        tauri::async_runtime::block_on(split(f)).unwrap()
    }

    fn trades(n: usize) -> Vec<String> {
        let last = [
            "Albers", "Brandt", "Cordes", "Dietz", "Eckert", "Fuchs", "Graf", "Hahn", "Imhof",
            "Jung", "Krüger", "Lorenz", "Möller", "Nowak", "Otto", "Pohl", "Quast", "Roth",
            "Sommer", "Thiel", "Ullrich", "Vogt", "Weiß", "Xaver", "Yilmaz", "Zander",
        ];
        let trade = [
            "Dachdeckerei",
            "Elektro",
            "Fliesen",
            "Heizung & Sanitär",
            "Malerbetrieb",
        ];
        (0..n)
            .map(|i| {
                format!(
                    "{} {} {}",
                    last[i % last.len()],
                    trade[i / last.len() % trade.len()],
                    i
                )
            })
            .collect()
    }

    #[test]
    fn below_the_window_nothing_is_split() {
        let mut f = Fake::new(trades(600));
        assert!(run(&mut f).is_empty());
        assert_eq!(f.requests, 3);
        assert!(f.got.iter().all(|g| *g));
    }

    #[test]
    fn twelve_thousand_distinct_names_are_all_reached() {
        let mut f = Fake::new(trades(12_000));
        assert!(run(&mut f).is_empty());
        assert_eq!(f.got.iter().filter(|g| **g).count(), 12_000);
        eprintln!("requests (12,000 distinct): {}", f.requests);
    }

    #[test]
    fn a_name_held_by_more_than_ten_thousand_is_named() {
        let mut names = trades(1_990);
        names.extend((0..10_010).map(|_| "Barverkauf".to_string()));
        let mut f = Fake::new(names);
        assert_eq!(run(&mut f), vec!["Barverkauf".to_string()]);
        eprintln!("requests (Barverkauf): {}", f.requests);
        let reached: Vec<&String> = f
            .names
            .iter()
            .zip(&f.got)
            .filter(|(_, g)| **g)
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            reached
                .iter()
                .filter(|n| n.as_str() != "Barverkauf")
                .count(),
            1_990
        );
        assert_eq!(
            reached
                .iter()
                .filter(|n| n.as_str() == "Barverkauf")
                .count(),
            10_000
        );
    }

    #[test]
    fn parts_are_lengthened_by_what_follows_them() {
        let known = vec![
            KnownName::new("Bau & Co"),
            KnownName::new("Baum"),
            KnownName::new("Abbau"),
        ];
        assert_eq!(continuations(&known, "bau"), vec![' ', 'm']);
        assert_eq!(alphabet(&known), vec![' ', 'a', 'b', 'c', 'm', 'o', 'u']);
        assert_eq!(
            matching(&known, "amp"),
            1,
            "lexoffice compares „&“ as „&amp;“"
        );
    }
}
