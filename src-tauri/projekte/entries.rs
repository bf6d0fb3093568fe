//! Entries of a project: read in pages, saved (time, service), deleted.

use super::*;

/// Entries of the project and its subprojects, optionally limited to [from, to]:
/// the two tables of its view, each newest first.
pub async fn entries(
    core: &Core,
    project_id: u64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<EntryList> {
    entries_limited(core, project_id, from, to, None).await
}

/// As [`entries`], only the newest `limit` of both tables together (a project
/// can have 100,000); `more` says whether older ones exist.
pub async fn entries_limited(
    core: &Core,
    project_id: u64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    limit: Option<usize>,
) -> AppResult<EntryList> {
    let store = core.store.clone();
    blocking(move || {
        let (project, subs) = family(&store, project_id)?;
        let drafts = draft_states(&store)?;
        let prior = crate::billing::pricing::PriorIndex::of(&store.invoice_records()?);
        let lo = from.unwrap_or(NaiveDate::MIN);
        let hi = to.unwrap_or(NaiveDate::MAX);
        let pricing = pricing(&store, &project, &subs)?;
        let mut shown = EntryList::default();
        let family = std::iter::once((&project, String::new()))
            .chain(subs.iter().map(|s| (s, s.name.clone())));
        for (p, sub) in family {
            // Oldest first, the order the invoice rounds a day in; one more
            // than the limit tells whether older entries exist.
            let list = match limit {
                Some(n) => {
                    let mut l = store.newest_entries_in(p.id, lo, hi, n.saturating_add(1))?;
                    l.reverse();
                    l
                }
                None => store.entries_in(p.id, lo, hi)?,
            };
            let billed = billed_minutes(&list, &pricing, p, &prior);
            for e in &list {
                if let Some(mut t) = time_view(e, &sub, &drafts) {
                    if let Some(b) = billed.get(&e.id) {
                        t.duration_shown = format!(
                            "{} · abgerechnet {}",
                            t.duration_display,
                            format_minutes(u64::from(*b))
                        );
                    }
                    shown.times.push(t);
                } else if let Some(s) = service_view(e, &sub, &drafts) {
                    shown.services.push(s);
                }
            }
        }
        let newest_first = |a: &EntryBase, b: &EntryBase| b.date.cmp(&a.date).then(b.id.cmp(&a.id));
        shown.times.sort_by(|a, b| newest_first(a, b));
        shown.services.sort_by(|a, b| newest_first(a, b));
        if let Some(n) = limit {
            let mut keys: Vec<(NaiveDate, u64)> = shown.rows().map(|r| (r.date, r.id)).collect();
            if keys.len() > n {
                keys.sort_unstable_by(|a, b| b.cmp(a));
                // Keys are unique (ids are): the n above the (n+1)-th are the newest n.
                let cut = keys[n];
                shown.times.retain(|t| (t.date, t.id) > cut);
                shown.services.retain(|s| (s.date, s.id) > cut);
                shown.more = true;
            }
        }
        Ok(shown)
    })
    .await
}

/// The times whose billed duration differs from the recorded one („7:20 ·
/// abgerechnet 7:30“ where the Abrechnungstakt bills another time): open
/// times as the next draft bills them (the invoice's own groups,
/// `billing::billed_by_entry`, with the days earlier drafts billed rounded
/// once), times on a draft as that draft stored them. Billable times only.
pub(super) fn billed_minutes(
    entries: &[Entry],
    pricing: &Pricing,
    project: &Project,
    prior: &crate::billing::pricing::PriorIndex,
) -> HashMap<u64, u32> {
    let open: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.billable && e.billing == BillingState::Open)
        .collect();
    let mut group = pricing.group(
        project,
        false,
        open.iter().copied(),
        &billing::rates::Overrides::default(),
    );
    prior.attach(&mut group, entries.iter().filter(|e| e.is_locked()));
    let mut billed: HashMap<u64, u32> = billing::billed_by_entry(&group).into_iter().collect();
    for e in entries.iter().filter(|e| e.billable && e.is_locked()) {
        if let Some(m) = prior.billed_minutes(e) {
            billed.insert(e.id, m);
        } else if let EntryKind::Time { minutes, .. } = &e.kind {
            // A draft of before schema 3: each time as the rule rounds it alone.
            let alone =
                crate::billing::rounding::round_minutes(*minutes, &pricing.rounding(project.id));
            billed.insert(e.id, alone);
        }
    }
    entries
        .iter()
        .filter_map(|e| {
            let EntryKind::Time { minutes, .. } = &e.kind else {
                return None;
            };
            // As the invoice: times of 0 minutes are not billed.
            if !e.billable || *minutes == 0 {
                return None;
            }
            billed
                .get(&e.id)
                .copied()
                .filter(|b| b != minutes)
                .map(|b| (e.id, b))
        })
        .collect()
}

