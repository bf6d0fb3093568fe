//! The history of a project's drafts, lexoffice's later changes to them, „Abrechnung zurücknehmen“.
use super::*;

/// The drafts of a project and of its subprojects, newest first.
pub async fn history(core: &Core, project_id: u64) -> AppResult<Vec<RecordView>> {
    let store = core.store.clone();
    blocking(move || history_views(&store, project_id)).await
}

pub(super) fn history_views(store: &Store, project_id: u64) -> AppResult<Vec<RecordView>> {
    let (project, subs) = projekte::family(store, project_id)?;
    let names: HashMap<u64, String> = std::iter::once(&project)
        .chain(subs.iter())
        .map(|p| (p.id, p.name.clone()))
        .collect();
    let mut recs: Vec<InvoiceRecord> = store
        .invoice_records()?
        .into_iter()
        .filter(|r| names.contains_key(&r.project_id))
        .collect();
    recs.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    Ok(recs
        .iter()
        .map(|r| {
            record_view(
                r,
                names.get(&r.project_id).map(String::as_str).unwrap_or(""),
            )
        })
        .collect())
}

pub(super) async fn view_of(core: &Core, rec: &InvoiceRecord) -> AppResult<RecordView> {
    let store = core.store.clone();
    let pid = rec.project_id;
    let name =
        blocking(move || Ok(store.project(pid)?.map(|p| p.name).unwrap_or_default())).await?;
    Ok(record_view(rec, &name))
}

/// When the history opens: the status sync (`sync`), then the history. A
/// deleted draft frees its entries („Entwurf in lexoffice gelöscht – Einträge
/// wieder offen“); a finalised one keeps them frozen and shows its number; a
/// voided one offers „Abrechnung zurücknehmen“.
pub async fn sync_history(core: &Core, project_id: u64) -> AppResult<Vec<RecordView>> {
    sync(core, &|_| {}).await?;
    history(core, project_id).await
}

pub(super) async fn record(core: &Core, id: u64) -> AppResult<InvoiceRecord> {
    let store = core.store.clone();
    blocking(move || store.invoice_record(id))
        .await?
        .ok_or_else(|| AppError::NotFound("Dieser Rechnungsversuch existiert nicht mehr.".into()))
}

/// Abrechnung freigeben: only when the draft is gone from lexoffice.
/// The record must belong to the lexoffice organisation the current key is for.
pub(super) async fn same_organisation(core: &Core, rec: &InvoiceRecord) -> AppResult<()> {
    let store = core.store.clone();
    let current = blocking(move || Ok(store.settings()?.profile)).await?;
    match (&rec.organization_id, current) {
        (Some(theirs), Some(now)) if *theirs != now.organization_id => Err(AppError::validation(
            "Rechnung",
            format!(
                "Dieser Entwurf wurde an eine andere lexoffice-Firma geschickt, nicht an „{}“. Bitte mit dem passenden API-Key verbinden.",
                now.company_name
            ),
        )),
        _ => Ok(()),
    }
}

/// „Abrechnung zurücknehmen“: the entries are open again only when lexoffice
/// confirms the draft is gone (404) or the invoice was voided (storniert). A
/// draft that still exists must be deleted in lexoffice first; a finalised
/// invoice (offen, überfällig, bezahlt) keeps its entries frozen.
pub async fn release(core: &Core, id: u64) -> AppResult<RecordView> {
    let _guard = core.invoice_lock.lock().await;
    let mut rec = record(core, id).await?;
    let Some(lex_id) = rec
        .lexoffice_id
        .clone()
        .filter(|_| rec.state == InvoiceState::Created)
    else {
        return Err(AppError::validation(
            "Rechnung",
            "Nur Abrechnungen mit einem Entwurf in lexoffice können zurückgenommen werden.",
        ));
    };
    same_organisation(core, &rec).await?;
    let key = load_key(core).await?;
    match core.client()?.invoice(&key, &lex_id).await {
        Err(e) if e.status() == Some(404) => {
            let now = core.client()?.server_now().unwrap_or_else(Utc::now);
            if super::missing::missing_in_lexoffice(core, &mut rec, now).await? {
                view_of(core, &rec).await
            } else {
                Err(AppError::validation(
                    "Rechnung",
                    "lexoffice findet den Entwurf gerade nicht. Kurz nach dem Erstellen kommt das vor: Als gelöscht gilt er erst, wenn lexoffice ihn zweimal im Abstand von mindestens 2 Minuten nicht findet, frühestens 10 Minuten nach dem Erstellen. Bitte in ein paar Minuten erneut „Abrechnung zurücknehmen“ wählen.",
                ))
            }
        }
        Err(e) => Err(AppError::from(e)),
        Ok(info)
            if !rec.missing_looks.is_empty()
                && matches!(info.voucher_status.as_deref(), Some("draft") | None) =>
        {
            // Found: earlier 404s were lexoffice's lag.
            rec.missing_looks.clear();
            super::sync::tracker(core).forget_missing(rec.id);
            let store = core.store.clone();
            let r = rec.clone();
            blocking(move || store.put_invoice_record(&r)).await?;
            Err(AppError::validation(
                "Rechnung",
                "Der Entwurf existiert in lexoffice noch. Bitte ihn zuerst in lexoffice löschen und dann „Abrechnung zurücknehmen“ erneut wählen.",
            ))
        }
        Ok(info) => match info.voucher_status.as_deref() {
            Some("voided") => {
                rec.lexoffice_status = Some("voided".into());
                rec.voucher_number = info.voucher_number.clone();
                let number = info.voucher_number.map(|n| format!(" {n}")).unwrap_or_default();
                release_entries(core, &mut rec, format!("Rechnung{number} in lexoffice storniert – Einträge wieder offen.")).await?;
                view_of(core, &rec).await
            }
            Some("draft") | None => Err(AppError::validation(
                "Rechnung",
                "Der Entwurf existiert in lexoffice noch. Bitte ihn zuerst in lexoffice löschen und dann „Abrechnung zurücknehmen“ erneut wählen.",
            )),
            Some(other) => Err(AppError::validation(
                "Rechnung",
                format!(
                    "Die Rechnung{} ist in lexoffice festgeschrieben (Status „{}“), die Einträge bleiben abgerechnet. Zurücknehmen geht erst, wenn sie in lexoffice storniert ist.",
                    info.voucher_number.map(|n| format!(" {n}")).unwrap_or_default(),
                    status_de(other).0
                ),
            )),
        },
    }
}

/// lexoffice answered 404 for the draft: it was deleted there, the entries are open again.
pub(super) async fn deleted_in_lexoffice(core: &Core, rec: &mut InvoiceRecord) -> AppResult<()> {
    log::info!(
        "invoice record {}: draft deleted in lexoffice, entries released",
        rec.id
    );
    rec.lexoffice_status = Some("deleted".into());
    rec.seen.open_amount = None;
    release_entries(
        core,
        rec,
        "Entwurf in lexoffice gelöscht – Einträge wieder offen.".into(),
    )
    .await
}

pub async fn open_draft(core: &Core, id: u64) -> AppResult<()> {
    let rec = record(core, id).await?;
    let lex = rec.lexoffice_id.ok_or_else(|| {
        AppError::validation("Rechnung", "Zu diesem Versuch gibt es keinen Entwurf.")
    })?;
    let url = core.urls()?.invoice_edit(&lex);
    core.open_lexoffice_page(url).await
}
