//! Python's `queue` module for Rust: [`Queue`], [`LifoQueue`],
//! [`PriorityQueue`] and [`SimpleQueue`], with task tracking
//! (`task_done`/`join`) and Python 3.13's `shutdown`, at the speed of
//! lock-free queues.
//!
//! | Python | bobbin-queue | order |
//! |---|---|---|
//! | `queue.Queue(maxsize)` | [`Queue<T>`] | first in, first out |
//! | `queue.LifoQueue(maxsize)` | [`LifoQueue<T>`] | last in, first out |
//! | `queue.PriorityQueue(maxsize)` | [`PriorityQueue<T: Ord>`](PriorityQueue) | smallest first, first in first out among equals |
//! | `queue.SimpleQueue()` | [`SimpleQueue<T>`] | first in, first out; no bound, tasks or shutdown |
//! | `queue.Full`, `queue.ShutDown` (from a put) | [`PutError::Full`], [`PutError::ShutDown`], which hold the item | |
//! | `queue.Empty`, `queue.ShutDown` (from a get) | [`GetError::Empty`], [`GetError::ShutDown`] | |
//! | `ValueError` from `task_done` | [`TaskDoneError`] | |
//!
//! Every blocking call comes in three forms: `put(item)` waits as long as it
//! takes, `put_timeout(item, Duration)` and `put_until(item, Instant)` give up
//! at a deadline, and `try_put(item)` (Python's `put_nowait`) does not wait;
//! the same for `get` and `join`. The queues are shared by reference
//! (`&Queue<T>` is `Send + Sync` for `T: Send`): borrow one in scoped
//! threads, or put it in an `Arc`.
//!
//! # What Python users gain
//!
//! - **Nothing is lost.** A failed put returns its item inside the error,
//!   and [`Queue::shutdown_immediate`] returns the items Python discards.
//! - **`join` with a timeout** ([`Queue::join_timeout`],
//!   [`Queue::join_until`]), which Python rejected (cpython#60187).
//! - **`PriorityQueue` is stable**: equal items come out in the order they
//!   went in, where Python's heap gives no such promise.
//!
//! # How it works
//!
//! FIFO storage is crossbeam-queue's lock-free `ArrayQueue` (Vyukov's
//! bounded MPMC ring) or `SegQueue`; LIFO storage is a `Vec` and priority
//! storage a short sorted buffer with sorted runs behind it, merged as they
//! grow, under bobbin's one-byte `Lock`. Where CPython's queue is one
//! mutex and three conditions (`not_empty`, `not_full`, `all_tasks_done`),
//! here a put or get on a FIFO queue that does not have to wait takes no
//! lock, and on any queue makes no system call: waiting getters, putters and
//! joiners park on three keys of bobbin's parking lot (parking_lot's design),
//! and a put or get calls into the parking lot only when a flag says someone
//! may be parked there. The LIFO and priority queues keep their flags and
//! task count under the storage lock they take anyway, so that their put
//! costs what a `Mutex<Vec>` push does. A shutdown lets no put that began
//! before it go unfinished, so no item that beat it is ever stranded.
//!
//! # Examples
//!
//! ```
//! use bobbin_queue::{GetError, Queue};
//!
//! let q = Queue::new(0);
//! std::thread::scope(|s| {
//!     s.spawn(|| {
//!         for word in ["a", "b", "c"] {
//!             q.put(word).unwrap();
//!         }
//!         q.shutdown();
//!     });
//!     let words: Vec<&str> = q.iter().collect(); // ends at the shutdown
//!     assert_eq!(words, ["a", "b", "c"]);
//! });
//! assert_eq!(q.get(), Err(GetError::ShutDown));
//! ```

#![forbid(unsafe_code)]

#[macro_use]
mod macros;

mod engine;
mod error;
mod fifo;
mod iter;
mod lifo;
mod locked_engine;
mod priority;
mod simple;
mod storage;
mod tasks;
mod wait;

pub use error::{GetError, PutError, TaskDoneError};
pub use fifo::Queue;
pub use iter::{Iter, TryIter};
pub use lifo::LifoQueue;
pub use priority::PriorityQueue;
pub use simple::SimpleQueue;
