//! Python's signalling primitives for Rust: [`Event`] and [`Barrier`], with
//! `Condition` to come.
//!
//! Built on bobbin's parking core (`bobbin-park`): every primitive is a small
//! state word, blocked threads park in parking_lot_core's global table keyed
//! by that word's address, and no call reaches the parking lot unless a
//! thread may be waiting.
//!
//! | Python | bobbin |
//! |---|---|
//! | `threading.Event()` | [`Event::new()`](Event::new) (`const`, one byte) |
//! | `event.set()`, `event.clear()`, `event.is_set()` | [`Event::set`], [`Event::clear`], [`Event::is_set`] |
//! | `event.wait()`, `event.wait(timeout)` | [`Event::wait`], [`Event::wait_timeout`], [`Event::wait_until`] |
//! | `threading.Barrier(parties, action, timeout)` | [`Barrier::new(parties)`](Barrier::new)`.`[`with_action(f)`](Barrier::with_action)`.`[`with_timeout(t)`](Barrier::with_timeout) |
//! | `barrier.wait()`, `barrier.wait(timeout)` | [`Barrier::wait`], [`Barrier::wait_timeout`], [`Barrier::wait_until`] → `Result<usize, BrokenBarrierError>` |
//! | `barrier.reset()`, `barrier.abort()` | [`Barrier::reset`], [`Barrier::abort`] |
//! | `barrier.parties`, `barrier.n_waiting`, `barrier.broken` | [`Barrier::parties`], [`Barrier::n_waiting`], [`Barrier::is_broken`] |
//! | `threading.BrokenBarrierError` | [`BrokenBarrierError`], with its [`BrokenReason`] |
//!
//! # Examples
//!
//! ```
//! use bobbin_signal::Event;
//!
//! let done = Event::new();
//! std::thread::scope(|s| {
//!     s.spawn(|| done.set());
//!     assert!(done.wait());
//! });
//! ```

#![forbid(unsafe_code)]

mod barrier;
mod error;
mod event;

pub use barrier::Barrier;
pub use error::{BrokenBarrierError, BrokenReason};
pub use event::Event;
