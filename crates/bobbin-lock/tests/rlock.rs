//! `RLock`: Python's `threading.RLock` behaviour (CPython's
//! `Lib/test/lock_tests.py`, `RLockTests`): re-entry, counts, ownership,
//! release errors, and `locked()` seen from other threads.

use bobbin_lock::{RLock, RLockGuard, ReleaseError};
use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::cell::Cell;
use std::time::{Duration, Instant};

mod common;
use common::wait_for;

const fn assert_send_sync<T: Send + Sync>() {}
const fn assert_sync<T: Sync>() {}

// Compile-time: the lock is shared; its guards may be shared (not sent: see
// the `compile_fail` example on `RLockGuard`).
const _: () = {
    assert_send_sync::<RLock>();
    assert_send_sync::<RLock<Vec<u8>>>();
    // Only the owner reaches the data, so a `!Sync` `T` is fine.
    assert_send_sync::<RLock<Cell<u8>>>();
    assert_sync::<RLockGuard<'static, ()>>();
    assert_sync::<RLockGuard<'static, u8>>();
};

#[test]
fn size() {
    // Owner and count beside the one-byte raw lock, as parking_lot's
    // ReentrantMutex.
    assert!(size_of::<RLock>() <= 3 * size_of::<usize>());
}

/// Python's acquire, acquire, release, acquire, release, release by bare
/// calls on one thread: every level taken is released, each release
/// succeeding.
fn reacquire_and_release(rlock: &RLock) {
    RLockGuard::leak(rlock.acquire());
    RLockGuard::leak(rlock.acquire());
    rlock.release().unwrap();
    RLockGuard::leak(rlock.acquire());
    rlock.release().unwrap();
    rlock.release().unwrap();
}

#[test]
fn the_owner_reacquires() {
    // Python's test_reacquire.
    let rlock = RLock::new(());
    reacquire_and_release(&rlock);
    assert!(!rlock.locked());
}

#[test]
fn releasing_an_unacquired_rlock_is_an_error() {
    // Python's test_release_unacquired.
    let rlock = RLock::new(());
    let err = rlock.release().unwrap_err();
    assert_eq!(err, ReleaseError::NotOwned);
    assert_eq!(err.to_string(), "cannot release un-acquired lock");
    reacquire_and_release(&rlock);
    assert_eq!(rlock.release(), Err(ReleaseError::NotOwned));
}

#[test]
fn another_thread_cannot_release() {
    // Python's test_different_thread.
    let rlock = RLock::new(());
    let held = AtomicBool::new(false);
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let _g = rlock.acquire();
            held.store(true, Ordering::Release);
            wait_for("the main thread tried", || done.load(Ordering::Acquire));
        });
        wait_for("the other thread holds it", || held.load(Ordering::Acquire));
        assert_eq!(rlock.release(), Err(ReleaseError::NotOwned));
        // Python 3.14's locked(): true while any thread holds the lock
        // (its first version said false here).
        assert!(rlock.locked());
        assert!(!rlock.is_owned());
        assert_eq!(rlock.recursion_count(), 0);
        assert!(rlock.try_acquire().is_none());
        done.store(true, Ordering::Release);
    });
    assert!(!rlock.locked());
}

#[test]
fn is_owned_follows_the_levels() {
    // Python's test__is_owned.
    let rlock = RLock::new(());
    assert!(!rlock.is_owned());
    let a = rlock.acquire();
    assert!(rlock.is_owned());
    let b = rlock.acquire();
    assert!(rlock.is_owned());
    std::thread::scope(|s| {
        assert!(!s.spawn(|| rlock.is_owned()).join().unwrap());
    });
    drop(b);
    assert!(rlock.is_owned());
    drop(a);
    assert!(!rlock.is_owned());
}

