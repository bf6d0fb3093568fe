//! Stundennachweis: every time entry of a draft, grouped like the invoice, as a
//! PDF (and on request a CSV) to send along with the invoice.

pub mod pdf;
pub mod sheet;

pub use sheet::*;
