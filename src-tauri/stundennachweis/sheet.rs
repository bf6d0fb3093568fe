//! What a Stundennachweis shows: display strings only, formatted in German
//! (`crate::de::format`), so the PDF and the CSV writers only lay them out.

/// One Stundennachweis (A4, German).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The firm (the lexoffice organisation's name), top left.
    pub firm: String,
    /// The customer's name and address lines.
    pub customer_name: String,
    pub customer_lines: Vec<String>,
    /// „Projekt“: `Elektrik Neubau Weber`.
    pub project: String,
    /// „Zeitraum“: `03.03.2026 – 28.03.2026`.
    pub period: String,
    /// „Rechnung RE-1042“ once lexoffice has a number, else „Entwurf vom 01.12.2026“.
    pub voucher: String,
    /// The day it was written: `01.12.2026`.
    pub written: String,
    /// Groups in invoice order; a group without heading is the whole project.
    pub groups: Vec<SheetGroup>,
    /// Totals of all groups: `12:30` (recorded), `12:30` (billed), `12,50 Std.`
    pub total_recorded: String,
    pub total_billed: String,
    pub total_hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetGroup {
    /// Subproject, employee, role or day, as the invoice groups; None = no heading.
    pub heading: Option<String>,
    pub rows: Vec<SheetRow>,
    /// `8:00` / `8:15`
    pub subtotal_recorded: String,
    pub subtotal_billed: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// `03.03.2026`
    pub date: String,
    pub employee: String,
    /// `07:30–16:00`, empty when only a duration was recorded.
    pub from_to: String,
    /// `0:30`, empty for none.
    pub pause: String,
    /// `8:00`
    pub duration: String,
    /// After the Abrechnungstakt: `8:15`
    pub billed: String,
    /// The entry's note, may be long and contain line breaks.
    pub description: String,
}
