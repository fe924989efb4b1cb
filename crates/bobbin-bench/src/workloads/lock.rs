//! The lock workloads: `lock_uncontended`, `lock_contended_2t`,
//! `lock_contended_4t`, `rlock_uncontended`.

use crate::harness::{Impl, Scale, Workload, share, timed, timed_threads};
use crate::peers::{Pl, SpinLock, Std, Sys};
use bobbin_lock::{Lock, RLock};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// One thread acquires and releases a free lock, incrementing a counter
/// each time.
pub(crate) fn lock_uncontended() -> Workload {
    Workload {
        name: "lock_uncontended",
        op: "acquire+release",
        scale: Scale::Nanos,
        about: "One thread acquires a free lock, increments a counter, and releases it. \
                For `Lock<()>` and the spin lock the counter is a local the optimiser \
                cannot see through; the others guard it.",
        ops: 20_000_000,
        impls: vec![
            Impl::bobbin("bobbin Lock<()>", lock_unit_uncontended),
            Impl::bobbin("bobbin Lock<u64>", lock_uncontended_u64),
            Impl::peer("std Mutex<u64>", mutex_uncontended::<Std>),
            Impl::peer("parking_lot Mutex<u64>", mutex_uncontended::<Pl>),
            Impl::reference("spin lock on an AtomicBool (floor)", spin_uncontended),
        ],
    }
}

/// `threads` threads increment one counter under one lock.
pub(crate) fn lock_contended(threads: usize) -> Workload {
    Workload {
        name: if threads == 2 {
            "lock_contended_2t"
        } else {
            "lock_contended_4t"
        },
        op: "increment",
        scale: Scale::Nanos,
        about: "Each thread increments one shared counter under one lock, \
                its share of the operations; the counter must reach the total.",
        ops: 4_000_000,
        impls: if threads == 2 {
            vec![
                Impl::bobbin("bobbin Lock<u64>", lock_contended_u64::<2>),
                Impl::peer("std Mutex<u64>", mutex_contended::<Std, 2>),
                Impl::peer("parking_lot Mutex<u64>", mutex_contended::<Pl, 2>),
                Impl::reference("AtomicU64::fetch_add (floor)", atomic_contended::<2>),
            ]
        } else {
            vec![
                Impl::bobbin("bobbin Lock<u64>", lock_contended_u64::<4>),
                Impl::peer("std Mutex<u64>", mutex_contended::<Std, 4>),
                Impl::peer("parking_lot Mutex<u64>", mutex_contended::<Pl, 4>),
                Impl::reference("AtomicU64::fetch_add (floor)", atomic_contended::<4>),
            ]
        },
    }
}

/// One thread takes a free reentrant lock twice (nested) and releases both.
pub(crate) fn rlock_uncontended() -> Workload {
    Workload {
        name: "rlock_uncontended",
        op: "nested pair (depth 2)",
        scale: Scale::Nanos,
        about: "One thread acquires a free reentrant lock, acquires it again inside, \
                increments a counter in the lock, and releases both levels.",
        ops: 10_000_000,
        impls: vec![
            Impl::bobbin("bobbin RLock", rlock_uncontended_pair),
            Impl::peer("parking_lot ReentrantMutex", parking_lot_reentrant),
        ],
    }
}

fn lock_unit_uncontended(ops: u64) -> Duration {
    let lock = Lock::new(());
    let mut count = 0u64;
    let took = timed(|| {
        for _ in 0..ops {
            let _guard = black_box(&lock).acquire();
            count = black_box(count) + 1;
        }
    });
    assert_eq!(count, ops, "the counter must reach its target");
    assert!(!lock.locked());
    took
}

fn lock_uncontended_u64(ops: u64) -> Duration {
    let lock = Lock::new(0u64);
    let took = timed(|| {
        for _ in 0..ops {
            *black_box(&lock).acquire() += 1;
        }
    });
    assert_eq!(*lock.acquire(), ops, "the counter must reach its target");
    took
}

fn mutex_uncontended<S: Sys>(ops: u64) -> Duration {
    let m = S::mutex(0u64);
    let took = timed(|| {
        for _ in 0..ops {
            *S::lock(black_box(&m)) += 1;
        }
    });
    assert_eq!(*S::lock(&m), ops, "the counter must reach its target");
    took
}

fn spin_uncontended(ops: u64) -> Duration {
    let lock = SpinLock::default();
    let mut count = 0u64;
    let took = timed(|| {
        for _ in 0..ops {
            let _guard = black_box(&lock).lock();
            count = black_box(count) + 1;
        }
    });
    assert_eq!(count, ops, "the counter must reach its target");
    assert!(!lock.is_locked());
    took
}

fn lock_contended_u64<const THREADS: usize>(ops: u64) -> Duration {
    let lock = Lock::new(0u64);
    let took = timed_threads(THREADS, |i| {
        for _ in 0..share(ops, THREADS, i) {
            *lock.acquire() += 1;
        }
    });
    assert_eq!(lock.into_inner(), ops, "the counter must reach its target");
    took
}

fn mutex_contended<S: Sys, const THREADS: usize>(ops: u64) -> Duration {
    let m = S::mutex(0u64);
    let took = timed_threads(THREADS, |i| {
        for _ in 0..share(ops, THREADS, i) {
            *S::lock(&m) += 1;
        }
    });
    assert_eq!(*S::lock(&m), ops, "the counter must reach its target");
    took
}

fn atomic_contended<const THREADS: usize>(ops: u64) -> Duration {
    let counter = AtomicU64::new(0);
    let took = timed_threads(THREADS, |i| {
        for _ in 0..share(ops, THREADS, i) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    assert_eq!(
        counter.into_inner(),
        ops,
        "the counter must reach its target"
    );
    took
}

fn rlock_uncontended_pair(ops: u64) -> Duration {
    let lock = RLock::new(Cell::new(0u64));
    let took = timed(|| {
        for _ in 0..ops {
            let outer = black_box(&lock).acquire();
            let inner = black_box(&lock).acquire();
            inner.set(inner.get() + 1);
            drop(inner);
            drop(outer);
        }
    });
    assert_eq!(
        lock.acquire().get(),
        ops,
        "the counter must reach its target"
    );
    assert!(!lock.locked());
    took
}

fn parking_lot_reentrant(ops: u64) -> Duration {
    let m = parking_lot::ReentrantMutex::new(Cell::new(0u64));
    let took = timed(|| {
        for _ in 0..ops {
            let outer = black_box(&m).lock();
            let inner = black_box(&m).lock();
            inner.set(inner.get() + 1);
            drop(inner);
            drop(outer);
        }
    });
    assert_eq!(m.lock().get(), ops, "the counter must reach its target");
    took
}
