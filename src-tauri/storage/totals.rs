//! Counts and sums of a firm's data, to prove a move between databases
//! („Mehrplatz einrichten“, „Zurück zu Einzelplatz“) lost nothing: the source
//! is summed from its export, the target by the target itself (on
//! PostgreSQL by the server's own `count` and `sum`).

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Backup, EntryKind, InvoiceState};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataTotals {
    pub customers: u64,
    pub projects: u64,
    pub times: u64,
    pub services: u64,
    /// Minutes of all times.
    pub minutes: u64,
    /// Σ quantity × net unit price of all services.
    pub service_net: Decimal,
    /// Drafts in lexoffice the data know (attempts in state „erstellt“).
    pub drafts: u64,
    /// Invoice attempts of any state.
    pub invoice_records: u64,
}

impl Backup {
    pub fn totals(&self) -> DataTotals {
        let mut t = DataTotals {
            customers: self.customers.len() as u64,
            projects: self.projects.len() as u64,
            invoice_records: self.invoices.len() as u64,
            ..DataTotals::default()
        };
        for e in &self.entries {
            match &e.kind {
                EntryKind::Time { minutes, .. } => {
                    t.times += 1;
                    t.minutes += u64::from(*minutes);
                }
                EntryKind::Service {
                    quantity,
                    unit_price,
                    ..
                } => {
                    t.services += 1;
                    t.service_net += quantity * unit_price;
                }
            }
        }
        t.drafts = self
            .invoices
            .iter()
            .filter(|r| r.state == InvoiceState::Created)
            .count() as u64;
        t
    }
}
