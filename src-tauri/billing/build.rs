//! Building a draft: the billable entries → blocks of lines as the Aufstellung
//! says → the preview's edits → texts → the exact request body.
//! (docs/architecture.md › Billing rules, › Rechnungsbild.)

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::edits::{extra_key, LineChange, LineValues, RemovedLine, EXTRA_UNIT};
use super::line_text::{self, LINE_PLACEHOLDERS, TEXT_PLACEHOLDERS};
use super::{
    request, rounding, text, totals, BillingInput, BillingProblem, Group, InvoicePlan,
    LabourTotals, LineKind, PreviewLine, RateUse, ServiceItem, TimeItem, GOODWILL_SUFFIX,
    HOUR_UNIT, MAX_DATES_LISTED, MAX_LINE_AMOUNT, MAX_LINE_DESCRIPTION_LEN, MAX_LINE_ITEMS,
    MAX_LINE_NAME_LEN, MAX_TEXT_LEN, MAX_TITLE_LEN, TIME_LINE_PREFIX,
};
use crate::de::format::{format_de, format_eur};
use crate::model::{Layout, ServiceArt, TaxCase};

/// Lines gathered under their group heading (None: no heading); the flag marks
/// a line the user added.
type Assembled = (Option<String>, Vec<(PreviewLine, bool)>);

/// The §35a sections of a private customer's draft.
pub const LABOUR_SECTION: &str = "Arbeitskosten";
pub const MATERIAL_SECTION: &str = "Materialkosten";

/// Services merged into one line.
struct ServiceAgg {
    key: String,
    /// Arbeitskosten (§35a) or Materialkosten.
    labour: bool,
    name: String,
    unit: String,
    unit_price: Decimal,
    tax_rate: Decimal,
    quantity: Decimal,
    days: BTreeSet<NaiveDate>,
    descriptions: Distinct,
    entry_ids: Vec<u64>,
    article: Option<crate::model::ArticleRef>,
}

/// The billed time of one Aufstellung group at one rate: one time line.
struct TimeAgg {
    key: String,
    /// The Aufstellung group it belongs to (one employee, day, …).
    group_key: String,
    rate: Decimal,
    goodwill: bool,
    recorded: u64,
    billed: u64,
    days: BTreeSet<NaiveDate>,
    sources: Vec<String>,
    /// The role names of rates that are a role's (a single one names the line).
    rate_roles: BTreeSet<String>,
    employees: Distinct,
    roles: Distinct,
    notes: Distinct,
    subprojects: Distinct,
    entry_ids: Vec<u64>,
    /// (entry id, billed minutes) of its entries.
    billed_each: Vec<(u64, u32)>,
}

/// What one block of the invoice bills: the whole project, or one group.
struct Block {
    heading: Option<String>,
    /// {Projekt} of its time lines: the subproject when listed apart, else the project.
    name: String,
    times: Vec<TimeAgg>,
    services: Vec<ServiceAgg>,
}

/// A time item with its billed minutes and the group it comes from.
struct BilledTime<'a> {
    item: &'a TimeItem,
    group: &'a Group,
    billed: u32,
    /// Its day was billed by an earlier draft and leaves it nothing to bill:
    /// it goes on the draft without a line of its own.
    covered: bool,
}

/// The billed minutes of a group's times (its Abrechnungstakt), zero-minute
/// entries left out. Goodwill times are rounded apart from charged ones, and
/// so are `excluded` ones (lines taken out with „Entfernen“: the rest of their
/// day is rounded without them). Charged times are rounded together with the
/// group's `prior` times of the same days; the days that leaves with less to
/// bill come back as notes.
fn billed_times<'a>(
    group: &'a Group,
    excluded: &HashSet<u64>,
) -> (Vec<BilledTime<'a>>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    // 0 = charged, 1 = goodwill, 2 = taken out.
    let pass_of = |t: &TimeItem| {
        if excluded.contains(&t.entry_id) {
            2
        } else if t.goodwill {
            1
        } else {
            0
        }
    };
    let prior: Vec<rounding::Prior> = group
        .prior
        .iter()
        .map(|p| rounding::Prior {
            date: p.date,
            employee: p.employee_id.unwrap_or(0),
            minutes: p.minutes,
            billed: p.billed,
        })
        .collect();
    for pass in 0..3 {
        let items: Vec<&TimeItem> = group
            .times
            .iter()
            .filter(|t| t.minutes > 0 && pass_of(t) == pass)
            .collect();
        if items.is_empty() {
            continue;
        }
        let recorded: Vec<rounding::Recorded> = items
            .iter()
            .map(|t| rounding::Recorded {
                date: t.date,
                employee: t.employee_id.unwrap_or(0),
                minutes: t.minutes,
            })
            .collect();
        let earlier = if pass == 0 { prior.as_slice() } else { &[] };
        let (billed, covered) = rounding::billed_minutes_after(&recorded, earlier, &group.rounding);
        let mut riders: HashSet<usize> = HashSet::new();
        for c in &covered {
            notes.push(covered_note(group, &items, c));
            riders.extend(c.items.iter().copied());
        }
        out.extend(
            billed
                .into_iter()
                .zip(items)
                .enumerate()
                .map(|(i, (billed, item))| BilledTime {
                    item,
                    group,
                    billed,
                    covered: billed == 0 && riders.contains(&i),
                }),
        );
    }
    (out, notes)
}

