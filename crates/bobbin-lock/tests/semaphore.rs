//! `Semaphore`: Python's `threading.Semaphore` behaviour (CPython's
//! `Lib/test/lock_tests.py`, `SemaphoreTests`), permits as guards, counting
//! under concurrency, and a proptest model of the count.

use bobbin_lock::{ReleaseError, Semaphore, SemaphoreGuard};
use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use proptest::prelude::*;
use std::time::{Duration, Instant};

mod common;
use common::{most_holders_at_once, persisted_in, wait_for};

const fn assert_send_sync<T: Send + Sync>() {}

// Compile-time: a semaphore is shared, and a permit may be given back by any
// thread (Python's any-thread release).
const _: () = {
    assert_send_sync::<Semaphore>();
    assert_send_sync::<SemaphoreGuard<'static>>();
};

#[test]
fn one_word() {
    assert_eq!(size_of::<Semaphore>(), size_of::<usize>());
    assert!(size_of::<Semaphore>() <= 8);
}

#[test]
fn acquire_takes_and_dropping_gives_back() {
    // Python's _test_semaphore.
    let sem = Semaphore::new(2);
    let a = sem.acquire();
    assert_eq!(sem.available(), 1);
    let b = sem.acquire();
    assert_eq!(sem.available(), 0);
    assert!(sem.try_acquire().is_none());
    drop(a);
    assert_eq!(sem.available(), 1);
    drop(b);
    assert_eq!(sem.available(), 2);
}

#[test]
fn the_default_value_is_one() {
    // Python's test_default_value.
    let sem = Semaphore::default();
    assert_eq!(sem.available(), 1);
    let _p = sem.acquire();
    assert!(sem.try_acquire().is_none());
}

#[test]
fn unbounded_releases_raise_the_count() {
    // Python's SemaphoreTests.test_release_unacquired.
    let sem = Semaphore::new(1);
    sem.release(1).unwrap();
    SemaphoreGuard::forget(sem.acquire());
    SemaphoreGuard::forget(sem.acquire());
    sem.release(1).unwrap();
    assert_eq!(sem.available(), 1);
    sem.release(10).unwrap();
    assert_eq!(sem.available(), 11);
}

#[test]
fn release_zero_is_an_error_that_changes_nothing() {
    let sem = Semaphore::new(1);
    let err = sem.release(0).unwrap_err();
    assert_eq!(err, ReleaseError::ZeroPermits);
    assert_eq!(err.to_string(), "n must be one or more");
    assert_eq!(sem.available(), 1);
}

#[test]
fn the_count_refuses_to_overflow() {
    let sem = Semaphore::new(Semaphore::MAX_PERMITS);
    let err = sem.release(1).unwrap_err();
    assert_eq!(err, ReleaseError::Overflow);
    assert_eq!(err.to_string(), "semaphore count would overflow");
    assert_eq!(sem.release(usize::MAX), Err(ReleaseError::Overflow));
    assert_eq!(sem.available(), Semaphore::MAX_PERMITS);
    SemaphoreGuard::forget(sem.acquire());
    assert_eq!(sem.release(2), Err(ReleaseError::Overflow));
    sem.release(1).unwrap();
    assert_eq!(sem.available(), Semaphore::MAX_PERMITS);
}

#[test]
#[should_panic(expected = "exceeds Semaphore::MAX_PERMITS")]
fn an_initial_value_too_large_panics() {
    let _ = Semaphore::new(Semaphore::MAX_PERMITS + 1);
}

#[test]
fn a_timed_acquire_waits_its_timeout_and_not_less() {
    // Python's test_acquire_timeout.
    let sem = Semaphore::new(2);
    let a = sem.acquire_timeout(Duration::from_millis(5));
    let b = sem.acquire_timeout(Duration::from_millis(5));
    assert!(a.is_some() && b.is_some());
    let timeout = Duration::from_millis(50);
    let start = Instant::now();
    assert!(sem.acquire_timeout(timeout).is_none());
    let waited = start.elapsed();
    assert!(waited >= timeout, "returned early: {waited:?}");
    assert!(waited < Duration::from_secs(5), "far too late: {waited:?}");
    let start = Instant::now();
    assert!(sem.acquire_until(start + timeout).is_none());
    assert!(start.elapsed() >= timeout);
    drop(a);
    assert!(sem.acquire_timeout(Duration::ZERO).is_some());
    assert!(sem.acquire_until(Instant::now()).is_some());
    assert!(sem.acquire_timeout(Duration::MAX).is_some());
}

