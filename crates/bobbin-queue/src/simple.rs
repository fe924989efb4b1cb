//! [`SimpleQueue`]: Python's `queue.SimpleQueue`, an unbounded FIFO whose
//! put never blocks, without task tracking or shutdown.

use crate::engine::Core;
use crate::storage::{Fifo, Storage};

/// An unbounded first-in, first-out queue whose put never blocks, without
/// task tracking or shutdown (Python's `queue.SimpleQueue`).
///
/// The lightest of the four queues: a put is a lock-free push (crossbeam's
/// `SegQueue`) and a check for a parked getter; a get that finds an item
/// takes no lock either. Share it by reference: `&SimpleQueue<T>` is
/// `Send + Sync` when `T: Send`.
///
/// | Python | bobbin |
/// |---|---|
/// | `SimpleQueue()` | [`new()`](SimpleQueue::new) |
/// | `put(item)`, `put_nowait(item)` (`block` and `timeout` are ignored) | [`put`](SimpleQueue::put), [`try_put`](SimpleQueue::try_put), [`put_timeout`](SimpleQueue::put_timeout), [`put_until`](SimpleQueue::put_until): all the same, never failing |
/// | `get()`, `get(timeout=t)`, `get_nowait()` | [`get`](SimpleQueue::get), [`get_timeout`](SimpleQueue::get_timeout) / [`get_until`](SimpleQueue::get_until), [`try_get`](SimpleQueue::try_get) |
/// | `qsize()`, `empty()` | [`qsize`](SimpleQueue::qsize), [`is_empty`](SimpleQueue::is_empty) |
///
/// # Differences from Python
///
/// The put methods return `Result<(), PutError<T>>` like those of the other
/// queues, so that code written for one queue reads the same for another,
/// but always `Ok`: a `SimpleQueue` is never full and never shut down. Its
/// [`iter`](SimpleQueue::iter) therefore never ends; it waits for the next
/// item.
///
/// # Memory ordering
///
/// Everything a thread does before it puts an item happens before
/// everything the thread that gets the item does after its get.
///
/// # Examples
///
/// ```
/// use bobbin_queue::SimpleQueue;
///
/// let q = SimpleQueue::new();
/// std::thread::scope(|s| {
///     s.spawn(|| {
///         for i in 0..100 {
///             q.put(i).unwrap();
///         }
///     });
///     let total: i32 = q.iter().take(100).sum();
///     assert_eq!(total, 4950);
/// });
/// assert!(q.is_empty());
/// ```
pub struct SimpleQueue<T> {
    core: Core<Fifo<T>, false>,
}

impl<T> SimpleQueue<T> {
    /// An empty queue (Python's `SimpleQueue()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_queue::SimpleQueue;
    ///
    /// let q: SimpleQueue<String> = SimpleQueue::new();
    /// assert_eq!(q.qsize(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        SimpleQueue {
            core: Core::new(Fifo::with_maxsize(0), 0),
        }
    }

    /// Adds `item` at the back of the queue (Python's `put(item)`); never
    /// blocks.
    ///
    /// # Memory ordering
    ///
    /// Everything this thread did before the put happens before everything
    /// the thread that gets the item does after its get.
    ///
    /// # Errors
    ///
    /// Never: the result is always `Ok` (see the
    /// [type's docs](SimpleQueue#differences-from-python)).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_queue::SimpleQueue;
    ///
    /// let q = SimpleQueue::new();
    /// q.put("a").unwrap();
    /// q.put("b").unwrap();
    /// assert_eq!(q.get(), Ok("a"));
    /// ```
    #[inline]
    pub fn put(&self, item: T) -> Result<(), crate::PutError<T>> {
        self.core.try_put(item)
    }

    /// The same as [`put`](SimpleQueue::put) (Python's `put_nowait(item)`):
    /// a `SimpleQueue` put never waits.
    ///
    /// # Errors
    ///
    /// Never.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_queue::SimpleQueue;
    ///
    /// let q = SimpleQueue::new();
    /// assert_eq!(q.try_put(1), Ok(()));
    /// ```
    #[doc(alias = "put_nowait")]
    #[inline]
    pub fn try_put(&self, item: T) -> Result<(), crate::PutError<T>> {
        self.core.try_put(item)
    }

    /// The same as [`put`](SimpleQueue::put): the timeout is accepted, as
    /// Python's `put(item, timeout=...)` accepts it, and ignored, since a
    /// `SimpleQueue` put never waits.
    ///
    /// # Errors
    ///
    /// Never.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_queue::SimpleQueue;
    /// use std::time::Duration;
    ///
    /// let q = SimpleQueue::new();
    /// assert_eq!(q.put_timeout(1, Duration::ZERO), Ok(()));
    /// assert_eq!(q.qsize(), 1);
    /// ```
    #[doc(alias = "put")]
    #[inline]
    pub fn put_timeout(
        &self,
        item: T,
        _timeout: std::time::Duration,
    ) -> Result<(), crate::PutError<T>> {
        self.core.try_put(item)
    }

    /// The same as [`put`](SimpleQueue::put): the deadline is accepted and
    /// ignored, since a `SimpleQueue` put never waits.
    ///
    /// # Errors
    ///
    /// Never.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_queue::SimpleQueue;
    /// use std::time::Instant;
    ///
    /// let q = SimpleQueue::new();
    /// assert_eq!(q.put_until(1, Instant::now()), Ok(()));
    /// assert_eq!(q.qsize(), 1);
    /// ```
    #[doc(alias = "put")]
    #[inline]
    pub fn put_until(
        &self,
        item: T,
        _deadline: std::time::Instant,
    ) -> Result<(), crate::PutError<T>> {
        self.core.try_put(item)
    }
}

get_methods!(SimpleQueue, "SimpleQueue::new()");

impl<T> Default for SimpleQueue<T> {
    /// An empty queue.
    fn default() -> Self {
        SimpleQueue::new()
    }
}

impl<T> core::fmt::Debug for SimpleQueue<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SimpleQueue")
            .field("qsize", &self.qsize())
            .finish_non_exhaustive()
    }
}
