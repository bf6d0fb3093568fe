//! lexoffice's 2 requests per second shared by every seat of an office: on
//! the database server one row holds the next moment a request may go out
//! (the server's clock only, never the PC's); each request takes its turn
//! with one statement, a 429 pushes the moment on for all. On the embedded
//! database — or while the server cannot be reached — the in-process limiter
//! paces alone. docs/database.md › lexoffice pacing.

use std::sync::Arc;
use std::time::Duration;

use crate::lexoffice::{Pacing, RateLimiter};
use crate::storage::Store;

pub struct SharedPacing {
    store: Arc<Store>,
    spacing: Duration,
    local: RateLimiter,
}

impl SharedPacing {
    pub fn new(store: Arc<Store>, per_sec: f64) -> SharedPacing {
        SharedPacing {
            store,
            spacing: Duration::from_secs_f64(1.0 / per_sec),
            local: RateLimiter::new(1, per_sec),
        }
    }
}

impl Pacing for SharedPacing {
    fn turn(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            let store = self.store.clone();
            let spacing = self.spacing;
            let shared = tokio::task::spawn_blocking(move || store.lexoffice_turn(spacing)).await;
            match shared {
                Ok(Some(Ok(wait))) => {
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                }
                Ok(Some(Err(e))) => {
                    log::warn!("shared lexoffice pacing unavailable ({e}); pacing alone");
                    self.local.acquire().await;
                }
                Ok(None) | Err(_) => self.local.acquire().await,
            }
        })
    }

    fn penalise(&self, pause: Duration) {
        self.local.penalise(pause);
        let store = self.store.clone();
        std::thread::spawn(move || {
            if let Err(e) = store.lexoffice_pause(pause) {
                log::warn!("shared lexoffice pause not stored: {e}");
            }
        });
    }
}
