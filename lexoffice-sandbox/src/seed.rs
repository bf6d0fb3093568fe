//! Deterministic, realistic German test data (`--contacts N --seed S`).
//!
//! Same `(n, seed)` → same contacts, ids and numbers. Mix: ~75 % companies (with
//! one or two contact persons), ~25 % persons; ~80 % customers only, ~10 %
//! customer and vendor, ~10 % vendors only; ~3 % archived; a few without any
//! address (~2 % of companies, ~8 % of persons) and ~1 % with **two** billing
//! addresses (as after editing in the web app) — an invoice that references
//! either kind by `contactId` alone is refused (docs/lexoffice.md › Contacts); umlauts, `ß`
//! and `&` in names; a handful of AT/CH addresses.
//!
//! The second billing addresses come from a generator of their own, so the
//! main stream (and with it every other contact of a seed) is the same as
//! before they were introduced; contact `i` of a seed is the same for any `n`.

use uuid::Uuid;

use crate::rng::SplitMix64;
use crate::state::{Address, Contact, ContactPerson, ContactStore, Profile, Role};

const LAST_NAMES: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Ludwig",
    "Böhm",
    "Winter",
    "Kraus",
    "Martin",
    "Schumacher",
    "Krämer",
    "Vogt",
    "Stein",
    "Jäger",
    "Otto",
    "Sommer",
    "Groß",
    "Seidel",
    "Heinrich",
    "Brandt",
    "Haas",
    "Schreiber",
    "Graf",
    "Schulte",
    "Dietrich",
    "Ziegler",
    "Kuhn",
    "Kühn",
    "Pohl",
    "Engel",
    "Horn",
    "Busch",
    "Bergmann",
    "Thomas",
    "Voigt",
    "Sauer",
    "Arnold",
    "Wolff",
    "Pfeiffer",
    "Özdemir",
    "Yılmaz",
    "Nowak",
    "Kowalski",
    "Hansen",
    "Jansen",
    "de Vries",
];

const FIRST_NAMES_F: &[&str] = &[
    "Anna",
    "Maria",
    "Ursula",
    "Monika",
    "Petra",
    "Sabine",
    "Julia",
    "Katrin",
    "Sandra",
    "Stefanie",
    "Lena",
    "Lea",
    "Hannah",
    "Sophie",
    "Jana",
    "Claudia",
    "Birgit",
    "Andrea",
    "Jördis",
    "Bärbel",
    "Doris",
    "Elke",
    "Franziska",
    "Gül",
    "Ines",
    "Karin",
    "Nicole",
];

const FIRST_NAMES_M: &[&str] = &[
    "Thomas",
    "Michael",
    "Andreas",
    "Stefan",
    "Peter",
    "Klaus",
    "Jürgen",
    "Frank",
    "Uwe",
    "Markus",
    "Christian",
    "Tobias",
    "Jan",
    "Lukas",
    "Felix",
    "Jonas",
    "Björn",
    "Sören",
    "Ole",
    "Matthias",
    "Ralf",
    "Jörg",
    "Dirk",
    "Holger",
    "Mehmet",
    "Florian",
    "Sebastian",
];

const TRADES: &[&str] = &[
    "Haustechnik",
    "Elektrotechnik",
    "Bauunternehmung",
    "Dachdeckerei",
    "Malerbetrieb",
    "Tischlerei",
    "Garten- und Landschaftsbau",
    "Sanitär & Heizung",
    "Metallbau",
    "Zimmerei",
    "Fliesenfachbetrieb",
    "Gebäudereinigung",
    "Ingenieurbüro",
    "Architekturbüro",
    "Druckerei",
    "Steuerberatung",
    "Immobilien",
    "Logistik",
    "Autohaus",
    "Getränkehandel",
    "Bäckerei",
    "Hausverwaltung",
    "Kälte- und Klimatechnik",
    "Schlüsseldienst",
    "Fensterbau",
];

