//! Iterating over a queue: [`Iter`] gets until the queue is shut down and
//! drained, [`TryIter`] takes what is there now.

use core::fmt;

pub(crate) mod sealed {
    /// A queue the iterators can take items from.
    pub trait Source {
        /// The item type.
        type Item;

        /// The next item, waiting for one; `None` once the queue is shut
        /// down and drained.
        fn next_blocking(&self) -> Option<Self::Item>;

        /// The next item if there is one now.
        fn next_now(&self) -> Option<Self::Item>;
    }
}

/// A blocking iterator over the items of a queue, made by `iter()` (or by
/// iterating over `&queue`): each step is a [`get`](crate::Queue::get), and
/// the iteration ends when the queue is shut down and has no item left.
///
/// A queue that is never shut down (a [`SimpleQueue`](crate::SimpleQueue) is
/// never) makes an iterator that never ends: it waits for the next item.
///
/// # Examples
///
/// ```
/// use bobbin_queue::Queue;
///
/// let q = Queue::new(0);
/// std::thread::scope(|s| {
///     s.spawn(|| {
///         for i in 0..3 {
///             q.put(i).unwrap();
///         }
///         q.shutdown();
///     });
///     let got: Vec<i32> = q.iter().collect();
///     assert_eq!(got, [0, 1, 2]);
/// });
/// ```
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Iter<'a, Q> {
    queue: &'a Q,
}

impl<'a, Q> Iter<'a, Q> {
    pub(crate) fn new(queue: &'a Q) -> Self {
        Iter { queue }
    }
}

impl<Q: sealed::Source> Iterator for Iter<'_, Q> {
    type Item = Q::Item;

    #[inline]
    fn next(&mut self) -> Option<Q::Item> {
        self.queue.next_blocking()
    }
}

impl<Q> fmt::Debug for Iter<'_, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").finish_non_exhaustive()
    }
}

/// A non-blocking iterator over the items of a queue, made by `try_iter()`:
/// each step is a [`try_get`](crate::Queue::try_get), and the iteration ends
/// as soon as the queue is empty (or shut down).
///
/// # Examples
///
/// ```
/// use bobbin_queue::Queue;
///
/// let q = Queue::new(0);
/// q.put(1).unwrap();
/// q.put(2).unwrap();
/// assert_eq!(q.try_iter().collect::<Vec<_>>(), [1, 2]);
/// assert_eq!(q.try_iter().next(), None);
/// ```
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct TryIter<'a, Q> {
    queue: &'a Q,
}

impl<'a, Q> TryIter<'a, Q> {
    pub(crate) fn new(queue: &'a Q) -> Self {
        TryIter { queue }
    }
}

impl<Q: sealed::Source> Iterator for TryIter<'_, Q> {
    type Item = Q::Item;

    #[inline]
    fn next(&mut self) -> Option<Q::Item> {
        self.queue.next_now()
    }
}

impl<Q> fmt::Debug for TryIter<'_, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryIter").finish_non_exhaustive()
    }
}
