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
    CondWait, ConditionQueue, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, Deadline, ParkResult,
    RequeueOp, UnparkToken, park, unpark_all, unpark_one, unpark_requeue,
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

mod common;
use common::TinyLock;

/// A counter guarded by a `TinyLock`, in the seam's `UnsafeCell` so that
/// loom checks the lock's mutual exclusion.
struct Counter {
    lock: TinyLock,
    count: UnsafeCell<usize>,
}

impl Counter {
    fn increment(&self) {
        self.lock.lock();
        // SAFETY: the lock is held, so no other thread accesses the counter.
        self.count.with_mut(|p| unsafe { *p += 1 });
        self.lock.unlock();
    }
}

#[test]
fn tiny_lock_excludes_and_wakes() {
    loom::model(|| {
        let lock = Arc::new(Counter {
            lock: TinyLock::new(),
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
        lock.lock.lock();
        // SAFETY: the lock is held.
        assert_eq!(lock.count.with(|p| unsafe { *p }), 3);
        lock.lock.unlock();
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

/// A condition variable on `TinyLock` and a `ConditionQueue`, with a flag
/// guarded by the lock.
struct Gate {
    lock: TinyLock,
    queue: ConditionQueue,
    open: UnsafeCell<bool>,
}

impl Gate {
    fn new() -> Gate {
        Gate {
            lock: TinyLock::new(),
            queue: ConditionQueue::new(),
            open: UnsafeCell::new(false),
        }
    }

    /// Waits until the gate is open, Python's `with cond: while not open: cond.wait()`.
    fn pass(&self) {
        self.lock.lock();
        // SAFETY: the lock is held, here and at each later read of the loop.
        while !self.open.with(|p| unsafe { *p }) {
            let r = self.queue.wait(
                &self.lock.state,
                DEFAULT_PARK_TOKEN,
                || self.lock.unlock(),
                Deadline::never(),
            );
            assert!(matches!(r, CondWait::Woken(_)), "{r:?}");
            self.lock.lock();
        }
        self.lock.unlock();
    }

    fn open(&self, all: bool) {
        self.lock.lock();
        // SAFETY: the lock is held.
        self.open.with_mut(|p| unsafe { *p = true });
        if all {
            self.queue.notify_all();
        } else {
            self.queue.notify_one();
        }
        self.lock.unlock();
    }
}

#[test]
fn condition_notify_one_is_never_lost() {
    // A notification while the lock is held moves the waiter to the lock's
    // queue; if it forgot to mark the lock as parked, the notifier's unlock
    // would take the fast path and the waiter would sleep forever.
    loom::model(|| {
        let gate = Arc::new(Gate::new());
        let waiter = {
            let gate = Arc::clone(&gate);
            loom::thread::spawn(move || gate.pass())
        };
        gate.open(false);
        waiter.join().unwrap();
    });
}

#[test]
fn condition_notify_all_releases_every_waiter() {
    loom::model(|| {
        let gate = Arc::new(Gate::new());
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let gate = Arc::clone(&gate);
                loom::thread::spawn(move || gate.pass())
            })
            .collect();
        gate.open(true);
        for w in waiters {
            w.join().unwrap();
        }
    });
}
