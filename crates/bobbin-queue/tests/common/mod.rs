//! The suite every tracked queue (`Queue`, `LifoQueue`, `PriorityQueue`)
//! runs: CPython 3.13's `Lib/test/test_queue.py` cases, the timeout forms,
//! task tracking, shutdown, a model test, the accounting test and the drop
//! test, written once over the [`Tracked`] trait and instantiated in each
//! queue's test file by [`tracked_suite!`].

#![allow(dead_code)] // Each test binary uses a different part.

use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use bobbin_queue::{GetError, LifoQueue, PriorityQueue, PutError, Queue, TaskDoneError};
use proptest::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Python's `QUEUE_SIZE` in `test_queue.py`.
pub(crate) const QUEUE_SIZE: usize = 5;

/// A generous bound for "returns soon", for a noisy 2-core machine.
pub(crate) const SOON: Duration = Duration::from_secs(10);

/// The order a queue gives its items out in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    Fifo,
    Lifo,
    Priority,
}

impl Order {
    /// The order in which gets return `items`, put in this order into an
    /// empty queue.
    pub(crate) fn of<T: Ord + Clone>(self, items: &[T]) -> Vec<T> {
        match self {
            Order::Fifo => items.to_vec(),
            Order::Lifo => items.iter().rev().cloned().collect(),
            Order::Priority => {
                let mut sorted = items.to_vec();
                sorted.sort(); // stable: equal items keep their put order
                sorted
            }
        }
    }
}

/// The API the three tracked queues share, so that one suite tests them
/// all.
pub(crate) trait Tracked<T>: Send + Sync + Sized {
    fn new(maxsize: usize) -> Self;
    fn bounded(maxsize: usize) -> Self;
    fn unbounded() -> Self;
    fn put(&self, item: T) -> Result<(), PutError<T>>;
    fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutError<T>>;
    fn put_until(&self, item: T, deadline: Instant) -> Result<(), PutError<T>>;
    fn try_put(&self, item: T) -> Result<(), PutError<T>>;
    fn get(&self) -> Result<T, GetError>;
    fn get_timeout(&self, timeout: Duration) -> Result<T, GetError>;
    fn get_until(&self, deadline: Instant) -> Result<T, GetError>;
    fn try_get(&self) -> Result<T, GetError>;
    fn qsize(&self) -> usize;
    fn is_empty(&self) -> bool;
    fn is_full(&self) -> bool;
    fn maxsize(&self) -> usize;
    fn task_done(&self) -> Result<(), TaskDoneError>;
    fn join(&self);
    fn join_timeout(&self, timeout: Duration) -> bool;
    fn join_until(&self, deadline: Instant) -> bool;
    fn unfinished_tasks(&self) -> usize;
    fn shutdown(&self);
    fn shutdown_immediate(&self) -> Vec<T>;
    fn is_shutdown(&self) -> bool;
    fn iter_all(&self) -> Vec<T>;
    fn ref_iter_all(&self) -> Vec<T>;
    fn try_iter_all(&self) -> Vec<T>;
}

macro_rules! impl_tracked {
    ($Q:ident) => {
        impl<T: Ord + Send> Tracked<T> for $Q<T> {
            fn new(maxsize: usize) -> Self {
                $Q::new(maxsize)
            }
            fn bounded(maxsize: usize) -> Self {
                $Q::bounded(maxsize)
            }
            fn unbounded() -> Self {
                $Q::unbounded()
            }
            fn put(&self, item: T) -> Result<(), PutError<T>> {
                $Q::put(self, item)
            }
            fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutError<T>> {
                $Q::put_timeout(self, item, timeout)
            }
            fn put_until(&self, item: T, deadline: Instant) -> Result<(), PutError<T>> {
                $Q::put_until(self, item, deadline)
            }
            fn try_put(&self, item: T) -> Result<(), PutError<T>> {
                $Q::try_put(self, item)
            }
            fn get(&self) -> Result<T, GetError> {
                $Q::get(self)
            }
            fn get_timeout(&self, timeout: Duration) -> Result<T, GetError> {
                $Q::get_timeout(self, timeout)
            }
            fn get_until(&self, deadline: Instant) -> Result<T, GetError> {
                $Q::get_until(self, deadline)
            }
            fn try_get(&self) -> Result<T, GetError> {
                $Q::try_get(self)
            }
            fn qsize(&self) -> usize {
                $Q::qsize(self)
            }
            fn is_empty(&self) -> bool {
                $Q::is_empty(self)
            }
            fn is_full(&self) -> bool {
                $Q::is_full(self)
            }
            fn maxsize(&self) -> usize {
                $Q::maxsize(self)
            }
            fn task_done(&self) -> Result<(), TaskDoneError> {
                $Q::task_done(self)
            }
            fn join(&self) {
                $Q::join(self)
            }
            fn join_timeout(&self, timeout: Duration) -> bool {
                $Q::join_timeout(self, timeout)
            }
            fn join_until(&self, deadline: Instant) -> bool {
                $Q::join_until(self, deadline)
            }
            fn unfinished_tasks(&self) -> usize {
                $Q::unfinished_tasks(self)
            }
            fn shutdown(&self) {
                $Q::shutdown(self)
            }
            fn shutdown_immediate(&self) -> Vec<T> {
                $Q::shutdown_immediate(self)
            }
            fn is_shutdown(&self) -> bool {
                $Q::is_shutdown(self)
            }
            fn iter_all(&self) -> Vec<T> {
                $Q::iter(self).collect()
            }
            fn ref_iter_all(&self) -> Vec<T> {
                let mut all = Vec::new();
                for item in self {
                    all.push(item);
                }
                all
            }
            fn try_iter_all(&self) -> Vec<T> {
                $Q::try_iter(self).collect()
            }
        }
    };
}

impl_tracked!(Queue);
impl_tracked!(LifoQueue);
impl_tracked!(PriorityQueue);

/// Gives a thread that is about to block a moment to do so, so that the
/// test exercises the parked path. Never needed for correctness: every
/// test below passes whether or not the other thread has parked yet.
pub(crate) fn let_it_block() {
    std::thread::sleep(Duration::from_millis(20));
}

