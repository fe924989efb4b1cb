//! Loom models of `Semaphore`: permits handed to waiters are never lost nor
//! taken twice, `release(n)` wakes n waiters and single releases reach every
//! waiter, a timed waiter racing a
//! release, and the bounded variant's limit.
//!
//! Run with `cargo xtask loom` (`--cfg bobbin_loom`, release,
//! `LOOM_MAX_PREEMPTIONS=2`): well under a second for the file on 2 cores.

#![cfg(bobbin_loom)]

use bobbin_lock::{BoundedSemaphore, ReleaseError, Semaphore, SemaphoreGuard};
use bobbin_park::loom;
use bobbin_park::sync::Arc;
use std::time::Duration;

/// Two threads that each wait for a permit and keep it.
fn two_blocking_waiters(sem: &Arc<Semaphore>) -> [loom::thread::JoinHandle<()>; 2] {
    [(); 2].map(|()| {
        let sem = Arc::clone(sem);
        loom::thread::spawn(move || SemaphoreGuard::forget(sem.acquire()))
    })
}

#[test]
fn release_n_wakes_n_waiters() {
    // If a release lost a waiter (a stale parked flag, a permit added to the
    // count behind a parked thread), loom would report a deadlock.
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let waiters = two_blocking_waiters(&sem);
        sem.release(2).unwrap();
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(sem.available(), 0);
    });
}

#[test]
fn permits_one_at_a_time_reach_every_waiter() {
    // The first release serves one waiter and must leave the other marked
    // as parked, or the second release would add its permit to the count
    // and leave that waiter asleep (a deadlock for loom).
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let waiters = two_blocking_waiters(&sem);
        sem.release(1).unwrap();
        sem.release(1).unwrap();
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(sem.available(), 0);
    });
}

#[test]
fn a_permit_goes_to_exactly_one_of_a_waiter_and_a_newcomer() {
    // The waiter blocks; the newcomer only tries. A permit handed to the
    // waiter cannot also be taken by the newcomer (FIFO: a parked waiter is
    // served first), and one left in the count is taken once.
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let waiter = {
            let sem = Arc::clone(&sem);
            loom::thread::spawn(move || SemaphoreGuard::forget(sem.acquire()))
        };
        let newcomer = {
            let sem = Arc::clone(&sem);
            loom::thread::spawn(move || sem.try_acquire().map(SemaphoreGuard::forget).is_some())
        };
        sem.release(1).unwrap();
        if newcomer.join().unwrap() {
            // The newcomer took the only permit: give the waiter another.
            sem.release(1).unwrap();
        }
        waiter.join().unwrap();
        assert_eq!(sem.available(), 0);
    });
}

#[test]
fn a_timed_acquire_races_the_release() {
    // The model may time the waiter out at any moment once parked: the
    // permit then stays in the count, never lost, never given twice.
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let waiter = {
            let sem = Arc::clone(&sem);
            loom::thread::spawn(move || {
                sem.acquire_timeout(Duration::from_secs(3600))
                    .map(SemaphoreGuard::forget)
                    .is_some()
            })
        };
        sem.release(1).unwrap();
        let got = waiter.join().unwrap();
        assert_eq!(sem.available() + usize::from(got), 1);
    });
}

#[test]
fn the_bound_holds_under_racing_releases() {
    // Two threads each give back one permit of a bound-1 semaphore that has
    // one free: at most one release can succeed, and the count never
    // exceeds the bound.
    loom::model(|| {
        let sem = Arc::new(BoundedSemaphore::new(2));
        SemaphoreGuard::forget(sem.acquire());
        let other = {
            let sem = Arc::clone(&sem);
            loom::thread::spawn(move || sem.release(1))
        };
        let mine = sem.release(1);
        let theirs = other.join().unwrap();
        assert!(
            matches!(
                (mine, theirs),
                (Ok(()), Err(ReleaseError::TooManyReleases))
                    | (Err(ReleaseError::TooManyReleases), Ok(()))
            ),
            "{mine:?} {theirs:?}"
        );
        assert_eq!(sem.available(), 2);
    });
}
