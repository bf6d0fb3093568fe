//! lexoffice Rechnung: from a project's open times and services to one lexoffice
//! draft — previewed with lexoffice's own rounding, sent once, never billed twice.
//!
//! Sending (`create`):
//! 1. the plan is computed (`billing::build`) from the open, billable entries of
//!    the project and its subprojects in the period;
//! 2. an attempt record is written and the entries are reserved for it, in one
//!    transaction, flushed;
//! 3. one `POST /v1/invoices`;
//! 4. 2xx → entries billed with the draft's id (one transaction), deeplink opened;
//!    a definite rejection (4xx) → entries released, the reason shown;
//!    timeout, connection loss, 5xx or 504 → the POST is NOT repeated: the
//!    attempt stays "unklar" and is reconciled against lexoffice's voucher list
//!    (a draft for that contact, created since the attempt, with the same gross
//!    total): found → billed; certainly absent → released; otherwise the user
//!    is asked to check.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::billing::{
    self, BillingInput, BillingProblem, Group, PreviewLine, ServiceItem, TimeItem, Totals,
};
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::lexoffice::{LexofficeError, VoucherItem};
use crate::money::format_de;
use crate::projekte::{self, format_minutes, parse};
use crate::secrets::ApiKey;
use crate::storage::{
    BillingState, Customer, Entry, EntryKind, InvoiceRecord, InvoiceState, Project, Store,
};

