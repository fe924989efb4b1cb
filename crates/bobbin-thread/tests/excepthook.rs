//! The excepthook: a user hook replaces the report of a panic that ends a
//! bobbin thread, receives the thread and the payload, runs once per panic
//! before `join` returns, also for a `Timer` and for a `Local` value whose
//! drop panics at the thread's end (whose result then stands);
//! `take_excepthook` gives it back and restores the default. (The default report on stderr, and a panicking
//! hook, are checked by `tests/exit.rs` in a child process.)
//!
//! The hook is process-wide and `cargo test` runs this binary's tests in one
//! process, so one test installs the hook and checks everything in order.

use bobbin_lock::Lock;
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_thread::{
    Builder, ExceptHookArgs, Local, Panicked, set_excepthook, spawn, take_excepthook,
};
use std::sync::Arc;
use std::time::Duration;

/// What the hook saw of one panic.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    thread: String,
    message: Option<String>,
    payload_u8: Option<u8>,
    has_location: bool,
    alive: bool,
}

fn seen(args: &ExceptHookArgs<'_>) -> Seen {
    Seen {
        thread: args.name().to_owned(),
        message: args.message().map(str::to_owned),
        payload_u8: args.payload().downcast_ref::<u8>().copied(),
        has_location: args
            .location()
            .is_some_and(|l| l.contains("excepthook.rs:")),
        alive: args.thread().is_alive(),
    }
}

#[test]
fn a_hook_replaces_the_report() {
    let log: Arc<Lock<Vec<Seen>>> = Arc::new(Lock::new(Vec::new()));
    let sink = Arc::clone(&log);
    set_excepthook(move |args| sink.acquire().push(seen(args)));
    let ours = |log: &Lock<Vec<Seen>>| -> Vec<Seen> {
        log.acquire()
            .iter()
            .filter(|s| s.thread.starts_with("hooked-"))
            .cloned()
            .collect()
    };

    // Name and payload, before join returns, while the thread still counts
    // as alive (Python calls the hook from inside the thread's bootstrap).
    let t = Builder::new()
        .name("hooked-1")
        .spawn(|| panic!("first"))
        .unwrap();
    let err: Panicked = t.join().unwrap_err();
    assert_eq!(err.message(), Some("first"));
    assert_eq!(
        ours(&log),
        [Seen {
            thread: "hooked-1".into(),
            message: Some("first".into()),
            payload_u8: None,
            has_location: true,
            alive: true,
        }]
    );

    // A payload that is not a string.
    let t = Builder::new()
        .name("hooked-2")
        .spawn(|| std::panic::panic_any(9_u8))
        .unwrap();
    assert!(t.join().is_err());
    let last = ours(&log).pop().unwrap();
    assert_eq!((last.message, last.payload_u8), (None, Some(9)));

    // A timer's function.
    let timer = Builder::new()
        .name("hooked-timer")
        .timer(Duration::ZERO, || panic!("from a timer"))
        .unwrap();
    assert!(timer.join().is_err());
    let last = ours(&log).pop().unwrap();
    assert_eq!(last.thread, "hooked-timer");
    assert_eq!(last.message.as_deref(), Some("from a timer"));

    // Once per panic: three panics, three reports; a thread that ends
    // normally, or catches its own panic, none.
    spawn(|| ()).unwrap().join().unwrap();
    let caught = Builder::new()
        .name("hooked-caught")
        .spawn(|| std::panic::catch_unwind(|| panic!("caught")).is_err())
        .unwrap();
    assert!(caught.join().unwrap());
    assert_eq!(ours(&log).len(), 3);

    // take_excepthook gives the hook back and restores the default.
    let hook = take_excepthook();
    let t = Builder::new()
        .name("hooked-after-take")
        .spawn(|| panic!("to stderr"))
        .unwrap();
    assert!(t.join().is_err());
    assert_eq!(ours(&log).len(), 3, "the default reported this one");
    // The hook taken is ours: wrapping it keeps it working.
    set_excepthook(move |args| hook(args));
    let t = Builder::new()
        .name("hooked-wrapped")
        .spawn(|| panic!("wrapped"))
        .unwrap();
    assert!(t.join().is_err());
    assert_eq!(ours(&log).pop().unwrap().thread, "hooked-wrapped");

    // Local values whose drop panics at the end of the thread: each panic
    // is reported, every value is still dropped, and the thread's result
    // stands (CPython prints "Exception ignored in" and keeps the result).
    let drops = Arc::new(AtomicUsize::new(0));
    let locals: Vec<Arc<Local<Loud>>> = [true, false, true]
        .into_iter()
        .map(|loud| {
            let drops = Arc::clone(&drops);
            Arc::new(Local::new(move || Loud {
                drops: Arc::clone(&drops),
                loud,
            }))
        })
        .collect();
    let dropped_by = |thread: &str| -> Vec<Seen> {
        log.acquire()
            .iter()
            .filter(|s| s.thread == thread)
            .cloned()
            .collect()
    };
    let theirs = locals.clone();
    let t = Builder::new()
        .name("local-drops")
        .spawn(move || {
            for local in &theirs {
                local.with(|_| ());
            }
            42
        })
        .unwrap();
    assert_eq!(t.join().unwrap(), 42, "the thread's result stands");
    assert_eq!(drops.load(Ordering::SeqCst), 3, "every value dropped");
    let reports = dropped_by("local-drops");
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(
        reports
            .iter()
            .all(|r| r.message.as_deref() == Some("dropped loudly") && r.has_location && r.alive)
    );
    // A body that panics too: join gives the body's panic; all three are
    // reported.
    let theirs = locals.clone();
    let t = Builder::new()
        .name("local-drops-and-body")
        .spawn(move || {
            for local in &theirs {
                local.with(|_| ());
            }
            panic!("the body's own");
        })
        .unwrap();
    assert_eq!(t.join().unwrap_err().message(), Some("the body's own"));
    let reports = dropped_by("local-drops-and-body");
    let messages: Vec<_> = reports.iter().map(|r| r.message.as_deref()).collect();
    assert_eq!(
        messages,
        [
            Some("the body's own"),
            Some("dropped loudly"),
            Some("dropped loudly")
        ]
    );
    assert_eq!(drops.load(Ordering::SeqCst), 6);

    let _ = take_excepthook();
}

/// A `Local` value that counts its drops, and panics in it if `loud`.
struct Loud {
    drops: Arc<AtomicUsize>,
    loud: bool,
}

impl Drop for Loud {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        assert!(!self.loud, "dropped loudly");
    }
}
