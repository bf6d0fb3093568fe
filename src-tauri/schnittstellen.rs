//! Einstellungen › Schnittstellen: connecting to lexoffice with an API key, the
//! cached profile, and the default hourly rate. Tauri-free.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::core::{blocking, Core};
use crate::de::format::format_de;
use crate::error::{AppError, AppResult};
use crate::lexoffice::{LexofficeError, Profile};
use crate::secrets::{ApiKey, SecretError};
use crate::storage::ProfileCache;

/// What the Schnittstellen section shows. Never contains the key.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStatus {
    pub connected: bool,
    pub company_name: Option<String>,
    /// `26.11.2026` (Europe/Berlin)
    pub connected_on: Option<String>,
    pub small_business: Option<bool>,
    pub tax_type: Option<String>,
    /// „Besteuerung“ as shown (Kleinunternehmer, steuerfrei or Regelbesteuerung).
    pub tax_display: Option<&'static str>,
    /// Set when the start-up check found no usable OS keyring.
    pub keyring_problem: Option<String>,
    /// Set when the last background check of the key failed (e.g. revoked key).
    pub refresh_problem: Option<String>,
    pub refresh_problem_kind: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RateSettings {
    /// Decimal string, e.g. `85.50`; null when not set.
    pub hourly_rate: Option<String>,
    /// de-DE for the input field, e.g. `85,50`.
    pub hourly_rate_display: Option<String>,
    /// Only when there are changes „gültig ab“: „Stundensatz: 85,50 €/h; ab 01.01.2027: 92,00 €/h“.
    pub changes_display: Option<String>,
    /// What was saved, for the confirmation: „Stundensatz 85,50 €/h gespeichert“.
    pub message: String,
    /// The rate and its changes as the form shows them (`model::version_of_value`):
    /// a save over another seat's change meanwhile is refused.
    pub version: String,
}

fn keyring_error(e: SecretError) -> AppError {
    AppError::Keyring(match e {
        SecretError::Unavailable(detail) => format!(
            "Bitte den Schlüsselbund (z. B. GNOME Schlüsselbund/KWallet, macOS-Schlüsselbund) entsperren und erneut versuchen. ({detail})"
        ),
    })
}

fn berlin_date(t: DateTime<Utc>) -> String {
    crate::de::format::local_date(t)
}

fn status_from(
    cache: Option<ProfileCache>,
    has_key: bool,
    keyring_problem: Option<String>,
) -> ConnectionStatus {
    let connected = has_key;
    let cache = if connected { cache } else { None };
    ConnectionStatus {
        connected,
        company_name: cache.as_ref().map(|c| c.company_name.clone()),
        connected_on: cache.as_ref().map(|c| berlin_date(c.connected_at)),
        small_business: cache.as_ref().map(|c| c.small_business),
        tax_type: cache.as_ref().and_then(|c| c.tax_type.clone()),
        tax_display: cache.as_ref().map(|c| c.tax_display()),
        keyring_problem,
        refresh_problem: None,
        refresh_problem_kind: None,
    }
}

/// The connection as known locally: key present in the keyring + cached profile.
pub async fn status(core: &Core) -> AppResult<ConnectionStatus> {
    let store = core.store.clone();
    let secrets = core.secrets.clone();
    let keyring_problem = core.keyring_problem();
    blocking(move || {
        let cache = store.settings()?.profile;
        let has_key = match secrets.load() {
            Ok(k) => k.is_some(),
            // An unavailable keyring is reported by `keyring_problem`; show unconnected.
            Err(_) => false,
        };
        Ok(status_from(cache, has_key, keyring_problem))
    })
    .await
}

pub fn cache_from(profile: &Profile, connected_at: DateTime<Utc>) -> ProfileCache {
    ProfileCache {
        organization_id: profile.organization_id.clone(),
        company_name: profile.company_name.clone(),
        tax_type: profile.tax_type.clone(),
        small_business: profile.small_business,
        connected_at,
        refreshed_at: crate::de::clock::now(),
    }
}

