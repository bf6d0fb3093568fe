//! `Store`: the one storage API, over sled (the embedded default for a single
//! desk) or PostgreSQL (the office's database, docs/database.md). Every verb
//! is the same on both; no feature learns which one it talks to. The rules
//! that only combine verbs (a project's parent and customer, the employees of
//! typed names, a backup written out) live here once, above both.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use super::pg::{self, PgStore};
use super::{
    staff, unsettled, Backup, BackupSummary, BillingState, Customer, DamagedRecord, Employee,
    Entry, InvoiceRecord, InvoiceState, OpenError, Project, Role, Settings, SledStore,
};
use crate::error::AppResult;

pub enum Store {
    Sled(SledStore),
    Pg(PgStore),
}

/// The same call on whichever backend holds the data.
macro_rules! on {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Store::Sled($s) => $call,
            Store::Pg($s) => $call,
        }
    };
}

impl Store {
    /// Opens (or creates) the embedded database in `dir`.
    pub fn open(dir: &Path) -> AppResult<Store> {
        SledStore::open(dir).map(Store::Sled)
    }

    /// As `open`, with the reason a start-up can fail told apart.
    pub fn open_checked(dir: &Path) -> Result<Store, OpenError> {
        SledStore::open_checked(dir).map(Store::Sled)
    }

    /// Connects to the PostgreSQL server a `postgres://` URL names.
    pub fn connect(url: &str) -> AppResult<Store> {
        Store::connect_to(&pg::ServerAddress::from_url(url)?)
    }

    /// Connects to the PostgreSQL server at `address` (Einstellungen › Mehrplatz).
    pub fn connect_to(address: &pg::ServerAddress) -> AppResult<Store> {
        PgStore::connect(address).map(Store::Pg)
    }

    /// Counts and sums of everything, as this database itself finds them.
    pub fn totals(&self) -> AppResult<super::DataTotals> {
        match self {
            Store::Sled(s) => Ok(s.export()?.totals()),
            Store::Pg(s) => s.totals(),
        }
    }

    /// Whether the database answers now (the embedded one always does).
    pub fn ping(&self) -> AppResult<()> {
        match self {
            Store::Sled(_) => Ok(()),
            Store::Pg(s) => s.ping(),
        }
    }

    /// The next lexoffice turn of every seat on the server (None on the
    /// embedded database: one process, its own limiter).
    pub fn lexoffice_turn(
        &self,
        spacing: std::time::Duration,
    ) -> Option<AppResult<std::time::Duration>> {
        match self {
            Store::Sled(_) => None,
            Store::Pg(s) => Some(s.lexoffice_turn(spacing)),
        }
    }

    /// lexoffice answered 429: every seat on the server pauses.
    pub fn lexoffice_pause(&self, pause: std::time::Duration) -> AppResult<()> {
        match self {
            Store::Sled(_) => Ok(()),
            Store::Pg(s) => s.lexoffice_pause(pause),
        }
    }

    /// Calls `on_change(table)` when another seat changed the firm's data
    /// („*“: reload everything). The embedded database has no other seats.
    pub fn watch(&self, on_change: std::sync::Arc<dyn Fn(&str) + Send + Sync>) -> AppResult<()> {
        match self {
            Store::Sled(_) => Ok(()),
            Store::Pg(s) => s.watch(on_change),
        }
    }

    /// The seats connected to the server now (none on the embedded database).
    pub fn seats(&self) -> AppResult<Vec<pg::Seat>> {
        match self {
            Store::Sled(_) => Ok(Vec::new()),
            Store::Pg(s) => s.seats(),
        }
    }

    /// Holds `what` (an attempt in flight, the import, the sync, a customer's
    /// push) for this seat until the answer is dropped. None: held already,
    /// by another seat or another task of this one.
    pub fn try_hold(&self, what: super::Hold) -> AppResult<Option<super::Held>> {
        match self {
            Store::Sled(s) => Ok(super::Held::local(&s.held, what)),
            Store::Pg(s) => Ok(s.try_hold(what, false)?.map(super::Held::server)),
        }
    }

    /// Holds `what` shared with other seats holding it shared; None while one
    /// holds it alone (`Hold::Restore`: a restore runs).
    pub fn try_hold_shared(&self, what: super::Hold) -> AppResult<Option<super::Held>> {
        match self {
            Store::Sled(_) => Ok(Some(super::Held::nothing())),
            Store::Pg(s) => Ok(s.try_hold(what, true)?.map(super::Held::server)),
        }
    }

