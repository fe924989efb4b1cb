//! Python's worker loop, one producer and one consumer: `worker_bounded`,
//! `worker_unbounded`, `worker_lifo`, `worker_priority`.
//!
//! The consumer runs `item = q.get(); ...; q.task_done()` for every item and
//! the producer, once it has put them all, waits in `q.join()`; a sample
//! ends when both are done. The peers are the channels and monitor queues
//! of [`super::queue`] with what a Rust programmer adds to get `join`: an
//! `AtomicUsize` of unfinished items, raised before each send and lowered
//! after each receive, and a `Mutex`+`Condvar` the joiner waits on. The
//! same channels without the count are the plain rows
//! ([`Kind::Plain`](crate::harness::Kind::Plain)): bobbin's tracked get must
//! also stay near what an untracked one costs.

use super::queue::{
    BobbinQueue, CAPACITY, Channel, Crossbeam, Monitor, StdAsync, StdSync, capacity,
};
use crate::harness::{Impl, Scale, Workload, task, timed_tasks};
use crate::peers::{Pl, Std};
use bobbin_queue::{LifoQueue, PriorityQueue, Queue};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

const ABOUT: &str = "One producer puts 1..=n and then waits in join(); one consumer gets \
                     n items and calls task_done() after each (Python's worker loop); the \
                     sample ends when join returns. Peers: the same channel plus an \
                     AtomicUsize of unfinished items and a Mutex+Condvar for the joiner. \
                     Plain rows: the channel alone, without task_done or join.";

/// `get` + `task_done` through a bounded FIFO queue of 1024.
pub(crate) fn worker_bounded() -> Workload {
    Workload {
        name: "worker_bounded",
        op: "item",
        scale: Scale::Nanos,
        about: ABOUT,
        ops: 4_000_000,
        impls: vec![
            Impl::bobbin(
                "bobbin Queue::bounded",
                worker::<Tracked<Queue<u64>>, CAPACITY>,
            ),
            Impl::peer(
                "std sync_channel + task count",
                worker::<Counted<StdSync>, CAPACITY>,
            ),
            Impl::peer(
                "crossbeam-channel bounded + task count",
                worker::<Counted<Crossbeam>, CAPACITY>,
            ),
            Impl::plain("std sync_channel", worker::<Plain<StdSync>, CAPACITY>),
            Impl::plain(
                "crossbeam-channel bounded",
                worker::<Plain<Crossbeam>, CAPACITY>,
            ),
        ],
    }
}

/// `get` + `task_done` through an unbounded FIFO queue.
pub(crate) fn worker_unbounded() -> Workload {
    Workload {
        name: "worker_unbounded",
        op: "item",
        scale: Scale::Nanos,
        about: ABOUT,
        ops: 4_000_000,
        impls: vec![
            Impl::bobbin("bobbin Queue::unbounded", worker::<Tracked<Queue<u64>>, 0>),
            Impl::peer("std channel + task count", worker::<Counted<StdAsync>, 0>),
            Impl::peer(
                "crossbeam-channel unbounded + task count",
                worker::<Counted<Crossbeam>, 0>,
            ),
            Impl::plain("std channel", worker::<Plain<StdAsync>, 0>),
            Impl::plain("crossbeam-channel unbounded", worker::<Plain<Crossbeam>, 0>),
        ],
    }
}

/// `get` + `task_done` through an unbounded LIFO queue.
pub(crate) fn worker_lifo() -> Workload {
    type PlVec = Monitor<Pl, Vec<u64>>;
    type StdVec = Monitor<Std, Vec<u64>>;
    Workload {
        name: "worker_lifo",
        op: "item",
        scale: Scale::Nanos,
        about: ABOUT,
        ops: 2_000_000,
        impls: vec![
            Impl::bobbin("bobbin LifoQueue", worker::<Tracked<LifoQueue<u64>>, 0>),
            Impl::peer(
                "parking_lot Mutex<Vec>+Condvar + task count",
                worker::<Counted<PlVec>, 0>,
            ),
            Impl::peer(
                "std Mutex<Vec>+Condvar + task count",
                worker::<Counted<StdVec>, 0>,
            ),
            Impl::plain("parking_lot Mutex<Vec>+Condvar", worker::<Plain<PlVec>, 0>),
            Impl::plain("std Mutex<Vec>+Condvar", worker::<Plain<StdVec>, 0>),
        ],
    }
}

/// `get` + `task_done` through an unbounded priority queue.
pub(crate) fn worker_priority() -> Workload {
    type PlHeap = Monitor<Pl, BinaryHeap<Reverse<u64>>>;
    type StdHeap = Monitor<Std, BinaryHeap<Reverse<u64>>>;
    Workload {
        name: "worker_priority",
        op: "item",
        scale: Scale::Nanos,
        about: ABOUT,
        ops: 2_000_000,
        impls: vec![
            Impl::bobbin(
                "bobbin PriorityQueue",
                worker::<Tracked<PriorityQueue<u64>>, 0>,
            ),
            Impl::peer(
                "parking_lot Mutex<BinaryHeap>+Condvar + task count",
                worker::<Counted<PlHeap>, 0>,
            ),
            Impl::peer(
                "std Mutex<BinaryHeap>+Condvar + task count",
                worker::<Counted<StdHeap>, 0>,
            ),
            Impl::plain(
                "parking_lot Mutex<BinaryHeap>+Condvar",
                worker::<Plain<PlHeap>, 0>,
            ),
            Impl::plain("std Mutex<BinaryHeap>+Condvar", worker::<Plain<StdHeap>, 0>),
        ],
    }
}

