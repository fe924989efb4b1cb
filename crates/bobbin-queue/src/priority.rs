//! [`PriorityQueue`]: Python's `queue.PriorityQueue`, smallest item first,
//! and first in, first out among equal items.

use crate::locked_engine::LockedCore;
use crate::storage::PriorityStore;

/// A queue that gives out its smallest item first, for many producers and
/// many consumers, with task tracking and shutdown (Python's
/// `queue.PriorityQueue`).
///
/// Items are compared with [`Ord`]; equal items come out in the order they
/// were put. Python's idiom of `(priority, data)` tuples works as it is
/// (`PriorityQueue<(u32, String)>`), and [`std::cmp::Reverse`] makes it give
/// out the largest first. Everything else is as for [`Queue`](crate::Queue):
/// bounded or unbounded (`new(0)`), the same blocking, timed and
/// non-blocking puts and gets, `task_done`/`join` and Python 3.13's
/// shutdown. Share it by reference: `&PriorityQueue<T>` is `Send + Sync`
/// when `T: Send`.
///
/// # Storage and speed
///
/// The items are kept under bobbin's one-byte `Lock` (CPython keeps a
/// `heapq` list under the queue's mutex), held only for the put or get
/// itself. The newest puts go into a short sorted buffer (64 items); when it
/// fills, its items become a sorted *run*, and runs are merged as they grow,
/// so that there are about log2(n / 64) of them. A get takes the smallest of
/// the buffer's first item and the runs' smallest ones. A put costs a binary
/// search and a short shift plus, amortised, O(log n) for the merges, which
/// read and write memory in order (the put that completes a large merge
/// takes O(n) once, as a `Vec` that grows does); a get costs O(log n)
/// comparisons. Equal items keep their put order by where they are (a run
/// holds only items put before those of the runs after it), so an item is
/// stored as it is, with no put number beside it. Waiting threads park in
/// bobbin's parking lot and are woken only when one may be parked.
///
/// # Differences from Python
///
/// - Stable: Python's heap gives equal items out in no promised order (so
///   its docs suggest adding a counter to the entries); here they come out
///   first in, first out.
/// - As for [`Queue`](crate::Queue#differences-from-python): failed puts
///   give their item back, `shutdown_immediate` returns the items (smallest
///   first), `join` can time out, and `maxsize` is fixed.
///
/// # Memory ordering
///
/// Everything a thread does before it puts an item happens before
/// everything the thread that gets the item does after its get; everything
/// before a `task_done` happens before the return of the `join` it releases.
///
/// # Panics
///
/// A panic in `T`'s [`Ord`] reaches the caller of the put or get that
/// compared the items. The queue stays consistent and usable (its size, its
/// task count and its shutdown) and loses no item: a put that panics has
/// added its item (and counted its task), and the item a get that panics
/// was about to return stays in the queue. Items that compared with a
/// panic may afterwards come out of priority order.
///
/// # Examples
///
/// ```
/// use bobbin_queue::PriorityQueue;
///
/// let q = PriorityQueue::new(0);
/// q.put((2, "write docs")).unwrap();
/// q.put((1, "fix the bug")).unwrap();
/// q.put((2, "write tests")).unwrap();
/// assert_eq!(q.get(), Ok((1, "fix the bug")));
/// assert_eq!(q.get(), Ok((2, "write docs"))); // equal priority: first in, first out
/// assert_eq!(q.get(), Ok((2, "write tests")));
/// ```
pub struct PriorityQueue<T: Ord> {
    core: LockedCore<PriorityStore<T>>,
}

tracked_methods!(PriorityQueue: Ord);
get_methods!(PriorityQueue: Ord, "PriorityQueue::new(0)");
