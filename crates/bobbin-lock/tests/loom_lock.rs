//! Loom models of `Lock`: mutual exclusion, Python's release from another
//! thread, racing releases, the fair hand-off, a timed acquire racing the
//! release, a condition wait through `WaitGuard`, and a `reset` with
//! threads parking around it.
//!
//! Run with `cargo xtask loom` (`--cfg bobbin_loom`, release,
//! `LOOM_MAX_PREEMPTIONS=2`): well under a second for the file on 2 cores.

#![cfg(bobbin_loom)]

use bobbin_lock::{Lock, LockGuard, ReleaseError, WaitGuard};
use bobbin_park::cell::UnsafeCell;
use bobbin_park::loom;
use bobbin_park::sync::Arc;
use bobbin_park::{CondWait, ConditionQueue, Deadline};
use std::time::Duration;

/// A counter in the seam's `UnsafeCell`, guarded by a `Lock`, so that loom
/// reports two increments that are not excluded.
struct Counter {
    lock: Lock,
    count: UnsafeCell<usize>,
}

// SAFETY: `count` is only accessed with `lock` held.
unsafe impl Sync for Counter {}

impl Counter {
    fn new() -> Counter {
        Counter {
            lock: Lock::new(()),
            count: UnsafeCell::new(0),
        }
    }

    /// Adds one under the lock; `fair` releases with a hand-off.
    fn increment(&self, fair: bool) {
        let guard = self.lock.acquire();
        // SAFETY: the lock is held.
        self.count.with_mut(|p| unsafe { *p += 1 });
        if fair {
            LockGuard::unlock_fair(guard);
        } else {
            drop(guard);
        }
    }

    fn get(&self) -> usize {
        let _guard = self.lock.acquire();
        // SAFETY: the lock is held.
        self.count.with(|p| unsafe { *p })
    }
}

#[test]
fn the_lock_excludes_and_wakes() {
    loom::model(|| {
        let counter = Arc::new(Counter::new());
        let other = {
            let counter = Arc::clone(&counter);
            loom::thread::spawn(move || counter.increment(false))
        };
        counter.increment(false);
        other.join().unwrap();
        assert_eq!(counter.get(), 2);
        assert!(!counter.lock.locked());
    });
}

#[test]
fn a_release_that_clears_the_mark_still_wakes_a_waiter() {
    // Three threads: a release's exchange may clear PARKED while one thread
    // is parked and a third takes the free lock (barging) before the
    // release's slow path wakes the parked one and restores the mark. Every
    // increment must be excluded and every thread must finish. The barging
    // window needs three preemptions (the default bound of 2 misses a
    // planted bug there); about 0.4 s.
    let mut model = loom::model::Builder::new();
    model.preemption_bound = Some(3);
    model.check(|| {
        let counter = Arc::new(Counter::new());
        let others: Vec<_> = (0..2)
            .map(|_| {
                let counter = Arc::clone(&counter);
                loom::thread::spawn(move || counter.increment(false))
            })
            .collect();
        counter.increment(false);
        for other in others {
            other.join().unwrap();
        }
        assert_eq!(counter.get(), 3);
        assert!(!counter.lock.locked());
    });
}

#[test]
fn the_fair_hand_off_excludes_and_wakes() {
    // unlock_fair keeps the lock locked and passes it to the parked waiter:
    // the waiter must own it (its increment is excluded from ours) and must
    // wake (no deadlock).
    loom::model(|| {
        let counter = Arc::new(Counter::new());
        let others: Vec<_> = (0..2)
            .map(|_| {
                let counter = Arc::clone(&counter);
                loom::thread::spawn(move || counter.increment(true))
            })
            .collect();
        counter.increment(true);
        for t in others {
            t.join().unwrap();
        }
        assert_eq!(counter.get(), 3);
    });
}