/// Why a project takes no new or changed times and services, if it does not:
/// „abgeschlossen“ takes none (it can still be invoiced, the final invoice);
/// „archiviert“ is read-only. The one rule behind the forms, the CSV import and
/// the buttons' explanations.
pub fn closed_reason(project: &Project) -> Option<String> {
    match project.status {
        ProjectStatus::Aktiv => None,
        ProjectStatus::Abgeschlossen => Some(format!(
            "Das Projekt „{}“ ist abgeschlossen und nimmt keine Zeiten oder Leistungen mehr an; abrechnen lässt es sich weiterhin. Zum Erfassen bitte das Projekt wieder auf „aktiv“ setzen.",
            project.name
        )),
        ProjectStatus::Archiviert => Some(format!(
            "Das Projekt „{}“ ist archiviert und kann nicht mehr geändert werden. Zum Bearbeiten bitte das Projekt wieder auf „aktiv“ setzen.",
            project.name
        )),
    }
}

/// `(id, version)`: the entry edited and the version its form opened (None,
/// None for a new one).
pub(super) async fn save_entry(
    core: &Core,
    (id, version): (Option<u64>, Option<String>),
    project_id: u64,
    date: NaiveDate,
    mut kind: EntryKind,
    description: String,
    billable: bool,
) -> AppResult<Saved> {
    let description = clean("Beschreibung", &description, entry_rules::DESCRIPTION_CHARS)?;
    entry_rules::check(&kind, &description).map_err(|(f, m)| AppError::validation(f, m))?;
    let store = core.store.clone();
    let (entry, subproject, before) = blocking(move || {
        let project = store.project(project_id)?.ok_or_else(|| {
            AppError::validation("Projekt", "Dieses Projekt existiert nicht mehr.")
        })?;
        if let Some(why) = closed_reason(&project) {
            return Err(AppError::validation("Projekt", why));
        }
        let now = crate::de::clock::now();
        let mut before: Option<Entry> = None;
        let (entry_id, created_at, fp) = match id {
            Some(id) => {
                let old = store.entry(id)?.ok_or_else(|| {
                    AppError::NotFound("Dieser Eintrag existiert nicht mehr.".into())
                })?;
                before = Some(old.clone());
                if old.is_locked() {
                    return Err(AppError::validation(
                        "Eintrag",
                        locked_reason(&old).unwrap_or_default(),
                    ));
                }
                // Changed since the form was opened (at another seat): the
                // view shows the new state, the user enters the change again.
                if !crate::model::still_version(old.updated_at, version.as_deref())? {
                    return Err(crate::model::changed_meanwhile(
                        "Der Eintrag",
                        store.is_server(),
                    ));
                }
                if std::mem::discriminant(&old.kind) != std::mem::discriminant(&kind) {
                    return Err(AppError::validation(
                        "Eintrag",
                        "Die Art des Eintrags kann nicht geändert werden.",
                    ));
                }
                // The same name as recorded keeps its Mitarbeiter, even if that
                // one has been renamed since.
                if let (
                    EntryKind::Time {
                        employee: old_name,
                        employee_id: Some(old_id),
                        ..
                    },
                    EntryKind::Time {
                        employee,
                        employee_id,
                        ..
                    },
                ) = (&old.kind, &mut kind)
                {
                    if old_name.trim() == employee.trim() {
                        *employee_id = Some(*old_id);
                    }
                }
                (id, old.created_at, old.csv_fingerprint)
            }
            None => (store.next_id()?, now, None),
        };
        let mut entry = Entry {
            id: entry_id,
            project_id,
            date,
            description,
            billable,
            billing: BillingState::Open,
            kind,
            csv_fingerprint: fp,
            created_at,
            updated_at: now,
        };
        store.assign_employees(std::slice::from_mut(&mut entry))?;
        // The lock and the version are checked again inside the write: an
        // invoice may have reserved it, another seat changed it meanwhile.
        match &before {
            Some(old) => store.save_entry_unchanged_since(&entry, old.updated_at)?,
            None => store.put_entries_if_open(std::slice::from_ref(&entry))?,
        }
        let sub = if project.parent_id.is_some() {
            project.name
        } else {
            String::new()
        };
        Ok((entry, sub, before))
    })
    .await?;
    // An edit can be undone like a deletion.
    let undo = before.map(|old| {
        core.undo.keep(undo::Snapshot {
            entries: vec![old],
            wrote: vec![(entry.id, entry.updated_at)],
            ..Default::default()
        })
    });
    Ok(Saved {
        entry,
        subproject,
        undo,
    })
}

