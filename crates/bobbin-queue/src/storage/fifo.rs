//! FIFO storage: crossbeam-queue's `ArrayQueue` (Vyukov's bounded MPMC
//! ring) when the queue is bounded and its ring is small enough to allocate
//! up front, and its `SegQueue` (an unbounded list of blocks) otherwise; a
//! bounded queue whose ring would be too large (`Queue::new(usize::MAX)`)
//! keeps a `SegQueue` and counts its slots itself.
//!
//! Under `--cfg bobbin_loom` crossbeam's atomics are invisible to the model
//! checker, so FIFO storage is a `VecDeque` under loom's mutex instead: the
//! models check the waiting, shutdown and task logic of the core around a
//! storage that is, like crossbeam's, linearizable. The core's handshakes
//! go through its own read-modify-writes and do not depend on how the
//! storage orders its own accesses (the core's docs argue them); what the
//! shutdown needs of the storage is that `len` counts a push once it has
//! claimed its slot, and that a pop of a claimed slot waits for its item.
//! Both crossbeam queues do that (`ArrayQueue` moves the tail, `SegQueue`
//! the tail index, before writing the item, and both pops wait for a
//! claimed slot to be written), and the model's push is one step.

use super::Storage;
#[cfg(not(bobbin_loom))]
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(bobbin_loom))]
use crossbeam_queue::{ArrayQueue, SegQueue};

/// The most memory a bounded FIFO queue allocates up front for its ring of
/// slots. A larger `maxsize` gets linked blocks that grow with the queue, so
/// `Queue::new(usize::MAX)` allocates nothing up front.
#[cfg(not(bobbin_loom))]
pub(crate) const MAX_RING_BYTES: usize = 1 << 22;

/// Whether a bounded FIFO queue of `maxsize` items of type `T` keeps them in
/// a ring allocated up front (an `ArrayQueue` slot is the item and a stamp).
#[cfg(not(bobbin_loom))]
fn ring_fits<T>(maxsize: usize) -> bool {
    let slot = size_of::<T>() + size_of::<usize>();
    maxsize
        .checked_mul(slot)
        .is_some_and(|bytes| bytes <= MAX_RING_BYTES)
}

/// FIFO storage: a ring, a list of blocks, or a list of blocks with a count
/// of its slots.
#[cfg(not(bobbin_loom))]
pub(crate) enum Fifo<T> {
    /// Bounded, preallocated (`ArrayQueue`, exactly `maxsize` slots).
    Ring(ArrayQueue<T>),
    /// Unbounded (`SegQueue`).
    List(SegQueue<T>),
    /// Bounded, but too large to preallocate.
    CountedList(CountedList<T>),
}

#[cfg(not(bobbin_loom))]
impl<T> Fifo<T> {
    /// FIFO storage for a queue of at most `maxsize` items (0: unbounded).
    pub(crate) fn new(maxsize: usize) -> Fifo<T> {
        if maxsize == 0 {
            Fifo::List(SegQueue::new())
        } else if ring_fits::<T>(maxsize) {
            Fifo::Ring(ArrayQueue::new(maxsize))
        } else {
            Fifo::CountedList(CountedList {
                items: SegQueue::new(),
                reserved: AtomicUsize::new(0),
                maxsize,
            })
        }
    }

    /// Which kind of storage this is.
    #[cfg(test)]
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Fifo::Ring(_) => "ring",
            Fifo::List(_) => "list",
            Fifo::CountedList(_) => "counted list",
        }
    }
}

#[cfg(not(bobbin_loom))]
impl<T> Storage for Fifo<T> {
    type Item = T;

    fn with_maxsize(maxsize: usize) -> Self {
        Fifo::new(maxsize)
    }

    #[inline]
    fn push(&self, item: T) -> Result<(), T> {
        match self {
            Fifo::Ring(ring) => ring.push(item),
            Fifo::List(list) => {
                list.push(item);
                Ok(())
            }
            Fifo::CountedList(list) => list.push(item),
        }
    }

    #[inline]
    fn pop(&self) -> Option<T> {
        match self {
            Fifo::Ring(ring) => ring.pop(),
            Fifo::List(list) => list.pop(),
            Fifo::CountedList(list) => list.pop(),
        }
    }

    #[inline]
    fn len(&self) -> usize {
        match self {
            Fifo::Ring(ring) => ring.len(),
            Fifo::List(list) => list.len(),
            Fifo::CountedList(list) => list.items.len(),
        }
    }

    #[inline]
    fn is_empty(&self) -> bool {
        match self {
            Fifo::Ring(ring) => ring.is_empty(),
            Fifo::List(list) => list.is_empty(),
            Fifo::CountedList(list) => list.items.is_empty(),
        }
    }

    #[inline]
    fn is_full(&self) -> bool {
        match self {
            Fifo::Ring(ring) => ring.is_full(),
            Fifo::List(_) => false,
            // `SeqCst`: the putters' handshake (see `Storage`).
            Fifo::CountedList(list) => list.reserved.load(Ordering::SeqCst) >= list.maxsize,
        }
    }
}

#[cfg(not(bobbin_loom))]
impl<T> Drop for Fifo<T> {
    /// Drops the items one by one, first in first: crossbeam's queues stop
    /// at an item whose `Drop` panics and leak every item after it (a
    /// `SegQueue` its blocks too). Here the rest are still dropped as the
    /// panic unwinds, as a `Vec` drops its elements (a second panic aborts).
    fn drop(&mut self) {
        if core::mem::needs_drop::<T>() {
            drop_each(self);
        }
    }
}

