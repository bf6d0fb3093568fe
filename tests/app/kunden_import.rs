//! Kunden › lexoffice Import against the sandbox: exactly once, idempotent,
//! changes detected, manual customers linked, and interruptions that leave a
//! consistent store which a re-run completes.

use crate::support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use lexoffice_sandbox::{Fault, Sandbox, SandboxConfig};
use zeitrechnung_lib::kunden::{self, import, CustomerInput};
use zeitrechnung_lib::secrets::{ApiKey, SecretStore};
use zeitrechnung_lib::storage::Source;

fn sandbox(contacts: usize) -> Sandbox {
    Sandbox::start_in_thread(SandboxConfig {
        api_key: support::KEY.into(),
        contacts,
        seed: 42,
        ..SandboxConfig::default()
    })
    .unwrap()
}

fn connected(sb: &Sandbox) -> support::Harness {
    let h = support::harness(&sb.base_url);
    h.secrets
        .store(&ApiKey::parse(support::KEY).unwrap())
        .unwrap();
    h
}

/// Customers (role customer) in the sandbox, by lexoffice id.
fn sandbox_customers(sb: &Sandbox) -> HashSet<String> {
    sb.contacts()
        .all()
        .into_iter()
        .filter(|c| c.customer_number().is_some())
        .map(|c| c.id.to_string())
        .collect()
}

fn local_lex_ids(h: &support::Harness) -> Vec<String> {
    h.core
        .store
        .customers()
        .unwrap()
        .into_iter()
        .filter_map(|c| c.lexoffice_id)
        .collect()
}

async fn import_plain(h: &support::Harness) -> import::ImportSummary {
    let cancel = AtomicBool::new(false);
    import::run(&h.core, |_| {}, &cancel).await.unwrap()
}

#[tokio::test]
async fn thousand_contacts_imported_exactly_once_and_second_run_changes_nothing() {
    let sb = sandbox(1000);
    let h = connected(&sb);
    let expected = sandbox_customers(&sb);
    assert!(expected.len() < 1000, "the seed has vendor-only contacts");
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let ev = events.clone();
    let cancel = AtomicBool::new(false);
    let s = import::run(&h.core, move |e| ev.lock().unwrap().push(e), &cancel)
        .await
        .unwrap();
    assert!(s.completed && s.error.is_none(), "{s:?}");
    assert_eq!(s.new as usize, expected.len());
    assert_eq!(s.total_pages, 4);
    assert_eq!(
        events.lock().unwrap().len(),
        4,
        "one progress event per page"
    );
    let local = local_lex_ids(&h);
    assert_eq!(local.len(), expected.len());
    assert_eq!(local.iter().cloned().collect::<HashSet<_>>(), expected);
    // Requests: paged with size 250, customers only.
    let reqs = sb.requests();
    assert!(reqs
        .iter()
        .all(|r| r.path.contains("customer=true") && r.path.contains("size=250")));
    assert!(
        reqs.iter().all(|r| r.status == 200),
        "no 429 reached the client"
    );

    let again = import_plain(&h).await;
    assert_eq!(
        (again.new, again.updated, again.linked, again.missing),
        (0, 0, 0, 0)
    );
    assert_eq!(again.unchanged as usize, expected.len());
    assert!(
        again.message.starts_with("Keine Änderungen"),
        "{}",
        again.message
    );
    assert_eq!(local_lex_ids(&h).len(), expected.len());
}

