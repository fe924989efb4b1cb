//! `PriorityQueue`: CPython 3.13's `test_queue.py` cases and the shared
//! suite (timeouts, tasks, shutdown, accounting, drops), smallest first and
//! stable, a model test against a stable priority queue, and items whose
//! `Ord` panics in a put, a get or `shutdown_immediate` (no item lost, the
//! queue still works).

#[macro_use]
mod common;

use bobbin_queue::{GetError, PriorityQueue};
use common::Order;
use proptest::prelude::*;
use std::cmp::Reverse;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

tracked_suite!(PriorityQueue, Order::Priority);

#[test]
fn python_priority_tuples_come_out_by_priority_then_put_order() {
    let q = PriorityQueue::new(0);
    for (priority, name) in [(3, "c"), (1, "a"), (2, "b1"), (2, "b0"), (1, "a")] {
        q.put((priority, name)).unwrap();
    }
    let got: Vec<_> = q.try_iter().collect();
    assert_eq!(got, [(1, "a"), (1, "a"), (2, "b0"), (2, "b1"), (3, "c")]);
}

/// An item that compares by its priority alone, told apart from equal
/// items by a tag the ordering ignores.
#[derive(Debug)]
struct Job(u8, usize);

impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Job {}
impl PartialOrd for Job {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Job {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

#[test]
fn equal_items_come_out_first_in_first_out() {
    let q = PriorityQueue::new(0);
    for tag in 0..100 {
        q.put(Job((tag % 3) as u8, tag)).unwrap();
    }
    let got: Vec<(u8, usize)> = q.try_iter().map(|j| (j.0, j.1)).collect();
    let mut expected: Vec<(u8, usize)> = (0..100).map(|t| ((t % 3) as u8, t)).collect();
    expected.sort_by_key(|&(p, _)| p); // stable
    assert_eq!(got, expected);
}

#[test]
fn a_large_queue_with_gets_between_puts_keeps_priority_and_put_order() {
    // Enough items that the queue keeps older ones in sorted runs, which it
    // merges as they grow; every get is checked against the items held.
    let q = PriorityQueue::new(0);
    let mut held = std::collections::BTreeSet::new();
    let check = |job: Job, held: &mut std::collections::BTreeSet<(u8, usize)>| {
        assert_eq!(held.pop_first(), Some((job.0, job.1)));
    };
    let items: usize = if cfg!(miri) { 1_000 } else { 20_000 };
    for tag in 0..items {
        let priority = (tag.wrapping_mul(2_654_435_761) % 13) as u8;
        q.put(Job(priority, tag)).unwrap();
        held.insert((priority, tag));
        if tag % 3 == 0 {
            check(q.get().unwrap(), &mut held);
        }
    }
    assert_eq!(q.qsize(), held.len());
    for job in q.try_iter() {
        check(job, &mut held);
    }
    assert!(held.is_empty());
}

#[test]
fn reverse_gives_the_largest_first() {
    let q = PriorityQueue::new(0);
    for i in [2, 9, 4] {
        q.put(Reverse(i)).unwrap();
    }
    assert_eq!(q.get(), Ok(Reverse(9)));
}

proptest! {
    #![proptest_config(common::model_config("tests/priority_queue.proptest-regressions"))]

    #[test]
    fn agrees_with_a_model(maxsize in 0usize..5, ops in common::ops()) {
        common::check_model::<PriorityQueue<u8>>(Order::Priority, maxsize, &ops)?;
    }
}

std::thread_local! {
    /// When set, every comparison of a `Touchy` on this thread panics.
    static ARMED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// An item whose `Ord` panics when it meets the number 13, or while `ARMED`
/// is set on the comparing thread.
#[derive(Debug)]
struct Touchy(u32);

impl Ord for Touchy {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        assert!(self.0 != 13 && other.0 != 13 && !ARMED.get(), "touchy");
        self.0.cmp(&other.0)
    }
}
impl PartialOrd for Touchy {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Touchy {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Touchy {}

#[test]
fn a_panicking_ord_leaves_the_queue_consistent_and_shutdown_working() {
    let q = PriorityQueue::new(0);
    q.put(Touchy(1)).unwrap();
    let put = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| q.put(Touchy(13))));
    assert!(put.is_err(), "the panic reaches the caller");
    // The heap kept the item (std's BinaryHeap does), and the size and the
    // task count say so.
    assert_eq!(q.qsize(), 2);
    assert_eq!(q.unfinished_tasks(), 2);
    // The put ended: a shutdown does not wait for it forever.
    q.shutdown();
    let mut got: Vec<u32> = q.try_iter().map(|t| t.0).collect();
    got.sort_unstable();
    assert_eq!(got, [1, 13]);
    assert_eq!(q.get().map(|t| t.0), Err(bobbin_queue::GetError::ShutDown));
}

/// How many items the panic tests put: more than a `PriorityQueue` keeps
/// in its sorted buffer of newest items, and not a multiple of its size, so
/// that older items are in sorted runs and a get or a drain compares them
/// with the buffer's.
const MANY: u32 = 200;

/// `MANY` items that do not panic by themselves (none is 13).
fn calm() -> Vec<u32> {
    (100..100 + MANY).collect()
}

#[test]
fn a_get_whose_ord_panics_loses_no_item() {
    let q = PriorityQueue::new(0);
    for i in calm() {
        q.put(Touchy(i)).unwrap();
    }
    ARMED.set(true);
    let got = catch_unwind(AssertUnwindSafe(|| q.get()));
    ARMED.set(false);
    assert!(got.is_err(), "the panic reaches the caller");
    // Every item is still there exactly once, and the counts agree.
    assert_eq!(q.qsize(), MANY as usize);
    assert_eq!(q.unfinished_tasks(), MANY as usize);
    let mut left: Vec<u32> = q.try_iter().map(|t| t.0).collect();
    left.sort_unstable();
    assert_eq!(left, calm());
    // Later operations work, in order again.
    for i in [3, 1, 2] {
        q.put(Touchy(i)).unwrap();
    }
    let order: Vec<u32> = q.try_iter().map(|t| t.0).collect();
    assert_eq!(order, [1, 2, 3]);
    for _ in 0..MANY + 3 {
        q.task_done().unwrap();
    }
    assert!(q.join_timeout(Duration::ZERO));
}

#[test]
fn a_blocked_getter_is_unaffected_by_another_gets_panic() {
    let q = Arc::new(PriorityQueue::new(0));
    // Every item but the first, which comes after the panic.
    for &i in calm()[1..].iter().rev() {
        q.put(Touchy(i)).unwrap();
    }
    ARMED.set(true);
    assert!(catch_unwind(AssertUnwindSafe(|| q.get())).is_err());
    ARMED.set(false);
    // Another thread's gets (ARMED is per thread) see every item, and the
    // one put after the panic.
    let getter = {
        let q = Arc::clone(&q);
        std::thread::spawn(move || {
            let mut got: Vec<u32> = calm().iter().map(|_| q.get().unwrap().0).collect();
            got.sort_unstable();
            got
        })
    };
    q.put(Touchy(calm()[0])).unwrap();
    assert_eq!(getter.join().unwrap(), calm());
}

#[test]
fn a_panicking_ord_in_shutdown_immediate_still_shuts_down() {
    let q = Arc::new(PriorityQueue::new(MANY as usize));
    for i in calm() {
        q.put(Touchy(i)).unwrap();
    }
    // A putter on the full queue, which the shutdown must wake if it is
    // blocked, and fail either way.
    let putter = {
        let q = Arc::clone(&q);
        std::thread::spawn(move || q.put(Touchy(0)).map_err(|e| e.into_inner().0))
    };
    ARMED.set(true);
    let shut = catch_unwind(AssertUnwindSafe(|| q.shutdown_immediate()));
    ARMED.set(false);
    assert!(shut.is_err(), "the panic reaches the caller");
    // The shutdown completed: every item is out, every task finished, the
    // putter woken with its item, gets and joins end at once.
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.unfinished_tasks(), 0);
    assert!(q.join_timeout(Duration::ZERO));
    assert_eq!(q.get().map(|t| t.0), Err(GetError::ShutDown));
    assert_eq!(putter.join().unwrap(), Err(0));
}
