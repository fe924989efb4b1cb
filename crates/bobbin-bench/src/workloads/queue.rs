//! The queue workloads: `queue_spsc_bounded`, `queue_mpmc_2p2c`,
//! `queue_spsc_unbounded`, `lifo_spsc`, `priority_spsc`.

use crate::harness::{Impl, Scale, Workload, share, task, timed_tasks};
use crate::peers::{MonitorQueue, Pl, StableHeap, Std, Store, Sys};
use bobbin_queue::{LifoQueue, PriorityQueue, Queue, SimpleQueue};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The capacity of the bounded queues, as issue 8 asks.
pub(super) const CAPACITY: usize = 1024;

/// One producer, one consumer, a queue of 1024.
pub(crate) fn queue_spsc_bounded() -> Workload {
    Workload {
        name: "queue_spsc_bounded",
        op: "item",
        scale: Scale::Nanos,
        about: "One producer puts 1..=n into a queue of capacity 1024; one consumer \
                gets n items; the sum received must equal the sum sent.",
        ops: 4_000_000,
        impls: vec![
            Impl::bobbin(
                "bobbin Queue::bounded",
                spsc::<Bobbin<Queue<u64>>, CAPACITY>,
            ),
            Impl::peer("crossbeam-channel bounded", spsc::<Crossbeam, CAPACITY>),
            Impl::peer("std sync_channel", spsc::<StdSync, CAPACITY>),
            Impl::peer("flume bounded", spsc::<Flume, CAPACITY>),
            Impl::peer(
                "std Mutex<VecDeque>+2 Condvars",
                spsc::<Monitor<Std, VecDeque<u64>>, CAPACITY>,
            ),
            Impl::peer(
                "parking_lot Mutex<VecDeque>+2 Condvars",
                spsc::<Monitor<Pl, VecDeque<u64>>, CAPACITY>,
            ),
        ],
    }
}

/// Two producers, two consumers, a queue of 1024.
pub(crate) fn queue_mpmc_2p2c() -> Workload {
    Workload {
        name: "queue_mpmc_2p2c",
        op: "item",
        scale: Scale::Nanos,
        about: "Two producers put their shares of n distinct items into a queue of \
                capacity 1024; two consumers get their shares; the sum received must \
                equal the sum sent.",
        ops: 2_000_000,
        impls: vec![
            Impl::bobbin("bobbin Queue::bounded", mpmc::<Bobbin<Queue<u64>>>),
            Impl::peer("crossbeam-channel bounded", mpmc::<Crossbeam>),
            Impl::peer("flume bounded", mpmc::<Flume>),
            Impl::peer(
                "std Mutex<VecDeque>+2 Condvars",
                mpmc::<Monitor<Std, VecDeque<u64>>>,
            ),
            Impl::peer(
                "parking_lot Mutex<VecDeque>+2 Condvars",
                mpmc::<Monitor<Pl, VecDeque<u64>>>,
            ),
        ],
    }
}

/// One producer, one consumer, an unbounded queue.
pub(crate) fn queue_spsc_unbounded() -> Workload {
    Workload {
        name: "queue_spsc_unbounded",
        op: "item",
        scale: Scale::Nanos,
        about: "One producer puts 1..=n into an unbounded queue; one consumer gets n \
                items; the sum received must equal the sum sent.",
        ops: 4_000_000,
        impls: vec![
            Impl::bobbin("bobbin Queue::unbounded", spsc::<Bobbin<Queue<u64>>, 0>)
                .vs_python("queue.Queue"),
            Impl::bobbin("bobbin SimpleQueue", spsc::<Bobbin<SimpleQueue<u64>>, 0>)
                .vs_python("queue.SimpleQueue"),
            Impl::peer("crossbeam-channel unbounded", spsc::<Crossbeam, 0>),
            Impl::peer("std channel", spsc::<StdAsync, 0>),
            Impl::peer("flume unbounded", spsc::<Flume, 0>),
        ],
    }
}

/// One producer, one consumer, an unbounded stack.
pub(crate) fn lifo_spsc() -> Workload {
    Workload {
        name: "lifo_spsc",
        op: "item",
        scale: Scale::Nanos,
        about: "One producer pushes 1..=n onto an unbounded LIFO queue; one consumer \
                pops n items; the sum received must equal the sum sent.",
        ops: 2_000_000,
        impls: vec![
            Impl::bobbin("bobbin LifoQueue", spsc::<Bobbin<LifoQueue<u64>>, 0>),
            Impl::peer("std Mutex<Vec>+Condvar", spsc::<Monitor<Std, Vec<u64>>, 0>),
            Impl::peer(
                "parking_lot Mutex<Vec>+Condvar",
                spsc::<Monitor<Pl, Vec<u64>>, 0>,
            ),
        ],
    }
}

