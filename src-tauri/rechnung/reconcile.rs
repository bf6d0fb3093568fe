//! Finding out what became of a POST whose answer was lost (by lexoffice's clock).
use super::*;

pub(super) fn same_amount(n: &Option<serde_json::Number>, gross: &str) -> bool {
    match (n, Decimal::from_str(gross)) {
        (Some(n), Ok(g)) => Decimal::from_str(&n.to_string())
            .map(|d| d.normalize() == g.normalize())
            .unwrap_or(false),
        _ => false,
    }
}

pub(super) fn lexoffice_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.3f%:z").ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Was this voucher-list row created after the attempt began — by lexoffice's
/// own clock (`createdDate` against the `Date` header seen before the POST), so
/// a wrong PC clock neither hides our draft nor adopts an older invoice? Records
/// from before lexoffice's start time was kept fall back to the PC's time with a
/// wide margin. None: the row has no readable `createdDate`.
pub(super) fn created_after_start(item: &VoucherItem, rec: &InvoiceRecord) -> Option<bool> {
    let created = lexoffice_time(item.created_date.as_deref())?;
    Some(match rec.started_server_at {
        Some(start) => created >= start,
        None => created >= rec.created_at - Duration::hours(12),
    })
}

/// Is this row (of the attempt's contact, created after its start) the draft
/// the attempt sent? Voucher date and gross amount as sent.
pub(super) fn is_our_draft(item: &VoucherItem, rec: &InvoiceRecord) -> bool {
    let sent_day = rec.request["voucherDate"]
        .as_str()
        .map(|s| &s[..s.len().min(10)]);
    let day_ok = match (item.voucher_date.as_deref(), sent_day) {
        (Some(d), Some(sent)) => d.get(..10) == Some(sent),
        _ => false,
    };
    day_ok && same_amount(&item.total_amount, &rec.gross)
}

/// Clears up a Pending/Unclear attempt against lexoffice's voucher list.
/// An attempt whose POST another seat is sending right now is left alone.
pub async fn reconcile_record(core: &Core, id: u64) -> AppResult<RecordView> {
    let _guard = core.invoice_lock.lock().await;
    let _hold = crate::core::hold(core, Hold::Attempt(id), attempt_in_flight).await?;
    let rec = reconcile_inner(core, id).await?;
    view_of(core, &rec).await
}

/// The attempt as it stands after the look (settled, released or still unclear).
pub(super) async fn reconcile_inner(core: &Core, id: u64) -> AppResult<InvoiceRecord> {
    let mut rec = record(core, id).await?;
    if !matches!(
        rec.state,
        InvoiceState::Pending | InvoiceState::Unclear { .. }
    ) {
        return Ok(rec);
    }
    same_organisation(core, &rec).await?;
    let key = load_key(core).await?;
    let client = core.client()?;
    let store = core.store.clone();
    let known: HashSet<String> = blocking(move || {
        Ok(store
            .invoice_records()?
            .into_iter()
            .filter_map(|r| r.lexoffice_id)
            .collect())
    })
    .await?;
    let from = rec
        .started_server_at
        .unwrap_or(rec.created_at)
        .with_timezone(&Berlin)
        .date_naive()
        - Duration::days(1);
    // Every invoice of that contact created since the attempt, whatever its status
    // (the user may have finalised or edited the draft meanwhile).
    let mut exact = Vec::new();
    let mut others = 0usize;
    let mut page = 0;
    loop {
        let p = client
            .invoices_created_since(&key, &rec.contact_id, from, page)
            .await?;
        for item in &p.content {
            if known.contains(&item.id)
                || item.contact_id.as_deref() != Some(rec.contact_id.as_str())
            {
                continue;
            }
            match created_after_start(item, &rec) {
                Some(true) if is_our_draft(item, &rec) => exact.push(item.id.clone()),
                // Another invoice since the attempt, or one whose time is unknown:
                // ask the user rather than release.
                Some(true) | None => others += 1,
                Some(false) => {}
            }
        }
        if p.last || p.content.is_empty() || page >= 20 {
            break;
        }
        page += 1;
    }
    // An empty voucher list may lag behind a create: entries are released only
    // after two empty looks at least `reconcile_grace` apart by lexoffice's clock.
    let looked_at = client.server_now().unwrap_or_else(Utc::now);
    let settled_empty = exact.is_empty() && others == 0 && {
        rec.empty_looks.push(looked_at);
        rec.empty_looks.len() >= 2 && looked_at - rec.empty_looks[0] >= core.reconcile_grace
    };
    let unclear = |reason: String| InvoiceState::Unclear { reason };
    match (exact.len(), others) {
        (1, _) => {
            let id = exact.remove(0);
            log::info!("invoice attempt {} reconciled: draft found", rec.id);
            settle(core, &mut rec, id).await?;
        }
        (0, 0) if settled_empty => {
            log::info!("invoice attempt {} reconciled: no draft, released", rec.id);
            release_entries(
                core,
                &mut rec,
                "Kein Entwurf in lexoffice angelegt; Einträge wieder offen.".into(),
            )
            .await?;
        }
        (0, 0) => {
            rec.state = unclear("Noch kein passender Entwurf in lexoffice gefunden. lexoffice braucht manchmal einen Moment: Bitte in ein bis zwei Minuten „Erneut prüfen“ wählen.".into());
            store_record(core, &rec).await?;
        }
        (0, n) => {
            rec.state = unclear(format!("In lexoffice gibt es seit dem Versuch {n} neue Rechnung(en) für diesen Kunden, aber keine mit dem erwarteten Betrag. Bitte in lexoffice prüfen: Wurde der Entwurf geändert, bitte ihn löschen und dann erneut prüfen."));
            store_record(core, &rec).await?;
        }
        (n, _) => {
            rec.state = unclear(format!("{n} passende Entwürfe in lexoffice gefunden. Bitte in lexoffice prüfen, überzählige löschen und dann erneut prüfen."));
            store_record(core, &rec).await?;
        }
    }
    Ok(rec)
}

/// Saves a still-unclear attempt, unless it was settled meanwhile.
pub(super) async fn store_record(core: &Core, rec: &InvoiceRecord) -> AppResult<()> {
    let store = core.store.clone();
    let r = rec.clone();
    blocking(move || {
        if unsettled(store.invoice_record(r.id)?.as_ref()) {
            store.put_invoice_record(&r)?;
        }
        Ok(())
    })
    .await
}

/// At start-up: every attempt a crash or error left open.
pub async fn reconcile_all(core: &Core) {
    let store = core.store.clone();
    let open: Vec<u64> = match blocking(move || store.invoice_records()).await {
        Ok(r) => r
            .into_iter()
            .filter(|r| {
                matches!(
                    r.state,
                    InvoiceState::Pending | InvoiceState::Unclear { .. }
                )
            })
            .map(|r| r.id)
            .collect(),
        Err(_) => return,
    };
    for id in open {
        if let Err(e) = reconcile_record(core, id).await {
            log::warn!("reconciling invoice attempt {id} failed: {e}");
        }
    }
}