/// A queue with Python's task tracking, seen from the worker loop.
trait Worker: 'static {
    /// The producing end.
    type Tx: Send;
    /// The consuming end.
    type Rx: Send;
    /// A queue holding at most `capacity` items, or any number for `None`.
    fn channel(capacity: Option<usize>) -> (Self::Tx, Self::Rx);
    /// Puts an item (a task), waiting while the queue is full.
    fn put(tx: &Self::Tx, item: u64);
    /// Gets an item and marks its task done.
    fn get_and_done(rx: &Self::Rx) -> u64;
    /// Waits until every task put is done.
    fn join(tx: &Self::Tx);
}

/// One of bobbin's tracked queues, shared by both ends.
struct Tracked<Q>(PhantomData<Q>);

/// What [`Tracked`] needs of a bobbin queue beyond [`BobbinQueue`].
trait TrackedQueue: BobbinQueue {
    /// `task_done`, which cannot fail here (one per item gotten).
    fn done(&self);
    /// `join`.
    fn join_all(&self);
}

/// `TrackedQueue` for queues with `task_done` and `join`.
macro_rules! tracked_queue {
    ($($Q:ident),*) => {$(
        impl TrackedQueue for $Q<u64> {
            #[inline]
            fn done(&self) {
                self.task_done().expect("one task_done per item gotten");
            }

            fn join_all(&self) {
                self.join();
            }
        }
    )*};
}

tracked_queue!(Queue, LifoQueue, PriorityQueue);

impl<Q: TrackedQueue> Worker for Tracked<Q> {
    type Tx = Arc<Q>;
    type Rx = Arc<Q>;

    fn channel(capacity: Option<usize>) -> (Self::Tx, Self::Rx) {
        let q = Arc::new(Q::create(capacity));
        (Arc::clone(&q), q)
    }

    #[inline]
    fn put(tx: &Self::Tx, item: u64) {
        tx.put_item(item);
    }

    #[inline]
    fn get_and_done(rx: &Self::Rx) -> u64 {
        let item = rx.get_item();
        rx.done();
        item
    }

    fn join(tx: &Self::Tx) {
        tx.join_all();
    }
}

/// The unfinished items of a peer, as a Rust programmer adds them to a
/// channel to get Python's `task_done` and `join`.
#[derive(Default)]
struct TaskCount {
    /// Items sent and not yet marked done.
    unfinished: AtomicUsize,
    /// What the joiner waits on.
    lock: Mutex<()>,
    /// Notified when `unfinished` reaches zero.
    all_done: Condvar,
}

impl TaskCount {
    /// One more unfinished item, counted before it is sent (the channel's
    /// send and receive carry the count to the consumer).
    #[inline]
    fn add(&self) {
        self.unfinished.fetch_add(1, Ordering::Relaxed);
    }

    /// One item done; the last one wakes the joiner. Under the lock, so that
    /// a joiner between its check and its wait cannot miss the notification.
    #[inline]
    fn done(&self) {
        let before = self.unfinished.fetch_sub(1, Ordering::AcqRel);
        assert!(
            before > 0,
            "task_done called more often than items were sent"
        );
        if before == 1 {
            drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()));
            self.all_done.notify_all();
        }
    }

    /// Waits until no item is unfinished.
    fn join(&self) {
        let mut guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        while self.unfinished.load(Ordering::Acquire) != 0 {
            guard = self.all_done.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// A peer channel with a [`TaskCount`] beside it.
struct Counted<C>(PhantomData<C>);

impl<C: Channel> Worker for Counted<C> {
    type Tx = (C::Tx, Arc<TaskCount>);
    type Rx = (C::Rx, Arc<TaskCount>);

    fn channel(capacity: Option<usize>) -> (Self::Tx, Self::Rx) {
        let (tx, rx) = C::channel(capacity);
        let tasks = Arc::new(TaskCount::default());
        ((tx, Arc::clone(&tasks)), (rx, tasks))
    }

    #[inline]
    fn put(tx: &Self::Tx, item: u64) {
        tx.1.add();
        C::send(&tx.0, item);
    }

    #[inline]
    fn get_and_done(rx: &Self::Rx) -> u64 {
        let item = C::recv(&rx.0);
        rx.1.done();
        item
    }

    fn join(tx: &Self::Tx) {
        tx.1.join();
    }
}

/// A peer channel alone: no task count, and `join` has nothing to wait for
/// once the consumer has received every item.
struct Plain<C>(PhantomData<C>);

impl<C: Channel> Worker for Plain<C> {
    type Tx = C::Tx;
    type Rx = C::Rx;

    fn channel(capacity: Option<usize>) -> (Self::Tx, Self::Rx) {
        C::channel(capacity)
    }

    #[inline]
    fn put(tx: &Self::Tx, item: u64) {
        C::send(tx, item);
    }

    #[inline]
    fn get_and_done(rx: &Self::Rx) -> u64 {
        C::recv(rx)
    }

    fn join(_: &Self::Tx) {}
}

fn worker<W: Worker, const CAP: usize>(ops: u64) -> Duration {
    let (tx, rx) = W::channel(capacity(CAP));
    let received = AtomicU64::new(0);
    let took = timed_tasks(vec![
        task(move || {
            for item in 1..=ops {
                W::put(&tx, item);
            }
            W::join(&tx);
        }),
        task(|| {
            let rx = rx;
            let mut sum = 0u64;
            for _ in 0..ops {
                sum += W::get_and_done(&rx);
            }
            received.store(sum, Ordering::Relaxed);
        }),
    ]);
    assert_eq!(
        received.into_inner(),
        ops * (ops + 1) / 2,
        "the sum received must equal the sum sent"
    );
    took
}