/// One producer, one consumer, an unbounded priority queue.
pub(crate) fn priority_spsc() -> Workload {
    Workload {
        name: "priority_spsc",
        op: "item",
        scale: Scale::Nanos,
        about: "One producer puts 1..=n into an unbounded priority queue (smallest \
                first); one consumer gets n items; the sum received must equal the \
                sum sent. The reference keeps equal items in put order, as bobbin's \
                PriorityQueue does and BinaryHeap does not, by a put number in every \
                entry.",
        ops: 2_000_000,
        impls: vec![
            Impl::bobbin(
                "bobbin PriorityQueue",
                spsc::<Bobbin<PriorityQueue<u64>>, 0>,
            ),
            Impl::peer(
                "std Mutex<BinaryHeap>+Condvar",
                spsc::<Monitor<Std, BinaryHeap<Reverse<u64>>>, 0>,
            ),
            Impl::peer(
                "parking_lot Mutex<BinaryHeap>+Condvar",
                spsc::<Monitor<Pl, BinaryHeap<Reverse<u64>>>, 0>,
            ),
            Impl::reference(
                "parking_lot Mutex<BinaryHeap<(item, put)>>+Condvar, FIFO among equals",
                spsc::<Monitor<Pl, StableHeap<u64>>, 0>,
            ),
        ],
    }
}

/// A queue seen as a channel: how to make one, and its two ends.
pub(super) trait Channel: 'static {
    /// The producing end.
    type Tx: Send;
    /// The consuming end.
    type Rx: Send;
    /// A queue holding at most `capacity` items, or any number for `None`.
    fn channel(capacity: Option<usize>) -> (Self::Tx, Self::Rx);
    /// Puts an item, waiting while the queue is full.
    fn send(tx: &Self::Tx, item: u64);
    /// Gets an item, waiting while the queue is empty.
    fn recv(rx: &Self::Rx) -> u64;
}

/// A [`Channel`] for a channel crate's `Sender`/`Receiver` pair, whose
/// `send` and `recv` fail only when the other side is gone.
macro_rules! channel {
    ($(#[$doc:meta])* $name:ident, $tx:ty, $rx:ty, |$capacity:ident| $make:expr) => {
        $(#[$doc])*
        pub(super) enum $name {}

        impl Channel for $name {
            type Tx = $tx;
            type Rx = $rx;

            fn channel($capacity: Option<usize>) -> (Self::Tx, Self::Rx) {
                $make
            }

            #[inline]
            fn send(tx: &Self::Tx, item: u64) {
                tx.send(item).expect("the receiver outlives the senders");
            }

            #[inline]
            fn recv(rx: &Self::Rx) -> u64 {
                rx.recv()
                    .expect("a sender is alive until its items are sent")
            }
        }
    };
}

channel!(
    /// crossbeam-channel's `bounded` and `unbounded`.
    Crossbeam,
    crossbeam_channel::Sender<u64>,
    crossbeam_channel::Receiver<u64>,
    |capacity| match capacity {
        Some(n) => crossbeam_channel::bounded(n),
        None => crossbeam_channel::unbounded(),
    }
);

channel!(
    /// flume's `bounded` and `unbounded`.
    Flume,
    flume::Sender<u64>,
    flume::Receiver<u64>,
    |capacity| match capacity {
        Some(n) => flume::bounded(n),
        None => flume::unbounded(),
    }
);

channel!(
    /// std's `sync_channel` (bounded).
    StdSync,
    std::sync::mpsc::SyncSender<u64>,
    std::sync::mpsc::Receiver<u64>,
    |capacity| std::sync::mpsc::sync_channel(capacity.expect("sync_channel is bounded"))
);

channel!(
    /// std's `channel` (unbounded).
    StdAsync,
    std::sync::mpsc::Sender<u64>,
    std::sync::mpsc::Receiver<u64>,
    |capacity| {
        assert!(capacity.is_none(), "channel is unbounded");
        std::sync::mpsc::channel()
    }
);

/// One of bobbin's queues, shared by both ends.
pub(super) struct Bobbin<Q>(PhantomData<Q>);

/// What [`Bobbin`] needs of a bobbin queue.
pub(super) trait BobbinQueue: Send + Sync + 'static {
    /// A queue holding at most `capacity` items, or any number for `None`.
    fn create(capacity: Option<usize>) -> Self;
    /// `put`, which cannot fail here (no shutdown).
    fn put_item(&self, item: u64);
    /// `get`, which cannot fail here (no shutdown).
    fn get_item(&self) -> u64;
}

/// `BobbinQueue` for a queue with `bounded`, `unbounded`, `put` and `get`.
macro_rules! bobbin_queue {
    ($($Q:ident),*) => {$(
        impl BobbinQueue for $Q<u64> {
            fn create(capacity: Option<usize>) -> Self {
                match capacity {
                    Some(n) => $Q::bounded(n),
                    None => $Q::unbounded(),
                }
            }

            #[inline]
            fn put_item(&self, item: u64) {
                self.put(item).expect("the queue is not shut down");
            }

            #[inline]
            fn get_item(&self) -> u64 {
                self.get().expect("the queue is not shut down")
            }
        }
    )*};
}

bobbin_queue!(Queue, LifoQueue, PriorityQueue);

impl BobbinQueue for SimpleQueue<u64> {
    fn create(capacity: Option<usize>) -> Self {
        assert!(capacity.is_none(), "SimpleQueue is unbounded");
        SimpleQueue::new()
    }

    #[inline]
    fn put_item(&self, item: u64) {
        self.put(item).expect("a SimpleQueue put never fails");
    }

    #[inline]
    fn get_item(&self) -> u64 {
        self.get().expect("a SimpleQueue is never shut down")
    }
}

impl<Q: BobbinQueue> Channel for Bobbin<Q> {
    type Tx = Arc<Q>;
    type Rx = Arc<Q>;

    fn channel(capacity: Option<usize>) -> (Self::Tx, Self::Rx) {
        let q = Arc::new(Q::create(capacity));
        (Arc::clone(&q), q)
    }

    #[inline]
    fn send(tx: &Self::Tx, item: u64) {
        tx.put_item(item);
    }

    #[inline]
    fn recv(rx: &Self::Rx) -> u64 {
        rx.get_item()
    }
}

/// A [`MonitorQueue`] over `S`'s mutex and condition variables, storing
/// items in `Q`.
pub(super) struct Monitor<S, Q>(PhantomData<(S, Q)>);

impl<S: Sys, Q: Store<u64> + 'static> Channel for Monitor<S, Q> {
    type Tx = Arc<MonitorQueue<S, Q>>;
    type Rx = Arc<MonitorQueue<S, Q>>;

    fn channel(capacity: Option<usize>) -> (Self::Tx, Self::Rx) {
        let q = Arc::new(MonitorQueue::new(capacity));
        (Arc::clone(&q), q)
    }

    #[inline]
    fn send(tx: &Self::Tx, item: u64) {
        tx.put(item);
    }

    #[inline]
    fn recv(rx: &Self::Rx) -> u64 {
        rx.get()
    }
}

