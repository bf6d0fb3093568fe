//! German in and out, and the Berlin day: `format` (the one de-DE formatting
//! module), `parse` (German input: dates, times, durations, amounts), `clock`
//! (`today_berlin`). Knows the records (`model`) to name them, nothing above.

pub mod clock;
pub mod format;
pub mod parse;
