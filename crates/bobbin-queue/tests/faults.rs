//! Faults in the items a queue holds: an `Ord` that panics in a
//! `PriorityQueue`'s get, and a `Drop` that panics when the queue drops its
//! items or when `shutdown_immediate`'s items are dropped. Each shows that no
//! item is lost or duplicated and that the queue (and every other queue)
//! still works afterwards.

use bobbin_lock::Lock;
use bobbin_queue::{GetError, LifoQueue, PriorityQueue, Queue, SimpleQueue};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

thread_local! {
    /// When set, every comparison of a `Touchy` panics.
    static ARMED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// An item whose `Ord` panics while `ARMED` is set on the comparing thread.
#[derive(Debug)]
struct Touchy(u32);

impl Ord for Touchy {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        assert!(!ARMED.get(), "touchy");
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
fn a_get_whose_ord_panics_loses_no_item() {
    let q = PriorityQueue::new(0);
    for i in 1..=5 {
        q.put(Touchy(i)).unwrap();
    }
    ARMED.set(true);
    let got = catch_unwind(AssertUnwindSafe(|| q.get()));
    ARMED.set(false);
    assert!(got.is_err(), "the panic reaches the caller");
    // Every item is still there exactly once, and the counts agree.
    assert_eq!(q.qsize(), 5);
    assert_eq!(q.unfinished_tasks(), 5);
    let mut left: Vec<u32> = q.try_iter().map(|t| t.0).collect();
    left.sort_unstable();
    assert_eq!(left, [1, 2, 3, 4, 5]);
    // Later operations work, in order again.
    for i in [3, 1, 2] {
        q.put(Touchy(i)).unwrap();
    }
    let order: Vec<u32> = q.try_iter().map(|t| t.0).collect();
    assert_eq!(order, [1, 2, 3]);
    for _ in 0..8 {
        q.task_done().unwrap();
    }
    assert!(q.join_timeout(Duration::ZERO));
}

#[test]
fn a_blocked_getter_is_unaffected_by_another_gets_panic() {
    let q = Arc::new(PriorityQueue::new(0));
    for i in [2, 1, 4] {
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
            let mut got: Vec<u32> = (0..4).map(|_| q.get().unwrap().0).collect();
            got.sort_unstable();
            got
        })
    };
    q.put(Touchy(3)).unwrap();
    assert_eq!(getter.join().unwrap(), [1, 2, 3, 4]);
}

#[test]
fn a_panicking_ord_in_shutdown_immediate_still_shuts_down() {
    let q = Arc::new(PriorityQueue::new(3));
    for i in [5, 4, 6] {
        q.put(Touchy(i)).unwrap();
    }
    // A putter blocked on the full queue, which the shutdown must wake.
    let putter = {
        let q = Arc::clone(&q);
        std::thread::spawn(move || q.put(Touchy(7)).map_err(|e| e.into_inner().0))
    };
    while q.qsize() < 3 {
        bobbin_park::thread::yield_now();
    }
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
    assert_eq!(putter.join().unwrap(), Err(7));
}

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

#[test]
fn a_panicking_drop_in_a_dropped_queue_drops_every_other_item() {
    // Every kind of storage: a ring, a list, a counted list, a stack, a heap.
    for maxsize in [0, 8, usize::MAX] {
        let (items, dropped) = bombs();
        let q = Queue::new(maxsize);
        for item in items {
            q.put(item).ok().unwrap();
        }
        assert!(catch_unwind(AssertUnwindSafe(|| drop(q))).is_err());
        each_dropped_once(&dropped);
    }
    let (items, dropped) = bombs();
    let q = LifoQueue::new(0);
    for item in items {
        q.put(item).ok().unwrap();
    }
    assert!(catch_unwind(AssertUnwindSafe(|| drop(q))).is_err());
    each_dropped_once(&dropped);

    let (items, dropped) = bombs();
    let q = PriorityQueue::new(0);
    for item in items {
        q.put(item).ok().unwrap();
    }
    assert!(catch_unwind(AssertUnwindSafe(|| drop(q))).is_err());
    each_dropped_once(&dropped);

    let (items, dropped) = bombs();
    let q = SimpleQueue::new();
    for item in items {
        q.put(item).ok().unwrap();
    }
    assert!(catch_unwind(AssertUnwindSafe(|| drop(q))).is_err());
    each_dropped_once(&dropped);

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
