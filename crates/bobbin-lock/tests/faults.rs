//! A panic while a thread holds a `Lock` or `RLock` guard or a semaphore
//! permit, with another thread already blocked waiting for it: the unwind
//! releases it, the waiter proceeds, and nothing is poisoned or left held.

use bobbin_lock::{BoundedSemaphore, Lock, RLock, Semaphore};
use bobbin_park::parked_threads;
use bobbin_park::sync::atomic::{AtomicBool, Ordering};
use std::panic::{AssertUnwindSafe, catch_unwind};

mod common;
use common::wait_for;

/// Runs `hold_and_panic` (which takes `resource` and holds the panic back
/// until `go` is set) and `wait` (which blocks on `resource`) on two
/// threads: the waiter starts once the resource is held, the panic comes
/// once the waiter is parked on it. Returns whether the panic reached its
/// thread's end and what the waiter returned.
fn panic_while_held<T: ?Sized + Sync, R: Send>(
    resource: &T,
    hold_and_panic: impl FnOnce(&AtomicBool, &AtomicBool) + Send,
    wait: impl FnOnce() -> R + Send,
) -> (bool, R) {
    let held = AtomicBool::new(false);
    let go = AtomicBool::new(false);
    let start = std::ptr::from_ref(resource).cast::<u8>().addr();
    let on_resource = start..start + size_of_val(resource);
    std::thread::scope(|s| {
        let holder = s.spawn(|| hold_and_panic(&held, &go));
        wait_for("the holder takes it", || held.load(Ordering::SeqCst));
        let waiter = s.spawn(wait);
        wait_for("the waiter parks", || {
            parked_threads()
                .iter()
                .any(|t| on_resource.contains(&t.key))
        });
        go.store(true, Ordering::SeqCst);
        let panicked = holder.join().is_err();
        (panicked, waiter.join().unwrap())
    })
}

/// Marks the resource held, waits for the go, and panics.
fn then_panic(held: &AtomicBool, go: &AtomicBool) -> ! {
    held.store(true, Ordering::SeqCst);
    wait_for("the go", || go.load(Ordering::SeqCst));
    panic!("a fault while holding it");
}

#[test]
fn a_panic_holding_a_lock_lets_the_blocked_waiter_in() {
    let lock = Lock::new(0_u32);
    let (panicked, seen) = panic_while_held(
        &lock,
        |held, go| {
            let mut guard = lock.acquire();
            *guard = 1;
            then_panic(held, go);
        },
        || {
            let mut guard = lock.acquire();
            *guard += 1;
            *guard
        },
    );
    assert!(panicked);
    // The waiter saw the write made before the panic (no poisoning, no
    // rollback) and the lock is free afterwards.
    assert_eq!(seen, 2);
    assert!(!lock.locked());
    assert_eq!(*lock.try_acquire().unwrap(), 2);
}

#[test]
fn a_panic_holding_nested_rlock_levels_lets_the_blocked_waiter_in() {
    let rlock = RLock::new(());
    let (panicked, got_it) = panic_while_held(
        &rlock,
        |held, go| {
            let _outer = rlock.acquire();
            let _inner = rlock.acquire();
            then_panic(held, go);
        },
        || {
            // One level, this thread's: the panicking owner's two are gone.
            let _guard = rlock.acquire();
            rlock.recursion_count() == 1 && rlock.is_owned()
        },
    );
    assert!(panicked);
    assert!(got_it);
    assert!(!rlock.locked());
}

#[test]
fn a_panic_holding_a_permit_lets_the_blocked_waiter_in() {
    let sem = Semaphore::new(1);
    let (panicked, ()) = panic_while_held(
        &sem,
        |held, go| {
            let _permit = sem.acquire();
            then_panic(held, go);
        },
        || drop(sem.acquire()),
    );
    assert!(panicked);
    assert_eq!(sem.available(), 1);

    // The bound of a BoundedSemaphore is respected by the unwinding release.
    let bounded = BoundedSemaphore::new(1);
    let (panicked, ()) = panic_while_held(
        &bounded,
        |held, go| {
            let _permit = bounded.acquire();
            then_panic(held, go);
        },
        || drop(bounded.acquire()),
    );
    assert!(panicked);
    assert_eq!(bounded.available(), 1);
    assert!(bounded.release(1).is_err(), "no permit too many");
}

#[test]
fn a_panic_in_a_guard_scope_on_this_thread_releases_it_too() {
    let lock = Lock::new(());
    let other = Lock::new(());
    let _held_elsewhere = other.acquire();
    let r = catch_unwind(AssertUnwindSafe(|| {
        let _g = lock.acquire();
        panic!("caught here");
    }));
    assert!(r.is_err());
    assert!(!lock.locked());
    // A lock held across the panic by an outer scope is unaffected.
    assert!(other.locked());
}