/// „03.03.2026, Jana Kraus: 0:15 h erfasst, nichts berechnet – bereits mit
/// Rechnung RE-1001 abgerechnet: Mindestens 60 Min. erreicht.“
fn covered_note(group: &Group, items: &[&TimeItem], c: &rounding::Covered) -> String {
    let who = c
        .items
        .first()
        .map(|&i| items[i].employee.trim())
        .filter(|n| !n.is_empty())
        .map(|n| format!(", {n}"))
        .unwrap_or_default();
    let mut drafts: Vec<&str> = Vec::new();
    for &i in &c.prior {
        let label = group.prior[i].invoice.as_str();
        if !drafts.contains(&label) {
            drafts.push(label);
        }
    }
    let now = if c.billed == 0 {
        "nichts berechnet".to_string()
    } else {
        format!(
            "nur {} h berechnet",
            crate::de::format::minutes(u64::from(c.billed))
        )
    };
    let why = if c.by_minimum {
        format!(
            ": Mindestens {} Min. erreicht",
            group.rounding.minimum.unwrap_or(0)
        )
    } else if group.rounding.step > 1 {
        format!(" (Abrechnungstakt {} Min.)", group.rounding.step)
    } else {
        String::new()
    };
    format!(
        "{}{who}: {} h erfasst, {now} – der Tag ist bereits mit {} abgerechnet{why}.",
        crate::de::format::date(c.date),
        crate::de::format::minutes(u64::from(c.recorded)),
        drafts.join(", ")
    )
}

/// The billed minutes of each time entry of `group`, as the draft bills them
/// (its Abrechnungstakt, goodwill apart from charged time): (entry id, minutes).
/// The Stundennachweis of a draft without stored minutes lists these.
pub fn billed_by_entry(group: &Group) -> Vec<(u64, u32)> {
    billed_times(group, &HashSet::new())
        .0
        .into_iter()
        .map(|t| (t.item.entry_id, t.billed))
        .collect()
}

/// Which Aufstellung group a time entry falls into.
fn layout_key(layout: Layout, t: &TimeItem) -> String {
    match layout {
        Layout::Project => String::new(),
        Layout::Employee => match t.employee_id {
            Some(id) => format!("m{id}"),
            None => format!("n{}", t.employee.trim().to_lowercase()),
        },
        Layout::Role => t.role.clone().unwrap_or_default(),
        Layout::Day => t.date.to_string(),
        Layout::Entry => t.entry_id.to_string(),
    }
}

/// Texts of a line's entries, each once, in order. Collects only until the
/// joined text is longer than a description may be (the rest would be cut
/// anyway), so 100,000 notes cost a hash lookup each, not a join of all.
#[derive(Default)]
struct Distinct {
    list: Vec<String>,
    seen: std::collections::HashSet<String>,
    len: usize,
}

impl Distinct {
    fn push(&mut self, value: &str) {
        let value = value.trim();
        if value.is_empty() || self.len > MAX_LINE_DESCRIPTION_LEN {
            return;
        }
        // Few values (employees, roles): a look at the list beats hashing.
        let known = if self.list.len() <= 8 {
            self.list.iter().any(|v| v == value)
        } else {
            self.seen.contains(value)
        };
        if known {
            return;
        }
        self.len += text::text_len(value) + 2;
        self.seen.insert(value.to_string());
        self.list.push(value.to_string());
    }

    fn join(&self, sep: &str) -> String {
        self.list.join(sep)
    }
}

/// One time line per Aufstellung group and rate, ordered by first (date, entry id).
fn time_aggs(
    block: &str,
    layout: Layout,
    mut times: Vec<BilledTime<'_>>,
) -> Result<Vec<TimeAgg>, BillingProblem> {
    times.sort_by_key(|t| (t.item.date, t.item.entry_id));
    let mut out: Vec<TimeAgg> = Vec::new();
    // (group, rate, goodwill) → line; the line's key text is made once per line.
    let mut index: HashMap<(String, Decimal, bool), usize> = HashMap::new();
    for t in times {
        let rate = match (&t.item.rate, t.item.goodwill) {
            (Some(r), _) => r.rate.normalize(),
            (None, true) => Decimal::ZERO,
            (None, false) => return Err(BillingProblem::NoRate),
        };
        if !t.item.goodwill {
            if rate <= Decimal::ZERO {
                return Err(BillingProblem::NoRate);
            }
            if rate.scale() > 4 {
                return Err(BillingProblem::InvalidRate);
            }
        }
        let group_key = layout_key(layout, t.item);
        let goodwill = t.item.goodwill;
        let i = *index
            .entry((group_key.clone(), rate, goodwill))
            .or_insert_with(|| {
                out.push(TimeAgg {
                    key: format!(
                        "t:{block}:{}:{group_key}:{rate}{}",
                        layout.key(),
                        if goodwill { ":k" } else { "" }
                    ),
                    group_key,
                    rate,
                    goodwill: t.item.goodwill,
                    recorded: 0,
                    billed: 0,
                    days: BTreeSet::new(),
                    sources: Vec::new(),
                    rate_roles: BTreeSet::new(),
                    employees: Distinct::default(),
                    roles: Distinct::default(),
                    notes: Distinct::default(),
                    subprojects: Distinct::default(),
                    entry_ids: Vec::new(),
                    billed_each: Vec::new(),
                });
                out.len() - 1
            });
        let a = &mut out[i];
        a.recorded += u64::from(t.item.minutes);
        a.billed += u64::from(t.billed);
        a.days.insert(t.item.date);
        a.entry_ids.push(t.item.entry_id);
        a.billed_each.push((t.item.entry_id, t.billed));
        a.employees.push(&t.item.employee);
        a.roles.push(t.item.role.as_deref().unwrap_or(""));
        a.notes.push(&t.item.description);
        if t.group.is_subproject {
            a.subprojects.push(&t.group.name);
        }
        if let Some(r) = &t.item.rate {
            if !a.sources.contains(&r.source) {
                a.sources.push(r.source.clone());
            }
            let role = r.role.as_deref().filter(|_| r.by_role).unwrap_or("");
            if !a.rate_roles.contains(role) {
                a.rate_roles.insert(role.to_string());
            }
        }
    }
    Ok(out)
}

