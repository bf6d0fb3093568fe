//! Saving a project (new or changed) and its status.

use super::*;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectInput {
    pub id: Option<u64>,
    pub name: String,
    pub number: String,
    pub customer_id: Option<u64>,
    pub parent_id: Option<u64>,
    /// As typed; empty = inherit.
    pub hourly_rate: String,
    pub status: String,
    /// „Steuerart“ (`TaxCase::key`): "" = the customer's; None = unchanged.
    pub tax_case: Option<String>,
    /// The project's version when the form was opened (`model::version_of`).
    pub version: Option<String>,
}

pub async fn save(core: &Core, input: ProjectInput) -> AppResult<ProjectDetail> {
    let name = clean("Name", &input.name, 200)?;
    if name.is_empty() {
        return Err(AppError::validation(
            "Name",
            "Bitte einen Projektnamen eingeben.",
        ));
    }
    let number = clean("Projektnummer", &input.number, 40)?;
    let rate =
        crate::money::parse_optional_rate(&input.hourly_rate).map_err(|e| e.at("hourlyRate"))?;
    let status = parse_status(&input.status)?;
    // Some(None) = the customer's Steuerart, None = leave as it is.
    let tax_case: Option<Option<TaxCase>> = match input.tax_case.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(k) => Some(Some(TaxCase::from_key(k).ok_or_else(|| {
            AppError::validation("Steuerart", "Bitte eine Steuerart aus der Liste wählen.")
        })?)),
    };
    let store = core.store.clone();
    blocking(move || {
        let all = store.projects()?;
        let existing = match input.id {
            Some(id) => Some(all.iter().find(|p| p.id == id).cloned().ok_or_else(|| {
                AppError::NotFound("Dieses Projekt existiert nicht mehr.".into())
            })?),
            None => None,
        };
        if let Some(e) = &existing {
            if !crate::model::still_version(e.updated_at, input.version.as_deref())? {
                return Err(crate::model::changed_meanwhile(
                    &format!("Das Projekt „{}“", e.name),
                    store.is_server(),
                ));
            }
        }
        let parent = match input.parent_id {
            Some(pid) => {
                let p = all.iter().find(|p| p.id == pid).cloned().ok_or_else(|| {
                    AppError::validation("Hauptprojekt", "Das Hauptprojekt existiert nicht mehr.")
                })?;
                if p.parent_id.is_some() {
                    return Err(AppError::validation(
                        "Hauptprojekt",
                        "Unterprojekte können keine eigenen Unterprojekte haben.",
                    ));
                }
                if Some(pid) == input.id {
                    return Err(AppError::validation(
                        "Hauptprojekt",
                        "Ein Projekt kann nicht sein eigenes Unterprojekt sein.",
                    ));
                }
                if let Some(id) = input.id {
                    if all.iter().any(|q| q.parent_id == Some(id)) {
                        return Err(AppError::validation(
                            "Hauptprojekt",
                            "Ein Projekt mit Unterprojekten kann nicht selbst Unterprojekt werden.",
                        ));
                    }
                }
                Some(p)
            }
            None => None,
        };
        // Subprojects inherit the customer.
        let customer_id = match &parent {
            Some(p) => p.customer_id,
            None => input.customer_id,
        };
        if let Some(cid) = customer_id {
            if store.customer(cid)?.is_none() {
                return Err(AppError::validation(
                    "Kunde",
                    "Dieser Kunde existiert nicht mehr.",
                ));
            }
        }
        if !number.is_empty() {
            if let Some(other) = all
                .iter()
                .find(|p| p.number == number && Some(p.id) != input.id)
            {
                return Err(AppError::validation(
                    "Projektnummer",
                    format!(
                        "Die Projektnummer {number} ist bereits an „{}“ vergeben.",
                        other.name
                    ),
                ));
            }
        }
        let now = crate::de::clock::now();
        let project = Project {
            id: match &existing {
                Some(e) => e.id,
                None => store.next_id()?,
            },
            name,
            number,
            customer_id,
            parent_id: parent.as_ref().map(|p| p.id),
            hourly_rate: rate,
            rules: existing
                .as_ref()
                .map(|e| e.rules.clone())
                .unwrap_or_default(),
            tax_case: match tax_case {
                Some(t) => t,
                None => existing.as_ref().and_then(|e| e.tax_case),
            },
            status,
            created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
            updated_at: now,
        };
        // Written only over the state read above.
        match &existing {
            Some(e) => store.save_project_unchanged_since(&project, e.updated_at)?,
            None => store.put_project(&project)?,
        }
        // A changed customer moves to the subprojects as well.
        if existing.is_some() && project.parent_id.is_none() {
            for mut sub in all.into_iter().filter(|p| p.parent_id == Some(project.id)) {
                if sub.customer_id != project.customer_id {
                    sub.customer_id = project.customer_id;
                    sub.updated_at = now;
                    store.put_project(&sub)?;
                }
            }
        }
        detail_blocking(&store, project.id)
    })
    .await
}

/// „Wieder öffnen“ and the like: only the status changes (aktiv, abgeschlossen,
/// archiviert), everything else of the project stays as it is.
pub async fn set_status(core: &Core, id: u64, status: &str) -> AppResult<ProjectDetail> {
    let status = parse_status(status)?;
    let store = core.store.clone();
    blocking(move || {
        let project = store
            .project(id)?
            .ok_or_else(|| AppError::NotFound("Dieses Projekt existiert nicht mehr.".into()))?;
        if project.status != status {
            store.update_project(id, |p| {
                p.status = status;
                Ok(())
            })?;
        }
        detail_blocking(&store, id)
    })
    .await
}
