//! [`Queue`]: Python's `queue.Queue`, first in, first out, on
//! crossbeam-queue's lock-free storage.

use crate::engine::Core;
use crate::storage::Fifo;

/// A first-in, first-out queue for many producers and many consumers, with
/// task tracking and shutdown (Python's `queue.Queue`).
///
/// Items come out in the order they went in. A queue is bounded (at most
/// [`maxsize`](Queue::maxsize) items; puts wait for room) or unbounded
/// (`new(0)`, Python's rule). Share it by reference: `&Queue<T>` is
/// `Send + Sync` when `T: Send`, so scoped threads borrow it and `Arc`
/// shares it.
///
/// | Python | bobbin |
/// |---|---|
/// | `Queue(maxsize)` | [`new(maxsize)`](Queue::new), [`bounded(n)`](Queue::bounded), [`unbounded()`](Queue::unbounded) |
/// | `put(item)`, `put(item, timeout=t)`, `put_nowait(item)` | [`put`](Queue::put), [`put_timeout`](Queue::put_timeout) / [`put_until`](Queue::put_until), [`try_put`](Queue::try_put) |
/// | `get()`, `get(timeout=t)`, `get_nowait()` | [`get`](Queue::get), [`get_timeout`](Queue::get_timeout) / [`get_until`](Queue::get_until), [`try_get`](Queue::try_get) |
/// | `qsize()`, `empty()`, `full()`, `maxsize` | [`qsize`](Queue::qsize), [`is_empty`](Queue::is_empty), [`is_full`](Queue::is_full), [`maxsize`](Queue::maxsize) |
/// | `task_done()`, `join()`, `unfinished_tasks` | [`task_done`](Queue::task_done), [`join`](Queue::join) (and [`join_timeout`](Queue::join_timeout) / [`join_until`](Queue::join_until)), [`unfinished_tasks`](Queue::unfinished_tasks) |
/// | `shutdown()`, `shutdown(immediate=True)`, `is_shutdown` | [`shutdown`](Queue::shutdown), [`shutdown_immediate`](Queue::shutdown_immediate), [`is_shutdown`](Queue::is_shutdown) |
///
/// # Storage and speed
///
/// The items live in crossbeam-queue's lock-free queues: an `ArrayQueue`
/// ring of exactly `maxsize` slots when the queue is bounded and the ring
/// takes at most 4 MiB, a `SegQueue` (blocks that grow and shrink with the
/// queue) otherwise. A bounded queue too large for a ring (`new(usize::MAX)`
/// allocates nothing up front) counts its slots beside the `SegQueue`. A put
/// or get that does not have to wait takes no lock and makes no system call;
/// a waiting thread waits a few microseconds, for a batch of items (or of
/// room) when the other side is fast, and then sleeps in bobbin's parking
/// lot, and a put or get wakes a sleeper only when one may be asleep. (Built with
/// `--cfg bobbin_loom`, for model checking, the storage is a `VecDeque` under
/// loom's mutex instead, since loom cannot see crossbeam's atomics.)
///
/// # Differences from Python
///
/// - A failed put gives its item back ([`PutError::into_inner`](crate::PutError::into_inner)),
///   and [`shutdown_immediate`](Queue::shutdown_immediate) returns the items
///   Python would discard: nothing is lost.
/// - [`join_timeout`](Queue::join_timeout) and [`join_until`](Queue::join_until)
///   bound `join`, which Python cannot.
/// - Timeouts are [`Duration`](std::time::Duration)s or deadlines
///   ([`Instant`](std::time::Instant)); a negative one cannot be written.
/// - `maxsize` is fixed when the queue is made.
///
/// # Memory ordering
///
/// Everything a thread does before it puts an item happens before
/// everything the thread that gets the item does after its get; everything
/// before a `task_done` happens before the return of the `join` it releases.
///
/// # Examples
///
/// Python's worker pattern: workers take jobs until the queue is shut down,
/// the main thread waits for every job with `join`.
///
/// ```
/// use bobbin_queue::Queue;
///
/// let jobs = Queue::bounded(8);
/// let results = Queue::unbounded();
/// std::thread::scope(|s| {
///     for _ in 0..3 {
///         s.spawn(|| {
///             for job in &jobs {
///                 results.put(job * 10).unwrap();
///                 jobs.task_done().unwrap();
///             }
///         });
///     }
///     for job in 0..20 {
///         jobs.put(job).unwrap();
///     }
///     jobs.join(); // every job is done
///     jobs.shutdown(); // the workers' loops end
/// });
/// let mut results: Vec<i32> = results.try_iter().collect();
/// results.sort();
/// assert_eq!(results, (0..20).map(|j| j * 10).collect::<Vec<_>>());
/// ```
pub struct Queue<T> {
    core: Core<Fifo<T>, true>,
}

tracked_methods!(Queue);
get_methods!(Queue, "Queue::new(0)");
