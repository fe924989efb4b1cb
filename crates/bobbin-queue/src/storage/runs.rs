//! Priority storage: the newest puts in a short sorted buffer, and the
//! older items in sorted runs, merged as they grow (a log-structured merge).
//!
//! Stability comes from where items are, not from a number stored with
//! each: the buffer keeps equal items in put order, every run holds items
//! put before those of every later run (and of the buffer), and a merge of
//! two neighbouring runs keeps the older run's equal items first. So an item
//! is stored bare, 8 bytes for a `u64` where a heap of numbered entries
//! needs 16, and the merges walk memory in order (see `PriorityStore`).

use super::Drained;
use super::locked::Collection;
use core::any::Any;
use core::cell::Cell;
use core::cmp::Ordering as CmpOrdering;
use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};

/// How many of the newest items the buffer holds before they become a run:
/// enough that runs are seldom made, few enough that an insertion's shift
/// stays short.
const BUFFER: usize = 64;

std::thread_local! {
    /// Whether `CAUGHT` holds a panic: a flag without drop glue, so that
    /// the check after every storage operation is one plain thread-local load.
    static HAS_CAUGHT: Cell<bool> = const { Cell::new(false) };
    /// The first panic an item's `Ord` raised during this thread's current
    /// storage operation, caught so that the storage finishes the operation whole.
    static CAUGHT: Cell<Option<Box<dyn Any + Send>>> = const { Cell::new(None) };
}

/// Keeps the first panic of the current storage operation; later ones are the
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

/// Takes the panic caught during the storage operation that just ended.
#[inline]
fn take_caught() -> Option<Box<dyn Any + Send>> {
    if HAS_CAUGHT.get() {
        HAS_CAUGHT.set(false);
        CAUGHT.with(Cell::take)
    } else {
        None
    }
}

/// Whether `a` is smaller than `b` by the items' [`Ord`].
///
/// A panic in the comparison must not unwind through a merge or a pop,
/// which would drop the items they hold, so it is caught (the operation
/// reports it once every item is in place) and the answer is `false`: the
/// operation goes on with an arbitrary choice that keeps every item.
#[inline]
fn less<T: Ord>(a: &T, b: &T) -> bool {
    match panic::catch_unwind(AssertUnwindSafe(|| a.cmp(b))) {
        Ok(order) => order == CmpOrdering::Less,
        Err(payload) => {
            catch(payload);
            false
        }
    }
}

/// Merges two runs into one: `older`'s items were all put before
/// `newer`'s. Runs are in descending order, and of equal items the earlier
/// put is the later in the vector (the one `Vec::pop` takes first).
fn merge<T: Ord>(older: Vec<T>, newer: Vec<T>) -> Vec<T> {
    match (newer.last(), older.first()) {
        // Runs that do not overlap join end to end, with no comparison per
        // item: every item of `newer` is at least every item of `older`, so
        // `newer`'s come first, and equal items keep the older run's last.
        (Some(newer_smallest), Some(older_largest)) if !less(newer_smallest, older_largest) => {
            let mut out = newer;
            out.extend(older);
            return out;
        }
        (None, _) => return older,
        (_, None) => return newer,
        _ => {}
    }
    let mut out = Vec::with_capacity(older.len() + newer.len());
    let (mut older, mut newer) = (older.into_iter(), newer.into_iter());
    let (mut a, mut b) = (older.next(), newer.next());
    loop {
        match (a, b) {
            (Some(x), Some(y)) => {
                // The larger goes first; of equal items the newer run's, so
                // that the older one stays nearer the end and leaves first.
                if less(&y, &x) {
                    out.push(x);
                    (a, b) = (older.next(), Some(y));
                } else {
                    out.push(y);
                    (a, b) = (Some(x), newer.next());
                }
            }
            (Some(x), None) => {
                out.push(x);
                out.extend(older);
                return out;
            }
            (None, Some(y)) => {
                out.push(y);
                out.extend(newer);
                return out;
            }
            (None, None) => return out,
        }
    }
}

