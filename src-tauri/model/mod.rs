//! The records and the rules that follow from them alone: customer, project,
//! entry, invoice record, billing rules, tax, invoice style, catalog, settings.
//! No database, no `Core`, no clock (docs/architecture.md › Rooms); `storage`
//! keeps them, `billing` prices them, the features show and change them.

mod catalog;
mod customer;
pub mod entry_rules;
mod invoice;
mod invoice_style;
mod project;
mod rules;
mod settings;
mod staff;
mod tax;
mod version;

pub use catalog::{ArticleRef, CatalogItem};
pub use customer::{
    address_lines, Address, Customer, CustomerKind, CustomerTax, LexofficeFields, Source,
};
pub use invoice::{draft_label, unsettled, InvoiceRecord, InvoiceState, SeenInLexoffice};
pub use invoice_style::{InvoiceStyle, Layout};
pub use project::{BillingState, Entry, EntryKind, Project, ProjectStatus};
pub use rules::{
    flat_rate_on, role_rate_on, DatedRate, DatedRole, Employee, HourFormat, RateRules, Role,
    RoleRate, Rounding, RoundingMode, RoundingScope, ROUNDING_STEPS,
};
pub use settings::{ProfileCache, SavedMapping, Settings, TaxMode, MAX_SAVED_MAPPINGS};
pub use staff::{clean_name, employee_named, name_key};
pub use tax::{
    lexoffice_tax_note, suggested_tax_case, ServiceArt, TaxCase, TaxNotes, EU_COUNTRIES,
};
pub use version::{
    changed_meanwhile, still_value, still_version, value_unchanged, version_of, version_of_value,
};
