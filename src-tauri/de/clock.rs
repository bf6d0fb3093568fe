//! The day in Germany: every „heute“ of the app (voucher dates, the dialog's
//! months, today's rate, the short form „TT.MM.“, a work date's limit) is
//! Berlin's, whatever the PC's zone. lexoffice's clock is never compared with it.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use chrono_tz::Europe::Berlin;

/// The instant a record is stamped with (created, changed, billed): to the
/// microsecond, as PostgreSQL keeps it, so a record reads back equal from
/// either database and a backup moved between them stays byte for byte the same.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Today in Germany (voucher dates, the dialog's months, today's rate, the
/// short form „TT.MM.“). Debug builds take `ZEITRECHNUNG_TODAY=JJJJ-MM-TT` for
/// the tests (5 January, 20 December); release builds ignore it.
pub fn today_berlin() -> NaiveDate {
    #[cfg(debug_assertions)]
    if let Some(day) = std::env::var("ZEITRECHNUNG_TODAY")
        .ok()
        .and_then(|v| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok())
    {
        return day;
    }
    Utc::now().with_timezone(&Berlin).date_naive()
}
