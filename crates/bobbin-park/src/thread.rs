//! Thread identity and scheduling hints, from std or (under
//! `--cfg bobbin_loom`) from loom.
//!
//! # Examples
//!
//! ```
//! use bobbin_park::thread;
//!
//! let here = thread::current_id();
//! let there = thread::spawn(thread::current_id).join().unwrap();
//! assert_ne!(here, there);
//! thread::yield_now();
//! ```

// This module is the seam: the one place allowed to name std's atomics and
// std's yield.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use core::cell::Cell;
use core::sync::atomic::{AtomicUsize, Ordering};

#[cfg(not(bobbin_loom))]
pub use std::thread::{Builder, JoinHandle, spawn};

#[cfg(bobbin_loom)]
pub use loom::thread::{Builder, JoinHandle, spawn};

/// The next identifier to hand out. Starts at 1, so that 0 can mean "no
/// thread" in a state word (an RLock's owner, say).
///
/// This counter is bookkeeping, not synchronisation, so it stays a std atomic
/// even under the model cfg: a model gains nothing from exploring it.
static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

#[cfg(not(bobbin_loom))]
std::thread_local! {
    // A `const` initialiser and a type without drop glue: std then registers
    // no destructor, so the key can be read even while the thread's other
    // thread-locals are being destroyed (a `Local` value dropping at thread
    // exit may still take an RLock).
    static ID: Cell<usize> = const { Cell::new(0) };
}

#[cfg(bobbin_loom)]
loom::thread_local! {
    static ID: Cell<usize> = Cell::new(0);
}

/// A number that identifies the calling thread: never 0, and never reused
/// for another thread during the life of the process.
///
/// Unlike an address-based identifier (lock_api's `RawThreadId`) or a
/// `pthread_t`, which the OS recycles, an identifier from this counter stays
/// unique after its thread has ended, so a lock owned by a thread that has
/// exited can never look owned by a new one.
///
/// # Panics
///
/// Panics after `usize::MAX - 1` threads have asked for an identifier, which
/// cannot happen on a 64-bit target.
///
/// # Examples
///
/// ```
/// use bobbin_park::thread::current_id;
///
/// let me = current_id();
/// assert_ne!(me, 0);
/// assert_eq!(current_id(), me);
/// assert_ne!(std::thread::spawn(current_id).join().unwrap(), me);
/// ```
#[inline]
pub fn current_id() -> usize {
    ID.with(|id| {
        let current = id.get();
        if current != 0 {
            current
        } else {
            let fresh = assign_id();
            id.set(fresh);
            fresh
        }
    })
}

#[cold]
fn assign_id() -> usize {
    let fresh = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    assert!(
        fresh != usize::MAX,
        "bobbin-park ran out of thread identifiers"
    );
    fresh
}

/// Gives up the rest of this thread's time slice (std's `yield_now`, or a
/// scheduling point of the model under `--cfg bobbin_loom`).
///
/// # Examples
///
/// ```
/// bobbin_park::thread::yield_now();
/// ```
#[inline]
pub fn yield_now() {
    #[cfg(not(bobbin_loom))]
    std::thread::yield_now();
    #[cfg(bobbin_loom)]
    loom::thread::yield_now();
}
