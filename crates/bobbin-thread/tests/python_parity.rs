//! Python parity: behaviours of CPython 3.13's `threading` thread API (its
//! documentation, `threading.py` and `test_threading.py`) that the other
//! test files do not already pin down, each test naming the Python
//! behaviour it mirrors.
//!
//! Other tests of this binary run at the same time, so nothing here counts
//! on consecutive thread numbers or on the exact contents of the registry.

// Python's calls made for their effect (`t.join(timeout)`, `t.cancel()`)
// are statements here too: none may warn.
#![deny(unused_must_use)]

use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_signal::Event;
use bobbin_thread::{
    MIN_STACK_SIZE, StackSizeError, Timer, set_excepthook, set_stack_size, spawn, stack_size,
    take_excepthook,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GENEROUS: Duration = Duration::from_secs(30);

/// The N of a default name `Thread-N`.
fn number(name: &str) -> u64 {
    name.strip_prefix("Thread-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{name:?} is not a default name"))
}

#[test]
fn a_timer_takes_its_name_from_the_threads_counter() {
    // Python's `Timer` is a `Thread` subclass whose `__init__` calls
    // `Thread.__init__(self)`: it is named `Thread-N` from the same counter.
    let before = spawn(|| ()).unwrap();
    let timer = Timer::start(Duration::ZERO, || ()).unwrap();
    let after = spawn(|| ()).unwrap();
    let (a, t, b) = (
        number(before.name()),
        number(timer.name()),
        number(after.name()),
    );
    assert!(a < t && t < b, "{a} {t} {b}");
    before.join().unwrap();
    timer.join().unwrap();
    after.join().unwrap();
}

#[test]
fn a_timer_is_made_then_started() {
    // Python's `t = Timer(interval, f)`, then `t.start()`: the timer is not
    // alive before `start`, fires at or after its interval once started, and
    // is then an ordinary thread with a name and a daemon flag.
    let fired = Arc::new(Event::new());
    let set = Arc::clone(&fired);
    let interval = Duration::from_millis(20);
    let timer = Timer::new(interval, move || set.set())
        .name("reminder")
        .daemon(true);
    assert!(!timer.is_alive());
    assert_eq!(timer.interval(), interval);
    let start = Instant::now();
    let timer = timer.start().unwrap();
    assert_eq!(timer.name(), "reminder");
    assert!(timer.is_daemon());
    assert!(fired.wait_timeout(GENEROUS));
    assert!(start.elapsed() >= interval);
    timer.join().unwrap();
}

#[test]
fn a_timer_cancelled_before_it_starts_never_runs_its_function() {
    // Python's `t = Timer(0, f); t.cancel(); t.start(); t.join()`: `cancel`
    // sets the timer's event, so the started thread ends without calling f.
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let timer = Timer::new(Duration::ZERO, move || {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    assert!(timer.cancel());
    let timer = timer.start().unwrap();
    assert!(timer.cancel(), "still cancelled once started");
    timer.join().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn a_made_timer_that_is_never_started_never_runs() {
    // Python: a Timer that is never started is never a thread and never
    // calls its function.
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let timer = Timer::new(Duration::ZERO, move || {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    drop(timer);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(Arc::strong_count(&calls), 1, "the function was dropped");
}

#[test]
fn stack_size_sets_the_default_for_new_threads_and_returns_the_old_one() {
    // Python's `threading.stack_size(size)`: returns the size used before,
    // refuses a size below 32 KiB (other than 0) with ValueError, leaving the
    // setting as it was, and new threads use the size set.
    let before = stack_size();
    assert_eq!(set_stack_size(256 * 1024), Ok(before));
    assert_eq!(stack_size(), 256 * 1024);
    assert_eq!(
        set_stack_size(MIN_STACK_SIZE - 1),
        Err(StackSizeError::TooSmall(MIN_STACK_SIZE - 1))
    );
    assert_eq!(stack_size(), 256 * 1024);
    // A thread with the smaller stack still runs.
    assert_eq!(spawn(|| 6 * 7).unwrap().join().unwrap(), 42);
    assert_eq!(set_stack_size(before), Ok(256 * 1024));
    assert_eq!(stack_size(), before);
}

#[test]
fn a_timed_join_is_a_statement_then_is_alive_says_how_it_went() {
    // test_threading `test_join_with_timeout`: `thread.join(timeout=0.01)`
    // returns None and `is_alive()` tells whether it timed out; and
    // `timer.cancel()` is a statement.
    let release = Arc::new(Event::new());
    let wait = Arc::clone(&release);
    let t = spawn(move || {
        wait.wait();
    })
    .unwrap();
    t.join_timeout(Duration::from_millis(10));
    assert!(t.is_alive());
    t.thread().join_until(Instant::now());
    release.set();
    t.join_timeout(GENEROUS);
    assert!(!t.is_alive());
    t.join().unwrap();

    let timer = Timer::start(Duration::from_secs(3600), || ()).unwrap();
    timer.cancel();
    timer.join_timeout(GENEROUS);
    assert!(!timer.is_alive());
}

#[test]
fn the_default_excepthook_is_restored_by_a_statement() {
    // Python's `threading.excepthook = threading.__excepthook__`: restoring
    // the default is a statement, `take_excepthook();`, after which a
    // panic no longer reaches the hook that was set.
    let reports = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&reports);
    set_excepthook(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    take_excepthook();
    let t = spawn(|| panic!("reported by the default excepthook")).unwrap();
    assert!(t.join().is_err());
    assert_eq!(reports.load(Ordering::SeqCst), 0);
}

#[test]
fn a_thread_can_be_joined_from_many_threads_and_many_times() {
    // test_threading `test_join_from_multiple_threads` and the docs' "A
    // thread can be join()ed many times": joiners on several threads all
    // return once the thread ends, joins after its end return at once, and
    // the handle still gives the result.
    let release = Arc::new(Event::new());
    let wait = Arc::clone(&release);
    let t = spawn(move || {
        wait.wait();
        7
    })
    .unwrap();
    let joiners: Vec<_> = (0..4)
        .map(|_| {
            let target = t.thread().clone();
            spawn(move || target.join()).unwrap()
        })
        .collect();
    release.set();
    for joiner in joiners {
        joiner.join().unwrap();
    }
    assert!(!t.is_alive());
    t.thread().join();
    assert!(t.join_timeout(Duration::ZERO));
    assert_eq!(t.join().unwrap(), 7);
}
