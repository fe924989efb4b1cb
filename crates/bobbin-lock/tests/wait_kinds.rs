//! What a thread blocked in each primitive of this crate shows in a hang
//! report (`bobbin_park::parked_threads`, which `bobbin_thread::thread_dump`
//! names): the operation's kind and an address inside the primitive.

use bobbin_lock::{BoundedSemaphore, Lock, RLock, RawLock, Semaphore};
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_park::{ParkedThread, WaitKind, WaitLabel, parked_threads};
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
fn a_blocked_lock_acquire_is_named_and_placed() {
    let lock = Lock::new(7_u64);
    let held = lock.acquire();
    let record = parked_record(|| drop(lock.acquire()), || drop(held));
    assert_eq!(record.kind, "Lock.acquire");
    assert!(inside(record.key, &lock));
}

#[test]
fn a_blocked_rlock_acquire_is_named_and_placed() {
    let rlock = RLock::new(());
    let held = rlock.acquire();
    let record = parked_record(|| drop(rlock.acquire()), || drop(held));
    assert_eq!(record.kind, "RLock.acquire");
    assert!(inside(record.key, &rlock));
}

#[test]
fn a_blocked_raw_lock_is_a_lock_acquire() {
    use lock_api::RawMutex;
    let raw = RawLock::new();
    let guard = raw.lock();
    let record = parked_record(
        || {
            let g = raw.lock();
            // SAFETY: `g` is the state of the acquisition just made.
            unsafe { raw.unlock(g) };
        },
        // SAFETY: `guard` is the state of the acquisition made above.
        || unsafe { raw.unlock(guard) },
    );
    assert_eq!(record.kind, "Lock.acquire");
    assert!(inside(record.key, &raw));
}

#[test]
fn blocked_semaphore_acquires_are_named_and_placed() {
    let sem = Semaphore::new(0);
    let record = parked_record(|| drop(sem.acquire()), || sem.release(1).unwrap());
    assert_eq!(record.kind, "Semaphore.acquire");
    assert!(inside(record.key, &sem));

    // A BoundedSemaphore is a Semaphore in Python too.
    let bounded = BoundedSemaphore::new(1);
    let held = bounded.acquire();
    let record = parked_record(|| drop(bounded.acquire()), || drop(held));
    assert_eq!(record.kind, "Semaphore.acquire");
    assert!(inside(record.key, &bounded));
}

#[test]
fn an_enclosing_operation_keeps_its_name() {
    static OUTER: WaitKind = WaitKind::new("Outer.operation");
    let lock = Lock::new(());
    let held = lock.acquire();
    let record = parked_record(
        || {
            let _label = WaitLabel::unless_labelled(&OUTER);
            drop(lock.acquire());
        },
        || drop(held),
    );
    assert_eq!(record.kind, "Outer.operation");
    assert!(inside(record.key, &lock));
}