#[test]
fn a_release_wakes_a_waiter() {
    let sem = Semaphore::new(0);
    let started = AtomicBool::new(false);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            started.store(true, Ordering::Relaxed);
            sem.acquire_timeout(Duration::from_secs(30)).is_some()
        });
        wait_for("the waiter started", || started.load(Ordering::Relaxed));
        sem.release(1).unwrap();
        assert!(waiter.join().unwrap());
    });
    // The permit went back when the waiter's guard dropped.
    assert_eq!(sem.available(), 1);
}

#[test]
fn release_n_lets_n_waiters_through() {
    let sem = Semaphore::new(0);
    let passed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                SemaphoreGuard::forget(sem.acquire());
                passed.fetch_add(1, Ordering::Relaxed);
            });
        }
        sem.release(2).unwrap();
        wait_for("two through", || passed.load(Ordering::Relaxed) == 2);
        // Two permits, two waiters through: nothing is left for anyone.
        assert!(sem.try_acquire().is_none());
        sem.release(1).unwrap();
    });
    assert_eq!(passed.load(Ordering::Relaxed), 3);
    assert_eq!(sem.available(), 0);
}

#[test]
fn at_most_value_threads_hold_a_permit() {
    // Python's test_acquire_contended, as a count of holders.
    let permits = 3;
    let rounds = if cfg!(miri) { 20 } else { 2_000 };
    let sem = Semaphore::new(permits);
    let most = most_holders_at_once(6, rounds, || sem.acquire());
    assert!(most <= permits);
    assert_eq!(sem.available(), permits);
}

#[test]
fn concurrent_releases_and_acquires_balance() {
    // Releasers add permits one at a time while takers take them: every
    // permit is taken exactly once, and none is lost.
    let per_thread = if cfg!(miri) { 20 } else { 5_000 };
    let sem = Semaphore::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..per_thread {
                    sem.release(1).unwrap();
                }
            });
            s.spawn(|| {
                for _ in 0..per_thread {
                    SemaphoreGuard::forget(sem.acquire());
                }
            });
        }
    });
    assert_eq!(sem.available(), 0);
}

#[test]
fn a_panic_gives_the_permit_back() {
    let sem = Semaphore::new(1);
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            let _permit = sem.acquire();
            panic!("holding a permit");
        })
        .join()
    });
    assert!(result.is_err());
    assert_eq!(sem.available(), 1);
}

#[test]
fn a_permit_can_be_given_back_by_another_thread() {
    let sem = Semaphore::new(1);
    let permit = sem.acquire();
    std::thread::scope(|s| {
        s.spawn(move || drop(permit));
    });
    assert_eq!(sem.available(), 1);
}

#[test]
fn nested_guards() {
    // Python's test_with.
    let sem = Semaphore::new(2);
    {
        let _outer = sem.acquire();
        assert!(sem.try_acquire().is_some());
        let _inner = sem.acquire();
        assert!(sem.try_acquire().is_none());
    }
    assert!(sem.try_acquire().is_some());
    assert_eq!(sem.available(), 2);
}

#[test]
fn debug_and_statics() {
    static SEM: Semaphore = Semaphore::new(4);
    assert_eq!(
        format!("{:?}", Semaphore::new(3)),
        "Semaphore { available: 3 }"
    );
    let permit = SEM.acquire();
    assert_eq!(format!("{permit:?}"), "SemaphoreGuard { .. }");
}

/// One step of the sequential model.
#[derive(Clone, Debug)]
enum Op {
    TryAcquire,
    TimedAcquire,
    Release(usize),
    /// Take a permit and give it back.
    Guard,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::TryAcquire),
        Just(Op::TimedAcquire),
        Just(Op::Guard),
        (0usize..4).prop_map(Op::Release),
        // Near the top of the range, to reach the overflow check.
        prop_oneof![Just(usize::MAX), Just(Semaphore::MAX_PERMITS)].prop_map(Op::Release),
    ]
}