/// A validated service entry.
struct ServiceRow<'a> {
    item: &'a ServiceItem,
    name: &'a str,
    unit: &'a str,
    tax_rate: Decimal,
    /// Arbeitskosten (Art Arbeit or Fahrt) in the sense of §35a.
    labour: bool,
}

/// Every line bills 0 %: a Kleinunternehmer or tax-exempt organisation, or a
/// Steuerart other than Standard (docs/lexoffice.md › Tax types).
fn zero_rated(input: &BillingInput) -> bool {
    input.small_business || input.tax_case != TaxCase::Standard
}

fn valid_tax_rate(rate: Decimal) -> Result<Decimal, BillingProblem> {
    crate::money::allowed_tax_rate(rate).ok_or(BillingProblem::InvalidTaxRate { rate })
}

fn service_rows<'a>(
    input: &BillingInput,
    group: &'a Group,
) -> Result<Vec<ServiceRow<'a>>, BillingProblem> {
    let mut rows = Vec::new();
    for item in group.services.iter().filter(|s| !s.quantity.is_zero()) {
        let name = item.name.trim();
        if name.is_empty() {
            return Err(BillingProblem::ServiceWithoutName { date: item.date });
        }
        let quantity = item.quantity.normalize();
        if quantity.is_sign_negative() || quantity.scale() > 4 {
            return Err(BillingProblem::InvalidServiceQuantity { name: name.into() });
        }
        let price = item.unit_price.normalize();
        if (price.is_sign_negative() && !price.is_zero()) || price.scale() > 4 {
            return Err(BillingProblem::InvalidServicePrice { name: name.into() });
        }
        let unit = item.unit.trim();
        if unit.is_empty() {
            return Err(BillingProblem::ServiceWithoutUnit { name: name.into() });
        }
        let tax_rate = if zero_rated(input) {
            Decimal::ZERO
        } else {
            valid_tax_rate(item.tax_rate)?
        };
        let labour = item
            .art
            .unwrap_or_else(|| ServiceArt::default_for(unit))
            .is_labour();
        rows.push(ServiceRow {
            item,
            name,
            unit,
            tax_rate,
            labour,
        });
    }
    Ok(rows)
}

/// Merges rows with equal name, unit, unit price and tax rate; lines ordered by
/// their first (date, entry id).
fn aggregate(
    block: &str,
    mut rows: Vec<ServiceRow<'_>>,
) -> Result<Vec<ServiceAgg>, BillingProblem> {
    rows.sort_by_key(|r| (r.item.date, r.item.entry_id));
    type Key = (
        String,
        String,
        Decimal,
        Decimal,
        bool,
        Option<crate::model::ArticleRef>,
    );
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut out: Vec<ServiceAgg> = Vec::new();
    for r in rows {
        let price = r.item.unit_price.normalize();
        let key = (
            r.name.to_string(),
            r.unit.to_string(),
            price,
            r.tax_rate,
            r.labour,
            r.item.article.clone(),
        );
        let i = *index.entry(key).or_insert_with(|| {
            out.push(ServiceAgg {
                key: format!(
                    "s:{block}:{}:{}:{price}:{}{}{}",
                    r.name,
                    r.unit,
                    r.tax_rate,
                    if r.labour { "" } else { ":m" },
                    r.item
                        .article
                        .as_ref()
                        .map(|a| format!(":a{}", a.id))
                        .unwrap_or_default()
                ),
                article: r.item.article.clone(),
                labour: r.labour,
                name: r.name.to_string(),
                unit: r.unit.to_string(),
                unit_price: price,
                tax_rate: r.tax_rate,
                quantity: Decimal::ZERO,
                days: BTreeSet::new(),
                descriptions: Distinct::default(),
                entry_ids: Vec::new(),
            });
            out.len() - 1
        });
        let agg = &mut out[i];
        agg.quantity = agg
            .quantity
            .checked_add(r.item.quantity.normalize())
            .ok_or_else(|| BillingProblem::ValueTooLarge {
                name: r.name.to_string(),
            })?;
        agg.days.insert(r.item.date);
        agg.entry_ids.push(r.item.entry_id);
        agg.descriptions.push(&r.item.description);
    }
    Ok(out)
}

/// {Datum}: one day, the days (up to [`MAX_DATES_LISTED`]), or first–last.
fn dates_text(days: &BTreeSet<NaiveDate>) -> String {
    match (days.first(), days.last()) {
        (Some(a), Some(b)) if days.len() > MAX_DATES_LISTED => text::period_de(*a, *b),
        _ => text::days_de(days),
    }
}

