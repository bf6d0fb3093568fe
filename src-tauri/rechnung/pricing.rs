//! From stored projects and entries to what the engine bills: the rate tables of
//! a project family (`billing::rates`), the Abrechnungstakt of each project and
//! the groups of priced times and services. Used by the preview, the draft and
//! the Projekte figure „noch nicht abgerechnet“, so all three agree.

use std::collections::HashMap;

use crate::billing::rates::{self, Level, Overrides, RateTables};
use crate::billing::{Group, ServiceItem, TimeItem};
use crate::storage::{
    Customer, Entry, EntryKind, HourFormat, InvoiceStyle, Layout, Project, Rounding, Settings,
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

    /// The role name of an employee („je Rolle“, {Rolle}).
    pub fn role_of(&self, employee_id: Option<u64>) -> Option<String> {
        let e = self.tables.employees.get(&employee_id?)?;
        self.tables.roles.get(&e.role_id?).map(|r| r.name.clone())
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
                    role: self.role_of(*employee_id),
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
