//! `parked_threads`: a parked thread is reported with its label, key and
//! start time while it is parked, and only then.

use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use bobbin_park::{
    DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, Deadline, Key, ParkedThread, WaitKind, WaitLabel,
    park, parked_threads, unpark_all,
};
use std::time::Instant;

static OUTER: WaitKind = WaitKind::new("Test.outer");
static INNER: WaitKind = WaitKind::new("Test.inner");

/// Parks on `flag` until it is set, reporting its thread id first.
fn wait_for(flag: &AtomicBool, id: &AtomicUsize) {
    id.store(bobbin_park::thread::current_id(), Ordering::SeqCst);
    while !flag.load(Ordering::Acquire) {
        park(
            flag,
            || !flag.load(Ordering::Relaxed),
            || {},
            |_, _| {},
            DEFAULT_PARK_TOKEN,
            Deadline::never(),
        );
    }
}

/// The record of thread `id`, waiting until it appears.
fn record_of(id: &AtomicUsize) -> ParkedThread {
    loop {
        let id = id.load(Ordering::SeqCst);
        if id != 0
            && let Some(t) = parked_threads().into_iter().find(|t| t.thread_id == id)
        {
            return t;
        }
        bobbin_park::thread::yield_now();
    }
}

fn key_of<K: Key>(key: &K) -> usize {
    std::ptr::from_ref(key).addr()
}

#[test]
fn a_parked_thread_is_reported_with_its_label_key_and_start() {
    let flag = AtomicBool::new(false);
    let id = AtomicUsize::new(0);
    let before = Instant::now();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let _outer = WaitLabel::new(&OUTER);
            {
                let _inner = WaitLabel::new(&INNER);
                wait_for(&flag, &id);
            }
        });
        let record = record_of(&id);
        assert_eq!(record.kind, "Test.inner");
        assert_eq!(record.key, key_of(&flag));
        assert!(record.since >= before && record.since <= Instant::now());
        flag.store(true, Ordering::Release);
        unpark_all(&flag, DEFAULT_UNPARK_TOKEN);
        waiter.join().unwrap();
    });
    // Gone once it returned from the park.
    let id = id.load(Ordering::SeqCst);
    assert!(parked_threads().iter().all(|t| t.thread_id != id));
}

#[test]
fn labels_nest_and_unlabelled_parks_say_park() {
    let flag = AtomicBool::new(false);
    let id = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let outer = WaitLabel::new(&OUTER);
            drop(WaitLabel::new(&INNER));
            // The inner label is gone: the outer one applies again.
            wait_for(&flag, &id);
            drop(outer);
        });
        assert_eq!(record_of(&id).kind, "Test.outer");
        flag.store(true, Ordering::Release);
        unpark_all(&flag, DEFAULT_UNPARK_TOKEN);
        waiter.join().unwrap();
    });

    let flag = AtomicBool::new(false);
    let id = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| wait_for(&flag, &id));
        assert_eq!(record_of(&id).kind, "park");
        flag.store(true, Ordering::Release);
        unpark_all(&flag, DEFAULT_UNPARK_TOKEN);
        waiter.join().unwrap();
    });
}