    /// „Zurück zu Einzelplatz“ at `pc` (None: taken back, the copy failed):
    /// no seat writes to the server any more. Nothing on the embedded database.
    pub fn retire_server(&self, pc: Option<String>) -> AppResult<()> {
        match self {
            Store::Sled(_) => Ok(()),
            Store::Pg(s) => s.retire(pc),
        }
    }

    /// Why this seat may no longer write to the server (another seat took the
    /// data back to its PC, or a newer Zeitrechnung changed the tables).
    pub fn stopped(&self) -> AppResult<Option<String>> {
        match self {
            Store::Sled(_) => Ok(None),
            Store::Pg(s) => s.stopped(),
        }
    }

    /// This PC's name as the seats list shows it (None on the embedded database).
    pub fn this_pc(&self) -> Option<String> {
        match self {
            Store::Sled(_) => None,
            Store::Pg(s) => Some(s.pc()),
        }
    }

    /// Tells the other seats at once: `RESTORE_BEGINS`, `RESTORE_DONE`
    /// (nothing to tell on the embedded database).
    pub fn announce(&self, what: &'static str) -> AppResult<()> {
        match self {
            Store::Sled(_) => Ok(()),
            Store::Pg(s) => s.announce(what),
        }
    }

    /// The PC that holds `what` now („EMPFANG-PC“), if another seat does
    /// (never on the embedded database: one seat).
    pub fn holder(&self, what: super::Hold) -> AppResult<Option<String>> {
        match self {
            Store::Sled(_) => Ok(None),
            Store::Pg(s) => s.holder(what),
        }
    }

    /// A test's control run: attempts are not held on the server.
    #[doc(hidden)]
    pub fn without_attempt_holds(&self) {
        if let Store::Pg(s) = self {
            s.without_attempt_holds();
        }
    }

    /// Works on a database server (else the embedded database).
    pub fn is_server(&self) -> bool {
        matches!(self, Store::Pg(_))
    }

    /// The server worked on, as the window names it („buero@server:5432/firma“).
    pub fn server_display(&self) -> Option<String> {
        match self {
            Store::Sled(_) => None,
            Store::Pg(s) => Some(s.address().display()),
        }
    }