/// Verbinden: checks the key with `GET /v1/profile`; only on success is it put
/// into the keyring and the profile cached. Nothing is stored on failure.
pub async fn connect(core: &Core, key_text: String) -> AppResult<ConnectionStatus> {
    let key = ApiKey::parse(&key_text).ok_or_else(|| {
        if key_text.trim().is_empty() {
            AppError::validation("API-Key", "Bitte den API-Key aus lexoffice einfügen.")
        } else {
            AppError::validation(
                "API-Key",
                "Der API-Key enthält Leerzeichen oder Steuerzeichen. Bitte ihn vollständig und unverändert einfügen.",
            )
        }
    })?;
    drop(key_text);
    if core.keyring_problem().is_some() {
        // The keyring may have been unlocked since start-up: look again.
        core.check_keyring().await;
        if let Some(problem) = core.keyring_problem() {
            return Err(AppError::Keyring(problem));
        }
    }
    let profile = core.client()?.profile(&key).await?;
    log::info!(
        "lexoffice key accepted for organisation {}",
        profile.organization_id
    );

    let store = core.store.clone();
    let secrets = core.secrets.clone();
    let keyring_problem = core.keyring_problem();
    blocking(move || {
        same_firm(&store, &profile)?;
        secrets.store(&key).map_err(keyring_error)?;
        let cache = cache_from(&profile, crate::de::clock::now());
        if let Err(e) = store.update_settings(|s| s.profile = Some(cache.clone())) {
            // Keep "nothing stored on failure": take the key back out.
            let _ = secrets.delete();
            return Err(e);
        }
        Ok(status_from(Some(cache), true, keyring_problem))
    })
    .await
}

/// On the office's server every seat's key must belong to the lexoffice
/// firm the data are linked with (customers imported, drafts made): a key of
/// another firm is refused, nothing stored. A firm without such links yet may
/// still choose its lexoffice account.
pub fn same_firm(
    store: &crate::storage::Store,
    profile: &crate::lexoffice::Profile,
) -> AppResult<()> {
    if !store.is_server() {
        return Ok(());
    }
    let Some(firm) = store.settings()?.profile else {
        return Ok(());
    };
    if firm.organization_id == profile.organization_id {
        return Ok(());
    }
    if !linked_to_lexoffice(store)? {
        return Ok(());
    }
    Err(AppError::validation(
        "API-Key",
        format!(
            "Dieser API-Key gehört zur lexoffice-Firma „{}“. Die Daten auf dem Server gehören zu „{}“: Jeder Arbeitsplatz braucht einen API-Key dieser Firma. Es wurde nichts gespeichert.",
            profile.company_name, firm.company_name
        ),
    ))
}

/// Whether the data are tied to the firm's lexoffice account: customers
/// linked to its contacts, or drafts sent there.
fn linked_to_lexoffice(store: &crate::storage::Store) -> AppResult<bool> {
    Ok(store.customers()?.iter().any(|c| c.lexoffice_id.is_some())
        || !store.invoice_records()?.is_empty())
}

/// Background refresh after start: reads the key, asks lexoffice again and
/// updates the cache. Failures do not disconnect; they are reported in the status.
pub async fn refresh(core: &Core) -> AppResult<ConnectionStatus> {
    let secrets = core.secrets.clone();
    let key = blocking(move || secrets.load().map_err(keyring_error)).await;
    let key = match key {
        Ok(Some(k)) => k,
        Ok(None) | Err(_) => return status(core).await,
    };
    let result = core.client()?.profile(&key).await;
    drop(key);
    match result {
        Ok(profile) => {
            let store = core.store.clone();
            // This seat's key of another firm: the firm's account stays, the
            // status says why (never overwritten from this seat).
            let other = {
                let (store, profile) = (store.clone(), profile.clone());
                blocking(move || Ok(same_firm(&store, &profile).err())).await?
            };
            if let Some(e) = other {
                let mut st = status(core).await?;
                st.refresh_problem = Some(e.to_string());
                st.refresh_problem_kind = Some("otherFirm".into());
                return Ok(st);
            }
            blocking(move || {
                store.update_settings(|s| {
                    let connected_at = s
                        .profile
                        .as_ref()
                        .map(|c| c.connected_at)
                        .unwrap_or_else(Utc::now);
                    s.profile = Some(cache_from(&profile, connected_at));
                })
            })
            .await?;
            status(core).await
        }
        Err(e) => {
            log::warn!("profile refresh failed: {e:?}");
            let mut st = status(core).await?;
            st.refresh_problem = Some(refresh_text(&e));
            st.refresh_problem_kind = Some(e.kind().to_string());
            Ok(st)
        }
    }
}

