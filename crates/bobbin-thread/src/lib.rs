//! Python's thread management for Rust.
//!
//! This crate will hold, on bobbin's parking core (`bobbin-park`) and the
//! `Event` of `bobbin-signal`:
//!
//! - `Builder` and `spawn`, with names (also given to the OS thread) and
//!   daemon flags, and the `Thread` handle with `join` and a join with a
//!   timeout;
//! - the thread registry: `current_thread`, `main_thread`, `enumerate`,
//!   `active_count`, `get_ident`, `get_native_id`;
//! - daemon semantics at exit: the program waits for non-daemon threads;
//! - `Local<T>` (Python's `threading.local`), `Timer`, and the panic hook
//!   (`excepthook`).
//!
//! Its content comes with the `bobbin-thread` issue; for now it is empty.
