//! „Kunde löschen“ (docs/architecture.md › Rückgängig): a customer without
//! projects is deleted at once and can be brought back with „Rückgängig“
//! exactly as it was (id, lexoffice link, rate, rules, Steuerart).

use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::projekte::undo::{Snapshot, Undoable};

/// Deletes customer `id` here (never in lexoffice). A customer that still has
/// projects (archived ones included) is refused: its projects would lose their
/// customer and could not be billed. Not while a customer import runs (it could
/// write the customer back half, without its rates and rules).
pub async fn delete(core: &Core, id: u64) -> AppResult<Undoable> {
    let _no_import = core.without_import("löschen")?;
    let store = core.store.clone();
    let (customer, snapshot) = blocking(move || {
        let customer = store
            .customer(id)?
            .ok_or_else(|| AppError::NotFound("Dieser Kunde existiert nicht mehr.".into()))?;
        let theirs: Vec<_> = store
            .projects()?
            .into_iter()
            .filter(|p| p.customer_id == Some(id))
            .collect();
        if !theirs.is_empty() {
            // Subprojects carry their main project's customer: count main projects.
            let projects = theirs.iter().filter(|p| p.parent_id.is_none()).count().max(1);
            let message = if projects == 1 {
                format!(
                    "„{}“ hat noch ein Projekt und kann nicht gelöscht werden. Ordnen Sie es zuerst einem anderen Kunden zu oder löschen Sie es.",
                    customer.name
                )
            } else {
                format!(
                    "„{}“ hat noch {} und kann nicht gelöscht werden. Ordnen Sie die Projekte zuerst einem anderen Kunden zu oder löschen Sie sie.",
                    customer.name,
                    crate::de::format::count_de(projects, "Projekt", "Projekte")
                )
            };
            return Err(AppError::validation("Kunde", message));
        }
        store.delete_customer(id)?;
        let snapshot = Snapshot {
            customers: vec![customer.clone()],
            ..Default::default()
        };
        Ok((customer, snapshot))
    })
    .await?;
    let message = if customer.lexoffice_id.is_some() {
        format!(
            "Kunde „{}“ gelöscht – nur in Zeitrechnung. Der nächste lexoffice-Import legt ihn wieder an, ohne eigene Stundensätze, Regeln und Steuerart.",
            customer.name
        )
    } else {
        format!("Kunde „{}“ gelöscht", customer.name)
    };
    Ok(Undoable {
        undo: core.undo.keep(snapshot),
        message,
    })
}
