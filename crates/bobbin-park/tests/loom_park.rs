//! Loom models of the parking API: the validate rule that prevents lost
//! wake-ups, a two-bit lock built on it, requeueing, and timed parks racing
//! an unpark.
//!
//! Run with `cargo xtask loom` (`--cfg bobbin_loom`, release,
//! `LOOM_MAX_PREEMPTIONS=2`): about a second for the file on 2 cores.

#![cfg(bobbin_loom)]

use bobbin_park::cell::UnsafeCell;
use bobbin_park::loom;
use bobbin_park::sync::Arc;
use bobbin_park::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use bobbin_park::{
    DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, Deadline, ParkResult, RequeueOp, UnparkToken, park,
    unpark_all, unpark_one, unpark_requeue,
};
use std::time::Duration;

/// A flag whose waiters park while it is clear.
struct Flag(AtomicBool);

impl Flag {
    fn set(&self) {
        self.0.store(true, Ordering::Release);
        unpark_all(&self.0, DEFAULT_UNPARK_TOKEN);
    }

    fn wait(&self) {
        while !self.0.load(Ordering::Acquire) {
            park(
                &self.0,
                || !self.0.load(Ordering::Relaxed),
                || {},
                |_, _| {},
                DEFAULT_PARK_TOKEN,
                Deadline::never(),
            );
        }
    }
}

#[test]
fn set_is_never_lost() {
    // If validate did not re-check the flag under the queue lock, a set
    // between the waiter's check and its park would leave it asleep forever:
    // loom would report a deadlock.
    loom::model(|| {
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let setter = {
            let flag = Arc::clone(&flag);
            loom::thread::spawn(move || flag.set())
        };
        flag.wait();
        setter.join().unwrap();
    });
}

const LOCKED: u8 = 1;
const PARKED: u8 = 2;

/// A two-bit lock in the style of parking_lot's `RawMutex`, guarding a
/// counter in the seam's `UnsafeCell` so that loom checks mutual exclusion.
struct TinyLock {
    state: AtomicU8,
    count: UnsafeCell<usize>,
}

impl TinyLock {
    fn lock(&self) {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & LOCKED == 0 {
                match self.state.compare_exchange_weak(
                    state,
                    state | LOCKED,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return,
                    Err(s) => {
                        state = s;
                        continue;
                    }
                }
            }
            if state & PARKED == 0 {
                if let Err(s) = self.state.compare_exchange_weak(
                    state,
                    state | PARKED,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    state = s;
                    continue;
                }
            }
            park(
                &self.state,
                || self.state.load(Ordering::Relaxed) == LOCKED | PARKED,
                || {},
                |_, was_last| {
                    if was_last {
                        self.state.fetch_and(!PARKED, Ordering::Relaxed);
                    }
                },
                DEFAULT_PARK_TOKEN,
                Deadline::never(),
            );
            state = self.state.load(Ordering::Relaxed);
        }
    }

    fn unlock(&self) {
        if self
            .state
            .compare_exchange(LOCKED, 0, Ordering::Release, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        unpark_one(&self.state, |r| {
            let next = if r.have_more_threads { PARKED } else { 0 };
            self.state.store(next, Ordering::Release);
            DEFAULT_UNPARK_TOKEN
        });
    }

    fn increment(&self) {
        self.lock();
        // SAFETY: the lock is held, so no other thread accesses the counter.
        self.count.with_mut(|p| unsafe { *p += 1 });
        self.unlock();
    }
}

#[test]
fn tiny_lock_excludes_and_wakes() {
    loom::model(|| {
        let lock = Arc::new(TinyLock {
            state: AtomicU8::new(0),
            count: UnsafeCell::new(0),
        });
        let others: Vec<_> = (0..2)
            .map(|_| {
                let lock = Arc::clone(&lock);
                loom::thread::spawn(move || lock.increment())
            })
            .collect();
        lock.increment();
        for t in others {
            t.join().unwrap();
        }
        lock.lock();
        // SAFETY: the lock is held.
        assert_eq!(lock.count.with(|p| unsafe { *p }), 3);
        lock.unlock();
    });
}

#[test]
fn requeued_waiter_is_woken_from_its_new_key() {
    loom::model(|| {
        let cond = Arc::new(AtomicUsize::new(0));
        let mutex = Arc::new(AtomicU8::new(0));
        let waiter = {
            let cond = Arc::clone(&cond);
            loom::thread::spawn(move || {
                park(
                    &*cond,
                    || true,
                    || {},
                    |_, _| {},
                    DEFAULT_PARK_TOKEN,
                    Deadline::never(),
                )
            })
        };
        // Move the waiter once it is queued, then wake it from the new key.
        loop {
            let r = unpark_requeue(
                &*cond,
                &*mutex,
                || RequeueOp::RequeueAll,
                |_, _| DEFAULT_UNPARK_TOKEN,
            );
            if r.requeued_threads == 1 {
                break;
            }
            loom::thread::yield_now();
        }
        assert_eq!(unpark_all(&*cond, UnparkToken(1)), 0);
        assert_eq!(unpark_all(&*mutex, UnparkToken(2)), 1);
        assert_eq!(waiter.join().unwrap(), ParkResult::Unparked(UnparkToken(2)));
    });
}

#[test]
fn timed_park_races_an_unpark() {
    // Either the unpark finds the waiter (Unparked) or the waiter times out
    // first and the unpark finds nobody; `timed_out` runs exactly in the
    // second case, and nothing is woken twice.
    loom::model(|| {
        let key = Arc::new(AtomicU8::new(0));
        let timed_out = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (key, timed_out) = (Arc::clone(&key), Arc::clone(&timed_out));
            loom::thread::spawn(move || {
                park(
                    &*key,
                    || true,
                    || {},
                    |_, _| timed_out.store(true, Ordering::Relaxed),
                    DEFAULT_PARK_TOKEN,
                    Deadline::after(Duration::from_secs(1)),
                )
            })
        };
        let woken = unpark_one(&*key, |_| UnparkToken(9)).unparked_threads;
        let result = waiter.join().unwrap();
        match result {
            ParkResult::Unparked(t) => {
                assert_eq!(t, UnparkToken(9));
                assert_eq!(woken, 1);
                assert!(!timed_out.load(Ordering::Relaxed));
            }
            ParkResult::TimedOut => {
                assert_eq!(woken, 0);
                assert!(timed_out.load(Ordering::Relaxed));
            }
            ParkResult::Invalid => unreachable!("validate always accepts"),
        }
    });
}