const FANCY: &[&str] = &[
    "Nordlicht",
    "Alpenblick",
    "Rheinufer",
    "Elbtal",
    "Sonnenhof",
    "Weitblick",
    "Lindenhof",
    "Mühlbach",
    "Spreewerk",
    "Hafenkante",
    "Ostwind",
    "Brückenbau",
    "Grünfeld",
    "Blautanne",
    "Eichenwald",
    "Süderelbe",
    "Waldblick",
    "Fuchsbau",
    "Löwenzahn",
    "Silberstreif",
];

const BRANCHES: &[&str] = &[
    "Software",
    "IT-Service",
    "Medien",
    "Consulting",
    "Systemhaus",
    "Digital",
    "Energie",
    "Baustoffe",
    "Objektbau",
    "Veranstaltungstechnik",
    "Werbeagentur",
    "Personaldienste",
];

const LEGAL_FORMS: &[&str] = &[
    "GmbH",
    "GmbH",
    "GmbH",
    "GmbH",
    "GmbH & Co. KG",
    "GmbH & Co. KG",
    "UG (haftungsbeschränkt)",
    "AG",
    "KG",
    "OHG",
    "e.K.",
    "GbR",
    "mbH",
];

const STREETS: &[&str] = &[
    "Hauptstraße",
    "Bahnhofstraße",
    "Gartenstraße",
    "Schulstraße",
    "Dorfstraße",
    "Bergstraße",
    "Lindenstraße",
    "Kirchstraße",
    "Waldstraße",
    "Ringstraße",
    "Am Markt",
    "Hafenweg",
    "Industriestraße",
    "Mühlenweg",
    "Goethestraße",
    "Schillerstraße",
    "Friedrichstraße",
    "Talstraße",
    "Birkenweg",
    "Rosenweg",
    "Große Straße",
    "Am Bahnhof",
    "Poststraße",
    "Wiesenweg",
    "Feldstraße",
    "Jahnstraße",
    "Kastanienallee",
    "Mozartstraße",
    "Rathausplatz",
    "Gewerbepark Süd",
    "Zur Mühle",
    "Bürgermeister-Müller-Straße",
    "Tannenweg",
    "Uferstraße",
];

/// `(zip, city, phone area code)`
const CITIES_DE: &[(&str, &str, &str)] = &[
    ("10115", "Berlin", "30"),
    ("10997", "Berlin", "30"),
    ("20095", "Hamburg", "40"),
    ("22767", "Hamburg", "40"),
    ("80331", "München", "89"),
    ("81667", "München", "89"),
    ("50667", "Köln", "221"),
    ("60311", "Frankfurt am Main", "69"),
    ("70173", "Stuttgart", "711"),
    ("40213", "Düsseldorf", "211"),
    ("44135", "Dortmund", "231"),
    ("45127", "Essen", "201"),
    ("04109", "Leipzig", "341"),
    ("28195", "Bremen", "421"),
    ("01067", "Dresden", "351"),
    ("30159", "Hannover", "511"),
    ("90403", "Nürnberg", "911"),
    ("47051", "Duisburg", "203"),
    ("44787", "Bochum", "234"),
    ("42103", "Wuppertal", "202"),
    ("33602", "Bielefeld", "521"),
    ("53111", "Bonn", "228"),
    ("48143", "Münster", "251"),
    ("76133", "Karlsruhe", "721"),
    ("68159", "Mannheim", "621"),
    ("86150", "Augsburg", "821"),
    ("65183", "Wiesbaden", "611"),
    ("24103", "Kiel", "431"),
    ("23552", "Lübeck", "451"),
    ("18055", "Rostock", "381"),
    ("99084", "Erfurt", "361"),
    ("39104", "Magdeburg", "391"),
    ("14467", "Potsdam", "331"),
    ("55116", "Mainz", "6131"),
    ("66111", "Saarbrücken", "681"),
    ("93047", "Regensburg", "941"),
    ("97070", "Würzburg", "931"),
    ("79098", "Freiburg im Breisgau", "761"),
    ("89073", "Ulm", "731"),
    ("37073", "Göttingen", "551"),
    ("26122", "Oldenburg", "441"),
    ("49074", "Osnabrück", "541"),
    ("06108", "Halle (Saale)", "345"),
    ("83435", "Bad Reichenhall", "8651"),
    ("25980", "Sylt", "4651"),
];

