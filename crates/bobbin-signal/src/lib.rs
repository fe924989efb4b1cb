//! Python's signalling primitives for Rust: `Event`, `Condition` and
//! `Barrier`.
//!
//! This crate will hold, on bobbin's parking core (`bobbin-park`) and the
//! locks of `bobbin-lock`:
//!
//! - `Event`: a one-byte flag with `set`, `clear`, `is_set` and timed waits;
//! - `Condition`: waits with the guards of `Lock` and `RLock`, `notify(n)`
//!   and `notify_all` that requeue waiters onto the lock;
//! - `Barrier`: parties, an action, a default timeout, `reset`, `abort`, and
//!   a `BrokenBarrierError` that says why it broke.
//!
//! Its content comes with the `bobbin-signal` issue; for now it is empty.

#![forbid(unsafe_code)]
