//! Other seats' changes (docs/database.md › Other seats' changes): every
//! write statement on the firm's tables sends a notice at COMMIT (migration 3:
//! the table and the writing seat); each seat LISTENs on one connection of
//! its own and hears what the others changed — its own writes are left out.
//! After a lost connection (notices missed meanwhile) it hears „*“: reload
//! everything.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;

use super::PgStore;
use crate::error::AppResult;

const CHANNEL: &str = "zeitrechnung";

/// A name for this seat, unique among the office's PCs for the run, with the
/// PC's name for Einstellungen › Mehrplatz: „4711-1a2b3c4d buero-pc“. At most
/// 50 bytes, so that „Zeitrechnung “ and it fit PostgreSQL's 63 for an
/// application_name (a cut name would not be recognised as this seat's).
pub(super) fn new_seat() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let mut seat = format!("{}-{nanos:08x} {}", std::process::id(), pc_name());
    while seat.len() > 50 {
        seat.pop();
    }
    seat
}

/// This PC's name (the network name), or „unbekannter PC“.
fn pc_name() -> String {
    let from_os = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    from_os
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|n| {
            n.trim()
                .chars()
                .filter(|c| !c.is_control())
                .collect::<String>()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "unbekannter PC".into())
}

/// A seat connected now: its PC's name, since when, and whether it is this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub pc: String,
    pub since: chrono::DateTime<chrono::Utc>,
    pub this_one: bool,
}

/// The table a notice names, unless this seat wrote it.
fn from_others<'a>(payload: &'a str, me: &str) -> Option<&'a str> {
    let (table, writer) = payload.split_once(' ').unwrap_or((payload, ""));
    (writer != format!("Zeitrechnung {me}")).then_some(table)
}

impl PgStore {
    /// This PC's name, as the seats list shows it.
    pub fn pc(&self) -> String {
        self.seat
            .split_once(' ')
            .map(|(_, pc)| pc.to_string())
            .unwrap_or_default()
    }

    /// The seats connected to this database now, the longest-connected first.
    pub fn seats(&self) -> AppResult<Vec<Seat>> {
        let pool = self.pool();
        let me = self.seat.clone();
        self.run(async move {
            let rows: Vec<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                "SELECT substr(application_name, 14), min(backend_start)
                   FROM pg_stat_activity
                  WHERE datname = current_database() AND application_name LIKE 'Zeitrechnung %'
                  GROUP BY 1 ORDER BY 2",
            )
            .fetch_all(&pool)
            .await
            .map_err(super::db_err)?;
            Ok(rows
                .into_iter()
                .map(|(seat, since)| Seat {
                    pc: seat
                        .split_once(' ')
                        .map(|(_, pc)| pc.to_string())
                        .unwrap_or_default(),
                    since,
                    this_one: seat == me,
                })
                .collect())
        })
    }

    /// Calls `on_change` with the table another seat changed (after its
    /// COMMIT), or „*“ after the connection was lost and made again. Runs
    /// for as long as the store lives. Returns once this seat listens (what
    /// another seat commits from then on is heard), or after at most
    /// `LISTEN_WAIT` when the server does not answer — then the connection
    /// that stands at last tells „*“.
    pub fn watch(&self, on_change: Arc<dyn Fn(&str) + Send + Sync>) -> AppResult<()> {
        let pool = self.pool();
        let me = self.seat.clone();
        let rt = self.rt.as_ref().expect("runtime until drop");
        let (ready, listening) = std::sync::mpsc::sync_channel::<()>(1);
        rt.spawn(async move {
            let mut first = true;
            loop {
                let listener = async {
                    let mut l = PgListener::connect_with(&pool).await?;
                    l.listen(CHANNEL).await?;
                    Ok::<_, sqlx::Error>(l)
                };
                let mut l = match listener.await {
                    Ok(l) => l,
                    Err(e) => {
                        log::warn!("listening for other seats' changes: {e}");
                        // Whatever comes before the next try is missed.
                        first = false;
                        let _ = ready.try_send(());
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        continue;
                    }
                };
                // `watch` gave up waiting (it returned before this LISTEN
                // stood): what came meanwhile is unknown as well.
                let late = ready.try_send(()).is_err();
                if !first || late {
                    on_change("*");
                }
                first = false;
                loop {
                    match l.try_recv().await {
                        Ok(Some(n)) => {
                            if let Some(table) = from_others(n.payload(), &me) {
                                on_change(table);
                            }
                        }
                        // Lost and made again: what came meanwhile is unknown.
                        Ok(None) => on_change("*"),
                        Err(e) => {
                            log::warn!("listening for other seats' changes: {e}");
                            break;
                        }
                    }
                }
            }
        });
        let _ = listening.recv_timeout(LISTEN_WAIT);
        Ok(())
    }
}

/// How long `watch` waits for its LISTEN to stand before it returns anyway.
const LISTEN_WAIT: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seat_hears_the_others_only() {
        assert_eq!(
            from_others("entries Zeitrechnung 12-0000abcd", "99-00000001"),
            Some("entries")
        );
        assert_eq!(
            from_others("entries Zeitrechnung 12-0000abcd", "12-0000abcd"),
            None
        );
        assert_eq!(
            from_others("customers psql", "12-0000abcd"),
            Some("customers")
        );
    }
}