const CITIES_ABROAD: &[(&str, &str, &str, &str)] = &[
    ("1010", "Wien", "AT", "+43 1"),
    ("5020", "Salzburg", "AT", "+43 662"),
    ("8001", "Zürich", "CH", "+41 44"),
    ("4051", "Basel", "CH", "+41 61"),
];

const SUPPLEMENTS: &[&str] = &[
    "Hinterhaus",
    "2. OG",
    "Gebäude B",
    "c/o Büro am Markt",
    "Tor 3",
];

const NOTES: &[&str] = &[
    "Rechnungen bitte nur per E-Mail.",
    "Ansprechpartner wechselt zum Quartalsende.",
    "Rahmenvertrag bis 31.12.",
    "Zahlt zuverlässig, Skonto wird genutzt.",
];

/// ASCII slug for e-mail domains: `Müller & Söhne` → `mueller-soehne`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        let piece: &str = match ch {
            'ä' | 'Ä' => "ae",
            'ö' | 'Ö' => "oe",
            'ü' | 'Ü' => "ue",
            'ß' => "ss",
            'ı' => "i",
            c if c.is_ascii_alphanumeric() => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            _ => "-",
        };
        out.push_str(piece);
    }
    let mut collapsed = String::new();
    for part in out.split('-').filter(|p| !p.is_empty()) {
        if !collapsed.is_empty() {
            collapsed.push('-');
        }
        collapsed.push_str(part);
    }
    collapsed
}

/// Organisation id of a seeded sandbox (profile and every contact share it).
pub fn organization_id(seed: u64) -> Uuid {
    SplitMix64::new(seed ^ 0x6f72_6761_6e69_7a61).uuid()
}

/// The profile of a seeded sandbox.
pub fn profile(seed: u64, company_name: &str, tax_type: &str, small_business: bool) -> Profile {
    let mut rng = SplitMix64::new(seed ^ 0x7072_6f66_696c_6521);
    Profile {
        organization_id: organization_id(seed),
        company_name: company_name.to_string(),
        user_id: rng.uuid(),
        user_name: "Frau Jana Beispiel".to_string(),
        user_email: "jana.beispiel@muster-handwerk.example".to_string(),
        created_date: "2024-05-02T09:12:00.000+02:00".to_string(),
        connection_id: rng.uuid(),
        features: vec!["cashbox".to_string()],
        business_features: vec!["INVOICING".to_string(), "BOOKKEEPING".to_string()],
        subscription_status: "active".to_string(),
        tax_type: tax_type.to_string(),
        small_business,
    }
}

fn company_name(rng: &mut SplitMix64) -> String {
    let form = *rng.pick(LEGAL_FORMS);
    match rng.below(7) {
        0 | 1 => format!("{} {} {}", rng.pick(LAST_NAMES), rng.pick(TRADES), form),
        2 => {
            let a = *rng.pick(LAST_NAMES);
            let mut b = *rng.pick(LAST_NAMES);
            if a == b {
                b = "Partner";
            }
            format!("{a} & {b} {form}")
        }
        3 => format!("{} {} {}", rng.pick(FANCY), rng.pick(BRANCHES), form),
        4 => format!("{} {} e.K.", rng.pick(TRADES), rng.pick(LAST_NAMES)),
        5 => format!("{} & Söhne {}", rng.pick(LAST_NAMES), rng.pick(TRADES)),
        _ => format!("{} {} {}", rng.pick(TRADES), rng.pick(FANCY), form),
    }
}

