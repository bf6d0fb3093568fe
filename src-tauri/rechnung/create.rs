//! Sending a draft: reserve, one POST, settle or release (docs/architecture.md › The path of an invoice).
use super::*;
use crate::storage::journal::{Line, Outcome};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedDraft {
    pub record_id: u64,
    pub invoice_id: String,
    pub url: String,
    pub message: String,
    pub browser_opened: bool,
}

/// Explains lexoffice's 406 details in terms of the preview's positions.
pub(super) fn explain_rejection(e: &LexofficeError, request: &serde_json::Value) -> String {
    let LexofficeError::Status { status: 406, body } = e else {
        return e.to_string();
    };
    let mut parts = Vec::new();
    for d in body.details().iter().take(5) {
        let field = d.field.clone().unwrap_or_default();
        let msg = d.message.clone().or(d.code.clone()).unwrap_or_default();
        let text = if let Some(rest) = field.strip_prefix("lineItems[") {
            let (idx, tail) = rest.split_once(']').unwrap_or((rest, ""));
            let pos = idx.parse::<usize>().map(|i| i + 1).unwrap_or(0);
            let name = idx
                .parse::<usize>()
                .ok()
                .and_then(|i| request["lineItems"][i]["name"].as_str())
                .unwrap_or("");
            let what = match tail.trim_start_matches('.') {
                "quantity" => "Menge",
                "unitPrice.netAmount" | "unitPrice.grossAmount" => "Einzelpreis",
                "unitPrice.taxRatePercentage" => "Steuersatz",
                "name" => "Bezeichnung",
                "description" => "Beschreibung",
                "unitName" => "Einheit",
                other => other,
            };
            format!("Position {pos} „{name}“, {what}: {msg}")
        } else {
            let what = match field.as_str() {
                "title" => "Titel",
                "introduction" => "Einleitung",
                "remark" => "Schlussbemerkung",
                "voucherDate" => "Rechnungsdatum",
                f if f.starts_with("address") => "Kunde/Adresse",
                f if f.starts_with("shippingConditions") => "Leistungszeitraum",
                f if f.starts_with("taxConditions") => "Besteuerung",
                f => f,
            };
            format!("{what}: {msg}")
        };
        parts.push(text);
    }
    if parts.is_empty() {
        format!("{e} Nichts wurde abgerechnet.")
    } else {
        format!(
            "lexoffice hat den Entwurf abgelehnt – {}. Nichts wurde abgerechnet.",
            parts.join("; ")
        )
    }
}

/// „Erstellen“ in the dialog: the draft, then its page in lexoffice.
pub async fn create(core: &Core, req: InvoiceRequest) -> AppResult<CreatedDraft> {
    create_draft(core, req, true).await
}