/// A tiny xorshift generator, so that random tests are reproducible from
/// their seed without a dependency.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Generates one `#[test]` per case of the suite for a tracked queue type
/// and its order.
macro_rules! tracked_suite {
    ($Q:ident, $order:expr) => {
        tracked_suite!(@tests $Q, $order,
            basic, order_of_items, task_done_too_many_times,
            join_waits_for_every_task_done, nowait, shutdown_empty, shutdown_nonempty,
            shutdown_immediate_returns_the_items, shutdown_transitions,
            shutdown_all_methods_in_one_thread, shutdown_immediate_all_methods_in_one_thread,
            shutdown_get, shutdown_immediate_get, shutdown_wakes_blocked_getters,
            shutdown_immediate_wakes_blocked_getters, shutdown_wakes_blocked_putters,
            shutdown_immediate_wakes_blocked_putters, shutdown_join, shutdown_immediate_join,
            shutdown_put_join, shutdown_immediate_put_join, shutdown_get_task_done_join,
            shutdown_pending_get, shutdown_all_methods_in_many_threads,
            shutdown_immediate_all_methods_in_many_threads,
            immediate_shutdown_join_waits_for_gotten_items,
            immediate_shutdown_lowers_unfinished_not_below_zero, task_done_works_after_shutdown,
            timed_get_on_shut_down_queue_fails_at_once, get_timeout_returns_at_or_after_it,
            get_until_returns_at_or_after_it, put_timeout_returns_at_or_after_it,
            put_until_returns_at_or_after_it, join_timeout_returns_at_or_after_it,
            join_until_returns_at_or_after_it, zero_timeouts_do_not_wait,
            duration_max_waits_forever, timed_get_takes_an_item_that_comes_in_time,
            timed_put_takes_a_slot_that_frees_in_time, join_timeout_sees_the_last_task_done,
            unfinished_tasks_counts_puts_and_task_dones, iter_ends_when_shut_down_and_drained,
            try_iter_takes_what_is_there, new_zero_is_unbounded, unbounded_put_never_waits,
            huge_bounds_allocate_nothing_up_front, producers_and_consumers_exchange_every_item_once,
            accounting_with_random_timeouts_and_shutdown, dropped_queue_drops_its_items_once,
            failed_puts_give_the_item_back_undropped
        );

        #[test]
        #[should_panic(expected = "a bounded queue needs room for at least one item")]
        fn bounded_zero_panics() {
            let _ = <$Q<u32> as common::Tracked<u32>>::bounded(0);
        }

        #[test]
        fn debug_shows_the_state_without_the_items() {
            let q = $Q::new(3);
            q.put(common::Opaque).unwrap();
            assert_eq!(
                format!("{q:?}"),
                concat!(
                    stringify!($Q),
                    " { qsize: 1, maxsize: 3, unfinished_tasks: 1, is_shutdown: false, .. }"
                )
            );
            q.shutdown();
            assert!(format!("{q:?}").contains("is_shutdown: true"));
        }

        #[test]
        fn is_send_and_sync_for_send_items() {
            fn send_sync<X: Send + Sync>() {}
            send_sync::<$Q<std::cell::Cell<u32>>>();
            send_sync::<bobbin_queue::Iter<'static, $Q<u32>>>();
            send_sync::<bobbin_queue::TryIter<'static, $Q<u32>>>();
        }

        #[test]
        #[ignore = "stress test: run with cargo xtask stress"]
        fn stress_accounting() {
            common::stress_accounting::<$Q<common::Counted>>($order);
        }
    };
    (@tests $Q:ident, $order:expr, $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                common::$name::<$Q<_>>($order);
            }
        )*
    };
}

// ---- CPython's test_queue.py ----

/// `basic_queue_test`, run twice on the same queue as Python's `test_basic`.
pub(crate) fn basic<Q: Tracked<u32>>(order: Order) {
    let q = Q::new(QUEUE_SIZE);
    for _ in 0..2 {
        assert_eq!(q.qsize(), 0);
        assert!(q.is_empty());
        assert!(!q.is_full());
        for i in [111, 333, 222] {
            q.put(i).unwrap();
        }
        let got: Vec<u32> = (0..3).map(|_| q.get().unwrap()).collect();
        assert_eq!(got, order.of(&[111, 333, 222]));
        for i in 0..QUEUE_SIZE as u32 - 1 {
            q.put(i).unwrap();
            assert!(q.qsize() > 0);
        }
        assert!(!q.is_full());
        q.put(10).unwrap();
        assert!(q.is_full());
        assert!(!q.is_empty());
        assert_eq!(q.try_put(30), Err(PutError::Full(30)));
        assert_eq!(
            q.put_timeout(30, Duration::from_millis(10)),
            Err(PutError::Full(30))
        );
        // A blocking put, unblocked by a get in another thread; then the
        // same with a (long) timeout.
        std::thread::scope(|s| {
            s.spawn(|| {
                let_it_block();
                q.get().unwrap();
            });
            q.put(30).unwrap();
        });
        std::thread::scope(|s| {
            s.spawn(|| {
                let_it_block();
                q.get().unwrap();
            });
            q.put_timeout(30, SOON).unwrap();
        });
        for _ in 0..QUEUE_SIZE {
            q.get().unwrap();
        }
        assert_eq!(q.qsize(), 0);
        assert_eq!(q.try_get(), Err(GetError::Empty));
        assert_eq!(
            q.get_timeout(Duration::from_millis(10)),
            Err(GetError::Empty)
        );
        // A blocking get, unblocked by a put in another thread.
        std::thread::scope(|s| {
            s.spawn(|| {
                let_it_block();
                q.put(99).unwrap();
            });
            assert_eq!(q.get(), Ok(99));
        });
        std::thread::scope(|s| {
            s.spawn(|| {
                let_it_block();
                q.put(98).unwrap();
            });
            assert_eq!(q.get_timeout(SOON), Ok(98));
        });
        while q.task_done().is_ok() {}
    }
}

pub(crate) fn order_of_items<Q: Tracked<u32>>(order: Order) {
    let q = Q::unbounded();
    let items = [5, 3, 9, 3, 1, 7, 5, 0];
    for i in items {
        q.put(i).unwrap();
    }
    assert_eq!(q.try_iter_all(), order.of(&items));
}

/// `test_queue_task_done`.
pub(crate) fn task_done_too_many_times<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    assert_eq!(q.task_done(), Err(TaskDoneError));
    q.put(1).unwrap();
    assert_eq!(q.task_done(), Ok(()));
    assert_eq!(q.task_done(), Err(TaskDoneError));
    assert_eq!(q.unfinished_tasks(), 0);
}

