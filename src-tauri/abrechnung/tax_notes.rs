//! Einstellungen › Abrechnung › Hinweise zur Steuerart: an own note per
//! Steuerart, sent as `taxTypeNote`; blank = lexoffice's default note.

use serde::Serialize;

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

pub async fn tax_notes(core: &Core) -> AppResult<Vec<TaxNoteRow>> {
    let store = core.store.clone();
    blocking(move || Ok(rows(&store.settings()?.tax_notes))).await
}

pub async fn save_tax_notes(core: &Core, input: TaxNotes) -> AppResult<Vec<TaxNoteRow>> {
    let notes = TaxNotes {
        construction13b: clean("Hinweis zur Steuerart", &input.construction13b, 500)?,
        eu_service: clean("Hinweis zur Steuerart", &input.eu_service, 500)?,
        third_country: clean("Hinweis zur Steuerart", &input.third_country, 500)?,
        exempt: clean("Hinweis zur Steuerart", &input.exempt, 500)?,
        photovoltaic: clean("Hinweis zur Steuerart", &input.photovoltaic, 500)?,
    };
    let store = core.store.clone();
    blocking(move || {
        let s = store.update_settings(|s| s.tax_notes = notes)?;
        Ok(rows(&s.tax_notes))
    })
    .await
}