#[tokio::test]
async fn changes_between_imports_are_detected() {
    let sb = sandbox(300);
    let h = connected(&sb);
    let first = import_plain(&h).await;
    let customers: Vec<_> = sb
        .contacts()
        .all()
        .into_iter()
        .filter(|c| c.customer_number().is_some() && !c.archived)
        .collect();
    let (renamed, archived, removed) = (&customers[0], &customers[1], &customers[2]);
    sb.contacts().update_contact(renamed.id, |c| {
        if let Some(co) = c.company.as_mut() {
            co.name = "Umbenannt & Co. KG".into();
        } else if let Some(p) = c.person.as_mut() {
            p.last_name = "Umbenannt".into();
        }
    });
    sb.contacts().archive(archived.id);
    sb.contacts().remove(removed.id);
    sb.contacts().add_contact(
        lexoffice_sandbox::Contact::company("Neukunde Bau GmbH")
            .customer()
            .with_billing_address("Hauptstr. 1", "10115", "Berlin", "DE"),
    );
    let s = import_plain(&h).await;
    assert!(s.completed);
    assert_eq!(s.new, 1);
    assert_eq!(s.updated, 2, "renamed + archived");
    assert_eq!(s.archived, 1);
    assert_eq!(s.missing, 1);
    assert_eq!(s.unchanged, first.new - 3);
    let all = h.core.store.customers().unwrap();
    let gone = all
        .iter()
        .find(|c| c.lexoffice_id.as_deref() == Some(&removed.id.to_string()))
        .expect("a vanished customer is kept");
    assert!(gone.missing_in_lexoffice);
    let arch = all
        .iter()
        .find(|c| c.lexoffice_id.as_deref() == Some(&archived.id.to_string()))
        .unwrap();
    assert!(arch.archived);
    assert!(all
        .iter()
        .any(|c| c.name == "Neukunde Bau GmbH" && c.address.city == "Berlin"));
    // Kept ids: the renamed customer is the same local record.
    assert_eq!(all.len() as u64, first.new + 1);
}

