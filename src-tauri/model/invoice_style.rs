//! How a draft is laid out and worded (docs/architecture.md › Rechnungsbild):
//! the firm's default (Einstellungen › Abrechnung) and, once „Für diesen Kunden
//! merken“ was ticked, a customer's own.

use serde::{Deserialize, Serialize};

/// „Aufstellung“: how the time entries become lines.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Layout {
    /// „eine Zeile je Projekt“
    #[default]
    Project,
    /// „je Mitarbeiter“
    Employee,
    /// „je Rolle“
    Role,
    /// „je Tag“
    Day,
    /// „je Eintrag“
    Entry,
}

impl Layout {
    pub const ALL: [Layout; 5] = [
        Layout::Project,
        Layout::Employee,
        Layout::Role,
        Layout::Day,
        Layout::Entry,
    ];

    /// The choice as the dialog names it.
    pub fn label(self) -> &'static str {
        match self {
            Layout::Project => "eine Zeile je Projekt",
            Layout::Employee => "je Mitarbeiter",
            Layout::Role => "je Rolle",
            Layout::Day => "je Tag",
            Layout::Entry => "je Eintrag",
        }
    }

    /// The key the UI sends (`project`, `employee`, …).
    pub fn key(self) -> &'static str {
        match self {
            Layout::Project => "project",
            Layout::Employee => "employee",
            Layout::Role => "role",
            Layout::Day => "day",
            Layout::Entry => "entry",
        }
    }

    pub fn from_key(key: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.key() == key)
    }

    /// The next choice with fewer lines (for a draft over lexoffice's 300 items).
    pub fn coarser(self) -> Option<Layout> {
        match self {
            Layout::Entry => Some(Layout::Day),
            Layout::Day => Some(Layout::Employee),
            Layout::Employee => Some(Layout::Role),
            Layout::Role => Some(Layout::Project),
            Layout::Project => None,
        }
    }

    /// The „Positionstext“ used when none is set: first line = Bezeichnung, the
    /// rest = Beschreibung (placeholders: `billing::line_text`).
    pub fn default_text(self) -> &'static str {
        match self {
            Layout::Project => {
                "Arbeitszeit {Projekt}\nDatum: {Datum}; Dauer {Dauer} Std.\n{Beschreibung}"
            }
            Layout::Employee => {
                "Arbeitszeit {Mitarbeiter}\nDatum: {Datum}; Dauer {Dauer} Std.\n{Beschreibung}"
            }
            Layout::Role => {
                "Arbeitszeit {Rolle}\nDatum: {Datum}; Dauer {Dauer} Std.\n{Beschreibung}"
            }
            Layout::Day => {
                "Arbeitszeit am {Datum}\n{Mitarbeiter}; Dauer {Dauer} Std.\n{Beschreibung}"
            }
            Layout::Entry => "{Datum} · {Mitarbeiter}\n{Beschreibung}",
        }
    }
}

/// Aufstellung, Positionstext and Rechnungstexte. A blank text means: the
/// layout's default (Positionstext), or not sent so lexoffice uses the
/// organisation's own default (Titel, Einleitung, Schlusstext).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InvoiceStyle {
    pub layout: Layout,
    pub line_text: String,
    pub title: String,
    pub introduction: String,
    pub remark: String,
}

impl InvoiceStyle {
    /// What an invoice of this customer starts with: the style remembered for
    /// the customer („Für diesen Kunden merken“), else the firm's default.
    pub fn for_customer<'a>(
        customer: Option<&'a super::Customer>,
        settings: &'a super::Settings,
    ) -> &'a InvoiceStyle {
        customer
            .and_then(|c| c.invoice_style.as_ref())
            .unwrap_or(&settings.invoice_style)
    }

    /// The Positionstext in effect: the stored one, or the layout's default.
    pub fn line_text_or_default(&self) -> &str {
        match self.line_text.trim() {
            "" => self.layout.default_text(),
            _ => &self.line_text,
        }
    }
}
