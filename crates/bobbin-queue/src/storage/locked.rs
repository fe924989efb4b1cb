//! LIFO storage, a `Vec`, and priority storage, a 4-ary heap, which
//! [`LockedCore`](crate::locked_engine::LockedCore) keeps under bobbin-lock's
//! one-byte `Lock` (CPython's `LifoQueue` and `PriorityQueue` are a list and
//! a heap under the queue's mutex).

use super::Drained;
use core::any::Any;
use core::cell::Cell;
use std::cmp::Ordering as CmpOrdering;
use std::panic::{self, AssertUnwindSafe};

/// A collection that [`LockedCore`](crate::locked_engine::LockedCore)
/// keeps under its lock.
pub(crate) trait Collection: Default {
    /// The item type.
    type Item;

    /// Adds an item.
    fn add(&mut self, item: Self::Item);

    /// Takes the item the queue gives out next.
    fn take(&mut self) -> Option<Self::Item>;

    /// How many items it holds.
    fn count(&self) -> usize;

    /// Takes every item, in order (see [`Storage::drain`](super::Storage::drain)).
    fn take_all(&mut self) -> Drained<Self::Item> {
        Drained {
            items: core::iter::from_fn(|| self.take()).collect(),
            panic: None,
        }
    }
}

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

/// An item of a priority queue with the number of its put, which breaks ties
/// so that equal items come out in the order they went in.
struct Entry<T> {
    item: T,
    seq: u64,
}

std::thread_local! {
    /// Whether `CAUGHT` holds a panic: a flag without drop glue, so that
    /// the check after every heap operation is one plain thread-local load.
    static HAS_CAUGHT: Cell<bool> = const { Cell::new(false) };
    /// The first panic an item's `Ord` raised during this thread's current
    /// heap operation, caught so that the heap finishes the operation whole.
    static CAUGHT: Cell<Option<Box<dyn Any + Send>>> = const { Cell::new(None) };
}

/// Keeps the first panic of the current heap operation; later ones are the
/// same fault seen again.
#[cold]
#[inline(never)]
fn catch(payload: Box<dyn Any + Send>) {
    CAUGHT.with(|caught| {
        let first = caught.take().unwrap_or(payload);
        caught.set(Some(first));
    });
    HAS_CAUGHT.set(true);
}

/// Takes the panic caught during the heap operation that just ended.
#[inline]
fn take_caught() -> Option<Box<dyn Any + Send>> {
    if HAS_CAUGHT.get() {
        HAS_CAUGHT.set(false);
        CAUGHT.with(Cell::take)
    } else {
        None
    }
}

impl<T: Ord> Entry<T> {
    /// Whether this entry leaves the heap before `other`: the smaller item,
    /// and of equal items the earlier put.
    ///
    /// A panic in the items' `Ord` must not unwind through a sift: the
    /// entry being moved would be dropped with it, a lost item that would
    /// also leave its task unfinished forever. So the panic is caught here
    /// and the entries compare by put order instead (a consistent total
    /// order); the heap operation ends with every entry in place, and
    /// [`StableHeap`] then resumes the panic.
    #[inline]
    fn before(&self, other: &Self) -> bool {
        match panic::catch_unwind(AssertUnwindSafe(|| self.item.cmp(&other.item))) {
            Ok(CmpOrdering::Less) => true,
            Ok(CmpOrdering::Greater) => false,
            Ok(CmpOrdering::Equal) => self.seq < other.seq,
            Err(payload) => {
                catch(payload);
                self.seq < other.seq
            }
        }
    }
}

/// How many children each node of a [`StableHeap`] has (its pop's
/// tournament is written for four).
const ARITY: usize = 4;
const _: () = assert!(ARITY == 4);

/// Priority storage: a min-heap of entries, stable among equal items (first
/// in, first out), with four children per node rather than `BinaryHeap`'s
/// two.
///
/// An entry carries its put number beside its item, so it is twice the size
/// of a bare `u64`; a binary heap of them walks twice the memory a bare one
/// does, one level per cache line, and its pops cost twice as much once the
/// heap outgrows the cache (bobbin-bench's `priority_spsc`: 170 against 79
/// ns per item for `BinaryHeap<Reverse<u64>>`). Four children of 16 bytes
/// share about one cache line, and a pop walks half as many levels
/// (log4 n). An `Ord` that panics midway is caught (see
/// [`Entry::before`]), so every entry stays in the heap, never lost or
/// duplicated, and the operation then reports the panic.
pub(crate) struct StableHeap<T> {
    /// The heap: `entries[0]` leaves first; the children of node `i` are
    /// `ARITY * i + 1 ..= ARITY * i + ARITY`, none of which leaves before
    /// it.
    entries: Vec<Entry<T>>,
    next_seq: u64,
}

impl<T: Ord> Default for StableHeap<T> {
    fn default() -> Self {
        StableHeap {
            entries: Vec::new(),
            next_seq: 0,
        }
    }
}

impl<T: Ord> StableHeap<T> {
    /// Moves the entry at `i` up past every parent it leaves before.
    #[inline]
    fn sift_up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if !self.entries[i].before(&self.entries[parent]) {
                break;
            }
            self.entries.swap(i, parent);
            i = parent;
        }
    }
}

