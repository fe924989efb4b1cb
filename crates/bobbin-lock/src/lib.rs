//! Python's mutual-exclusion primitives for Rust: [`Lock`], [`RLock`],
//! [`Semaphore`] and [`BoundedSemaphore`], with CPython 3.13's semantics,
//! RAII guards and no poisoning.
//!
//! | Python | bobbin-lock |
//! |---|---|
//! | `lock = threading.Lock()` | `let lock = Lock::new(());` (or `Lock::new(data)`) |
//! | `with lock:` | `let _guard = lock.acquire();` |
//! | `lock.acquire(blocking=False)` | `lock.try_acquire()` |
//! | `lock.acquire(timeout=t)` | `lock.acquire_timeout(t)`, `lock.acquire_until(instant)` |
//! | `lock.acquire()` … `lock.release()` (any thread) | `LockGuard::leak(lock.acquire())` … `lock.release()?` |
//! | `lock.locked()` | `lock.locked()` |
//! | `rlock = threading.RLock()` | `let rlock = RLock::new(());` |
//! | `rlock._is_owned()`, `rlock._recursion_count()` | `rlock.is_owned()`, `rlock.recursion_count()` |
//! | `rlock.release()` | `rlock.release()?` (after `RLockGuard::leak`) |
//! | `Semaphore(n)`, `BoundedSemaphore(n)` | `Semaphore::new(n)`, `BoundedSemaphore::new(n)` |
//! | `with sem:` | `let _permit = sem.acquire();` |
//! | `sem.release(n)` | `sem.release(n)?` |
//! | `with cond: cond.wait()` over a bare `acquire()` | [`LockGuard::adopt`] / [`RLockGuard::adopt`], then wait with the guard and [`leak`](LockGuard::leak) it again |
//! | `RuntimeError`, `ValueError` from `release` | [`ReleaseError`], in Python's words |
//!
//! # How it works
//!
//! Every primitive is a state word on bobbin's parking core
//! (`bobbin-park`): an uncontended acquire or release is one atomic
//! operation, and a thread that must wait spins briefly and then parks in a
//! global table keyed by the word's address (parking_lot's design).
//!
//! - [`RawLock`], under `Lock` and `RLock`, is one byte: parking_lot's
//!   `RawMutex` algorithm, with CPython 3.14's fairness rule (a waiter
//!   parked for more than a millisecond is handed the lock directly). It
//!   implements lock_api's `RawMutex`, `RawMutexFair` and `RawMutexTimed`.
//! - [`RLock`] adds an owner (a never-reused thread id) and a recursion
//!   count to the raw lock.
//! - [`Semaphore`] is one word holding the count and a "parked" flag;
//!   waiters are served in FIFO order, and `release(n)` hands permits to
//!   them directly, so a newcomer never takes a permit a parked thread is
//!   waiting for (tokio's semaphore model, on `unpark_filter`).
//! - [`WaitGuard`] lets `bobbin-signal`'s `Condition` release a lock (every
//!   level of an RLock) while it waits and take it back afterwards.
//!
//! # Differences from Python
//!
//! - Guards, not `acquire`/`release` pairs: the lock is released when the
//!   guard is dropped, also by a panic (no poisoning, as in Python's `with`).
//! - Timeouts are `Duration`s or `Instant`s; `Duration::MAX` means forever,
//!   and Python's invalid argument combinations cannot be written.
//! - `Lock<T>` and `RLock<T>` may own the data they protect.
//! - A release error is a value ([`ReleaseError`]), not an exception.
//!
//! # Examples
//!
//! ```
//! use bobbin_lock::{Lock, RLock, Semaphore};
//! use std::sync::Arc;
//!
//! let balance = Arc::new(Lock::new(100));
//! let pool = Arc::new(Semaphore::new(2)); // at most two workers at once
//! let handles: Vec<_> = (0..4)
//!     .map(|_| {
//!         let (balance, pool) = (Arc::clone(&balance), Arc::clone(&pool));
//!         std::thread::spawn(move || {
//!             let _permit = pool.acquire();
//!             *balance.acquire() -= 10;
//!         })
//!     })
//!     .collect();
//! for h in handles {
//!     h.join().unwrap();
//! }
//! assert_eq!(*balance.acquire(), 60);
//!
//! let rlock = RLock::new(());
//! let _a = rlock.acquire();
//! let _b = rlock.acquire(); // re-entry by the owner
//! assert_eq!(rlock.recursion_count(), 2);
//! ```

// `unsafe` lives only where a guard hands out references into its lock's
// data, and in the unsafe trait implementations lock_api asks for; each module that needs
// it says so.
#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

mod error;
#[macro_use]
mod macros;
mod lock;
mod raw;
mod rlock;
mod semaphore;
mod wait;
mod word;

pub use error::ReleaseError;
pub use lock::{Lock, LockGuard};
pub use raw::RawLock;
pub use rlock::{RLock, RLockGuard};
pub use semaphore::{BoundedSemaphore, Semaphore, SemaphoreGuard};
pub use wait::WaitGuard;

/// Helpers for the unit tests: how many threads are parked on a key.
#[cfg(test)]
pub(crate) mod test_util {
    use bobbin_park::{DEFAULT_UNPARK_TOKEN, FilterOp, Key, unpark_filter};
    use core::cell::Cell;
    use std::time::{Duration, Instant};

    /// The number of threads parked on `key` right now, counted with the
    /// key's queue locked (a filter that skips every thread wakes none).
    pub(crate) fn parked_on<K: Key>(key: &K) -> usize {
        let count = Cell::new(0);
        unpark_filter(
            key,
            |_| {
                count.set(count.get() + 1);
                FilterOp::Skip
            },
            |_| DEFAULT_UNPARK_TOKEN,
        );
        count.get()
    }

    /// Waits (yielding) until exactly `n` threads are parked on `key`;
    /// panics after ten seconds.
    pub(crate) fn wait_until_parked<K: Key>(key: &K, n: usize) {
        let start = Instant::now();
        while parked_on(key) != n {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{n} threads never parked"
            );
            bobbin_park::thread::yield_now();
        }
    }
}