#[test]
fn recursion_count_follows_the_levels() {
    // Python's test_recursion_count.
    let rlock = RLock::new(());
    assert_eq!(rlock.recursion_count(), 0);
    let a = rlock.acquire();
    assert_eq!(rlock.recursion_count(), 1);
    let b = rlock.acquire();
    let c = rlock.try_acquire().unwrap();
    assert_eq!(rlock.recursion_count(), 3);
    std::thread::scope(|s| {
        assert_eq!(s.spawn(|| rlock.recursion_count()).join().unwrap(), 0);
    });
    drop(c);
    drop(b);
    assert_eq!(rlock.recursion_count(), 1);
    drop(a);
    assert_eq!(rlock.recursion_count(), 0);
}

#[test]
fn locked_from_a_second_thread() {
    let rlock = RLock::new(());
    let a = rlock.acquire();
    let b = rlock.acquire();
    std::thread::scope(|s| {
        assert!(s.spawn(|| rlock.locked()).join().unwrap());
    });
    drop(b);
    std::thread::scope(|s| {
        assert!(s.spawn(|| rlock.locked()).join().unwrap());
    });
    drop(a);
    std::thread::scope(|s| {
        assert!(!s.spawn(|| rlock.locked()).join().unwrap());
    });
}

#[test]
fn other_threads_wait_for_the_last_level() {
    let rlock = RLock::new(());
    let started = AtomicBool::new(false);
    let finished = AtomicUsize::new(0);
    let outer = rlock.acquire();
    let inner = rlock.acquire();
    std::thread::scope(|s| {
        s.spawn(|| {
            started.store(true, Ordering::Relaxed);
            let _g = rlock.acquire();
            assert_eq!(rlock.recursion_count(), 1);
            finished.fetch_add(1, Ordering::Relaxed);
        });
        wait_for("the waiter started", || started.load(Ordering::Relaxed));
        drop(inner);
        // One level is still held: the waiter cannot be through.
        assert_eq!(finished.load(Ordering::Relaxed), 0);
        assert!(rlock.is_owned());
        drop(outer);
    });
    assert_eq!(finished.load(Ordering::Relaxed), 1);
}

#[test]
fn timed_acquires() {
    let rlock = RLock::new(());
    let _held = rlock.acquire();
    // The owner re-enters at once, whatever the timeout.
    assert!(rlock.acquire_timeout(Duration::ZERO).is_some());
    assert!(rlock.acquire_until(Instant::now()).is_some());
    let timeout = Duration::from_millis(50);
    std::thread::scope(|s| {
        s.spawn(|| {
            let start = Instant::now();
            assert!(rlock.acquire_timeout(timeout).is_none());
            let waited = start.elapsed();
            assert!(waited >= timeout, "returned early: {waited:?}");
            assert!(waited < Duration::from_secs(5), "far too late: {waited:?}");
            let start = Instant::now();
            assert!(rlock.acquire_until(start + timeout).is_none());
            assert!(start.elapsed() >= timeout);
            assert!(rlock.acquire_timeout(Duration::ZERO).is_none());
        });
    });
}

#[test]
fn a_timed_waiter_gets_the_lock_when_it_is_released() {
    let rlock = RLock::new(());
    let guard = rlock.acquire();
    let started = AtomicBool::new(false);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            started.store(true, Ordering::Relaxed);
            let got = rlock.acquire_timeout(Duration::from_secs(30));
            got.is_some() && rlock.is_owned()
        });
        wait_for("the waiter started", || started.load(Ordering::Relaxed));
        drop(guard);
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn nested_levels_exclude_other_threads() {
    let rounds = if cfg!(miri) { 30 } else { 3_000 };
    let rlock = RLock::new(Cell::new(0_usize));
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                for _ in 0..rounds {
                    let outer = rlock.acquire();
                    let seen = outer.get();
                    let inner = rlock.acquire();
                    inner.set(seen + 1);
                }
            });
        }
    });
    assert_eq!(rlock.into_inner().get(), 3 * rounds);
}

#[test]
fn a_panic_releases_every_level() {
    let rlock = RLock::new(());
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            let _a = rlock.acquire();
            let _b = rlock.acquire();
            panic!("two levels deep");
        })
        .join()
    });
    assert!(result.is_err());
    assert!(!rlock.locked());
    assert!(rlock.try_acquire().is_some());
}