/// What the dialog sends: the fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoiceRequest {
    pub project_id: u64,
    pub from: String,
    pub to: String,
    pub rate: String,
    pub list_subprojects: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogDefaults {
    pub project_name: String,
    pub customer_name: Option<String>,
    pub has_subprojects: bool,
    /// de-DE, e.g. "85,50"; empty when no rate is known.
    pub rate: String,
    pub rate_source: Option<&'static str>,
    pub last_month: (String, String),
    pub this_month: (String, String),
    /// First and last date of the open billable entries, if any.
    pub all_open: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAddress {
    pub name: String,
    pub number: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// Nothing blocks: Erstellen may be clicked.
    pub ok: bool,
    /// Blocking problems, each one German sentence.
    pub problems: Vec<String>,
    /// Notes that do not block (entries left out, …).
    pub notes: Vec<String>,
    pub lines: Vec<PreviewLine>,
    pub totals: Option<Totals>,
    /// "03.03.2025 – 28.03.2025" or one day
    pub service_period: Option<String>,
    pub customer: Option<CustomerAddress>,
    pub small_business: bool,
    pub entry_count: usize,
    pub hours_display: String,
    /// The customer to open in lexoffice to fix its billing addresses.
    pub fix_contact_customer_id: Option<u64>,
}

fn de_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn today_berlin() -> NaiveDate {
    Utc::now().with_timezone(&Berlin).date_naive()
}

fn month_bounds(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = d.with_day(1).unwrap_or(d);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    let last = next.and_then(|n| n.pred_opt()).unwrap_or(first);
    (first, last)
}

/// Everything the plan needs, read in one go.
struct Context {
    project: Project,
    subs: Vec<Project>,
    customer: Option<Customer>,
    entries: Vec<(Entry, u64)>,
    /// The cached profile says vatfree (Kleinunternehmer or tax-exempt).
    vatfree: bool,
    /// In words, for the note when it changed since the last draft.
    tax_words: &'static str,
    /// Whether the newest draft of any project went out vatfree.
    last_draft_vatfree: Option<bool>,
    default_tax: Decimal,
    rate: (Option<Decimal>, Option<&'static str>),
    records: Vec<InvoiceRecord>,
}

fn context(store: &Store, project_id: u64) -> AppResult<Context> {
    let (project, subs) = projekte::family(store, project_id)?;
    let settings = store.settings()?;
    let customer = match project.customer_id {
        Some(c) => store.customer(c)?,
        None => None,
    };
    let parent = match project.parent_id {
        Some(p) => store.project(p)?,
        None => None,
    };
    let rate = projekte::effective_rate(&project, parent.as_ref(), customer.as_ref(), &settings);
    let mut entries: Vec<(Entry, u64)> = store
        .entries_of(project.id)?
        .into_iter()
        .map(|e| (e, project.id))
        .collect();
    for s in &subs {
        entries.extend(store.entries_of(s.id)?.into_iter().map(|e| (e, s.id)));
    }
    let all_records = store.invoice_records()?;
    let last_draft_vatfree = all_records
        .iter()
        .filter(|r| r.vatfree.is_some() && r.lexoffice_id.is_some())
        .max_by_key(|r| r.created_at)
        .and_then(|r| r.vatfree);
    let family = projekte::family_ids(&project, &subs);
    let records = all_records
        .into_iter()
        .filter(|r| family.contains(&r.project_id))
        .collect();
    Ok(Context {
        vatfree: settings.profile.as_ref().is_some_and(|p| p.vatfree()),
        tax_words: settings
            .profile
            .as_ref()
            .map(|p| p.tax_words())
            .unwrap_or("mit Umsatzsteuer"),
        last_draft_vatfree,
        default_tax: settings.default_tax_rate,
        project,
        subs,
        customer,
        entries,
        rate,
        records,
    })
}

pub async fn defaults(core: &Core, project_id: u64) -> AppResult<DialogDefaults> {
    let store = core.store.clone();
    blocking(move || {
        let ctx = context(&store, project_id)?;
        let today = today_berlin();
        let (tm_from, tm_to) = month_bounds(today);
        let (lm_from, lm_to) = month_bounds(tm_from.pred_opt().unwrap_or(tm_from));
        let open_dates: Vec<NaiveDate> = ctx
            .entries
            .iter()
            .filter(|(e, _)| e.billable && e.billing == BillingState::Open)
            .map(|(e, _)| e.date)
            .collect();
        let all_open = match (open_dates.iter().min(), open_dates.iter().max()) {
            (Some(a), Some(b)) => Some((de_date(*a), de_date(*b))),
            _ => None,
        };
        Ok(DialogDefaults {
            project_name: ctx.project.name.clone(),
            customer_name: ctx.customer.as_ref().map(|c| c.name.clone()),
            has_subprojects: !ctx.subs.is_empty(),
            rate: ctx.rate.0.map(|r| format_de(r, 2)).unwrap_or_default(),
            rate_source: ctx.rate.1,
            last_month: (de_date(lm_from), de_date(lm_to)),
            this_month: (de_date(tm_from), de_date(tm_to)),
            all_open,
        })
    })
    .await
}

struct Parsed {
    from: NaiveDate,
    to: NaiveDate,
    rate: Option<Decimal>,
}

fn parse_request(req: &InvoiceRequest) -> AppResult<Parsed> {
    let from = parse::parse_date(&req.from).map_err(|m| AppError::validation("Von", m))?;
    let to = parse::parse_date(&req.to).map_err(|m| AppError::validation("Bis", m))?;
    if to < from {
        return Err(AppError::validation(
            "Bis",
            "„Bis“ liegt vor „Von“. Bitte den Zeitraum prüfen.",
        ));
    }
    let rate = if req.rate.trim().is_empty() {
        None
    } else {
        Some(crate::schnittstellen::parse_rate(&req.rate)?)
    };
    Ok(Parsed { from, to, rate })
}

fn problem_text(p: &BillingProblem) -> String {
    p.to_string()
}

/// The plan plus everything the dialog shows. `has_key` = a key is in the keyring.
fn plan(
    ctx: &Context,
    p: &Parsed,
    list_subprojects: bool,
    has_key: bool,
) -> (Preview, Option<billing::InvoicePlan>) {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    if !has_key {
        problems.push("Keine Verbindung zu lexoffice: Bitte zuerst unter Einstellungen › Schnittstellen verbinden.".to_string());
    }
    let customer = ctx.customer.as_ref();
    let contact_id = match customer {
        None => {
            problems.push(
                "Dem Projekt ist kein Kunde zugeordnet. Bitte im Projekt einen Kunden wählen."
                    .to_string(),
            );
            None
        }
        Some(c) if c.lexoffice_id.is_none() => {
            problems.push(format!("Der Kunde „{}“ ist nicht mit lexoffice verknüpft. Bitte ihn in lexoffice anlegen und die Kunden erneut importieren.", c.name));
            None
        }
        Some(c) if c.missing_in_lexoffice => {
            problems.push(format!(
                "Der Kunde „{}“ ist in lexoffice nicht mehr vorhanden.",
                c.name
            ));
            None
        }
        Some(c) if c.archived => {
            problems.push(format!("Der Kunde „{}“ ist in lexoffice archiviert. Bitte ihn dort wiederherstellen und die Kunden erneut importieren.", c.name));
            None
        }
        Some(c) if c.wrong_billing_addresses().is_some() => {
            let has = crate::money::billing_addresses_de(c.billing_addresses.unwrap_or(0));
            problems.push(format!("Der Kunde „{}“ hat in lexoffice {has}. lexoffice erstellt eine Rechnung nur für einen Kontakt mit genau einer Rechnungsadresse. Bitte den Kontakt in lexoffice bearbeiten („Kontakt in lexoffice öffnen“) und danach die Kunden erneut importieren.", c.name));
            None
        }
        Some(c) => c.lexoffice_id.clone(),
    };
    if ctx.project.status == crate::storage::ProjectStatus::Archiviert {
        problems.push(format!("Das Projekt „{}“ ist archiviert. Zum Abrechnen bitte das Projekt wieder auf „aktiv“ oder „abgeschlossen“ setzen.", ctx.project.name));
    }
    if let Some(last) = ctx.last_draft_vatfree.filter(|v| *v != ctx.vatfree) {
        notes.push(format!(
            "Die Besteuerung in lexoffice hat sich seit dem letzten Entwurf geändert: jetzt {}, vorher {}. Die Vorschau rechnet schon mit der neuen Einstellung.",
            ctx.tax_words,
            if last { "ohne Umsatzsteuer" } else { "mit Umsatzsteuer" }
        ));
    }
    // Entries in the period: open+billable go on the invoice; others are counted.
    let in_period: Vec<&(Entry, u64)> = ctx
        .entries
        .iter()
        .filter(|(e, _)| e.date >= p.from && e.date <= p.to && e.billable)
        .collect();
    let mut billed_on: HashMap<String, usize> = HashMap::new();
    let mut reserved = 0usize;
    for (e, _) in &in_period {
        match &e.billing {
            BillingState::Billed { invoice_id } => {
                *billed_on.entry(invoice_id.clone()).or_default() += 1
            }
            BillingState::Reserved { .. } => reserved += 1,
            BillingState::Open => {}
        }
    }
    if !billed_on.is_empty() {
        let n: usize = billed_on.values().sum();
        let drafts: Vec<String> = billed_on
            .keys()
            .map(|id| {
                ctx.records
                    .iter()
                    .find(|r| r.lexoffice_id.as_deref() == Some(id))
                    .map(|r| match (&r.voucher_number, r.is_finalised()) {
                        (Some(n), true) => format!("Rechnung {n}"),
                        _ => format!(
                            "Entwurf vom {}",
                            r.created_at.with_timezone(&Berlin).format("%d.%m.%Y %H:%M")
                        ),
                    })
                    .unwrap_or_else(|| "einem früheren Entwurf".to_string())
            })
            .collect();
        notes.push(if n == 1 {
            format!(
                "1 Eintrag im Zeitraum ist bereits abgerechnet und wird ausgelassen ({}).",
                drafts.join(", ")
            )
        } else {
            format!(
                "{n} Einträge im Zeitraum sind bereits abgerechnet und werden ausgelassen ({}).",
                drafts.join(", ")
            )
        });
    }
    if reserved > 0 {
        notes.push(if reserved == 1 {
            "1 Eintrag gehört zu einem noch ungeklärten Versuch und wird ausgelassen (siehe Rechnungshistorie).".to_string()
        } else {
            format!("{reserved} Einträge gehören zu einem noch ungeklärten Versuch und werden ausgelassen (siehe Rechnungshistorie).")
        });
    }
    let mut groups: Vec<Group> = Vec::new();
    let family: Vec<&Project> = std::iter::once(&ctx.project)
        .chain(ctx.subs.iter())
        .collect();
    for pr in family {
        let mut g = Group {
            project_id: pr.id,
            name: pr.name.clone(),
            is_subproject: pr.id != ctx.project.id,
            times: Vec::new(),
            services: Vec::new(),
        };
        for (e, pid) in &in_period {
            if *pid != pr.id || e.billing != BillingState::Open {
                continue;
            }
            match &e.kind {
                EntryKind::Time {
                    minutes, employee, ..
                } => g.times.push(TimeItem {
                    entry_id: e.id,
                    date: e.date,
                    minutes: *minutes,
                    employee: employee.clone(),
                    description: e.description.clone(),
                }),
                EntryKind::Service {
                    name,
                    quantity,
                    unit,
                    unit_price,
                    tax_rate,
                } => g.services.push(ServiceItem {
                    entry_id: e.id,
                    date: e.date,
                    name: name.clone(),
                    description: e.description.clone(),
                    quantity: *quantity,
                    unit: unit.clone(),
                    unit_price: *unit_price,
                    tax_rate: *tax_rate,
                }),
            }
        }
        groups.push(g);
    }
    let input = BillingInput {
        contact_id: contact_id.clone().unwrap_or_else(|| "-".into()),
        project_name: ctx.project.name.clone(),
        period_from: p.from,
        period_to: p.to,
        hourly_rate: p.rate.unwrap_or(Decimal::ZERO),
        list_subprojects,
        small_business: ctx.vatfree,
        time_tax_rate: ctx.default_tax,
        today: today_berlin(),
        title: None,
        introduction: None,
        remark: None,
        groups,
    };
    let built = billing::build(&input);
    let fix_contact_customer_id = customer
        .filter(|c| c.lexoffice_id.is_some() && c.wrong_billing_addresses().is_some())
        .map(|c| c.id);
    let customer_view = customer.map(|c| CustomerAddress {
        name: c.name.clone(),
        number: c.number.clone(),
        lines: [
            c.contact_person.clone(),
            c.address.supplement.clone(),
            c.address.street.clone(),
            format!("{} {}", c.address.zip, c.address.city)
                .trim()
                .to_string(),
            if c.address.country_code.is_empty() || c.address.country_code == "DE" {
                String::new()
            } else {
                c.address.country_code.clone()
            },
        ]
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect(),
    });
    match built {
        Ok(plan) => {
            let ok = problems.is_empty();
            let preview = Preview {
                ok,
                problems,
                notes,
                lines: plan.lines.clone(),
                totals: Some(plan.totals.clone()),
                service_period: Some(if plan.service_from == plan.service_to {
                    de_date(plan.service_from)
                } else {
                    format!(
                        "{} – {}",
                        de_date(plan.service_from),
                        de_date(plan.service_to)
                    )
                }),
                customer: customer_view,
                small_business: ctx.vatfree,
                entry_count: plan.entry_ids.len(),
                hours_display: format!("{} h", format_minutes(plan.total_minutes)),
                fix_contact_customer_id,
            };
            (preview, if ok { Some(plan) } else { None })
        }
        Err(e) => {
            problems.push(problem_text(&e));
            (
                Preview {
                    ok: false,
                    problems,
                    notes,
                    lines: Vec::new(),
                    totals: None,
                    service_period: None,
                    customer: customer_view,
                    small_business: ctx.vatfree,
                    entry_count: 0,
                    hours_display: "0:00 h".into(),
                    fix_contact_customer_id,
                },
                None,
            )
        }
    }
}

async fn has_key(core: &Core) -> bool {
    let secrets = core.secrets.clone();
    matches!(blocking(move || Ok(secrets.load())).await, Ok(Ok(Some(_))))
}

async fn load_key(core: &Core) -> AppResult<ApiKey> {
    let secrets = core.secrets.clone();
    blocking(move || {
        secrets
            .load()
            .map_err(|e| AppError::Keyring(e.to_string()))?
            .ok_or(AppError::NotConnected)
    })
    .await
}

pub async fn preview(core: &Core, req: InvoiceRequest) -> AppResult<Preview> {
    let parsed = parse_request(&req)?;
    let connected = has_key(core).await;
    let store = core.store.clone();
    blocking(move || {
        let ctx = context(&store, req.project_id)?;
        Ok(plan(&ctx, &parsed, req.list_subprojects, connected).0)
    })
    .await
}

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
fn explain_rejection(e: &LexofficeError, request: &serde_json::Value) -> String {
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

pub async fn create(core: &Core, req: InvoiceRequest) -> AppResult<CreatedDraft> {
    let _guard = core.invoice_lock.try_lock().map_err(|_| {
        AppError::Busy("Es wird gerade ein Rechnungsentwurf erstellt oder eine Sicherung geschrieben. Bitte einen Moment warten.".into())
    })?;
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
    // 1–2: plan, then record + reservation in one transaction.
    let record = blocking(move || {
        let ctx = context(&store, project_id)?;
        let (preview, plan) = plan(&ctx, &parsed, list_subprojects, true);
        let Some(plan) = plan else {
            return Err(AppError::validation(
                "Rechnung",
                preview
                    .problems
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "Nichts abzurechnen.".into()),
            ));
        };
        let now = Utc::now();
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
            hourly_rate: parsed.rate.map(|r| r.to_string()).unwrap_or_default(),
            list_subprojects,
            net: plan.totals.net.to_string(),
            gross: plan.totals.gross.to_string(),
            entry_ids: plan.entry_ids.clone(),
            request: plan.request.clone(),
            organization_id,
            outcome_unknown_since: None,
            started_server_at,
            empty_looks: Vec::new(),
            vatfree: Some(ctx.vatfree),
            lexoffice_status: None,
            voucher_number: None,
            created_at: now,
            updated_at: now,
        };
        store.transition_invoice_from(
            &record,
            |stored| stored.is_none(),
            BillingState::Reserved {
                attempt: record.id.to_string(),
            },
            |b| *b == BillingState::Open,
            true,
        )?;
        Ok(record)
    })
    .await?;
    log::info!(
        "invoice attempt {} for project {}: {} entries reserved",
        record.id,
        project_id,
        record.entry_ids.len()
    );
    crate::failpoint::hit("invoice.after_reserve");

    // 3: exactly one POST.
    let result = client.create_invoice(&key, &record.request).await;
    drop(key);
    match result {
        Ok(created) => {
            crate::failpoint::hit("invoice.after_post");
            let mut rec = record;
            settle(core, &mut rec, created.id.clone()).await?;
            crate::failpoint::hit("invoice.after_settle");
            let url = core.urls()?.invoice_edit(&created.id);
            let browser_opened = core.open_lexoffice_page(url.clone()).await.is_ok();
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
                _ => AppError::Lexoffice(e),
            })
        }
        Err(e) => {
            log::warn!("invoice attempt {} outcome unknown: {e:?}", record.id);
            let mut rec = record;
            rec.state = InvoiceState::Unclear {
                reason: e.to_string(),
            };
            rec.updated_at = Utc::now();
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
                    let browser_opened = core.open_lexoffice_page(url.clone()).await.is_ok();
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
                }) => Err(AppError::Lexoffice(e)),
                _ => Err(AppError::Unclear(format!(
                    "{e} Ob der Entwurf trotzdem angelegt wurde, ist noch unklar. Die Einträge bleiben gesperrt, bis das geklärt ist – bitte in der Rechnungshistorie „Erneut prüfen“ wählen. Bitte nicht einfach erneut erstellen."
                ))),
            }
        }
    }
}