/// One draft, reserved, sent once and settled; `open_browser`: show it in
/// lexoffice afterwards (not in „Entwürfe erstellen“).
pub async fn create_draft(
    core: &Core,
    req: InvoiceRequest,
    open_browser: bool,
) -> AppResult<CreatedDraft> {
    // The status sync holds the lock for a moment per draft: wait for that,
    // not for another creation or a backup.
    let _guard = tokio::time::timeout(std::time::Duration::from_secs(3), core.invoice_lock.lock())
        .await
        .map_err(|_| {
            AppError::Busy("Es wird gerade ein Rechnungsentwurf erstellt oder eine Sicherung geschrieben. Bitte einen Moment warten.".into())
        })?;
    // Never beside a restore at another seat.
    let _no_restore = crate::core::no_restore(core, "es wurde nichts gesendet").await?;
    let parsed = parse_request(&req)?;
    let key = load_key(core).await?;
    let client = core.client()?;
    // The profile is read again before every POST (the cache is for display only):
    // a Kleinunternehmer or tax-exempt organisation gets `vatfree` drafts, and a
    // change since the preview stops the send, so the user sees it first.
    let fresh = client.profile(&key).await?;
    // lexoffice's clock when the attempt begins (its Date header has whole seconds).
    let started_server_at = client.server_now().map(|t| t - Duration::seconds(2));
    let store = core.store.clone();
    let changed = blocking(move || {
        // A key of another lexoffice firm than the office's data: no draft.
        crate::schnittstellen::same_firm(&store, &fresh)?;
        let before = store.settings()?.profile;
        let connected_at = before
            .as_ref()
            .map(|p| p.connected_at)
            .unwrap_or_else(Utc::now);
        let now = crate::schnittstellen::cache_from(&fresh, connected_at);
        let changed = before
            .as_ref()
            .is_some_and(|b| b.vatfree() != now.vatfree());
        store.update_settings(|s| s.profile = Some(now.clone()))?;
        Ok(changed.then(|| now.tax_words()))
    })
    .await?;
    if let Some(words) = changed {
        return Err(AppError::validation(
            "Rechnung",
            format!("Die Besteuerung in lexoffice hat sich geändert: jetzt {words}. Die Vorschau ist angepasst – bitte prüfen und dann erneut „Erstellen“ wählen. Nichts wurde gesendet."),
        ));
    }
    let store = core.store.clone();
    let list_subprojects = req.list_subprojects;
    let project_id = req.project_id;
    let confirmed = req.confirmed.clone();
    let previewed = confirmed
        .as_deref()
        .and_then(|t| core.feature::<super::Previewed>().ids(t));
    // 1–2: plan, then record + reservation in one transaction.
    let (record, _hold) = blocking(move || {
        // On the office's server: entries of the confirmed preview another
        // seat has taken since are named as such.
        if let (true, Some(ids)) = (store.is_server(), &previewed) {
            if let Some(why) = super::previewed::taken_elsewhere(&store, ids)? {
                return Err(AppError::validation("Rechnung", why));
            }
        }
        let ctx = context(&store, project_id, Some((parsed.from, parsed.to)))?;
        let (preview, plan) = plan(&ctx, &parsed, list_subprojects, true);
        let Some(plan) = plan else {
            // Steuerarten mixed: „Entwürfe erstellen“ skips the project for it.
            if preview.problem_field == Some("Steuerart") {
                if let Some(mixed) = preview
                    .problems
                    .iter()
                    .find(|p| p.contains("Steuerarten mischen"))
                {
                    return Err(AppError::validation("Steuerart", mixed.clone()));
                }
            }
            return Err(AppError::validation(
                "Rechnung",
                preview
                    .problems
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "Nichts abzurechnen.".into()),
            ));
        };
        // The draft is the preview the user confirmed: if anything changed
        // since (an entry edited, freed or locked by the sync, a rate saved),
        // nothing is sent and the dialog shows the new preview.
        if let Some(confirmed) = confirmed.as_deref() {
            if confirmed != confirm_token(&ctx, &plan) {
                return Err(AppError::validation(
                    "Rechnung",
                    format!(
                        "Seit der Vorschau hat sich etwas geändert (ein Eintrag, ein Stundensatz oder der Stand in lexoffice){}. Nichts wurde gesendet – bitte die neue Vorschau prüfen und dann erneut „Erstellen“ wählen.",
                        match &preview.totals {
                            Some(t) => format!("; der Entwurf hätte jetzt {} brutto", t.gross_display),
                            None => String::new(),
                        }
                    ),
                ));
            }
        }
        // „Für diesen Kunden merken“: the style of this draft becomes the customer's.
        if parsed.remember {
            if let Some(c) = &ctx.customer {
                let style = parsed.style(&ctx.style);
                store.update_customer(c.id, |c| {
                    c.invoice_style = Some(style.clone());
                    Ok(())
                })?;
            }
        }
        let now = crate::de::clock::now();
        let organization_id = store.settings()?.profile.map(|p| p.organization_id);
        let record = InvoiceRecord {
            id: store.next_id()?,
            project_id,
            contact_id: plan.request["address"]["contactId"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            lexoffice_id: None,
            state: InvoiceState::Pending,
            period_from: parsed.from,
            period_to: parsed.to,
            hourly_rate: parsed
                .overrides
                .all
                .map(|r| r.to_string())
                .unwrap_or_default(),
            list_subprojects,
            layout: parsed.style(&ctx.style).layout,
            net: plan.totals.net.to_string(),
            gross: plan.totals.gross.to_string(),
            entry_ids: plan.entry_ids.clone(),
            goodwill_entry_ids: plan.goodwill_entry_ids.clone(),
            billed_minutes: plan.billed_by_entry.clone(),
            request: plan.request.clone(),
            organization_id,
            outcome_unknown_since: None,
            started_server_at,
            empty_looks: Vec::new(),
            missing_looks: Vec::new(),
            vatfree: Some(ctx.vatfree),
            lexoffice_status: None,
            voucher_number: None,
            seen: Default::default(),
            created_at: now,
            updated_at: now,
        };
        // Held before the reservation commits, until the attempt is settled,
        // released or stored as unclear: no other seat's look releases it
        // while the POST is on its way.
        let hold = store
            .try_hold(Hold::Attempt(record.id))?
            .ok_or_else(|| AppError::Busy(attempt_in_flight("an einem anderen Arbeitsplatz")))?;
        store.reserve_entries(&record)?;
        Ok((record, hold))
    })
    .await?;
    log::info!(
        "invoice attempt {} for project {}: {} entries reserved",
        record.id,
        project_id,
        record.entry_ids.len()
    );
    crate::failpoint::hit("invoice.after_reserve");

    // 3: the intent on disk outside the database (a power cut that loses the
    // database's last writes must not lose a draft), then exactly one POST.
    let intent = Line::InvoiceAttempt {
        at: crate::de::clock::now(),
        record: Box::new(record.clone()),
    };
    if let Err(e) = core.journal(intent).await {
        let mut rec = record;
        release_entries(
            core,
            &mut rec,
            "nicht gesendet: Journal nicht beschreibbar".into(),
        )
        .await?;
        return Err(e);
    }
    let result = client.create_invoice(&key, &record.request).await;
    drop(key);
    let outcome = match &result {
        Ok(created) => Outcome::Done {
            lexoffice_id: created.id.clone(),
            version: created.version,
        },
        Err(e) if !e.outcome_unknown() => Outcome::Refused,
        Err(_) => Outcome::Unknown,
    };
    let told = Line::InvoiceOutcome {
        at: crate::de::clock::now(),
        record_id: record.id,
        outcome,
    };
    if let Err(e) = core.journal(told).await {
        log::warn!("invoice attempt {}: outcome not journaled: {e}", record.id);
    }
    match result {
        Ok(created) => {
            crate::failpoint::hit("invoice.after_post");
            let mut rec = record;
            if let Err(e) = settle(core, &mut rec, created.id.clone()).await {
                return Err(settle_later(core, rec, e));
            }
            crate::failpoint::hit("invoice.after_settle");
            let url = core.urls()?.invoice_edit(&created.id);
            let browser_opened =
                open_browser && core.open_lexoffice_page(url.clone()).await.is_ok();
            Ok(CreatedDraft {
                record_id: rec.id,
                invoice_id: created.id,
                url,
                message: "Entwurf in lexoffice erstellt".into(),
                browser_opened,
            })
        }
        Err(e) if !e.outcome_unknown() => {
            let reason = explain_rejection(&e, &record.request);
            let mut rec = record;
            release_entries(core, &mut rec, format!("abgelehnt: {reason}")).await?;
            log::warn!("invoice attempt {} rejected: {e:?}", rec.id);
            Err(match e.status() {
                Some(406) | Some(400) => AppError::validation("Rechnung", reason),
                _ => AppError::from(e),
            })
        }
        Err(e) => {
            log::warn!("invoice attempt {} outcome unknown: {e:?}", record.id);
            let mut rec = record;
            rec.state = InvoiceState::Unclear {
                reason: e.to_string(),
            };
            rec.updated_at = crate::de::clock::now();
            rec.outcome_unknown_since = Some(rec.updated_at);
            let s = core.store.clone();
            let r2 = rec.clone();
            blocking(move || s.put_invoice_record(&r2)).await?;
            // Try to clear it up right away; a draft may exist despite the error.
            match reconcile_inner(core, rec.id).await {
                Ok(InvoiceRecord {
                    state: InvoiceState::Created,
                    lexoffice_id: Some(id),
                    ..
                }) => {
                    let url = core.urls()?.invoice_edit(&id);
                    let browser_opened =
                        open_browser && core.open_lexoffice_page(url.clone()).await.is_ok();
                    Ok(CreatedDraft {
                        record_id: rec.id,
                        invoice_id: id,
                        url,
                        message: "Entwurf in lexoffice erstellt (nach Rückfrage bei lexoffice bestätigt)".into(),
                        browser_opened,
                    })
                }
                Ok(InvoiceRecord {
                    state: InvoiceState::Released { .. },
                    ..
                }) => Err(AppError::from(e)),
                _ => Err(AppError::Unclear(format!(
                    "{e} Ob der Entwurf trotzdem angelegt wurde, ist noch unklar. Die Einträge bleiben gesperrt, bis das geklärt ist – bitte in der Rechnungshistorie „Erneut prüfen“ wählen. Bitte nicht einfach erneut erstellen."
                ))),
            }
        }
    }
}

