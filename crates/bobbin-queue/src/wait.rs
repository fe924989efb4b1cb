//! What both engines and the task count share to wait and to wake: the
//! cache-line padding of their counting words, how a parked thread shows
//! in a hang report, and the two wake-ups that clear a parked flag under
//! the parking lot's queue lock.
//!
//! The bottom layer of the crate: [`tasks`](crate::tasks), the lock-free
//! [`engine`](crate::engine) and the [`locked_engine`](crate::locked_engine)
//! build on it, and it imports none of them.

use bobbin_park::{DEFAULT_UNPARK_TOKEN, FilterOp, Key, WaitKind, unpark_filter, unpark_one};

/// How a thread parked in a queue's operation shows in a hang report.
/// `LifoQueue` and `PriorityQueue` are `Queue`s in Python too.
pub(crate) static QUEUE_PUT: WaitKind = WaitKind::new("Queue.put");
pub(crate) static QUEUE_GET: WaitKind = WaitKind::new("Queue.get");
pub(crate) static SIMPLE_QUEUE_GET: WaitKind = WaitKind::new("SimpleQueue.get");
pub(crate) static QUEUE_JOIN: WaitKind = WaitKind::new("Queue.join");
pub(crate) static QUEUE_SHUTDOWN: WaitKind = WaitKind::new("Queue.shutdown");

/// A value on a cache line of its own, so that the words producers write on
/// every put do not slow down the words consumers read on every get.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct Padded<T>(pub(crate) T);

/// Wakes the first thread parked on `key`; `clear_flag` runs, with the
/// key's queue locked, if no thread is left parked there.
pub(crate) fn wake_one<K: Key>(key: &K, clear_flag: impl FnOnce()) {
    unpark_one(key, |result| {
        if !result.have_more_threads {
            clear_flag();
        }
        DEFAULT_UNPARK_TOKEN
    });
}

/// Wakes every thread parked on `key`; `clear_flag` runs with the key's
/// queue locked, so that no thread parks between the wake-up and the
/// clearing.
pub(crate) fn wake_all<K: Key>(key: &K, clear_flag: impl FnOnce()) {
    unpark_filter(
        key,
        |_| FilterOp::Unpark,
        |_| {
            clear_flag();
            DEFAULT_UNPARK_TOKEN
        },
    );
}
