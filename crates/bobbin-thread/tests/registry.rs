//! The thread registry: `enumerate`, `active_count`, `current_thread`,
//! `get_ident`, `get_native_id`, dummy threads, and the registry seen from
//! several threads at once.
//!
//! Other tests of this binary run at the same time under `cargo test`, so
//! every check compares against the threads this test made itself, never
//! against a total; `tests/exit.rs` checks exact counts in a process of its
//! own, and `main_thread()` on the real main thread.

use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_signal::Event;
use bobbin_thread::{
    Builder, ThreadRef, active_count, current_thread, enumerate, get_ident, get_native_id,
    main_thread, spawn,
};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::spawn_blocked;

const GENEROUS: Duration = Duration::from_secs(30);

fn listed(thread: &ThreadRef) -> bool {
    enumerate().contains(thread)
}

#[test]
fn a_spawned_thread_is_listed_from_spawn_until_join_returns() {
    let (t, release) = spawn_blocked(Builder::new().name("listed"));
    let r = t.thread().clone();
    // Registered by `spawn` itself, whether or not the body has started.
    assert!(listed(&r));
    assert!(enumerate().iter().any(|t| t.name() == "listed"));
    release.set();
    t.join().unwrap();
    assert!(!listed(&r));
}

#[test]
fn a_thread_is_listed_before_its_body_starts() {
    // The body checks that it was listed before it ran: the spawner
    // registers the thread before the OS thread exists.
    let t = spawn(|| listed(&current_thread())).unwrap();
    assert!(t.join().unwrap());
}

#[test]
fn a_thread_is_unlisted_once_join_timeout_says_it_finished() {
    let t = spawn(|| ()).unwrap();
    assert!(t.join_timeout(GENEROUS));
    assert!(!listed(t.thread()));
    t.join().unwrap();
}

#[test]
fn the_registry_from_several_threads() {
    const N: usize = 4;
    let all_spawned = Arc::new(Event::new());
    let release = Arc::new(Event::new());
    let seen_all = Arc::new(AtomicUsize::new(0));
    let checked = Arc::new(AtomicUsize::new(0));
    let all_checked = Arc::new(Event::new());
    let threads: Vec<_> = (0..N)
        .map(|i| {
            let all_spawned = Arc::clone(&all_spawned);
            let release = Arc::clone(&release);
            let seen_all = Arc::clone(&seen_all);
            let checked = Arc::clone(&checked);
            let all_checked = Arc::clone(&all_checked);
            Builder::new()
                .name(format!("sibling-{i}"))
                .spawn(move || {
                    all_spawned.wait();
                    let me = current_thread();
                    assert_eq!(me.name(), format!("sibling-{i}"));
                    assert_eq!(me.ident(), get_ident());
                    let names: HashSet<String> =
                        enumerate().iter().map(|t| t.name().to_owned()).collect();
                    if (0..N).all(|j| names.contains(&format!("sibling-{j}")))
                        && names.contains("MainThread")
                    {
                        seen_all.fetch_add(1, Ordering::SeqCst);
                    }
                    // No sibling ends before every sibling has looked.
                    if checked.fetch_add(1, Ordering::SeqCst) + 1 == N {
                        all_checked.set();
                    }
                    release.wait();
                })
                .unwrap()
        })
        .collect();
    let ours: Vec<ThreadRef> = threads.iter().map(|t| t.thread().clone()).collect();
    all_spawned.set();
    // While all N are alive, there are at least N + 2 threads (main, this
    // test's dummy thread, the siblings).
    assert!(active_count() >= N + 2);
    let listed_now = enumerate();
    assert!(ours.iter().all(|t| listed_now.contains(t)));
    assert!(listed_now.contains(&main_thread()));
    assert!(listed_now.contains(&current_thread()));
    // Idents in the registry are unique.
    let idents: HashSet<u64> = listed_now.iter().map(ThreadRef::ident).collect();
    assert_eq!(idents.len(), listed_now.len());

    all_checked.wait();
    release.set();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(seen_all.load(Ordering::SeqCst), N);
    let after = enumerate();
    assert!(ours.iter().all(|t| !after.contains(t)));
}

#[test]
fn active_count_counts_this_tests_threads() {
    // Other tests' threads come and go: only lower bounds hold here (exact
    // counts are checked in tests/exit.rs, in a process of their own).
    let (t, release) = spawn_blocked(Builder::new());
    assert!(active_count() >= 3); // main, this test's thread, t
    release.set();
    t.join().unwrap();
    assert!(active_count() >= 2);
}