/// Pops and drops every item; if one's `Drop` panics, the guard drops the
/// rest while the panic unwinds.
#[cfg(not(bobbin_loom))]
fn drop_each<T>(fifo: &Fifo<T>) {
    struct Rest<'a, T>(&'a Fifo<T>);
    impl<T> Drop for Rest<'_, T> {
        fn drop(&mut self) {
            drop_each(self.0);
        }
    }
    while let Some(item) = fifo.pop() {
        let rest = Rest(fifo);
        drop(item);
        core::mem::forget(rest);
    }
}

/// A bounded FIFO too large to preallocate: a `SegQueue` and a count of the
/// slots taken.
///
/// A put reserves a slot (compare-and-swap below `maxsize`) before it
/// pushes, and a get frees one after it pops, so the list never holds more
/// than `maxsize` items. While a get is between its pop and its release a put
/// may still find the queue full; that get has not returned yet.
#[cfg(not(bobbin_loom))]
pub(crate) struct CountedList<T> {
    /// The items.
    items: SegQueue<T>,
    /// Slots reserved by puts and not yet freed by gets; at most `maxsize`.
    reserved: AtomicUsize,
    /// The bound.
    maxsize: usize,
}

#[cfg(not(bobbin_loom))]
impl<T> CountedList<T> {
    fn push(&self, item: T) -> Result<(), T> {
        let reserved = self
            .reserved
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n < self.maxsize).then_some(n + 1)
            });
        if reserved.is_err() {
            return Err(item);
        }
        self.items.push(item);
        Ok(())
    }

    fn pop(&self) -> Option<T> {
        let item = self.items.pop()?;
        // `SeqCst`: the slot it frees is what a putter's `is_full` reads
        // (see `Storage`).
        self.reserved.fetch_sub(1, Ordering::SeqCst);
        Some(item)
    }
}

/// FIFO storage under the model checker: a `VecDeque` under loom's mutex,
/// which loom sees, in place of crossbeam's queues, which it does not.
#[cfg(bobbin_loom)]
pub(crate) struct Fifo<T> {
    /// The items.
    items: bobbin_park::loom::sync::Mutex<std::collections::VecDeque<T>>,
    /// The bound, or 0 for none.
    maxsize: usize,
}

#[cfg(bobbin_loom)]
impl<T> Fifo<T> {
    /// FIFO storage for a queue of at most `maxsize` items (0: unbounded).
    pub(crate) fn new(maxsize: usize) -> Fifo<T> {
        Fifo {
            items: bobbin_park::loom::sync::Mutex::new(std::collections::VecDeque::new()),
            maxsize,
        }
    }

    fn items(&self) -> bobbin_park::loom::sync::MutexGuard<'_, std::collections::VecDeque<T>> {
        // Nothing panics while the mutex is held, so it is never poisoned.
        self.items
            .lock()
            .expect("the model storage's mutex is poisoned")
    }
}

#[cfg(bobbin_loom)]
impl<T> Storage for Fifo<T> {
    type Item = T;

    fn with_maxsize(maxsize: usize) -> Self {
        Fifo::new(maxsize)
    }

    fn push(&self, item: T) -> Result<(), T> {
        let mut items = self.items();
        if self.maxsize != 0 && items.len() >= self.maxsize {
            return Err(item);
        }
        items.push_back(item);
        Ok(())
    }

    fn pop(&self) -> Option<T> {
        self.items().pop_front()
    }

    fn len(&self) -> usize {
        self.items().len()
    }

    fn is_empty(&self) -> bool {
        self.items().is_empty()
    }

    fn is_full(&self) -> bool {
        self.maxsize != 0 && self.items().len() >= self.maxsize
    }
}

#[cfg(all(test, not(bobbin_loom)))]
mod tests {
    use super::*;

    #[test]
    fn small_bounds_get_a_ring_and_huge_ones_a_counted_list() {
        assert_eq!(Fifo::<u64>::new(0).kind(), "list");
        assert_eq!(Fifo::<u64>::new(1).kind(), "ring");
        assert_eq!(Fifo::<u64>::new(1000).kind(), "ring");
        assert_eq!(Fifo::<u64>::new(usize::MAX).kind(), "counted list");
        assert_eq!(Fifo::<[u8; 4096]>::new(100_000).kind(), "counted list");
        // At the limit exactly (asked of `ring_fits`, not allocated: a ring
        // of half a million slots takes minutes to build under Miri).
        assert!(ring_fits::<()>(MAX_RING_BYTES / 8));
        assert!(!ring_fits::<()>(MAX_RING_BYTES / 8 + 1));
    }

    #[test]
    fn a_counted_list_holds_at_most_maxsize_items() {
        let list = Fifo::CountedList(CountedList {
            items: SegQueue::new(),
            reserved: AtomicUsize::new(0),
            maxsize: 2,
        });
        assert_eq!(list.push(1), Ok(()));
        assert_eq!(list.push(2), Ok(()));
        assert!(list.is_full());
        assert_eq!(list.push(3), Err(3));
        assert_eq!(list.len(), 2);
        assert_eq!(list.pop(), Some(1));
        assert!(!list.is_full());
        assert_eq!(list.push(3), Ok(()));
        assert_eq!(list.pop(), Some(2));
        assert_eq!(list.pop(), Some(3));
        assert_eq!(list.pop(), None);
        assert!(list.is_empty());
    }
}