/// Titel, Einleitung, Schlusstext: placeholders, limits; blank = not sent.
fn texts(input: &BillingInput, period: &str) -> Result<[Option<String>; 3], BillingProblem> {
    let value = |name: &str| match name {
        "Zeitraum" => Some(period),
        "Projekt" => Some(input.project_name.trim()),
        "Projektnummer" => Some(input.project_number.trim()),
        "Kunde" => Some(input.customer_name.trim()),
        _ => None,
    };
    let one = |field: &'static str, t: &Option<String>, max: usize| {
        let Some(t) = t.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        line_text::check(field, t, &TEXT_PLACEHOLDERS)?;
        let filled = line_text::fill(t, value).trim().to_string();
        let chars = text::text_len(&filled);
        if chars > max {
            return Err(if max == MAX_TITLE_LEN {
                BillingProblem::TitleTooLong { chars }
            } else {
                BillingProblem::TextTooLong { field, chars }
            });
        }
        Ok((!filled.is_empty()).then_some(filled))
    };
    Ok([
        one("Titel", &input.title, MAX_TITLE_LEN)?,
        one("Einleitung", &input.introduction, MAX_TEXT_LEN)?,
        one("Schlusstext", &input.remark, MAX_TEXT_LEN)?,
    ])
}

/// Builds the draft invoice for `input`, or says why it cannot be built.
pub fn build(input: &BillingInput) -> Result<InvoicePlan, BillingProblem> {
    build_with(input, true)
}

/// The net total a draft of `groups` would have (the Projekte figure „noch nicht
/// abgerechnet“), with the minutes that have no rate anywhere (left out).
pub fn open_net(
    mut groups: Vec<Group>,
    list_subprojects: bool,
    hours: crate::model::HourFormat,
    layout: crate::model::Layout,
) -> (Decimal, u64) {
    let mut without_rate = 0u64;
    for g in &mut groups {
        g.times.retain(|t| {
            let priced = t.rate.is_some();
            if !priced {
                without_rate += u64::from(t.minutes);
            }
            priced
        });
    }
    let input = BillingInput {
        contact_id: "-".into(),
        period_from: NaiveDate::MIN,
        period_to: NaiveDate::MAX,
        hours,
        list_subprojects,
        time_tax_rate: Decimal::from(19),
        today: NaiveDate::MIN,
        groups,
        layout,
        ..Default::default()
    };
    let net = build_with(&input, false)
        .map(|p| p.totals.net)
        .unwrap_or(Decimal::ZERO);
    (net, without_rate)
}

/// Why days already billed by an earlier draft bill less now (the notes of
/// [`InvoicePlan::covered`]), also when nothing is left to bill at all.
pub fn covered_days(input: &BillingInput) -> Vec<String> {
    blocks_of(input, &HashSet::new())
        .map(|(_, _, notes, _)| notes)
        .unwrap_or_default()
}

/// A line as computed, before the edits.
struct Candidate {
    line: PreviewLine,
    /// The value at full price (for „statt … €“ of goodwill).
    full_amount: Option<Decimal>,
}

/// The blocks of lines before the edits, the rates in use and the notes on
/// days already billed, and the times those days leave nothing to bill (they go
/// on the draft without a line, when it has any). `excluded`: entries of lines
/// taken out (rounded apart).
#[allow(clippy::type_complexity)]
fn blocks_of(
    input: &BillingInput,
    excluded: &HashSet<u64>,
) -> Result<(Vec<Block>, Vec<RateUse>, Vec<String>, Vec<u64>), BillingProblem> {
    let mut covered: Vec<String> = Vec::new();
    let mut all_riders: Vec<u64> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut project_rows = Vec::new();
    let mut project_times = Vec::new();
    let mut rate_uses: Vec<RateUse> = Vec::new();
    for group in &input.groups {
        let (times, notes) = billed_times(group, excluded);
        covered.extend(notes);
        let (riders, times): (Vec<BilledTime<'_>>, Vec<BilledTime<'_>>) =
            times.into_iter().partition(|t| t.covered);
        all_riders.extend(riders.iter().map(|t| t.item.entry_id));
        for t in times.iter().filter(|t| !t.item.goodwill) {
            let Some(r) = &t.item.rate else { continue };
            let listed = r.listed.normalize();
            match rate_uses.iter_mut().find(|u| u.listed == listed) {
                Some(u) => {
                    u.billed_minutes += u64::from(t.billed);
                    if !u.sources.split(", ").any(|s| s == r.source) {
                        u.sources = format!("{}, {}", u.sources, r.source);
                    }
                }
                None => rate_uses.push(RateUse {
                    listed,
                    rate: r.rate.normalize(),
                    rate_input: format_de(listed, 2),
                    rate_display: format!("{} €/h", format_de(r.rate, 2)),
                    sources: r.source.clone(),
                    billed_minutes: u64::from(t.billed),
                    hours_display: String::new(),
                }),
            }
        }
        let rows = service_rows(input, group)?;
        if input.list_subprojects {
            if !times.is_empty() || !rows.is_empty() {
                let name = match group.name.trim() {
                    "" => input.project_name.trim(),
                    n => n,
                };
                let id = group.project_id.to_string();
                blocks.push(Block {
                    heading: Some(text::truncate(name, MAX_LINE_NAME_LEN)),
                    name: name.to_string(),
                    times: time_aggs(&id, input.layout, times)?,
                    services: aggregate(&id, rows)?,
                });
            }
        } else {
            project_times.extend(times);
            project_rows.extend(rows);
        }
    }
    if !input.list_subprojects && (!project_times.is_empty() || !project_rows.is_empty()) {
        blocks.push(Block {
            heading: None,
            name: input.project_name.trim().to_string(),
            times: time_aggs("p", input.layout, project_times)?,
            services: aggregate("p", project_rows)?,
        });
    }
    for u in &mut rate_uses {
        u.hours_display = format!("{} h", crate::de::format::minutes(u.billed_minutes));
    }

    Ok((blocks, rate_uses, covered, all_riders))
}

