//! [`LifoQueue`]: Python's `queue.LifoQueue`, last in, first out.

use crate::locked_engine::LockedCore;

/// A last-in, first-out queue (a stack) for many producers and many
/// consumers, with task tracking and shutdown (Python's `queue.LifoQueue`).
///
/// The item put last comes out first. Everything else is as for
/// [`Queue`](crate::Queue): bounded or unbounded (`new(0)`), the same
/// blocking, timed and non-blocking puts and gets, `task_done`/`join` and
/// Python 3.13's shutdown. Share it by reference: `&LifoQueue<T>` is
/// `Send + Sync` when `T: Send`.
///
/// # Storage and speed
///
/// The items are a `Vec` under bobbin's one-byte `Lock` (CPython keeps a
/// list under the queue's mutex), held only for the push or pop itself.
/// Waiting threads park in bobbin's parking lot and are woken only when one
/// may be parked.
///
/// # Differences from Python
///
/// As for [`Queue`](crate::Queue#differences-from-python): failed puts give
/// their item back, `shutdown_immediate` returns the items, `join` can time
/// out, and `maxsize` is fixed.
///
/// # Memory ordering
///
/// Everything a thread does before it puts an item happens before
/// everything the thread that gets the item does after its get; everything
/// before a `task_done` happens before the return of the `join` it releases.
///
/// # Examples
///
/// ```
/// use bobbin_queue::LifoQueue;
///
/// let q = LifoQueue::new(0);
/// for i in [111, 333, 222] {
///     q.put(i).unwrap();
/// }
/// assert_eq!(q.try_iter().collect::<Vec<_>>(), [222, 333, 111]);
/// ```
pub struct LifoQueue<T> {
    core: LockedCore<Vec<T>>,
}

tracked_methods!(LifoQueue);
get_methods!(LifoQueue, "LifoQueue::new(0)");