fn unsettled(stored: Option<&InvoiceRecord>) -> bool {
    matches!(
        stored.map(|r| &r.state),
        Some(InvoiceState::Pending | InvoiceState::Unclear { .. })
    )
}

async fn settle(core: &Core, rec: &mut InvoiceRecord, lexoffice_id: String) -> AppResult<()> {
    let attempt = rec.id.to_string();
    rec.lexoffice_id = Some(lexoffice_id.clone());
    rec.state = InvoiceState::Created;
    rec.lexoffice_status.get_or_insert_with(|| "draft".into());
    rec.updated_at = Utc::now();
    let store = core.store.clone();
    let r = rec.clone();
    blocking(move || {
        store.transition_invoice_from(
            &r,
            unsettled,
            BillingState::Billed {
                invoice_id: lexoffice_id,
            },
            |b| matches!(b, BillingState::Reserved { attempt: a } if *a == attempt),
            false,
        )
    })
    .await
}

async fn release_entries(core: &Core, rec: &mut InvoiceRecord, reason: String) -> AppResult<()> {
    let attempt = rec.id.to_string();
    let lex = rec.lexoffice_id.clone();
    let previous = rec.state.clone();
    rec.state = InvoiceState::Released { reason };
    rec.updated_at = Utc::now();
    let store = core.store.clone();
    let r = rec.clone();
    blocking(move || {
        store.transition_invoice_from(
            &r,
            |stored| {
                stored.map(|s| std::mem::discriminant(&s.state))
                    == Some(std::mem::discriminant(&previous))
            },
            BillingState::Open,
            |b| match b {
                BillingState::Reserved { attempt: a } => *a == attempt,
                BillingState::Billed { invoice_id } => Some(invoice_id) == lex.as_ref(),
                BillingState::Open => false,
            },
            false,
        )
    })
    .await
}

