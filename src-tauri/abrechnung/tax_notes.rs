//! Einstellungen › Abrechnung › Hinweise zur Steuerart: an own note per
//! Steuerart, sent as `taxTypeNote`; blank = lexoffice's default note.

use serde::{Deserialize, Serialize};

use crate::core::{blocking, Core};
use crate::error::AppResult;
use crate::model::entry_rules::clean;
use crate::model::lexoffice_tax_note;
use crate::storage::{TaxCase, TaxNotes};

/// One note as the form shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxNoteRow {
    /// The input's key (`construction13b`, `euService`, …).
    pub key: &'static str,
    /// „§13b Bauleistung“
    pub label: &'static str,
    pub note: String,
    /// lexoffice's note, shown as placeholder.
    pub lexoffice_note: &'static str,
}

/// The form: its rows and the version it shows (sent back with „Speichern“:
/// refused if another seat changed the notes since).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxNotesView {
    pub rows: Vec<TaxNoteRow>,
    pub version: String,
}

/// The notes as typed, and the version the form was opened with.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct TaxNotesInput {
    pub construction13b: String,
    pub eu_service: String,
    pub third_country: String,
    pub exempt: String,
    pub photovoltaic: String,
    pub version: Option<String>,
}

fn view(n: &TaxNotes) -> TaxNotesView {
    TaxNotesView {
        rows: rows(n),
        version: crate::model::version_of_value(n),
    }
}

fn rows(n: &TaxNotes) -> Vec<TaxNoteRow> {
    TaxCase::ALL
        .into_iter()
        .filter(|c| *c != TaxCase::Standard)
        .map(|c| TaxNoteRow {
            key: c.key(),
            label: c.label(),
            note: n.of(c).to_string(),
            lexoffice_note: lexoffice_tax_note(c),
        })
        .collect()
}

pub async fn tax_notes(core: &Core) -> AppResult<TaxNotesView> {
    let store = core.store.clone();
    blocking(move || Ok(view(&store.settings()?.tax_notes))).await
}

pub async fn save_tax_notes(core: &Core, input: TaxNotesInput) -> AppResult<TaxNotesView> {
    let notes = TaxNotes {
        construction13b: clean("Hinweis zur Steuerart", &input.construction13b, 500)?,
        eu_service: clean("Hinweis zur Steuerart", &input.eu_service, 500)?,
        third_country: clean("Hinweis zur Steuerart", &input.third_country, 500)?,
        exempt: clean("Hinweis zur Steuerart", &input.exempt, 500)?,
        photovoltaic: clean("Hinweis zur Steuerart", &input.photovoltaic, 500)?,
    };
    let store = core.store.clone();
    blocking(move || {
        let elsewhere = store.is_server();
        let s = store.try_update_settings(|s| {
            crate::model::value_unchanged(
                &s.tax_notes,
                input.version.as_deref(),
                "Die Einstellung „Hinweise zur Steuerart“",
                elsewhere,
            )?;
            s.tax_notes = notes;
            Ok(())
        })?;
        Ok(view(&s.tax_notes))
    })
    .await
}
