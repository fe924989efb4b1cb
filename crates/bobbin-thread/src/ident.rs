//! Who the calling thread is: its ident (Python's `threading.get_ident()`),
//! its native id where the OS has none to give, and, for the main thread,
//! the parking-lot id that only the main thread itself can record.
//!
//! Its place: above `sys` (the OS's facts), below the records of `thread`
//! (which ask it whether a join would join the calling thread) and the
//! registry (which numbers the threads it registers from it). It takes no
//! lock: idents come from one counter, and a thread keeps its own in a
//! thread-local.

use crate::sys;
use bobbin_park::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use core::cell::Cell;

/// The ident of the main thread; every other thread gets a larger one.
pub(crate) const MAIN_IDENT: u64 = 1;

#[cfg(not(bobbin_loom))]
static NEXT_IDENT: AtomicU64 = AtomicU64::new(MAIN_IDENT + 1);

/// The main thread's parking-lot id, 0 until the main thread has learnt its
/// ident. A hang report needs it to name the main thread, whose record
/// another thread may have made.
#[cfg(not(bobbin_loom))]
static MAIN_PARK_ID: AtomicUsize = AtomicUsize::new(0);

// Loom's atomics cannot live in a `static`, and a model must start from
// fresh counters each run: loom's `lazy_static` gives both.
#[cfg(bobbin_loom)]
bobbin_park::loom::lazy_static! {
    static ref NEXT_IDENT: AtomicU64 = AtomicU64::new(MAIN_IDENT + 1);
    static ref MAIN_PARK_ID: AtomicUsize = AtomicUsize::new(0);
}

crate::tls! {
    /// The calling thread's ident, 0 until it first needs one. No drop glue,
    /// so it stays readable while the thread's other thread-locals are
    /// destroyed (a `Local` value's destructor may ask for it).
    static IDENT: Cell<u64> = Cell::new(0);
}

/// A new ident, for a thread about to be spawned. Relaxed: the counter only
/// has to hand out each number once.
pub(crate) fn fresh() -> u64 {
    NEXT_IDENT.fetch_add(1, Ordering::Relaxed)
}

/// The calling thread's ident, given on its first call: [`MAIN_IDENT`] on
/// the main thread (which records its parking-lot id then), a fresh one on
/// any other thread that has none yet.
pub(crate) fn current() -> u64 {
    let known = IDENT.try_with(Cell::get).unwrap_or(0);
    if known != 0 {
        return known;
    }
    let ident = if sys::is_main_thread() {
        // Relaxed: bookkeeping that only a hang report reads.
        MAIN_PARK_ID.store(bobbin_park::thread::current_id(), Ordering::Relaxed);
        MAIN_IDENT
    } else {
        fresh()
    };
    set_current(ident);
    ident
}

/// Makes `ident` the calling thread's own: a spawned thread's first step,
/// with the ident its spawner gave it.
pub(crate) fn set_current(ident: u64) {
    let _ = IDENT.try_with(|cell| cell.set(ident));
}

/// The main thread's parking-lot id, 0 if it has not learnt its ident yet.
pub(crate) fn main_park_id() -> usize {
    MAIN_PARK_ID.load(Ordering::Relaxed)
}

/// The kernel's id for the calling thread; where the OS gives none, the
/// ident stands in.
pub(crate) fn native_id() -> u64 {
    sys::native_id().unwrap_or_else(current)
}

/// The main thread's native id, known from any thread; where the OS gives
/// none, the main thread's ident stands in.
pub(crate) fn main_native_id() -> u64 {
    sys::main_native_id().unwrap_or(MAIN_IDENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idents_are_unique_and_kept() {
        let here = current();
        assert_ne!(here, 0);
        assert_ne!(here, MAIN_IDENT, "a test runs off the main thread");
        assert_eq!(current(), here);
        let there = std::thread::spawn(current).join().unwrap();
        assert_ne!(there, here);
        assert!(fresh() > there);
    }
}
