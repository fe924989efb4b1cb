//! Every crate is reachable through the facade, under the names a Python
//! programmer looks for: `threading`'s at the root, `queue`'s in
//! `bobbin::queue`, and each crate whole as a module.

use std::time::Duration;

#[test]
fn lock_names_are_at_the_root() {
    let lock: bobbin::Lock<i32> = bobbin::Lock::new(1);
    let guard: bobbin::LockGuard<'_, i32> = lock.acquire();
    assert_eq!(*guard, 1);
    drop(guard);

    let rlock = bobbin::RLock::new(());
    let a: bobbin::RLockGuard<'_, ()> = rlock.acquire();
    let _b = rlock.acquire();
    assert_eq!(rlock.recursion_count(), 2);
    drop(a);

    let sem = bobbin::Semaphore::new(1);
    let permit: bobbin::SemaphoreGuard<'_> = sem.acquire();
    assert!(sem.try_acquire().is_none());
    drop(permit);

    let bounded = bobbin::BoundedSemaphore::new(1);
    let err: bobbin::ReleaseError = bounded.release(1).unwrap_err();
    assert!(!err.to_string().is_empty());
}

#[test]
fn lock_crate_is_a_module() {
    // The facade's `lock` module is the crate: the same types.
    let lock: bobbin_lock::Lock<()> = bobbin::lock::Lock::new(());
    let _: &bobbin::Lock<()> = &lock;
    let _raw = bobbin::lock::RawLock::new();
}

#[test]
fn signal_names_are_at_the_root() {
    let event = bobbin::Event::new();
    assert!(!event.wait_timeout(Duration::ZERO));
    event.set();
    assert!(bobbin::signal::Event::is_set(&event));
}

#[test]
fn queue_is_pythons_queue_module() {
    let q: bobbin::queue::Queue<u8> = bobbin::queue::Queue::new(1);
    q.put(1).unwrap();
    let full: bobbin::queue::PutError<u8> = q.try_put(2).unwrap_err();
    assert_eq!(full.into_inner(), 2);
    assert_eq!(q.get().unwrap(), 1);
    let empty: bobbin::queue::GetError = q.try_get().unwrap_err();
    assert!(!empty.to_string().is_empty());

    let simple = bobbin::queue::SimpleQueue::new();
    simple.put("x").unwrap();
    assert_eq!(simple.get().unwrap(), "x");
}
