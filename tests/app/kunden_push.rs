//! Kunden › „In lexoffice anlegen“ / „In lexoffice aktualisieren“ against the
//! sandbox: the JSON sent, the number read after the visibility delay, the
//! duplicate question, linking without a POST, the PUT with its version, the
//! 409 with the differences, the 406 for a contact with several entries in a
//! list, and no second contact after a 504 that followed the POST.

use crate::support;

use std::time::Duration;

use lexoffice_sandbox::state::Contact as SbContact;
use lexoffice_sandbox::{Fault, Sandbox, SandboxConfig};
use zeitrechnung_lib::kunden::push::{self, PushMode, PushOutcome};
use zeitrechnung_lib::kunden::{self, CustomerInput};
use zeitrechnung_lib::secrets::{ApiKey, SecretStore};
use zeitrechnung_lib::storage::{Customer, Source};

fn sandbox(delay_ms: u64) -> Sandbox {
    Sandbox::start_in_thread(SandboxConfig {
        api_key: support::KEY.into(),
        contact_visibility_delay: Duration::from_millis(delay_ms),
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

fn company(name: &str) -> CustomerInput {
    CustomerInput {
        kind: "company".into(),
        name: name.into(),
        number: "K-7".into(),
        contact_person: "Ole Hansen".into(),
        street: "Hafenweg 7".into(),
        zip: "24103".into(),
        city: "Kiel".into(),
        country_code: "DE".into(),
        email: "rechnung@nordlicht.example".into(),
        phone: "0431 12345".into(),
        vat_id: Some("DE811111111".into()),
        ..Default::default()
    }
}

async fn save(h: &support::Harness, input: CustomerInput) -> Customer {
    kunden::save(&h.core, input).await.unwrap().customer
}

fn stored(h: &support::Harness, id: u64) -> Customer {
    h.core.store.customer(id).unwrap().unwrap()
}

fn posts(sb: &Sandbox) -> usize {
    sb.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/v1/contacts"))
        .count()
}

fn sb_contact(sb: &Sandbox, lex_id: &str) -> SbContact {
    sb.contacts().get(lex_id.parse().unwrap()).unwrap()
}

fn done(o: PushOutcome) -> (Customer, String) {
    match o {
        PushOutcome::Done { detail, message } => (detail.customer, message),
        other => panic!("expected done, got {other:?}"),
    }
}

/// Creates `input` in lexoffice (no duplicate there) and returns the linked customer.
async fn created(h: &support::Harness, input: CustomerInput) -> Customer {
    let c = save(h, input).await;
    done(
        push::push(&h.core, c.id, PushMode::Create, None)
            .await
            .unwrap(),
    )
    .0
}

#[tokio::test]
async fn company_is_created_as_the_reference_says_and_its_number_arrives_after_the_delay() {
    let sb = sandbox(800);
    let h = connected(&sb);
    let c = save(&h, company("Nordlicht Software GmbH")).await;
    kunden::set_rate(&h.core, c.id, "85".into()).await.unwrap();
    let detail = kunden::get(&h.core, c.id).await.unwrap();
    assert!(detail.can_create_in_lexoffice && !detail.can_update_in_lexoffice);

    let started = std::time::Instant::now();
    let (linked, message) = done(
        push::push(&h.core, c.id, PushMode::Create, None)
            .await
            .unwrap(),
    );
    assert!(started.elapsed() >= Duration::from_millis(800));
    assert_eq!(
        linked.number, "10001",
        "lexoffice's number, read after the delay"
    );
    assert!(message.contains("Kundennummer 10001"), "{message}");
    assert_eq!(linked.source, Source::Lexoffice);
    assert_eq!(linked.lexoffice_version, Some(1));
    assert!(linked.last_imported_at.is_some());
    let kept = stored(&h, c.id);
    assert_eq!(kept.hourly_rate, Some(85.into()), "app-only fields kept");
    assert_eq!(kept.number, "10001");

    let lex = linked.lexoffice_id.clone().unwrap();
    let sent = sb_contact(&sb, &lex).to_json();
    assert_eq!(sent["roles"]["customer"]["number"], 10001);
    assert_eq!(sent["company"]["name"], "Nordlicht Software GmbH");
    assert_eq!(sent["company"]["vatRegistrationId"], "DE811111111");
    assert_eq!(sent["company"]["contactPersons"][0]["firstName"], "Ole");
    assert_eq!(sent["company"]["contactPersons"][0]["lastName"], "Hansen");
    assert_eq!(
        sent["addresses"]["billing"],
        serde_json::json!([{"street": "Hafenweg 7", "zip": "24103", "city": "Kiel", "countryCode": "DE"}])
    );
    assert_eq!(
        sent["emailAddresses"]["business"][0],
        "rechnung@nordlicht.example"
    );
    assert_eq!(sent["phoneNumbers"]["business"][0], "0431 12345");
    assert!(sent.get("person").is_none());

    let reqs = sb.requests();
    assert!(reqs
        .iter()
        .any(|r| r.method == "GET" && r.path.contains("name=Nordlicht%20Software&")));
    let reads: Vec<u16> = reqs
        .iter()
        .filter(|r| r.method == "GET" && r.path == format!("/v1/contacts/{lex}"))
        .map(|r| r.status)
        .collect();
    assert_eq!(reads.first(), Some(&404), "not visible at once: {reads:?}");
    assert_eq!(reads.last(), Some(&200), "{reads:?}");
    assert_eq!(posts(&sb), 1);
    let d = kunden::get(&h.core, c.id).await.unwrap();
    assert!(!d.can_create_in_lexoffice && d.invoiceable);
}

#[tokio::test]
async fn person_is_created_with_first_and_last_name() {
    let sb = sandbox(0);
    let h = connected(&sb);
    let linked = created(
        &h,
        CustomerInput {
            kind: "person".into(),
            name: "Hans Peter Müller".into(),
            city: "Freiburg".into(),
            ..Default::default()
        },
    )
    .await;
    let sent = sb_contact(&sb, linked.lexoffice_id.as_deref().unwrap()).to_json();
    assert_eq!(sent["person"]["firstName"], "Hans Peter");
    assert_eq!(sent["person"]["lastName"], "Müller");
    assert!(sent.get("company").is_none());
    assert_eq!(sent["addresses"]["billing"][0]["countryCode"], "DE");
    assert!(sent.get("emailAddresses").is_none());
    assert_eq!(linked.name, "Hans Peter Müller");
    assert_eq!(linked.kind, zeitrechnung_lib::storage::CustomerKind::Person);
}

#[tokio::test]
async fn a_duplicate_is_asked_about_and_linked_without_a_post() {
    let sb = sandbox(0);
    let h = connected(&sb);
    let existing = sb.contacts().add_contact(
        SbContact::company("Nordlicht Software GmbH & Co. KG")
            .customer()
            .with_billing_address("Hafenweg 7", "24103", "Kiel", "DE"),
    );
    sb.contacts()
        .add_contact(SbContact::company("Südlicht Software GmbH").customer());
    let c = save(&h, company("Nordlicht Software")).await;
    let out = push::push(&h.core, c.id, PushMode::Create, None)
        .await
        .unwrap();
    let matches = match out {
        PushOutcome::Duplicates { matches, message } => {
            assert!(message.contains("verknüpfen"), "{message}");
            matches
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(matches.len(), 1, "{matches:?}");
    assert_eq!(matches[0].contact_id, existing.id.to_string());
    assert_eq!(matches[0].number, "10001");
    assert_eq!(matches[0].address, "Hafenweg 7, 24103 Kiel");
    assert_eq!(posts(&sb), 0);

    let (linked, message) = done(
        push::link(&h.core, c.id, matches[0].contact_id.clone())
            .await
            .unwrap(),
    );
    assert!(message.contains("Kundennummer 10001"), "{message}");
    assert_eq!(
        linked.lexoffice_id.as_deref(),
        Some(existing.id.to_string().as_str())
    );
    assert_eq!(
        linked.name, "Nordlicht Software GmbH & Co. KG",
        "lexoffice's data"
    );
    assert_eq!(linked.source, Source::Lexoffice);
    assert_eq!(posts(&sb), 0, "linking sends nothing");
    assert_eq!(sb.contacts().all().len(), 2);
    // A second local customer cannot link the same contact.
    let other = save(&h, company("Nordlicht Zwei")).await;
    let e = push::link(&h.core, other.id, existing.id.to_string())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "validation");
}

#[tokio::test]
async fn create_anyway_after_the_question_creates_a_second_contact() {
    let sb = sandbox(0);
    let h = connected(&sb);
    sb.contacts()
        .add_contact(SbContact::company("Müller & Söhne Bau GmbH").customer());
    let c = save(&h, company("Müller & Söhne Bau GmbH")).await;
    let out = push::push(&h.core, c.id, PushMode::Create, None)
        .await
        .unwrap();
    assert!(
        matches!(out, PushOutcome::Duplicates { ref matches, .. } if matches.len() == 1),
        "{out:?}"
    );
    assert!(
        sb.requests().iter().any(|r| r
            .path
            .contains("name=M%C3%BCller%20%26amp%3B%20S%C3%B6hne%20Bau&")),
        "HTML-encoded, then URL-encoded"
    );
    let (linked, _) = done(
        push::push(&h.core, c.id, PushMode::CreateAnyway, None)
            .await
            .unwrap(),
    );
    assert_eq!(linked.number, "10002");
    assert_eq!(posts(&sb), 1);
    assert_eq!(sb.contacts().all().len(), 2);
}

/// lexoffice refuses a contact with an invalid VAT id (a German one is „DE“
/// and 9 digits) or a phone number over 30 characters: said in German at the
/// field, before anything is sent.
#[tokio::test]
async fn what_lexoffice_would_refuse_is_said_before_sending() {
    let sb = sandbox(0);
    let h = connected(&sb);
    let c = save(
        &h,
        CustomerInput {
            vat_id: Some("DE12345678".into()),
            ..company("Ohne USt GmbH")
        },
    )
    .await;
    let e = push::push(&h.core, c.id, PushMode::Create, None)
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        zeitrechnung_lib::error::AppError::Validation {
            field: "USt-IdNr.",
            ..
        }
    ));
    assert_eq!(
        e.to_string(),
        "Die USt-IdNr. „DE12345678“ ist ungültig: Eine deutsche USt-IdNr. besteht aus „DE“ und 9 Ziffern (z. B. DE123456789). Bitte im Kunden korrigieren oder leeren – lexoffice nimmt den Kontakt sonst nicht an."
    );
    assert_eq!(posts(&sb), 0, "nothing sent");
    // The sandbox, like lexoffice, refuses it too, naming the field.
    let body = serde_json::json!({
        "version": 0, "roles": {"customer": {}},
        "company": {"name": "Ohne USt GmbH", "vatRegistrationId": "DE12345678"}
    });
    let resp = reqwest::Client::new()
        .post(sb.url("/v1/contacts"))
        .bearer_auth(support::KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 406);
    let refused: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        refused["IssueList"][0]["source"],
        "company.vatRegistrationId"
    );
    // A phone number of more than 30 characters is refused at the form.
    let mut long = company("Langnummer GmbH");
    long.phone = "+49 431 1234567 – Durchwahl 890".into();
    let e = kunden::save(&h.core, long).await.unwrap_err();
    assert!(matches!(
        e,
        zeitrechnung_lib::error::AppError::Validation {
            field: "Telefon",
            ..
        }
    ));
}

#[tokio::test]
async fn an_edit_here_is_sent_with_put_and_bumps_the_version() {
    let sb = sandbox(0);
    let h = connected(&sb);
    let linked = created(&h, company("Nordlicht Software GmbH")).await;
    let lex = linked.lexoffice_id.clone().unwrap();
    // An edit of a field that does not go to lexoffice does not mark it.
    let mut input = company("Nordlicht Software GmbH");
    input.id = Some(linked.id);
    let same = kunden::save(&h.core, input.clone()).await.unwrap();
    assert!(!same.can_update_in_lexoffice);
    input.street = "Hafenweg 11".into();
    input.number = "egal".into();
    let d = kunden::save(&h.core, input).await.unwrap();
    assert!(d.can_update_in_lexoffice && d.changed_hint.is_some());
    assert_eq!(d.customer.number, "10001", "lexoffice's number stays");
    assert_eq!(d.customer.lexoffice_id.as_deref(), Some(lex.as_str()));

    let (after, message) = done(
        push::push(&h.core, linked.id, PushMode::Update, None)
            .await
            .unwrap(),
    );
    assert!(message.contains("übertragen"), "{message}");
    assert_eq!(after.lexoffice_version, Some(2));
    assert!(!after.changed_in_app);
    let c = sb_contact(&sb, &lex);
    assert_eq!(c.version, 2);
    assert_eq!(
        c.addresses.billing[0].street.as_deref(),
        Some("Hafenweg 11")
    );
    assert!(sb
        .requests()
        .iter()
        .any(|r| r.method == "PUT" && r.path == format!("/v1/contacts/{lex}") && r.status == 200));
}

#[tokio::test]
async fn a_web_app_edit_elsewhere_is_kept_and_the_put_is_resent_with_the_new_version() {
    let sb = sandbox(0);
    let h = connected(&sb);
    let linked = created(&h, company("Nordlicht Software GmbH")).await;
    let lex = linked.lexoffice_id.clone().unwrap();
    sb.contacts().update_contact(lex.parse().unwrap(), |c| {
        c.note = Some("Nur vormittags liefern".into());
    });
    let mut input = company("Nordlicht Software GmbH");
    input.id = Some(linked.id);
    input.phone = "0431 999".into();
    kunden::save(&h.core, input).await.unwrap();
    let (after, _) = done(
        push::push(&h.core, linked.id, PushMode::Update, None)
            .await
            .unwrap(),
    );
    let c = sb_contact(&sb, &lex);
    assert_eq!(c.note.as_deref(), Some("Nur vormittags liefern"), "kept");
    assert_eq!(c.phone_numbers.business, ["0431 999"]);
    assert_eq!(c.version, 3);
    assert_eq!(after.lexoffice_version, Some(3));
}

#[tokio::test]
async fn a_conflict_lists_the_differences_and_my_changes_can_be_sent() {
    let sb = sandbox(0);
    let h = connected(&sb);
    let linked = created(&h, company("Nordlicht Software GmbH")).await;
    let lex = linked.lexoffice_id.clone().unwrap();
    // Edited here …
    let mut input = company("Nordlicht Software GmbH");
    input.id = Some(linked.id);
    input.street = "Hafenweg 8".into();
    kunden::save(&h.core, input).await.unwrap();
    // … and in the web app meanwhile.
    sb.contacts().update_contact(lex.parse().unwrap(), |c| {
        c.addresses.billing[0].street = Some("Hafenweg 9".into());
    });
    let out = push::push(&h.core, linked.id, PushMode::Update, None)
        .await
        .unwrap();
    let (differences, version) = match out {
        PushOutcome::Conflict {
            differences,
            version,
            ..
        } => (differences, version),
        other => panic!("{other:?}"),
    };
    assert_eq!(version, 2);
    assert_eq!(
        differences
            .iter()
            .map(|d| d.text.as_str())
            .collect::<Vec<_>>(),
        ["Straße: in lexoffice „Hafenweg 9“, hier „Hafenweg 8“"]
    );
    assert!(sb
        .requests()
        .iter()
        .any(|r| r.method == "PUT" && r.status == 409));
    assert!(stored(&h, linked.id).changed_in_app, "still to be sent");

    let (after, _) = done(
        push::push(&h.core, linked.id, PushMode::UpdateAnyway, Some(version))
            .await
            .unwrap(),
    );
    let c = sb_contact(&sb, &lex);
    assert_eq!(c.addresses.billing[0].street.as_deref(), Some("Hafenweg 8"));
    assert_eq!(c.version, 3);
    assert_eq!(after.lexoffice_version, Some(3));
    assert!(!after.changed_in_app);
}

#[tokio::test]
async fn a_conflict_can_take_lexoffices_data() {
    let sb = sandbox(0);
    let h = connected(&sb);
    let linked = created(&h, company("Nordlicht Software GmbH")).await;
    let lex = linked.lexoffice_id.clone().unwrap();
    let mut input = company("Nordlicht Software GmbH");
    input.id = Some(linked.id);
    input.email = "neu@nordlicht.example".into();
    kunden::save(&h.core, input).await.unwrap();
    sb.contacts().update_contact(lex.parse().unwrap(), |c| {
        c.email_addresses.business = vec!["web@nordlicht.example".into()];
    });
    let out = push::push(&h.core, linked.id, PushMode::Update, None)
        .await
        .unwrap();
    assert!(matches!(out, PushOutcome::Conflict { .. }), "{out:?}");
    let (after, _) = done(push::take_lexoffice(&h.core, linked.id).await.unwrap());
    assert_eq!(after.email, "web@nordlicht.example");
    assert_eq!(after.lexoffice_version, Some(2));
    assert!(!after.changed_in_app);
    assert_eq!(sb_contact(&sb, &lex).version, 2, "nothing sent");
}

#[tokio::test]
async fn a_contact_with_two_entries_in_a_list_gets_a_german_406_message() {
    let sb = sandbox(0);
    let h = connected(&sb);
    let mut two = SbContact::company("Zwei Mail GmbH")
        .customer()
        .with_billing_address("Weg 1", "79098", "Freiburg", "DE");
    two.email_addresses.business = vec!["a@zwei.example".into(), "b@zwei.example".into()];
    let two = sb.contacts().add_contact(two);
    let c = save(&h, company("Zwei Mail")).await;
    done(push::link(&h.core, c.id, two.id.to_string()).await.unwrap());
    let mut input = company("Zwei Mail GmbH");
    input.id = Some(c.id);
    kunden::save(&h.core, input).await.unwrap();
    let e = push::push(&h.core, c.id, PushMode::Update, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "rejected");
    let m = e.to_string();
    assert!(m.contains("„E-Mail-Adressen (geschäftlich)“"), "{m}");
    assert!(m.contains("in lexoffice bereinigen"), "{m}");
    assert!(stored(&h, c.id).changed_in_app);
}

#[tokio::test]
async fn a_504_after_the_post_never_leads_to_a_second_contact() {
    let sb = sandbox(800);
    let h = connected(&sb);
    let c = save(&h, company("Zeitlos Bau GmbH")).await;
    // CreateAnyway searches nothing first: the POST is the next request.
    sb.inject(Fault::StatusAfterStore(504), 1);
    let out = push::push(&h.core, c.id, PushMode::CreateAnyway, None)
        .await
        .unwrap();
    let matches = match out {
        PushOutcome::Duplicates { matches, message } => {
            assert!(
                message.contains("vielleicht trotzdem angelegt"),
                "{message}"
            );
            matches
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(matches.len(), 1);
    assert_eq!(sb.contacts().all().len(), 1);
    // „In lexoffice anlegen“ again asks again; nothing is posted.
    let again = push::push(&h.core, c.id, PushMode::Create, None)
        .await
        .unwrap();
    assert!(matches!(again, PushOutcome::Duplicates { .. }));
    let (linked, _) = done(
        push::link(&h.core, c.id, matches[0].contact_id.clone())
            .await
            .unwrap(),
    );
    assert_eq!(linked.number, "10001");
    assert_eq!(posts(&sb), 1);
    assert_eq!(sb.contacts().all().len(), 1);
}

#[tokio::test]
async fn an_unclear_create_is_looked_for_before_the_next_create() {
    let sb = sandbox(10_000);
    let h = connected(&sb);
    let c = save(&h, company("Spät Sichtbar GmbH")).await;
    sb.inject(Fault::StatusAfterStore(504), 1);
    let e = push::push(&h.core, c.id, PushMode::CreateAnyway, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "unclear");
    assert!(
        e.to_string().contains("sucht Zeitrechnung zuerst nach ihm"),
        "{e}"
    );
    assert!(stored(&h, c.id).push_unclear_since.is_some());
    // lexoffice shows it now; even „Trotzdem neu anlegen“ looks first.
    let id = sb.contacts().all()[0].id;
    sb.contacts().reveal(id);
    let out = push::push(&h.core, c.id, PushMode::CreateAnyway, None)
        .await
        .unwrap();
    assert!(
        matches!(out, PushOutcome::Duplicates { ref matches, .. } if matches.len() == 1),
        "{out:?}"
    );
    assert!(stored(&h, c.id).push_unclear_since.is_none());
    assert_eq!(posts(&sb), 1);
}

#[tokio::test]
async fn an_import_leaves_a_customer_changed_here_alone() {
    let sb = sandbox(0);
    let h = connected(&sb);
    let linked = created(&h, company("Nordlicht Software GmbH")).await;
    let mut input = company("Nordlicht Software GmbH");
    input.id = Some(linked.id);
    input.city = "Kiel-Nord".into();
    kunden::save(&h.core, input).await.unwrap();
    let lex = linked.lexoffice_id.clone().unwrap();
    sb.contacts().update_contact(lex.parse().unwrap(), |c| {
        c.note = Some("x".into());
    });
    let cancel = std::sync::atomic::AtomicBool::new(false);
    kunden::import::run(&h.core, |_| {}, &cancel).await.unwrap();
    let after = stored(&h, linked.id);
    assert_eq!(after.address.city, "Kiel-Nord");
    assert!(after.changed_in_app);
}
