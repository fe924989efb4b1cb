//! Loom models of `Condition` over bobbin-lock's guards: a notification is
//! never lost (with the lock held, which requeues the waiter, or after the
//! release, which wakes it), notify_all wakes two waiters, a timed wait_for
//! racing a notification returns the predicate's value under the lock, an
//! RLock held at depth two is fully released while its owner waits,
//! `notify(n)` notifies exactly as many waiters as it says, and a timed
//! waiter reports `true` exactly when it was notified (also when its deadline
//! passed on the lock's queue, after the notification moved it there).
//!
//! Run with `cargo xtask loom` (`--cfg bobbin_loom`, release,
//! `LOOM_MAX_PREEMPTIONS=2`): a few seconds for the file on 2 cores.

#![cfg(bobbin_loom)]

use bobbin_lock::{Lock, RLock};
use bobbin_park::loom;
use bobbin_park::sync::Arc;
use bobbin_park::sync::atomic::{AtomicBool, Ordering};
use bobbin_signal::Condition;
use std::time::Duration;

/// A flag under a lock, and the condition its waiters wait on.
struct Shared {
    ready: Lock<bool>,
    cond: Condition,
}

impl Shared {
    fn new() -> Arc<Shared> {
        Arc::new(Shared {
            ready: Lock::new(false),
            cond: Condition::new(),
        })
    }

    fn wait(&self) {
        let mut guard = self.ready.acquire();
        while !*guard {
            self.cond.wait(&mut guard);
        }
    }

    /// Sets the flag and notifies everyone, with the lock held (the waiters
    /// are requeued onto it) or after releasing it (they are woken).
    fn set(&self, notify_holding_the_lock: bool) {
        let mut guard = self.ready.acquire();
        *guard = true;
        if notify_holding_the_lock {
            self.cond.notify_all();
            drop(guard);
        } else {
            drop(guard);
            self.cond.notify_all();
        }
    }
}

/// One waiter and one notifier: the waiter never sleeps through the
/// notification, whatever the interleaving.
fn notification_is_never_lost(notify_holding_the_lock: bool) {
    loom::model(move || {
        let shared = Shared::new();
        let waiter = {
            let shared = Arc::clone(&shared);
            loom::thread::spawn(move || shared.wait())
        };
        shared.set(notify_holding_the_lock);
        waiter.join().unwrap();
    });
}

#[test]
fn a_notification_with_the_lock_held_is_never_lost() {
    notification_is_never_lost(true);
}

#[test]
fn a_notification_after_the_release_is_never_lost() {
    notification_is_never_lost(false);
}

#[test]
fn notify_all_wakes_two_waiters() {
    loom::model(|| {
        let shared = Shared::new();
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let shared = Arc::clone(&shared);
                loom::thread::spawn(move || shared.wait())
            })
            .collect();
        shared.set(true);
        for w in waiters {
            w.join().unwrap();
        }
    });
}

#[test]
fn a_timed_wait_for_racing_a_notification() {
    // Loom may fire the timeout at any moment: the result is then the
    // predicate's value when the lock was taken again, which the waiter can
    // check as it still holds the lock.
    loom::model(|| {
        let shared = Shared::new();
        let waiter = {
            let shared = Arc::clone(&shared);
            loom::thread::spawn(move || {
                let mut guard = shared.ready.acquire();
                let r =
                    shared
                        .cond
                        .wait_for(&mut guard, |ready| *ready, Some(Duration::from_secs(1)));
                assert_eq!(r, *guard);
            })
        };
        shared.set(true);
        waiter.join().unwrap();
        // The condition is left with no waiter (none bound to the lock).
        assert_eq!(shared.cond.notify_all(), 0);
    });
}

