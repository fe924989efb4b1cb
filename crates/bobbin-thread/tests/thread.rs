//! `Builder`, `spawn` and the `Thread` handle: names and their counter, the
//! OS thread name, daemon inheritance, joins with and without a timeout,
//! `is_alive`, joining oneself, stack sizes, the `Run` pattern, panics
//! through `join`.
//!
//! Other tests of this binary spawn threads at the same time (`cargo test`
//! runs them in one process), so nothing here counts on consecutive numbers;
//! `tests/exit.rs` checks those in a process of its own.

use bobbin_signal::Event;
use bobbin_thread::{
    Builder, Panicked, Run, Thread, ThreadRef, current_thread, enumerate, get_ident, get_native_id,
    spawn,
};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;
use common::spawn_blocked;

/// A timeout for waits that must time out.
const SHORT: Duration = Duration::from_millis(50);

/// An upper bound no healthy wait comes near, even on a busy 2-core machine.
const GENEROUS: Duration = Duration::from_secs(30);

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Thread<u32>>();
    assert_send_sync::<ThreadRef>();
    assert_send_sync::<Builder>();
    const fn assert_send<T: Send>() {}
    assert_send::<Panicked>();
};

/// The N of a default name `Thread-N`.
fn number(name: &str) -> u64 {
    name.strip_prefix("Thread-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{name:?} is not a default name"))
}

