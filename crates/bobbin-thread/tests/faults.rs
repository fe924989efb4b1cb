//! Faults in user code that bobbin-thread runs: a `Local` initialiser that
//! panics (that thread's access fails, other threads are unaffected), and a
//! panicking `Timer` function or thread body among others that are fine
//! (`join` gives `Err`, the others run and join normally; the excepthook's
//! report of each is checked by `tests/excepthook.rs`).

use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_thread::{Builder, Local, Timer, current_thread, spawn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn a_panicking_local_initialiser_fails_only_that_threads_access() {
    // The initialiser panics on the thread named "unlucky" only.
    let inits = Arc::new(AtomicUsize::new(0));
    let local = {
        let inits = Arc::clone(&inits);
        Arc::new(Local::new(move || {
            inits.fetch_add(1, Ordering::SeqCst);
            assert!(current_thread().name() != "unlucky", "no value for you");
            7_u32
        }))
    };
    let unlucky = {
        let local = Arc::clone(&local);
        Builder::new()
            .name("unlucky")
            .spawn(move || {
                // Every access that needs the initialiser fails, and leaves
                // no half-made value behind.
                let first = catch_unwind(AssertUnwindSafe(|| local.get()));
                let second = catch_unwind(AssertUnwindSafe(|| local.with(|v| *v)));
                assert!(first.is_err() && second.is_err());
                assert_eq!(local.take(), None);
                // A value set without the initialiser works.
                local.set(3);
                assert_eq!(local.get(), 3);
                local.with(|v| *v += 1);
                local.get()
            })
            .unwrap()
    };
    let lucky = {
        let local = Arc::clone(&local);
        Builder::new()
            .name("lucky")
            .spawn(move || {
                local.with(|v| *v += 1);
                local.get()
            })
            .unwrap()
    };
    assert_eq!(unlucky.join().unwrap(), 4);
    assert_eq!(lucky.join().unwrap(), 8);
    // This thread is unaffected too.
    assert_eq!(local.get(), 7);

    // A thread whose body dies of the initialiser's panic ends like any
    // panicking thread: join gives the panic, and the Local still works.
    let dies = {
        let local = Arc::clone(&local);
        Builder::new()
            .name("unlucky")
            .spawn(move || local.get())
            .unwrap()
    };
    let err = dies.join().unwrap_err();
    assert_eq!(err.message(), Some("no value for you"));
    assert_eq!(local.get(), 7);
    // Three failed initialisations (two on "unlucky", one on the thread
    // that died) and two good ones ("lucky" and this thread); none for the
    // value that was set.
    assert_eq!(inits.load(Ordering::SeqCst), 5);
}

#[test]
fn a_panicking_timer_function_leaves_other_timers_and_threads_alone() {
    let fired = Arc::new(AtomicUsize::new(0));
    let good = |fired: &Arc<AtomicUsize>| {
        let fired = Arc::clone(fired);
        Timer::start(Duration::from_millis(1), move || {
            fired.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap()
    };
    let before = good(&fired);
    let bad = Builder::new()
        .name("faulty-timer")
        .timer(Duration::ZERO, || panic!("the timer's function failed"))
        .unwrap();
    let after = good(&fired);
    let worker = spawn(|| 40 + 2).unwrap();

    let err = bad.join().unwrap_err();
    assert_eq!(err.thread_name(), "faulty-timer");
    assert_eq!(err.message(), Some("the timer's function failed"));
    before.join().unwrap();
    after.join().unwrap();
    assert_eq!(fired.load(Ordering::SeqCst), 2);
    assert_eq!(worker.join().unwrap(), 42);
    // A timer started after the fault works as well.
    let again = good(&fired);
    again.join().unwrap();
    assert_eq!(fired.load(Ordering::SeqCst), 3);
}
