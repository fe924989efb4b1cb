//! Python's signalling primitives for Rust: [`Event`], with `Condition` and
//! `Barrier` to come.
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

mod event;

pub use event::Event;
