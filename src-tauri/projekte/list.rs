//! Projekte: the list (main projects with their subprojects, by customer).

use super::*;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProjectRow {
    pub id: u64,
    pub name: String,
    pub number: String,
    pub parent_id: Option<u64>,
    pub status: &'static str,
    pub customer_name: String,
    pub depth: u32,
    /// What a project chooser shows and finds by typing: „Ladenumbau › Regale
    /// (P-12)“ — the path (`path_name`) and the number.
    pub choice: String,
}

/// „Main › Sub“ for a subproject, the name for a main project: how a project
/// is named where it stands alone (choosers, the Stundenzettel).
pub fn path_name(p: &Project, main: Option<&Project>) -> String {
    match main {
        Some(m) => format!("{} › {}", m.name, p.name),
        None => p.name.clone(),
    }
}

/// What a project chooser shows: the path and the number, „Ladenumbau › Regale (P-12)“.
pub fn choice_label(p: &Project, main: Option<&Project>) -> String {
    let path = path_name(p, main);
    if p.number.is_empty() {
        path
    } else {
        format!("{path} ({})", p.number)
    }
}

/// Projects in display order: top level by name, each followed by its subprojects.
pub(super) fn ordered_rows(
    projects: &[Project],
    customers: &HashMap<u64, Customer>,
) -> Vec<ProjectRow> {
    let mut children: HashMap<Option<u64>, Vec<&Project>> = HashMap::new();
    for p in projects {
        children.entry(p.parent_id).or_default().push(p);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
    }
    let mut out = Vec::new();
    fn walk(
        parent: Option<&Project>,
        depth: u32,
        children: &HashMap<Option<u64>, Vec<&Project>>,
        customers: &HashMap<u64, Customer>,
        out: &mut Vec<ProjectRow>,
    ) {
        if depth > 8 {
            return;
        }
        for p in children
            .get(&parent.map(|q| q.id))
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            out.push(ProjectRow {
                id: p.id,
                name: p.name.clone(),
                number: p.number.clone(),
                parent_id: p.parent_id,
                status: status_label(p.status),
                customer_name: p
                    .customer_id
                    .and_then(|c| customers.get(&c))
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                depth,
                choice: choice_label(p, parent),
            });
            walk(Some(p), depth + 1, children, customers, out);
        }
    }
    walk(None, 0, &children, customers, &mut out);
    out
}

pub(super) fn customer_map(store: &Store) -> AppResult<HashMap<u64, Customer>> {
    Ok(store.customers()?.into_iter().map(|c| (c.id, c)).collect())
}

pub async fn list(core: &Core) -> AppResult<Vec<ProjectRow>> {
    let store = core.store.clone();
    blocking(move || {
        let customers = customer_map(&store)?;
        Ok(ordered_rows(&store.projects()?, &customers))
    })
    .await
}