impl<T: Ord> Collection for StableHeap<T> {
    type Item = T;

    #[inline]
    fn add(&mut self, item: T) {
        if self.entries.is_empty() {
            self.next_seq = 0;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.entries.push(Entry { item, seq });
        self.sift_up(self.entries.len() - 1);
        // The item is in the heap; the put reports its `Ord`'s panic.
        if let Some(payload) = take_caught() {
            panic::resume_unwind(payload);
        }
    }

    #[inline]
    fn take(&mut self) -> Option<T> {
        let last = self.entries.pop()?;
        if self.entries.is_empty() {
            return Some(last.item);
        }
        let first = core::mem::replace(&mut self.entries[0], last);
        // Floyd's pop: walk the moved entry down along the children that
        // leave first, to the bottom, without comparing it on the way (it
        // came from the bottom, so it almost always belongs there), then
        // sift it up the few levels it may need.
        let mut i = 0;
        loop {
            let first_child = ARITY * i + 1;
            let Some(children) = self.entries.get(first_child..) else {
                break;
            };
            let min = if let Some(four) = children.first_chunk::<ARITY>() {
                // A node with all four children (every one but the last
                // few): a tournament of three comparisons on one bounds
                // check, rather than a loop that checks every index.
                let a = usize::from(four[1].before(&four[0]));
                let b = 2 + usize::from(four[3].before(&four[2]));
                if four[b].before(&four[a]) { b } else { a }
            } else if children.is_empty() {
                break;
            } else {
                let mut min = 0;
                for (child, entry) in children.iter().enumerate().skip(1) {
                    if entry.before(&children[min]) {
                        min = child;
                    }
                }
                min
            };
            self.entries.swap(i, first_child + min);
            i = first_child + min;
        }
        self.sift_up(i);
        if let Some(payload) = take_caught() {
            // The get reports its `Ord`'s panic, and the item it was about
            // to return goes back (a second panic while it does is the same
            // fault, and is dropped): nothing is lost.
            self.entries.push(first);
            self.sift_up(self.entries.len() - 1);
            drop(take_caught());
            panic::resume_unwind(payload);
        }
        Some(first.item)
    }

    #[inline]
    fn count(&self) -> usize {
        self.entries.len()
    }

    fn take_all(&mut self) -> Drained<T> {
        let mut entries = core::mem::take(&mut self.entries);
        self.next_seq = 0;
        // The entry that leaves first first. Comparisons whose `Ord` panics
        // fall back on the put order (see `Entry::before`); the sort may
        // then find the order inconsistent and panic itself, which leaves
        // every entry in the vector too.
        let sorted = panic::catch_unwind(AssertUnwindSafe(|| {
            entries.sort_by(|a, b| {
                if a.seq == b.seq {
                    CmpOrdering::Equal
                } else if a.before(b) {
                    CmpOrdering::Less
                } else {
                    CmpOrdering::Greater
                }
            });
        }));
        let caught = take_caught();
        Drained {
            items: entries.into_iter().map(|entry| entry.item).collect(),
            panic: caught.or(sorted.err()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An item ordered by its key alone, carrying its put number, so that
    /// equal items can be told apart.
    #[derive(Debug, Clone, Copy)]
    struct Tagged {
        key: u32,
        put: u32,
    }

    impl PartialEq for Tagged {
        fn eq(&self, other: &Self) -> bool {
            self.key == other.key
        }
    }

    impl Eq for Tagged {}

    impl PartialOrd for Tagged {
        fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
            Some(self.cmp(other))
        }
    }

    impl Ord for Tagged {
        fn cmp(&self, other: &Self) -> CmpOrdering {
            self.key.cmp(&other.key)
        }
    }

    #[test]
    fn the_four_ary_heap_pops_in_order_and_keeps_ties_in_put_order() {
        // Keys 0..8 in a scrambled order, with pops interleaved, in a heap
        // large enough to have several levels: every pop is the smallest
        // key, and among equal keys the earliest put.
        let mut heap = StableHeap::default();
        let mut lcg = 12_345u32;
        let mut held: Vec<(u32, u32)> = Vec::new();
        let check = |popped: Tagged, held: &mut Vec<(u32, u32)>| {
            let first = *held.iter().min().expect("the heap is not empty");
            assert_eq!((popped.key, popped.put), first);
            held.retain(|e| *e != first);
        };
        for put in 0..1000 {
            lcg = lcg.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let key = (lcg >> 16) % 8;
            heap.add(Tagged { key, put });
            held.push((key, put));
            if put % 7 == 0 {
                check(heap.take().unwrap(), &mut held);
            }
        }
        while let Some(popped) = heap.take() {
            check(popped, &mut held);
        }
        assert!(held.is_empty());
    }

    #[test]
    fn a_heap_restarts_its_numbering_when_empty() {
        let mut heap = StableHeap::default();
        heap.add(5);
        heap.add(6);
        assert_eq!(heap.take(), Some(5));
        assert_eq!(heap.take(), Some(6));
        heap.add(7);
        assert_eq!(heap.next_seq, 1);
    }
}
