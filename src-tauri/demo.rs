//! Demo mode (`zeitrechnung --demo`): for people without a lexoffice account.
//! The lexoffice sandbox runs inside the app on a loopback port with realistic
//! customers; a separate data dir gets sample projects, subprojects, times and
//! services over the last three months; the demo key lives only in memory,
//! apart from the real keyring entry. Nothing goes to the real lexoffice.

use std::sync::atomic::AtomicBool;

use chrono::{Datelike, Duration, Weekday};
use chrono_tz::Europe::Berlin;

use crate::core::Core;
use crate::error::AppResult;
use crate::kunden::import;
use crate::projekte::{self, ProjectInput, ServiceInput, TimeInput};
use crate::schnittstellen;

pub const DEMO_KEY: &str = "demo-zeitrechnung-0000";
pub const DEMO_COMPANY: &str = "Muster Handwerk GmbH (Demo)";

pub fn sandbox_config() -> lexoffice_sandbox::SandboxConfig {
    lexoffice_sandbox::SandboxConfig {
        api_key: DEMO_KEY.into(),
        company_name: DEMO_COMPANY.into(),
        contacts: 60,
        seed: 2026,
        // „Artikel aus lexoffice importieren“ has something to import.
        demo_articles: true,
        ..Default::default()
    }
}

/// splitmix64: the same sample data on every machine.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        (z ^ (z >> 31)) % n
    }
}

