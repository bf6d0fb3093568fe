//! The preview: what the draft will contain and what blocks it (`plan`), the dialog's defaults.
use super::*;

pub async fn defaults(core: &Core, project_id: u64) -> AppResult<DialogDefaults> {
    let store = core.store.clone();
    blocking(move || {
        let ctx = context(&store, project_id, None)?;
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
            last_month: (de_date(lm_from), de_date(lm_to)),
            this_month: (de_date(tm_from), de_date(tm_to)),
            all_open,
            layouts: layout_choices(),
            style: StyleView::of(&ctx.style),
            style_source: if ctx.style_remembered {
                "Für diesen Kunden gemerkt".to_string()
            } else {
                "Standard aus Einstellungen › Abrechnung".to_string()
            },
            line_placeholders: billing::line_text::listed(&billing::line_text::LINE_PLACEHOLDERS),
            text_placeholders: billing::line_text::listed(&billing::line_text::TEXT_PLACEHOLDERS),
            has_unbillable: ctx.entries.iter().any(|(e, _)| {
                !e.billable
                    && e.billing == BillingState::Open
                    && matches!(e.kind, crate::storage::EntryKind::Time { .. })
            }),
        })
    })
    .await
}

/// The draft a preview shows, in one word: the body to be sent (lines, rates,
/// totals, texts) and each entry on it with its version (`updated_at`) and
/// billing state, so an edit, a rate saved or an entry freed or locked by the
/// sync since the preview changes it.
pub(super) fn confirm_token(ctx: &Context, plan: &billing::InvoicePlan) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    plan.request.to_string().hash(&mut h);
    let ids: HashSet<u64> = plan.entry_ids.iter().copied().collect();
    let mut versions: Vec<(u64, i64, String)> = ctx
        .entries
        .iter()
        .filter(|(e, _)| ids.contains(&e.id))
        .map(|(e, _)| {
            (
                e.id,
                e.updated_at.timestamp_micros(),
                format!("{:?}", e.billing),
            )
        })
        .collect();
    versions.sort();
    versions.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// What lexoffice demands of an XRechnung that this draft does not meet, in
/// German (empty: all met).
fn xrechnung_missing(c: &Customer, plan: &billing::InvoicePlan) -> Vec<String> {
    let mut missing = Vec::new();
    if plan.tax_type != "net" {
        missing.push(format!(
            "eine XRechnung braucht die Steuerart Standard (dieser Entwurf: {})",
            plan.tax_type
        ));
    }
    let bare = plan
        .lines
        .iter()
        .filter(|l| l.kind != billing::LineKind::Text)
        .filter(|l| l.description.as_deref().is_none_or(|d| d.trim().is_empty()))
        .count();
    if bare > 0 {
        missing.push(if bare == 1 {
            "1 Position hat keine Beschreibung".to_string()
        } else {
            format!("{bare} Positionen haben keine Beschreibung")
        });
    }
    let a = &c.address;
    if [&a.street, &a.zip, &a.city, &a.country_code]
        .iter()
        .any(|f| f.trim().is_empty())
    {
        missing.push(
            "die Anschrift in lexoffice ist unvollständig (Straße, PLZ, Ort und Land)".to_string(),
        );
    }
    missing
}