/// `queue_join_test`, twice, then `task_done` once too many.
pub(crate) fn join_waits_for_every_task_done<Q: Tracked<u32>>(_: Order) {
    const STOP: u32 = u32::MAX;
    let q = Q::unbounded();
    for _ in 0..2 {
        let cum = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    loop {
                        let x = q.get().unwrap();
                        if x == STOP {
                            q.task_done().unwrap();
                            return;
                        }
                        cum.fetch_add(x as usize, Ordering::Relaxed);
                        q.task_done().unwrap();
                    }
                });
            }
            for i in 0..100 {
                q.put(i).unwrap();
            }
            q.join();
            assert_eq!(cum.load(Ordering::Relaxed), (0..100).sum::<usize>());
            q.put(STOP).unwrap();
            q.put(STOP).unwrap();
            q.join(); // joining twice works
        });
    }
    assert_eq!(q.task_done(), Err(TaskDoneError));
}

/// `test_nowait`.
pub(crate) fn nowait<Q: Tracked<u32>>(_: Order) {
    let q = Q::new(QUEUE_SIZE);
    for _ in 0..QUEUE_SIZE {
        q.try_put(1).unwrap();
    }
    assert!(q.try_put(1).unwrap_err().is_full());
    for _ in 0..QUEUE_SIZE {
        q.try_get().unwrap();
    }
    assert_eq!(q.try_get(), Err(GetError::Empty));
}

/// `test_shutdown_empty`.
pub(crate) fn shutdown_empty<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    q.shutdown();
    assert_eq!(q.put(1), Err(PutError::ShutDown(1)));
    assert_eq!(q.get(), Err(GetError::ShutDown));
}

/// `test_shutdown_nonempty`.
pub(crate) fn shutdown_nonempty<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    q.put(1).unwrap();
    q.shutdown();
    assert_eq!(q.get(), Ok(1));
    assert_eq!(q.get(), Err(GetError::ShutDown));
}

/// `test_shutdown_immediate`, and the items come back.
pub(crate) fn shutdown_immediate_returns_the_items<Q: Tracked<u32>>(order: Order) {
    let q = Q::unbounded();
    for i in [4, 1, 3] {
        q.put(i).unwrap();
    }
    assert_eq!(q.shutdown_immediate(), order.of(&[4, 1, 3]));
    assert_eq!(q.get(), Err(GetError::ShutDown));
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.unfinished_tasks(), 0);
}

/// `test_shutdown_allowed_transitions`.
pub(crate) fn shutdown_transitions<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    assert!(!q.is_shutdown());
    q.shutdown();
    assert!(q.is_shutdown());
    assert!(q.shutdown_immediate().is_empty());
    assert!(q.is_shutdown());
    q.shutdown();
    assert!(q.is_shutdown());
}

/// `_shutdown_all_methods_in_one_thread`.
fn all_methods_in_one_thread<Q: Tracked<u32>>(immediate: bool) {
    let q = Q::new(2);
    q.put(1).unwrap();
    q.try_put(2).unwrap();
    if immediate {
        assert_eq!(q.shutdown_immediate().len(), 2);
    } else {
        q.shutdown();
    }
    assert_eq!(q.put(3), Err(PutError::ShutDown(3)));
    assert_eq!(q.try_put(4), Err(PutError::ShutDown(4)));
    if immediate {
        assert_eq!(q.get(), Err(GetError::ShutDown));
        assert_eq!(q.try_get(), Err(GetError::ShutDown));
        assert_eq!(q.task_done(), Err(TaskDoneError));
        q.join();
    } else {
        assert!(matches!(q.get(), Ok(1 | 2)));
        q.task_done().unwrap();
        assert!(matches!(q.get(), Ok(1 | 2)));
        q.task_done().unwrap();
        q.join();
        assert_eq!(q.get(), Err(GetError::ShutDown));
        assert_eq!(q.try_get(), Err(GetError::ShutDown));
        assert_eq!(
            q.get_timeout(Duration::from_secs(1)),
            Err(GetError::ShutDown)
        );
    }
}

pub(crate) fn shutdown_all_methods_in_one_thread<Q: Tracked<u32>>(_: Order) {
    all_methods_in_one_thread::<Q>(false);
}

pub(crate) fn shutdown_immediate_all_methods_in_one_thread<Q: Tracked<u32>>(_: Order) {
    all_methods_in_one_thread::<Q>(true);
}

/// `_shutdown_get`: getters that start after the shutdown (Python's `go`
/// event) of a full queue.
fn shutdown_get_case<Q: Tracked<u32>>(immediate: bool) {
    let q = Q::new(2);
    q.put(1).unwrap();
    q.put(2).unwrap();
    let getters = if immediate { 2 } else { 3 };
    let go = AtomicBool::new(false);
    let mut results: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..getters)
            .map(|_| {
                s.spawn(|| {
                    while !go.load(Ordering::Acquire) {
                        bobbin_park::thread::yield_now();
                    }
                    q.get().is_ok()
                })
            })
            .collect();
        if immediate {
            let _ = q.shutdown_immediate();
        } else {
            q.shutdown();
        }
        go.store(true, Ordering::Release);
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    results.sort();
    if immediate {
        assert_eq!(results, [false, false]);
    } else {
        assert_eq!(results, [false, true, true]);
    }
}

pub(crate) fn shutdown_get<Q: Tracked<u32>>(_: Order) {
    shutdown_get_case::<Q>(false);
}

pub(crate) fn shutdown_immediate_get<Q: Tracked<u32>>(_: Order) {
    shutdown_get_case::<Q>(true);
}

/// Getters blocked on an empty queue all wake with `ShutDown`.
fn blocked_getters_case<Q: Tracked<u32>>(immediate: bool) {
    let q = Q::unbounded();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..3).map(|_| s.spawn(|| q.get())).collect();
        let_it_block();
        if immediate {
            assert!(q.shutdown_immediate().is_empty());
        } else {
            q.shutdown();
        }
        for h in handles {
            assert_eq!(h.join().unwrap(), Err(GetError::ShutDown));
        }
    });
}

pub(crate) fn shutdown_wakes_blocked_getters<Q: Tracked<u32>>(_: Order) {
    blocked_getters_case::<Q>(false);
}

pub(crate) fn shutdown_immediate_wakes_blocked_getters<Q: Tracked<u32>>(_: Order) {
    blocked_getters_case::<Q>(true);
}

/// `_shutdown_put`: putters blocked on a full queue all wake with
/// `ShutDown`, and get their items back.
fn blocked_putters_case<Q: Tracked<u32>>(immediate: bool) {
    let q = Q::new(2);
    q.put(1).unwrap();
    q.put(2).unwrap();
    std::thread::scope(|s| {
        let q = &q;
        let handles = [10, 20, 30].map(|i| s.spawn(move || (i, q.put(i))));
        let_it_block();
        if immediate {
            assert_eq!(q.shutdown_immediate().len(), 2);
        } else {
            q.shutdown();
        }
        for h in handles {
            let (i, result) = h.join().unwrap();
            assert_eq!(result, Err(PutError::ShutDown(i)));
        }
    });
}

