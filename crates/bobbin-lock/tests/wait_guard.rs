//! `WaitGuard`: the condition wait that `bobbin-signal`'s `Condition` is
//! built on: the lock (every level of an RLock) is released while waiting
//! and held again on return, notifications are never lost, and a wait on a
//! queue bound to another lock releases nothing.

use bobbin_lock::{Lock, RLock, WaitGuard};
use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use bobbin_park::{CondWait, ConditionQueue, DEFAULT_UNPARK_TOKEN, Deadline};
use std::time::{Duration, Instant};

mod common;
use common::wait_for;

fn is_woken(r: CondWait) -> bool {
    matches!(r, CondWait::Woken(_))
}

#[test]
fn a_notification_wakes_the_waiter_holding_the_lock_again() {
    let ready = Lock::new(false);
    let queue = ConditionQueue::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            wait_for("the waiter is queued", || queue.has_waiters());
            // Taking the lock proves the waiter released it.
            *ready.acquire() = true;
            assert!(queue.notify_one());
        });
        let mut guard = ready.acquire();
        while !*guard {
            assert!(is_woken(guard.wait_on(&queue, Deadline::never())));
            assert!(ready.locked());
        }
    });
    assert!(!ready.locked());
}

#[test]
fn a_timed_wait_times_out_and_holds_the_lock_again() {
    let lock = Lock::new(1);
    let queue = ConditionQueue::new();
    let mut guard = lock.acquire();
    let timeout = Duration::from_millis(30);
    let start = Instant::now();
    let r = guard.wait_on(&queue, Deadline::after(timeout));
    let waited = start.elapsed();
    assert_eq!(r, CondWait::TimedOut);
    assert!(waited >= timeout, "returned early: {waited:?}");
    assert!(lock.locked());
    *guard += 1;
    drop(guard);
    assert_eq!(*lock.acquire(), 2);
    assert!(!queue.has_waiters());
}

#[test]
fn a_timed_out_wait_waits_for_the_lock_regardless_of_its_timeout() {
    // Python re-acquires after a timed-out wait however long that takes. A
    // second thread takes the lock the wait released and, if the waiter is
    // still queued, holds it past the waiter's deadline: the waiter must
    // come back only after that thread let go.
    let lock = Lock::new(());
    let queue = ConditionQueue::new();
    let took = AtomicBool::new(false);
    let released = AtomicBool::new(false);
    std::thread::scope(|s| {
        let mut guard = lock.acquire();
        s.spawn(|| {
            // Only the wait (or the end of the test) releases the lock.
            let held = lock.acquire();
            took.store(true, Ordering::Relaxed);
            // Usually the waiter is still queued: hold the lock until its
            // time-out has left the queue empty.
            wait_for("the waiter timed out", || !queue.has_waiters());
            released.store(true, Ordering::Relaxed);
            drop(held);
        });
        let r = guard.wait_on(&queue, Deadline::after(Duration::from_millis(10)));
        assert_eq!(r, CondWait::TimedOut);
        assert!(lock.locked());
        // Whenever the other thread got the lock during the wait, the wait
        // returned only after it was released (both flags are written under
        // the lock, which the waiter now holds).
        assert_eq!(
            took.load(Ordering::Relaxed),
            released.load(Ordering::Relaxed)
        );
    });
}

#[test]
fn an_rlock_wait_releases_every_level_and_restores_them() {
    let rlock = RLock::new(());
    let queue = ConditionQueue::new();
    let flag = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            wait_for("the waiter is queued", || queue.has_waiters());
            // Only possible if all three levels were released.
            let _g = rlock.acquire();
            assert_eq!(rlock.recursion_count(), 1);
            flag.store(true, Ordering::Relaxed);
            queue.notify_all();
        });
        let _a = rlock.acquire();
        let _b = rlock.acquire();
        let mut c = rlock.acquire();
        while !flag.load(Ordering::Relaxed) {
            assert!(is_woken(c.wait_on(&queue, Deadline::never())));
            assert!(rlock.is_owned());
            assert_eq!(rlock.recursion_count(), 3);
        }
    });
    assert!(!rlock.locked());
}

#[test]
fn an_rlock_timed_wait_restores_the_levels() {
    let rlock = RLock::new(());
    let queue = ConditionQueue::new();
    let _a = rlock.acquire();
    let mut b = rlock.acquire();
    let r = b.wait_on(&queue, Deadline::after(Duration::from_millis(5)));
    assert_eq!(r, CondWait::TimedOut);
    assert!(rlock.is_owned());
    assert_eq!(rlock.recursion_count(), 2);
}

