//! The storage contract: every verb of `Store` with the invariant it keeps,
//! written once as a story against the verbs alone and run on every backend
//! (`backends()`: sled and PostgreSQL).
//! The model is the atuin project's one `db_story` for its two databases.

use std::path::Path;

use chrono::{Duration, NaiveDate, Utc};
use serde_json::json;
use zeitrechnung_lib::model::{
    BillingState, Customer, Entry, EntryKind, InvoiceRecord, InvoiceState, Project, ProjectStatus,
};
use zeitrechnung_lib::storage::Store;

use crate::support;

type Opener = fn(&Path) -> Store;

/// Every backend the contract runs on, by name: sled in a temp dir, and a
/// fresh database on the throwaway PostgreSQL cluster the tests start
/// (`support::pg`; without PostgreSQL installed it is skipped, which fails
/// under `CI=true`).
fn backends() -> Vec<(&'static str, Opener)> {
    let mut all: Vec<(&'static str, Opener)> =
        vec![("sled", |dir| Store::open(&dir.join("db")).unwrap())];
    #[cfg(target_os = "linux")]
    match support::pg::cluster() {
        Ok(_) => all.push(("PostgreSQL", |_| {
            let cluster = support::pg::cluster().expect("started above");
            Store::connect(&cluster.fresh_database()).unwrap()
        })),
        Err(why) => support::skip("store_contract", &format!("PostgreSQL: {why}")),
    }
    all
}

/// Runs `story` on a fresh, empty store of every backend; a failure names the backend.
fn on_every_backend(story: impl Fn(&Store)) {
    for (name, open) in backends() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| story(&store)));
        if let Err(e) = outcome {
            eprintln!("storage contract failed on the {name} backend");
            std::panic::resume_unwind(e);
        }
    }
}

/// Project `id` (a main project, no customer), stored.
pub(crate) fn project(store: &Store, id: u64) -> Project {
    let now = Utc::now();
    let p = Project {
        id,
        name: format!("Projekt {id}"),
        number: String::new(),
        customer_id: None,
        parent_id: None,
        hourly_rate: None,
        rules: Default::default(),
        tax_case: None,
        status: ProjectStatus::Aktiv,
        created_at: now,
        updated_at: now,
    };
    store.put_project(&p).unwrap();
    p
}

fn entry(id: u64, project_id: u64, fingerprint: Option<u64>) -> Entry {
    let now = Utc::now();
    Entry {
        id,
        project_id,
        date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap() + Duration::days(id as i64 % 20),
        description: format!("Eintrag {id}"),
        billable: true,
        billing: BillingState::Open,
        kind: EntryKind::Time {
            employee: "Jana Kraus".into(),
            employee_id: None,
            start: None,
            end: None,
            break_minutes: 0,
            minutes: 60,
        },
        csv_fingerprint: fingerprint,
        created_at: now,
        updated_at: now,
    }
}

/// An attempt over `entries` in the state `state` (`pending`, `created`, …).
fn attempt(
    id: u64,
    project_id: u64,
    entries: &[u64],
    state: serde_json::Value,
    draft: Option<&str>,
) -> InvoiceRecord {
    let now = Utc::now();
    serde_json::from_value(json!({
        "id": id,
        "projectId": project_id,
        "contactId": "c-1",
        "lexofficeId": draft,
        "state": state,
        "periodFrom": "2026-11-01",
        "periodTo": "2026-11-30",
        "hourlyRate": "",
        "listSubprojects": false,
        "net": "100.00",
        "gross": "119.00",
        "entryIds": entries,
        "request": {},
        "createdAt": now,
        "updatedAt": now,
    }))
    .unwrap()
}

fn billing(store: &Store, ids: &[u64]) -> Vec<BillingState> {
    ids.iter()
        .map(|id| store.entry(*id).unwrap().unwrap().billing)
        .collect()
}

fn reserved(attempt: u64) -> BillingState {
    BillingState::Reserved {
        attempt: attempt.to_string(),
    }
}

#[test]
fn a_reservation_is_all_or_nothing_and_an_entry_is_on_one_live_attempt_at_most() {
    on_every_backend(|store| {
        project(store, 1);
        store
            .put_entries(&[entry(11, 1, None), entry(12, 1, None), entry(13, 1, None)])
            .unwrap();
        let a = attempt(100, 1, &[11, 12], json!({"state": "pending"}), None);
        store.reserve_entries(&a).unwrap();
        assert_eq!(
            billing(store, &[11, 12, 13]),
            vec![reserved(100), reserved(100), BillingState::Open]
        );
        // An overlapping attempt gets nothing: not even the free entry 13.
        let b = attempt(200, 1, &[12, 13], json!({"state": "pending"}), None);
        let e = store.reserve_entries(&b).unwrap_err();
        assert_eq!(e.kind(), "validation");
        assert_eq!(
            billing(store, &[11, 12, 13]),
            vec![reserved(100), reserved(100), BillingState::Open]
        );
        assert!(
            store.invoice_record(200).unwrap().is_none(),
            "no record for a refused reservation"
        );
        // The same attempt cannot be stored twice either.
        assert!(store.reserve_entries(&a).is_err());
    });
}