#[test]
fn the_main_thread_is_listed_first_from_any_thread() {
    let main = main_thread();
    assert_eq!(main.name(), "MainThread");
    assert!(!main.is_daemon());
    assert!(main.is_alive());
    assert_ne!(current_thread(), main, "a test body is not the main thread");
    assert_eq!(enumerate()[0], main);
    let from_spawned = spawn(main_thread).unwrap().join().unwrap();
    assert_eq!(from_spawned, main);
    #[cfg(all(target_os = "linux", not(miri)))]
    assert_eq!(main.native_id(), u64::from(std::process::id()));
}

#[test]
fn a_thread_bobbin_did_not_start_is_a_dummy_while_it_lives() {
    let (me, ident_before, listed_before, listed_during, native) = std::thread::spawn(|| {
        // Asking for one's ident registers nothing.
        let ident = get_ident();
        let listed_before = enumerate().iter().any(|t| t.ident() == ident);
        let me = current_thread();
        let listed_during = listed(&me);
        (me, ident, listed_before, listed_during, get_native_id())
    })
    .join()
    .unwrap();
    assert!(!listed_before);
    assert!(listed_during);
    assert_eq!(me.ident(), ident_before);
    assert_eq!(me.native_id(), native);
    let n: u64 = me
        .name()
        .strip_prefix("Dummy-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{:?}", me.name()));
    assert!(n >= 1);
    assert!(me.is_daemon());
    // Gone when the std thread has ended (its thread-locals are destroyed
    // before std's join returns).
    assert!(!me.is_alive());
    assert!(!listed(&me));
}

#[test]
fn a_dummy_thread_can_be_joined_by_its_registry_handle() {
    let release = Arc::new(Event::new());
    let wait = Arc::clone(&release);
    let (tx, rx) = std::sync::mpsc::channel();
    let std_thread = std::thread::spawn(move || {
        tx.send(current_thread()).unwrap();
        wait.wait();
    });
    let dummy = rx.recv().unwrap();
    assert!(!dummy.join_timeout(Duration::from_millis(10)));
    release.set();
    assert!(dummy.join_timeout(GENEROUS));
    std_thread.join().unwrap();
}

#[test]
fn current_thread_is_the_spawned_threads_own_handle() {
    let t = Builder::new()
        .name("me")
        .spawn(|| {
            let a = current_thread();
            let b = current_thread();
            assert_eq!(a, b);
            a
        })
        .unwrap();
    let handle = t.thread().clone();
    assert_eq!(t.join().unwrap(), handle);
}

#[test]
fn idents_are_never_reused() {
    let mut seen = HashSet::new();
    for _ in 0..if cfg!(miri) { 3 } else { 20 } {
        assert!(seen.insert(spawn(get_ident).unwrap().join().unwrap()));
        assert!(seen.insert(std::thread::spawn(get_ident).join().unwrap()));
    }
    assert!(!seen.contains(&0));
}

#[test]
fn get_native_id_is_the_kernels_thread_id() {
    let native = get_native_id();
    assert_ne!(native, 0);
    assert_eq!(native, current_thread().native_id());
    // Miri's threads have made-up kernel ids.
    #[cfg(all(target_os = "linux", not(miri)))]
    assert!(std::path::Path::new(&format!("/proc/self/task/{native}")).exists());
    let other = spawn(get_native_id).unwrap().join().unwrap();
    assert_ne!(other, native);
}

#[test]
fn a_timer_thread_is_listed() {
    let t = Builder::new()
        .name("listed-timer")
        .timer(Duration::from_secs(3600), || ())
        .unwrap();
    assert!(listed(t.thread()));
    assert!(t.cancel());
    let r = t.thread().clone();
    t.join().unwrap();
    assert!(!listed(&r));
}

#[test]
fn enumerate_from_enumerate_joins_every_worker() {
    // Python's idiom: join every thread but main and oneself.
    let threads: Vec<_> = (0..3)
        .map(|i| {
            Builder::new()
                .name(format!("idiom-{i}"))
                .spawn(|| std::thread::sleep(Duration::from_millis(10)))
                .unwrap()
        })
        .collect();
    let ours: Vec<ThreadRef> = threads.iter().map(|t| t.thread().clone()).collect();
    drop(threads);
    for t in enumerate() {
        if t.name().starts_with("idiom-") {
            t.join();
        }
    }
    assert!(ours.iter().all(|t| !t.is_alive()));
}
