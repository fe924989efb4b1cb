//! What a thread blocked in each primitive of this crate shows in a hang
//! report (`bobbin_park::parked_threads`, which `bobbin_thread::thread_dump`
//! names): the operation's kind and an address inside the primitive.

use bobbin_lock::Lock;
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_park::{ParkedThread, parked_threads};
use bobbin_signal::{Barrier, Condition, Event};
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
fn a_blocked_event_wait_is_named_and_placed() {
    let event = Event::new();
    let record = parked_record(|| assert!(event.wait()), || event.set());
    assert_eq!(record.kind, "Event.wait");
    assert!(inside(record.key, &event));
}

#[test]
fn a_condition_wait_is_named_before_and_after_its_notification() {
    let ready = Lock::new(false);
    let cond = Condition::new();
    let waiter = || {
        let mut guard = ready.acquire();
        while !*guard {
            cond.wait(&mut guard);
        }
    };
    let record = parked_record(waiter, || {
        *ready.acquire() = true;
        cond.notify_all();
    });
    assert_eq!(record.kind, "Condition.wait");
    assert!(inside(record.key, &cond));

    // Notified while the lock is held, the waiter is moved to the lock's
    // queue: still in its condition wait, which names it.
    let ready = Lock::new(false);
    let cond = Condition::new();
    let waiter = || {
        let mut guard = ready.acquire();
        while !*guard {
            cond.wait(&mut guard);
        }
    };
    let id = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            id.store(bobbin_park::thread::current_id(), Ordering::SeqCst);
            waiter();
        });
        let parked = || {
            let id = id.load(Ordering::SeqCst);
            parked_threads().into_iter().find(|t| t.thread_id == id)
        };
        let start = Instant::now();
        while parked().is_none() && start.elapsed() < Duration::from_secs(10) {
            bobbin_park::thread::yield_now();
        }
        let mut guard = ready.acquire();
        *guard = true;
        cond.notify_all();
        // Requeued onto the held lock, not woken: still parked, still named.
        let record = parked();
        drop(guard);
        let record = record.expect("the waiter parked");
        assert_eq!(record.kind, "Condition.wait");
    });
}

#[test]
fn a_blocked_barrier_wait_is_named_and_placed() {
    let barrier = Barrier::new(2);
    let record = parked_record(
        || assert!(barrier.wait().is_ok()),
        || assert!(barrier.wait().is_ok()),
    );
    assert_eq!(record.kind, "Barrier.wait");
    assert!(inside(record.key, &barrier));
}
