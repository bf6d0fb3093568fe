//! From stored projects and entries to what the engine bills: the rate tables of
//! a project family (`billing::rates`), the Abrechnungstakt of each project and
//! the groups of priced times and services. Used by the preview, the draft and
//! the Projekte figure „noch nicht abgerechnet“, so all three agree.

use std::collections::{HashMap, HashSet};

use crate::billing::rates::{self, Level, Overrides, RateTables};
use crate::billing::{Group, PriorTime, ServiceItem, TimeItem};
use crate::model::{
    BillingState, Customer, Entry, EntryKind, HourFormat, InvoiceRecord, InvoiceStyle, Layout,
    Project, Rounding, RoundingScope, Settings,
};

/// The rates and rounding rules of one project family.
#[derive(Debug, Clone)]
pub struct Pricing {
    pub tables: RateTables,
    roundings: HashMap<u64, Rounding>,
    pub hours: HourFormat,
    /// The Aufstellung an invoice of this family starts with (the figure
    /// „noch nicht abgerechnet“ is the preview's net in that Aufstellung).
    pub layout: Layout,
}

impl Pricing {
    /// `project` is the one billed (a main project or a subproject), `parent` its
    /// main project if it is a subproject, `subs` its subprojects.
    pub fn load(
        project: &Project,
        parent: Option<&Project>,
        subs: &[Project],
        customer: Option<&Customer>,
        settings: &Settings,
    ) -> Pricing {
        let main = parent.unwrap_or(project);
        let mut subprojects: HashMap<u64, Level> =
            subs.iter().map(|s| (s.id, Level::of_project(s))).collect();
        if parent.is_some() {
            subprojects.insert(project.id, Level::of_project(project));
        }
        let tables = RateTables {
            main_project_id: main.id,
            main: Level::of_project(main),
            subprojects,
            customer: customer.map(Level::of_customer),
            employees: settings
                .employees
                .iter()
                .map(|e| (e.id, e.clone()))
                .collect(),
            roles: settings.roles.iter().map(|r| (r.id, r.clone())).collect(),
            default_rate: settings.hourly_rate,
            default_changes: settings.rate_changes.clone(),
        };
        // Abrechnungstakt: the project's own → its main project's → the
        // customer's → Einstellungen › Abrechnung.
        let fallback = main
            .rules
            .rounding
            .or_else(|| customer.and_then(|c| c.rules.rounding))
            .unwrap_or(settings.rounding);
        let mut roundings = HashMap::new();
        for p in std::iter::once(project).chain(subs.iter()) {
            roundings.insert(p.id, p.rules.rounding.unwrap_or(fallback));
        }
        Pricing {
            tables,
            roundings,
            hours: settings.hours.clone(),
            layout: InvoiceStyle::for_customer(customer, settings).layout,
        }
    }

    pub fn rounding(&self, project_id: u64) -> Rounding {
        self.roundings.get(&project_id).copied().unwrap_or_default()
    }

    /// The role name of an employee on a day („je Rolle“, {Rolle}).
    pub fn role_of(&self, employee_id: Option<u64>, date: chrono::NaiveDate) -> Option<String> {
        let e = self.tables.employees.get(&employee_id?)?;
        self.tables
            .roles
            .get(&e.role_on(date)?)
            .map(|r| r.name.clone())
    }

    /// One engine group: `project`'s entries (those given) priced. A
    /// non-billable time among them is goodwill („Nicht abrechenbare Zeiten als
    /// Kulanz zeigen“).
    pub fn group<'a>(
        &self,
        project: &Project,
        is_subproject: bool,
        entries: impl IntoIterator<Item = &'a Entry>,
        overrides: &Overrides,
    ) -> Group {
        let mut g = Group {
            project_id: project.id,
            name: project.name.clone(),
            is_subproject,
            rounding: self.rounding(project.id),
            times: Vec::new(),
            services: Vec::new(),
            prior: Vec::new(),
        };
        for e in entries {
            match &e.kind {
                EntryKind::Time {
                    minutes,
                    employee,
                    employee_id,
                    ..
                } => g.times.push(TimeItem {
                    entry_id: e.id,
                    date: e.date,
                    minutes: *minutes,
                    employee: employee.clone(),
                    employee_id: *employee_id,
                    role: self.role_of(*employee_id, e.date),
                    rate: rates::resolve(&self.tables, overrides, project.id, *employee_id, e.date),
                    description: e.description.clone(),
                    goodwill: !e.billable,
                }),
                EntryKind::Service {
                    name,
                    quantity,
                    unit,
                    unit_price,
                    tax_rate,
                    art,
                    article,
                } => g.services.push(ServiceItem {
                    entry_id: e.id,
                    date: e.date,
                    name: name.clone(),
                    description: e.description.clone(),
                    quantity: *quantity,
                    unit: unit.clone(),
                    unit_price: *unit_price,
                    tax_rate: *tax_rate,
                    art: *art,
                    article: article.clone(),
                }),
            }
        }
        g
    }
}

