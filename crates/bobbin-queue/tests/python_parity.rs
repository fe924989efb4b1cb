//! Python parity: behaviours of CPython 3.13's `queue` module (its
//! documentation and `queue.py`) that the suite in `common` does not already
//! pin down, each test naming the Python behaviour it mirrors, for each of
//! the three tracked queues.

// Python's calls made for their effect (`q.shutdown(immediate=True)`) are
// statements here too: none may warn.
#![deny(unused_must_use)]

use bobbin_queue::{GetError, LifoQueue, PriorityQueue, PutError, Queue};
use std::time::Duration;

/// One test per tracked queue type, from a body that names the type `Q`.
macro_rules! for_each_tracked_queue {
    ($name:ident, |$Q:ident| $body:block) => {
        mod $name {
            use super::*;

            #[test]
            fn queue() {
                type $Q = Queue<u32>;
                $body
            }

            #[test]
            fn lifo_queue() {
                type $Q = LifoQueue<u32>;
                $body
            }

            #[test]
            fn priority_queue() {
                type $Q = PriorityQueue<u32>;
                $body
            }
        }
    };
}

// Python's `qsize()`, `empty()` and `full()` after `shutdown()`: a graceful
// shutdown leaves the items, so a full queue stays full; an immediate one
// drains it (`while self._qsize(): self._get()`), so it is empty and not
// full. `maxsize` never changes.
for_each_tracked_queue!(sizes_after_shutdown, |Q| {
    let graceful = Q::new(2);
    graceful.put(1).unwrap();
    graceful.put(2).unwrap();
    graceful.shutdown();
    assert_eq!(graceful.qsize(), 2);
    assert!(graceful.is_full());
    assert!(!graceful.is_empty());
    assert_eq!(graceful.unfinished_tasks(), 2);

    let immediate = Q::new(2);
    immediate.put(1).unwrap();
    immediate.put(2).unwrap();
    assert_eq!(immediate.shutdown_immediate().len(), 2);
    assert_eq!(immediate.qsize(), 0);
    assert!(!immediate.is_full());
    assert!(immediate.is_empty());
    assert_eq!(immediate.maxsize(), 2);
    assert_eq!(immediate.unfinished_tasks(), 0);
});

// Python's `put` checks `is_shutdown` before it looks at the size: a full
// queue that is shut down raises ShutDown, not Full, for `put_nowait`, for a
// timed put and for a blocking one, and the item comes back.
for_each_tracked_queue!(a_full_shut_down_queue_refuses_puts_as_shut_down, |Q| {
    let q = Q::bounded(1);
    q.put(1).unwrap();
    q.shutdown();
    assert_eq!(q.try_put(2), Err(PutError::ShutDown(2)));
    assert_eq!(q.put_timeout(3, Duration::ZERO), Err(PutError::ShutDown(3)));
    assert_eq!(q.put_timeout(4, Duration::MAX), Err(PutError::ShutDown(4)));
    assert_eq!(q.put(5), Err(PutError::ShutDown(5)));
    assert_eq!(q.get(), Ok(1));
    assert_eq!(q.try_get(), Err(GetError::ShutDown));
});

// Python's `test_shutdown_immediate`: `q.put("data");
// q.shutdown(immediate=True)` as a statement, then `get` raises ShutDown.
// Dropping what `shutdown_immediate` returns drops the items, as Python
// discards them.
for_each_tracked_queue!(shutdown_immediate_is_a_statement, |Q| {
    let q = Q::unbounded();
    q.put(1).unwrap();
    q.shutdown_immediate();
    assert_eq!(q.get(), Err(GetError::ShutDown));
    assert_eq!(q.qsize(), 0);
});