/// The edits by line key (the last one of a key wins).
type Changes<'a> = HashMap<&'a str, &'a LineChange>;

/// The invoice in steps: what is billable, the service period, the lines with
/// the edits applied, their arrangement, the texts, the request body.
fn build_with(input: &BillingInput, limit_lines: bool) -> Result<InvoicePlan, BillingProblem> {
    if input.period_from > input.period_to {
        return Err(BillingProblem::InvalidPeriod);
    }
    if input.contact_id.trim().is_empty() {
        return Err(BillingProblem::NoContact);
    }
    let template = match input.line_text.trim() {
        "" => input.layout.default_text(),
        _ => input.line_text.as_str(),
    };
    line_text::check("Positionstext", template, &LINE_PLACEHOLDERS)?;
    let changes: Changes = input
        .edits
        .iter()
        .map(|e| (e.key.as_str(), &e.change))
        .collect();
    let (blocks, rate_uses, covered, riders) = billable_blocks(input, &changes)?;
    let (service_from, service_to) = service_period(input, &blocks, &changes)?;
    let period = text::period_de(service_from, service_to);
    let mut priced = priced_lines(input, &blocks, &changes, template, &period)?;
    let (lines, labour_lines) = arranged(input, std::mem::take(&mut priced.assembled))?;
    if limit_lines && lines.len() > MAX_LINE_ITEMS {
        return Err(BillingProblem::TooManyLines {
            lines: lines.len(),
            coarser: input.layout.coarser(),
        });
    }
    let totals = super::totals_of(&lines);
    let [title, introduction, remark] = texts(input, &period)?;
    let labour = labour_totals(input, &labour_lines);
    let remark = match (remark, &labour) {
        (Some(r), Some(l)) => Some(format!("{r}\n\n{}", l.sentence)),
        (None, Some(l)) => Some(l.sentence.clone()),
        (r, None) => r,
    };
    if let Some(r) = &remark {
        if text::text_len(r) > MAX_TEXT_LEN {
            return Err(BillingProblem::TextTooLong {
                field: "Schlusstext",
                chars: text::text_len(r),
            });
        }
    }
    let tax_type = sent_tax_type(input);
    let request = request_body(
        input,
        &lines,
        tax_type,
        (service_from, service_to),
        [title, introduction, remark],
    )?;
    let goodwill_entry_ids = lines
        .iter()
        .filter(|l| l.goodwill)
        .flat_map(|l| l.entry_ids.iter().copied())
        .collect();
    let entry_ids = priced.entry_ids(&riders, lines.iter().any(|l| l.kind != LineKind::Text));
    Ok(InvoicePlan {
        request,
        lines,
        totals,
        service_from,
        service_to,
        entry_ids,
        time_entry_ids: priced.time_entry_ids,
        service_entry_ids: priced.service_entry_ids,
        total_minutes: priced.total_minutes,
        billed_minutes: priced.billed_minutes,
        rates: rate_uses,
        removed: priced.removed_lines,
        goodwill_entry_ids,
        tax_type: tax_type.to_string(),
        labour,
        stale_edits: changes.len().saturating_sub(priced.keys_seen),
        billed_by_entry: priced.billed_by_entry,
        covered,
    })
}

fn removed(changes: &Changes, key: &str) -> bool {
    matches!(changes.get(key), Some(LineChange::Remove))
}

/// What is billable, per block, as the Aufstellung groups it. A line taken out
/// with „Entfernen“ leaves the rest of its days rounded without it.
#[allow(clippy::type_complexity)]
fn billable_blocks(
    input: &BillingInput,
    changes: &Changes,
) -> Result<(Vec<Block>, Vec<RateUse>, Vec<String>, Vec<u64>), BillingProblem> {
    let first = blocks_of(input, &HashSet::new())?;
    let taken_out: HashSet<u64> = first
        .0
        .iter()
        .flat_map(|b| b.times.iter())
        .filter(|t| removed(changes, &t.key))
        .flat_map(|t| t.entry_ids.iter().copied())
        .collect();
    if !taken_out.is_empty()
        && input
            .groups
            .iter()
            .any(|g| g.rounding.scope == crate::model::RoundingScope::DayAndEmployee)
    {
        return blocks_of(input, &taken_out);
    }
    Ok(first)
}

/// The service period: first to last day of what stays on the draft.
fn service_period(
    input: &BillingInput,
    blocks: &[Block],
    changes: &Changes,
) -> Result<(NaiveDate, NaiveDate), BillingProblem> {
    let mut kept_days: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut any_line = false;
    for b in blocks {
        for (key, days) in b
            .times
            .iter()
            .map(|t| (&t.key, &t.days))
            .chain(b.services.iter().map(|s| (&s.key, &s.days)))
        {
            any_line = true;
            if !removed(changes, key) {
                kept_days.extend(days);
            }
        }
    }
    match (kept_days.first(), kept_days.last()) {
        (Some(a), Some(b)) => Ok((*a, *b)),
        _ if !input.extra_lines.is_empty() => Ok((input.period_from, input.period_to)),
        _ if any_line => Err(BillingProblem::AllRemoved),
        _ => Err(BillingProblem::NothingBillable),
    }
}

/// The lines of the blocks with the edits applied, and what they bill.
#[derive(Default)]
struct Priced {
    assembled: Vec<Assembled>,
    removed_lines: Vec<RemovedLine>,
    time_entry_ids: Vec<u64>,
    service_entry_ids: Vec<u64>,
    total_minutes: u64,
    billed_minutes: u64,
    billed_by_entry: Vec<(u64, u32)>,
    /// Edits that met a line.
    keys_seen: usize,
}