/// What earlier drafts billed, for rounding a day once (`Group::prior`): the
/// billed minutes each draft stored per entry, and how to name the draft.
#[derive(Debug, Default)]
pub struct PriorIndex {
    /// lexoffice id → (name, billed minutes per entry).
    drafts: HashMap<String, (String, HashMap<u64, u32>)>,
    /// Attempt (record id) → the same, for entries still reserved.
    attempts: HashMap<String, (String, HashMap<u64, u32>)>,
}

impl PriorIndex {
    pub fn of(records: &[InvoiceRecord]) -> PriorIndex {
        let mut index = PriorIndex::default();
        for r in records {
            let minutes: HashMap<u64, u32> = r.billed_minutes.iter().copied().collect();
            let name = draft_name(r);
            match &r.lexoffice_id {
                Some(id) => {
                    index.drafts.insert(id.clone(), (name, minutes));
                }
                None => {
                    index.attempts.insert(r.id.to_string(), (name, minutes));
                }
            }
        }
        index
    }

    /// How the draft an entry is billed with is named („Rechnung RE-1001“,
    /// „Entwurf vom 03.03.2026 10:12“); None for an open entry.
    pub fn name_of(&self, billing: &BillingState) -> Option<String> {
        self.lookup(billing)
            .map(|(n, _)| n.clone())
            .or(match billing {
                BillingState::Open => None,
                BillingState::Billed { .. } => Some("einem früheren Entwurf".into()),
                BillingState::Reserved { .. } => Some("einem noch ungeklärten Versuch".into()),
            })
    }

    fn lookup(&self, billing: &BillingState) -> Option<&(String, HashMap<u64, u32>)> {
        match billing {
            BillingState::Open => None,
            BillingState::Billed { invoice_id } => self.drafts.get(invoice_id),
            BillingState::Reserved { attempt } => self.attempts.get(attempt),
        }
    }

    /// The minutes the draft of a billed or reserved entry stored for it.
    pub fn billed_minutes(&self, e: &Entry) -> Option<u32> {
        self.lookup(&e.billing)
            .and_then(|(_, m)| m.get(&e.id).copied())
    }

    /// Gives `group` the times of `entries` (of the same project) that earlier
    /// drafts billed on the days of its open times, when its Abrechnungstakt
    /// rounds per day and employee.
    pub fn attach<'a>(&self, group: &mut Group, entries: impl IntoIterator<Item = &'a Entry>) {
        if group.rounding.scope != RoundingScope::DayAndEmployee {
            return;
        }
        let days: HashSet<chrono::NaiveDate> = group
            .times
            .iter()
            .filter(|t| !t.goodwill)
            .map(|t| t.date)
            .collect();
        if days.is_empty() {
            return;
        }
        for e in entries {
            let EntryKind::Time {
                minutes,
                employee_id,
                ..
            } = &e.kind
            else {
                continue;
            };
            if !e.billable
                || *minutes == 0
                || e.billing == BillingState::Open
                || !days.contains(&e.date)
            {
                continue;
            }
            group.prior.push(PriorTime {
                entry_id: e.id,
                date: e.date,
                employee_id: *employee_id,
                minutes: *minutes,
                billed: self
                    .lookup(&e.billing)
                    .and_then(|(_, m)| m.get(&e.id).copied()),
                invoice: self.name_of(&e.billing).unwrap_or_default(),
            });
        }
    }
}

/// „Rechnung RE-1001“ once finalised, else „Entwurf vom 03.03.2026 10:12“.
pub fn draft_name(r: &InvoiceRecord) -> String {
    match (&r.voucher_number, r.is_finalised()) {
        (Some(n), true) => format!("Rechnung {n}"),
        _ => format!("Entwurf vom {}", crate::de::format::date_time(r.created_at)),
    }
}