pub(crate) fn shutdown_wakes_blocked_putters<Q: Tracked<u32>>(_: Order) {
    blocked_putters_case::<Q>(false);
}

pub(crate) fn shutdown_immediate_wakes_blocked_putters<Q: Tracked<u32>>(_: Order) {
    blocked_putters_case::<Q>(true);
}

/// `_shutdown_join`: joiners return after an immediate shutdown, or after a
/// graceful one once the remaining item is gotten and done.
fn shutdown_join_case<Q: Tracked<u32>>(immediate: bool) {
    let q = Q::unbounded();
    q.put(1).unwrap();
    std::thread::scope(|s| {
        let joiners: Vec<_> = (0..2).map(|_| s.spawn(|| q.join())).collect();
        let worker = (!immediate).then(|| {
            s.spawn(|| {
                q.get().unwrap();
                q.task_done().unwrap();
            })
        });
        if immediate {
            assert_eq!(q.shutdown_immediate(), [1]);
        } else {
            q.shutdown();
        }
        for j in joiners {
            j.join().unwrap();
        }
        if let Some(w) = worker {
            w.join().unwrap();
        }
    });
    assert_eq!(q.unfinished_tasks(), 0);
}

pub(crate) fn shutdown_join<Q: Tracked<u32>>(_: Order) {
    shutdown_join_case::<Q>(false);
}

pub(crate) fn shutdown_immediate_join<Q: Tracked<u32>>(_: Order) {
    shutdown_join_case::<Q>(true);
}

/// `_shutdown_put_join`.
fn shutdown_put_join_case<Q: Tracked<u32>>(immediate: bool) {
    let q = Q::new(2);
    q.put(1).unwrap();
    std::thread::scope(|s| {
        let joiner = s.spawn(|| q.join());
        assert_eq!(q.unfinished_tasks(), 1);
        if immediate {
            let _ = q.shutdown_immediate();
            assert_eq!(q.try_get(), Err(GetError::ShutDown));
        } else {
            q.shutdown();
            assert_eq!(q.get(), Ok(1));
            q.task_done().unwrap();
        }
        let putter = s.spawn(|| q.put(2));
        assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown(2)));
        joiner.join().unwrap();
    });
}

pub(crate) fn shutdown_put_join<Q: Tracked<u32>>(_: Order) {
    shutdown_put_join_case::<Q>(false);
}

pub(crate) fn shutdown_immediate_put_join<Q: Tracked<u32>>(_: Order) {
    shutdown_put_join_case::<Q>(true);
}

/// `test_shutdown_get_task_done_join`.
pub(crate) fn shutdown_get_task_done_join<Q: Tracked<u32>>(_: Order) {
    let q = Q::new(2);
    q.put(1).unwrap();
    q.put(2).unwrap();
    assert_eq!(q.unfinished_tasks(), q.qsize());
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    q.get().unwrap();
                    q.task_done().unwrap();
                })
            })
            .collect();
        let joiners: Vec<_> = (0..2).map(|_| s.spawn(|| q.join())).collect();
        q.shutdown();
        for t in workers.into_iter().chain(joiners) {
            t.join().unwrap();
        }
    });
}

/// `test_shutdown_pending_get`.
pub(crate) fn shutdown_pending_get<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    std::thread::scope(|s| {
        let getter = s.spawn(|| q.get());
        q.shutdown();
        assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
    });
}

/// `_shutdown_all_methods_in_many_threads`, scaled down: writers put until
/// one of them shuts the queue down, readers drain until `ShutDown`,
/// joiners (immediate only) return.
fn many_threads_case<Q: Tracked<u32>>(immediate: bool) {
    const WRITERS: usize = 4;
    const READERS: usize = 6;
    let messages: u32 = if cfg!(miri) { 64 } else { 4096 };
    let per_writer = messages / WRITERS as u32;
    let q = Q::unbounded();
    let shutdown_done = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|_| {
                s.spawn(|| {
                    for i in 0..per_writer {
                        if q.put(i).is_err() {
                            return false;
                        }
                        if i == per_writer / 2 && shutdown_done.fetch_add(1, Ordering::Relaxed) == 0
                        {
                            if immediate {
                                let _ = q.shutdown_immediate();
                            } else {
                                q.shutdown();
                            }
                            return true;
                        }
                    }
                    false
                })
            })
            .collect();
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                s.spawn(|| {
                    loop {
                        match q.try_get() {
                            Ok(_) => q.task_done().unwrap(),
                            Err(GetError::ShutDown) => return true,
                            Err(_) => bobbin_park::thread::yield_now(),
                        }
                    }
                })
            })
            .collect();
        let joiners: Vec<_> = (0..2)
            .filter(|_| immediate)
            .map(|_| s.spawn(|| q.join()))
            .collect();
        let shut: Vec<bool> = writers.into_iter().map(|w| w.join().unwrap()).collect();
        assert_eq!(shut.iter().filter(|&&b| b).count(), 1);
        for r in readers {
            assert!(r.join().unwrap());
        }
        for j in joiners {
            j.join().unwrap();
        }
    });
    assert!(q.is_empty());
}

pub(crate) fn shutdown_all_methods_in_many_threads<Q: Tracked<u32>>(_: Order) {
    many_threads_case::<Q>(false);
}

pub(crate) fn shutdown_immediate_all_methods_in_many_threads<Q: Tracked<u32>>(_: Order) {
    many_threads_case::<Q>(true);
}

// ---- shutdown and tasks, beyond test_queue.py ----

/// CPython gh-137088: an immediate shutdown releases `join` only once every
/// item gotten before it has had its `task_done`.
pub(crate) fn immediate_shutdown_join_waits_for_gotten_items<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    q.put(1).unwrap();
    q.put(2).unwrap();
    let _in_hand = q.get().unwrap();
    assert_eq!(q.shutdown_immediate().len(), 1);
    assert_eq!(q.unfinished_tasks(), 1);
    assert!(!q.join_timeout(Duration::from_millis(10)));
    std::thread::scope(|s| {
        let joiner = s.spawn(|| q.join());
        let_it_block();
        q.task_done().unwrap();
        joiner.join().unwrap();
    });
    assert_eq!(q.task_done(), Err(TaskDoneError));
}

