//! A panic inside a `Condition::wait_for` predicate, before any wait and
//! after a wake-up: the guard is held while the predicate runs and released
//! by the unwind, the condition keeps no stale waiter, and other waiters of
//! the same condition and lock are still notified.

use bobbin_lock::{Lock, RLock};
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_signal::Condition;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

mod common;
use common::{GENEROUS, until};

#[test]
fn a_predicate_that_panics_before_any_wait_unwinds_with_the_lock_released() {
    let lock = Lock::new(0_u32);
    let cond = Condition::new();
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut guard = lock.acquire();
        cond.wait_for(&mut guard, |_| panic!("bad predicate"), Some(GENEROUS))
    }));
    assert!(r.is_err());
    assert!(!lock.locked());
    assert_eq!(cond.notify_all(), 0, "no waiter was left behind");
    // Both still work.
    let mut guard = lock.acquire();
    assert!(!cond.wait_for(&mut guard, |n| *n == 1, Some(Duration::ZERO)));
}

#[test]
fn a_predicate_that_panics_after_a_wake_up_leaves_the_others_notified() {
    // Two waiters on one condition and lock; the first one's predicate
    // panics when it is woken. The second is still woken by the same
    // notify_all, and the lock is free once both are done.
    let lock = Lock::new(false);
    let cond = Condition::new();
    let ids = [AtomicUsize::new(0), AtomicUsize::new(0)];
    let start = std::ptr::from_ref(&cond).addr();
    let on_cond = start..start + size_of_val(&cond);
    std::thread::scope(|s| {
        let doomed = s.spawn(|| {
            ids[0].store(bobbin_park::thread::current_id(), Ordering::SeqCst);
            let mut guard = lock.acquire();
            cond.wait_for(
                &mut guard,
                |ready| {
                    assert!(!*ready, "woken, and the predicate fails");
                    false
                },
                None,
            )
        });
        let fine = s.spawn(|| {
            ids[1].store(bobbin_park::thread::current_id(), Ordering::SeqCst);
            let mut guard = lock.acquire();
            cond.wait_for(&mut guard, |ready| *ready, Some(GENEROUS))
        });
        // Notify only once both wait on the condition.
        until(|| {
            let parked = bobbin_park::parked_threads();
            ids.iter().all(|id| {
                let id = id.load(Ordering::SeqCst);
                parked
                    .iter()
                    .any(|t| t.thread_id == id && on_cond.contains(&t.key))
            })
        });
        *lock.acquire() = true;
        assert_eq!(cond.notify_all(), 2);
        assert!(
            doomed.join().is_err(),
            "the predicate's panic ends its thread"
        );
        assert!(fine.join().unwrap());
    });
    assert!(!lock.locked());
    assert_eq!(cond.notify_all(), 0, "no waiter was left behind");
}

#[test]
fn a_predicate_panic_releases_every_level_of_an_rlock() {
    let rlock = RLock::new(());
    let cond = Condition::new();
    let r = catch_unwind(AssertUnwindSafe(|| {
        let _outer = rlock.acquire();
        let mut inner = rlock.acquire();
        cond.wait_for(&mut inner, |()| panic!("bad predicate"), None)
    }));
    assert!(r.is_err());
    assert!(!rlock.locked());
    // Another thread can take it at once.
    std::thread::scope(|s| {
        assert!(s.spawn(|| rlock.try_acquire().is_some()).join().unwrap());
    });
}
