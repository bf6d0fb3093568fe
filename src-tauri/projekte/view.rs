//! Display types of the entries (what the two tables show, ready formatted):
//! [`TimeEntryView`] for „Zeiten“, [`ServiceEntryView`] for „Leistungen“, both
//! with the [`EntryBase`] every row has, and [`EntryList`], the two tables of a
//! project newest first, as the view shows them.

use std::ops::Deref;

use super::*;

/// What every row shows, time or service.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EntryBase {
    pub id: u64,
    pub project_id: u64,
    /// The subproject's name, empty for the project itself.
    pub subproject: String,
    pub date: NaiveDate,
    pub date_display: String,
    /// "time" or "service" (the undo toast names a time by its duration, a service by its name)
    pub kind: &'static str,
    pub description: String,
    pub billable: bool,
    /// "offen", "reserviert", "abgerechnet" (styling)
    pub state: &'static str,
    /// As shown: „offen“, „reserviert“, „im Entwurf“ (on a lexoffice draft),
    /// „abgerechnet RE1042“ (finalised, with its voucher number once known).
    pub state_display: String,
    pub invoice_id: Option<String>,
    /// Why the entry cannot be edited, when locked.
    pub locked_reason: Option<String>,
    /// Sent back with an edit: refused if the entry changed meanwhile.
    pub version: String,
    /// After an edit: the token for „Rückgängig“.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undo: Option<u64>,
}

/// A row of „Zeiten“.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TimeEntryView {
    #[serde(flatten)]
    pub base: EntryBase,
    pub employee: String,
    /// „07:30“, empty for a typed duration.
    pub start: String,
    pub end: String,
    pub break_minutes: u32,
    pub minutes: u32,
    pub duration_display: String,
    /// For the table: `7:20`, or `7:20 · abgerechnet 7:30` when the
    /// Abrechnungstakt bills a different time (the recorded time never changes).
    pub duration_shown: String,
}

/// A row of „Leistungen“.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ServiceEntryView {
    #[serde(flatten)]
    pub base: EntryBase,
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
    /// „Arbeit“, „Material“ or „Fahrt“ (as stored or by the unit).
    pub art: String,
    /// Chosen from a lexoffice article (Leistungskatalog).
    pub from_article: bool,
}

impl Deref for TimeEntryView {
    type Target = EntryBase;
    fn deref(&self) -> &EntryBase {
        &self.base
    }
}

impl Deref for ServiceEntryView {
    type Target = EntryBase;
    fn deref(&self) -> &EntryBase {
        &self.base
    }
}

/// A project's entries as its view shows them: two tables, each newest first.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct EntryList {
    pub times: Vec<TimeEntryView>,
    pub services: Vec<ServiceEntryView>,
    /// Older entries exist beyond the limit („Ältere Einträge anzeigen“).
    pub more: bool,
}

impl EntryList {
    /// How many rows both tables show.
    pub fn len(&self) -> usize {
        self.times.len() + self.services.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every row's common part: the times, then the services.
    pub fn rows(&self) -> impl Iterator<Item = &EntryBase> {
        self.times
            .iter()
            .map(|t| &t.base)
            .chain(self.services.iter().map(|s| &s.base))
    }
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

/// Why an entry cannot be changed or deleted, if it cannot.
pub fn locked_reason(e: &Entry) -> Option<String> {
    match &e.billing {
        BillingState::Open => None,
        BillingState::Reserved { .. } => Some(
            "Dieser Eintrag wird gerade an lexoffice übergeben und ist bis zur Klärung gesperrt."
                .to_string(),
        ),
        BillingState::Billed { .. } => Some(
            "Bereits abgerechnet: Der Eintrag steht auf einem lexoffice-Rechnungsentwurf und kann nicht mehr geändert werden."
                .to_string(),
        ),
    }
}

fn base(e: &Entry, subproject: &str, drafts: &DraftStates) -> EntryBase {
    let (state, state_display, invoice_id) = match &e.billing {
        BillingState::Open => ("offen", "offen".to_string(), None),
        BillingState::Reserved { .. } => ("reserviert", "reserviert".to_string(), None),
        BillingState::Billed { invoice_id } => (
            "abgerechnet",
            match drafts.get(invoice_id) {
                Some((true, Some(n))) => format!("abgerechnet {n}"),
                Some((true, None)) => "abgerechnet".to_string(),
                _ => "im Entwurf".to_string(),
            },
            Some(invoice_id.clone()),
        ),
    };
    EntryBase {
        id: e.id,
        project_id: e.project_id,
        subproject: subproject.to_string(),
        date: e.date,
        date_display: crate::de::format::date(e.date),
        kind: match e.kind {
            EntryKind::Time { .. } => "time",
            EntryKind::Service { .. } => "service",
        },
        description: e.description.clone(),
        billable: e.billable,
        state,
        state_display,
        invoice_id,
        locked_reason: locked_reason(e),
        version: crate::model::version_of(e.updated_at),
        undo: None,
    }
}

/// A time as its row shows it; `None` for a service.
pub fn time_view(e: &Entry, subproject: &str, drafts: &DraftStates) -> Option<TimeEntryView> {
    let EntryKind::Time {
        employee,
        start,
        end,
        break_minutes,
        minutes,
        ..
    } = &e.kind
    else {
        return None;
    };
    let clock = |t: &Option<chrono::NaiveTime>| {
        t.map(|t| t.format("%H:%M").to_string()).unwrap_or_default()
    };
    let duration_display = format_minutes(u64::from(*minutes));
    Some(TimeEntryView {
        base: base(e, subproject, drafts),
        employee: employee.clone(),
        start: clock(start),
        end: clock(end),
        break_minutes: *break_minutes,
        minutes: *minutes,
        duration_shown: duration_display.clone(),
        duration_display,
    })
}

/// A service as its row shows it; `None` for a time.
pub fn service_view(e: &Entry, subproject: &str, drafts: &DraftStates) -> Option<ServiceEntryView> {
    let EntryKind::Service {
        name,
        quantity,
        unit,
        unit_price,
        tax_rate,
        art,
        article,
    } = &e.kind
    else {
        return None;
    };
    let art = art.unwrap_or_else(|| crate::storage::ServiceArt::default_for(unit));
    let unit_price_input = format_de(*unit_price, 2);
    Some(ServiceEntryView {
        base: base(e, subproject, drafts),
        name: name.clone(),
        quantity: quantity.to_string(),
        quantity_display: format_de(*quantity, 0),
        unit: unit.clone(),
        unit_price: unit_price.to_string(),
        unit_price_display: format!("{unit_price_input} €"),
        unit_price_input,
        tax_rate: tax_rate.normalize().to_string(),
        amount_display: format!("{} €", format_de(service_amount(*quantity, *unit_price), 2)),
        art: art.label().to_string(),
        from_article: article.is_some(),
    })
}

impl std::ops::DerefMut for TimeEntryView {
    fn deref_mut(&mut self) -> &mut EntryBase {
        &mut self.base
    }
}

impl std::ops::DerefMut for ServiceEntryView {
    fn deref_mut(&mut self) -> &mut EntryBase {
        &mut self.base
    }
}