#[test]
fn a_guard_whose_level_was_released_by_hand_does_nothing() {
    let rlock = RLock::new(());
    let guard = rlock.acquire();
    rlock.release().unwrap();
    assert!(!rlock.locked());
    drop(guard);
    assert!(!rlock.locked());
    assert_eq!(rlock.release(), Err(ReleaseError::NotOwned));
}

#[test]
fn default_from_into_inner_get_mut_debug_statics() {
    static RLOCK: RLock<u8> = RLock::new(3);
    assert_eq!(*RLOCK.acquire(), 3);
    let mut rlock: RLock<Vec<u8>> = RLock::default();
    rlock.get_mut().push(1);
    assert_eq!(format!("{rlock:?}"), "RLock { data: [1] }");
    let guard = rlock.acquire();
    // The owner sees the data; another thread sees it locked.
    assert_eq!(format!("{rlock:?}"), "RLock { data: [1] }");
    std::thread::scope(|s| {
        let seen = s.spawn(|| format!("{rlock:?}")).join().unwrap();
        assert_eq!(seen, "RLock { data: <locked> }");
    });
    assert_eq!(format!("{guard:?}"), "[1]");
    drop(guard);
    assert_eq!(RLock::from(5).into_inner(), 5);
    let unsized_lock: &RLock<[u8]> = &RLock::new([1, 2]);
    assert_eq!(unsized_lock.acquire().len(), 2);
}

#[test]
fn leak_keeps_the_level() {
    let rlock = RLock::new(7);
    let data = RLockGuard::leak(rlock.acquire());
    assert_eq!(*data, 7);
    assert_eq!(rlock.recursion_count(), 1);
    std::thread::scope(|s| {
        assert!(s.spawn(|| rlock.try_acquire().is_none()).join().unwrap());
    });
}

#[test]
fn reset_frees_levels_held_by_a_thread_that_is_gone() {
    // Python's `_at_fork_reinit` in a forked child: the holder no longer
    // runs, and its levels would otherwise keep the lock for good.
    let rlock = RLock::new(());
    std::thread::scope(|s| {
        s.spawn(|| {
            RLockGuard::leak(rlock.acquire());
            RLockGuard::leak(rlock.acquire());
        });
    });
    assert!(rlock.locked());
    assert!(rlock.reset());
    assert!(!rlock.locked());
    assert!(!rlock.reset(), "a free lock has nothing to reset");
    reacquire_and_release(&rlock);
    assert!(!rlock.locked());
}

#[test]
fn reset_hands_the_lock_to_a_waiter_and_the_old_holder_loses_it() {
    let rlock = RLock::new(());
    let holding = AtomicBool::new(false);
    let reset_done = AtomicBool::new(false);
    let waiter_in = AtomicBool::new(false);
    std::thread::scope(|s| {
        let holder = s.spawn(|| {
            let guard = rlock.acquire();
            holding.store(true, Ordering::Release);
            wait_for("the reset", || reset_done.load(Ordering::Acquire));
            // Its hold was broken: the guard's drop releases nothing.
            let released = rlock.release();
            drop(guard);
            released
        });
        wait_for("the holder", || holding.load(Ordering::Acquire));
        let waiter = s.spawn(|| {
            waiter_in.store(true, Ordering::Release);
            let guard = rlock.acquire_timeout(Duration::from_secs(10));
            guard.map(|_| rlock.recursion_count())
        });
        wait_for("the waiter", || waiter_in.load(Ordering::Acquire));
        assert!(rlock.reset());
        // The waiter takes the freed lock, one level of its own.
        assert_eq!(waiter.join().unwrap(), Some(1));
        reset_done.store(true, Ordering::Release);
        assert_eq!(holder.join().unwrap(), Err(ReleaseError::NotOwned));
    });
    assert!(!rlock.locked());
}