/// Extra `task_done` calls before the gets leave fewer unfinished tasks
/// than items; the immediate shutdown stops at zero, as CPython's does.
pub(crate) fn immediate_shutdown_lowers_unfinished_not_below_zero<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    for i in 0..3 {
        q.put(i).unwrap();
    }
    q.task_done().unwrap();
    q.task_done().unwrap();
    assert_eq!(q.unfinished_tasks(), 1);
    assert_eq!(q.shutdown_immediate().len(), 3);
    assert_eq!(q.unfinished_tasks(), 0);
    assert!(q.join_timeout(Duration::ZERO));
}

pub(crate) fn task_done_works_after_shutdown<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    q.put(1).unwrap();
    q.get().unwrap();
    q.shutdown();
    assert_eq!(q.unfinished_tasks(), 1);
    assert_eq!(q.task_done(), Ok(()));
    assert_eq!(q.task_done(), Err(TaskDoneError));
    q.join();
}

/// Python's `get(True, 1.0)` on a drained, shut-down queue fails at once.
pub(crate) fn timed_get_on_shut_down_queue_fails_at_once<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    q.shutdown();
    let start = Instant::now();
    assert_eq!(
        q.get_timeout(Duration::from_secs(60)),
        Err(GetError::ShutDown)
    );
    assert_eq!(
        q.get_until(Instant::now() + Duration::from_secs(60)),
        Err(GetError::ShutDown)
    );
    assert!(start.elapsed() < SOON);
    assert_eq!(
        q.put_timeout(1, Duration::from_secs(60)),
        Err(PutError::ShutDown(1))
    );
}

// ---- timeouts ----

const SHORT: Duration = Duration::from_millis(30);

pub(crate) fn get_timeout_returns_at_or_after_it<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    let start = Instant::now();
    assert_eq!(q.get_timeout(SHORT), Err(GetError::Empty));
    let waited = start.elapsed();
    assert!(waited >= SHORT, "returned after {waited:?}");
    assert!(waited < SOON);
}

pub(crate) fn get_until_returns_at_or_after_it<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    let deadline = Instant::now() + SHORT;
    assert_eq!(q.get_until(deadline), Err(GetError::Empty));
    assert!(Instant::now() >= deadline);
}

pub(crate) fn put_timeout_returns_at_or_after_it<Q: Tracked<u32>>(_: Order) {
    let q = Q::bounded(1);
    q.put(1).unwrap();
    let start = Instant::now();
    assert_eq!(q.put_timeout(2, SHORT), Err(PutError::Full(2)));
    let waited = start.elapsed();
    assert!(waited >= SHORT, "returned after {waited:?}");
    assert!(waited < SOON);
}

pub(crate) fn put_until_returns_at_or_after_it<Q: Tracked<u32>>(_: Order) {
    let q = Q::bounded(1);
    q.put(1).unwrap();
    let deadline = Instant::now() + SHORT;
    assert_eq!(q.put_until(2, deadline), Err(PutError::Full(2)));
    assert!(Instant::now() >= deadline);
}

pub(crate) fn join_timeout_returns_at_or_after_it<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    q.put(1).unwrap();
    let start = Instant::now();
    assert!(!q.join_timeout(SHORT));
    assert!(start.elapsed() >= SHORT);
}

pub(crate) fn join_until_returns_at_or_after_it<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    q.put(1).unwrap();
    let deadline = Instant::now() + SHORT;
    assert!(!q.join_until(deadline));
    assert!(Instant::now() >= deadline);
}

/// A zero timeout, or a deadline in the past, is a non-blocking try that
/// still succeeds when it can.
pub(crate) fn zero_timeouts_do_not_wait<Q: Tracked<u32>>(_: Order) {
    let q = Q::bounded(1);
    let past = Instant::now();
    assert_eq!(q.get_timeout(Duration::ZERO), Err(GetError::Empty));
    assert_eq!(q.get_until(past), Err(GetError::Empty));
    assert_eq!(q.put_timeout(1, Duration::ZERO), Ok(()));
    assert_eq!(q.put_timeout(2, Duration::ZERO), Err(PutError::Full(2)));
    assert_eq!(q.put_until(3, past), Err(PutError::Full(3)));
    assert!(!q.join_timeout(Duration::ZERO));
    assert!(!q.join_until(past));
    assert_eq!(q.get_until(past), Ok(1));
    q.task_done().unwrap();
    assert!(q.join_until(past));
    assert!(q.join_timeout(Duration::ZERO));
}

/// `Duration::MAX` means forever: no panic, no overflow.
pub(crate) fn duration_max_waits_forever<Q: Tracked<u32>>(_: Order) {
    let q = Q::bounded(1);
    std::thread::scope(|s| {
        s.spawn(|| {
            let_it_block();
            q.put(1).unwrap();
        });
        assert_eq!(q.get_timeout(Duration::MAX), Ok(1));
        q.put(2).unwrap();
        s.spawn(|| {
            let_it_block();
            q.get().unwrap();
            q.task_done().unwrap();
        });
        assert_eq!(q.put_timeout(3, Duration::MAX), Ok(()));
        s.spawn(|| {
            let_it_block();
            q.get().unwrap();
            q.task_done().unwrap();
            q.task_done().unwrap();
        });
        assert!(q.join_timeout(Duration::MAX));
    });
}

pub(crate) fn timed_get_takes_an_item_that_comes_in_time<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    std::thread::scope(|s| {
        s.spawn(|| {
            let_it_block();
            q.put(5).unwrap();
        });
        assert_eq!(q.get_timeout(SOON), Ok(5));
    });
}

pub(crate) fn timed_put_takes_a_slot_that_frees_in_time<Q: Tracked<u32>>(_: Order) {
    let q = Q::bounded(1);
    q.put(1).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            let_it_block();
            assert_eq!(q.get(), Ok(1));
        });
        assert_eq!(q.put_until(2, Instant::now() + SOON), Ok(()));
    });
    assert_eq!(q.get(), Ok(2));
}

pub(crate) fn join_timeout_sees_the_last_task_done<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    q.put(1).unwrap();
    q.put(2).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..2 {
                q.get().unwrap();
                let_it_block();
                q.task_done().unwrap();
            }
        });
        assert!(q.join_timeout(SOON));
    });
}