impl Priced {
    /// Every entry the draft bills, sorted: times of days already billed ride
    /// along when the draft bills anything (`bills`).
    fn entry_ids(&mut self, riders: &[u64], bills: bool) -> Vec<u64> {
        if bills {
            self.time_entry_ids.extend(riders);
            self.billed_by_entry
                .extend(riders.iter().map(|id| (*id, 0)));
        }
        self.time_entry_ids.sort_unstable();
        self.service_entry_ids.sort_unstable();
        self.billed_by_entry.sort_unstable();
        self.time_entry_ids
            .iter()
            .chain(self.service_entry_ids.iter())
            .copied()
            .collect()
    }
}

fn priced_lines(
    input: &BillingInput,
    blocks: &[Block],
    changes: &Changes,
    template: &str,
    period: &str,
) -> Result<Priced, BillingProblem> {
    let time_tax_rate = if zero_rated(input) {
        Decimal::ZERO
    } else if blocks.iter().any(|b| b.times.iter().any(|t| !t.goodwill)) {
        valid_tax_rate(input.time_tax_rate)?
    } else {
        // Only goodwill time: 0 € lines, the rate does not matter but must be valid.
        crate::money::allowed_tax_rate(input.time_tax_rate).unwrap_or(Decimal::ZERO)
    };
    let mut out = Priced::default();
    for block in blocks {
        // (line, Arbeitskosten?) in order.
        let mut block_lines: Vec<(PreviewLine, bool)> = Vec::new();
        for t in &block.times {
            let c = time_candidate(input, block, t, template, period, time_tax_rate)?;
            let Some(line) = apply(
                c,
                changes,
                &mut out.keys_seen,
                &mut out.removed_lines,
                input,
            )?
            else {
                continue;
            };
            if !t.goodwill && !line.goodwill {
                out.total_minutes += t.recorded;
                out.billed_minutes += t.billed;
            }
            out.time_entry_ids.extend(&line.entry_ids);
            // Goodwill („Als Kulanz“) bills nothing: no day counts as billed by it.
            if line.goodwill {
                out.billed_by_entry
                    .extend(t.billed_each.iter().map(|(id, _)| (*id, 0)));
            } else {
                out.billed_by_entry.extend(&t.billed_each);
            }
            block_lines.push((line, true));
        }
        for s in &block.services {
            let c = service_candidate(s)?;
            if let Some(line) = apply(
                c,
                changes,
                &mut out.keys_seen,
                &mut out.removed_lines,
                input,
            )? {
                out.service_entry_ids.extend(&line.entry_ids);
                block_lines.push((line, s.labour));
            }
        }
        if !block_lines.is_empty() {
            out.assembled.push((block.heading.clone(), block_lines));
        }
    }
    Ok(out)
}

/// One time line as computed: its name from the Positionstext, hours at its rate.
fn time_candidate(
    input: &BillingInput,
    block: &Block,
    t: &TimeAgg,
    template: &str,
    period: &str,
    time_tax_rate: Decimal,
) -> Result<Candidate, BillingProblem> {
    let unit = match input.hours.unit.trim() {
        "" => HOUR_UNIT,
        u => u,
    };
    let several = block
        .times
        .iter()
        .filter(|o| o.group_key == t.group_key && o.goodwill == t.goodwill)
        .count()
        > 1;
    let dates = dates_text(&t.days);
    let duration = text::hours_minutes(t.billed);
    let (employees, roles, notes, subs) = (
        t.employees.join(", "),
        t.roles.join(", "),
        t.notes.join("; "),
        t.subprojects.join(", "),
    );
    let value = |name: &str| match name {
        "Datum" => Some(dates.as_str()),
        "Mitarbeiter" => Some(employees.as_str()),
        "Rolle" => Some(roles.as_str()),
        "Beschreibung" => Some(notes.as_str()),
        "Unterprojekt" => Some(subs.as_str()),
        "Projekt" => Some(block.name.as_str()),
        "Zeitraum" => Some(period),
        "Dauer" => Some(duration.as_str()),
        _ => None,
    };
    let (mut name, description) = line_text::render(template, value, TIME_LINE_PREFIX);
    // Several rates in one group: a line of one role says so.
    if let Some(role) = t.rate_roles.iter().next() {
        if several && input.layout != Layout::Role && t.rate_roles.len() == 1 && !role.is_empty() {
            name = text::truncate(&format!("{name} – {role}"), MAX_LINE_NAME_LEN);
        }
    }
    let hours = totals::round_half_up(
        Decimal::from(t.billed) / Decimal::from(60),
        input.hours.decimals(),
    );
    let mut line = checked_line(&name, description, hours, unit, t.rate, time_tax_rate)?;
    line.key = t.key.clone();
    line.time = true;
    line.rate_source = Some(t.sources.join(", ")).filter(|s| !s.is_empty());
    line.entry_ids = t.entry_ids.clone();
    let full_amount = line.amount;
    let c = Candidate { line, full_amount };
    Ok(if t.goodwill { goodwill(c) } else { c })
}

/// One service line as computed.
fn service_candidate(s: &ServiceAgg) -> Result<Candidate, BillingProblem> {
    let name = text::truncate(&s.name, MAX_LINE_NAME_LEN);
    let description =
        text::service_description(&s.days, &s.descriptions.list, MAX_LINE_DESCRIPTION_LEN);
    let mut line = checked_line(
        &name,
        Some(description),
        s.quantity,
        &s.unit,
        s.unit_price,
        s.tax_rate,
    )?;
    line.key = s.key.clone();
    line.entry_ids = s.entry_ids.clone();
    line.article = s.article.clone();
    let full_amount = line.amount;
    Ok(Candidate { line, full_amount })
}

