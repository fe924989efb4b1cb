//! `BoundedSemaphore`: Python's `threading.BoundedSemaphore` (CPython's
//! `Lib/test/lock_tests.py`, `BoundedSemaphoreTests`): a semaphore whose
//! count never exceeds its initial value, with a proptest model.

use bobbin_lock::{BoundedSemaphore, ReleaseError, SemaphoreGuard};
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use proptest::prelude::*;
use std::time::{Duration, Instant};

mod common;
use common::{most_holders_at_once, persisted_in, wait_for};

const fn assert_send_sync<T: Send + Sync>() {}

const _: () = assert_send_sync::<BoundedSemaphore>();

#[test]
fn a_word_and_the_bound() {
    assert_eq!(size_of::<BoundedSemaphore>(), 2 * size_of::<usize>());
}

#[test]
fn releasing_past_the_initial_value_is_an_error() {
    // Python's BoundedSemaphoreTests.test_release_unacquired.
    let sem = BoundedSemaphore::default();
    assert_eq!(sem.initial_value(), 1);
    let err = sem.release(1).unwrap_err();
    assert_eq!(err, ReleaseError::TooManyReleases);
    assert_eq!(err.to_string(), "semaphore released too many times");
    SemaphoreGuard::forget(sem.acquire());
    sem.release(1).unwrap();
    assert_eq!(sem.release(1), Err(ReleaseError::TooManyReleases));
    assert_eq!(sem.available(), 1);
}

#[test]
fn a_refused_release_changes_nothing() {
    let sem = BoundedSemaphore::new(3);
    SemaphoreGuard::forget(sem.acquire());
    SemaphoreGuard::forget(sem.acquire());
    // 1 free + 3 > 3: refused whole, not partly applied.
    assert_eq!(sem.release(3), Err(ReleaseError::TooManyReleases));
    assert_eq!(sem.available(), 1);
    assert_eq!(sem.release(usize::MAX), Err(ReleaseError::TooManyReleases));
    assert_eq!(sem.release(0), Err(ReleaseError::ZeroPermits));
    assert_eq!(sem.available(), 1);
    sem.release(2).unwrap();
    assert_eq!(sem.available(), 3);
}

#[test]
fn the_bound_holds_while_a_waiter_waits() {
    let sem = BoundedSemaphore::new(2);
    SemaphoreGuard::forget(sem.acquire());
    SemaphoreGuard::forget(sem.acquire());
    let passed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            SemaphoreGuard::forget(sem.acquire());
            passed.fetch_add(1, Ordering::Relaxed);
        });
        // With a waiter (or not yet) the count is 0: three is too many
        // whatever the timing, and the waiter gets nothing from it.
        assert_eq!(sem.release(3), Err(ReleaseError::TooManyReleases));
        assert_eq!(passed.load(Ordering::Relaxed), 0);
        sem.release(1).unwrap();
        wait_for("the waiter got a permit", || {
            passed.load(Ordering::Relaxed) == 1
        });
    });
    assert_eq!(sem.available(), 0);
}

#[test]
fn dropping_a_permit_released_by_hand_changes_nothing() {
    let sem = BoundedSemaphore::new(1);
    let permit = sem.acquire();
    sem.release(1).unwrap(); // Python allows this: the value is back at 1.
    drop(permit); // Would be a second release: refused, silently.
    assert_eq!(sem.available(), 1);
}

#[test]
fn timed_acquires() {
    let sem = BoundedSemaphore::new(1);
    let held = sem.acquire_timeout(Duration::from_millis(5)).expect("free");
    let timeout = Duration::from_millis(30);
    let start = Instant::now();
    assert!(sem.acquire_timeout(timeout).is_none());
    assert!(start.elapsed() >= timeout);
    let start = Instant::now();
    assert!(sem.acquire_until(start + timeout).is_none());
    assert!(start.elapsed() >= timeout);
    assert!(sem.try_acquire().is_none());
    drop(held);
    assert!(sem.try_acquire().is_some());
}

#[test]
fn guards_bound_the_holders() {
    let sem = BoundedSemaphore::new(2);
    let rounds = if cfg!(miri) { 20 } else { 2_000 };
    assert!(most_holders_at_once(4, rounds, || sem.acquire()) <= 2);
    assert_eq!(sem.available(), 2);
}

#[test]
fn debug_and_statics() {
    static SEM: BoundedSemaphore = BoundedSemaphore::new(2);
    let _p = SEM.acquire();
    assert_eq!(
        format!("{:?}", BoundedSemaphore::new(3)),
        "BoundedSemaphore { available: 3, initial_value: 3 }"
    );
}

proptest! {
    #![proptest_config(persisted_in("tests/bounded_semaphore.proptest-regressions"))]

    /// The count follows a model: it never exceeds the initial value, a
    /// refused release changes nothing, and a guard's drop never pushes it
    /// over.
    #[test]
    fn the_count_stays_within_the_bound(
        initial in 0usize..4,
        ops in proptest::collection::vec((0u8..3, 0usize..5), 0..40),
    ) {
        let sem = BoundedSemaphore::new(initial);
        let mut model = initial;
        for (kind, n) in ops {
            match kind {
                0 => {
                    let got = sem.try_acquire().map(SemaphoreGuard::forget).is_some();
                    prop_assert_eq!(got, model > 0);
                    if got { model -= 1; }
                }
                1 => {
                    let expected = if n == 0 {
                        Err(ReleaseError::ZeroPermits)
                    } else if model + n > initial {
                        Err(ReleaseError::TooManyReleases)
                    } else {
                        Ok(())
                    };
                    prop_assert_eq!(sem.release(n), expected);
                    if expected.is_ok() { model += n; }
                }
                _ => {
                    let guard = sem.try_acquire();
                    prop_assert_eq!(guard.is_some(), model > 0);
                }
            }
            prop_assert_eq!(sem.available(), model);
            prop_assert!(model <= initial);
        }
    }
}

#[test]
fn a_bound_of_zero_refuses_every_release() {
    let sem = BoundedSemaphore::new(0);
    assert_eq!(sem.initial_value(), 0);
    assert!(sem.try_acquire().is_none());
    assert!(sem.acquire_timeout(Duration::ZERO).is_none());
    assert_eq!(sem.release(1), Err(ReleaseError::TooManyReleases));
    assert_eq!(sem.release(usize::MAX), Err(ReleaseError::TooManyReleases));
    assert_eq!(sem.release(0), Err(ReleaseError::ZeroPermits));
    assert_eq!(sem.available(), 0);
}
