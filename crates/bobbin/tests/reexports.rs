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

#[test]
fn barrier_names_are_at_the_root() {
    let barrier = bobbin::Barrier::new(1);
    assert_eq!(barrier.wait().unwrap(), 0);
    barrier.abort();
    let broken: bobbin::BrokenBarrierError = barrier.wait().unwrap_err();
    assert!(!broken.to_string().is_empty());
}

#[test]
fn lifo_and_priority_queues() {
    let lifo = bobbin::queue::LifoQueue::new(0);
    let prio = bobbin::queue::PriorityQueue::new(0);
    for n in [2, 1, 3] {
        lifo.put(n).unwrap();
        prio.put(n).unwrap();
    }
    assert_eq!(lifo.get().unwrap(), 3);
    assert_eq!(prio.get().unwrap(), 1);
}

#[test]
fn thread_names_are_at_the_root_and_in_bobbin_thread() {
    let t: bobbin::Thread<String> = bobbin::thread::Builder::new()
        .name("reexported")
        .spawn(|| bobbin::current_thread().name().to_owned())
        .unwrap();
    let ident = t.ident();
    assert!(
        bobbin::enumerate().iter().any(|r| r.ident() == ident) || !t.is_alive(),
        "a live thread is listed"
    );
    assert_eq!(t.join().unwrap(), "reexported");
    assert!(bobbin::active_count() >= 1);
    assert_ne!(bobbin::get_ident(), 0);
    assert_ne!(bobbin::get_native_id(), 0);
    assert_eq!(bobbin::main_thread().name(), "MainThread");
    // The default stack size, whatever it is, is what `set_stack_size` sets.
    let size = bobbin::stack_size();
    assert_eq!(bobbin::set_stack_size(size).unwrap(), size);
    // The default report, set explicitly: what a program has by default.
    bobbin::set_excepthook(bobbin::thread::default_excepthook);

    let local = bobbin::Local::new(|| 7);
    assert_eq!(local.get(), 7);

    let timer: bobbin::Timer = bobbin::Timer::start(Duration::from_secs(3600), || ()).unwrap();
    assert!(timer.cancel());
    timer.join().unwrap();

    // Python's two steps: `Timer(interval, f)`, then `start()`.
    let unstarted: bobbin::UnstartedTimer = bobbin::Timer::new(Duration::from_secs(3600), || ());
    let timer = unstarted.start().unwrap();
    assert!(timer.cancel());
    timer.join().unwrap();

    // The excepthook's argument type is at the root, as `threading.ExceptHookArgs` is.
    fn quiet(_: &bobbin::ExceptHookArgs<'_>) {}
    bobbin::set_excepthook(quiet);
    bobbin::set_excepthook(bobbin::thread::default_excepthook);

    let ran = bobbin::thread::spawn(|| 1 + 1).unwrap().join().unwrap();
    assert_eq!(ran, 2);
}

#[test]
fn condition_is_at_the_root_and_waits_with_lock_guards() {
    let lock = bobbin::Lock::new(false);
    let cond = bobbin::Condition::new();
    let mut ready = lock.acquire();
    // Nobody notifies: a timed wait returns false once its time is up.
    assert!(!cond.wait_timeout(&mut ready, Duration::from_millis(1)));
    assert_eq!(cond.notify_all(), 0);
    *ready = true;
    assert!(cond.wait_for(&mut ready, |ready| *ready, Some(Duration::ZERO)));
}

#[test]
fn the_hang_report_is_at_the_root() {
    // The root's `thread_dump` is bobbin-thread's, and it lists this thread
    // as running (it is the one asking). `current_thread` first: it is what
    // registers a thread bobbin did not start (the test harness's), as in
    // Python.
    let me = bobbin::current_thread();
    let report: bobbin::ThreadDump = bobbin::thread_dump();
    let line = report
        .find(me.name())
        .expect("the report lists the calling thread");
    assert!(line.blocked().is_none());
    let _: fn() -> bobbin_thread::ThreadDump = bobbin::thread_dump;
}

#[test]
fn timeout_max_is_the_largest_duration_and_waits_forever() {
    assert_eq!(bobbin::TIMEOUT_MAX, Duration::MAX);
    // A set event returns at once even with the largest timeout: no panic,
    // no overflow in turning it into a deadline.
    let event = bobbin::Event::new();
    event.set();
    assert!(event.wait_timeout(bobbin::TIMEOUT_MAX));
}