#[test]
fn default_names_count_up_from_one_counter() {
    let threads: Vec<_> = (0..3).map(|_| spawn(|| ()).unwrap()).collect();
    let numbers: Vec<u64> = threads.iter().map(|t| number(t.name())).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    assert!(numbers[0] >= 1);
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn a_given_name_is_kept_and_takes_no_number() {
    let before = number(spawn(|| ()).unwrap().name());
    let named = Builder::new()
        .name("worker")
        .spawn(|| current_thread().name().to_owned())
        .unwrap();
    let after = number(spawn(|| ()).unwrap().name());
    assert_eq!(named.name(), "worker");
    assert_eq!(named.join().unwrap(), "worker");
    assert!(after > before);
    // Names need not be unique.
    let twin = Builder::new().name("worker").spawn(|| ()).unwrap();
    assert_eq!(twin.name(), "worker");
    twin.join().unwrap();
}

#[test]
fn a_default_name_is_drawn_when_the_builder_is_made_not_when_it_spawns() {
    // CPython's `test_threading.ThreadTests.test_name`: `Thread()` takes its
    // `Thread-N` when it is made. Builders made a then b are numbered a
    // then b, whichever spawns first.
    let a = Builder::new();
    let b = Builder::new();
    let second = b.spawn(|| ()).unwrap();
    let first = a.spawn(|| ()).unwrap();
    assert!(
        number(first.name()) < number(second.name()),
        "{} was made before {}",
        first.name(),
        second.name()
    );
    first.join().unwrap();
    second.join().unwrap();
}

#[test]
fn a_builders_name_can_be_read_before_it_spawns() {
    // Python's `t = Thread(); t.name` before `t.start()`.
    let unnamed = Builder::new();
    let drawn = unnamed.thread_name().to_owned();
    number(&drawn);
    let t = unnamed
        .spawn(|| current_thread().name().to_owned())
        .unwrap();
    assert_eq!(t.name(), drawn);
    assert_eq!(t.join().unwrap(), drawn);

    let named = Builder::new().name("reader");
    assert_eq!(named.thread_name(), "reader");
    // An empty name means the default again: a number drawn now.
    let renamed = named.name("");
    let later = number(renamed.thread_name());
    assert!(later > number(&drawn));
    assert_eq!(
        renamed.spawn(|| ()).unwrap().name(),
        format!("Thread-{later}")
    );
}

#[test]
fn a_cloned_builder_is_another_thread_with_a_number_of_its_own() {
    let original = Builder::new().daemon(true);
    let twin = original.clone();
    assert!(number(original.thread_name()) < number(twin.thread_name()));
    let (a, b) = (original.spawn(|| ()).unwrap(), twin.spawn(|| ()).unwrap());
    assert_ne!(a.name(), b.name());
    assert!(a.is_daemon() && b.is_daemon());
    // A given name is copied.
    let named = Builder::new().name("twins");
    assert_eq!(named.clone().thread_name(), "twins");
    a.join().unwrap();
    b.join().unwrap();
}

#[test]
fn an_empty_name_means_the_default() {
    let t = Builder::new().name("").spawn(|| ()).unwrap();
    number(t.name());
    t.join().unwrap();
}

#[test]
fn std_sees_the_name_too() {
    let t = Builder::new()
        .name("seen by std and tracing")
        .spawn(|| std::thread::current().name().map(str::to_owned))
        .unwrap();
    assert_eq!(
        t.join().unwrap().as_deref(),
        Some("seen by std and tracing")
    );
    let t = spawn(|| std::thread::current().name().map(str::to_owned)).unwrap();
    let name = t.name().to_owned();
    assert_eq!(t.join().unwrap(), Some(name));
}

/// The OS's name of a live thread, from `/proc` (Linux keeps 15 bytes).
/// Not under Miri, whose threads have made-up kernel ids.
#[cfg(all(target_os = "linux", not(miri)))]
fn os_name(native_id: u64) -> String {
    std::fs::read_to_string(format!("/proc/self/task/{native_id}/comm"))
        .unwrap()
        .trim_end_matches('\n')
        .to_owned()
}

#[cfg(all(target_os = "linux", not(miri)))]
#[test]
fn the_os_thread_gets_the_name() {
    for (name, os) in [
        ("short", "short"),
        ("exactly-15-byte", "exactly-15-byte"),
        ("a rather long thread name", "a rather long t"),
        ("nul\0after", "nul"),
    ] {
        let (t, release) = spawn_blocked(Builder::new().name(name));
        assert_eq!(os_name(t.native_id()), os, "for {name:?}");
        assert_eq!(t.name(), name, "the registry keeps the whole name");
        release.set();
        t.join().unwrap();
    }
    // A default name goes to the OS as well.
    let (t, release) = spawn_blocked(Builder::new());
    assert_eq!(os_name(t.native_id()), t.name());
    release.set();
    t.join().unwrap();
}

#[test]
fn daemon_is_inherited_from_the_spawning_thread() {
    let child_of = |daemon: bool| {
        Builder::new()
            .daemon(daemon)
            .spawn(|| {
                let child = spawn(|| current_thread().is_daemon()).unwrap();
                let flag = child.is_daemon();
                assert_eq!(child.join().unwrap(), flag);
                flag
            })
            .unwrap()
            .join()
            .unwrap()
    };
    assert!(child_of(true));
    assert!(!child_of(false));
    // Said explicitly, the flag is not inherited.
    let t = Builder::new()
        .daemon(true)
        .spawn(|| {
            Builder::new()
                .daemon(false)
                .spawn(|| ())
                .unwrap()
                .is_daemon()
        })
        .unwrap();
    assert!(!t.join().unwrap());
    // A test body runs on a dummy thread, which is a daemon.
    assert!(current_thread().is_daemon());
    let t = spawn(|| ()).unwrap();
    assert!(t.is_daemon());
    t.join().unwrap();
}

#[test]
fn join_timeout_times_out_on_a_blocked_thread_then_join_gets_the_value() {
    let release = Arc::new(Event::new());
    let wait = Arc::clone(&release);
    let t = spawn(move || {
        wait.wait();
        42
    })
    .unwrap();
    assert!(t.is_alive());

    let start = Instant::now();
    assert!(!t.join_timeout(SHORT));
    let waited = start.elapsed();
    assert!(waited >= SHORT, "returned early: {waited:?}");
    assert!(waited < GENEROUS, "{waited:?}");
    assert!(t.is_alive());

    let start = Instant::now();
    assert!(!t.join_until(Instant::now() + SHORT));
    assert!(start.elapsed() >= SHORT);

    // Zero and past deadlines only look.
    assert!(!t.join_timeout(Duration::ZERO));
    assert!(!t.join_until(Instant::now()));
    assert!(t.is_alive());

    release.set();
    assert!(t.join_timeout(GENEROUS));
    assert!(!t.is_alive());
    assert!(
        t.join_timeout(Duration::ZERO),
        "a finished thread stays joined"
    );
    assert!(t.join_until(Instant::now()));
    assert_eq!(t.join().unwrap(), 42);
}

#[test]
fn join_timeout_of_duration_max_waits_for_the_end() {
    let (t, release) = spawn_blocked(Builder::new());
    let setter = spawn(move || {
        std::thread::sleep(SHORT);
        release.set();
    })
    .unwrap();
    assert!(t.join_timeout(Duration::MAX));
    setter.join().unwrap();
    t.join().unwrap();
}

#[test]
fn is_alive_from_spawn_until_the_body_ends() {
    let (t, release) = spawn_blocked(Builder::new());
    let r = t.thread().clone();
    assert!(t.is_alive());
    assert!(r.is_alive());
    release.set();
    t.join().unwrap();
    assert!(!r.is_alive());
}

#[test]
fn joining_the_current_thread_panics_instead_of_deadlocking() {
    fn message(outcome: std::thread::Result<()>) -> String {
        let payload = outcome.unwrap_err();
        payload
            .downcast_ref::<&str>()
            .copied()
            .unwrap_or_default()
            .to_owned()
    }
    // The handle reaches its own thread through a channel.
    let (tx, rx) = mpsc::channel::<Thread<()>>();
    let (out_tx, out_rx) = mpsc::channel();
    let t = spawn(move || {
        let me = rx.recv().unwrap();
        let timed = message(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
            || {
                let _ = me.join_timeout(Duration::ZERO);
            },
        )));
        let by_ref = message(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
            || {
                me.thread().join();
            },
        )));
        let whole = message(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
            || {
                let _ = me.join();
            },
        )));
        out_tx.send([timed, by_ref, whole]).unwrap();
    })
    .unwrap();
    let watcher = t.thread().clone();
    tx.send(t).unwrap();
    let messages = out_rx.recv_timeout(GENEROUS).unwrap();
    assert_eq!(messages, ["cannot join current thread"; 3]);
    assert!(watcher.join_timeout(GENEROUS));
}