#[test]
fn another_thread_releases_and_the_waiter_wakes() {
    loom::model(|| {
        let counter = Arc::new(Counter::new());
        LockGuard::leak(counter.lock.acquire());
        let releaser = {
            let counter = Arc::clone(&counter);
            loom::thread::spawn(move || counter.lock.release())
        };
        // Parks until the other thread's release.
        counter.increment(false);
        assert_eq!(releaser.join().unwrap(), Ok(()));
        assert_eq!(counter.get(), 1);
    });
}

#[test]
fn of_two_racing_releases_exactly_one_succeeds() {
    loom::model(|| {
        let lock = Arc::new(Lock::new(()));
        LockGuard::leak(lock.acquire());
        let other = {
            let lock = Arc::clone(&lock);
            loom::thread::spawn(move || lock.release())
        };
        let mine = lock.release();
        let theirs = other.join().unwrap();
        assert!(
            matches!(
                (mine, theirs),
                (Ok(()), Err(ReleaseError::Unlocked)) | (Err(ReleaseError::Unlocked), Ok(()))
            ),
            "{mine:?} {theirs:?}"
        );
        assert!(!lock.locked());
    });
}

#[test]
fn a_timed_acquire_races_the_release() {
    // The model may time the waiter out at any moment once it has parked:
    // either it gets the lock or it leaves it (and its parked mark) clean.
    loom::model(|| {
        let counter = Arc::new(Counter::new());
        let guard = counter.lock.acquire();
        let waiter = {
            let counter = Arc::clone(&counter);
            loom::thread::spawn(move || {
                let got = counter.lock.acquire_timeout(Duration::from_secs(3600));
                if let Some(_g) = got {
                    // SAFETY: the lock is held.
                    counter.count.with_mut(|p| unsafe { *p += 1 });
                    true
                } else {
                    false
                }
            })
        };
        drop(guard);
        let got = waiter.join().unwrap();
        assert_eq!(counter.get(), usize::from(got));
        assert!(!counter.lock.locked());
    });
}

/// A flag under a `Lock`, waited for through `WaitGuard::wait_on`.
struct Gate {
    open: Lock<bool>,
    queue: ConditionQueue,
}

#[test]
fn a_condition_wait_releases_the_lock_and_is_never_lost() {
    // The notifier takes the lock the waiter releases inside its wait, sets
    // the flag and notifies while holding it: the waiter is moved to the
    // lock's queue and must be woken by the notifier's release.
    loom::model(|| {
        let gate = Arc::new(Gate {
            open: Lock::new(false),
            queue: ConditionQueue::new(),
        });
        let waiter = {
            let gate = Arc::clone(&gate);
            loom::thread::spawn(move || {
                let mut guard = gate.open.acquire();
                while !*guard {
                    let r = guard.wait_on(&gate.queue, Deadline::never());
                    assert!(matches!(r, CondWait::Woken(_)), "{r:?}");
                }
                assert!(gate.open.locked());
            })
        };
        let mut guard = gate.open.acquire();
        *guard = true;
        gate.queue.notify_one();
        // A fair release hands the lock to a requeued waiter: `wait_on` must
        // then return holding it without taking it again.
        LockGuard::unlock_fair(guard);
        waiter.join().unwrap();
        assert!(!gate.open.locked());
    });
}

#[test]
fn a_reset_wakes_every_waiter_and_leaves_no_mark_behind() {
    // `Lock<()>::reset` (Python's `_at_fork_reinit`) clears the word, mark
    // included, and then wakes whoever is parked: two threads that park
    // before it, after it or in between still get the lock, and once they
    // are done the lock is free and unmarked (a fresh acquire and release
    // take the fast paths).
    loom::model(|| {
        let counter = Arc::new(Counter::new());
        LockGuard::leak(counter.lock.acquire());
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let counter = Arc::clone(&counter);
                loom::thread::spawn(move || counter.increment(false))
            })
            .collect();
        assert!(counter.lock.reset());
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(counter.get(), 2);
        assert!(!counter.lock.reset(), "the lock is free");
    });
}