fn person_name(rng: &mut SplitMix64) -> (&'static str, &'static str, &'static str) {
    let female = rng.chance(500);
    let first = if female {
        *rng.pick(FIRST_NAMES_F)
    } else {
        *rng.pick(FIRST_NAMES_M)
    };
    (
        if female { "Frau" } else { "Herr" },
        first,
        *rng.pick(LAST_NAMES),
    )
}

fn address(rng: &mut SplitMix64) -> (Address, String) {
    let number = rng.range(1, 140);
    let suffix = if rng.chance(80) { "a" } else { "" };
    let street = format!("{} {}{}", rng.pick(STREETS), number, suffix);
    let supplement = if rng.chance(60) {
        Some(rng.pick(SUPPLEMENTS).to_string())
    } else {
        None
    };
    if rng.chance(25) {
        let (zip, city, cc, area) = *rng.pick(CITIES_ABROAD);
        let phone = format!("{area} {}", rng.range(100_000, 9_999_999));
        (
            Address {
                supplement,
                street: Some(street),
                zip: Some(zip.to_string()),
                city: Some(city.to_string()),
                country_code: cc.to_string(),
            },
            phone,
        )
    } else {
        let (zip, city, area) = *rng.pick(CITIES_DE);
        let phone = format!("+49 {area} {}", rng.range(100_000, 9_999_999));
        (
            Address {
                supplement,
                street: Some(street),
                zip: Some(zip.to_string()),
                city: Some(city.to_string()),
                country_code: "DE".to_string(),
            },
            phone,
        )
    }
}

/// One seeded contact (roles carry no numbers yet, the store assigns them).
fn contact(rng: &mut SplitMix64) -> Contact {
    let is_company = rng.chance(750);
    let (addr, phone) = address(rng);
    let has_address = if is_company {
        !rng.chance(20)
    } else {
        !rng.chance(80)
    };
    let mut c = if is_company {
        let name = company_name(rng);
        let domain = format!("{}.example", slug(&name));
        let persons = if rng.chance(150) {
            0
        } else if rng.chance(250) {
            2
        } else {
            1
        };
        let contact_persons = (0..persons)
            .map(|i| {
                let (sal, first, last) = person_name(rng);
                ContactPerson {
                    salutation: Some(sal.to_string()),
                    first_name: Some(first.to_string()),
                    last_name: last.to_string(),
                    primary: i == 0,
                    email_address: Some(format!("{}.{}@{}", slug(first), slug(last), domain)),
                    phone_number: if rng.chance(600) {
                        Some(format!("{}-{}", phone, rng.range(10, 99)))
                    } else {
                        None
                    },
                }
            })
            .collect();
        let vat = if rng.chance(400) {
            Some(format!("DE{}", rng.range(100_000_000, 999_999_999)))
        } else {
            None
        };
        let mut c = Contact::company(&name);
        if let Some(co) = c.company.as_mut() {
            co.vat_registration_id = vat;
            co.contact_persons = contact_persons;
        }
        let mailbox = *rng.pick(&["rechnung", "buchhaltung", "info", "office"]);
        c.email_addresses
            .business
            .push(format!("{mailbox}@{domain}"));
        c.phone_numbers.business.push(phone);
        c
    } else {
        let (sal, first, last) = person_name(rng);
        let sal = if rng.chance(100) { None } else { Some(sal) };
        let mut c = Contact::person(sal, first, last);
        if rng.chance(700) {
            let host = *rng.pick(&["web.example", "posteo.example", "mail.example"]);
            c.email_addresses
                .private
                .push(format!("{}.{}@{}", slug(first), slug(last), host));
        }
        if rng.chance(500) {
            c.phone_numbers.mobile.push(format!(
                "+49 15{} {}",
                rng.range(1, 9),
                rng.range(1_000_000, 9_999_999)
            ));
        }
        c
    };
    if has_address {
        c.addresses.billing.push(addr);
    }
    // Roles: ~80 % customer, ~10 % both, ~10 % vendor only.
    let r = rng.below(100);
    if r < 90 {
        c.roles.customer = Some(Role::default());
    }
    if r >= 80 {
        c.roles.vendor = Some(Role::default());
    }
    c.archived = rng.chance(30);
    c.version = rng.range(0, 4) as i64;
    if rng.chance(80) {
        c.note = Some(rng.pick(NOTES).to_string());
    }
    c
}