/// Connects to the in-app sandbox and fills an empty demo data dir.
pub async fn prepare(core: &Core) -> AppResult<()> {
    schnittstellen::connect(core, DEMO_KEY.into()).await?;
    if schnittstellen::rate(core).await?.hourly_rate.is_none() {
        schnittstellen::save_rate(core, "85,50".into()).await?;
    }
    if core.store.customers()?.is_empty() {
        import::run(core, |_| {}, &AtomicBool::new(false)).await?;
    }
    if !core.store.projects()?.is_empty() {
        return Ok(());
    }
    let customers: Vec<u64> = core
        .store
        .customers()?
        .into_iter()
        .filter(|c| !c.archived && !c.address.city.is_empty())
        .map(|c| c.id)
        .take(3)
        .collect();
    let plans: [(&str, &str, &str, &[&str]); 3] = [
        (
            "Badsanierung Familie Berg",
            "2025-014",
            "",
            &["Sanitär", "Fliesen"],
        ),
        ("Wartungsvertrag Heizung", "2025-021", "79,00", &[]),
        (
            "Umbau Büroetage",
            "2025-030",
            "",
            &["Elektrik", "Trockenbau", "Malerarbeiten"],
        ),
    ];
    let mut rng = Rng(7);
    let today = crate::de::clock::now().with_timezone(&Berlin).date_naive();
    let employees = [
        "Jana Beispiel",
        "Ole Hansen",
        "Mehmet Yilmaz",
        "Sofia Weber",
    ];
    // Rollen with their rates, and the sample staff in them (Einstellungen › Mitarbeiter).
    let mut role_ids = Vec::new();
    for (name, rate) in [
        ("Meister", "78,00"),
        ("Geselle", "62,00"),
        ("Azubi", "38,00"),
    ] {
        let roles = crate::abrechnung::save_role(
            core,
            crate::abrechnung::RoleInput {
                name: name.into(),
                rate: rate.into(),
                ..Default::default()
            },
        )
        .await?;
        role_ids.push(roles.iter().find(|r| r.name == name).map(|r| r.id));
    }
    for (name, role) in employees.iter().zip([0usize, 1, 1, 2]) {
        crate::abrechnung::save_employee(
            core,
            crate::abrechnung::EmployeeInput {
                name: (*name).into(),
                role_id: role_ids[role],
                active: true,
                ..Default::default()
            },
        )
        .await?;
    }
    let materials = [
        ("Kupferrohr 15 mm", "m", "8,90"),
        ("Fliesenkleber 25 kg", "Stück", "24,50"),
        ("Anfahrt", "Pauschal", "35,00"),
        ("Kabel NYM-J 3x1,5", "m", "1,20"),
        ("Gipskartonplatte", "Stück", "9,80"),
        ("Wandfarbe weiß 10 l", "Stück", "54,90"),
    ];
    for (i, (name, number, rate, subs)) in plans.iter().enumerate() {
        let main = projekte::save(
            core,
            ProjectInput {
                name: (*name).into(),
                number: (*number).into(),
                customer_id: customers.get(i).copied(),
                hourly_rate: (*rate).into(),
                ..Default::default()
            },
        )
        .await?
        .project
        .id;
        let mut targets = vec![main];
        for s in subs.iter() {
            targets.push(
                projekte::save(
                    core,
                    ProjectInput {
                        name: (*s).into(),
                        parent_id: Some(main),
                        ..Default::default()
                    },
                )
                .await?
                .project
                .id,
            );
        }
        // Workdays of the last three months.
        for back in (1..=90).rev() {
            let day = today - Duration::days(back);
            if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) || rng.below(3) != 0 {
                continue;
            }
            let target = targets[rng.below(targets.len() as u64) as usize];
            let start = 7 + rng.below(3) as u32;
            let hours = 2 + rng.below(6) as u32;
            projekte::save_time(
                core,
                TimeInput {
                    project_id: target,
                    date: crate::de::format::date(day),
                    employee: employees[rng.below(4) as usize].into(),
                    new_employee: true,
                    start: format!("{start:02}:00"),
                    end: format!(
                        "{:02}:{}",
                        start + hours,
                        if rng.below(2) == 0 { "00" } else { "30" }
                    ),
                    break_time: if hours >= 6 {
                        "0:30".into()
                    } else {
                        String::new()
                    },
                    description: [
                        "Montage",
                        "Aufmaß und Planung",
                        "Demontage Altbestand",
                        "Feinarbeiten",
                        "Abnahme mit Kunde",
                    ][rng.below(5) as usize]
                        .into(),
                    ..Default::default()
                },
            )
            .await?;
            if rng.below(3) == 0 {
                let (m, unit, price) = materials[rng.below(materials.len() as u64) as usize];
                projekte::save_service(
                    core,
                    ServiceInput {
                        project_id: target,
                        date: crate::de::format::date(day),
                        name: m.into(),
                        quantity: (1 + rng.below(12)).to_string(),
                        unit: unit.into(),
                        unit_price: price.into(),
                        tax_rate: "19".into(),
                        ..Default::default()
                    },
                )
                .await?;
            }
        }
    }
    log::info!("demo data prepared");
    Ok(())
}

/// Restarts the app: with `--demo` or without. The new process waits until this
/// one has ended (one instance at a time).
pub fn relaunch(demo: bool) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let mut cmd = std::process::Command::new(exe);
    if demo {
        cmd.arg("--demo");
    }
    cmd.env(WAIT_FOR_PID, std::process::id().to_string())
        .spawn()?;
    Ok(())
}

pub const WAIT_FOR_PID: &str = "ZEITRECHNUNG_WAIT_FOR_PID";

/// At start: if started by `relaunch`, wait (≤ 30 s) until the old process is
/// gone — else the new one would hand over to it (one instance per desktop)
/// and end. A process that has exited but is not reaped yet (a zombie) is gone.
pub fn wait_for_predecessor() {
    let Some(pid) = std::env::var(WAIT_FOR_PID)
        .ok()
        .and_then(|p| p.parse::<u32>().ok())
    else {
        return;
    };
    std::env::remove_var(WAIT_FOR_PID);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        #[cfg(target_os = "linux")]
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return,
            // „pid (comm) Z …“: exited, waiting for its parent to reap it.
            Ok(stat)
                if stat
                    .rsplit_once(") ")
                    .is_some_and(|(_, rest)| rest.starts_with('Z')) =>
            {
                return
            }
            Ok(_) => {}
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = pid;
            std::thread::sleep(std::time::Duration::from_millis(1500));
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
