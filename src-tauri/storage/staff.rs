//! Mitarbeiter and Rollen in the settings document; the link from a time entry's
//! recorded name to its employee.

use std::collections::HashMap;

use super::{clean_name, employee_named, name_key, Employee, EntryKind, Role, Settings, SledStore};
use crate::error::AppResult;

/// The verbs the employee rules below need, on every backend.
pub(super) trait StaffStore {
    fn employees(&self) -> AppResult<Vec<Employee>>;
    fn next_id(&self) -> AppResult<u64>;
    fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> AppResult<Settings>;
}

impl StaffStore for SledStore {
    fn employees(&self) -> AppResult<Vec<Employee>> {
        self.employee_record()
    }
    fn next_id(&self) -> AppResult<u64> {
        SledStore::next_id(self)
    }
    fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> AppResult<Settings> {
        SledStore::try_update_settings(self, infallible(change))
    }
}

impl SledStore {
    pub fn employees(&self) -> AppResult<Vec<Employee>> {
        self.employee_record()
    }

    pub fn roles(&self) -> AppResult<Vec<Role>> {
        self.role_record()
    }
}

/// The employees of `names` by [`name_key`] (id and name as kept), creating
/// an active employee (no role, no own rate) for each name not known yet.
/// Blank names map to nothing.
pub(super) fn ensure_employees<'a, S: StaffStore>(
    store: &S,
    names: impl IntoIterator<Item = &'a str>,
) -> AppResult<HashMap<String, (u64, String)>> {
    {
        let mut wanted: Vec<String> = names
            .into_iter()
            .map(clean_name)
            .filter(|n| !n.is_empty())
            .collect();
        wanted.sort();
        wanted.dedup_by_key(|n| name_key(n));
        let known = store.employees()?;
        let mut out: HashMap<String, (u64, String)> = HashMap::new();
        let mut new = Vec::new();
        for name in wanted {
            let k = name_key(&name);
            if out.contains_key(&k) {
                continue;
            }
            match employee_named(&known, &name) {
                Some(e) => {
                    out.insert(k, (e.id, e.name.clone()));
                }
                None => {
                    let id = store.next_id()?;
                    out.insert(k, (id, name.clone()));
                    new.push(Employee {
                        id,
                        name,
                        role_id: None,
                        hourly_rate: None,
                        rate_changes: Vec::new(),
                        active: true,
                        role_changes: Vec::new(),
                    });
                }
            }
        }
        if !new.is_empty() {
            store.update_settings(|s| s.employees.extend(new))?;
        }
        Ok(out)
    }
}

/// Sets `employee_id` of each time entry that has none from its name
/// (creating employees for new names): the forms and the CSV import save
/// entries through this.
pub(super) fn assign_employees<S: StaffStore>(
    store: &S,
    entries: &mut [super::Entry],
) -> AppResult<()> {
    {
        let ids = ensure_employees(
            store,
            entries.iter().map(|e| match &e.kind {
                EntryKind::Time {
                    employee,
                    employee_id: None,
                    ..
                } => employee.as_str(),
                EntryKind::Time { .. } | EntryKind::Service { .. } => "",
            }),
        )?;
        for e in entries {
            if let EntryKind::Time {
                employee,
                employee_id,
                ..
            } = &mut e.kind
            {
                *employee = clean_name(employee);
                if employee_id.is_none() {
                    // The employee's own spelling („jana kraus“ → „Jana Kraus“).
                    if let Some((id, name)) = ids.get(&name_key(employee)) {
                        *employee_id = Some(*id);
                        *employee = name.clone();
                    }
                }
            }
        }
        Ok(())
    }
}

impl SledStore {
    /// Links every time entry that has a name but no employee to the employee of
    /// that name ([`name_key`]), creating employees as needed. Idempotent: runs when a
    /// database of schema 1 is opened and after every restore (a backup of the
    /// older format has no employees). Returns how many entries were linked.
    pub fn link_employees(&self) -> AppResult<usize> {
        let mut unlinked = Vec::new();
        for row in self.entries.iter() {
            let (k, v) = row?;
            let Ok(e) = super::entry_codec::decode(&v) else {
                continue; // a damaged record stays as it is (storage/damaged.rs)
            };
            if let EntryKind::Time {
                employee,
                employee_id: None,
                ..
            } = &e.kind
            {
                if !name_key(employee).is_empty() {
                    unlinked.push((k, e));
                }
            }
        }
        if unlinked.is_empty() {
            return Ok(0);
        }
        let ids = ensure_employees(
            self,
            unlinked.iter().map(|(_, e)| match &e.kind {
                EntryKind::Time { employee, .. } => employee.as_str(),
                EntryKind::Service { .. } => "",
            }),
        )?;
        let mut batch = sled::Batch::default();
        for (k, mut e) in unlinked.iter().cloned() {
            if let EntryKind::Time {
                employee,
                employee_id,
                ..
            } = &mut e.kind
            {
                *employee_id = ids.get(&name_key(employee)).map(|(id, _)| *id);
            }
            batch.insert(k, super::entry_codec::encode(&e));
        }
        {
            let _w = self.writing();
            self.entries.apply_batch(batch)?;
        }
        self.flush()?;
        Ok(unlinked.len())
    }
}

/// A settings change that never refuses, as `try_update_settings` takes it
/// (the one adapter for both backends).
pub(super) fn infallible(
    change: impl FnOnce(&mut Settings),
) -> impl FnOnce(&mut Settings) -> AppResult<()> {
    move |s| {
        change(s);
        Ok(())
    }
}