/// The lines in their order with their headings: per subproject; for a §35a
/// customer first the section („Arbeitskosten“, „Materialkosten“), then the
/// subprojects within it. Lines added with „Position hinzufügen“ come after
/// the others; for a §35a customer at the end of their section (Arbeitskosten
/// by their Art). Returns the lines and the Arbeitskosten lines among them.
fn arranged(
    input: &BillingInput,
    mut assembled: Vec<Assembled>,
) -> Result<(Vec<PreviewLine>, Vec<PreviewLine>), BillingProblem> {
    let mut lines: Vec<PreviewLine> = Vec::new();
    let mut labour_lines: Vec<PreviewLine> = Vec::new();
    let sections: Vec<(Option<&str>, Option<bool>)> = if input.private_35a {
        vec![
            (Some(LABOUR_SECTION), Some(true)),
            (Some(MATERIAL_SECTION), Some(false)),
        ]
    } else {
        vec![(None, None)]
    };
    let mut added: Vec<(PreviewLine, bool)> = Vec::new();
    for (i, extra) in input.extra_lines.iter().enumerate() {
        let position = assembled.iter().map(|(_, ls)| ls.len()).sum::<usize>() + added.len() + 1;
        let mut line = priced_line(extra, None, input, position)?;
        line.key = extra_key(i);
        line.added = true;
        let art = extra
            .art
            .unwrap_or_else(|| ServiceArt::default_for(line.unit.as_deref().unwrap_or("")));
        added.push((line, art.is_labour()));
    }
    if input.private_35a && !added.is_empty() {
        assembled.push((None, std::mem::take(&mut added)));
    }
    for (title, want) in sections {
        let parts: Vec<(&Option<String>, Vec<PreviewLine>)> = assembled
            .iter()
            .map(|(h, ls)| {
                let ls: Vec<PreviewLine> = ls
                    .iter()
                    .filter(|(_, labour)| want.is_none_or(|w| w == *labour))
                    .map(|(l, _)| l.clone())
                    .collect();
                (h, ls)
            })
            .filter(|(_, ls)| !ls.is_empty())
            .collect();
        if parts.is_empty() {
            continue;
        }
        if let Some(t) = title {
            let mut section = PreviewLine::text(t);
            section.key = format!("sec:{}", parts[0].1[0].key);
            lines.push(section);
        }
        for (h, ls) in parts {
            if let Some(h) = h {
                let mut heading = PreviewLine::text(h.clone());
                heading.key = format!("h:{}", ls[0].key);
                lines.push(heading);
            }
            if want == Some(true) {
                labour_lines.extend(ls.iter().cloned());
            }
            lines.extend(ls);
        }
    }
    lines.extend(added.into_iter().map(|(l, _)| l));
    Ok((lines, labour_lines))
}

/// §35a: the Arbeitskosten as lexoffice totals those lines, for the Schlusstext
/// (after the firm's own text, or alone).
fn labour_totals(input: &BillingInput, labour_lines: &[PreviewLine]) -> Option<LabourTotals> {
    (input.private_35a && !labour_lines.is_empty()).then(|| {
        let t = super::totals_of(labour_lines);
        let sentence = if t.tax.is_zero() {
            format!(
                "Im Rechnungsbetrag sind Arbeitskosten in Höhe von {} enthalten (§ 35a EStG).",
                format_eur(t.net)
            )
        } else {
            format!(
                "Im Rechnungsbetrag sind Arbeitskosten in Höhe von {} zzgl. {} USt (gesamt {}) enthalten (§ 35a EStG).",
                format_eur(t.net),
                format_eur(t.tax),
                format_eur(t.gross)
            )
        };
        LabourTotals {
            net: t.net,
            tax: t.tax,
            gross: t.gross,
            sentence,
        }
    })
}

/// The organisation's Kleinunternehmer/tax-exempt status wins over the Steuerart.
fn sent_tax_type(input: &BillingInput) -> &'static str {
    if input.small_business {
        "vatfree"
    } else {
        input.tax_case.tax_type()
    }
}

/// The request body of `POST /v1/invoices`.
fn request_body(
    input: &BillingInput,
    lines: &[PreviewLine],
    tax_type: &str,
    (service_from, service_to): (NaiveDate, NaiveDate),
    texts: [Option<String>; 3],
) -> Result<Value, BillingProblem> {
    let items = lines
        .iter()
        .map(request::line_item)
        .collect::<Result<Vec<_>, _>>()?;
    let mut body = Map::new();
    body.insert(
        "voucherDate".into(),
        json!(request::berlin_midnight(input.today)),
    );
    body.insert(
        "address".into(),
        json!({ "contactId": input.contact_id.trim() }),
    );
    body.insert("lineItems".into(), Value::Array(items));
    if input.xrechnung_opt_out {
        body.insert("xRechnung".into(), json!({ "buyerReference": "" }));
    }
    // An explicit 0 % keeps lexoffice from applying the contact's default discount
    // (docs/lexoffice.md › Creating an invoice), so the draft shows exactly the previewed amounts.
    body.insert(
        "totalPrice".into(),
        json!({ "currency": "EUR", "totalDiscountPercentage": 0 }),
    );
    let mut tax_conditions = Map::new();
    tax_conditions.insert("taxType".into(), json!(tax_type));
    if let Some(note) = input
        .tax_note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && !input.small_business && tax_type != "net")
    {
        tax_conditions.insert("taxTypeNote".into(), json!(note));
    }
    body.insert("taxConditions".into(), Value::Object(tax_conditions));
    body.insert(
        "shippingConditions".into(),
        request::shipping_conditions(service_from, service_to),
    );
    // Blank texts are not sent: lexoffice then uses the organisation's own.
    for (field, value) in ["title", "introduction", "remark"].into_iter().zip(texts) {
        if let Some(v) = value {
            body.insert(field.into(), json!(v));
        }
    }
    Ok(Value::Object(body))
}

