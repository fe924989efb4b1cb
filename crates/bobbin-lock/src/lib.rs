//! Python's mutual-exclusion primitives for Rust: `Lock`, `RLock`,
//! `Semaphore` and `BoundedSemaphore`.
//!
//! This crate will hold, on bobbin's parking core (`bobbin-park`):
//!
//! - `Lock<T = ()>`: a one-byte lock that may own the data it protects, with
//!   RAII guards, timed acquisition and Python's release from any thread;
//! - `RLock<T = ()>`: the reentrant lock, with `is_owned` and
//!   `recursion_count`, and the save/restore hooks `Condition` needs;
//! - `Semaphore` and `BoundedSemaphore`, with FIFO waiters and `release(n)`;
//! - the crate's release errors, in Python's words.
//!
//! Its content comes with the `bobbin-lock` issue; for now it is empty.