#[test]
fn a_settle_bills_the_reserved_entries_once_and_settling_again_changes_nothing() {
    on_every_backend(|store| {
        project(store, 1);
        store
            .put_entries(&[entry(21, 1, None), entry(22, 1, None)])
            .unwrap();
        let a = attempt(300, 1, &[21, 22], json!({"state": "pending"}), None);
        store.reserve_entries(&a).unwrap();
        let created = attempt(
            300,
            1,
            &[21, 22],
            json!({"state": "created"}),
            Some("draft-1"),
        );
        store.settle_attempt(&created).unwrap();
        let billed = BillingState::Billed {
            invoice_id: "draft-1".into(),
        };
        assert_eq!(
            billing(store, &[21, 22]),
            vec![billed.clone(), billed.clone()]
        );
        store.settle_attempt(&created).unwrap();
        assert_eq!(billing(store, &[21, 22]), vec![billed.clone(), billed]);
        assert_eq!(
            store.invoice_record(300).unwrap().unwrap().state,
            InvoiceState::Created
        );
        // A stale copy that says "pending" never overwrites the settled attempt.
        assert!(store.reserve_entries(&a).is_err());
    });
}

#[test]
fn a_released_attempt_frees_exactly_its_own_entries() {
    on_every_backend(|store| {
        project(store, 1);
        store
            .put_entries(&[entry(31, 1, None), entry(32, 1, None)])
            .unwrap();
        store
            .reserve_entries(&attempt(400, 1, &[31], json!({"state": "pending"}), None))
            .unwrap();
        store
            .reserve_entries(&attempt(401, 1, &[32], json!({"state": "pending"}), None))
            .unwrap();
        let released = attempt(
            400,
            1,
            &[31],
            json!({"state": "released", "reason": "Test"}),
            None,
        );
        store
            .release_attempt(&released, &InvoiceState::Pending)
            .unwrap();
        assert_eq!(
            billing(store, &[31, 32]),
            vec![BillingState::Open, reserved(401)]
        );
        // Releasing from a state it is no longer in changes nothing.
        assert!(store
            .release_attempt(&released, &InvoiceState::Pending)
            .is_err());
    });
}

#[test]
fn a_csv_row_is_one_entry_at_most() {
    on_every_backend(|store| {
        project(store, 1);
        store.put_entries(&[entry(41, 1, Some(7))]).unwrap();
        assert!(store.csv_row_known(7).unwrap());
        let e = store
            .put_entries(&[entry(42, 1, None), entry(43, 1, Some(7))])
            .unwrap_err();
        assert_eq!(e.kind(), "validation");
        assert!(store.entry(42).unwrap().is_none(), "all or nothing");
        assert!(store.entry(43).unwrap().is_none());
        // The entry that holds the row may be saved again.
        let mut again = entry(41, 1, Some(7));
        again.description = "geändert".into();
        store.put_entries(&[again]).unwrap();
        assert_eq!(store.entry(41).unwrap().unwrap().description, "geändert");
    });
}