#[test]
fn a_wait_on_a_queue_bound_to_another_lock_releases_nothing() {
    let first = Lock::new(());
    let second = Lock::new(());
    let rlock = RLock::new(());
    let queue = ConditionQueue::new();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let mut g = first.acquire();
            g.wait_on(&queue, Deadline::never())
        });
        wait_for("the first waiter is queued", || queue.has_waiters());

        let mut g = second.acquire();
        assert_eq!(g.wait_on(&queue, Deadline::never()), CondWait::OtherLock);
        assert!(second.locked());
        drop(g);

        let _outer = rlock.acquire();
        let mut inner = rlock.acquire();
        assert_eq!(
            inner.wait_on(&queue, Deadline::never()),
            CondWait::OtherLock
        );
        assert_eq!(rlock.recursion_count(), 2);
        drop(inner);

        assert!(queue.notify_one());
        assert!(is_woken(waiter.join().unwrap()));
    });
}

#[test]
fn notify_all_with_the_lock_held_wakes_every_waiter_in_turn() {
    // The notifier holds the lock: the waiters are moved onto the lock's
    // queue and woken one by one as it is released.
    let waiters = 4;
    let state = Lock::new((false, 0_usize));
    let queue = ConditionQueue::new();
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..waiters {
            s.spawn(|| {
                let mut g = state.acquire();
                queued.fetch_add(1, Ordering::Relaxed);
                while !g.0 {
                    assert!(is_woken(g.wait_on(&queue, Deadline::never())));
                }
                g.1 += 1;
            });
        }
        wait_for("all waiters counted", || {
            queued.load(Ordering::Relaxed) == waiters
        });
        let mut g = state.acquire();
        // Every waiter has counted itself under the lock and released it in
        // its wait, since we hold it now.
        g.0 = true;
        assert_eq!(queue.notify_all(), waiters);
    });
    assert_eq!(state.acquire().1, waiters);
}

#[test]
fn a_notified_waiter_that_waited_long_is_handed_the_lock() {
    // The waiter is moved onto the lock's queue by a notification while the
    // lock is held; it has waited more than a millisecond by the time the
    // notifier releases, so the release hands it the lock (a non-default
    // token: "you own the lock now").
    let lock = Lock::new(false);
    let queue = ConditionQueue::new();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let mut g = lock.acquire();
            let r = g.wait_on(&queue, Deadline::never());
            assert!(*g);
            r
        });
        wait_for("the waiter is queued", || queue.has_waiters());
        let mut g = lock.acquire();
        *g = true;
        assert!(queue.notify_one());
        std::thread::sleep(Duration::from_millis(2));
        drop(g);
        let r = waiter.join().unwrap();
        assert!(is_woken(r));
        assert_ne!(r, CondWait::Woken(DEFAULT_UNPARK_TOKEN));
    });
    assert!(!lock.locked());
}

#[test]
fn adopt_makes_a_guard_only_for_a_held_lock() {
    use bobbin_lock::LockGuard;
    let lock = Lock::new(());
    assert!(LockGuard::adopt(&lock).is_none());
    LockGuard::leak(lock.acquire());
    // A Lock has no owner: another thread may adopt (and release) it.
    std::thread::scope(|s| {
        s.spawn(|| drop(LockGuard::adopt(&lock).expect("held")));
    });
    assert!(!lock.locked());
}

#[test]
fn adopt_makes_a_guard_only_for_the_owner_of_an_rlock() {
    use bobbin_lock::RLockGuard;
    let rlock = RLock::new(());
    assert!(RLockGuard::adopt(&rlock).is_none());
    RLockGuard::leak(rlock.acquire());
    RLockGuard::leak(rlock.acquire());
    std::thread::scope(|s| {
        s.spawn(|| assert!(RLockGuard::adopt(&rlock).is_none()));
    });
    // A wait through the adopted guard releases both levels.
    let queue = ConditionQueue::new();
    let mut guard = RLockGuard::adopt(&rlock).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            wait_for("the waiter is queued", || queue.has_waiters());
            let _taken = rlock.acquire(); // free while the owner waits
            assert!(queue.notify_one());
        });
        assert!(is_woken(guard.wait_on(&queue, Deadline::never())));
    });
    assert_eq!(rlock.recursion_count(), 2);
    drop(guard);
    assert_eq!(rlock.recursion_count(), 1);
    rlock.release().unwrap();
}
