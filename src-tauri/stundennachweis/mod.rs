//! Stundennachweis: every time entry of a draft, grouped like the invoice, as a
//! PDF (and on request a CSV) to send along with the invoice. `collect` builds
//! the sheet from the draft's record, `pdf` and `csv` write it, `save` is the
//! operation behind the button.

mod collect;
pub mod csv;
pub mod pdf;
mod save;
pub mod sheet;

pub use collect::sheet;
pub use save::*;
pub use sheet::*;