/// Priority storage: smallest item first, and of equal items the earliest
/// put (first in, first out).
///
/// The newest puts go into a buffer of at most [`BUFFER`] items kept
/// sorted, equal items in put order (an insertion searches and shifts the
/// shorter side of a `VecDeque`). When it is full its items become a *run*,
/// sorted largest first, and the two newest runs are merged while the older
/// is at most about twice the newer, so that the runs' lengths halve from
/// the oldest to the newest and there are at most about log2(n / `BUFFER`)
/// of them. A get takes the smallest of the buffer's first item and the
/// runs' last ones.
///
/// Costs, for n items: a put is a binary search of the buffer and a shift
/// of at most half of it, plus, amortised, one merge step per halving,
/// O(log n) in memory order (a flush's merges can take O(n) at once, as a
/// `Vec`'s growth does); a get compares the heads of at most O(log n) runs
/// and pops a `Vec` or a `VecDeque`.
///
/// An `Ord` that panics midway is caught (see [`less`]): every item stays
/// in the storage, never lost or duplicated, and the operation then reports
/// the panic. Items compared with a panic may afterwards come out of order.
pub(crate) struct PriorityStore<T> {
    /// The newest puts, smallest first, equal items in put order.
    newest: VecDeque<T>,
    /// The older items, oldest run first. Every run is non-empty and sorted
    /// largest first, with equal items in reverse put order (the earliest
    /// last, where `Vec::pop` takes it); every item of a run was put before
    /// every item of the later runs and of `newest`.
    runs: Vec<Vec<T>>,
    /// How many items `newest` and the runs hold.
    len: usize,
    /// How many items `newest` holds before it becomes a run.
    buffer: usize,
}

impl<T: Ord> Default for PriorityStore<T> {
    fn default() -> Self {
        PriorityStore {
            newest: VecDeque::new(),
            runs: Vec::new(),
            len: 0,
            buffer: BUFFER,
        }
    }
}

impl<T: Ord> PriorityStore<T> {
    /// Turns `newest` into the newest run, and merges the newest runs while
    /// the older of the two is at most about twice as long. A panic of the
    /// items' `Ord` is left for the caller's [`take_caught`].
    #[inline(never)]
    fn flush(&mut self) {
        // Smallest first, equal items in put order: reversed, a run.
        let run: Vec<T> = self.newest.drain(..).rev().collect();
        if !run.is_empty() {
            self.runs.push(run);
        }
        while let [.., older, newer] = self.runs.as_slice() {
            if older.len() / 2 > newer.len() {
                break;
            }
            let (Some(newer), Some(older)) = (self.runs.pop(), self.runs.pop()) else {
                break;
            };
            self.runs.push(merge(older, newer));
        }
    }

    /// The run whose last item leaves first among the runs': the smallest
    /// last item, and of equal ones the oldest run's.
    #[inline]
    fn first_run(&self) -> Option<(usize, &T)> {
        let mut first: Option<(usize, &T)> = None;
        for (k, run) in self.runs.iter().enumerate() {
            let Some(last) = run.last() else { continue };
            match first {
                Some((_, smallest)) if !less(last, smallest) => {}
                _ => first = Some((k, last)),
            }
        }
        first
    }
}

impl<T: Ord> Collection for PriorityStore<T> {
    type Item = T;

    #[inline]
    fn add(&mut self, item: T) {
        // After every item it does not come before: the smaller ones, and
        // the equal ones, which were put earlier.
        let at = self.newest.partition_point(|held| !less(&item, held));
        // The ends first: `insert` is not inlined.
        if at == self.newest.len() {
            self.newest.push_back(item);
        } else if at == 0 {
            self.newest.push_front(item);
        } else {
            self.newest.insert(at, item);
        }
        self.len += 1;
        if self.newest.len() >= self.buffer {
            self.flush();
        }
        // The item is in; the put reports its `Ord`'s panic.
        if let Some(payload) = take_caught() {
            panic::resume_unwind(payload);
        }
    }