/// A timed waiter and a notifier that notifies holding the lock: whatever
/// the interleaving, the wait returns `true` exactly when `notify_one` found
/// the waiter, including when the notification moved the waiter onto the
/// lock's queue and its deadline passed there while the notifier held the
/// lock. `$lock` is a `Lock<()>` or an `RLock<()>`.
macro_rules! a_notified_timed_waiter_reports_the_notification {
    ($lock:expr) => {
        loom::model(|| {
            let lock = Arc::new($lock);
            let cond = Arc::new(Condition::new());
            let mut guard = lock.acquire();
            let notifier = {
                let (lock, cond) = (Arc::clone(&lock), Arc::clone(&cond));
                // The notifier gets the lock once the waiter has released it
                // (it is queued then), or once it timed out.
                loom::thread::spawn(move || {
                    let _guard = lock.acquire();
                    cond.notify_one()
                })
            };
            let woken = cond.wait_timeout(&mut guard, Duration::from_secs(1));
            drop(guard);
            assert_eq!(woken, notifier.join().unwrap());
        });
    };
}

#[test]
fn a_notified_timed_waiter_on_a_lock_reports_the_notification() {
    a_notified_timed_waiter_reports_the_notification!(Lock::new(()));
}

#[test]
fn a_notified_timed_waiter_on_an_rlock_reports_the_notification() {
    a_notified_timed_waiter_reports_the_notification!(RLock::new(()));
}

#[test]
fn an_rlock_at_depth_two_is_released_while_waiting() {
    // The notifier must acquire the RLock to set the flag, which it can only
    // do if the waiter's wait released both levels; the waiter gets both
    // back.
    loom::model(|| {
        let rlock = Arc::new(RLock::new(AtomicBool::new(false)));
        let cond = Arc::new(Condition::new());
        let waiter = {
            let (rlock, cond) = (Arc::clone(&rlock), Arc::clone(&cond));
            loom::thread::spawn(move || {
                let _outer = rlock.acquire();
                let mut inner = rlock.acquire();
                cond.wait_for(&mut inner, |ready| ready.load(Ordering::Relaxed), None);
                assert_eq!(rlock.recursion_count(), 2);
            })
        };
        let guard = rlock.acquire();
        guard.store(true, Ordering::Relaxed);
        cond.notify_all();
        drop(guard);
        waiter.join().unwrap();
        assert!(!rlock.locked());
    });
}

/// Tokens under a lock, with the bookkeeping that lets the notifier know
/// how many threads wait: `waiting` threads called `wait` and have not come
/// back, `signalled` of them were notified and have not come back yet.
#[derive(Default)]
struct Tokens {
    tokens: usize,
    waiting: usize,
    signalled: usize,
}

#[test]
fn notify_n_notifies_exactly_min_n_and_the_waiters() {
    // Two consumers each take one token, waiting for it; the producer adds
    // one token with notify(1), then another with notify(2). With the lock
    // held, every waiter not yet notified is in the condition's queue, so
    // notify(n) must report exactly min(n, waiting - signalled); a waiter
    // only ever comes back notified (no spurious wake-ups); and no consumer
    // sleeps through its token (loom would report a deadlock).
    // 3 threads: about 0.1 s on 2 cores.
    loom::model(|| {
        let shared = Arc::new((Lock::new(Tokens::default()), Condition::new()));
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let shared = Arc::clone(&shared);
                loom::thread::spawn(move || {
                    let (lock, cond) = &*shared;
                    let mut guard = lock.acquire();
                    while guard.tokens == 0 {
                        guard.waiting += 1;
                        assert!(cond.wait(&mut guard));
                        guard.waiting -= 1;
                        assert!(guard.signalled > 0, "a wake-up nobody notified");
                        guard.signalled -= 1;
                    }
                    guard.tokens -= 1;
                })
            })
            .collect();
        let (lock, cond) = &*shared;
        for n in [1, 2] {
            let mut guard = lock.acquire();
            guard.tokens += 1;
            let in_queue = guard.waiting - guard.signalled;
            let notified = cond.notify(n);
            assert_eq!(notified, n.min(in_queue));
            guard.signalled += notified;
        }
        for c in consumers {
            c.join().unwrap();
        }
        let guard = lock.acquire();
        assert_eq!((guard.tokens, guard.waiting, guard.signalled), (0, 0, 0));
    });
}