pub(crate) fn unfinished_tasks_counts_puts_and_task_dones<Q: Tracked<u32>>(_: Order) {
    let q = Q::new(3);
    assert_eq!(q.unfinished_tasks(), 0);
    q.put(1).unwrap();
    q.put(2).unwrap();
    assert_eq!(q.unfinished_tasks(), 2);
    // Failed puts count nothing.
    q.put(3).unwrap();
    assert!(q.try_put(4).is_err());
    assert_eq!(q.unfinished_tasks(), 3);
    q.get().unwrap();
    assert_eq!(q.unfinished_tasks(), 3);
    q.task_done().unwrap();
    assert_eq!(q.unfinished_tasks(), 2);
    q.shutdown();
    assert!(q.put(5).is_err());
    assert_eq!(q.unfinished_tasks(), 2);
}

// ---- iteration ----

pub(crate) fn iter_ends_when_shut_down_and_drained<Q: Tracked<u32>>(order: Order) {
    let q = Q::new(2);
    let items = [3, 1, 2, 5, 4];
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in items {
                q.put(i).unwrap();
            }
            q.shutdown();
        });
        let got = q.iter_all();
        assert_eq!(got.len(), items.len());
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(sorted, [1, 2, 3, 4, 5]);
    });
    // After a shutdown with items left, both iterators drain them.
    let q = Q::unbounded();
    for i in items {
        q.put(i).unwrap();
    }
    q.shutdown();
    assert_eq!(q.ref_iter_all(), order.of(&items));
    assert!(q.iter_all().is_empty());
}

pub(crate) fn try_iter_takes_what_is_there<Q: Tracked<u32>>(order: Order) {
    let q = Q::unbounded();
    assert!(q.try_iter_all().is_empty());
    for i in [2, 1] {
        q.put(i).unwrap();
    }
    assert_eq!(q.try_iter_all(), order.of(&[2, 1]));
    assert!(q.try_iter_all().is_empty());
    q.put(7).unwrap();
    assert_eq!(q.shutdown_immediate(), [7]);
    assert!(q.try_iter_all().is_empty());
}

// ---- bounds ----

pub(crate) fn new_zero_is_unbounded<Q: Tracked<u32>>(_: Order) {
    let q = Q::new(0);
    assert_eq!(q.maxsize(), 0);
    assert_eq!(Q::unbounded().maxsize(), 0);
    assert_eq!(Q::bounded(7).maxsize(), 7);
    assert_eq!(Q::new(7).maxsize(), 7);
    // Under Miri still enough to fill several of a list's blocks.
    let n = if cfg!(miri) { 200 } else { 10_000 };
    for i in 0..n {
        q.try_put(i).unwrap();
    }
    assert!(!q.is_full());
    assert_eq!(q.qsize(), n as usize);
}

pub(crate) fn unbounded_put_never_waits<Q: Tracked<u32>>(_: Order) {
    let q = Q::unbounded();
    for i in 0..1000 {
        assert_eq!(q.put_timeout(i, Duration::ZERO), Ok(()));
    }
    assert_eq!(q.qsize(), 1000);
}

/// `new(usize::MAX)` and other bounds too large to preallocate work as
/// bounds without allocating them.
pub(crate) fn huge_bounds_allocate_nothing_up_front<Q: Tracked<u32>>(_: Order) {
    for maxsize in [usize::MAX, usize::MAX / 2, 1 << 40] {
        let q = Q::new(maxsize);
        assert_eq!(q.maxsize(), maxsize);
        for i in 0..100 {
            q.put(i).unwrap();
        }
        assert!(!q.is_full());
        assert_eq!(q.qsize(), 100);
        assert_eq!(q.try_iter_all().len(), 100);
    }
}

// ---- many threads ----

/// Every item put by several producers is got exactly once by several
/// consumers, bounded and unbounded.
pub(crate) fn producers_and_consumers_exchange_every_item_once<Q: Tracked<u32>>(_: Order) {
    const PRODUCERS: u32 = 3;
    const CONSUMERS: usize = 3;
    let per_producer: u32 = if cfg!(miri) { 50 } else { 5_000 };
    for maxsize in [0, 1, 4] {
        let q = Q::new(maxsize);
        let mut got: Vec<u32> = std::thread::scope(|s| {
            let producers: Vec<_> = (0..PRODUCERS)
                .map(|p| {
                    let q = &q;
                    s.spawn(move || {
                        for i in 0..per_producer {
                            q.put(p * per_producer + i).unwrap();
                        }
                    })
                })
                .collect();
            let consumers: Vec<_> = (0..CONSUMERS)
                .map(|_| {
                    s.spawn(|| {
                        let mut mine = Vec::new();
                        while let Ok(item) = q.get() {
                            mine.push(item);
                            q.task_done().unwrap();
                        }
                        mine
                    })
                })
                .collect();
            for p in producers {
                p.join().unwrap();
            }
            q.join();
            q.shutdown();
            consumers
                .into_iter()
                .flat_map(|c| c.join().unwrap())
                .collect()
        });
        got.sort_unstable();
        assert_eq!(got, (0..PRODUCERS * per_producer).collect::<Vec<_>>());
    }
}

// ---- accounting ----

/// An item that counts its drops, ordered by its id.
#[derive(Debug)]
pub(crate) struct Counted {
    pub(crate) id: u32,
    drops: Arc<AtomicUsize>,
}

