//! `Local<T>`: isolation between threads, the lazy initialiser, the drop of a
//! thread's value when the thread ends (bobbin threads and std threads), the
//! drop of the rest with the `Local`, many instances, and re-entrance.

use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_signal::Event;
use bobbin_thread::{Local, spawn};
use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

const GENEROUS: Duration = Duration::from_secs(30);

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    // A `Local` of a `Send` but not `Sync` type is still shared freely: each
    // thread only ever touches its own value.
    assert_send_sync::<Local<Cell<u32>>>();
    assert_send_sync::<Local<Vec<String>>>();
};

/// A value that counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counted_local(drops: &Arc<AtomicUsize>) -> Arc<Local<Counted>> {
    let drops = Arc::clone(drops);
    Arc::new(Local::new(move || Counted(Arc::clone(&drops))))
}

#[test]
fn each_thread_sees_its_own_value() {
    let local = Arc::new(Local::new(|| 0_u32));
    local.set(100);
    let threads: Vec<_> = (1..=4)
        .map(|i| {
            let local = Arc::clone(&local);
            spawn(move || {
                let start = local.get();
                for _ in 0..i {
                    local.with(|n| *n += 1);
                }
                (start, local.get())
            })
            .unwrap()
        })
        .collect();
    for (i, t) in (1..=4).zip(threads) {
        assert_eq!(t.join().unwrap(), (0, i));
    }
    assert_eq!(local.get(), 100, "other threads never touched this value");
}

#[test]
fn the_initialiser_runs_once_per_thread_on_first_access() {
    let inits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&inits);
    let local = Arc::new(Local::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        String::from("fresh")
    }));
    assert_eq!(inits.load(Ordering::SeqCst), 0, "lazy: nothing made yet");
    assert_eq!(local.get(), "fresh");
    local.with(|s| s.push('!'));
    assert_eq!(local.get(), "fresh!");
    assert_eq!(inits.load(Ordering::SeqCst), 1);
    let theirs = Arc::clone(&local);
    assert_eq!(
        spawn(move || theirs.get()).unwrap().join().unwrap(),
        "fresh"
    );
    assert_eq!(inits.load(Ordering::SeqCst), 2);
    // A thread that never touches it makes none.
    let untouched = Arc::clone(&local);
    spawn(move || drop(untouched)).unwrap().join().unwrap();
    assert_eq!(inits.load(Ordering::SeqCst), 2);
    // `set` on a thread without a value does not run the initialiser.
    let theirs = Arc::clone(&local);
    let got = spawn(move || {
        theirs.set(String::from("given"));
        theirs.get()
    })
    .unwrap()
    .join()
    .unwrap();
    assert_eq!(got, "given");
    assert_eq!(inits.load(Ordering::SeqCst), 2);
}

#[test]
fn a_threads_value_is_dropped_when_the_thread_ends() {
    let drops = Arc::new(AtomicUsize::new(0));
    let local = counted_local(&drops);
    let release = Arc::new(Event::new());
    let (theirs, wait) = (Arc::clone(&local), Arc::clone(&release));
    let t = spawn(move || {
        theirs.with(|_| ());
        wait.wait();
    })
    .unwrap();
    assert!(!t.join_timeout(Duration::from_millis(10)));
    assert_eq!(drops.load(Ordering::SeqCst), 0, "alive: its value too");
    release.set();
    // Dropped before the thread counts as finished.
    assert!(t.join_timeout(GENEROUS));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    t.join().unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    drop(local);
    assert_eq!(drops.load(Ordering::SeqCst), 1, "no value left to drop");
}

#[test]
fn a_std_threads_value_is_dropped_when_it_ends() {
    let drops = Arc::new(AtomicUsize::new(0));
    let local = counted_local(&drops);
    let theirs = Arc::clone(&local);
    std::thread::spawn(move || theirs.with(|_| ()))
        .join()
        .unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn the_remaining_values_are_dropped_with_the_local() {
    let drops = Arc::new(AtomicUsize::new(0));
    let local = counted_local(&drops);
    local.with(|_| ()); // this thread's value
    let release = Arc::new(Event::new());
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let (theirs, wait) = (Arc::clone(&local), Arc::clone(&release));
            let made = Arc::new(Event::new());
            let signal = Arc::clone(&made);
            let t = spawn(move || {
                theirs.with(|_| ());
                drop(theirs);
                signal.set();
                wait.wait();
            })
            .unwrap();
            made.wait();
            t
        })
        .collect();
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    // The last handle: every thread's value goes now, the threads still run.
    let local = Arc::try_unwrap(local).unwrap_or_else(|_| panic!("the threads dropped theirs"));
    drop(local);
    assert_eq!(drops.load(Ordering::SeqCst), 4);
    assert!(threads.iter().all(|t| t.is_alive()));
    release.set();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(drops.load(Ordering::SeqCst), 4, "each value dropped once");
}

#[test]
fn many_locals_are_independent() {
    let locals: Vec<Local<usize>> = (0..100).map(|i| Local::new(move || i)).collect();
    for (i, local) in locals.iter().enumerate() {
        assert_eq!(local.get(), i);
        local.with(|v| *v *= 2);
    }
    for (i, local) in locals.iter().enumerate() {
        assert_eq!(local.get(), 2 * i);
    }
    // Made and dropped in a loop: a dropped Local's values are gone.
    let drops = Arc::new(AtomicUsize::new(0));
    for _ in 0..50 {
        let local = counted_local(&drops);
        local.with(|_| ());
    }
    assert_eq!(drops.load(Ordering::SeqCst), 50);
}

#[test]
fn set_get_and_take() {
    let local = Local::new(|| 1);
    assert_eq!(local.take(), None, "nothing made yet");
    local.set(5);
    assert_eq!(local.get(), 5);
    local.set(6);
    assert_eq!(local.take(), Some(6));
    assert_eq!(local.get(), 1, "made again by the initialiser");
    let d: Local<Vec<u8>> = Local::default();
    assert!(d.get().is_empty());
}

#[test]
fn reaching_the_same_local_inside_with_panics() {
    let local = Local::new(|| 0);
    let nested = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        local.with(|_| local.with(|_| ()));
    }));
    let message = nested.unwrap_err();
    assert_eq!(
        message.downcast_ref::<&str>(),
        Some(&"Local already borrowed on this thread")
    );
    // The value is intact and reachable afterwards.
    local.with(|n| *n += 1);
    assert_eq!(local.get(), 1);
    // Another Local inside `with` is fine.
    let other = Local::new(|| 10);
    assert_eq!(local.with(|a| other.with(|b| *a + *b)), 11);
}

#[test]
fn a_values_destructor_may_use_another_local() {
    // At thread exit, dropping `outer`'s value touches `inner`, which makes
    // a new value mid-cleanup; that one is dropped too.
    struct UsesOther {
        other: Arc<Local<Counted>>,
    }
    impl Drop for UsesOther {
        fn drop(&mut self) {
            self.other.with(|_| ());
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let inner = counted_local(&drops);
    let for_outer = Arc::clone(&inner);
    let outer = Arc::new(Local::new(move || UsesOther {
        other: Arc::clone(&for_outer),
    }));
    let theirs = Arc::clone(&outer);
    spawn(move || theirs.with(|_| ())).unwrap().join().unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let theirs = Arc::clone(&outer);
    std::thread::spawn(move || theirs.with(|_| ()))
        .join()
        .unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn debug_does_not_show_values() {
    let local = Local::new(|| "secret");
    local.with(|_| ());
    let text = format!("{local:?}");
    assert!(text.starts_with("Local"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}
