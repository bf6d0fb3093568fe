//! „Stundennachweis“: writes the PDF (and on request the CSV) of a draft to the
//! place the user chose and opens it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveRequest {
    pub record_id: u64,
    /// Where the PDF goes: the token of a path Rust chose (`suggest`, the
    /// „Durchsuchen …“ dialog).
    pub path: String,
    /// „zusätzlich als CSV“: the same name with `.csv` next to it.
    pub csv: bool,
    /// The user said „Ersetzen“ to files that exist (else they are never replaced).
    pub replace: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    pub pdf_path: String,
    pub csv_path: Option<String>,
    pub opened: bool,
    /// „Stundennachweis gespeichert: …“
    pub message: String,
}

/// `Stundennachweis Neubau Weber 2026-03.pdf`: a file name without characters
/// a file system refuses.
pub fn file_name(project: &str, period: &str) -> String {
    let clean: String = format!("Stundennachweis {project} {period}")
        .chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    format!(
        "{}.pdf",
        clean.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// The suggested file for a draft, in `dir`.
/// The suggested file for a draft, in `dir`, as a choice the window refers
/// to by token (it never names a path to write itself).
pub async fn suggest(
    core: &Core,
    record_id: u64,
    dir: Option<PathBuf>,
) -> AppResult<crate::core::PathChoice> {
    let store = core.store.clone();
    let path = blocking(move || {
        let sheet = super::sheet(&store, record_id)?;
        let name = file_name(&sheet.project, &sheet.period.replace(" – ", " bis "));
        Ok(match dir {
            Some(d) => d.join(name),
            None => PathBuf::from(name),
        })
    })
    .await?;
    Ok(core.chosen.choose(path))
}

fn pdf_path(typed: &str) -> AppResult<PathBuf> {
    let t = typed.trim();
    if t.is_empty() {
        return Err(AppError::validation(
            "Datei",
            "Bitte angeben, wohin der Stundennachweis gespeichert werden soll.",
        ));
    }
    let mut p = PathBuf::from(t);
    if !p.is_absolute() {
        return Err(AppError::validation(
            "Datei",
            "Bitte einen vollständigen Pfad angeben oder „Durchsuchen …“ wählen.",
        ));
    }
    if p.extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .as_deref()
        != Some("pdf")
    {
        let name = format!(
            "{}.pdf",
            p.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("Stundennachweis")
        );
        p.set_file_name(name);
    }
    Ok(p)
}

/// Writes `bytes` next to `path` first, then renames: a crash never leaves half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let dir = path.parent().filter(|d| d.is_dir()).ok_or_else(|| {
        AppError::validation(
            "Datei",
            "Diesen Ordner gibt es nicht. Bitte einen anderen wählen.",
        )
    })?;
    let tmp = dir.join(format!(
        ".{}.zeitrechnung-tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("datei")
    ));
    let cannot = |e: std::io::Error| {
        AppError::validation(
            "Datei",
            format!("Die Datei konnte nicht geschrieben werden ({e}). Ist sie noch in einem anderen Programm geöffnet, oder fehlt die Berechtigung für den Ordner?"),
        )
    };
    std::fs::write(&tmp, bytes).map_err(cannot)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        cannot(e)
    })
}

/// The question before an existing file is replaced (the CSV beside the PDF
/// included); None when nothing would be.
fn replace_question(pdf: &Path, csv: Option<&Path>) -> Option<AppError> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let existing: Vec<String> = std::iter::once(pdf)
        .chain(csv)
        .filter(|p| p.exists())
        .map(|p| format!("„{}“", name(p)))
        .collect();
    let message = match existing.as_slice() {
        [] => return None,
        [one] => format!("Die Datei {one} gibt es schon. Soll sie ersetzt werden?"),
        [a, b, ..] => format!("Die Dateien {a} und {b} gibt es schon. Sollen sie ersetzt werden?"),
    };
    Some(AppError::Confirm {
        field: "Datei",
        message,
    })
}

pub async fn save(core: &Core, req: SaveRequest) -> AppResult<Saved> {
    let chosen = core.chosen.path(&req.path)?;
    let pdf = pdf_path(&chosen.display().to_string())?;
    if !req.replace {
        let csv = req.csv.then(|| pdf.with_extension("csv"));
        if let Some(ask) = replace_question(&pdf, csv.as_deref()) {
            return Err(ask);
        }
    }
    let store = core.store.clone();
    let target = pdf.clone();
    let csv_wanted = req.csv;
    let csv_path = blocking(move || {
        let sheet = super::sheet(&store, req.record_id)?;
        let bytes =
            super::pdf::render(&sheet).map_err(|m| AppError::validation("Stundennachweis", m))?;
        write_whole(&target, &bytes)?;
        if !csv_wanted {
            return Ok(None);
        }
        let csv = target.with_extension("csv");
        write_whole(&csv, super::csv::render(&sheet).as_bytes())?;
        Ok(Some(csv))
    })
    .await?;
    let opened = core.open_file(&pdf).await.is_ok();
    let shown = pdf.display().to_string();
    Ok(Saved {
        message: match &csv_path {
            Some(c) => format!(
                "Stundennachweis gespeichert: {shown} (und als CSV: {})",
                c.display()
            ),
            None => format!("Stundennachweis gespeichert: {shown}"),
        },
        pdf_path: shown,
        csv_path: csv_path.map(|c| c.display().to_string()),
        opened,
    })
}