fn refresh_text(e: &LexofficeError) -> String {
    match e.status() {
        Some(401) => "Der gespeicherte API-Key wird von lexoffice nicht mehr akzeptiert (abgelaufen oder widerrufen). Bitte Trennen und mit einem neuen Key verbinden.".into(),
        _ => format!("Die Verbindung konnte gerade nicht geprüft werden. {e}"),
    }
}

/// Trennen: removes the key from the keyring and forgets the profile.
pub async fn disconnect(core: &Core) -> AppResult<ConnectionStatus> {
    let store = core.store.clone();
    let secrets = core.secrets.clone();
    let keyring_problem = core.keyring_problem();
    blocking(move || {
        secrets.delete().map_err(keyring_error)?;
        // On the server the firm's lexoffice account stays for the other
        // seats once the data are linked with it: only this seat's key goes.
        if !store.is_server() || !linked_to_lexoffice(&store)? {
            store.update_settings(|s| s.profile = None)?;
        }
        log::info!("lexoffice disconnected");
        Ok(status_from(None, false, keyring_problem))
    })
    .await
}

fn rate_settings(s: &crate::storage::Settings, message: String) -> RateSettings {
    let rate = s.hourly_rate;
    RateSettings {
        hourly_rate: rate.map(|r| r.to_string()),
        hourly_rate_display: rate.map(|r| format_de(r, 2)),
        changes_display: (!s.rate_changes.is_empty()).then(|| {
            format!(
                "Stundensatz: {}",
                crate::abrechnung::history_display(rate, &s.rate_changes)
            )
        }),
        message,
        version: crate::model::version_of_value(&(&s.hourly_rate, &s.rate_changes)),
    }
}

pub async fn rate(core: &Core) -> AppResult<RateSettings> {
    let store = core.store.clone();
    blocking(move || Ok(rate_settings(&store.settings()?, String::new()))).await
}

/// The default Stundensatz since always.
pub async fn save_rate(core: &Core, text: String) -> AppResult<RateSettings> {
    save_rate_from(core, text, String::new(), None).await
}

/// The default Stundensatz; with „gültig ab“ a change from that day on (earlier
/// work keeps the rate it had). `version`: the one the form was opened with
/// (`RateSettings::version`; `None` compares nothing).
pub async fn save_rate_from(
    core: &Core,
    text: String,
    valid_from: String,
    version: Option<String>,
) -> AppResult<RateSettings> {
    let rate = crate::money::parse_rate(&text)?;
    let from = crate::abrechnung::optional_date(&valid_from)?;
    let message = match from {
        Some(d) => format!(
            "Stundensatz {} €/h ab {} gespeichert",
            format_de(rate, 2),
            crate::de::format::date(d)
        ),
        None => format!("Stundensatz {} €/h gespeichert", format_de(rate, 2)),
    };
    let store = core.store.clone();
    blocking(move || {
        let elsewhere = store.is_server();
        let s = store.try_update_settings(|s| {
            crate::model::value_unchanged(
                &(&s.hourly_rate, &s.rate_changes),
                version.as_deref(),
                "Der Standard-Stundensatz",
                elsewhere,
            )?;
            crate::abrechnung::apply_rate(
                &mut s.hourly_rate,
                &mut s.rate_changes,
                Some(rate),
                from,
            );
            Ok(())
        })?;
        Ok(rate_settings(&s, message))
    })
    .await
}

/// API-Key generieren: lexoffice's key page in the system browser.
pub async fn open_key_page(core: &Core) -> AppResult<()> {
    let url = core.urls()?.key_page();
    core.open_lexoffice_page(url).await
}
