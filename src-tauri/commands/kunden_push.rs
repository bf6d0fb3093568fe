//! Kunden › „In lexoffice anlegen“ / „In lexoffice aktualisieren“ and the
//! answers to their questions (kunden::push).

use std::sync::Arc;

use serde::Deserialize;
use tauri::ipc::Request;
use tauri::State;

use super::args::{parse, Id};
use crate::core::Core;
use crate::error::AppResult;
use crate::kunden::push::{self, PushMode, PushOutcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PushArgs {
    id: u64,
    /// create | createAnyway | update | updateAnyway
    push_mode: String,
    /// The lexoffice version shown in the conflict („Meine Änderungen senden“).
    #[serde(default)]
    version: Option<i64>,
}

#[tauri::command]
pub async fn customer_push(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<PushOutcome> {
    let a: PushArgs = parse(&request)?;
    let mode = PushMode::parse(&a.push_mode)?;
    push::push(&core, a.id, mode, a.version).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LinkArgs {
    id: u64,
    contact_id: String,
}

/// „Mit diesem Kontakt verknüpfen“.
#[tauri::command]
pub async fn customer_link(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<PushOutcome> {
    let a: LinkArgs = parse(&request)?;
    push::link(&core, a.id, a.contact_id).await
}

/// „lexoffice-Stand übernehmen“.
#[tauri::command]
pub async fn customer_take_lexoffice(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<PushOutcome> {
    let a: Id = parse(&request)?;
    push::take_lexoffice(&core, a.id).await
}
