//! From the start-up failure screen, when this PC's server could not be
//! reached: „Speichern und neu starten“ with corrected fields (a new
//! password, another address), or „Mit den Daten dieses PCs starten“ — back
//! to the local data as they were before Mehrplatz.

use std::path::Path;

use super::{load, MehrplatzForm};
use crate::error::{AppError, AppResult};
use crate::secrets::PasswordStore;
use crate::storage::pg;

/// Checks the corrected fields against the server (it must hold the firm's
/// data) and keeps them; the next start connects with them.
pub fn change_server(
    data_dir: &Path,
    form: &MehrplatzForm,
    passwords: &dyn PasswordStore,
) -> AppResult<()> {
    let address = super::address_of(form, passwords)?;
    let state = pg::probe(&address)?;
    if state.is_empty() {
        return Err(AppError::Rejected(
            "Diese Datenbank ist leer – die Daten der Firma liegen in einer anderen. Bitte Server und Datenbank prüfen. Es wurde nichts verändert.".into(),
        ));
    }
    super::keep_password(passwords, &address)?;
    let moved = load(data_dir)?.and_then(|c| c.moved);
    super::setup::save_choice(data_dir, &address, moved)
}

/// Forgets the server on this PC: the next start opens the local data.
pub fn use_local(data_dir: &Path, passwords: &dyn PasswordStore) -> AppResult<()> {
    super::forget(data_dir, passwords)
}