proptest! {
    #![proptest_config(persisted_in("tests/semaphore.proptest-regressions"))]

    /// The count follows a model: an acquire succeeds iff a permit is free
    /// and takes one; `release(n)` succeeds iff `n >= 1` and the count stays
    /// within `MAX_PERMITS`, and otherwise changes nothing.
    #[test]
    fn the_count_follows_the_model(initial in 0usize..4, ops in proptest::collection::vec(op(), 0..40)) {
        let sem = Semaphore::new(initial);
        let mut model = initial;
        for op in ops {
            match op {
                Op::TryAcquire => {
                    let got = sem.try_acquire().map(SemaphoreGuard::forget).is_some();
                    prop_assert_eq!(got, model > 0);
                    if got { model -= 1; }
                }
                Op::TimedAcquire => {
                    let got = sem.acquire_timeout(Duration::ZERO).map(SemaphoreGuard::forget).is_some();
                    prop_assert_eq!(got, model > 0);
                    if got { model -= 1; }
                }
                Op::Guard => {
                    let guard = sem.try_acquire();
                    prop_assert_eq!(guard.is_some(), model > 0);
                    drop(guard);
                }
                Op::Release(n) => {
                    let expected = if n == 0 {
                        Err(ReleaseError::ZeroPermits)
                    } else if model.checked_add(n).is_none_or(|c| c > Semaphore::MAX_PERMITS) {
                        Err(ReleaseError::Overflow)
                    } else {
                        Ok(())
                    };
                    prop_assert_eq!(sem.release(n), expected);
                    if expected.is_ok() { model += n; }
                }
            }
            prop_assert_eq!(sem.available(), model);
        }
    }
}

#[test]
#[ignore = "stress test: run with cargo xtask stress"]
fn stress_permits_are_conserved() {
    // Threads take permits every way (blocking, try, timed) and give them
    // back every way (drop, forget then release(1), two at once with
    // release(2)): no more than three holders at once, and three permits at
    // the end.
    let until = Instant::now() + common::stress_duration();
    let sem = Semaphore::new(3);
    let inside = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..6_u64 {
            let (sem, inside) = (&sem, &inside);
            s.spawn(move || {
                let mut i = t;
                while Instant::now() < until {
                    i = i
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let permit = match i >> 62 {
                        0 => Some(sem.acquire()),
                        1 => sem.try_acquire(),
                        _ => sem.acquire_timeout(Duration::from_micros(i % 300)),
                    };
                    let Some(permit) = permit else { continue };
                    assert!(inside.fetch_add(1, Ordering::AcqRel) < 3);
                    let second = if i & 4 == 0 { sem.try_acquire() } else { None };
                    inside.fetch_sub(1, Ordering::AcqRel);
                    match (second, i & 1 == 0) {
                        (Some(second), _) => {
                            SemaphoreGuard::forget(permit);
                            SemaphoreGuard::forget(second);
                            sem.release(2).unwrap();
                        }
                        (None, true) => {
                            SemaphoreGuard::forget(permit);
                            sem.release(1).unwrap();
                        }
                        (None, false) => drop(permit),
                    }
                }
            });
        }
    });
    assert_eq!(sem.available(), 3);
}

#[test]
fn a_semaphore_of_zero_permits_makes_every_acquire_wait() {
    // Bad input that is not an error: Python allows Semaphore(0) (a
    // signal that starts unset). Tries and zero or past timeouts fail at
    // once; an unbounded timeout waits for the release, without overflow.
    let sem = Semaphore::new(0);
    assert_eq!(sem.available(), 0);
    let start = Instant::now();
    assert!(sem.try_acquire().is_none());
    assert!(sem.acquire_timeout(Duration::ZERO).is_none());
    assert!(sem.acquire_until(start).is_none());
    assert!(start.elapsed() < Duration::from_secs(5));
    std::thread::scope(|s| {
        let waiter = s.spawn(|| sem.acquire_timeout(Duration::MAX).is_some());
        wait_for("the waiter parks", || {
            let key = std::ptr::from_ref(&sem).addr();
            bobbin_park::parked_threads()
                .iter()
                .any(|t| (key..key + size_of_val(&sem)).contains(&t.key))
        });
        sem.release(1).unwrap();
        assert!(waiter.join().unwrap());
    });
    assert_eq!(sem.available(), 1);
}
