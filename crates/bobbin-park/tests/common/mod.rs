//! A two-bit lock in the style of parking_lot's `RawMutex`, following
//! bobbin-park's lock-word convention, for the tests of the parking API and
//! of `ConditionQueue`.

#![allow(dead_code)] // Each test binary uses a different part.

use bobbin_park::sync::atomic::{AtomicU8, Ordering};
use bobbin_park::{
    DEFAULT_PARK_TOKEN, Deadline, LOCK_LOCKED, LOCK_PARKED, UnparkToken, park, unpark_one,
};

/// The token a slow-path unlock passes to the thread it wakes, so tests can
/// tell "woken by the lock" from "woken by a notification" (token 0).
pub(crate) const WOKEN_BY_UNLOCK: UnparkToken = UnparkToken(77);

pub(crate) struct TinyLock {
    pub(crate) state: AtomicU8,
}

impl TinyLock {
    pub(crate) fn new() -> TinyLock {
        TinyLock {
            state: AtomicU8::new(0),
        }
    }

    pub(crate) fn lock(&self) {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & LOCK_LOCKED == 0 {
                match self.state.compare_exchange_weak(
                    state,
                    state | LOCK_LOCKED,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return,
                    Err(s) => {
                        state = s;
                        continue;
                    }
                }
            }
            if state & LOCK_PARKED == 0
                && let Err(s) = self.state.compare_exchange_weak(
                    state,
                    state | LOCK_PARKED,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
            {
                state = s;
                continue;
            }
            park(
                &self.state,
                || self.state.load(Ordering::Relaxed) == LOCK_LOCKED | LOCK_PARKED,
                || {},
                |_, was_last| {
                    if was_last {
                        self.state.fetch_and(!LOCK_PARKED, Ordering::Relaxed);
                    }
                },
                DEFAULT_PARK_TOKEN,
                Deadline::never(),
            );
            state = self.state.load(Ordering::Relaxed);
        }
    }

    pub(crate) fn unlock(&self) {
        if self
            .state
            .compare_exchange(LOCK_LOCKED, 0, Ordering::Release, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        unpark_one(&self.state, |r| {
            let next = if r.have_more_threads { LOCK_PARKED } else { 0 };
            self.state.store(next, Ordering::Release);
            WOKEN_BY_UNLOCK
        });
    }

    pub(crate) fn is_locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) & LOCK_LOCKED != 0
    }
}
