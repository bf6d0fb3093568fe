//! Einstellungen › Abrechnung › Rechnungstexte: the firm's default Aufstellung,
//! Positionstext, Titel, Einleitung and Schlusstext (docs/architecture.md ›
//! Rechnungsbild). A blank text is not sent, so lexoffice uses its own.

use serde::{Deserialize, Serialize};

use crate::billing::line_text::{check, listed, LINE_PLACEHOLDERS, TEXT_PLACEHOLDERS};
use crate::billing::{MAX_TEXT_LEN, MAX_TITLE_LEN};
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::model::entry_rules::clean;
use crate::storage::{InvoiceStyle, Layout};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct StyleInput {
    pub layout: String,
    pub line_text: String,
    pub title: String,
    pub introduction: String,
    pub remark: String,
    /// Einstellungen only: the version the form was opened with.
    pub version: Option<String>,
}

/// The one check of a style as typed (Einstellungen and „Für diesen Kunden merken“).
pub fn parse_style(input: &StyleInput) -> AppResult<InvoiceStyle> {
    let layout = Layout::from_key(input.layout.trim()).ok_or_else(|| {
        AppError::validation(
            "Aufstellung",
            "Bitte eine Aufstellung aus der Liste wählen.",
        )
    })?;
    let problem = |field: &'static str| {
        move |p: crate::billing::BillingProblem| AppError::validation(field, p.to_string())
    };
    let line_text = clean("Positionstext", &input.line_text, MAX_TEXT_LEN)?;
    check("Positionstext", &line_text, &LINE_PLACEHOLDERS).map_err(problem("Positionstext"))?;
    let title = clean("Titel", &input.title, MAX_TEXT_LEN)?.replace('\n', " ");
    if title.chars().count() > MAX_TITLE_LEN && !title.contains('{') {
        return Err(AppError::validation(
            "Titel",
            format!(
                "Der Titel darf höchstens 25 Zeichen lang sein (jetzt {}).",
                title.chars().count()
            ),
        ));
    }
    let mut texts = Vec::new();
    for (field, text) in [
        ("Titel", &title),
        ("Einleitung", &input.introduction),
        ("Schlusstext", &input.remark),
    ] {
        let t = clean(field, text, MAX_TEXT_LEN)?;
        check(field, &t, &TEXT_PLACEHOLDERS).map_err(problem(field))?;
        texts.push(t);
    }
    let [title, introduction, remark]: [String; 3] = texts.try_into().unwrap_or_default();
    Ok(InvoiceStyle {
        layout,
        line_text: if line_text.trim() == layout.default_text() {
            String::new()
        } else {
            line_text
        },
        title,
        introduction,
        remark,
    })
}

/// What the Rechnungstexte form shows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StyleSettingsView {
    pub style: StyleView,
    pub layouts: Vec<LayoutChoice>,
    /// `{Datum}, {Mitarbeiter}, …` for the hints.
    pub line_placeholders: String,
    pub text_placeholders: String,
    /// A private customer (§35a) exists and the Schlusstext is blank: the
    /// sentence would replace the firm's own closing text in lexoffice.
    pub remark_note: Option<String>,
    /// Sent back with „Speichern“: refused if another seat changed the texts since.
    pub version: String,
}

fn view(style: &InvoiceStyle, private_customers: bool) -> StyleSettingsView {
    StyleSettingsView {
        remark_note: (private_customers && style.remark.trim().is_empty())
            .then(|| REMARK_REPLACED.to_string()),
        style: StyleView::of(style),
        version: crate::model::version_of_value(style),
        layouts: layout_choices(),
        line_placeholders: listed(&LINE_PLACEHOLDERS),
        text_placeholders: listed(&TEXT_PLACEHOLDERS),
    }
}

pub async fn invoice_style(core: &Core) -> AppResult<StyleSettingsView> {
    let store = core.store.clone();
    blocking(move || {
        Ok(view(
            &store.settings()?.invoice_style,
            any_private_customer(&store)?,
        ))
    })
    .await
}

pub async fn save_invoice_style(core: &Core, input: StyleInput) -> AppResult<StyleSettingsView> {
    let style = parse_style(&input)?;
    let store = core.store.clone();
    blocking(move || {
        let elsewhere = store.is_server();
        let s = store.try_update_settings(|s| {
            crate::model::value_unchanged(
                &s.invoice_style,
                input.version.as_deref(),
                "Die Einstellung „Rechnungstexte“",
                elsewhere,
            )?;
            s.invoice_style = style;
            Ok(())
        })?;
        Ok(view(&s.invoice_style, any_private_customer(&store)?))
    })
    .await
}

/// Whether any customer is marked „Privatkunde (§35a)“.
fn any_private_customer(store: &crate::storage::Store) -> AppResult<bool> {
    Ok(store.customers()?.iter().any(|c| c.tax.private_35a))
}

/// A §35a draft whose Schlusstext is blank: what the sentence does to the
/// firm's own closing text (also in Einstellungen › Abrechnung › Rechnungstexte).
pub const REMARK_REPLACED: &str = "Der Schlusstext ist leer: Bei Privatkunden (§35a) steht dann nur der Satz zu § 35a im Schlusstext, und der Schlusstext aus Ihren lexoffice-Einstellungen (z. B. Zahlungsbedingungen, Bankverbindung) entfällt. Einen eigenen Schlusstext hinterlegen Sie unter Einstellungen › Abrechnung › Rechnungstexte – der Satz steht dann darunter.";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LayoutChoice {
    pub key: &'static str,
    pub label: &'static str,
    pub default_text: &'static str,
}

/// An invoice style as the dialog and Einstellungen › Abrechnung show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StyleView {
    pub layout: &'static str,
    /// The Positionstext in effect (the layout's default when none is stored).
    pub line_text: String,
    pub title: String,
    pub introduction: String,
    pub remark: String,
}

impl StyleView {
    pub fn of(s: &crate::model::InvoiceStyle) -> StyleView {
        StyleView {
            layout: s.layout.key(),
            line_text: s.line_text_or_default().to_string(),
            title: s.title.clone(),
            introduction: s.introduction.clone(),
            remark: s.remark.clone(),
        }
    }
}

pub fn layout_choices() -> Vec<LayoutChoice> {
    crate::model::Layout::ALL
        .into_iter()
        .map(|l| LayoutChoice {
            key: l.key(),
            label: l.label(),
            default_text: l.default_text(),
        })
        .collect()
}