/// The line as goodwill: 0,00 €, named so, its value shown beside it.
fn goodwill(c: Candidate) -> Candidate {
    let Candidate {
        mut line,
        full_amount,
    } = c;
    let Some(zero) = PreviewLine::custom(
        line.name.clone(),
        line.description.clone(),
        line.quantity.unwrap_or_default(),
        line.unit.clone().unwrap_or_default(),
        Decimal::ZERO,
        line.tax_rate.unwrap_or_default(),
    ) else {
        return Candidate { line, full_amount };
    };
    line.name = text::truncate(
        &format!("{}{GOODWILL_SUFFIX}", line.name),
        MAX_LINE_NAME_LEN,
    );
    line.unit_price = zero.unit_price;
    line.unit_price_display = zero.unit_price_display;
    line.amount = zero.amount;
    line.amount_display = zero.amount_display;
    line.goodwill = true;
    line.goodwill_value_display = full_amount
        .filter(|a| !a.is_zero())
        .map(|a| format!("statt {}", format_eur(a)));
    Candidate { line, full_amount }
}

/// Applies the line's edit, if any: None = removed.
fn apply(
    c: Candidate,
    changes: &HashMap<&str, &LineChange>,
    seen: &mut usize,
    removed: &mut Vec<RemovedLine>,
    input: &BillingInput,
) -> Result<Option<PreviewLine>, BillingProblem> {
    let mut line = c.line;
    // The form shows the values as computed (a goodwill line: its full price).
    if let Some(form) = &mut line.form {
        form.name = line.name.trim_end_matches(GOODWILL_SUFFIX).to_string();
        form.description = line.description.clone().unwrap_or_default();
        form.unit = line.unit.clone().unwrap_or_default();
    }
    let Some(change) = changes.get(line.key.as_str()) else {
        return Ok(Some(line));
    };
    *seen += 1;
    match change {
        LineChange::Remove => {
            removed.push(RemovedLine {
                key: line.key.clone(),
                name: line.name.clone(),
                amount_display: line.amount_display.clone().unwrap_or_default(),
            });
            Ok(None)
        }
        LineChange::Goodwill if line.goodwill => Ok(Some(line)),
        LineChange::Goodwill => Ok(Some(
            goodwill(Candidate {
                line,
                full_amount: c.full_amount,
            })
            .line,
        )),
        LineChange::Set(values) => {
            let mut edited = priced_line(values, line.unit.as_deref(), input, 0)?;
            edited.key = line.key;
            edited.time = line.time;
            edited.rate_source = line.rate_source;
            edited.entry_ids = line.entry_ids;
            edited.edited = true;
            edited.form = line.form;
            Ok(Some(edited))
        }
    }
}

/// A priced line from typed values (an edit or an added line), checked like a
/// service. `position` names an added line in messages (0 = an edit).
fn priced_line(
    v: &LineValues,
    unit_before: Option<&str>,
    input: &BillingInput,
    position: usize,
) -> Result<PreviewLine, BillingProblem> {
    let name = text::truncate(v.name.trim(), MAX_LINE_NAME_LEN);
    if name.is_empty() {
        return Err(BillingProblem::LineWithoutName { position });
    }
    let quantity = v.quantity.normalize();
    if quantity.is_sign_negative() || quantity.scale() > 4 {
        return Err(BillingProblem::InvalidServiceQuantity { name });
    }
    let price = v.unit_price.normalize();
    if (price.is_sign_negative() && !price.is_zero()) || price.scale() > 4 {
        return Err(BillingProblem::InvalidServicePrice { name });
    }
    let tax = if zero_rated(input) {
        Decimal::ZERO
    } else {
        valid_tax_rate(v.tax_rate)?
    };
    let unit = match (v.unit.trim(), unit_before) {
        ("", Some(u)) => u.to_string(),
        ("", None) => EXTRA_UNIT.to_string(),
        (u, _) => u.to_string(),
    };
    let description = Some(text::truncate(
        v.description.trim(),
        MAX_LINE_DESCRIPTION_LEN,
    ))
    .filter(|d| !d.is_empty());
    let mut line = checked_line(&name, description, quantity, &unit, price, tax)?;
    if let Some(form) = &mut line.form {
        form.name = line.name.clone();
        form.description = line.description.clone().unwrap_or_default();
        form.unit = unit;
    }
    Ok(line)
}

/// A custom line whose amount stays within [`MAX_LINE_AMOUNT`].
fn checked_line(
    name: &str,
    description: Option<String>,
    quantity: Decimal,
    unit: &str,
    unit_price: Decimal,
    tax_rate: Decimal,
) -> Result<PreviewLine, BillingProblem> {
    let too_large = || BillingProblem::ValueTooLarge {
        name: name.to_string(),
    };
    let line = PreviewLine::custom(name, description, quantity, unit, unit_price, tax_rate)
        .ok_or_else(too_large)?;
    match line.amount {
        Some(a) if a < MAX_LINE_AMOUNT => Ok(line),
        _ => Err(too_large()),
    }
}
