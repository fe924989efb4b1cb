//! LIFO storage, a `Vec`, and priority storage, a `BinaryHeap`, each under
//! bobbin-lock's one-byte `Lock` (CPython's `LifoQueue` and `PriorityQueue`
//! are a list and a heap under the queue's mutex).
//!
//! Both are a [`Locked`] collection, which also keeps the collection's
//! length in an atomic, stored under the lock after every change, so that
//! `len`, `is_empty` and `is_full` (which the parking callbacks call) never
//! take the lock.

use super::Storage;
use bobbin_lock::Lock;
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;

/// A collection that [`Locked`] keeps under its lock.
pub(crate) trait Collection: Default {
    /// The item type.
    type Item;

    /// Adds an item.
    fn add(&mut self, item: Self::Item);

    /// Takes the item the queue gives out next.
    fn take(&mut self) -> Option<Self::Item>;

    /// How many items it holds.
    fn count(&self) -> usize;
}

/// A [`Collection`] under a `Lock`, with its length readable without the
/// lock.
pub(crate) struct Locked<C> {
    /// The items.
    items: Lock<C>,
    /// The collection's length, stored under the lock after every change.
    len: AtomicUsize,
    /// The bound, or 0 for none.
    maxsize: usize,
}

impl<C: Collection> Storage for Locked<C> {
    type Item = C::Item;

    fn with_maxsize(maxsize: usize) -> Self {
        Locked {
            items: Lock::new(C::default()),
            len: AtomicUsize::new(0),
            maxsize,
        }
    }

    #[inline]
    fn push(&self, item: C::Item) -> Result<(), C::Item> {
        let mut items = self.items.acquire();
        if self.maxsize != 0 && items.count() >= self.maxsize {
            return Err(item);
        }
        let items = Recount {
            items: &mut *items,
            len: &self.len,
        };
        items.items.add(item);
        Ok(())
    }

    #[inline]
    fn pop(&self) -> Option<C::Item> {
        let mut items = self.items.acquire();
        let items = Recount {
            items: &mut *items,
            len: &self.len,
        };
        items.items.take()
    }

    #[inline]
    fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    fn is_full(&self) -> bool {
        self.maxsize != 0 && self.len() >= self.maxsize
    }
}

/// Stores a locked collection's length when dropped, at the end of a push
/// or pop, also if an item's `Ord` panics in the middle of one.
struct Recount<'a, C: Collection> {
    items: &'a mut C,
    len: &'a AtomicUsize,
}

impl<C: Collection> Drop for Recount<'_, C> {
    #[inline]
    fn drop(&mut self) {
        self.len.store(self.items.count(), Ordering::Release);
    }
}

/// LIFO storage: a `Vec` pushed and popped at its end.
pub(crate) type Stack<T> = Locked<Vec<T>>;

impl<T> Collection for Vec<T> {
    type Item = T;

    #[inline]
    fn add(&mut self, item: T) {
        self.push(item);
    }

    #[inline]
    fn take(&mut self) -> Option<T> {
        self.pop()
    }

    #[inline]
    fn count(&self) -> usize {
        self.len()
    }
}

/// Priority storage: a binary heap, smallest item first and first in,
/// first out among equal items.
pub(crate) type Heap<T> = Locked<StableHeap<T>>;

/// An item of a priority queue with the number of its put, which breaks ties
/// so that equal items come out in the order they went in.
struct Entry<T> {
    item: T,
    seq: u64,
}

impl<T: Ord> Ord for Entry<T> {
    /// Reversed, since `BinaryHeap` pops the greatest: the smallest item,
    /// and among equal items the earliest, is the greatest entry.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        other
            .item
            .cmp(&self.item)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl<T: Ord> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

impl<T: Ord> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == CmpOrdering::Equal
    }
}

impl<T: Ord> Eq for Entry<T> {}

/// A binary heap of entries and the number its next put gets.
pub(crate) struct StableHeap<T> {
    heap: BinaryHeap<Entry<T>>,
    /// Restarts at 0 whenever the heap empties, so it never comes near
    /// overflow unless 2^64 items pass through without the heap ever being
    /// empty.
    next_seq: u64,
}

impl<T: Ord> Default for StableHeap<T> {
    fn default() -> Self {
        StableHeap {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }
}

impl<T: Ord> Collection for StableHeap<T> {
    type Item = T;

    #[inline]
    fn add(&mut self, item: T) {
        if self.heap.is_empty() {
            self.next_seq = 0;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { item, seq });
    }

    #[inline]
    fn take(&mut self) -> Option<T> {
        self.heap.pop().map(|entry| entry.item)
    }

    #[inline]
    fn count(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stack_pops_the_last_pushed_and_keeps_its_bound() {
        let stack = Stack::with_maxsize(2);
        assert_eq!(stack.push(1), Ok(()));
        assert_eq!(stack.push(2), Ok(()));
        assert!(stack.is_full());
        assert_eq!(stack.push(3), Err(3));
        assert_eq!(stack.len(), 2);
        assert_eq!(stack.pop(), Some(2));
        assert_eq!(stack.pop(), Some(1));
        assert_eq!(stack.pop(), None);
        assert!(stack.is_empty());
    }

    #[test]
    fn a_heap_restarts_its_numbering_when_empty() {
        let heap = Heap::with_maxsize(1);
        heap.push(5).unwrap();
        assert_eq!(heap.push(6), Err(6));
        assert_eq!(heap.pop(), Some(5));
        heap.push(7).unwrap();
        assert_eq!(heap.items.acquire().next_seq, 1);
    }
}
