//! „Zurück zu Einzelplatz“: the server's data are copied into a new local
//! database (checked by its counts and sums), the local database from before
//! is kept aside under a dated name, and this PC forgets the server. The
//! server's data stay as they are, but no seat writes there any more (it is
//! retired first: nothing another seat saves meanwhile can miss the copy).

use chrono_tz::Europe::Berlin;

use super::view::SwitchView;
use crate::core::{blocking, Core};
use crate::error::{io_de, AppError, AppResult};
use crate::paths;
use crate::storage::Store;

pub async fn leave(core: &Core) -> AppResult<SwitchView> {
    let data_dir = core
        .data_dir
        .clone()
        .ok_or_else(|| AppError::Internal("kein Datenordner".into()))?;
    if paths::database_url().is_some() {
        return Err(AppError::Rejected(
            "Die Datenbank ist durch ZEITRECHNUNG_DATABASE_URL festgelegt. Für den Einzelplatz diese Umgebungsvariable entfernen und Zeitrechnung neu starten.".into(),
        ));
    }
    if !core.store.is_server() {
        return Err(AppError::Rejected(
            "Zeitrechnung arbeitet schon als Einzelplatz.".into(),
        ));
    }
    let _replace = core.without_import("„Zurück zu Einzelplatz“ wählen")?;
    let _invoices = core.invoice_lock.lock().await;
    let _sync = core.sync.start().await;
    let store = core.store.clone();
    let passwords = core.db_password.clone();
    blocking(move || {
        // The other seats stop writing first: nothing they save could be
        // missing from the copy. Taken back if the copy fails.
        store.retire_server(Some(store.this_pc().unwrap_or_default()))?;
        let copied = copy_to_this_pc(&store, &data_dir, passwords.as_ref());
        match copied {
            Err(e) if store.retire_server(None).is_err() => Err(AppError::Stopped(format!(
                "{}. Die Mehrplatz-Datenbank bleibt vorerst stillgelegt: Die anderen Arbeitsplätze können dort gerade nichts speichern. Bitte „Zurück zu Einzelplatz“ erneut wählen, sobald der Server wieder erreichbar ist.",
                e.to_string().trim_end_matches('.')
            ))),
            other => other,
        }
    })
    .await
}

/// The server's data into a new local database, checked, put in place; this
/// PC forgets the server.
fn copy_to_this_pc(
    store: &Store,
    data_dir: &std::path::Path,
    passwords: &dyn crate::secrets::PasswordStore,
) -> AppResult<SwitchView> {
    {
        let backup = store.export()?;
        let expected = backup.totals();
        let stamp = crate::de::clock::now()
            .with_timezone(&Berlin)
            .format("%Y-%m-%d-%H%M%S")
            .to_string();
        let fresh = data_dir.join(format!("db-neu-{stamp}"));
        {
            let local = Store::open(&fresh)?;
            local.replace_all(&backup)?;
            local.flush()?;
            let found = local.totals()?;
            if found != expected {
                drop(local);
                let _ = std::fs::remove_dir_all(&fresh);
                return Err(AppError::Storage(format!(
                    "Die Kopie stimmte nicht mit dem Server überein (Kopie: {}; Server: {}). Es wurde nicht umgeschaltet",
                    super::setup::describe(&found),
                    super::setup::describe(&expected)
                )));
            }
        }
        let db = paths::db_dir(data_dir);
        let rename = |from: &std::path::Path, to: &std::path::Path| {
            std::fs::rename(from, to).map_err(|e| {
                AppError::Storage(format!(
                    "{} konnte nicht nach {} umbenannt werden: {}",
                    from.display(),
                    to.display(),
                    io_de(&e)
                ))
            })
        };
        if db.exists() {
            rename(&db, &data_dir.join(format!("db-vor-mehrplatz-{stamp}")))?;
        }
        rename(&fresh, &db)?;
        super::forget(data_dir, passwords)?;
        log::info!("back to Einzelplatz: {}", super::setup::describe(&expected));
        Ok(SwitchView {
            message: format!(
                "Die Daten des Servers wurden auf diesen PC kopiert und nachgezählt: {}. Zeitrechnung startet jetzt neu und arbeitet dann als Einzelplatz. Die anderen Arbeitsplätze können auf dem Server nichts mehr speichern und sagen das.",
                super::setup::describe(&expected)
            ),
        })
    }
}