/// The plan plus everything the dialog shows. `has_key` = a key is in the keyring.
/// The steps: who the draft goes to, which entries it takes, its Steuerart, its
/// texts, the engine's lines, the dialog's view.
pub(super) fn plan(
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
    let contact_id = contact_of(customer, &mut problems);
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
    let (in_period, goodwill) = period_entries(ctx, p);
    notes.extend(skipped_notes(ctx, &in_period));
    let grouped = tax_groups(ctx, p, &in_period, &goodwill);
    let tax = tax_decision(ctx, &grouped, &mut problems, &mut notes);
    if let Some(c) = customer {
        customer_tax_checks(c, tax.case, &mut problems, &mut notes);
    }
    let texts = tax_texts(ctx, tax.case);
    let style = p.style(&ctx.style);
    let given = |t: &str| Some(t.to_string()).filter(|t| !t.trim().is_empty());
    let mut input = BillingInput {
        xrechnung_opt_out: false,
        contact_id: contact_id.clone().unwrap_or_else(|| "-".into()),
        project_name: ctx.project.name.clone(),
        project_number: ctx.project.number.clone(),
        customer_name: customer.map(|c| c.name.clone()).unwrap_or_default(),
        period_from: p.from,
        period_to: p.to,
        hours: ctx.pricing.hours.clone(),
        list_subprojects,
        small_business: ctx.vatfree,
        time_tax_rate: ctx.default_tax,
        today: today_berlin(),
        layout: style.layout,
        line_text: style.line_text.clone(),
        title: given(&style.title),
        introduction: given(&style.introduction),
        remark: given(&style.remark),
        edits: p.edits.clone(),
        extra_lines: p.extra_lines.clone(),
        tax_case: tax.case,
        tax_note: Some(texts.own_note.clone()).filter(|n| !n.is_empty()),
        private_35a: customer.is_some_and(|c| c.tax.private_35a),
        groups: grouped.groups,
    };
    let built = build_checking_xrechnung(customer, &mut input, &mut notes);
    dialog_view(ctx, customer, &input, built, tax, texts, problems, notes)
}

/// The lexoffice contact the draft goes to, or None with the reason among `problems`.
fn contact_of(customer: Option<&Customer>, problems: &mut Vec<String>) -> Option<String> {
    match customer {
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
            let has = crate::de::format::billing_addresses_de(c.billing_addresses.unwrap_or(0));
            problems.push(format!("Der Kunde „{}“ hat in lexoffice {has}. lexoffice erstellt eine Rechnung nur für einen Kontakt mit genau einer Rechnungsadresse. Bitte den Kontakt in lexoffice bearbeiten („Kontakt in lexoffice öffnen“) und danach die Kunden erneut importieren.", c.name));
            None
        }
        Some(c) => c.lexoffice_id.clone(),
    }
}

type Held<'a> = Vec<&'a (Entry, u64)>;

/// The billable entries in the period (open ones go on the invoice, the
/// others are counted), and the open non-billable times shown as Kulanz when
/// „Nicht abrechenbare Zeiten als Kulanz zeigen“ is on.
fn period_entries<'a>(ctx: &'a Context, p: &Parsed) -> (Held<'a>, Held<'a>) {
    let in_period: Held = ctx
        .entries
        .iter()
        .filter(|(e, _)| e.date >= p.from && e.date <= p.to && e.billable)
        .collect();
    let goodwill: Held = if p.goodwill_unbillable {
        ctx.entries
            .iter()
            .filter(|(e, _)| {
                e.date >= p.from
                    && e.date <= p.to
                    && !e.billable
                    && e.billing == BillingState::Open
                    && matches!(e.kind, crate::storage::EntryKind::Time { .. })
            })
            .collect()
    } else {
        Vec::new()
    };
    (in_period, goodwill)
}

