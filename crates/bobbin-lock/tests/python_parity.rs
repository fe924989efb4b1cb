//! Python parity: behaviours of CPython 3.13's `threading.Lock`, `RLock`,
//! `Semaphore` and `BoundedSemaphore` (its documentation, `lock_tests.py`
//! and `test_threading.py`) that the other test files do not already pin
//! down, each test naming the Python behaviour it mirrors.

use bobbin_lock::{BoundedSemaphore, Lock, RLock, ReleaseError, Semaphore, SemaphoreGuard};
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod common;
use common::wait_for;

#[test]
fn the_largest_timeout_acquires_a_free_primitive_at_once() {
    // lock_tests `test_timeout`: "TIMEOUT_MAX is ok" — a free lock is taken
    // at once, whatever the timeout. Ours has no maximum: Duration::MAX.
    let start = Instant::now();
    let lock = Lock::new(());
    assert!(lock.acquire_timeout(Duration::MAX).is_some());
    let rlock = RLock::new(());
    let outer = rlock.acquire_timeout(Duration::MAX).expect("free");
    // The owner re-enters at once too, whatever the timeout.
    assert!(rlock.acquire_timeout(Duration::MAX).is_some());
    drop(outer);
    assert!(Semaphore::new(1).acquire_timeout(Duration::MAX).is_some());
    assert!(
        BoundedSemaphore::new(1)
            .acquire_timeout(Duration::MAX)
            .is_some()
    );
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_thread_that_holds_no_level_sees_count_zero_while_another_owns_it() {
    // lock_tests `RLockTests.test_recursion_count` and `test__is_owned`: a
    // thread other than the owner sees `_recursion_count() == 0` and
    // `_is_owned() == False`, while `locked()` is true for everyone.
    let rlock = RLock::new(());
    let _a = rlock.acquire();
    let _b = rlock.acquire();
    std::thread::scope(|s| {
        s.spawn(|| {
            assert_eq!(rlock.recursion_count(), 0);
            assert!(!rlock.is_owned());
            assert!(rlock.locked());
            assert!(rlock.try_acquire().is_none());
        });
    });
    assert_eq!(rlock.recursion_count(), 2);
}

#[test]
fn a_refused_rlock_release_leaves_the_owner_levels() {
    // lock_tests `RLockTests.test_different_thread`: release by a thread
    // that does not own the lock raises RuntimeError and changes nothing.
    let rlock = RLock::new(());
    let _a = rlock.acquire();
    let _b = rlock.acquire();
    std::thread::scope(|s| {
        s.spawn(|| assert_eq!(rlock.release(), Err(ReleaseError::NotOwned)));
    });
    assert_eq!(rlock.recursion_count(), 2);
    assert!(rlock.is_owned());
}

#[test]
fn contended_tries_take_exactly_the_free_permits() {
    // lock_tests `test_try_acquire_contended`: Semaphore(4), one permit
    // taken; five threads each try twice: three tries succeed, seven fail.
    let sem = Semaphore::new(4);
    SemaphoreGuard::forget(sem.acquire());
    let successes = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..5 {
            s.spawn(|| {
                for _ in 0..2 {
                    if let Some(permit) = sem.try_acquire() {
                        SemaphoreGuard::forget(permit);
                        successes.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    assert_eq!(successes.load(Ordering::SeqCst), 3);
    assert_eq!(sem.available(), 0);
}

#[test]
fn release_n_lets_exactly_n_more_acquisitions_through() {
    // lock_tests `test_multirelease`: Semaphore(7) with one permit taken;
    // ten threads acquire twice each. Six pass at once, release(7) lets
    // seven more through, release(6) six more, and then the semaphore is
    // still locked; one last release lets the last thread finish.
    let sem = Semaphore::new(7);
    SemaphoreGuard::forget(sem.acquire());
    let passed = AtomicUsize::new(0);
    let passed_now = || passed.load(Ordering::SeqCst);
    std::thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                for _ in 0..2 {
                    SemaphoreGuard::forget(sem.acquire());
                    passed.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        wait_for("six acquisitions", || passed_now() == 6);
        sem.release(7).unwrap();
        wait_for("thirteen acquisitions", || passed_now() == 13);
        sem.release(6).unwrap();
        wait_for("nineteen acquisitions", || passed_now() == 19);
        assert!(sem.try_acquire().is_none(), "the semaphore is still locked");
        assert_eq!(passed_now(), 19);
        sem.release(1).unwrap();
    });
    assert_eq!(passed_now(), 20);
    assert_eq!(sem.available(), 0);
}

#[test]
fn a_bounded_semaphore_refuses_one_release_past_its_limit() {
    // test_threading `test_BoundedSemaphore_limit`: `limit` threads
    // acquire, `limit` other threads release, and one more release raises
    // ValueError.
    for limit in 1..10 {
        let sem = BoundedSemaphore::new(limit);
        std::thread::scope(|s| {
            for _ in 0..limit {
                s.spawn(|| SemaphoreGuard::forget(sem.acquire()));
            }
        });
        assert_eq!(sem.available(), 0);
        std::thread::scope(|s| {
            for _ in 0..limit {
                s.spawn(|| sem.release(1).unwrap());
            }
        });
        assert_eq!(sem.release(1), Err(ReleaseError::TooManyReleases));
        assert_eq!(sem.available(), limit);
    }
}

#[test]
fn a_semaphore_of_value_zero_blocks_until_a_release() {
    // Python's Semaphore(0): acquire(blocking=False) and acquire(timeout=0)
    // fail, a timed acquire fails after its timeout, and a release from
    // another thread lets a blocked acquire through.
    let sem = Semaphore::new(0);
    assert!(sem.try_acquire().is_none());
    assert!(sem.acquire_timeout(Duration::ZERO).is_none());
    let start = Instant::now();
    assert!(sem.acquire_timeout(Duration::from_millis(20)).is_none());
    assert!(start.elapsed() >= Duration::from_millis(20));
    std::thread::scope(|s| {
        let waiter = s.spawn(|| SemaphoreGuard::forget(sem.acquire()));
        sem.release(1).unwrap();
        waiter.join().unwrap();
    });
    assert_eq!(sem.available(), 0);
}

#[test]
fn release_one_wakes_one_waiter_of_two() {
    // Python's `release(n=1)` wakes at most n waiters: of two blocked
    // acquirers, one passes and the other stays blocked.
    let sem = Semaphore::new(0);
    let passed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                SemaphoreGuard::forget(sem.acquire());
                passed.fetch_add(1, Ordering::SeqCst);
            });
        }
        sem.release(1).unwrap();
        wait_for("one acquisition", || passed.load(Ordering::SeqCst) == 1);
        assert!(sem.acquire_timeout(Duration::from_millis(20)).is_none());
        assert_eq!(passed.load(Ordering::SeqCst), 1);
        sem.release(1).unwrap();
    });
    assert_eq!(passed.load(Ordering::SeqCst), 2);
}

#[test]
fn release_errors_use_pythons_words() {
    // The messages of Python's RuntimeError and ValueError, lowercased.
    assert_eq!(
        Lock::new(()).release().unwrap_err().to_string(),
        "release unlocked lock"
    );
    assert_eq!(
        RLock::new(()).release().unwrap_err().to_string(),
        "cannot release un-acquired lock"
    );
    assert_eq!(
        BoundedSemaphore::new(1).release(1).unwrap_err().to_string(),
        "semaphore released too many times"
    );
    assert_eq!(
        Semaphore::new(1).release(0).unwrap_err().to_string(),
        "n must be one or more"
    );
}