#[tokio::test]
async fn manual_customers_are_linked_not_duplicated() {
    let sb = sandbox(0);
    let a = sb.contacts().add_contact(
        lexoffice_sandbox::Contact::company("Schreinerei Kern")
            .customer()
            .with_billing_address("Am Bach 3", "79098", "Freiburg", "DE"),
    );
    sb.contacts().add_contact(
        lexoffice_sandbox::Contact::company("Malerbetrieb Weiß GmbH")
            .customer()
            .with_billing_address("Ringstr. 9", "68159", "Mannheim", "DE"),
    );
    let h = connected(&sb);
    let by_number = kunden::save(
        &h.core,
        CustomerInput {
            name: "Kern (alt)".into(),
            number: a.customer_number().unwrap().to_string(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let by_name = kunden::save(
        &h.core,
        CustomerInput {
            name: "malerbetrieb  weiß gmbh".into(),
            zip: "68159".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let s = import_plain(&h).await;
    assert_eq!((s.new, s.linked), (0, 2), "{s:?}");
    assert!(s.message.contains("2 verknüpft"));
    let all = h.core.store.customers().unwrap();
    assert_eq!(all.len(), 2);
    let linked = all.iter().find(|c| c.id == by_number.customer.id).unwrap();
    assert_eq!(linked.source, Source::Lexoffice);
    assert_eq!(linked.name, "Schreinerei Kern");
    assert_eq!(
        linked.lexoffice_id.as_deref(),
        Some(a.id.to_string().as_str())
    );
    assert!(all
        .iter()
        .any(|c| c.id == by_name.customer.id && c.lexoffice_id.is_some()));
}

/// Injects `fault` right after the first page was applied, then re-runs.
/// Returns the interrupted run's summary and how many requests got the fault.
async fn interrupted_then_completed(
    fault: Fault,
    count: u32,
    kind: &str,
) -> (import::ImportSummary, usize) {
    let sb = Arc::new(sandbox(1000));
    let h = connected(&sb);
    let expected = sandbox_customers(&sb);
    let sb2 = sb.clone();
    let fired = AtomicBool::new(false);
    let cancel = AtomicBool::new(false);
    let s = import::run(
        &h.core,
        move |_| {
            if !fired.swap(true, Ordering::SeqCst) {
                sb2.inject(fault.clone(), count);
            }
        },
        &cancel,
    )
    .await
    .unwrap();
    assert!(!s.completed);
    assert_eq!(
        s.error.as_ref().map(|e| e.kind.as_str()),
        Some(kind),
        "{s:?}"
    );
    assert_eq!(s.pages_done, 1);
    assert!(s.message.contains("erneut gestartet"), "{}", s.message);
    // Exactly the first page is stored, each customer whole.
    let stored = h.core.store.customers().unwrap();
    assert_eq!(stored.len() as u64, s.new);
    assert!(stored
        .iter()
        .all(|c| c.lexoffice_id.is_some() && !c.name.is_empty()));
    assert!(
        stored.iter().all(|c| !c.missing_in_lexoffice),
        "an interrupted run marks nothing missing"
    );
    sb.clear_faults();
    let again = import_plain(&h).await;
    assert!(again.completed, "{again:?}");
    assert_eq!(again.unchanged, s.new);
    assert_eq!((again.new + s.new) as usize, expected.len());
    assert_eq!(
        local_lex_ids(&h).into_iter().collect::<HashSet<_>>(),
        expected
    );
    let faulted = sb.requests().iter().filter(|r| r.fault.is_some()).count();
    (s, faulted)
}

#[tokio::test]
async fn unauthorized_mid_import() {
    interrupted_then_completed(Fault::Status(401), 1, "unauthorized").await;
}

#[tokio::test]
async fn server_error_mid_import() {
    // One 500 is repeated (it can mean "rate limit"); a lasting one stops the import.
    interrupted_then_completed(Fault::Status(500), 30, "unavailable").await;
}

#[tokio::test]
async fn rate_limit_storm_mid_import() {
    let (s, faulted) = interrupted_then_completed(Fault::Status(429), 30, "rateLimited").await;
    // The first try and 5 retries, each answered 429; then the import stops
    // after its first page (seed 42: 250 new, 8 of them archived) and says so.
    assert_eq!(faulted, 6);
    assert_eq!(
        s.message,
        "Import unterbrochen nach Seite 1 von 4: lexoffice meldet zu viele Anfragen in kurzer Zeit. Bitte einen Moment warten und erneut versuchen. Bereits übernommen: 250 neu, 0 aktualisiert, 0 unverändert, 0 verknüpft, 8 archiviert, 0 nicht mehr in lexoffice. Der Import kann einfach erneut gestartet werden."
    );
}

#[tokio::test]
async fn malformed_page_mid_import() {
    interrupted_then_completed(Fault::MalformedJson, 1, "invalidResponse").await;
}

#[tokio::test]
async fn connection_dropped_mid_import() {
    interrupted_then_completed(Fault::DropConnection, 1, "offline").await;
}

#[tokio::test]
async fn short_429_burst_and_503_are_ridden_out() {
    let sb = Arc::new(sandbox(600));
    let h = connected(&sb);
    let sb2 = sb.clone();
    let cancel = AtomicBool::new(false);
    let s = import::run(
        &h.core,
        move |e| {
            let import::ImportEvent::Progress { page, .. } = e;
            if page == 1 {
                sb2.inject(Fault::Status(429), 2);
            } else if page == 2 {
                sb2.inject(Fault::Status(503), 1);
            }
        },
        &cancel,
    )
    .await
    .unwrap();
    assert!(s.completed && s.error.is_none(), "{s:?}");
    assert_eq!(s.new as usize, sandbox_customers(&sb).len());
}

#[tokio::test]
async fn cancel_keeps_applied_pages() {
    let sb = sandbox(1000);
    let h = connected(&sb);
    let cancel = Arc::new(AtomicBool::new(false));
    let c2 = cancel.clone();
    let core = h.core.clone();
    // Cancel from "outside" after the first page, as the UI's Abbrechen does.
    let s = import::run(&h.core, move |_| c2.store(true, Ordering::SeqCst), &cancel)
        .await
        .unwrap();
    assert!(s.cancelled && !s.completed);
    assert_eq!(s.pages_done, 1);
    assert_eq!(core.store.customers().unwrap().len() as u64, s.new);
    assert!(s.message.starts_with("Import abgebrochen"));
}

#[tokio::test]
async fn needs_a_connection_and_runs_once_at_a_time() {
    let sb = sandbox(10);
    let h = support::harness(&sb.base_url);
    let cancel = AtomicBool::new(false);
    let e = import::run(&h.core, |_| {}, &cancel).await.unwrap_err();
    assert_eq!(e.kind(), "notConnected");
    let _running = h.core.import.try_start().unwrap();
    h.secrets
        .store(&ApiKey::parse(support::KEY).unwrap())
        .unwrap();
    let e = import::run(&h.core, |_| {}, &cancel).await.unwrap_err();
    assert_eq!(e.kind(), "busy");
}

/// lexoffice pages contacts by offset on a name sort: a contact renamed while the
/// import runs can move to a page already read and be missed. It is confirmed
/// with `GET /v1/contacts/{id}` and stays linked; only one that is really gone
/// is marked „nicht mehr in lexoffice“.
#[tokio::test]
async fn a_contact_that_moved_pages_during_the_import_is_not_marked_gone() {
    let sb = Arc::new(sandbox(600));
    let h = connected(&sb);
    import_plain(&h).await;
    let mut customers: Vec<_> = sb
        .contacts()
        .all()
        .into_iter()
        .filter(|c| c.customer_number().is_some() && !c.archived)
        .collect();
    customers.sort_by_key(|c| c.display_name().to_lowercase());
    let moved = customers.last().unwrap().id;
    let gone = customers[customers.len() / 2].id;
    assert!(sb.contacts().remove(gone).is_some());
    let sb2 = sb.clone();
    let fired = AtomicBool::new(false);
    let s = import::run(
        &h.core,
        move |_| {
            // After the first page: the last contact jumps to the front of the sort.
            if !fired.swap(true, Ordering::SeqCst) {
                sb2.contacts().update_contact(moved, |c| {
                    if let Some(co) = c.company.as_mut() {
                        co.name = "AAA Umbenannt GmbH".into();
                    } else if let Some(p) = c.person.as_mut() {
                        p.first_name = None;
                        p.last_name = "AAA Umbenannt".into();
                    }
                });
            }
        },
        &AtomicBool::new(false),
    )
    .await
    .unwrap();
    assert!(s.completed, "{s:?}");
    assert_eq!(s.missing, 1, "{s:?}");
    let local = h.core.store.customers().unwrap();
    let by_lex = |id: uuid::Uuid| {
        local
            .iter()
            .find(|c| c.lexoffice_id.as_deref() == Some(id.to_string().as_str()))
            .unwrap()
            .clone()
    };
    assert!(!by_lex(moved).missing_in_lexoffice, "moved, not gone");
    assert!(by_lex(gone).missing_in_lexoffice);
    let gets = sb
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/v1/contacts/"))
        .count();
    assert_eq!(gets, 2, "one confirming GET per unseen contact");
}

/// 1,990 different customers (people and firms) and 10,010 contacts all named
/// „Barverkauf“ (one per cash sale): 12,000, above lexoffice's window of
/// 10,000 results per query.
fn twelve_thousand(sb: &Sandbox) -> (HashSet<String>, HashSet<String>) {
    let first = [
        "Anna", "Bernd", "Clara", "Dieter", "Eva", "Frank", "Gisela", "Hans", "Ilse", "Jörg",
        "Karin", "Lutz", "Monika", "Norbert", "Olga", "Peter", "Renate", "Stefan", "Tanja", "Uwe",
    ];
    let last = [
        "Albers", "Brandt", "Cordes", "Dietz", "Eckert", "Fuchs", "Graf", "Hahn", "Imhof", "Jung",
        "Krüger", "Lorenz", "Möller", "Nowak", "Otto", "Pohl", "Quast", "Roth", "Sommer", "Thiel",
        "Ullrich", "Vogt", "Weiß", "Xaver", "Yilmaz", "Zander",
    ];
    let trades = [
        "Dachdeckerei",
        "Elektrotechnik",
        "Fliesenleger",
        "Heizung & Sanitär",
        "Malerbetrieb",
        "Tischlerei",
        "Zimmerei",
        "Gartenbau",
        "Metallbau",
        "Glaserei",
    ];
    let cities = [
        "Kiel",
        "Lübeck",
        "Husum",
        "Flensburg",
        "Neumünster",
        "Heide",
    ];
    let mut distinct = HashSet::new();
    for f in first {
        for l in last {
            let c = sb
                .contacts()
                .add_contact(lexoffice_sandbox::Contact::person(None, f, l).customer());
            distinct.insert(c.id.to_string());
        }
    }
    'firms: for l in last {
        for t in trades {
            for city in cities {
                if distinct.len() == 1_990 {
                    break 'firms;
                }
                let c = sb.contacts().add_contact(
                    lexoffice_sandbox::Contact::company(&format!("{l} {t} {city}")).customer(),
                );
                distinct.insert(c.id.to_string());
            }
        }
    }
    let cash: HashSet<String> = (0..10_010)
        .map(|_| {
            sb.contacts()
                .add_contact(lexoffice_sandbox::Contact::company("Barverkauf").customer())
                .id
                .to_string()
        })
        .collect();
    assert_eq!(distinct.len() + cash.len(), 12_000);
    (distinct, cash)
}

#[tokio::test]
async fn above_ten_thousand_the_import_splits_by_name_and_names_what_it_could_not_reach() {
    let sb = support::fast_sandbox(400);
    let (distinct, cash) = twelve_thousand(&sb);
    let h = support::fast_harness(&sb.base_url, 400);
    h.secrets
        .store(&ApiKey::parse(support::KEY).unwrap())
        .unwrap();
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let ev = events.clone();
    let s = import::run(
        &h.core,
        move |e| ev.lock().unwrap().push(e),
        &AtomicBool::new(false),
    )
    .await
    .unwrap();
    assert!(s.completed && s.error.is_none(), "{s:?}");

    // Every differently named customer, and exactly the 10,000 „Barverkauf“
    // lexoffice shows; each once.
    let local = local_lex_ids(&h);
    let unique: HashSet<String> = local.iter().cloned().collect();
    assert_eq!(unique.len(), local.len(), "no customer twice");
    assert!(distinct.is_subset(&unique), "every distinct name imported");
    assert_eq!(unique.intersection(&cash).count(), 10_000);
    assert_eq!(unique.len(), 11_990);
    assert_eq!(s.new, 11_990);

    // Named: the one name lexoffice cannot show past 10,000.
    assert_eq!(s.unreached, vec!["Barverkauf".to_string()]);
    assert_eq!(
        s.message,
        "Import abgeschlossen: 11.990 neu, 0 aktualisiert, 0 unverändert, 0 verknüpft, 0 archiviert, 0 nicht mehr in lexoffice. \
         Nicht alle übernommen: Kunden mit dem Namen „Barverkauf“ gibt es in lexoffice so oft, dass lexoffice nicht alle liefert (höchstens 10.000 je Suche)."
    );

    // Never a page past the window; the search says what it does.
    let lists: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|q| q.path.starts_with("/v1/contacts?"))
        .collect();
    assert!(
        lists.iter().all(|q| q.status == 200),
        "a page past the window was asked for"
    );
    let by_name = lists.iter().filter(|q| q.path.contains("&name=")).count();
    assert!(by_name > 0);
    let last = events.lock().unwrap().last().cloned().unwrap();
    let import::ImportEvent::Progress {
        total_pages, label, ..
    } = last;
    assert_eq!(total_pages, 0, "the search by names has no known length");
    assert!(
        label.starts_with("Mehr als 10.000 Kunden: Suche nach Namensteilen · "),
        "{label}"
    );

    // A second run changes nothing and names the same.
    let again = import_plain(&h).await;
    assert_eq!((again.new, again.updated, again.unchanged), (0, 0, 11_990));
    assert_eq!(again.unreached, vec!["Barverkauf".to_string()]);
}