/// `Some(CAP)`, or `None` (unbounded) for 0, Python's convention.
pub(super) fn capacity(cap: usize) -> Option<usize> {
    (cap > 0).then_some(cap)
}

fn spsc<C: Channel, const CAP: usize>(ops: u64) -> Duration {
    let (tx, rx) = C::channel(capacity(CAP));
    let received = AtomicU64::new(0);
    let took = timed_tasks(vec![
        task(move || {
            for item in 1..=ops {
                C::send(&tx, item);
            }
        }),
        task(|| {
            let rx = rx;
            let mut sum = 0u64;
            for _ in 0..ops {
                sum += C::recv(&rx);
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

fn mpmc<C: Channel>(ops: u64) -> Duration
where
    C::Tx: Clone,
    C::Rx: Clone,
{
    const PRODUCERS: usize = 2;
    const CONSUMERS: usize = 2;
    let (tx, rx) = C::channel(Some(CAPACITY));
    let sent = AtomicU64::new(0);
    let received = AtomicU64::new(0);
    let mut tasks = Vec::new();
    for p in 0..PRODUCERS {
        let (tx, sent) = (tx.clone(), &sent);
        tasks.push(task(move || {
            // Producer p sends p*ops+1, p*ops+2, …: distinct across producers.
            let first = p as u64 * ops + 1;
            let items = first..first + share(ops, PRODUCERS, p);
            let mut sum = 0u64;
            for item in items {
                C::send(&tx, item);
                sum += item;
            }
            sent.fetch_add(sum, Ordering::Relaxed);
        }));
    }
    for c in 0..CONSUMERS {
        let (rx, received) = (rx.clone(), &received);
        tasks.push(task(move || {
            let mut sum = 0u64;
            for _ in 0..share(ops, CONSUMERS, c) {
                sum += C::recv(&rx);
            }
            received.fetch_add(sum, Ordering::Relaxed);
        }));
    }
    drop((tx, rx));
    let took = timed_tasks(tasks);
    let expected: u64 = (0..PRODUCERS)
        .map(|p| {
            let (first, n) = (p as u64 * ops + 1, share(ops, PRODUCERS, p));
            n * first + n * n.saturating_sub(1) / 2
        })
        .sum();
    assert_eq!(sent.into_inner(), expected, "every item must be sent");
    assert_eq!(
        received.into_inner(),
        expected,
        "the sum received must equal the sum sent"
    );
    took
}
