//! Display types of the entries (what the list shows, ready formatted).

use super::*;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EntryView {
    pub id: u64,
    pub project_id: u64,
    /// The subproject's name, empty for the project itself.
    pub subproject: String,
    pub date: NaiveDate,
    pub date_display: String,
    /// "time" or "service"
    pub kind: &'static str,
    pub employee: String,
    pub start: String,
    pub end: String,
    pub break_minutes: u32,
    pub minutes: u32,
    pub duration_display: String,
    /// For the table: `7:20`, or `7:20 · abgerechnet 7:30` when the
    /// Abrechnungstakt bills a different time (the recorded time never changes).
    pub duration_shown: String,
    pub description: String,
    pub name: String,
    pub quantity: String,
    pub quantity_display: String,
    pub unit: String,
    pub unit_price: String,
    /// As „Bearbeiten“ shows it: „12,40“.
    pub unit_price_input: String,
    pub unit_price_display: String,
    pub tax_rate: String,
    pub amount_display: String,
    /// Services: „Arbeit“, „Material“ or „Fahrt“ (as stored or by the unit).
    pub art: String,
    /// Services chosen from a lexoffice article (Leistungskatalog).
    pub from_article: bool,
    pub billable: bool,
    /// "offen", "reserviert", "abgerechnet" (styling)
    pub state: &'static str,
    /// As shown: „offen“, „reserviert“, „im Entwurf“ (on a lexoffice draft),
    /// „abgerechnet RE1042“ (finalised, with its voucher number once known).
    pub state_display: String,
    pub invoice_id: Option<String>,
    /// Why the entry cannot be edited, when locked.
    pub locked_reason: Option<String>,
    /// After an edit: the token for „Rückgängig“.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undo: Option<u64>,
}

/// What lexoffice last said of the draft an entry is billed on: (finalised, voucher number).
pub type DraftStates = HashMap<String, (bool, Option<String>)>;

/// The lexoffice status of every draft the app created (for the entry lists).
pub fn draft_states(store: &Store) -> AppResult<DraftStates> {
    Ok(store
        .invoice_records()?
        .into_iter()
        .filter_map(|r| {
            let finalised = r.is_finalised();
            r.lexoffice_id.map(|id| (id, (finalised, r.voucher_number)))
        })
        .collect())
}

pub fn view(e: &Entry, subproject: &str) -> EntryView {
    view_with(e, subproject, &DraftStates::new())
}

pub fn view_with(e: &Entry, subproject: &str, drafts: &DraftStates) -> EntryView {
    let state_display = match &e.billing {
        BillingState::Open => "offen".to_string(),
        BillingState::Reserved { .. } => "reserviert".to_string(),
        BillingState::Billed { invoice_id } => match drafts.get(invoice_id) {
            Some((true, Some(n))) => format!("abgerechnet {n}"),
            Some((true, None)) => "abgerechnet".to_string(),
            _ => "im Entwurf".to_string(),
        },
    };
    let (state, invoice_id, locked_reason) = match &e.billing {
        BillingState::Open => ("offen", None, None),
        BillingState::Reserved { .. } => (
            "reserviert",
            None,
            Some("Dieser Eintrag wird gerade an lexoffice übergeben und ist bis zur Klärung gesperrt.".to_string()),
        ),
        BillingState::Billed { invoice_id } => (
            "abgerechnet",
            Some(invoice_id.clone()),
            Some("Bereits abgerechnet: Der Eintrag steht auf einem lexoffice-Rechnungsentwurf und kann nicht mehr geändert werden.".to_string()),
        ),
    };
    let mut v = EntryView {
        id: e.id,
        project_id: e.project_id,
        subproject: subproject.to_string(),
        date: e.date,
        date_display: crate::de::format::date(e.date),
        kind: "time",
        employee: String::new(),
        start: String::new(),
        end: String::new(),
        break_minutes: 0,
        minutes: 0,
        duration_display: String::new(),
        duration_shown: String::new(),
        description: e.description.clone(),
        name: String::new(),
        quantity: String::new(),
        quantity_display: String::new(),
        unit: String::new(),
        unit_price: String::new(),
        unit_price_input: String::new(),
        unit_price_display: String::new(),
        tax_rate: String::new(),
        amount_display: String::new(),
        art: String::new(),
        from_article: false,
        billable: e.billable,
        state,
        state_display,
        invoice_id,
        locked_reason,
        undo: None,
    };
    match &e.kind {
        EntryKind::Time {
            employee,
            start,
            end,
            break_minutes,
            minutes,
            ..
        } => {
            v.employee = employee.clone();
            v.start = start
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default();
            v.end = end
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default();
            v.break_minutes = *break_minutes;
            v.minutes = *minutes;
            v.duration_display = format_minutes(u64::from(*minutes));
            v.duration_shown = v.duration_display.clone();
        }
        EntryKind::Service {
            name,
            quantity,
            unit,
            unit_price,
            tax_rate,
            art,
            article,
        } => {
            v.kind = "service";
            v.from_article = article.is_some();
            let a = art.unwrap_or_else(|| crate::storage::ServiceArt::default_for(unit));
            v.art = a.label().to_string();
            v.name = name.clone();
            v.quantity = quantity.to_string();
            v.quantity_display = format_de(*quantity, 0);
            v.unit = unit.clone();
            v.unit_price = unit_price.to_string();
            v.unit_price_input = format_de(*unit_price, 2);
            v.unit_price_display = format!("{} €", v.unit_price_input);
            v.tax_rate = tax_rate.normalize().to_string();
            v.amount_display =
                format!("{} €", format_de(service_amount(*quantity, *unit_price), 2));
        }
    }
    v
}
