//! Python's signalling primitives for Rust: [`Event`], [`Condition`] and
//! [`Barrier`], with CPython 3.13's semantics.
//!
//! | Python | bobbin-signal |
//! |---|---|
//! | `threading.Event()` | [`Event::new()`](Event::new) (`const`, four bytes) |
//! | `event.set()`, `event.clear()`, `event.is_set()` | [`Event::set`], [`Event::clear`], [`Event::is_set`] |
//! | `event.wait()`, `event.wait(timeout)` | [`Event::wait`], [`Event::wait_timeout`], [`Event::wait_until`] |
//! | `threading.Condition(lock)` | [`Condition::new()`](Condition::new) (`const`, one pointer) beside a `bobbin_lock::Lock` or `RLock` |
//! | `with cond: cond.wait()`, `cond.wait(timeout)` | [`cond.wait(&mut guard)`](Condition::wait), [`Condition::wait_timeout`], [`Condition::wait_until`] |
//! | `cond.wait_for(predicate, timeout)` | [`cond.wait_for(&mut guard, predicate, timeout)`](Condition::wait_for), [`Condition::wait_for_until`] |
//! | `cond.notify()`, `cond.notify(n)`, `cond.notify_all()` | [`Condition::notify_one`], [`Condition::notify`], [`Condition::notify_all`] (they return how many they woke) |
//! | `threading.Barrier(parties, action, timeout)` | [`Barrier::new(parties)`](Barrier::new)`.`[`with_action(f)`](Barrier::with_action)`.`[`with_timeout(t)`](Barrier::with_timeout) |
//! | `barrier.wait()`, `barrier.wait(timeout)` | [`Barrier::wait`], [`Barrier::wait_timeout`], [`Barrier::wait_until`] → `Result<usize, BrokenBarrierError>` |
//! | `barrier.reset()`, `barrier.abort()` | [`Barrier::reset`], [`Barrier::abort`] |
//! | `barrier.parties`, `barrier.n_waiting`, `barrier.broken` | [`Barrier::parties`], [`Barrier::n_waiting`], [`Barrier::is_broken`] |
//! | `threading.BrokenBarrierError` | [`BrokenBarrierError`], with its [`BrokenReason`] |
//!
//! # How it works
//!
//! Every primitive is a small state word on bobbin's parking core
//! (`bobbin-park`): blocked threads park in parking_lot_core's global table,
//! keyed by the word's address, and no call reaches the parking lot unless a
//! thread may be waiting.
//!
//! - [`Event`] is one word: the flag, a "threads are parked" bit and a count
//!   of the flag's rises. `set` raises the flag inside the parking lot's
//!   unpark callback, so it wakes exactly the threads waiting at that
//!   moment, and each of them returns `true` even if `clear` follows at
//!   once; a waiter still spinning sees the count move
//!   ([`EventMark`]) and returns `true` too.
//! - [`Condition`] is parking_lot's `Condvar` (bobbin-park's
//!   `ConditionQueue`): notified waiters are moved onto the lock's queue
//!   rather than woken into a thundering herd, and the lock's guard
//!   (`bobbin_lock::WaitGuard`) releases every level of an `RLock` while
//!   its owner waits.
//! - [`Barrier`] is an arrival counter in one word and a count of spinning
//!   ("loose") parties in another; every change to them happens with the
//!   parking queue locked, together with the wake-ups it implies, so
//!   generations never mix, a party that spins instead of parking still
//!   learns its own generation's outcome, and a timed-out wait breaks the
//!   barrier instead of leaving a half-counted generation.
//!
//! # Differences from Python
//!
//! Each type lists its own; across the crate: timeouts are `Duration`s or
//! `Instant`s (`Duration::MAX` waits forever, zero is a non-blocking try),
//! a condition's waits take the lock's guard (so waiting without the lock
//! cannot be written), and errors are values, not exceptions.
//!
//! # Examples
//!
//! ```
//! use bobbin_lock::Lock;
//! use bobbin_signal::{Barrier, Condition, Event};
//!
//! // A start signal, a rendezvous, and a counter with a condition.
//! let start = Event::new();
//! let rendezvous = Barrier::new(3);
//! let done = Lock::new(0);
//! let all_done = Condition::new();
//!
//! std::thread::scope(|s| {
//!     for _ in 0..3 {
//!         s.spawn(|| {
//!             start.wait();
//!             rendezvous.wait().unwrap();
//!             *done.acquire() += 1;
//!             all_done.notify_all();
//!         });
//!     }
//!     start.set();
//!     let mut count = done.acquire();
//!     assert!(all_done.wait_for(&mut count, |n| *n == 3, None));
//! });
//! ```

#![forbid(unsafe_code)]

mod barrier;
mod condition;
mod error;
mod event;

pub use barrier::Barrier;
pub use condition::Condition;
pub use error::{BrokenBarrierError, BrokenReason};
pub use event::{Event, EventMark};
