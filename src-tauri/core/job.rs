//! One long job at a time, with „Abbrechen“: the customer import, the status
//! sync and „Entwürfe erstellen“ each have one `Job` in `Core`. In-process
//! (a single-process assumption, docs/architecture.md › Single-process
//! assumptions); several seats will need a lock on the database server.

use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Default)]
pub struct Job {
    flight: tokio::sync::Mutex<()>,
    cancel: AtomicBool,
}

/// Held while the job runs; the job is free again when it is dropped.
pub struct Running<'a>(#[allow(dead_code)] tokio::sync::MutexGuard<'a, ()>);

impl Job {
    /// Starts the job, or None while it runs already. A „Abbrechen“ from
    /// before is forgotten.
    pub fn try_start(&self) -> Option<Running<'_>> {
        let guard = self.flight.try_lock().ok()?;
        self.cancel.store(false, Ordering::SeqCst);
        Some(Running(guard))
    }

    /// Starts the job once a running one has ended.
    pub async fn start(&self) -> Running<'_> {
        let guard = self.flight.lock().await;
        self.cancel.store(false, Ordering::SeqCst);
        Running(guard)
    }

    pub fn is_running(&self) -> bool {
        self.flight.try_lock().is_err()
    }

    /// „Abbrechen“: the job stops at its next step.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// The flag the running job checks (its steps take it as `&AtomicBool`).
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }

    /// Whether „Abbrechen“ was asked for since the last look (and forgets it).
    pub fn take_cancel(&self) -> bool {
        self.cancel.swap(false, Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_run_at_a_time_and_a_cancel_is_seen_once() {
        let job = Job::default();
        let run = job.try_start().expect("free");
        assert!(job.is_running());
        assert!(job.try_start().is_none(), "single flight");
        job.cancel();
        assert!(job.take_cancel());
        assert!(!job.take_cancel(), "seen once");
        job.cancel();
        drop(run);
        assert!(!job.is_running());
        let _again = job.start().await;
        assert!(
            !job.take_cancel(),
            "a cancel from before the start is forgotten"
        );
    }
}
