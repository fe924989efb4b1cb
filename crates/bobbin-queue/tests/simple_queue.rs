//! `SimpleQueue`: CPython 3.13's `BaseSimpleQueueTest` cases, the timeout
//! forms, drops, and a model test against a `VecDeque`.

use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_queue::{GetError, SimpleQueue};
use proptest::prelude::*;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Python's `feed`: put every input, then one sentinel per consumer.
fn run_threads(
    threads: usize,
    inputs: u32,
    consume: impl Fn(&SimpleQueue<Option<u32>>) -> Vec<u32> + Sync,
) -> Vec<u32> {
    let q = SimpleQueue::new();
    let next = AtomicUsize::new(0);
    let results = std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= inputs as usize {
                        q.put(None).unwrap();
                        return;
                    }
                    q.put(Some(i as u32)).unwrap();
                }
            });
        }
        let consumers: Vec<_> = (0..threads).map(|_| s.spawn(|| consume(&q))).collect();
        consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect::<Vec<_>>()
    });
    assert!(q.is_empty());
    assert_eq!(q.qsize(), 0);
    results
}

/// A consumer: gets until the sentinel and returns what it got.
type Consumer = fn(&SimpleQueue<Option<u32>>) -> Vec<u32>;

/// Python's `consume`: blocking gets until the sentinel.
fn consume(q: &SimpleQueue<Option<u32>>) -> Vec<u32> {
    q.iter().map_while(|item| item).collect()
}

/// Python's `consume_nonblock`.
fn consume_nonblock(q: &SimpleQueue<Option<u32>>) -> Vec<u32> {
    let mut got = Vec::new();
    loop {
        match q.try_get() {
            Ok(Some(v)) => got.push(v),
            Ok(None) => return got,
            Err(_) => bobbin_park::thread::yield_now(),
        }
    }
}

/// Python's `consume_timeout`.
fn consume_timeout(q: &SimpleQueue<Option<u32>>) -> Vec<u32> {
    let mut got = Vec::new();
    loop {
        match q.get_timeout(Duration::from_micros(10)) {
            Ok(Some(v)) => got.push(v),
            Ok(None) => return got,
            Err(e) => assert!(e.is_empty()),
        }
    }
}

/// `test_basic`.
#[test]
fn basic() {
    let q = SimpleQueue::new();
    assert!(q.is_empty());
    assert_eq!(q.qsize(), 0);
    q.put(1).unwrap();
    assert!(!q.is_empty());
    assert_eq!(q.qsize(), 1);
    q.put(2).unwrap();
    q.try_put(3).unwrap();
    q.put(4).unwrap();
    assert_eq!(q.qsize(), 4);
    assert_eq!(q.get(), Ok(1));
    assert_eq!(q.qsize(), 3);
    assert_eq!(q.try_get(), Ok(2));
    assert_eq!(q.get_timeout(Duration::ZERO), Ok(3));
    assert_eq!(q.get_timeout(Duration::from_millis(100)), Ok(4));
    assert!(q.is_empty());
    assert_eq!(q.try_get(), Err(GetError::Empty));
    assert_eq!(
        q.get_timeout(Duration::from_millis(1)),
        Err(GetError::Empty)
    );
    assert_eq!(q.get_until(Instant::now()), Err(GetError::Empty));
    assert_eq!(q.qsize(), 0);
}

/// `test_order`: one producer, one consumer, the items in order.
#[test]
fn order() {
    let inputs = if cfg!(miri) { 20 } else { 100 };
    assert_eq!(
        run_threads(1, inputs, consume),
        (0..inputs).collect::<Vec<_>>()
    );
}

/// `test_many_threads` and its non-blocking and timeout variants.
#[test]
fn many_threads() {
    let inputs = if cfg!(miri) { 100 } else { 10_000 };
    let consumers: [Consumer; 3] = [consume, consume_nonblock, consume_timeout];
    for consume in consumers {
        let mut results = run_threads(8, inputs, consume);
        results.sort_unstable();
        assert_eq!(results, (0..inputs).collect::<Vec<_>>());
    }
}

/// Python accepts and ignores `block` and `timeout` on a put: so do the
/// timeout forms here, and none ever fails.
#[test]
fn puts_never_wait_or_fail() {
    let q = SimpleQueue::new();
    let past = Instant::now();
    for i in 0..1000 {
        assert_eq!(q.put_timeout(i, Duration::ZERO), Ok(()));
        assert_eq!(q.put_until(i, past), Ok(()));
    }
    assert_eq!(q.qsize(), 2000);
    assert_eq!(q.try_iter().count(), 2000);
}