#[test]
fn ident_and_native_id_match_what_the_thread_sees() {
    let release = Arc::new(Event::new());
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let wait = Arc::clone(&release);
            spawn(move || {
                wait.wait();
                (get_ident(), get_native_id(), current_thread())
            })
            .unwrap()
        })
        .collect();
    let idents: Vec<u64> = threads.iter().map(Thread::ident).collect();
    let natives: Vec<u64> = threads.iter().map(Thread::native_id).collect();
    for (i, a) in idents.iter().enumerate() {
        assert_ne!(*a, 0);
        assert_ne!(*a, get_ident());
        assert!(idents[i + 1..].iter().all(|b| b != a), "{idents:?}");
        assert!(
            natives[i + 1..].iter().all(|b| *b != natives[i]),
            "{natives:?}"
        );
    }
    release.set();
    for (t, (ident, native)) in threads.into_iter().zip(idents.into_iter().zip(natives)) {
        let handle = t.thread().clone();
        let (seen_ident, seen_native, seen_current) = t.join().unwrap();
        assert_eq!(seen_ident, ident);
        assert_eq!(seen_native, native);
        assert_eq!(seen_current, handle);
        // The ident and native id stay readable after the end.
        assert_eq!(handle.ident(), ident);
        assert_eq!(handle.native_id(), native);
    }
}

#[test]
fn a_stack_size_is_given_to_the_os_thread() {
    fn depth(n: u64) -> u64 {
        // Some stack per frame, which the optimiser cannot fold away.
        let pad = std::hint::black_box([n; 64]);
        if n == 0 {
            pad[0]
        } else {
            1 + depth(n - 1) + pad[1] - n
        }
    }
    let frames = if cfg!(miri) { 500 } else { 50_000 };
    let t = Builder::new()
        .stack_size(64 << 20)
        .spawn(move || depth(frames))
        .unwrap();
    assert_eq!(t.join().unwrap(), frames);
}

// Miri does not map thread stacks, so any size works there.
#[cfg(not(miri))]
#[test]
fn a_failed_spawn_is_an_error_and_leaves_no_trace() {
    // No machine can map a stack of a pebibyte.
    let result = Builder::new()
        .name("never-started")
        .stack_size(1 << 50)
        .spawn(|| ());
    assert!(result.is_err());
    assert!(!enumerate().iter().any(|t| t.name() == "never-started"));
}

#[test]
fn run_is_the_subclass_pattern() {
    struct Counter {
        upto: u32,
    }
    impl Run for Counter {
        type Output = (String, u32);
        fn run(self) -> (String, u32) {
            (current_thread().name().to_owned(), (1..=self.upto).sum())
        }
    }
    let t = Builder::new()
        .name("counter")
        .start(Counter { upto: 4 })
        .unwrap();
    assert_eq!(t.join().unwrap(), ("counter".to_owned(), 10));
}

#[test]
fn a_panic_comes_back_through_join() {
    let what = String::from("thing"); // a run-time argument: a String payload
    let t = Builder::new()
        .name("panics-through-join")
        .spawn(move || -> u32 { panic!("the {what} went wrong") })
        .unwrap();
    let err = t.join().unwrap_err();
    assert_eq!(err.thread_name(), "panics-through-join");
    assert_eq!(err.message(), Some("the thing went wrong"));
    assert_eq!(
        err.to_string(),
        "thread 'panics-through-join' panicked: the thing went wrong"
    );
    let payload = err.into_payload();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("the thing went wrong")
    );

    let t = spawn(|| std::panic::panic_any(17_i64)).unwrap();
    let err = t.join().unwrap_err();
    assert_eq!(err.message(), None);
    assert_eq!(err.payload().downcast_ref::<i64>(), Some(&17));
}

#[test]
fn a_dropped_handle_detaches_the_thread() {
    let (tx, rx) = mpsc::channel();
    let t = spawn(move || tx.send(get_ident()).unwrap()).unwrap();
    let r = t.thread().clone();
    drop(t);
    assert_eq!(rx.recv_timeout(GENEROUS).unwrap(), r.ident());
    assert!(r.join_timeout(GENEROUS));
}

#[test]
fn debug_shows_name_and_state() {
    let t = Builder::new()
        .name("dbg")
        .daemon(true)
        .spawn(|| ())
        .unwrap();
    let r = t.thread().clone();
    t.join().unwrap();
    let text = format!("{r:?}");
    assert!(text.contains("\"dbg\""), "{text}");
    assert!(text.contains("daemon: true"), "{text}");
    assert!(text.contains("stopped"), "{text}");
}
