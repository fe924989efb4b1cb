//! Items whose `Drop` panics, when the queue drops its items or when
//! `shutdown_immediate`'s items are dropped: every other item is dropped
//! exactly once, and the queue (and every other queue) is consistent and
//! still works afterwards. (Items whose `Ord` panics in a `PriorityQueue`
//! are in `tests/priority_queue.rs`.)

use bobbin_lock::Lock;
use bobbin_queue::{LifoQueue, PriorityQueue, Queue, SimpleQueue};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

/// An item that records its drop, and panics in it if told to.
struct Bomb {
    id: u32,
    explodes: bool,
    dropped: Arc<Lock<Vec<u32>>>,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        self.dropped.acquire().push(self.id);
        assert!(!self.explodes, "boom");
    }
}

/// Five bombs, the third of which explodes, and the record of their drops.
fn bombs() -> (Vec<Bomb>, Arc<Lock<Vec<u32>>>) {
    let dropped = Arc::new(Lock::new(Vec::new()));
    let bombs = (0..5)
        .map(|id| Bomb {
            id,
            explodes: id == 2,
            dropped: Arc::clone(&dropped),
        })
        .collect();
    (bombs, dropped)
}

/// Each item was dropped exactly once.
fn each_dropped_once(dropped: &Lock<Vec<u32>>) {
    let mut ids = dropped.acquire().clone();
    ids.sort_unstable();
    assert_eq!(ids, [0, 1, 2, 3, 4]);
}

impl PartialEq for Bomb {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for Bomb {}
impl PartialOrd for Bomb {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Bomb {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id.cmp(&other.id)
    }
}

/// Fills a queue made by `new` with the bombs through `put`, drops it, and
/// checks that the drop panicked and every bomb was dropped exactly once.
fn drop_full_queue<Q, E>(new: impl FnOnce() -> Q, put: impl Fn(&Q, Bomb) -> Result<(), E>) {
    let (items, dropped) = bombs();
    let q = new();
    for item in items {
        assert!(put(&q, item).is_ok());
    }
    assert!(catch_unwind(AssertUnwindSafe(|| drop(q))).is_err());
    each_dropped_once(&dropped);
}

#[test]
fn a_panicking_drop_in_a_dropped_queue_drops_every_other_item() {
    // Every kind of storage: a list, a ring, a counted list, a stack, a
    // heap, and SimpleQueue's list.
    for maxsize in [0, 8, usize::MAX] {
        drop_full_queue(|| Queue::new(maxsize), Queue::put);
    }
    drop_full_queue(|| LifoQueue::new(0), LifoQueue::put);
    drop_full_queue(|| PriorityQueue::new(0), PriorityQueue::put);
    drop_full_queue(SimpleQueue::new, SimpleQueue::put);
    // Other queues are unaffected.
    let q = Queue::new(2);
    q.put(1).unwrap();
    assert_eq!(q.get(), Ok(1));
}

#[test]
fn a_panicking_drop_of_shutdown_immediates_items_leaves_the_queue_shut_down() {
    let (items, dropped) = bombs();
    let q = Queue::new(0);
    for item in items {
        q.put(item).ok().unwrap();
    }
    let first = q.get().ok().unwrap();
    assert!(catch_unwind(AssertUnwindSafe(|| drop(q.shutdown_immediate()))).is_err());
    // The items returned were each dropped once; the one gotten before is
    // still the caller's.
    let mut ids = dropped.acquire().clone();
    ids.sort_unstable();
    assert_eq!(ids, [1, 2, 3, 4]);
    drop(first);
    each_dropped_once(&dropped);
    // The queue is shut down and consistent: the gotten item's task is still
    // open, and task_done closes it.
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.unfinished_tasks(), 1);
    assert!(q.get().is_err());
    q.task_done().unwrap();
    assert!(q.join_timeout(Duration::ZERO));
}