#[test]
fn get_timeout_returns_at_or_after_it() {
    let q: SimpleQueue<u8> = SimpleQueue::default();
    let timeout = Duration::from_millis(30);
    let start = Instant::now();
    assert_eq!(q.get_timeout(timeout), Err(GetError::Empty));
    assert!(start.elapsed() >= timeout);
    let deadline = Instant::now() + timeout;
    assert_eq!(q.get_until(deadline), Err(GetError::Empty));
    assert!(Instant::now() >= deadline);
}

#[test]
fn blocked_getters_wake_for_puts() {
    let q = SimpleQueue::new();
    std::thread::scope(|s| {
        let getters: Vec<_> = (0..3).map(|_| s.spawn(|| q.get().unwrap())).collect();
        let timed = s.spawn(|| q.get_timeout(Duration::MAX).unwrap());
        std::thread::sleep(Duration::from_millis(20)); // let them park
        for i in 0..4 {
            q.put(i).unwrap();
        }
        let mut got: Vec<i32> = getters.into_iter().map(|g| g.join().unwrap()).collect();
        got.push(timed.join().unwrap());
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2, 3]);
    });
}

#[test]
fn iterators() {
    let q = SimpleQueue::new();
    q.put("a").unwrap();
    q.put("b").unwrap();
    assert_eq!(q.iter().take(1).collect::<Vec<_>>(), ["a"]);
    // `&q` iterates with blocking gets: take one, so that it never waits.
    let rest: Vec<&str> = (&q).into_iter().take(1).collect();
    assert_eq!(rest, ["b"]);
    assert_eq!(q.try_iter().next(), None);
}

/// An item that counts its drops.
struct Counted(&'static AtomicUsize);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn dropped_queue_drops_its_items_once() {
    let drops: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
    let q = SimpleQueue::new();
    for _ in 0..100 {
        q.put(Counted(drops)).unwrap();
    }
    drop(q.get().unwrap());
    assert_eq!(drops.load(Ordering::Relaxed), 1);
    drop(q);
    assert_eq!(drops.load(Ordering::Relaxed), 100);
}

#[test]
fn debug_shows_the_size_without_the_items() {
    struct Opaque;
    let q = SimpleQueue::new();
    q.put(Opaque).map_err(|_| ()).unwrap();
    assert_eq!(format!("{q:?}"), "SimpleQueue { qsize: 1, .. }");
}

#[test]
fn is_send_and_sync_for_send_items() {
    fn send_sync<X: Send + Sync>() {}
    send_sync::<SimpleQueue<std::cell::Cell<u8>>>();
    send_sync::<bobbin_queue::Iter<'static, SimpleQueue<u8>>>();
    send_sync::<bobbin_queue::TryIter<'static, SimpleQueue<u8>>>();
}

#[derive(Clone, Debug)]
enum Op {
    Put(u8),
    TryPut(u8),
    TryGet,
    GetZeroTimeout,
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct("tests/simple_queue.proptest-regressions"),
        )),
        ..ProptestConfig::default()
    })]

    /// Random sequences of non-blocking operations agree with a `VecDeque`.
    #[test]
    fn agrees_with_a_model(ops in proptest::collection::vec(prop_oneof![
        any::<u8>().prop_map(Op::Put),
        any::<u8>().prop_map(Op::TryPut),
        Just(Op::TryGet),
        Just(Op::GetZeroTimeout),
    ], 0..80)) {
        let q = SimpleQueue::new();
        let mut model = VecDeque::new();
        for op in ops {
            match op {
                Op::Put(v) => {
                    prop_assert_eq!(q.put(v), Ok(()));
                    model.push_back(v);
                }
                Op::TryPut(v) => {
                    prop_assert_eq!(q.try_put(v), Ok(()));
                    model.push_back(v);
                }
                Op::TryGet => prop_assert_eq!(q.try_get().ok(), model.pop_front()),
                Op::GetZeroTimeout => {
                    prop_assert_eq!(q.get_timeout(Duration::ZERO).ok(), model.pop_front())
                }
            }
            prop_assert_eq!(q.qsize(), model.len());
            prop_assert_eq!(q.is_empty(), model.is_empty());
        }
    }
}
