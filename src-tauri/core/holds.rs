//! What one seat of the office does alone (`storage::Hold`): taken here for a
//! use case, with the refusal that names the seat holding it.

use super::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::storage::{Held, Hold};

/// Holds `what` for this seat, or refuses with `busy(place)`: `place` is
/// „am Arbeitsplatz EMPFANG-PC“ (the PC of the seat that holds it) or „an
/// einem anderen Arbeitsplatz“ when that is not known.
pub async fn hold(core: &Core, what: Hold, busy: impl FnOnce(&str) -> String) -> AppResult<Held> {
    take(core, what, false, busy).await
}

/// As `hold`, shared with other seats that hold it shared (refused while one
/// holds it alone).
pub async fn hold_shared(
    core: &Core,
    what: Hold,
    busy: impl FnOnce(&str) -> String,
) -> AppResult<Held> {
    take(core, what, true, busy).await
}

async fn take(
    core: &Core,
    what: Hold,
    shared: bool,
    busy: impl FnOnce(&str) -> String,
) -> AppResult<Held> {
    let store = core.store.clone();
    let got = blocking(move || {
        if shared {
            store.try_hold_shared(what)
        } else {
            store.try_hold(what)
        }
    })
    .await?;
    if let Some(held) = got {
        return Ok(held);
    }
    let store = core.store.clone();
    let place = match blocking(move || store.holder(what)).await {
        Ok(Some(pc)) => format!("am Arbeitsplatz {pc}"),
        _ => "an einem anderen Arbeitsplatz".to_string(),
    };
    Err(AppError::Busy(busy(&place)))
}

/// Invoice creation, the customer import, the status sync and „Rückgängig“
/// never run beside a restore at another seat; `nothing` ends the refusal
/// („es wurde nichts gesendet“).
pub async fn no_restore(core: &Core, nothing: &str) -> AppResult<Held> {
    hold_shared(core, Hold::Restore, |place| {
        format!(
            "{} werden gerade Daten aus einer Sicherung wiederhergestellt. Bitte warten, bis das fertig ist; {nothing}.",
            crate::de::format::capitalised(place)
        )
    })
    .await
}
