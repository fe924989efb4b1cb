//! `PriorityQueue`: CPython 3.13's `test_queue.py` cases and the shared
//! suite (timeouts, tasks, shutdown, accounting, drops), smallest first and
//! stable, plus a model test against a stable priority queue.

#[macro_use]
mod common;

use bobbin_queue::PriorityQueue;
use common::Order;
use proptest::prelude::*;
use std::cmp::Reverse;

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

#[test]
fn equal_items_come_out_first_in_first_out() {
    // Items that compare equal but are told apart by a tag the ordering
    // ignores.
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

/// An item whose `Ord` panics when it meets the number 13.
#[derive(Debug)]
struct Touchy(u32);

impl Ord for Touchy {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        assert!(self.0 != 13 && other.0 != 13, "touchy");
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