    /// „sled“ or „PostgreSQL“ (logs and the Datensicherung screen).
    pub fn backend_name(&self) -> &'static str {
        match self {
            Store::Sled(_) => "sled",
            Store::Pg(_) => "PostgreSQL",
        }
    }

    pub fn schema_version(&self) -> AppResult<u32> {
        on!(self, s => s.schema_version())
    }
    pub fn flush(&self) -> AppResult<()> {
        on!(self, s => s.flush())
    }
    pub fn next_id(&self) -> AppResult<u64> {
        on!(self, s => s.next_id())
    }
    pub fn raise_id_floor(&self, max: u64) -> AppResult<()> {
        on!(self, s => s.raise_id_floor(max))
    }
    pub fn size_on_disk(&self) -> AppResult<u64> {
        on!(self, s => s.size_on_disk())
    }
    pub fn damaged_records(&self) -> Vec<DamagedRecord> {
        on!(self, s => s.damaged_records())
    }
    pub fn scan_for_damage(&self) -> AppResult<Vec<DamagedRecord>> {
        on!(self, s => s.scan_for_damage())
    }

    // Settings, employees, roles.
    pub fn settings(&self) -> AppResult<Settings> {
        on!(self, s => s.settings())
    }
    pub fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> AppResult<Settings> {
        self.try_update_settings(super::staff::infallible(change))
    }
    /// As `update_settings`; `change` may refuse (a form's stale version),
    /// and then nothing is written.
    pub fn try_update_settings(
        &self,
        change: impl FnOnce(&mut Settings) -> AppResult<()>,
    ) -> AppResult<Settings> {
        on!(self, s => s.try_update_settings(change))
    }
    pub fn employees(&self) -> AppResult<Vec<Employee>> {
        on!(self, s => s.employees())
    }
    pub fn roles(&self) -> AppResult<Vec<Role>> {
        on!(self, s => s.roles())
    }
    /// The employees of `names` by `name_key` (id and name as kept), creating
    /// an active employee for each name not known yet. Blank names map to nothing.
    pub fn ensure_employees<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> AppResult<HashMap<String, (u64, String)>> {
        on!(self, s => staff::ensure_employees(s, names))
    }
    /// Sets `employee_id` of each time entry that has none from its name.
    pub fn assign_employees(&self, entries: &mut [Entry]) -> AppResult<()> {
        on!(self, s => staff::assign_employees(s, entries))
    }
    pub fn link_employees(&self) -> AppResult<usize> {
        on!(self, s => s.link_employees())
    }

    // Customers.
    pub fn customers(&self) -> AppResult<Vec<Customer>> {
        on!(self, s => s.customers())
    }
    pub fn customer(&self, id: u64) -> AppResult<Option<Customer>> {
        on!(self, s => s.customer(id))
    }
    pub fn put_customer(&self, c: &Customer) -> AppResult<()> {
        on!(self, s => s.put_customer(c))
    }
    /// Changes one customer as `change` says, on the stored record of the
    /// moment, written only over exactly the version read: another seat's save
    /// in between is never overwritten — the record is read again and the
    /// change made again. The one read-modify-write of a customer.
    pub fn update_customer(
        &self,
        id: u64,
        change: impl FnMut(&mut Customer) -> AppResult<()>,
    ) -> AppResult<Customer> {
        update_unchanged(
            || self.customer(id),
            |c| c.updated_at,
            |c, at| c.updated_at = at,
            |c, seen| self.save_customer_unchanged_since(c, seen),
            change,
            "Dieser Kunde existiert nicht mehr.",
        )
    }

    /// As `update_customer`, for a project.
    pub fn update_project(
        &self,
        id: u64,
        change: impl FnMut(&mut Project) -> AppResult<()>,
    ) -> AppResult<Project> {
        update_unchanged(
            || self.project(id),
            |p| p.updated_at,
            |p, at| p.updated_at = at,
            |p, seen| self.save_project_unchanged_since(p, seen),
            change,
            "Dieses Projekt existiert nicht mehr.",
        )
    }

    pub fn save_customer_unchanged_since(
        &self,
        c: &Customer,
        seen: DateTime<Utc>,
    ) -> AppResult<()> {
        on!(self, s => s.save_customer_unchanged_since(c, seen))
    }
    pub fn delete_customer(&self, id: u64) -> AppResult<()> {
        on!(self, s => s.delete_customer(id))
    }
    pub fn update_customers_atomically(
        &self,
        ids: &[u64],
        change: impl Fn(u64, Option<Customer>) -> Option<Customer>,
    ) -> AppResult<()> {
        on!(self, s => s.update_customers_atomically(ids, change))
    }

    // Projects.
    pub fn projects(&self) -> AppResult<Vec<Project>> {
        on!(self, s => s.projects())
    }
    pub fn project(&self, id: u64) -> AppResult<Option<Project>> {
        on!(self, s => s.project(id))
    }
    pub fn put_project(&self, p: &Project) -> AppResult<()> {
        on!(self, s => s.put_project(p))
    }
    pub fn save_project_unchanged_since(&self, p: &Project, seen: DateTime<Utc>) -> AppResult<()> {
        on!(self, s => s.save_project_unchanged_since(p, seen))
    }
    pub fn delete_project_record(&self, id: u64) -> AppResult<()> {
        on!(self, s => s.delete_project_record(id))
    }
    /// A project's main project (if it is a subproject) and its customer.
    pub fn parent_and_customer(
        &self,
        project: &Project,
    ) -> AppResult<(Option<Project>, Option<Customer>)> {
        let parent = match project.parent_id {
            Some(pid) => self.project(pid)?,
            None => None,
        };
        let customer = match project.customer_id {
            Some(cid) => self.customer(cid)?,
            None => None,
        };
        Ok((parent, customer))
    }

    // Entries.
    pub fn entries_in(
        &self,
        project_id: u64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<Entry>> {
        on!(self, s => s.entries_in(project_id, from, to))
    }
    /// The entries of a family (a project and its subprojects) with
    /// from ≤ date ≤ to, project by project in the order given, each by date;
    /// one query on the server.
    pub fn entries_in_projects(
        &self,
        project_ids: &[u64],
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<Entry>> {
        on!(self, s => s.entries_in_projects(project_ids, from, to))
    }
    pub fn newest_entries_in(
        &self,
        project_id: u64,
        from: NaiveDate,
        to: NaiveDate,
        limit: usize,
    ) -> AppResult<Vec<Entry>> {
        on!(self, s => s.newest_entries_in(project_id, from, to, limit))
    }
    pub fn entries_of(&self, project_id: u64) -> AppResult<Vec<Entry>> {
        on!(self, s => s.entries_of(project_id))
    }
    /// A project's entries one at a time (sled streams them; PostgreSQL reads
    /// the project's rows in one query).
    pub fn entries_iter(&self, project_id: u64) -> Box<dyn Iterator<Item = AppResult<Entry>> + '_> {
        match self {
            Store::Sled(s) => Box::new(s.entries_iter(project_id)),
            Store::Pg(s) => match s.entries_of(project_id) {
                Ok(all) => Box::new(all.into_iter().map(Ok)),
                Err(e) => Box::new(std::iter::once(Err(e))),
            },
        }
    }
    pub fn entry(&self, id: u64) -> AppResult<Option<Entry>> {
        on!(self, s => s.entry(id))
    }
    pub fn put_entries(&self, entries: &[Entry]) -> AppResult<()> {
        on!(self, s => s.put_entries(entries))
    }
    pub fn put_entries_if_open(&self, entries: &[Entry]) -> AppResult<()> {
        on!(self, s => s.put_entries_if_open(entries))
    }
    /// Changes several entries at once: `pick` reads them as stored now and
    /// gives each as read and as it is to be; all are written only over the
    /// versions read, else read again (pauses growing to 0.2 s, 20 times, ≈ 3 s):
    /// another seat's edit or billing in between is never overwritten. The
    /// entries as they were. The one read-modify-write of many entries.
    pub fn update_entries(
        &self,
        mut pick: impl FnMut(&Store) -> AppResult<Vec<(Entry, Entry)>>,
    ) -> AppResult<Vec<Entry>> {
        use crate::error::AppError;
        for attempt in 0..20u32 {
            if attempt > 0 {
                std::thread::sleep(std::time::Duration::from_millis(u64::from(
                    (10 * attempt).min(200),
                )));
            }
            let pairs = pick(self)?;
            if pairs.is_empty() {
                return Ok(Vec::new());
            }
            let seen: Vec<DateTime<Utc>> = pairs.iter().map(|(was, _)| was.updated_at).collect();
            let now = crate::de::clock::now();
            let changed: Vec<Entry> = pairs
                .iter()
                .map(|(_, to_be)| Entry {
                    updated_at: now,
                    ..to_be.clone()
                })
                .collect();
            match self.put_entries_unchanged_since(&changed, &seen) {
                Ok(()) => return Ok(pairs.into_iter().map(|(was, _)| was).collect()),
                Err(AppError::Changed(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(AppError::Busy(
            "Diese Einträge werden gerade an einem anderen Arbeitsplatz geändert. Bitte gleich noch einmal versuchen.".into(),
        ))
    }
    /// All of `entries` or none: each stored one must still be the version
    /// `seen` names (its `updated_at`, same order), billed or not; else `Changed`.
    pub fn put_entries_unchanged_since(
        &self,
        entries: &[Entry],
        seen: &[DateTime<Utc>],
    ) -> AppResult<()> {
        on!(self, s => s.put_entries_unchanged_since(entries, seen))
    }
    pub fn entries_of_projects(&self, project_ids: &[u64]) -> AppResult<Vec<Entry>> {
        on!(self, s => s.entries_of_projects(project_ids))
    }
    pub fn entries_by_ids(&self, ids: &[u64]) -> AppResult<Vec<Entry>> {
        on!(self, s => s.entries_by_ids(ids))
    }
    pub fn save_entry_unchanged_since(&self, e: &Entry, seen: DateTime<Utc>) -> AppResult<()> {
        on!(self, s => s.save_entry_unchanged_since(e, seen))
    }
    pub fn delete_entries(&self, ids: &[u64]) -> AppResult<()> {
        on!(self, s => s.delete_entries(ids))
    }
    pub fn entry_count(&self) -> usize {
        on!(self, s => s.entry_count())
    }
    pub fn csv_row_count(&self) -> usize {
        on!(self, s => s.csv_row_count())
    }
    pub fn csv_row_known(&self, fingerprint: u64) -> AppResult<bool> {
        on!(self, s => s.csv_row_known(fingerprint))
    }

    // Invoice attempts.
    pub fn invoice_records(&self) -> AppResult<Vec<InvoiceRecord>> {
        on!(self, s => s.invoice_records())
    }
    pub fn invoice_record(&self, id: u64) -> AppResult<Option<InvoiceRecord>> {
        on!(self, s => s.invoice_record(id))
    }
    pub fn put_invoice_record(&self, r: &InvoiceRecord) -> AppResult<()> {
        on!(self, s => s.put_invoice_record(r))
    }
    /// Stores a new attempt and reserves all its entries for it, or nothing: an
    /// entry that is not open (another attempt has it, or a draft) refuses the
    /// whole reservation.
    pub fn reserve_entries(&self, record: &InvoiceRecord) -> AppResult<()> {
        self.transition_invoice_from(
            record,
            |stored| stored.is_none(),
            BillingState::Reserved {
                attempt: record.id.to_string(),
            },
            |b| *b == BillingState::Open,
            true,
        )
    }

    /// Settles an attempt with its draft (`record` carries the lexoffice id):
    /// the entries it reserved become billed by that draft. Only a pending or
    /// unclear attempt settles, so settling again changes nothing.
    pub fn settle_attempt(&self, record: &InvoiceRecord) -> AppResult<()> {
        if let Some(stored) = self.invoice_record(record.id)? {
            if stored.state == InvoiceState::Created && stored.lexoffice_id == record.lexoffice_id {
                return Ok(());
            }
        }
        let attempt = record.id.to_string();
        let invoice_id = record.lexoffice_id.clone().unwrap_or_default();
        self.transition_invoice_from(
            record,
            unsettled,
            BillingState::Billed { invoice_id },
            |b| matches!(b, BillingState::Reserved { attempt: a } if *a == attempt),
            false,
        )
    }

    /// Gives an attempt's entries free again (`record` carries the released
    /// state), if the stored attempt is still in the state `previous` names.
    pub fn release_attempt(
        &self,
        record: &InvoiceRecord,
        previous: &InvoiceState,
    ) -> AppResult<()> {
        let attempt = record.id.to_string();
        let lex = record.lexoffice_id.clone();
        self.transition_invoice_from(
            record,
            |stored| {
                stored.map(|s| std::mem::discriminant(&s.state))
                    == Some(std::mem::discriminant(previous))
            },
            BillingState::Open,
            |b| match b {
                BillingState::Reserved { attempt: a } => *a == attempt,
                BillingState::Billed { invoice_id } => Some(invoice_id) == lex.as_ref(),
                BillingState::Open => false,
            },
            false,
        )
    }

    /// Applies `billing` to each of the record's entries whose current state
    /// satisfies `only_if`, and stores the record, atomically.
    pub fn transition_invoice(
        &self,
        record: &InvoiceRecord,
        billing: BillingState,
        only_if: impl Fn(&BillingState) -> bool,
        require_all: bool,
    ) -> AppResult<()> {
        self.transition_invoice_from(record, |_| true, billing, only_if, require_all)
    }

    /// As `transition_invoice`, but only if the stored record (None: not stored
    /// yet) still is what `expect` says: a stale copy never overwrites a newer state.
    pub fn transition_invoice_from(
        &self,
        record: &InvoiceRecord,
        expect: impl Fn(Option<&InvoiceRecord>) -> bool,
        billing: BillingState,
        only_if: impl Fn(&BillingState) -> bool,
        require_all: bool,
    ) -> AppResult<()> {
        on!(self, s => s.transition_invoice_from(record, expect, billing, only_if, require_all))
    }

    // Datensicherung.
    pub fn export(&self) -> AppResult<Backup> {
        on!(self, s => s.export())
    }
    /// `export()` written to `w` as JSON.
    pub fn export_to(&self, w: impl std::io::Write) -> AppResult<BackupSummary> {
        let b = self.export()?;
        serde_json::to_writer_pretty(w, &b)?;
        Ok(b.summary())
    }
    pub fn replace_all(&self, b: &Backup) -> AppResult<()> {
        on!(self, s => s.replace_all(b))
    }
}

/// Read, change, compare-and-set; again while another writer came in between
/// (at most 5 times, then „busy“).
fn update_unchanged<T>(
    read: impl Fn() -> AppResult<Option<T>>,
    stamp: impl Fn(&T) -> DateTime<Utc>,
    restamp: impl Fn(&mut T, DateTime<Utc>),
    save: impl Fn(&T, DateTime<Utc>) -> AppResult<()>,
    mut change: impl FnMut(&mut T) -> AppResult<()>,
    gone: &str,
) -> AppResult<T> {
    use crate::error::AppError;
    for _ in 0..5 {
        let Some(mut record) = read()? else {
            return Err(AppError::NotFound(gone.into()));
        };
        let seen = stamp(&record);
        change(&mut record)?;
        restamp(&mut record, crate::de::clock::now());
        match save(&record, seen) {
            Ok(()) => return Ok(record),
            // Refused: changed meanwhile (read again), or gone.
            Err(AppError::Changed(_) | AppError::Validation { .. })
                if read()?.is_some_and(|now| stamp(&now) != seen) =>
            {
                continue
            }
            Err(AppError::Changed(_) | AppError::Validation { .. }) if read()?.is_none() => {
                return Err(AppError::NotFound(gone.into()))
            }
            Err(e) => return Err(e),
        }
    }
    Err(AppError::Busy(
        "Dieser Datensatz wird gerade an einem anderen Arbeitsplatz geändert. Bitte gleich noch einmal versuchen.".into(),
    ))
}