// ---------------------------------------------------------------- history

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordView {
    pub id: u64,
    pub created: String,
    pub period: String,
    pub net_display: String,
    pub gross_display: String,
    pub rate_display: String,
    pub options: String,
    /// German, as shown: „wird gesendet“, „unklar“, „Entwurf“, „offen“,
    /// „überfällig“, „bezahlt“, „storniert“, „zurückgenommen“, „nicht erstellt“.
    pub state: &'static str,
    /// Stable key of the state for styling and tests: pending, unclear, draft,
    /// open, overdue, paid, voided, withdrawn, notCreated.
    pub state_key: &'static str,
    pub state_detail: Option<String>,
    /// The project or subproject the draft was made from.
    pub project_name: String,
    /// „RE1042“ once the office finalised it in lexoffice.
    pub voucher_number: Option<String>,
    /// A draft exists in lexoffice that can be opened.
    pub can_open: bool,
    pub entry_count: usize,
    /// „Abrechnung zurücknehmen“ is offered (the draft may have been deleted, or
    /// the invoice was voided); finalised invoices keep their entries frozen.
    pub can_withdraw: bool,
    pub can_reconcile: bool,
}

/// lexoffice's `voucherStatus` in the words the office uses.
pub fn status_de(status: &str) -> (&'static str, &'static str) {
    match status {
        "open" => ("offen", "open"),
        "overdue" => ("überfällig", "overdue"),
        "paid" | "paidoff" => ("bezahlt", "paid"),
        "voided" => ("storniert", "voided"),
        _ => ("Entwurf", "draft"),
    }
}

