//! What a thread blocked in each queue operation shows in a hang report
//! (`bobbin_park::parked_threads`, which `bobbin_thread::thread_dump`
//! names): the operation's kind and an address inside the queue.

use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_park::{ParkedThread, parked_threads};
use bobbin_queue::{LifoQueue, PriorityQueue, Queue, SimpleQueue};
use std::time::{Duration, Instant};

/// Runs `block` on a new thread, waits until that thread is parked, runs
/// `release` (which must let `block` return) and returns the park's record.
fn parked_record(block: impl FnOnce() + Send, release: impl FnOnce()) -> ParkedThread {
    let id = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            id.store(bobbin_park::thread::current_id(), Ordering::SeqCst);
            block();
        });
        let start = Instant::now();
        let record = loop {
            let id = id.load(Ordering::SeqCst);
            let found = parked_threads().into_iter().find(|t| t.thread_id == id);
            if found.is_some() || start.elapsed() > Duration::from_secs(10) {
                break found;
            }
            bobbin_park::thread::yield_now();
        };
        // Released whatever was found, so that a failure cannot hang.
        release();
        record.expect("the thread never parked")
    })
}

/// Whether `key` lies inside `object`.
fn inside<T: ?Sized>(key: usize, object: &T) -> bool {
    let start = std::ptr::from_ref(object).cast::<u8>().addr();
    (start..start + size_of_val(object)).contains(&key)
}

#[test]
fn blocked_gets_are_named_and_placed() {
    let q = Queue::new(0);
    let record = parked_record(|| assert_eq!(q.get(), Ok(1)), || q.put(1).unwrap());
    assert_eq!(record.kind, "Queue.get");
    assert!(inside(record.key, &q));

    // LifoQueue and PriorityQueue are Queues in Python too.
    let q = LifoQueue::new(0);
    let record = parked_record(|| assert_eq!(q.get(), Ok(1)), || q.put(1).unwrap());
    assert_eq!(record.kind, "Queue.get");
    assert!(inside(record.key, &q));
    let q = PriorityQueue::new(0);
    let record = parked_record(|| assert_eq!(q.get(), Ok(1)), || q.put(1).unwrap());
    assert_eq!(record.kind, "Queue.get");
    assert!(inside(record.key, &q));

    let q = SimpleQueue::new();
    let record = parked_record(|| assert_eq!(q.get(), Ok(1)), || q.put(1).unwrap());
    assert_eq!(record.kind, "SimpleQueue.get");
    assert!(inside(record.key, &q));
}

#[test]
fn a_blocked_put_is_named_and_placed() {
    let q = Queue::new(1);
    q.put(0).unwrap();
    let record = parked_record(|| q.put(1).unwrap(), || assert_eq!(q.get(), Ok(0)));
    assert_eq!(record.kind, "Queue.put");
    assert!(inside(record.key, &q));
}

#[test]
fn a_blocked_join_is_named_and_placed() {
    let q = Queue::new(0);
    q.put(0).unwrap();
    let record = parked_record(
        || q.join(),
        || {
            q.get().unwrap();
            q.task_done().unwrap();
        },
    );
    assert_eq!(record.kind, "Queue.join");
    assert!(inside(record.key, &q));
}