impl Counted {
    pub(crate) fn new(id: u32, drops: &Arc<AtomicUsize>) -> Counted {
        Counted {
            id,
            drops: Arc::clone(drops),
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
    }
}

impl PartialEq for Counted {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for Counted {}
impl PartialOrd for Counted {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Counted {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id.cmp(&other.id)
    }
}

/// An item without `Debug`, ordered so that every queue takes it.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Opaque;

/// A fresh drop counter for one test. (Not leaked: Miri reports leaks.)
pub(crate) fn drop_counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

/// Where every offered item ended up.
#[derive(Default)]
struct Ledger {
    received: Vec<u32>,
    handed_back: Vec<u32>,
    drained: Vec<u32>,
}

/// One round of the accounting test: producers put with random operations
/// and timeouts (retrying a full put with the item it got back), consumers
/// get with random operations and timeouts, and a shutdown, graceful or
/// immediate, comes in the middle. Every offered item must be received
/// exactly once, or handed back by a failed put, or returned by
/// `shutdown_immediate`: none lost, none duplicated, none dropped early.
fn accounting_round<Q: Tracked<Counted>>(seed: u64, per_producer: u32) {
    const PRODUCERS: u32 = 3;
    const CONSUMERS: u64 = 3;
    let mut rng = Rng::new(seed);
    let maxsize = [0, 1, 3, 16][rng.below(4) as usize];
    let immediate = rng.below(2) == 0;
    let shutdown_after = rng.below(u64::from(PRODUCERS * per_producer)) as usize;
    let drops = &drop_counter();
    let q = Q::new(maxsize);
    let offered_so_far = AtomicUsize::new(0);

    let timeout = |rng: &mut Rng| Duration::from_micros(rng.below(300));
    let ledger = std::thread::scope(|s| {
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let (q, offered_so_far) = (&q, &offered_so_far);
                let mut rng = Rng::new(seed ^ ((u64::from(p) + 1) << 32));
                s.spawn(move || {
                    let mut handed_back = Vec::new();
                    for i in 0..per_producer {
                        let mut item = Counted::new(p * per_producer + i, drops);
                        offered_so_far.fetch_add(1, Ordering::Relaxed);
                        loop {
                            let result = match rng.below(4) {
                                0 => q.put(item),
                                1 => q.try_put(item),
                                2 => q.put_timeout(item, timeout(&mut rng)),
                                _ => q.put_until(item, Instant::now() + timeout(&mut rng)),
                            };
                            match result {
                                Ok(()) => break,
                                Err(PutError::Full(back)) => item = back,
                                Err(e) => {
                                    assert!(e.is_shutdown());
                                    handed_back.push(e.into_inner().id);
                                    break;
                                }
                            }
                        }
                    }
                    handed_back
                })
            })
            .collect();
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|c| {
                let q = &q;
                let mut rng = Rng::new(seed ^ ((c + 11) << 40));
                s.spawn(move || {
                    let mut received = Vec::new();
                    loop {
                        let result = match rng.below(4) {
                            0 => q.get(),
                            1 => q.try_get(),
                            2 => q.get_timeout(timeout(&mut rng)),
                            _ => q.get_until(Instant::now() + timeout(&mut rng)),
                        };
                        match result {
                            Ok(item) => {
                                received.push(item.id);
                                q.task_done().unwrap();
                            }
                            Err(GetError::Empty) => {}
                            Err(e) => {
                                assert!(e.is_shutdown());
                                return received;
                            }
                        }
                    }
                })
            })
            .collect();
        // The shutdown, once enough items have been offered.
        while offered_so_far.load(Ordering::Relaxed) < shutdown_after {
            bobbin_park::thread::yield_now();
        }
        let drained: Vec<u32> = if immediate {
            q.shutdown_immediate().iter().map(|c| c.id).collect()
        } else {
            q.shutdown();
            Vec::new()
        };
        let mut ledger = Ledger {
            drained,
            ..Ledger::default()
        };
        for p in producers {
            ledger.handed_back.extend(p.join().unwrap());
        }
        for c in consumers {
            ledger.received.extend(c.join().unwrap());
        }
        ledger
    });

    let mut all: Vec<u32> = ledger
        .received
        .iter()
        .chain(&ledger.handed_back)
        .chain(&ledger.drained)
        .copied()
        .collect();
    all.sort_unstable();
    assert_eq!(
        all,
        (0..PRODUCERS * per_producer).collect::<Vec<_>>(),
        "seed {seed}: an item was lost or duplicated"
    );
    // Every item has been dropped exactly once, and none is left behind.
    assert_eq!(q.qsize(), 0, "seed {seed}");
    assert_eq!(q.try_get().map(|c| c.id), Err(GetError::ShutDown));
    assert_eq!(drops.load(Ordering::Relaxed), all.len(), "seed {seed}");
    // Every received item was marked done; the drained ones were counted
    // down by the shutdown.
    assert_eq!(q.unfinished_tasks(), 0, "seed {seed}");
    assert!(q.join_timeout(Duration::ZERO));
}

pub(crate) fn accounting_with_random_timeouts_and_shutdown<Q: Tracked<Counted>>(_: Order) {
    let (rounds, per_producer) = if cfg!(miri) { (2, 20) } else { (24, 400) };
    for seed in 0..rounds {
        accounting_round::<Q>(seed, per_producer);
    }
}

/// The accounting test for as long as `BOBBIN_STRESS_SECS` says (default
/// 10 s), with `BOBBIN_STRESS` times the items per round.
pub(crate) fn stress_accounting<Q: Tracked<Counted>>(_: Order) {
    let secs = std::env::var("BOBBIN_STRESS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let factor: u32 = std::env::var("BOBBIN_STRESS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let end = Instant::now() + Duration::from_secs(secs);
    let mut seed = 1000;
    while Instant::now() < end {
        accounting_round::<Q>(seed, 2000 * factor.max(1));
        seed += 1;
    }
}

// ---- drops ----

/// Items left in a dropped queue are dropped with it, exactly once, for
/// every kind of storage.
pub(crate) fn dropped_queue_drops_its_items_once<Q: Tracked<Counted>>(_: Order) {
    for maxsize in [0, 4, 100, usize::MAX] {
        let drops = &drop_counter();
        let q = Q::new(maxsize);
        for id in 0..4 {
            q.put(Counted::new(id, drops)).unwrap();
        }
        let got = q.get().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 0);
        drop(got);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        drop(q);
        assert_eq!(drops.load(Ordering::Relaxed), 4, "maxsize {maxsize}");
    }
}

/// A failed put hands the very item back, not dropped and not cloned.
pub(crate) fn failed_puts_give_the_item_back_undropped<Q: Tracked<Counted>>(_: Order) {
    let drops = &drop_counter();
    let q = Q::bounded(1);
    q.put(Counted::new(1, drops)).unwrap();
    let full = q.try_put(Counted::new(2, drops)).unwrap_err();
    assert!(full.is_full());
    let timed = q
        .put_timeout(full.into_inner(), Duration::from_millis(1))
        .unwrap_err();
    q.shutdown();
    let shut = q.put(timed.into_inner()).unwrap_err();
    assert!(shut.is_shutdown());
    assert_eq!(drops.load(Ordering::Relaxed), 0);
    assert_eq!(shut.into_inner().id, 2);
    assert_eq!(drops.load(Ordering::Relaxed), 1);
    let rest = q.shutdown_immediate();
    assert_eq!(rest.len(), 1);
    assert_eq!(drops.load(Ordering::Relaxed), 1);
    drop(rest);
    drop(q);
    assert_eq!(drops.load(Ordering::Relaxed), 2);
}

// ---- the model ----

/// One non-blocking operation of a tracked queue.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Op {
    TryPut(u8),
    PutZeroTimeout(u8),
    TryGet,
    GetZeroTimeout,
    TaskDone,
    JoinZeroTimeout,
    Shutdown,
    ShutdownImmediate,
}