/// Per mille of contacts with a billing address that get a second one.
pub const TWO_BILLING_ADDRESSES_PERMILLE: u64 = 10;

/// Adds `n` seeded contacts to the store. Customer numbers are handed out in
/// generation order from 10001, vendor numbers from 70001.
pub fn seed_contacts(store: &ContactStore, n: usize, seed: u64) {
    let mut rng = SplitMix64::new(seed);
    let mut extra = SplitMix64::new(seed ^ 0x7a77_6569_7465_2e61);
    for _ in 0..n {
        let mut c = contact(&mut rng);
        c.id = rng.uuid();
        // Always draw, so the decision for contact i depends on i only.
        let second = extra.chance(TWO_BILLING_ADDRESSES_PERMILLE);
        let (addr, _) = address(&mut extra);
        if second && !c.addresses.billing.is_empty() {
            c.addresses.billing.push(addr);
        }
        store.add_contact(c);
    }
}

/// The demo articles (`SandboxConfig::demo_articles`): what a German craft
/// business bills besides its hours. Ids are derived from `seed`, so they
/// are the same on every start; all 19 % but the book (7 %).
pub fn demo_articles(seed: u64) -> Vec<crate::articles::Article> {
    use crate::articles::Article;
    use rust_decimal::Decimal;
    let eur = |cents: i64| Decimal::new(cents, 2);
    let mut rng = SplitMix64::new(seed ^ 0x6172_7469_6b65_6c21);
    let list = vec![
        Article::service("Fahrtkosten", "km", eur(30), 19)
            .with_article_number("L-100")
            .with_description("Kilometerpauschale für An- und Abfahrt"),
        Article::service("Anfahrtspauschale", "pauschal", eur(3500), 19)
            .with_article_number("L-101"),
        Article::service("Arbeitsstunde Geselle", "Stunde", eur(5800), 19)
            .with_article_number("L-110"),
        Article::service("Entsorgung Bauschutt", "Sack", eur(1250), 19)
            .with_article_number("L-120"),
        Article::product("Kleinmaterial", "pauschal", eur(1500), 19)
            .with_article_number("M-200")
            .with_note("Schrauben, Dübel, Klebeband"),
        Article::product("Silikon, Kartusche", "Stk.", eur(890), 19)
            .with_article_number("M-201")
            .with_gtin("4006209123454"),
        Article::product("Kabel NYM-J 3×1,5", "m", eur(95), 19).with_article_number("M-202"),
        Article::product("Fachbuch Sanitärtechnik", "Stk.", eur(3990), 7)
            .with_gross_price(Decimal::new(4269, 2))
            .with_article_number("M-300"),
    ];
    list.into_iter()
        .map(|mut a| {
            a.id = rng.uuid();
            a
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded(n: usize, seed: u64) -> ContactStore {
        let store = ContactStore::new(organization_id(seed));
        seed_contacts(&store, n, seed);
        store
    }

    #[test]
    fn demo_articles_are_stable() {
        let a = demo_articles(2026);
        assert_eq!(a, demo_articles(2026));
        assert!(a.len() >= 5);
        let fk = a.iter().find(|x| x.title == "Fahrtkosten").unwrap();
        assert_eq!(fk.unit_name, "km");
        assert_eq!(fk.price.net_price, rust_decimal::Decimal::new(30, 2));
        assert!(a.iter().any(|x| x.title == "Kleinmaterial"));
        assert!(a
            .iter()
            .any(|x| x.title == "Silikon, Kartusche" && x.unit_name == "Stk."));
        let ids: std::collections::HashSet<_> = a.iter().map(|x| x.id).collect();
        assert_eq!(ids.len(), a.len());
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Müller & Söhne Haustechnik"),
            "mueller-soehne-haustechnik"
        );
        assert_eq!(slug("UG (haftungsbeschränkt)"), "ug-haftungsbeschraenkt");
        assert_eq!(slug("Weiß"), "weiss");
    }

    #[test]
    fn deterministic_per_seed() {
        let a = seeded(50, 7).all();
        let b = seeded(50, 7).all();
        assert_eq!(a, b);
        let c = seeded(50, 8).all();
        assert_ne!(a, c);
    }

    #[test]
    fn two_billing_addresses_leave_the_rest_alone() {
        // Deterministic, and contact i does not depend on n.
        let a = seeded(400, 3).all();
        assert_eq!(a, seeded(400, 3).all());
        let small = seeded(100, 3);
        for c in small.all() {
            assert_eq!(a.iter().find(|x| x.id == c.id), Some(&c));
        }
        // Every seed of this size has some; they are customers too and their
        // two addresses differ.
        for seed in [1, 2, 5, 9, 11, 42, 2026] {
            let all = seeded(700, seed).all();
            let two: Vec<&Contact> = all
                .iter()
                .filter(|c| c.addresses.billing.len() == 2)
                .collect();
            assert!(!two.is_empty(), "seed {seed}");
            assert!(
                two.iter()
                    .all(|c| c.addresses.billing[0] != c.addresses.billing[1]),
                "seed {seed}"
            );
        }
        let all = seeded(1000, 1).all();
        assert!(all
            .iter()
            .any(|c| c.addresses.billing.len() == 2 && c.roles.customer.is_some()));
    }

    #[test]
    fn realistic_mix() {
        let all = seeded(1000, 1).all();
        assert_eq!(all.len(), 1000);
        let companies = all.iter().filter(|c| c.company.is_some()).count();
        let archived = all.iter().filter(|c| c.archived).count();
        let no_addr = all
            .iter()
            .filter(|c| c.addresses.billing.is_empty())
            .count();
        let vendor_only = all
            .iter()
            .filter(|c| c.roles.customer.is_none() && c.roles.vendor.is_some())
            .count();
        let with_amp = all
            .iter()
            .filter(|c| c.display_name().contains('&'))
            .count();
        let with_umlaut = all
            .iter()
            .filter(|c| c.display_name().chars().any(|ch| "äöüÄÖÜß".contains(ch)))
            .count();
        assert!((650..850).contains(&companies), "{companies}");
        assert!((10..60).contains(&archived), "{archived}");
        assert!((20..80).contains(&no_addr), "{no_addr}");
        let two = all
            .iter()
            .filter(|c| c.addresses.billing.len() == 2)
            .count();
        assert!(
            (4..25).contains(&two),
            "~1 % with two billing addresses: {two}"
        );
        assert!(all.iter().all(|c| c.addresses.billing.len() <= 2));
        assert!((50..150).contains(&vendor_only), "{vendor_only}");
        assert!(
            with_amp > 20 && with_umlaut > 50,
            "{with_amp} {with_umlaut}"
        );
        // Exactly one of company/person; organisation id everywhere.
        let org = organization_id(1);
        assert!(all
            .iter()
            .all(|c| c.company.is_some() != c.person.is_some() && c.organization_id == org));
        // Customer numbers are 10001.. without gaps.
        let mut nums: Vec<u32> = all.iter().filter_map(Contact::customer_number).collect();
        nums.sort_unstable();
        assert_eq!(nums.first(), Some(&10001));
        assert!(nums.windows(2).all(|w| w[1] == w[0] + 1));
        let mut vnums: Vec<u32> = all.iter().filter_map(Contact::vendor_number).collect();
        vnums.sort_unstable();
        assert_eq!(vnums.first(), Some(&70001));
    }
}