/// Several entries written over the versions read, all or none — reserved
/// ones too (Zusammenführen moves billed work's reference).
#[test]
fn a_compare_and_set_of_many_entries_is_all_or_nothing() {
    on_every_backend(|store| {
        project(store, 1);
        store
            .put_entries(&[entry(61, 1, None), entry(62, 1, None), entry(63, 1, None)])
            .unwrap();
        store
            .reserve_entries(&attempt(600, 1, &[63], json!({"state": "pending"}), None))
            .unwrap();
        let read = store.entries_by_ids(&[61, 62, 63]).unwrap();
        let seen: Vec<_> = read.iter().map(|e| e.updated_at).collect();
        let moved = |tag: &str| -> Vec<_> {
            read.iter()
                .map(|e| {
                    let mut m = e.clone();
                    m.description = format!("{tag} {}", e.id);
                    m.updated_at = e.updated_at + Duration::seconds(1);
                    m
                })
                .collect()
        };
        // Another window edits entry 62 in between: nothing of the batch is written.
        let mut edited = read[1].clone();
        edited.description = "dazwischen".into();
        edited.updated_at = read[1].updated_at + Duration::seconds(5);
        store
            .save_entry_unchanged_since(&edited, read[1].updated_at)
            .unwrap();
        let e = store
            .put_entries_unchanged_since(&moved("veraltet"), &seen)
            .unwrap_err();
        assert_eq!(e.kind(), "changed");
        let now: Vec<String> = store
            .entries_by_ids(&[61, 62, 63])
            .unwrap()
            .into_iter()
            .map(|e| e.description)
            .collect();
        assert_eq!(
            now,
            [
                read[0].description.clone(),
                "dazwischen".into(),
                read[2].description.clone()
            ]
        );
        // Read again: all three, the reserved one included, and it stays reserved.
        let read = store.entries_by_ids(&[61, 62, 63]).unwrap();
        let seen: Vec<_> = read.iter().map(|e| e.updated_at).collect();
        let batch: Vec<_> = read
            .iter()
            .map(|e| {
                let mut m = e.clone();
                m.description = format!("neu {}", e.id);
                m.updated_at = e.updated_at + Duration::seconds(1);
                m
            })
            .collect();
        store.put_entries_unchanged_since(&batch, &seen).unwrap();
        let now = store.entries_by_ids(&[61, 62, 63]).unwrap();
        let texts: Vec<&str> = now.iter().map(|e| e.description.as_str()).collect();
        assert_eq!(texts, ["neu 61", "neu 62", "neu 63"]);
        assert!(now[2].is_locked(), "the reserved entry stays reserved");
        // An entry that is gone meanwhile refuses the batch too.
        store.delete_entries(&[61]).unwrap();
        assert_eq!(
            store
                .put_entries_unchanged_since(&batch[..1], &[now[0].updated_at])
                .unwrap_err()
                .kind(),
            "changed"
        );
        assert!(store.entry(61).unwrap().is_none());
    });
}

#[test]
fn a_compare_and_set_refuses_a_stale_version() {
    on_every_backend(|store| {
        let p = project(store, 1);
        store.put_entries(&[entry(51, 1, None)]).unwrap();
        // Two windows open entry 51; the first saves, the second is stale.
        let opened = store.entry(51).unwrap().unwrap();
        let mut first = opened.clone();
        first.description = "erste Änderung".into();
        first.updated_at = opened.updated_at + Duration::seconds(1);
        store
            .save_entry_unchanged_since(&first, opened.updated_at)
            .unwrap();
        let mut second = opened.clone();
        second.description = "zweite Änderung".into();
        let e = store
            .save_entry_unchanged_since(&second, opened.updated_at)
            .unwrap_err();
        assert_eq!(e.kind(), "changed");
        assert_eq!(
            store.entry(51).unwrap().unwrap().description,
            "erste Änderung"
        );
        // A reserved entry is not edited at all.
        store
            .reserve_entries(&attempt(500, 1, &[51], json!({"state": "pending"}), None))
            .unwrap();
        let current = store.entry(51).unwrap().unwrap();
        let mut third = current.clone();
        third.description = "dritte".into();
        assert!(store
            .save_entry_unchanged_since(&third, current.updated_at)
            .is_err());

        let mut renamed = p.clone();
        renamed.name = "Umbau".into();
        renamed.updated_at = p.updated_at + Duration::seconds(1);
        store
            .save_project_unchanged_since(&renamed, p.updated_at)
            .unwrap();
        let mut stale = p.clone();
        stale.name = "Anbau".into();
        assert!(store
            .save_project_unchanged_since(&stale, p.updated_at)
            .is_err());
        assert_eq!(store.project(1).unwrap().unwrap().name, "Umbau");

        let c: Customer = support::manual_customer(60, "Bäckerei Korn");
        store.put_customer(&c).unwrap();
        let mut moved = c.clone();
        moved.address.city = "Köln".into();
        moved.updated_at = c.updated_at + Duration::seconds(1);
        store
            .save_customer_unchanged_since(&moved, c.updated_at)
            .unwrap();
        let mut stale = c.clone();
        stale.address.city = "Bonn".into();
        assert!(store
            .save_customer_unchanged_since(&stale, c.updated_at)
            .is_err());
        assert_eq!(store.customer(60).unwrap().unwrap().address.city, "Köln");
    });
}

