//! Mitarbeiter and Rollen in the settings document; the link from a time entry's
//! recorded name to its employee.

use std::collections::HashMap;

use super::{Employee, EntryKind, Role, Store};
use crate::error::AppResult;

/// The key a recorded name is matched by: exact, after trimming.
fn key(name: &str) -> &str {
    name.trim()
}

impl Store {
    pub fn employees(&self) -> AppResult<Vec<Employee>> {
        Ok(self.settings()?.employees)
    }

    pub fn roles(&self) -> AppResult<Vec<Role>> {
        Ok(self.settings()?.roles)
    }

    /// The employee ids of `names`, creating an active employee (no role, no own
    /// rate) for each name not known yet. Blank names map to nothing.
    pub fn ensure_employees<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> AppResult<HashMap<String, u64>> {
        let mut wanted: Vec<String> = names
            .into_iter()
            .map(key)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        wanted.sort();
        wanted.dedup();
        let known = self.employees()?;
        let mut out: HashMap<String, u64> = HashMap::new();
        let mut new = Vec::new();
        for name in wanted {
            match known.iter().find(|e| e.name == name) {
                Some(e) => {
                    out.insert(name, e.id);
                }
                None => {
                    let id = self.next_id()?;
                    out.insert(name.clone(), id);
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
            self.update_settings(|s| s.employees.extend(new))?;
        }
        Ok(out)
    }

    /// Sets `employee_id` of each time entry that has none from its name
    /// (creating employees for new names): the forms and the CSV import save
    /// entries through this.
    pub fn assign_employees(&self, entries: &mut [super::Entry]) -> AppResult<()> {
        let ids = self.ensure_employees(entries.iter().map(|e| match &e.kind {
            EntryKind::Time {
                employee,
                employee_id: None,
                ..
            } => employee.as_str(),
            EntryKind::Time { .. } | EntryKind::Service { .. } => "",
        }))?;
        for e in entries {
            if let EntryKind::Time {
                employee,
                employee_id,
                ..
            } = &mut e.kind
            {
                *employee = key(employee).to_string();
                if employee_id.is_none() {
                    *employee_id = ids.get(employee.as_str()).copied();
                }
            }
        }
        Ok(())
    }

    /// Links every time entry that has a name but no employee to the employee of
    /// that exact name, creating employees as needed. Idempotent: runs when a
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
                if !key(employee).is_empty() {
                    unlinked.push((k, e));
                }
            }
        }
        if unlinked.is_empty() {
            return Ok(0);
        }
        let ids = self.ensure_employees(unlinked.iter().map(|(_, e)| match &e.kind {
            EntryKind::Time { employee, .. } => employee.as_str(),
            EntryKind::Service { .. } => "",
        }))?;
        let mut batch = sled::Batch::default();
        for (k, mut e) in unlinked.iter().cloned() {
            if let EntryKind::Time {
                employee,
                employee_id,
                ..
            } = &mut e.kind
            {
                *employee_id = ids.get(key(employee)).copied();
            }
            batch.insert(k, super::entry_codec::encode(&e));
        }
        self.entries.apply_batch(batch)?;
        self.flush()?;
        Ok(unlinked.len())
    }
}
