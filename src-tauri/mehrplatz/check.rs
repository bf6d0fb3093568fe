//! „Verbindung prüfen“: log in once and say, in German, what was found —
//! or what is wrong (server not reachable, wrong password, database missing,
//! certificate refused, server too old). Changes nothing.

use super::view::CheckView;
use crate::de::format::count_de;
use crate::error::AppResult;
use crate::storage::pg::{self, ServerAddress, ServerState};

pub fn check(address: &ServerAddress) -> AppResult<CheckView> {
    let state = pg::probe(address)?;
    let fingerprint = match &address.root_cert {
        Some(p) => Some(super::certificate_fingerprint(p)?),
        None => None,
    };
    Ok(CheckView {
        message: format!(
            "Verbindung in Ordnung: PostgreSQL {} auf {}.",
            state.version, address.host
        ),
        detail: contents(&state),
        empty: state.is_empty(),
        fingerprint,
    })
}

/// What the database holds, and which button fits.
pub(super) fn contents(state: &ServerState) -> String {
    if state.is_empty() {
        "Die Datenbank ist leer. Am ersten Arbeitsplatz „Mehrplatz einrichten“ wählen: Zeitrechnung überträgt dann die Daten dieses PCs.".into()
    } else {
        format!(
            "Die Datenbank enthält die Daten einer Firma ({}, {}, {}). Weitere Arbeitsplätze wählen „Mit Mehrplatz-Datenbank verbinden“.",
            count_de(state.customers as usize, "Kunde", "Kunden"),
            count_de(state.projects as usize, "Projekt", "Projekte"),
            count_de(state.entries as usize, "Eintrag", "Einträge"),
        )
    }
}

/// „12 Kunden, 30 Projekte und 1.234 Einträge sind auf dem Server.“
pub(super) fn contents_short(state: &ServerState) -> String {
    format!(
        "{}, {} und {} sind auf dem Server.",
        count_de(state.customers as usize, "Kunde", "Kunden"),
        count_de(state.projects as usize, "Projekt", "Projekte"),
        count_de(state.entries as usize, "Eintrag", "Einträge"),
    )
}
