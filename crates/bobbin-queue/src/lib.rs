//! Python's `queue` module for Rust: `Queue`, `LifoQueue`, `PriorityQueue`
//! and `SimpleQueue`.
//!
//! This crate will hold, on bobbin's parking core (`bobbin-park`), with FIFO
//! storage on `crossbeam-queue` and LIFO/priority storage under a
//! `bobbin-lock` `Lock`:
//!
//! - the four queues, bounded or unbounded, with blocking, timed and
//!   non-blocking `put` and `get`;
//! - task tracking (`task_done`, `join`, and `join` with a timeout);
//! - Python 3.13's `shutdown`, graceful or immediate;
//! - errors that give the item back: nothing is ever lost.
//!
//! Its content comes with the `bobbin-queue` issue; for now it is empty.

#![forbid(unsafe_code)]