/// Random operation sequences, with shutdowns rare enough that most of a
/// sequence runs on an open queue.
pub(crate) fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        6 => any::<u8>().prop_map(Op::TryPut),
        2 => any::<u8>().prop_map(Op::PutZeroTimeout),
        6 => Just(Op::TryGet),
        2 => Just(Op::GetZeroTimeout),
        4 => Just(Op::TaskDone),
        1 => Just(Op::JoinZeroTimeout),
        1 => Just(Op::Shutdown),
        1 => Just(Op::ShutdownImmediate),
    ];
    proptest::collection::vec(op, 0..80)
}

/// Proptest's settings for a model test, with its regression file next to
/// the test file.
pub(crate) fn model_config(regressions: &'static str) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(regressions),
        )),
        ..ProptestConfig::default()
    }
}

/// The reference: CPython's semantics on a `Vec` of (item, put number),
/// taking the front (FIFO), the back (LIFO) or the smallest item with the
/// smallest number (a stable priority queue).
struct Model {
    order: Order,
    maxsize: usize,
    items: Vec<(u8, usize)>,
    puts: usize,
    unfinished: usize,
    shut_down: bool,
}

impl Model {
    fn put(&mut self, v: u8) -> Result<(), PutError<u8>> {
        if self.shut_down {
            Err(PutError::ShutDown(v))
        } else if self.maxsize != 0 && self.items.len() >= self.maxsize {
            Err(PutError::Full(v))
        } else {
            self.items.push((v, self.puts));
            self.puts += 1;
            self.unfinished += 1;
            Ok(())
        }
    }

    fn take(&mut self) -> Option<u8> {
        let index = match self.order {
            Order::Fifo => (!self.items.is_empty()).then_some(0),
            Order::Lifo => self.items.len().checked_sub(1),
            Order::Priority => (0..self.items.len()).min_by_key(|&i| self.items[i]),
        }?;
        Some(self.items.remove(index).0)
    }

    fn get(&mut self) -> Result<u8, GetError> {
        match self.take() {
            Some(v) => Ok(v),
            None if self.shut_down => Err(GetError::ShutDown),
            None => Err(GetError::Empty),
        }
    }

    fn task_done(&mut self) -> Result<(), TaskDoneError> {
        if self.unfinished == 0 {
            return Err(TaskDoneError);
        }
        self.unfinished -= 1;
        Ok(())
    }

    fn shutdown_immediate(&mut self) -> Vec<u8> {
        self.shut_down = true;
        let drained: Vec<u8> = std::iter::from_fn(|| self.take()).collect();
        self.unfinished = self.unfinished.saturating_sub(drained.len());
        drained
    }
}

/// Runs `ops` on a fresh queue and on the model, comparing every result and
/// the sizes after every step.
pub(crate) fn check_model<Q: Tracked<u8>>(
    order: Order,
    maxsize: usize,
    ops: &[Op],
) -> Result<(), TestCaseError> {
    let on_one_thread: Vec<_> = ops.iter().map(|&op| (false, op)).collect();
    check_model_on_two_threads::<Q>(order, maxsize, &on_one_thread)
}

/// Two threads, one step at a time: each op runs on the test's thread, or
/// (`true`) on a second thread that lives as long as the queue, so that the
/// queue's first getter (which counts its gets and its `task_done`s on its
/// own) and other threads take turns.
pub(crate) fn two_threads_ops() -> impl Strategy<Value = Vec<(bool, Op)>> {
    ops().prop_flat_map(|ops| {
        let n = ops.len();
        (Just(ops), proptest::collection::vec(any::<bool>(), n))
            .prop_map(|(ops, sides)| sides.into_iter().zip(ops).collect())
    })
}

/// [`check_model`] with each op on the thread [`two_threads_ops`] chose.
pub(crate) fn check_model_on_two_threads<Q: Tracked<u8>>(
    order: Order,
    maxsize: usize,
    ops: &[(bool, Op)],
) -> Result<(), TestCaseError> {
    let q = Q::new(maxsize);
    let model = bobbin_lock::Lock::new(Model {
        order,
        maxsize,
        items: Vec::new(),
        puts: 0,
        unfinished: 0,
        shut_down: false,
    });
    let run = |step: usize, op: Op| check_step(&q, &mut model.acquire(), maxsize, step, op);
    std::thread::scope(|s| {
        let (to_other, ops_there) = std::sync::mpsc::channel::<(usize, Op)>();
        let (results_there, from_other) = std::sync::mpsc::channel();
        let run = &run;
        s.spawn(move || {
            for (step, op) in ops_there {
                if results_there.send(run(step, op)).is_err() {
                    break;
                }
            }
        });
        for (step, &(elsewhere, op)) in ops.iter().enumerate() {
            if elsewhere {
                to_other
                    .send((step, op))
                    .expect("the other thread is running");
                from_other.recv().expect("the other thread answers")?;
            } else {
                run(step, op)?;
            }
        }
        Ok(())
    })
}

/// One step of [`check_model_on_two_threads`]: the op on the queue and on
/// the model, then the sizes.
fn check_step<Q: Tracked<u8>>(
    q: &Q,
    model: &mut Model,
    maxsize: usize,
    step: usize,
    op: Op,
) -> Result<(), TestCaseError> {
    match op {
        Op::TryPut(v) => prop_assert_eq!(q.try_put(v), model.put(v), "step {}", step),
        Op::PutZeroTimeout(v) => prop_assert_eq!(
            q.put_timeout(v, Duration::ZERO),
            model.put(v),
            "step {}",
            step
        ),
        Op::TryGet => prop_assert_eq!(q.try_get(), model.get(), "step {}", step),
        Op::GetZeroTimeout => {
            prop_assert_eq!(q.get_timeout(Duration::ZERO), model.get(), "step {}", step)
        }
        Op::TaskDone => prop_assert_eq!(q.task_done(), model.task_done(), "step {}", step),
        Op::JoinZeroTimeout => prop_assert_eq!(
            q.join_timeout(Duration::ZERO),
            model.unfinished == 0,
            "step {}",
            step
        ),
        Op::Shutdown => {
            q.shutdown();
            model.shut_down = true;
        }
        Op::ShutdownImmediate => {
            prop_assert_eq!(q.shutdown_immediate(), model.shutdown_immediate())
        }
    }
    prop_assert_eq!(q.qsize(), model.items.len(), "step {}", step);
    prop_assert_eq!(q.is_empty(), model.items.is_empty());
    prop_assert_eq!(q.is_full(), maxsize != 0 && model.items.len() >= maxsize);
    prop_assert_eq!(q.unfinished_tasks(), model.unfinished);
    prop_assert_eq!(q.is_shutdown(), model.shut_down);
    Ok(())
}
