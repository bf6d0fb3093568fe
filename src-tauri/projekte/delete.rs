//! Deleting a project: asked first when it has entries; „Rückgängig“ puts it back.

use super::*;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DeleteCheck {
    pub entries: u64,
    pub subprojects: u64,
    pub billed: bool,
    /// One German sentence for the confirmation.
    pub question: String,
}

/// The answer of „Löschen“ for a project: the question first (when it has
/// entries or subprojects), then the deletion with its „Rückgängig“.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectDeletion {
    pub check: Option<DeleteCheck>,
    pub deleted: Option<undo::Undoable>,
}

/// What deleting would remove; a project with billed entries can only be archived.
pub async fn delete(core: &Core, id: u64, confirmed: bool) -> AppResult<ProjectDeletion> {
    let store = core.store.clone();
    let outcome = blocking(move || {
        let (project, subs) = family(&store, id)?;
        let mut entries = store.entries_of(project.id)?;
        for s in &subs {
            entries.extend(store.entries_of(s.id)?);
        }
        if entries.iter().any(Entry::is_locked) {
            return Err(AppError::validation(
                "Projekt",
                "Dieses Projekt hat abgerechnete Einträge und kann nur archiviert, nicht gelöscht werden.",
            ));
        }
        let check = DeleteCheck {
            entries: entries.len() as u64,
            subprojects: subs.len() as u64,
            billed: false,
            question: format!(
                "„{}“ mit {} und {} endgültig löschen?",
                project.name,
                crate::de::format::count_de(subs.len(), "Unterprojekt", "Unterprojekten"),
                crate::de::format::count_de(entries.len(), "Eintrag", "Einträgen")
            ),
        };
        if (check.entries > 0 || check.subprojects > 0) && !confirmed {
            return Ok(Err(check));
        }
        let ids: Vec<u64> = entries.iter().map(|e| e.id).collect();
        store.delete_entries(&ids)?;
        for s in &subs {
            store.delete_project_record(s.id)?;
        }
        store.delete_project_record(project.id)?;
        let name = project.name.clone();
        let mut projects = subs;
        projects.push(project);
        Ok(Ok((name, undo::Snapshot {
            projects,
            entries,
            ..Default::default()
        })))
    })
    .await?;
    Ok(match outcome {
        Err(check) => ProjectDeletion {
            check: Some(check),
            deleted: None,
        },
        Ok((name, snapshot)) => ProjectDeletion {
            check: None,
            deleted: Some(undo::Undoable {
                undo: core.undo.keep(snapshot),
                message: format!("Projekt „{name}“ gelöscht"),
            }),
        },
    })
}

// ---------------------------------------------------------------- entries
