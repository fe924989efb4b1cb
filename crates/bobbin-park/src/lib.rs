//! The parking core of bobbin: every blocking call of every bobbin crate
//! parks here.
//!
//! bobbin brings Python's `threading` and `queue` to Rust. Its primitives are
//! small state words (a `Lock<()>` is one byte) that spin briefly and then
//! *park* the waiting thread in a global table keyed by the state word's
//! address: parking_lot_core's design. This crate owns that layer and is the
//! one crate of the workspace with `unsafe` calls into it, behind a safe
//! API whose invariants are written down once.
//!
//! | item | what it is |
//! |---|---|
//! | [`Deadline`] | a timeout as an absolute instant, saturating (`Duration::MAX` is "never") |
//! | [`park`], [`unpark_one`], [`unpark_all`], [`unpark_filter`], [`unpark_requeue`] | the parking lot, keyed by a state word ([`Key`]), with park and unpark tokens |
//! | [`ConditionQueue`] | a condition variable's waiting room: notifications move waiters to their lock's queue (parking_lot's requeue) |
//! | [`SpinWait`], [`single_cpu`] | adaptive spinning before parking, none on one CPU |
//! | [`yield_guarded`], [`HoldOff`] | yielding that stops when it gives the core away to a busy thread |
//! | [`epoch`] | the process's clock origin, for times kept in atomics |
//! | [`asymmetric`] | a nearly free fence for a hot path, paired with a costly one (`membarrier`) for a rare path |
//! | [`parked_threads`], [`WaitKind`], [`WaitLabel`] | what every parked thread waits for, and since when: the raw material of a hang report |
//! | [`sync`], [`cell`], [`hint`], [`thread`] | the model-checking seam: std's atomics, cell, spin hint and thread identity, or loom's |
//! | [`const_fn!`] | a `const fn` that is `const` except under the model cfg |
//!
//! # How parking works
//!
//! A thread that must wait *parks* on a key, the address of a primitive's
//! state word. The parking lot is a global hash table from keys to FIFO
//! queues of parked threads (parking_lot_core's design, after WebKit's
//! `ParkingLot`), so a primitive needs no queue of its own: a one-byte lock is
//! enough. A thread that changes the state *unparks* one, some or all of the
//! threads parked on its key.
//!
//! The one rule that makes this free of lost wake-ups: `park` runs its
//! `validate` callback with the key's queue locked, and enqueues the thread
//! only if `validate` returns true; every `unpark_*` takes the same queue
//! lock. A waker that changes the state *before* calling `unpark_*` therefore
//! either runs before `validate` (which then sees the new state and returns
//! false) or after the thread is queued (and finds it).
//!
//! # The callbacks' contract
//!
//! parking_lot_core makes two demands of its callers that the type system
//! cannot express; bobbin-park keeps both so that the crates above need no
//! `unsafe`:
//!
//! - **Keys are addresses the caller owns.** A key here is a reference to one
//!   of this crate's own atomic types (the sealed [`Key`] trait; they are
//!   newtypes, not std's atomics), borrowed for the whole call, so it is the
//!   address of a live state word of a bobbin-park user and can never be the
//!   key of another library's primitive.
//! - **Callbacks must not re-enter the parking lot nor unwind.** `validate`,
//!   `timed_out`, the unpark callbacks and the filter run with a queue locked;
//!   they must only look at and update state words. `before_sleep` runs
//!   after the queue is unlocked and may unpark (a condition variable releases
//!   its lock there) but must not park. bobbin-park checks this at run time:
//!   a call into the parking lot from a callback that may not make it aborts
//!   the process with a message, and a panic in a callback aborts too
//!   (parking_lot_core's rule). Neither is ever undefined behaviour. The one
//!   thing bobbin-park cannot see is a callback that blocks on a lock of
//!   *another* library built on parking_lot_core (parking_lot's `Mutex`, for
//!   one): callbacks must not block at all, and bobbin's never do.
//!
//! # Tokens
//!
//! A parking thread leaves a [`ParkToken`] that [`unpark_filter`] can read
//! (the Lock's "waiting since", a Semaphore's requested permits), and a woken
//! thread receives the [`UnparkToken`] its waker chose (the Lock's direct
//! hand-off, a Barrier's generation).
//!
//! # Parking under `--cfg bobbin_loom`
//!
//! The same functions run on a model of the parking lot built from loom's
//! `Mutex` and `Condvar`: one FIFO of waiters under one mutex (a hash table
//! of one bucket), with every callback run under that mutex as
//! parking_lot_core runs it under the bucket lock. Loom has no clock, so a
//! *timed* park may time out at any moment after it has been queued (the model
//! explores both the wake-up and the time-out); callers must treat
//! [`ParkResult::TimedOut`] as final.
//!
//! # The model-checking seam
//!
//! No other bobbin crate names `std::sync::atomic`, `std::cell::UnsafeCell`
//! or `parking_lot_core`: they take these from here (clippy's
//! `disallowed-types` keeps it so). Built with `RUSTFLAGS="--cfg bobbin_loom"`
//! the seam swaps them all for [loom](https://docs.rs/loom)'s, and the
//! parking lot for a model of it on loom's mutex and condition variable, so
//! every primitive above can be model-checked without a line of `cfg` of its
//! own. `cargo xtask loom` runs the `loom_*` tests that way.
//!
//! # Examples
//!
//! A minimal event built on the parking API: `wait` parks while the flag is
//! clear, `set` wakes every waiter. The `validate` callback runs with the
//! queue locked, so a `set` between the check and the park is never lost.
//!
//! ```
//! use bobbin_park::sync::atomic::{AtomicBool, Ordering};
//! use bobbin_park::{park, unpark_all, Deadline, ParkResult};
//! use bobbin_park::{DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN};
//! use std::time::Duration;
//!
//! struct Flag(AtomicBool);
//!
//! impl Flag {
//!     fn set(&self) {
//!         self.0.store(true, Ordering::Release);
//!         unpark_all(&self.0, DEFAULT_UNPARK_TOKEN);
//!     }
//!
//!     fn wait_until(&self, deadline: Deadline) -> bool {
//!         while !self.0.load(Ordering::Acquire) {
//!             let validate = || !self.0.load(Ordering::Relaxed);
//!             let r = park(&self.0, validate, || {}, |_, _| {}, DEFAULT_PARK_TOKEN, deadline);
//!             if r == ParkResult::TimedOut {
//!                 return self.0.load(Ordering::Acquire);
//!             }
//!         }
//!         true
//!     }
//! }
//!
//! let flag = Flag(AtomicBool::new(false));
//! assert!(!flag.wait_until(Deadline::after(Duration::from_millis(10))));
//! std::thread::scope(|s| {
//!     s.spawn(|| flag.set());
//!     assert!(flag.wait_until(Deadline::never()));
//! });
//! ```