fn record_view(r: &InvoiceRecord, project_name: &str) -> RecordView {
    let dec = |s: &str| Decimal::from_str(s).ok();
    let (state, state_key, detail) = match &r.state {
        InvoiceState::Pending => ("wird gesendet", "pending", None),
        InvoiceState::Unclear { reason } => ("unklar", "unclear", Some(reason.clone())),
        InvoiceState::Created => {
            let (s, k) = status_de(r.lexoffice_status.as_deref().unwrap_or("draft"));
            (s, k, None)
        }
        InvoiceState::Released { reason } if r.lexoffice_id.is_some() => {
            ("zurückgenommen", "withdrawn", Some(reason.clone()))
        }
        InvoiceState::Released { reason } => ("nicht erstellt", "notCreated", Some(reason.clone())),
    };
    RecordView {
        id: r.id,
        created: r
            .created_at
            .with_timezone(&Berlin)
            .format("%d.%m.%Y %H:%M")
            .to_string(),
        period: format!("{} – {}", de_date(r.period_from), de_date(r.period_to)),
        net_display: dec(&r.net)
            .map(|d| format!("{} €", format_de(d, 2)))
            .unwrap_or_default(),
        gross_display: dec(&r.gross)
            .map(|d| format!("{} €", format_de(d, 2)))
            .unwrap_or_default(),
        rate_display: dec(&r.hourly_rate)
            .map(|d| format!("{} €/h", format_de(d, 2)))
            .unwrap_or_else(|| "–".into()),
        options: if r.list_subprojects {
            "Unterprojekte einzeln".into()
        } else {
            "zusammengefasst".into()
        },
        state,
        state_key,
        state_detail: detail,
        project_name: project_name.to_string(),
        voucher_number: r.voucher_number.clone(),
        can_open: r.lexoffice_id.is_some() && state_key != "withdrawn",
        entry_count: r.entry_ids.len(),
        can_withdraw: matches!(r.state, InvoiceState::Created) && !r.is_finalised(),
        can_reconcile: matches!(
            r.state,
            InvoiceState::Pending | InvoiceState::Unclear { .. }
        ),
    }
}