/// lexoffice made the draft, but the database server was away when it was
/// to be noted: noted as soon as the server answers again (every 2 s, for up
/// to an hour; the start-up reconciliation or another seat's would find it
/// too). The user hears that the draft exists and must not be made again.
fn settle_later(core: &Core, rec: InvoiceRecord, e: AppError) -> AppError {
    if e.kind() != "database" {
        return e;
    }
    let store = core.store.clone();
    log::warn!(
        "invoice attempt {}: draft made, not yet noted ({e}); noting it when the database is back",
        rec.id
    );
    tokio::spawn(async move {
        for _ in 0..1800 {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            let (s, r) = (store.clone(), rec.clone());
            match blocking(move || s.settle_attempt(&r)).await {
                Ok(()) => {
                    log::info!("invoice attempt {}: draft noted after the outage", rec.id);
                    return;
                }
                Err(e) if e.kind() == "database" => continue,
                Err(e) => {
                    log::warn!("invoice attempt {}: noting the draft: {e}", rec.id);
                    return;
                }
            }
        }
    });
    AppError::Unclear(
        "Der Entwurf wurde in lexoffice erstellt, konnte aber noch nicht in Zeitrechnung vermerkt werden, weil die Datenbank gerade nicht erreichbar ist. Zeitrechnung trägt ihn nach, sobald die Verbindung wieder steht. Bitte nicht erneut erstellen.".into(),
    )
}

pub(super) async fn settle(
    core: &Core,
    rec: &mut InvoiceRecord,
    lexoffice_id: String,
) -> AppResult<()> {
    rec.lexoffice_id = Some(lexoffice_id);
    rec.state = InvoiceState::Created;
    rec.lexoffice_status.get_or_insert_with(|| "draft".into());
    rec.updated_at = crate::de::clock::now();
    let store = core.store.clone();
    let r = rec.clone();
    blocking(move || store.settle_attempt(&r)).await
}

pub(super) async fn release_entries(
    core: &Core,
    rec: &mut InvoiceRecord,
    reason: String,
) -> AppResult<()> {
    let previous = rec.state.clone();
    rec.state = InvoiceState::Released { reason };
    rec.updated_at = crate::de::clock::now();
    let store = core.store.clone();
    let r = rec.clone();
    blocking(move || store.release_attempt(&r, &previous)).await
}