/// The notes on entries of the period that are left out: billed by a draft,
/// being billed at a seat right now, or held by an attempt not yet clear.
fn skipped_notes(ctx: &Context, in_period: &Held) -> Vec<String> {
    let mut notes = Vec::new();
    let mut billed_on: HashMap<String, usize> = HashMap::new();
    // Where („am Arbeitsplatz …“) → how many, in the order first met.
    let mut sending: Vec<(&str, usize)> = Vec::new();
    let mut reserved = 0usize;
    for (e, _) in in_period {
        match &e.billing {
            BillingState::Billed { invoice_id } => {
                *billed_on.entry(invoice_id.clone()).or_default() += 1
            }
            BillingState::Reserved { attempt } => match ctx.in_flight.get(attempt) {
                Some(place) => match sending.iter_mut().find(|(p, _)| p == place) {
                    Some((_, n)) => *n += 1,
                    None => sending.push((place, 1)),
                },
                None => reserved += 1,
            },
            BillingState::Open => {}
        }
    }
    if !billed_on.is_empty() {
        let n: usize = billed_on.values().sum();
        let drafts: Vec<String> = billed_on
            .keys()
            .map(|id| {
                ctx.prior
                    .name_of(&BillingState::Billed {
                        invoice_id: id.clone(),
                    })
                    .unwrap_or_default()
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
    for (place, n) in sending {
        notes.push(if n == 1 {
            format!("1 Eintrag im Zeitraum wird gerade {place} abgerechnet und hier ausgelassen.")
        } else {
            format!(
                "{n} Einträge im Zeitraum werden gerade {place} abgerechnet und hier ausgelassen."
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
    notes
}

/// The engine's groups, one per (sub)project, and which Steuerart each
/// (sub)project with something to bill has.
struct Grouped {
    groups: Vec<Group>,
    /// Steuerart → the (sub)projects with something to bill, before „Nur …“.
    cases: Vec<(crate::storage::TaxCase, Vec<String>)>,
    /// (Sub)projects a „Nur …“ leaves open.
    left_out: Vec<String>,
    /// The „Nur …“ in effect (never for a Kleinunternehmer: everything vatfree).
    only: Option<crate::storage::TaxCase>,
}

/// Each (sub)project bills with its own Steuerart; one draft has one.
fn tax_groups(ctx: &Context, p: &Parsed, in_period: &Held, goodwill: &Held) -> Grouped {
    let case_of = |pid: u64| ctx.tax_cases.get(&pid).copied().unwrap_or(ctx.tax_case);
    let only = p.only_tax.filter(|_| !ctx.vatfree);
    let family: Vec<&Project> = std::iter::once(&ctx.project)
        .chain(ctx.subs.iter())
        .collect();
    let mut g = Grouped {
        groups: Vec::new(),
        cases: Vec::new(),
        left_out: Vec::new(),
        only,
    };
    for pr in family {
        let open: Vec<&Entry> = in_period
            .iter()
            .filter(|(e, pid)| *pid == pr.id && e.billing == BillingState::Open)
            .chain(goodwill.iter().filter(|(_, pid)| *pid == pr.id))
            .map(|(e, _)| e)
            .collect();
        let case = case_of(pr.id);
        if !open.is_empty() {
            match g.cases.iter_mut().find(|(c, _)| *c == case) {
                Some((_, names)) => names.push(pr.name.clone()),
                None => g.cases.push((case, vec![pr.name.clone()])),
            }
        }
        let skip = only.is_some_and(|o| o != case);
        if skip && !open.is_empty() {
            g.left_out.push(format!("„{}“ ({})", pr.name, case.label()));
        }
        let mut group = ctx.pricing.group(
            pr,
            pr.id != ctx.project.id,
            open.into_iter().filter(|_| !skip),
            &p.overrides,
        );
        ctx.prior.attach(
            &mut group,
            in_period
                .iter()
                .filter(|(e, pid)| *pid == pr.id && e.is_locked())
                .map(|(e, _)| e),
        );
        g.groups.push(group);
    }
    g
}

/// The Steuerart the draft is sent with and what the dialog offers about it.
struct TaxDecision {
    case: crate::storage::TaxCase,
    choices: Vec<TaxChoice>,
    only_text: Option<String>,
    problem_field: Option<&'static str>,
}

/// Mixed Steuerarten block the draft and offer „Nur … abrechnen“; the
/// organisation's Kleinunternehmer/tax-exempt status wins over any Steuerart.
fn tax_decision(
    ctx: &Context,
    g: &Grouped,
    problems: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> TaxDecision {
    use crate::storage::TaxCase;
    let mixed = !ctx.vatfree && g.cases.len() > 1;
    let choices: Vec<TaxChoice> = if mixed {
        g.cases
            .iter()
            .map(|(c, names)| TaxChoice {
                key: c.key(),
                label: format!("Nur {} abrechnen", c.label()),
                projects: names.join(", "),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut problem_field = None;
    if mixed && g.only.is_none() {
        let parts: Vec<String> = g
            .cases
            .iter()
            .map(|(c, names)| {
                format!(
                    "{} mit {}",
                    names
                        .iter()
                        .map(|n| format!("„{n}“"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    c.label()
                )
            })
            .collect();
        problems.push(format!(
            "Dieser Entwurf würde Steuerarten mischen: {}. Eine Rechnung hat in lexoffice genau eine Steuerart – bitte die Teile nacheinander abrechnen: erst eine Steuerart, danach die andere. Was nicht abgerechnet wird, bleibt offen.",
            parts.join("; ")
        ));
        problem_field = Some("Steuerart");
    }
    let only_text = g.only.filter(|_| mixed || !g.left_out.is_empty()).map(|o| {
        if g.left_out.is_empty() {
            format!("Nur {} abrechnen.", o.label())
        } else {
            format!(
                "Nur {}: {} bleibt offen für den nächsten Entwurf.",
                o.label(),
                g.left_out.join(", ")
            )
        }
    });
    let billed_case = g
        .only
        .or_else(|| (g.cases.len() == 1).then(|| g.cases[0].0))
        .unwrap_or(ctx.tax_case);
    let case = if ctx.vatfree {
        TaxCase::Standard
    } else {
        billed_case
    };
    if ctx.vatfree && billed_case != TaxCase::Standard {
        notes.push(format!(
            "Ihre Organisation ist in lexoffice {}: Der Entwurf geht ohne Umsatzsteuer hinaus, die Steuerart „{}“ entfällt.",
            ctx.tax_words,
            billed_case.label()
        ));
    }
    TaxDecision {
        case,
        choices,
        only_text,
        problem_field,
    }
}

/// What the customer's lexoffice contact must allow for this Steuerart.
fn customer_tax_checks(
    c: &Customer,
    case: crate::storage::TaxCase,
    problems: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    use crate::storage::{CustomerKind, TaxCase};
    // lexoffice's web app wants the contact to allow tax-free invoices
    // (docs/lexoffice.md › Tax-free invoices and the contact).
    if case != TaxCase::Standard && c.tax.tax_free_allowed == Some(false) {
        notes.push(format!(
            "Beim Kontakt „{}“ ist in lexoffice „Steuerfreie Rechnungen erlauben“ nicht gesetzt; lexoffice kann eine Rechnung ohne Umsatzsteuer für ihn ablehnen. „In lexoffice aktualisieren“ im Kunden setzt es.",
            c.name
        ));
    }
    if case == TaxCase::Exempt {
        notes.push("„steuerfrei“ ist für steuerbefreite Organisationen gedacht. Ob lexoffice es von einer regulär besteuerten Firma annimmt, ist nicht dokumentiert – für Leistungen ins Ausland, §13b oder Photovoltaik bitte die passende Steuerart wählen.".to_string());
    }
    match case {
        TaxCase::EuService if c.vat_id.trim().is_empty() => problems.push(format!(
            "Für eine EU-Leistung (Reverse Charge) braucht der Kunde „{}“ eine USt-IdNr. Bitte sie in lexoffice beim Kontakt eintragen und die Kunden erneut importieren – oder eine andere Steuerart wählen.",
            c.name
        )),
        TaxCase::Construction13b if c.kind == CustomerKind::Person => problems.push(format!(
            "§13b Bauleistung gilt nur für Unternehmen als Kunden; „{}“ ist in lexoffice eine Privatperson. Bitte die Steuerart prüfen (im Projekt lässt sie sich für diesen Auftrag ändern).",
            c.name
        )),
        _ => {}
    }
}

/// The note the draft carries for its Steuerart and how the dialog explains it.
struct TaxTexts {
    own_note: String,
    rule: Option<String>,
    note: Option<String>,
}

fn tax_texts(ctx: &Context, case: crate::storage::TaxCase) -> TaxTexts {
    use crate::storage::TaxCase;
    let mut own_note = ctx.tax_notes.of(case).trim().to_string();
    // lexoffice documents no default note for photovoltaic systems: ours is sent.
    let own_default = own_note.is_empty() && case == TaxCase::Photovoltaic;
    if own_default {
        own_note = lexoffice_tax_note(case).to_string();
    }
    if case == TaxCase::Standard {
        return TaxTexts {
            own_note,
            rule: None,
            note: None,
        };
    }
    let rule = format!(
        "Steuerart {}: ohne deutsche Umsatzsteuer, alle Positionen mit 0 % (lexoffice: {}).",
        case.label(),
        case.tax_type()
    );
    let note = if own_default {
        format!("Hinweis auf der Rechnung: „{own_note}“ (Standard von Zeitrechnung; eigener Text unter Einstellungen › Abrechnung › Hinweise zur Steuerart)")
    } else if own_note.is_empty() {
        format!(
            "Hinweis auf der Rechnung: „{}“ (Standard von lexoffice)",
            lexoffice_tax_note(case)
        )
    } else {
        format!("Hinweis auf der Rechnung: „{own_note}“")
    };
    TaxTexts {
        own_note,
        rule: Some(rule),
        note: Some(note),
    }
}

/// The engine's plan. A public authority's contact (a Leitweg-ID) makes
/// lexoffice check the draft as an XRechnung: `net`, a description on every
/// priced line, a complete address. Met → an XRechnung; not met → explicitly a
/// normal invoice (docs/lexoffice.md › XRechnung contacts). Said either way.
fn build_checking_xrechnung(
    customer: Option<&Customer>,
    input: &mut BillingInput,
    notes: &mut Vec<String>,
) -> Result<billing::InvoicePlan, BillingProblem> {
    let built = billing::build(input);
    let (Some(c), Ok(plan)) = (customer, &built) else {
        return built;
    };
    if c.buyer_reference.trim().is_empty() {
        return built;
    }
    let missing = xrechnung_missing(c, plan);
    if missing.is_empty() {
        notes.push(format!(
            "XRechnung: Der Kunde hat die Leitweg-ID {}. lexoffice erstellt den Entwurf als XRechnung (Steuerart Standard, jede Position mit Beschreibung, vollständige Anschrift – alles erfüllt).",
            c.buyer_reference.trim()
        ));
        return built;
    }
    notes.push(format!(
        "XRechnung: Der Kunde hat die Leitweg-ID {}, aber {}. Der Entwurf geht deshalb als normale Rechnung (ohne XRechnung) an lexoffice. Für eine XRechnung bitte das ändern.",
        c.buyer_reference.trim(),
        missing.join(", ")
    ));
    input.xrechnung_opt_out = true;
    billing::build(input)
}

/// What the dialog shows whether or not there is a plan.
struct Shown {
    customer: Option<CustomerAddress>,
    fix_contact_customer_id: Option<u64>,
    coarser_layout: Option<LayoutChoice>,
    tax: TaxDecision,
    texts: TaxTexts,
    problems: Vec<String>,
    notes: Vec<String>,
}

/// The dialog's view of a built plan (or of why there is none).
#[allow(clippy::too_many_arguments)]
fn dialog_view(
    ctx: &Context,
    customer: Option<&Customer>,
    input: &BillingInput,
    built: Result<billing::InvoicePlan, BillingProblem>,
    tax: TaxDecision,
    texts: TaxTexts,
    problems: Vec<String>,
    notes: Vec<String>,
) -> (Preview, Option<billing::InvoicePlan>) {
    let shown = Shown {
        coarser_layout: match &built {
            Err(BillingProblem::TooManyLines {
                coarser: Some(l), ..
            }) => Some(LayoutChoice {
                key: l.key(),
                label: l.label(),
                default_text: l.default_text(),
            }),
            _ => None,
        },
        fix_contact_customer_id: customer
            .filter(|c| c.lexoffice_id.is_some() && c.wrong_billing_addresses().is_some())
            .map(|c| c.id),
        customer: customer.map(|c| CustomerAddress {
            name: c.name.clone(),
            number: c.number.clone(),
            lines: crate::model::address_lines(c),
        }),
        tax,
        texts,
        problems,
        notes,
    };
    match built {
        Ok(plan) => planned_view(ctx, input, plan, shown),
        Err(e) => (blocked_view(ctx, input, e, shown), None),
    }
}

/// A plan: the lines, totals and figures; sent only when nothing blocks.
fn planned_view(
    ctx: &Context,
    input: &BillingInput,
    plan: billing::InvoicePlan,
    mut shown: Shown,
) -> (Preview, Option<billing::InvoicePlan>) {
    shown.notes.extend(plan.covered.iter().cloned());
    if plan.stale_edits > 0 {
        shown.notes.push(if plan.stale_edits == 1 {
            "1 Änderung an einer Position passt nicht mehr zur Vorschau (Zeitraum oder Aufstellung geändert) und wurde nicht übernommen.".to_string()
        } else {
            format!("{} Änderungen an Positionen passen nicht mehr zur Vorschau (Zeitraum oder Aufstellung geändert) und wurden nicht übernommen.", plan.stale_edits)
        });
    }
    let ok = shown.problems.is_empty();
    let preview = Preview {
        ok,
        problems: shown.problems,
        notes: shown.notes,
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
        customer: shown.customer,
        small_business: ctx.vatfree,
        tax_rule: shown.texts.rule,
        tax_note: shown.texts.note,
        labour_sentence: plan.labour.as_ref().map(|l| l.sentence.clone()),
        entry_count: plan.entry_ids.len(),
        hours_display: format!("{} h", format_minutes(plan.total_minutes)),
        billed_hours_display: format!("{} h", format_minutes(plan.billed_minutes)),
        uniform_rate: match plan.rates.as_slice() {
            [one] => Some(format_de(one.rate, 2)),
            _ => None,
        },
        rates: plan.rates.clone(),
        fix_contact_customer_id: shown.fix_contact_customer_id,
        coarser_layout: shown.coarser_layout,
        removed: plan.removed.clone(),
        problem_field: shown.tax.problem_field,
        problem_field_key: shown.tax.problem_field.map(crate::error::field_key),
        tax_choices: shown.tax.choices,
        tax_only: shown.tax.only_text,
        remark_replaced: plan
            .labour
            .as_ref()
            .filter(|_| input.remark.is_none())
            .map(|_| REMARK_REPLACED.to_string()),
        confirm: confirm_token(ctx, &plan),
    };
    (preview, if ok { Some(plan) } else { None })
}

/// No plan: why, with the field to look at.
fn blocked_view(
    ctx: &Context,
    input: &BillingInput,
    e: BillingProblem,
    mut shown: Shown,
) -> Preview {
    if e == BillingProblem::NothingBillable {
        shown.notes.extend(billing::covered_days(input));
    }
    let problem_field = match &e {
        BillingProblem::UnknownPlaceholder { field, .. }
        | BillingProblem::TextTooLong { field, .. } => Some(*field),
        BillingProblem::TitleTooLong { .. } => Some("Titel"),
        _ => shown.tax.problem_field,
    };
    shown.problems.push(problem_text(&e));
    Preview {
        ok: false,
        problems: shown.problems,
        notes: shown.notes,
        lines: Vec::new(),
        totals: None,
        service_period: None,
        customer: shown.customer,
        small_business: ctx.vatfree,
        tax_rule: shown.texts.rule,
        tax_note: shown.texts.note,
        labour_sentence: None,
        entry_count: 0,
        hours_display: "0:00 h".into(),
        billed_hours_display: "0:00 h".into(),
        rates: Vec::new(),
        uniform_rate: None,
        fix_contact_customer_id: shown.fix_contact_customer_id,
        coarser_layout: shown.coarser_layout,
        removed: Vec::new(),
        problem_field,
        problem_field_key: problem_field.map(crate::error::field_key),
        tax_choices: shown.tax.choices,
        tax_only: shown.tax.only_text,
        remark_replaced: None,
        confirm: String::new(),
    }
}

pub async fn preview(core: &Core, req: InvoiceRequest) -> AppResult<Preview> {
    let parsed = parse_request(&req)?;
    let connected = has_key(core).await;
    let store = core.store.clone();
    let previewed = core.feature::<super::Previewed>();
    blocking(move || {
        let ctx = context(&store, req.project_id, Some((parsed.from, parsed.to)))?;
        let (preview, plan) = plan(&ctx, &parsed, req.list_subprojects, connected);
        if let Some(plan) = &plan {
            previewed.keep(&preview.confirm, &plan.entry_ids);
        }
        Ok(preview)
    })
    .await
}
