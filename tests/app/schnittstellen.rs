//! Einstellungen › Schnittstellen through the domain module (no Tauri):
//! connect, refresh, disconnect, rate, key page.

use crate::support;

use lexoffice_sandbox::Fault;
use zeitrechnung_lib::error::AppError;
use zeitrechnung_lib::schnittstellen as s;
use zeitrechnung_lib::secrets::SecretStore;

#[tokio::test]
async fn connect_with_right_key_stores_key_and_profile() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    let st = s::connect(&h.core, format!("  {}\n", support::KEY))
        .await
        .unwrap();
    assert!(st.connected);
    assert_eq!(st.company_name.as_deref(), Some("Muster Handwerk GmbH"));
    assert_eq!(st.small_business, Some(false));
    assert!(st.connected_on.is_some());
    assert_eq!(h.secrets.load().unwrap().unwrap().expose(), support::KEY);
    // Status afterwards comes from the cache without asking lexoffice.
    let before = sb.requests().len();
    let again = s::status(&h.core).await.unwrap();
    assert_eq!(again.company_name.as_deref(), Some("Muster Handwerk GmbH"));
    assert_eq!(sb.requests().len(), before);
    // The settings document never holds the key.
    let settings = serde_json::to_string(&h.core.store.settings().unwrap()).unwrap();
    assert!(!settings.contains(support::KEY));
}

#[tokio::test]
async fn failures_store_nothing_and_say_why() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    let e = s::connect(&h.core, "falscher-key".into())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "unauthorized");
    for (status, kind) in [
        (402, "paymentRequired"),
        (403, "forbidden"),
        (504, "timeout"),
    ] {
        sb.inject(Fault::Status(status), 1);
        let e = s::connect(&h.core, support::KEY.into()).await.unwrap_err();
        assert_eq!(e.kind(), kind);
    }
    // A lasting 500 (a single one is repeated: it can mean "rate limit").
    sb.inject(Fault::Status(500), 40);
    let e = s::connect(&h.core, support::KEY.into()).await.unwrap_err();
    assert_eq!(e.kind(), "unavailable");
    sb.clear_faults();
    assert!(!h.secrets.has_key());
    assert!(h.core.store.settings().unwrap().profile.is_none());
    assert!(!s::status(&h.core).await.unwrap().connected);
}

#[tokio::test]
async fn empty_or_mangled_key_is_a_field_error_before_any_request() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    for bad in ["", "   ", "ab cd"] {
        match s::connect(&h.core, bad.into()).await.unwrap_err() {
            AppError::Validation { field, .. } => assert_eq!(field, "API-Key"),
            other => panic!("{other:?}"),
        }
    }
    assert!(sb.requests().is_empty());
}

#[tokio::test]
async fn keyring_unavailable_is_reported_and_nothing_is_kept() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    h.secrets
        .fail_with(Some("org.freedesktop.secrets nicht erreichbar"));
    let e = s::connect(&h.core, support::KEY.into()).await.unwrap_err();
    assert_eq!(e.kind(), "keyring");
    assert!(e.to_string().contains("Schlüsselbund"));
    assert!(h.core.store.settings().unwrap().profile.is_none());
    // The start-up check reports it up front, too.
    h.core.check_keyring().await;
    assert!(s::status(&h.core).await.unwrap().keyring_problem.is_some());
}

#[tokio::test]
async fn refresh_updates_cache_and_reports_a_revoked_key_without_disconnecting() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    s::connect(&h.core, support::KEY.into()).await.unwrap();
    sb.set_company_name("Neuer Name GmbH");
    sb.set_small_business(true);
    let st = s::refresh(&h.core).await.unwrap();
    assert_eq!(st.company_name.as_deref(), Some("Neuer Name GmbH"));
    assert_eq!(st.small_business, Some(true));
    assert!(st.refresh_problem.is_none());
    sb.inject(Fault::Status(401), 1);
    let st = s::refresh(&h.core).await.unwrap();
    assert!(st.connected);
    assert_eq!(st.refresh_problem_kind.as_deref(), Some("unauthorized"));
    assert_eq!(st.company_name.as_deref(), Some("Neuer Name GmbH"));
}

#[tokio::test]
async fn disconnect_removes_key_and_profile() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    s::connect(&h.core, support::KEY.into()).await.unwrap();
    let st = s::disconnect(&h.core).await.unwrap();
    assert!(!st.connected);
    assert!(st.company_name.is_none());
    assert!(!h.secrets.has_key());
    assert!(h.core.store.settings().unwrap().profile.is_none());
}

#[tokio::test]
async fn rate_is_saved_in_decimal_and_shown_de_de() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    assert_eq!(s::rate(&h.core).await.unwrap().hourly_rate, None);
    for (typed, stored, shown) in [
        ("85,50", "85.50", "85,50"),
        ("85", "85", "85,00"),
        ("1.250,00", "1250.00", "1.250,00"),
        ("85,5", "85.5", "85,50"),
    ] {
        let r = s::save_rate(&h.core, typed.into()).await.unwrap();
        assert_eq!(r.hourly_rate.as_deref(), Some(stored));
        assert_eq!(r.hourly_rate_display.as_deref(), Some(shown));
    }
    for bad in ["", "-5", "abc", "1,23456", "0"] {
        let e = s::save_rate(&h.core, bad.into()).await.unwrap_err();
        assert!(
            matches!(
                e,
                AppError::Validation {
                    field: "Stundensatz",
                    ..
                }
            ),
            "{bad}: {e:?}"
        );
    }
    // Invalid input left the last good value alone.
    assert_eq!(
        s::rate(&h.core)
            .await
            .unwrap()
            .hourly_rate_display
            .as_deref(),
        Some("85,50")
    );
}

#[tokio::test]
async fn key_page_opens_in_the_browser() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    s::open_key_page(&h.core).await.unwrap();
    assert_eq!(
        h.opened.lock().unwrap().as_slice(),
        ["https://app.lexware.de/addons/public-api"]
    );
    let refused = h
        .core
        .open_lexoffice_page("file:///etc/passwd".into())
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), "opener");
    assert_eq!(h.opened.lock().unwrap().len(), 1);
}

/// „Besteuerung“ says how lexoffice taxes the organisation, tax-exempt included.
#[tokio::test]
async fn the_tax_mode_is_shown_in_words() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    let st = s::connect(&h.core, support::KEY.into()).await.unwrap();
    assert_eq!(
        st.tax_display,
        Some("Regelbesteuerung – Rechnungen mit Umsatzsteuer")
    );
    sb.set_tax_type("vatfree");
    let st = s::connect(&h.core, support::KEY.into()).await.unwrap();
    assert_eq!(
        st.tax_display,
        Some("steuerfrei – Rechnungen ohne Umsatzsteuer")
    );
    sb.set_tax_type("net");
    sb.set_small_business(true);
    let st = s::connect(&h.core, support::KEY.into()).await.unwrap();
    assert_eq!(
        st.tax_display,
        Some("Kleinunternehmer (§ 19 UStG) – Rechnungen ohne Umsatzsteuer")
    );
}
