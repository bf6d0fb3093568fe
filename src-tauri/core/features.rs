//! State a feature keeps for the whole run (the status sync's last result, the
//! automatic backup's status), held by `Core` by its type so that `core` names
//! no feature: `core.feature::<SyncTracker>()`. Created empty on first use.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Slot = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
pub struct Features(Mutex<HashMap<TypeId, Slot>>);

impl Features {
    pub fn get<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let slot = m
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()) as Slot)
            .clone();
        slot.downcast::<T>()
            .unwrap_or_else(|_| unreachable!("a slot holds the type it is keyed by"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Count(std::sync::atomic::AtomicU32);

    #[test]
    fn one_value_per_type_for_the_whole_run() {
        let f = Features::default();
        f.get::<Count>()
            .0
            .fetch_add(2, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            f.get::<Count>().0.load(std::sync::atomic::Ordering::SeqCst),
            2
        );
        assert_eq!(*f.get::<String>(), "");
    }
}