/// The drafts of a project and of its subprojects, newest first.
pub async fn history(core: &Core, project_id: u64) -> AppResult<Vec<RecordView>> {
    let store = core.store.clone();
    blocking(move || history_views(&store, project_id)).await
}

fn history_views(store: &Store, project_id: u64) -> AppResult<Vec<RecordView>> {
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
    recs.sort_by(|a, b| b.created_at.cmp(&a.created_at));
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

async fn view_of(core: &Core, rec: &InvoiceRecord) -> AppResult<RecordView> {
    let store = core.store.clone();
    let pid = rec.project_id;
    let name =
        blocking(move || Ok(store.project(pid)?.map(|p| p.name).unwrap_or_default())).await?;
    Ok(record_view(rec, &name))
}

/// When the history opens: asks lexoffice what became of each draft of the
/// project (and its subprojects) that is not settled for good. A deleted draft
/// (404) frees its entries at once („Entwurf in lexoffice gelöscht – Einträge
/// wieder offen“); a finalised one keeps them frozen and shows its number; a
/// voided one offers „Abrechnung zurücknehmen“.
pub async fn sync_history(core: &Core, project_id: u64) -> AppResult<Vec<RecordView>> {
    let store = core.store.clone();
    let ids: Vec<u64> = blocking(move || {
        let (project, subs) = projekte::family(&store, project_id)?;
        let family = projekte::family_ids(&project, &subs);
        Ok(store
            .invoice_records()?
            .into_iter()
            .filter(|r| family.contains(&r.project_id) && r.state == InvoiceState::Created)
            .filter(|r| !r.is_closed_in_lexoffice())
            .map(|r| r.id)
            .collect())
    })
    .await?;
    if !ids.is_empty() {
        let key = load_key(core).await?;
        for id in ids {
            let _guard = core.invoice_lock.lock().await;
            let mut rec = record(core, id).await?;
            if rec.state != InvoiceState::Created || same_organisation(core, &rec).await.is_err() {
                continue;
            }
            let Some(lex_id) = rec.lexoffice_id.clone() else {
                continue;
            };
            match core.client()?.invoice(&key, &lex_id).await {
                Err(e) if e.status() == Some(404) => deleted_in_lexoffice(core, &mut rec).await?,
                Err(e) => return Err(AppError::Lexoffice(e)),
                Ok(info) => {
                    let status = info.voucher_status.clone();
                    if status != rec.lexoffice_status || info.voucher_number != rec.voucher_number {
                        rec.lexoffice_status = status;
                        rec.voucher_number = info.voucher_number.clone();
                        rec.updated_at = Utc::now();
                        let store = core.store.clone();
                        let r = rec.clone();
                        blocking(move || {
                            if store
                                .invoice_record(r.id)?
                                .is_some_and(|s| s.state == InvoiceState::Created)
                            {
                                store.put_invoice_record(&r)?;
                            }
                            Ok(())
                        })
                        .await?;
                    }
                }
            }
        }
    }
    history(core, project_id).await
}

async fn record(core: &Core, id: u64) -> AppResult<InvoiceRecord> {
    let store = core.store.clone();
    blocking(move || store.invoice_record(id))
        .await?
        .ok_or_else(|| AppError::NotFound("Dieser Rechnungsversuch existiert nicht mehr.".into()))
}

/// Abrechnung freigeben: only when the draft is gone from lexoffice.
/// The record must belong to the lexoffice organisation the current key is for.
async fn same_organisation(core: &Core, rec: &InvoiceRecord) -> AppResult<()> {
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
            deleted_in_lexoffice(core, &mut rec).await?;
            view_of(core, &rec).await
        }
        Err(e) => Err(AppError::Lexoffice(e)),
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
async fn deleted_in_lexoffice(core: &Core, rec: &mut InvoiceRecord) -> AppResult<()> {
    log::info!(
        "invoice record {}: draft deleted in lexoffice, entries released",
        rec.id
    );
    release_entries(
        core,
        rec,
        "Entwurf in lexoffice gelöscht – Einträge wieder offen.".into(),
    )
    .await
}

fn same_amount(n: &Option<serde_json::Number>, gross: &str) -> bool {
    match (n, Decimal::from_str(gross)) {
        (Some(n), Ok(g)) => Decimal::from_str(&n.to_string())
            .map(|d| d.normalize() == g.normalize())
            .unwrap_or(false),
        _ => false,
    }
}

fn lexoffice_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.3f%:z").ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Was this voucher-list row created after the attempt began — by lexoffice's
/// own clock (`createdDate` against the `Date` header seen before the POST), so
/// a wrong PC clock neither hides our draft nor adopts an older invoice? Records
/// from before lexoffice's start time was kept fall back to the PC's time with a
/// wide margin. None: the row has no readable `createdDate`.
fn created_after_start(item: &VoucherItem, rec: &InvoiceRecord) -> Option<bool> {
    let created = lexoffice_time(item.created_date.as_deref())?;
    Some(match rec.started_server_at {
        Some(start) => created >= start,
        None => created >= rec.created_at - Duration::hours(12),
    })
}

/// Is this row (of the attempt's contact, created after its start) the draft
/// the attempt sent? Voucher date and gross amount as sent.
fn is_our_draft(item: &VoucherItem, rec: &InvoiceRecord) -> bool {
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
pub async fn reconcile_record(core: &Core, id: u64) -> AppResult<RecordView> {
    let _guard = core.invoice_lock.lock().await;
    let rec = reconcile_inner(core, id).await?;
    view_of(core, &rec).await
}

/// The attempt as it stands after the look (settled, released or still unclear).
async fn reconcile_inner(core: &Core, id: u64) -> AppResult<InvoiceRecord> {
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
async fn store_record(core: &Core, rec: &InvoiceRecord) -> AppResult<()> {
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

pub async fn open_draft(core: &Core, id: u64) -> AppResult<()> {
    let rec = record(core, id).await?;
    let lex = rec.lexoffice_id.ok_or_else(|| {
        AppError::validation("Rechnung", "Zu diesem Versuch gibt es keinen Entwurf.")
    })?;
    let url = core.urls()?.invoice_edit(&lex);
    core.open_lexoffice_page(url).await
}
