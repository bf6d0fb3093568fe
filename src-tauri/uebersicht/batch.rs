//! „Entwürfe erstellen“: one draft per selected project, one after the other,
//! each exactly like „Erstellen“ in the dialog (`rechnung::create_draft`:
//! reserved, sent once, settled; an unknown outcome stays „unklar“ and is
//! reconciled, never sent again). Each project's remembered settings apply:
//! all its open entries, every entry at its own rate, subprojects listed when
//! it has some, the customer's Aufstellung and texts. The shared rate limiter
//! paces the calls; „Abbrechen“ stops before the next project.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::core::Core;
use crate::error::{AppError, AppResult};
use crate::rechnung::{self, InvoiceRequest};

/// Progress after each project.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BatchProgress {
    pub done: u32,
    pub total: u32,
    /// „Entwurf 3 von 5: Dachsanierung Müller …“
    pub text: String,
}

/// What became of one project.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BatchRow {
    pub project_id: u64,
    pub project_name: String,
    /// `created`, `unclear`, `failed`, `skipped`, `mixedTax`, `cancelled`.
    pub state: &'static str,
    /// As shown: „erstellt“, „unklar“, „nicht erstellt“, „übersprungen“, „abgebrochen“.
    pub state_display: &'static str,
    /// German, as shown.
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    pub rows: Vec<BatchRow>,
    /// „3 Entwürfe erstellt, 1 unklar, 1 abgelehnt.“
    pub summary: String,
}

/// Errors after which the next project cannot fare better.
fn stops_batch(e: &AppError) -> bool {
    matches!(
        e.kind(),
        "notConnected" | "unauthorized" | "paymentRequired" | "forbidden" | "offline" | "keyring"
    )
}

fn summary(rows: &[BatchRow]) -> String {
    let n = |s: &str| rows.iter().filter(|r| r.state == s).count();
    let mut parts = Vec::new();
    match n("created") {
        0 => parts.push("Kein Entwurf erstellt".to_string()),
        1 => parts.push("1 Entwurf erstellt".to_string()),
        k => parts.push(format!("{k} Entwürfe erstellt")),
    }
    for (state, word) in [
        ("unclear", "unklar"),
        ("failed", "nicht erstellt"),
        ("skipped", "ohne offene Einträge"),
        ("mixedTax", "übersprungen (Steuerarten gemischt)"),
        ("cancelled", "abgebrochen"),
    ] {
        let k = n(state);
        if k > 0 {
            parts.push(format!("{k} {word}"));
        }
    }
    format!("{}.", parts.join(", "))
}

/// A row's state as the list shows it.
fn state_display(state: &str) -> &'static str {
    match state {
        "created" => "erstellt",
        "unclear" => "unklar",
        "skipped" | "mixedTax" => "übersprungen",
        "cancelled" => "abgebrochen",
        _ => "nicht erstellt",
    }
}

/// The request „Erstellen“ would send for this project with nothing changed
/// in the dialog, over all its open entries; None: nothing open.
pub async fn remembered_request(core: &Core, project_id: u64) -> AppResult<Option<InvoiceRequest>> {
    let d = rechnung::defaults(core, project_id).await?;
    Ok(d.all_open.map(|(from, to)| InvoiceRequest {
        project_id,
        from,
        to,
        list_subprojects: d.has_subprojects,
        ..Default::default()
    }))
}

pub async fn run(
    core: &Core,
    project_ids: Vec<u64>,
    progress: impl Fn(BatchProgress),
    cancel: &AtomicBool,
) -> AppResult<BatchResult> {
    if project_ids.is_empty() {
        return Err(AppError::validation(
            "Projekte",
            "Bitte mindestens ein Projekt auswählen.",
        ));
    }
    let Some(_running) = core.batch.try_start() else {
        return Err(AppError::Busy(
            "„Entwürfe erstellen“ läuft bereits. Bitte warten, bis es fertig ist.".into(),
        ));
    };
    cancel.store(false, Ordering::SeqCst);
    run_inner(core, project_ids, progress, cancel).await
}

async fn run_inner(
    core: &Core,
    project_ids: Vec<u64>,
    progress: impl Fn(BatchProgress),
    cancel: &AtomicBool,
) -> AppResult<BatchResult> {
    let total = project_ids.len() as u32;
    let mut rows: Vec<BatchRow> = Vec::new();
    let mut stopped: Option<String> = None;
    for (i, pid) in project_ids.iter().copied().enumerate() {
        let name = {
            let store = core.store.clone();
            crate::core::blocking(move || Ok(store.project(pid)?.map(|p| p.name)))
                .await?
                .unwrap_or_else(|| format!("Projekt {pid}"))
        };
        if let Some(reason) = &stopped {
            rows.push(BatchRow {
                project_id: pid,
                project_name: name,
                state: "cancelled",
                state_display: state_display("cancelled"),
                text: reason.clone(),
            });
            continue;
        }
        if cancel.load(Ordering::SeqCst) {
            stopped = Some("Abgebrochen, bevor dieser Entwurf gesendet wurde.".into());
            rows.push(BatchRow {
                project_id: pid,
                project_name: name,
                state: "cancelled",
                state_display: state_display("cancelled"),
                text: stopped.clone().unwrap_or_default(),
            });
            continue;
        }
        progress(BatchProgress {
            done: i as u32,
            total,
            text: format!("Entwurf {} von {total}: {name} …", i + 1),
        });
        let (state, text) = match remembered_request(core, pid).await {
            Ok(None) => ("skipped", "Keine offenen Einträge.".to_string()),
            Err(e) => ("failed", e.to_string()),
            Ok(Some(req)) => match rechnung::create_draft(core, req, false).await {
                Ok(d) => ("created", d.message),
                Err(e @ AppError::Unclear(_)) => ("unclear", e.to_string()),
                // One draft has one Steuerart: the dialog's „Nur … abrechnen“.
                Err(AppError::Validation {
                    field: "Steuerart",
                    message,
                    ..
                }) => (
                    "mixedTax",
                    format!("{message} Bitte im Projekt mit „lexoffice Rechnung“ abrechnen."),
                ),
                Err(e) => {
                    if stops_batch(&e) {
                        stopped = Some(format!("Nicht gesendet: {e}"));
                    }
                    ("failed", e.to_string())
                }
            },
        };
        log::info!("batch: project {pid} → {state}");
        rows.push(BatchRow {
            project_id: pid,
            project_name: name,
            state,
            state_display: state_display(state),
            text,
        });
    }
    progress(BatchProgress {
        done: total,
        total,
        text: "Fertig.".into(),
    });
    Ok(BatchResult {
        summary: summary(&rows),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(state: &'static str) -> BatchRow {
        BatchRow {
            project_id: 1,
            project_name: "P".into(),
            state,
            state_display: state_display(state),
            text: String::new(),
        }
    }

    #[test]
    fn summaries() {
        assert_eq!(
            summary(&[
                row("created"),
                row("created"),
                row("unclear"),
                row("failed")
            ]),
            "2 Entwürfe erstellt, 1 unklar, 1 nicht erstellt."
        );
        assert_eq!(summary(&[row("created")]), "1 Entwurf erstellt.");
        assert_eq!(
            summary(&[row("skipped"), row("cancelled")]),
            "Kein Entwurf erstellt, 1 ohne offene Einträge, 1 abgebrochen."
        );
    }
}