    #[inline]
    fn take(&mut self) -> Option<T> {
        // A run's item was put before any of the buffer's: ties go to it.
        let run = self.first_run().map(|(k, last)| {
            (
                k,
                self.newest.front().is_none_or(|first| !less(first, last)),
            )
        });
        if let Some(payload) = take_caught() {
            // Nothing is taken yet; the get reports the panic.
            panic::resume_unwind(payload);
        }
        let item = match run {
            Some((k, true)) => {
                let item = self.runs[k].pop();
                if self.runs[k].is_empty() {
                    self.runs.remove(k);
                }
                item
            }
            _ => self.newest.pop_front(),
        };
        if item.is_some() {
            self.len -= 1;
        }
        item
    }

    #[inline]
    fn count(&self) -> usize {
        self.len
    }

    fn take_all(&mut self) -> Drained<T> {
        let mut runs = core::mem::take(&mut self.runs);
        let newest: Vec<T> = self.newest.drain(..).rev().collect();
        self.len = 0;
        if !newest.is_empty() {
            runs.push(newest);
        }
        // Merge neighbours, round after round, down to one run.
        while runs.len() > 1 {
            let mut merged = Vec::with_capacity(runs.len().div_ceil(2));
            let mut pairs = runs.into_iter();
            while let Some(older) = pairs.next() {
                merged.push(match pairs.next() {
                    Some(newer) => merge(older, newer),
                    None => older,
                });
            }
            runs = merged;
        }
        let mut items = runs.pop().unwrap_or_default();
        items.reverse();
        Drained {
            items,
            panic: take_caught(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;

    std::thread_local! {
        /// When set, every comparison of a [`Tagged`] on this thread panics.
        static ARMED: Cell<bool> = const { Cell::new(false) };
    }

    /// An item ordered by its key alone, carrying its put number, so that
    /// equal items can be told apart.
    #[derive(Debug, Clone, Copy)]
    struct Tagged {
        key: u32,
        put: u32,
    }

    impl PartialEq for Tagged {
        fn eq(&self, other: &Self) -> bool {
            self.cmp(other) == CmpOrdering::Equal
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
            assert!(!ARMED.get(), "armed");
            self.key.cmp(&other.key)
        }
    }

    fn store(buffer: usize) -> PriorityStore<Tagged> {
        PriorityStore {
            buffer,
            ..PriorityStore::default()
        }
    }

    /// A pseudo-random sequence (a linear congruential generator).
    fn lcg(state: &mut u32) -> u32 {
        *state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        *state >> 16
    }

    /// Checks that `popped` is the smallest held key, of equal keys the
    /// earliest put, and forgets it.
    fn check(popped: Tagged, held: &mut Vec<(u32, u32)>) {
        let first = *held.iter().min().expect("the store is not empty");
        assert_eq!((popped.key, popped.put), first);
        held.retain(|e| *e != first);
    }

    #[test]
    fn gets_come_out_smallest_first_and_equal_items_in_put_order() {
        // Fewer under Miri, as the crate's other long tests.
        const PUTS: u32 = if cfg!(miri) { 300 } else { 5000 };
        // Few distinct keys (many ties), puts outrunning gets so that runs
        // form and merge, for several buffer sizes; every get is checked
        // against the items held, and so is the count.
        for buffer in [1, 2, 3, 8, BUFFER] {
            for keys in [4, 1000] {
                let mut s = store(buffer);
                let mut rng = 7;
                let mut held = Vec::new();
                let mut most_runs = 0;
                for put in 0..PUTS {
                    let key = lcg(&mut rng) % keys;
                    s.add(Tagged { key, put });
                    held.push((key, put));
                    if lcg(&mut rng).is_multiple_of(3) {
                        check(s.take().unwrap(), &mut held);
                    }
                    assert_eq!(s.count(), held.len());
                    most_runs = most_runs.max(s.runs.len());
                }
                assert!(most_runs > 1 || buffer == BUFFER, "runs formed");
                while let Some(popped) = s.take() {
                    check(popped, &mut held);
                }
                assert!(held.is_empty());
                assert_eq!(s.count(), 0);
            }
        }
    }

    #[test]
    fn increasing_and_decreasing_puts_come_out_in_order() {
        for buffer in [1, 4, BUFFER] {
            let mut s = store(buffer);
            for put in 0..1000 {
                s.add(Tagged { key: put, put });
            }
            for put in 0..1000 {
                s.add(Tagged {
                    key: 1999 - put,
                    put: 1000 + put,
                });
            }
            let keys: Vec<u32> = core::iter::from_fn(|| s.take()).map(|t| t.key).collect();
            assert_eq!(keys, (0..2000).collect::<Vec<_>>());
        }
    }

    #[test]
    fn take_all_gives_every_item_in_order() {
        let mut s = store(4);
        let mut rng = 11;
        let mut held = Vec::new();
        for put in 0..777 {
            let key = lcg(&mut rng) % 9;
            s.add(Tagged { key, put });
            held.push((key, put));
        }
        assert!(s.runs.len() > 1, "runs formed");
        let drained = s.take_all();
        assert!(drained.panic.is_none());
        held.sort_unstable();
        let got: Vec<(u32, u32)> = drained.items.iter().map(|t| (t.key, t.put)).collect();
        assert_eq!(got, held);
        assert_eq!(s.count(), 0);
        assert!(s.take().is_none());
    }

    #[test]
    fn a_put_whose_flush_panics_loses_no_item() {
        // A buffer of one: every put is flushed at once, into a run that
        // the flush merges with the others.
        let mut s = store(1);
        for put in 0..5 {
            s.add(Tagged { key: 5 - put, put });
        }
        // Runs of 4 and 1: the next put's run merges with the second.
        let lens: Vec<usize> = s.runs.iter().map(Vec::len).collect();
        assert_eq!(lens, [4, 1]);
        // Every comparison of the put's merges panics.
        ARMED.set(true);
        let put = panic::catch_unwind(AssertUnwindSafe(|| s.add(Tagged { key: 0, put: 5 })));
        ARMED.set(false);
        assert!(put.is_err(), "the put reports the panic");
        assert_eq!(s.count(), 6);
        let drained = s.take_all();
        let mut puts: Vec<u32> = drained.items.iter().map(|t| t.put).collect();
        puts.sort_unstable();
        assert_eq!(puts, (0..6).collect::<Vec<_>>());
        // The store works, in order, afterwards.
        for key in [3, 1, 2] {
            s.add(Tagged { key, put: key });
        }
        let keys: Vec<u32> = core::iter::from_fn(|| s.take()).map(|t| t.key).collect();
        assert_eq!(keys, [1, 2, 3]);
    }

    #[test]
    fn a_get_or_a_drain_whose_ord_panics_loses_no_item() {
        // A run [3, 1] and the buffer's 2: the get compares the two.
        let mut s = store(2);
        for key in [3, 1, 2] {
            s.add(Tagged { key, put: key });
        }
        assert_eq!((s.runs.len(), s.newest.len()), (1, 1));
        ARMED.set(true);
        let got = panic::catch_unwind(AssertUnwindSafe(|| s.take()));
        ARMED.set(false);
        assert!(got.is_err(), "the get reports the panic");
        assert_eq!(s.count(), 3, "the get took nothing");
        // The drain merges the run with the buffer's item.
        ARMED.set(true);
        let drained = s.take_all();
        ARMED.set(false);
        assert!(drained.panic.is_some(), "the drain reports the panic");
        let mut keys: Vec<u32> = drained.items.iter().map(|t| t.key).collect();
        keys.sort_unstable();
        assert_eq!(keys, [1, 2, 3]);
        assert_eq!(s.count(), 0);
    }
}
