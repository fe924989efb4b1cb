//! `Timer`: it fires at or after its interval and never before, `cancel`
//! stops it while it waits and says so, a fired timer cannot be cancelled,
//! cancel racing the interval is decided once, and a timer's thread has a
//! name and a daemon flag like any other.

use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_thread::{Builder, Timer, UnstartedTimer, current_thread};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const GENEROUS: Duration = Duration::from_secs(30);

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Timer>();
    // It owns a function that is `Send`, not `Sync`.
    const fn assert_send<T: Send>() {}
    assert_send::<UnstartedTimer>();
};

#[test]
fn fires_at_or_after_the_interval() {
    for interval in [
        Duration::ZERO,
        Duration::from_millis(1),
        Duration::from_millis(30),
    ] {
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        let timer = Timer::start(interval, move || tx.send(Instant::now()).unwrap()).unwrap();
        let fired = rx.recv_timeout(GENEROUS).unwrap();
        assert!(
            fired - start >= interval,
            "{interval:?}: fired after {:?}",
            fired - start
        );
        timer.join().unwrap();
    }
}

#[test]
fn cancel_while_waiting_means_the_function_never_runs() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let timer = Timer::start(Duration::from_secs(3600), move || {
        counter.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    assert!(timer.is_alive());
    assert!(timer.cancel());
    assert!(
        timer.cancel(),
        "a second cancel still reports a cancelled timer"
    );
    // The thread ends at once, not after the interval.
    assert!(timer.join_timeout(GENEROUS));
    assert!(!timer.is_alive());
    timer.join().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn a_fired_timer_cannot_be_cancelled() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let timer = Timer::start(Duration::ZERO, move || {
        counter.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    assert!(timer.join_timeout(GENEROUS));
    assert!(!timer.cancel());
    timer.join().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn cancel_racing_the_interval_is_decided_once() {
    // Each timer either runs its function or reports a winning cancel,
    // never both and never neither.
    let rounds = if cfg!(miri) { 5 } else { 200 };
    for i in 0..rounds {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let interval = Duration::from_micros(i % 50);
        let timer = Timer::start(interval, move || {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        let cancelled = timer.cancel();
        timer.join().unwrap();
        assert_eq!(
            calls.load(Ordering::SeqCst),
            usize::from(!cancelled),
            "round {i}: cancel said {cancelled}"
        );
    }
}

#[test]
fn a_cancelled_timer_is_not_waited_for_until_its_interval() {
    let timer = Timer::start(Duration::from_secs(3600), || ()).unwrap();
    let start = Instant::now();
    assert!(!timer.join_timeout(Duration::from_millis(20)));
    assert!(start.elapsed() >= Duration::from_millis(20));
    assert!(timer.cancel());
    assert!(timer.join_until(Instant::now() + GENEROUS));
    assert!(start.elapsed() < GENEROUS);
}

#[test]
fn an_interval_of_duration_max_never_passes() {
    let timer = Timer::start(Duration::MAX, || unreachable!("never")).unwrap();
    assert!(!timer.join_timeout(Duration::from_millis(20)));
    assert!(timer.cancel());
    timer.join().unwrap();
}

/// The `N` of a `Thread-N` name.
fn number(name: &str) -> u64 {
    name.strip_prefix("Thread-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{name} is not a default name"))
}

#[test]
fn a_timer_is_numbered_when_made_as_pythons_timer_is() {
    // Python's `Timer()` takes its `Thread-N` in the constructor: a thread
    // made between the timer's making and its start gets a later number.
    // (Other tests may take numbers in between; the order still holds.)
    let unstarted = Timer::new(Duration::from_secs(3600), || ());
    let thread = bobbin_thread::spawn(|| ()).unwrap();
    let timer = unstarted.start().unwrap();
    assert!(
        number(timer.name()) < number(thread.name()),
        "{} was made before {}",
        timer.name(),
        thread.name()
    );
    assert!(timer.cancel());
    timer.join().unwrap();
    thread.join().unwrap();

    // The name can be read before the start (Python's `t.name`), and is
    // the one the thread gets; a name given before the start replaces it.
    let unstarted = Timer::new(Duration::from_secs(3600), || ());
    let drawn = unstarted.thread_name().to_owned();
    let timer = unstarted.start().unwrap();
    assert_eq!(timer.name(), drawn);
    assert!(timer.cancel());
    timer.join().unwrap();
    let named = Timer::new(Duration::from_secs(3600), || ()).name("t2");
    assert_eq!(named.thread_name(), "t2");
    let named = named.start().unwrap();
    assert_eq!(named.name(), "t2");
    assert!(named.cancel());
    named.join().unwrap();
}

#[test]
fn a_timer_thread_has_a_name_and_a_daemon_flag() {
    let (tx, rx) = mpsc::channel();
    let timer = Builder::new()
        .name("t1")
        .daemon(false)
        .timer(Duration::ZERO, move || {
            let me = current_thread();
            tx.send((me.name().to_owned(), me.is_daemon())).unwrap();
        })
        .unwrap();
    assert_eq!(timer.name(), "t1");
    assert!(!timer.is_daemon());
    assert_eq!(timer.interval(), Duration::ZERO);
    assert_eq!(rx.recv_timeout(GENEROUS).unwrap(), ("t1".to_owned(), false));
    timer.join().unwrap();

    // By default: `Thread-N`, and the spawning thread's flag (a test body
    // runs on a dummy thread, a daemon).
    let timer = Timer::start(Duration::from_secs(3600), || ()).unwrap();
    assert!(timer.name().starts_with("Thread-"), "{}", timer.name());
    assert!(timer.is_daemon());
    assert_ne!(timer.ident(), bobbin_thread::get_ident());
    assert_ne!(timer.native_id(), bobbin_thread::get_native_id());
    assert!(timer.cancel());
    timer.join().unwrap();
}

#[test]
fn a_panicking_function_comes_back_through_join() {
    let timer = Builder::new()
        .name("broken-timer")
        .timer(Duration::ZERO, || panic!("timer function failed"))
        .unwrap();
    let err = timer.join().unwrap_err();
    assert_eq!(err.thread_name(), "broken-timer");
    assert_eq!(err.message(), Some("timer function failed"));
}

#[test]
fn debug_shows_the_state() {
    let timer = Timer::start(Duration::from_secs(3600), || ()).unwrap();
    assert!(format!("{timer:?}").contains("pending"));
    assert!(timer.cancel());
    assert!(format!("{timer:?}").contains("cancelled"));
    timer.join().unwrap();
}
