//! What the history shows of one attempt (display type, German states).
use super::*;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordView {
    pub id: u64,
    pub created: String,
    pub period: String,
    pub net_display: String,
    pub gross_display: String,
    pub rate_display: String,
    pub options: String,
    /// German, as shown: „wird gesendet“, „unklar“, „Entwurf“, „offen“,
    /// „überfällig“, „bezahlt“, „storniert“, „zurückgenommen“, „nicht erstellt“.
    pub state: &'static str,
    /// Stable key of the state for styling and tests: pending, unclear, draft,
    /// open, overdue, paid, voided, withdrawn, notCreated.
    pub state_key: &'static str,
    pub state_detail: Option<String>,
    /// The project or subproject the draft was made from.
    pub project_name: String,
    /// „RE1042“ once the office finalised it in lexoffice.
    pub voucher_number: Option<String>,
    /// „offen 1.190,00 € · fällig 15.01.2027“ for finalised, unpaid invoices.
    pub open_display: Option<String>,
    /// „Entwurf seit 16 Tagen nicht abgeschlossen“ (more than 14 days).
    pub age_warning: Option<String>,
    /// A draft exists in lexoffice that can be opened.
    pub can_open: bool,
    pub entry_count: usize,
    /// „Abrechnung zurücknehmen“ is offered (the draft may have been deleted, or
    /// the invoice was voided); finalised invoices keep their entries frozen.
    pub can_withdraw: bool,
    pub can_reconcile: bool,
    /// „Stundennachweis“ is offered (a draft exists in lexoffice).
    pub can_timesheet: bool,
}

/// lexoffice's `voucherStatus` in the words the office uses.
pub fn status_de(status: &str) -> (&'static str, &'static str) {
    match status {
        "open" => ("offen", "open"),
        "overdue" => ("überfällig", "overdue"),
        "paid" | "paidoff" => ("bezahlt", "paid"),
        "voided" => ("storniert", "voided"),
        "deleted" => ("gelöscht", "deleted"),
        "draft" => ("Entwurf", "draft"),
        // transferred, sepadebit and any later state of a finalised invoice.
        _ => ("offen", "open"),
    }
}

pub(super) fn record_view(r: &InvoiceRecord, project_name: &str) -> RecordView {
    let dec = |s: &str| Decimal::from_str(s).ok();
    let (state, state_key, detail) = match &r.state {
        InvoiceState::Pending => ("wird gesendet", "pending", None),
        InvoiceState::Unclear { reason } => ("unklar", "unclear", Some(reason.clone())),
        InvoiceState::Created => {
            let (s, k) = status_de(r.lexoffice_status.as_deref().unwrap_or("draft"));
            (s, k, None)
        }
        InvoiceState::Released { reason } if r.lexoffice_status.as_deref() == Some("deleted") => {
            ("gelöscht", "deleted", Some(reason.clone()))
        }
        InvoiceState::Released { reason } if r.lexoffice_id.is_some() => {
            ("zurückgenommen", "withdrawn", Some(reason.clone()))
        }
        InvoiceState::Released { reason } => ("nicht erstellt", "notCreated", Some(reason.clone())),
    };
    RecordView {
        id: r.id,
        created: format::date_time(r.created_at),
        period: format!("{} – {}", de_date(r.period_from), de_date(r.period_to)),
        net_display: dec(&r.net)
            .map(|d| format!("{} €", format_de(d, 2)))
            .unwrap_or_default(),
        gross_display: dec(&r.gross)
            .map(|d| format!("{} €", format_de(d, 2)))
            .unwrap_or_default(),
        rate_display: dec(&r.hourly_rate)
            .map(|d| format!("{} €/h", format_de(d, 2)))
            .unwrap_or_else(|| "–".into()),
        options: if r.list_subprojects {
            format!("{} · Unterprojekte einzeln", r.layout.label())
        } else {
            r.layout.label().to_string()
        },
        state,
        state_key,
        state_detail: detail,
        project_name: project_name.to_string(),
        voucher_number: r.voucher_number.clone(),
        open_display: open_display(r),
        age_warning: age_warning(r),
        can_open: r.lexoffice_id.is_some() && !matches!(state_key, "withdrawn" | "deleted"),
        entry_count: r.entry_ids.len(),
        can_withdraw: matches!(r.state, InvoiceState::Created) && !r.is_finalised(),
        can_reconcile: matches!(
            r.state,
            InvoiceState::Pending | InvoiceState::Unclear { .. }
        ),
        can_timesheet: r.lexoffice_id.is_some() && matches!(r.state, InvoiceState::Created),
    }
}

/// What is still to be paid of a finalised invoice, and by when.
pub fn open_display(r: &InvoiceRecord) -> Option<String> {
    if r.state != InvoiceState::Created || !r.is_finalised() || r.is_closed_in_lexoffice() {
        return None;
    }
    let amount = Decimal::from_str(r.seen.open_amount.as_deref()?).ok()?;
    let due = r
        .seen
        .due_date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| format!(" · fällig {}", de_date(d)))
        .unwrap_or_default();
    Some(format!("offen {} €{due}", format_de(amount, 2)))
}

/// A draft waiting unfinalised for more than 14 days (lexoffice's clock).
pub fn age_warning(r: &InvoiceRecord) -> Option<String> {
    let days = r.draft_age_days()?;
    (days > 14).then(|| format!("Entwurf seit {days} Tagen nicht abgeschlossen"))
}