#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

pub mod asymmetric;
pub mod cell;
mod clock;
mod condition;
mod deadline;
mod diag;
pub mod hint;
mod hold_off;
mod park;
mod spin;
pub mod sync;
pub mod thread;

pub use clock::epoch;
pub use condition::{CondWait, ConditionQueue, LOCK_LOCKED, LOCK_PARKED};
pub use deadline::Deadline;
pub use diag::{ParkedThread, WaitKind, WaitLabel, parked_threads};
pub use hold_off::{HoldOff, yield_guarded};
pub use park::{
    DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, FilterOp, Key, ParkResult, ParkToken, RequeueOp,
    UnparkResult, UnparkToken, WaitKey, park, unpark_all, unpark_filter, unpark_one,
    unpark_requeue,
};
pub use spin::{SpinWait, single_cpu};

/// loom itself, for the `loom_*` models of the crates above (`loom::model`,
/// `loom::thread::spawn`), so that none needs a dependency of its own.
#[cfg(bobbin_loom)]
#[doc(hidden)]
pub use loom;

/// Declares a `const fn` that is `const` in the production build and a plain
/// `fn` under `--cfg bobbin_loom`, where loom's atomics cannot be built in a
/// constant (crossbeam's `const_fn!`).
///
/// A primitive written with it keeps a `const fn new` for statics
/// (`static LOCK: Lock = Lock::new(());`) without a line of `cfg` of its own.
///
/// # Examples
///
/// ```
/// use bobbin_park::sync::atomic::{AtomicU8, Ordering};
///
/// pub struct Flag(AtomicU8);
///
/// impl Flag {
///     bobbin_park::const_fn! {
///         /// A clear flag.
///         pub const fn new() -> Flag {
///             Flag(AtomicU8::new(0))
///         }
///     }
/// }
///
/// # #[cfg(not(bobbin_loom))]
/// static FLAG: Flag = Flag::new();
/// # #[cfg(not(bobbin_loom))]
/// assert_eq!(FLAG.0.load(Ordering::Relaxed), 0);
/// ```
#[macro_export]
macro_rules! const_fn {
    ($(#[$attr:meta])* $vis:vis const fn $($rest:tt)*) => {
        #[cfg(not(bobbin_loom))]
        $(#[$attr])* $vis const fn $($rest)*

        #[cfg(bobbin_loom)]
        $(#[$attr])* $vis fn $($rest)*
    };
}
