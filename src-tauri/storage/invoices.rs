//! Invoice attempts and records: tree `invoices`, key = record id (u64 BE).
//! Reserving entries for an attempt, settling it with the lexoffice id and
//! releasing it are each one transaction over `invoices` and `entries`, so a
//! crash leaves either open entries or entries billed with their draft, plus at
//! most the attempt record that says what is unclear.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::projects::{BillingState, Entry};
use super::Store;
use crate::error::{AppError, AppResult};

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

fn ser<T: Serialize>(
    v: &T,
) -> Result<Vec<u8>, sled::transaction::ConflictableTransactionError<String>> {
    serde_json::to_vec(v)
        .map_err(|e| sled::transaction::ConflictableTransactionError::Abort(e.to_string()))
}

fn de<T: for<'a> Deserialize<'a>>(
    v: &[u8],
) -> Result<T, sled::transaction::ConflictableTransactionError<String>> {
    serde_json::from_slice(v)
        .map_err(|e| sled::transaction::ConflictableTransactionError::Abort(e.to_string()))
}

impl Store {
    pub fn invoice_records(&self) -> AppResult<Vec<InvoiceRecord>> {
        self.invoices
            .iter()
            .filter_map(|row| self.decode_row("invoices", row))
            .collect()
    }

    pub fn invoice_record(&self, id: u64) -> AppResult<Option<InvoiceRecord>> {
        self.decode_one(
            "invoices",
            &id.to_be_bytes(),
            self.invoices.get(id.to_be_bytes())?,
        )
    }

    pub fn put_invoice_record(&self, r: &InvoiceRecord) -> AppResult<()> {
        let _w = self.writing();
        self.invoices
            .insert(r.id.to_be_bytes(), serde_json::to_vec(r)?)?;
        self.flush()
    }

    /// Applies `state` to the record and `billing` to each of its entries whose
    /// current state satisfies `only_if`, atomically. Entries that changed hands
    /// meanwhile are left alone. Fails if an entry to reserve is not open.
    pub fn transition_invoice(
        &self,
        record: &InvoiceRecord,
        billing: BillingState,
        only_if: impl Fn(&BillingState) -> bool,
        require_all: bool,
    ) -> AppResult<()> {
        self.transition_invoice_from(record, |_| true, billing, only_if, require_all)
    }

    /// As `transition_invoice`, but only if the stored record (None: not stored
    /// yet) still is what `expect` says: a stale copy never overwrites a newer state.
    pub fn transition_invoice_from(
        &self,
        record: &InvoiceRecord,
        expect: impl Fn(Option<&InvoiceRecord>) -> bool,
        billing: BillingState,
        only_if: impl Fn(&BillingState) -> bool,
        require_all: bool,
    ) -> AppResult<()> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        use sled::Transactional;
        let _w = self.writing();
        let result = (&self.invoices, &self.entries, &self.entry_keys).transaction(
            |(tx_inv, tx_entries, tx_keys)| {
                let stored: Option<InvoiceRecord> = match tx_inv.get(record.id.to_be_bytes())? {
                    Some(v) => Some(de(&v)?),
                    None => None,
                };
                if !expect(stored.as_ref()) {
                    return Err(ConflictableTransactionError::Abort(
                        "Der Rechnungsversuch wurde inzwischen anders geklärt. Bitte die Historie neu laden.".into(),
                    ));
                }
                for id in &record.entry_ids {
                    let Some(key) = tx_keys.get(id.to_be_bytes())? else {
                        if require_all {
                            return Err(ConflictableTransactionError::Abort(format!(
                                "Eintrag {id} existiert nicht mehr"
                            )));
                        }
                        continue;
                    };
                    let Some(bytes) = tx_entries.get(&key)? else {
                        continue;
                    };
                    let mut e: Entry = super::entry_codec::decode(&bytes)
                        .map_err(ConflictableTransactionError::Abort)?;
                    if !only_if(&e.billing) {
                        if require_all {
                            return Err(ConflictableTransactionError::Abort(
                                "Einträge wurden inzwischen abgerechnet oder reserviert".into(),
                            ));
                        }
                        continue;
                    }
                    e.billing = billing.clone();
                    e.updated_at = Utc::now();
                    tx_entries.insert(key, super::entry_codec::encode(&e))?;
                }
                tx_inv.insert(&record.id.to_be_bytes(), ser(record)?)?;
                Ok(())
            },
        );
        match result {
            Ok(()) => self.flush(),
            Err(TransactionError::Abort(e)) => Err(AppError::validation("Rechnung", e)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }
}
