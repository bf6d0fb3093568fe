//! Holds on the server (`storage/holds.rs`, docs/database.md › Holds): a
//! session advisory lock on a connection of its own, let go when the hold is
//! dropped. A seat that dies lets go with its connection.

use std::sync::atomic::Ordering;

use sqlx::{Connection, PgConnection};

use super::{db_err, PgStore};
use crate::error::AppResult;
use crate::storage::Hold;

/// The held lock: its connection closes (and so lets go) when dropped.
pub struct ServerHold {
    conn: Option<PgConnection>,
    rt: Option<tokio::runtime::Handle>,
}

impl Drop for ServerHold {
    /// Lets go before it returns (the next try, also of this seat, finds it
    /// free): unlocked on the store's runtime, then the connection closed —
    /// at most 2 s; a server away or a runtime already gone drops the socket,
    /// which lets go as well.
    fn drop(&mut self) {
        if let (Some(mut conn), Some(rt)) = (self.conn.take(), self.rt.take()) {
            let (done, waited) = std::sync::mpsc::sync_channel::<()>(1);
            rt.spawn(async move {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
                    let _ = sqlx::query("SELECT pg_advisory_unlock_all()")
                        .execute(&mut conn)
                        .await;
                    let _ = conn.close().await;
                })
                .await;
                let _ = done.send(());
            });
            let _ = waited.recv_timeout(std::time::Duration::from_secs(3));
        }
    }
}

impl PgStore {
    /// Holds `what` unless another seat (or another connection of this one)
    /// holds it: None then.
    pub fn try_hold(&self, what: Hold, shared: bool) -> AppResult<Option<ServerHold>> {
        let rt = self.rt.as_ref().map(|r| r.handle().clone());
        if self.holds_off.load(Ordering::Relaxed) && matches!(what, Hold::Attempt(_)) {
            return Ok(Some(ServerHold { conn: None, rt }));
        }
        let pool = self.pool();
        let conn = self.run(async move {
            // A connection of its own, outside the pool: the lock lives as
            // long as it does.
            let mut conn = pool.acquire().await.map_err(db_err)?.detach();
            let got: bool = sqlx::query_scalar(if shared {
                "SELECT pg_try_advisory_lock_shared($1)"
            } else {
                "SELECT pg_try_advisory_lock($1)"
            })
            .bind(what.key())
            .fetch_one(&mut conn)
            .await
            .map_err(db_err)?;
            if got {
                Ok(Some(conn))
            } else {
                let _ = conn.close().await;
                Ok(None)
            }
        })?;
        Ok(conn.map(|c| ServerHold { conn: Some(c), rt }))
    }

    /// The PC whose seat holds `what` now, if any seat does.
    pub fn holder(&self, what: Hold) -> AppResult<Option<String>> {
        let pool = self.pool();
        self.run(async move {
            let key = what.key();
            let pc: Option<String> = sqlx::query_scalar(
                "SELECT regexp_replace(a.application_name, '^Zeitrechnung [^ ]+ ', '')
                   FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                  WHERE l.locktype = 'advisory' AND l.granted
                    AND l.classid::bigint = ($1 >> 32) & 4294967295
                    AND l.objid::bigint = $1 & 4294967295
                  LIMIT 1",
            )
            .bind(key)
            .fetch_optional(&pool)
            .await
            .map_err(db_err)?;
            Ok(pc.filter(|p| !p.is_empty()))
        })
    }

    /// Tells every other seat at once (not at a COMMIT): `what` and this seat.
    pub fn announce(&self, what: &'static str) -> AppResult<()> {
        let pool = self.pool();
        self.run(async move {
            sqlx::query("SELECT pg_notify('zeitrechnung', $1 || ' ' || current_setting('application_name'))")
                .bind(what)
                .execute(&pool)
                .await
                .map_err(db_err)?;
            Ok(())
        })
    }

    /// A test's control run: attempts are no longer held (the hazard the
    /// holds prevent becomes visible).
    pub fn without_attempt_holds(&self) {
        self.holds_off.store(true, Ordering::Relaxed);
    }
}
