//! An invoice attempt and its record: which entries it bills, its state from
//! reserved to created (or released, or unclear), what lexoffice last said.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum InvoiceState {
    /// Entries reserved; the POST may or may not have reached lexoffice.
    Pending,
    /// The POST failed in a way that leaves the outcome open (timeout, 5xx, 504,
    /// connection lost); must be reconciled before the entries are offered again.
    Unclear { reason: String },
    /// The draft exists in lexoffice; entries are billed with its id.
    Created,
    /// The draft was deleted in lexoffice (or never created); entries are open again.
    Released { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceRecord {
    pub id: u64,
    pub project_id: u64,
    pub contact_id: String,
    pub lexoffice_id: Option<String>,
    pub state: InvoiceState,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// Decimal strings as sent.
    pub hourly_rate: String,
    pub list_subprojects: bool,
    /// The Aufstellung of the draft (the Stundennachweis groups the same way).
    #[serde(default)]
    pub layout: super::Layout,
    pub net: String,
    pub gross: String,
    pub entry_ids: Vec<u64>,
    /// Those of `entry_ids` given as goodwill (0,00 €).
    #[serde(default)]
    pub goodwill_entry_ids: Vec<u64>,
    /// (time entry id, billed minutes) as the draft billed them: every reprint
    /// of its Stundennachweis and the rounding of a later draft of the same day
    /// use these, never today's rules. Empty for drafts made before schema 3.
    #[serde(default)]
    pub billed_minutes: Vec<(u64, u32)>,
    /// The exact POST body.
    pub request: serde_json::Value,
    /// The lexoffice organisation the draft was sent to (release/reconcile refuse another).
    #[serde(default)]
    pub organization_id: Option<String>,
    /// When the outcome of the POST became unknown; the grace period counts from here.
    #[serde(default)]
    pub outcome_unknown_since: Option<DateTime<Utc>>,
    /// When the attempt began by lexoffice's clock (the `Date` header of the
    /// profile check just before the POST): reconciliation compares lexoffice's
    /// own `createdDate` with it, never the PC's clock.
    #[serde(default)]
    pub started_server_at: Option<DateTime<Utc>>,
    /// lexoffice's clock at each look at the voucher list that found nothing:
    /// entries are released only after two empty looks, `reconcile_grace` apart.
    #[serde(default)]
    pub empty_looks: Vec<DateTime<Utc>>,
    /// lexoffice's clock at 404 looks at this draft that did not free it yet
    /// (the first and the latest; `rechnung::missing`). Cleared when a look
    /// finds it.
    #[serde(default)]
    pub missing_looks: Vec<DateTime<Utc>>,
    /// The draft went out `vatfree` (Kleinunternehmer / tax-exempt organisation).
    #[serde(default)]
    pub vatfree: Option<bool>,
    /// lexoffice's `voucherStatus` when last looked at (`draft`, `open`, `paid`,
    /// `voided`, `overdue`); None before the first look.
    #[serde(default)]
    pub lexoffice_status: Option<String>,
    /// The voucher number, once the office finalised the invoice.
    #[serde(default)]
    pub voucher_number: Option<String>,
    /// The rest of what the status sync last read in lexoffice.
    #[serde(default)]
    pub seen: SeenInLexoffice,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What the last status sync read of the invoice in lexoffice (all by
/// lexoffice's clock and in its words; docs/architecture.md › Abgleich).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeenInLexoffice {
    /// `openAmount` as a decimal string (None for drafts).
    #[serde(default)]
    pub open_amount: Option<String>,
    /// `dueDate`, `yyyy-MM-dd` (Berlin).
    #[serde(default)]
    pub due_date: Option<String>,
    /// lexoffice's `createdDate` of the draft.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// lexoffice's clock when the sync last saw the invoice.
    #[serde(default)]
    pub looked_at: Option<DateTime<Utc>>,
}

impl InvoiceRecord {
    /// Whole days the draft has waited in lexoffice unfinalised, by
    /// lexoffice's clock (None: not a draft, or not seen yet).
    pub fn draft_age_days(&self) -> Option<i64> {
        if self.state != InvoiceState::Created
            || !matches!(self.lexoffice_status.as_deref(), None | Some("draft"))
        {
            return None;
        }
        let created = self.seen.created_at.or(self.started_server_at)?;
        Some((self.seen.looked_at? - created).num_days())
    }

    /// The office finalised the invoice in lexoffice (offen, überfällig,
    /// bezahlt, and the payment states `transferred`/`sepadebit`): its entries
    /// stay frozen and it cannot be taken back.
    pub fn is_finalised(&self) -> bool {
        matches!(
            self.lexoffice_status.as_deref(),
            Some("open" | "overdue" | "paid" | "paidoff" | "transferred" | "sepadebit")
        )
    }

    /// Nothing more can change in lexoffice that the app must follow (bezahlt,
    /// storniert).
    pub fn is_closed_in_lexoffice(&self) -> bool {
        matches!(
            self.lexoffice_status.as_deref(),
            Some("paid" | "paidoff" | "voided")
        )
    }
}

/// A draft as a restore names it: `„Umbau“ vom 04.12.2026, 1,19 €`.
pub fn draft_label(project: &str, rec: &InvoiceRecord) -> String {
    let gross = rec
        .gross
        .parse::<rust_decimal::Decimal>()
        .map(|g| format!(", {}", crate::de::format::format_eur(g)))
        .unwrap_or_default();
    format!(
        "„{project}“ vom {}{gross}",
        crate::de::format::local_date(rec.created_at)
    )
}

/// Whether a stored attempt still waits for its outcome (pending or unclear):
/// only such an attempt may be settled or written back from the journal.
pub fn unsettled(stored: Option<&InvoiceRecord>) -> bool {
    matches!(
        stored.map(|r| &r.state),
        Some(InvoiceState::Pending | InvoiceState::Unclear { .. })
    )
}