/// A saved entry, before it is shown as the row of its table.
pub(super) struct Saved {
    entry: Entry,
    subproject: String,
    undo: Option<u64>,
}

impl Saved {
    fn shown<V: std::ops::DerefMut<Target = EntryBase>>(
        self,
        view: fn(&Entry, &str, &DraftStates) -> Option<V>,
    ) -> AppResult<V> {
        let mut v = view(&self.entry, &self.subproject, &DraftStates::new()).ok_or_else(|| {
            AppError::Internal("Der gespeicherte Eintrag hat eine andere Art als erwartet.".into())
        })?;
        v.undo = self.undo;
        Ok(v)
    }
}

pub async fn save_time(core: &Core, input: TimeInput) -> AppResult<TimeEntryView> {
    let (date, kind) = entry_rules::time_kind(&input, crate::de::clock::today_berlin())?;
    if let (EntryKind::Time { employee, .. }, false) = (&kind, input.new_employee) {
        let name = crate::storage::clean_name(employee);
        let store = core.store.clone();
        let editing = input.id;
        let known = blocking(move || {
            // An edit that keeps the entry's recorded name keeps its employee.
            let kept = match editing.map(|id| store.entry(id)).transpose()?.flatten() {
                Some(Entry {
                    kind:
                        EntryKind::Time {
                            employee: was,
                            employee_id: Some(_),
                            ..
                        },
                    ..
                }) => crate::storage::clean_name(&was) == name,
                _ => false,
            };
            Ok(kept
                || name.is_empty()
                || crate::storage::employee_named(&store.employees()?, &name).is_some())
        })
        .await?;
        if !known {
            return Err(AppError::Confirm {
                field: "Mitarbeiter",
                message: format!(
                    "Neuen Mitarbeiter „{}“ anlegen?",
                    crate::storage::clean_name(employee)
                ),
            });
        }
    }
    save_entry(
        core,
        (input.id, input.version),
        input.project_id,
        date,
        kind,
        input.description,
        input.billable.unwrap_or(true),
    )
    .await?
    .shown(time_view)
}

pub async fn save_service(core: &Core, input: ServiceInput) -> AppResult<ServiceEntryView> {
    let (date, mut kind) = entry_rules::service_kind(&input, crate::de::clock::today_berlin())?;
    let store = core.store.clone();
    let (catalog_id, entry_id) = (input.catalog_id, input.id);
    let chosen =
        blocking(move || crate::abrechnung::catalog::article_for(&store, catalog_id, entry_id))
            .await?;
    if let EntryKind::Service { article, name, .. } = &mut kind {
        *article = chosen.and_then(|(a, item_name)| (item_name == *name).then_some(a));
    }
    save_entry(
        core,
        (input.id, input.version),
        input.project_id,
        date,
        kind,
        input.description,
        input.billable.unwrap_or(true),
    )
    .await?
    .shown(service_view)
}

pub async fn delete_entry(core: &Core, id: u64) -> AppResult<undo::Undoable> {
    let store = core.store.clone();
    let deleted = blocking(move || {
        let e = store
            .entry(id)?
            .ok_or_else(|| AppError::NotFound("Dieser Eintrag existiert nicht mehr.".into()))?;
        if e.is_locked() {
            return Err(AppError::validation(
                "Eintrag",
                locked_reason(&e).unwrap_or_default(),
            ));
        }
        if let Some(why) = store
            .project(e.project_id)?
            .as_ref()
            .and_then(closed_reason)
        {
            return Err(AppError::validation("Projekt", why));
        }
        store.delete_entries(&[id])?;
        Ok(e)
    })
    .await?;
    let message = match deleted.kind {
        EntryKind::Time { .. } => "Zeit gelöscht",
        EntryKind::Service { .. } => "Leistung gelöscht",
    };
    Ok(undo::Undoable {
        undo: core.undo.keep(undo::Snapshot {
            entries: vec![deleted],
            ..Default::default()
        }),
        message: message.to_string(),
    })
}