#[test]
fn batch_reads_return_exactly_what_was_asked() {
    on_every_backend(|store| {
        project(store, 1);
        project(store, 2);
        project(store, 3);
        store
            .put_entries(&[
                entry(61, 1, None),
                entry(62, 2, None),
                entry(63, 3, None),
                entry(64, 1, None),
            ])
            .unwrap();
        let mut of_two: Vec<u64> = store
            .entries_of_projects(&[1, 2])
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        of_two.sort_unstable();
        assert_eq!(of_two, vec![61, 62, 64]);
        // 4 to 6 November, project by project as asked: project 1's entry of
        // the 6th before project 2's of the 4th (61 falls on the 3rd: out).
        let in_range: Vec<u64> = store
            .entries_in_projects(
                &[1, 2],
                NaiveDate::from_ymd_opt(2026, 11, 4).unwrap(),
                NaiveDate::from_ymd_opt(2026, 11, 6).unwrap(),
            )
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(in_range, vec![64, 62]);
        let by_id: Vec<u64> = store
            .entries_by_ids(&[64, 99, 61])
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(
            by_id,
            vec![64, 61],
            "missing ids are left out, the order is kept"
        );
    });
}

#[test]
fn a_restore_replaces_everything_and_an_export_holds_each_record_once() {
    on_every_backend(|store| {
        project(store, 1);
        store
            .put_entries(&[entry(71, 1, Some(1)), entry(72, 1, None)])
            .unwrap();
        store
            .reserve_entries(&attempt(700, 1, &[72], json!({"state": "pending"}), None))
            .unwrap();
        let backup = store.export().unwrap();
        assert_eq!(
            (
                backup.projects.len(),
                backup.entries.len(),
                backup.invoices.len()
            ),
            (1, 2, 1)
        );
        // Later work that the restore takes back.
        project(store, 2);
        store.put_entries(&[entry(73, 2, Some(2))]).unwrap();
        store.replace_all(&backup).unwrap();
        let mut ids: Vec<u64> = store
            .entries_of_projects(&[1, 2])
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![71, 72]);
        assert!(store.project(2).unwrap().is_none());
        assert!(store.csv_row_known(1).unwrap());
        assert!(
            !store.csv_row_known(2).unwrap(),
            "the row of a record the restore removed is free again"
        );
        assert_eq!(billing(store, &[72]), vec![reserved(700)]);
    });
}

/// Every shape an entry can have comes back as it was written: a time with
/// and without its Von/Bis, a service with each „Art“, with and without its
/// catalog article, reserved and billed, from a CSV row (also a fingerprint
/// above i64::MAX), with a German description.
#[test]
fn every_shape_of_an_entry_reads_back_as_written() {
    use rust_decimal::Decimal;
    use zeitrechnung_lib::model::{ArticleRef, ServiceArt};
    on_every_backend(|store| {
        project(store, 1);
        let at = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0);
        let service = |art, article| EntryKind::Service {
            name: "Kupferrohr 15 mm".into(),
            quantity: Decimal::new(125, 1),
            unit: "m".into(),
            unit_price: Decimal::new(1999, 2),
            tax_rate: Decimal::from(7),
            art,
            article,
        };
        let shapes = [
            (
                BillingState::Open,
                EntryKind::Time {
                    employee: "Jana Kraus".into(),
                    employee_id: Some(77),
                    start: at(7, 30),
                    end: at(12, 0),
                    break_minutes: 15,
                    minutes: 255,
                },
                None,
            ),
            (
                BillingState::Reserved {
                    attempt: "versuch-9".into(),
                },
                EntryKind::Time {
                    employee: String::new(),
                    employee_id: None,
                    start: None,
                    end: None,
                    break_minutes: 0,
                    minutes: 90,
                },
                Some(u64::MAX - 3),
            ),
            (
                BillingState::Billed {
                    invoice_id: "e9066f04-0000-4000-8000-000000000001".into(),
                },
                service(Some(ServiceArt::Material), None),
                Some(42),
            ),
            (
                BillingState::Open,
                service(
                    Some(ServiceArt::Fahrt),
                    Some(ArticleRef {
                        id: "artikel-1".into(),
                        product: true,
                    }),
                ),
                None,
            ),
            (
                BillingState::Open,
                service(Some(ServiceArt::Arbeit), None),
                None,
            ),
            (BillingState::Open, service(None, None), None),
        ];
        // Whole microseconds, as the app stamps them.
        let now = zeitrechnung_lib::de::clock::now();
        let written: Vec<Entry> = shapes
            .into_iter()
            .enumerate()
            .map(|(i, (billing, kind, fingerprint))| Entry {
                billing,
                kind,
                description: "Wärmepumpe „Süd“ – Übergabe".into(),
                created_at: now,
                updated_at: now,
                ..entry(10 + i as u64, 1, fingerprint)
            })
            .collect();
        store.put_entries(&written).unwrap();
        let ids: Vec<u64> = written.iter().map(|e| e.id).collect();
        assert_eq!(store.entries_by_ids(&ids).unwrap(), written);
    });
}
