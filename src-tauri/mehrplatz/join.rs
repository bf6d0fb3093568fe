//! „Mit Mehrplatz-Datenbank verbinden“ — a further seat joins a server that
//! holds the firm's data already. This PC's own data stay untouched (and
//! unused while it works on the server).

use super::view::SwitchView;
use super::MehrplatzForm;
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::storage::{pg, PgStore};

pub async fn join(core: &Core, form: MehrplatzForm) -> AppResult<SwitchView> {
    let data_dir = core
        .data_dir
        .clone()
        .ok_or_else(|| AppError::Internal("kein Datenordner".into()))?;
    let passwords = core.db_password.clone();
    blocking(move || {
        let address = super::address_of(&form, passwords.as_ref())?;
        let state = pg::probe(&address)?;
        if state.is_empty() {
            return Err(AppError::Rejected(
                "Die Datenbank auf dem Server ist noch leer. Bitte zuerst am PC mit den bisherigen Daten „Mehrplatz einrichten“ wählen (er überträgt sie), dann hier verbinden. Es wurde nichts verändert.".into(),
            ));
        }
        // Logs in as the app will (and brings an older schema up to date).
        drop(PgStore::connect(&address)?);
        super::keep_password(passwords.as_ref(), &address)?;
        super::setup::save_choice(&data_dir, &address, None)?;
        log::info!("joined the Mehrplatz database {}", address.display());
        Ok(SwitchView {
            message: format!(
                "Verbunden. {} Zeitrechnung startet jetzt neu und arbeitet dann mit der Datenbank auf {}.",
                super::check::contents_short(&state),
                address.host
            ),
        })
    })
    .await
}
