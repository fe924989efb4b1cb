//! Loom models of `RLock`: nested acquisitions exclude other threads, a
//! release by a non-owner is refused, a condition wait releases every
//! level and restores it, and a `reset` does not erase the levels of the
//! thread that takes the lock after it.
//!
//! Run with `cargo xtask loom` (`--cfg bobbin_loom`, release,
//! `LOOM_MAX_PREEMPTIONS=2`): well under a second for the file on 2 cores.

#![cfg(bobbin_loom)]

use bobbin_lock::{RLock, RLockGuard, ReleaseError, WaitGuard};
use bobbin_park::cell::UnsafeCell;
use bobbin_park::loom;
use bobbin_park::sync::Arc;
use bobbin_park::{CondWait, ConditionQueue, Deadline};

/// A counter in the seam's `UnsafeCell`, guarded by an `RLock`.
struct Counter {
    rlock: RLock,
    count: UnsafeCell<usize>,
}

// SAFETY: `count` is only accessed with `rlock` held.
unsafe impl Sync for Counter {}

impl Counter {
    fn new() -> Counter {
        Counter {
            rlock: RLock::new(()),
            count: UnsafeCell::new(0),
        }
    }

    /// Adds one at each of two nested levels.
    fn increment_twice(&self) {
        let _outer = self.rlock.acquire();
        // SAFETY: the lock is held.
        self.count.with_mut(|p| unsafe { *p += 1 });
        let _inner = self.rlock.acquire();
        assert_eq!(self.rlock.recursion_count(), 2);
        // SAFETY: the lock is held.
        self.count.with_mut(|p| unsafe { *p += 1 });
    }
}

#[test]
fn nested_levels_exclude_other_threads() {
    loom::model(|| {
        let counter = Arc::new(Counter::new());
        let other = {
            let counter = Arc::clone(&counter);
            loom::thread::spawn(move || counter.increment_twice())
        };
        counter.increment_twice();
        other.join().unwrap();
        let _g = counter.rlock.acquire();
        // SAFETY: the lock is held.
        assert_eq!(counter.count.with(|p| unsafe { *p }), 4);
    });
}

#[test]
fn only_the_owner_releases_and_locked_is_seen_by_all() {
    loom::model(|| {
        let rlock = Arc::new(RLock::new(()));
        RLockGuard::leak(rlock.acquire());
        let other = {
            let rlock = Arc::clone(&rlock);
            loom::thread::spawn(move || {
                // Held by the main thread until it joins us.
                assert!(rlock.locked());
                assert!(!rlock.is_owned());
                assert_eq!(rlock.recursion_count(), 0);
                rlock.release()
            })
        };
        assert_eq!(other.join().unwrap(), Err(ReleaseError::NotOwned));
        assert!(rlock.is_owned());
        assert_eq!(rlock.release(), Ok(()));
        assert!(!rlock.locked());
    });
}

#[test]
fn a_condition_wait_releases_every_level() {
    // The waiter holds two levels; the notifier can take the lock only if
    // the wait released both, and the waiter gets both back.
    loom::model(|| {
        let rlock = Arc::new(RLock::new(()));
        let open = Arc::new(UnsafeCell::new(false));
        let queue = Arc::new(ConditionQueue::new());
        struct Shared(Arc<UnsafeCell<bool>>);
        // SAFETY: the flag is only accessed with `rlock` held.
        unsafe impl Send for Shared {}
        let waiter = {
            let (rlock, queue) = (Arc::clone(&rlock), Arc::clone(&queue));
            let open = Shared(Arc::clone(&open));
            loom::thread::spawn(move || {
                let open = open;
                let _outer = rlock.acquire();
                let mut inner = rlock.acquire();
                // SAFETY: the lock is held at each read of the loop.
                while !open.0.with(|p| unsafe { *p }) {
                    let r = inner.wait_on(&queue, Deadline::never());
                    assert!(matches!(r, CondWait::Woken(_)), "{r:?}");
                    assert_eq!(rlock.recursion_count(), 2);
                }
            })
        };
        {
            let _g = rlock.acquire();
            // SAFETY: the lock is held.
            open.with_mut(|p| unsafe { *p = true });
            queue.notify_all();
        }
        waiter.join().unwrap();
        assert!(!rlock.locked());
    });
}

#[test]
fn a_reset_frees_the_lock_for_a_waiter_whose_levels_survive_it() {
    // `RLock<()>::reset` (Python's `_at_fork_reinit`) against a thread that
    // is taking the lock: once that thread has it, its owner and count are
    // its own, whatever the reset wrote before freeing the lock.
    loom::model(|| {
        let rlock = Arc::new(RLock::new(()));
        RLockGuard::leak(rlock.acquire());
        RLockGuard::leak(rlock.acquire());
        let taker = {
            let rlock = Arc::clone(&rlock);
            loom::thread::spawn(move || {
                RLockGuard::leak(rlock.acquire());
                assert_eq!(rlock.recursion_count(), 1);
                rlock.release().unwrap();
                assert_eq!(rlock.release(), Err(ReleaseError::NotOwned));
            })
        };
        assert!(rlock.reset());
        taker.join().unwrap();
        assert!(!rlock.locked());
        assert_eq!(rlock.release(), Err(ReleaseError::NotOwned));
    });
}
