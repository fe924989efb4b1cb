//! Loom models of `Event`: no lost wake-up between a waiter's check and its
//! park, `set` publishing data, a timed wait racing `set`, and `clear`
//! racing both.
//!
//! Run with `cargo xtask loom` (`--cfg bobbin_loom`, release,
//! `LOOM_MAX_PREEMPTIONS=2`): well under a second for the file on 2 cores.

#![cfg(bobbin_loom)]

use bobbin_park::loom;
use bobbin_park::sync::Arc;
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_signal::{Event, EventMark};
use std::time::Duration;

#[test]
fn set_wakes_a_waiter_and_publishes_data() {
    // If the waiter could park after `set` had looked for parked threads,
    // it would sleep forever and loom would report a deadlock; if `set` did
    // not release what came before it, the relaxed load could see 0.
    loom::model(|| {
        let event = Arc::new(Event::new());
        let data = Arc::new(AtomicUsize::new(0));
        let setter = {
            let (event, data) = (Arc::clone(&event), Arc::clone(&data));
            loom::thread::spawn(move || {
                data.store(7, Ordering::Relaxed);
                event.set();
            })
        };
        assert!(event.wait());
        assert_eq!(data.load(Ordering::Relaxed), 7);
        setter.join().unwrap();
    });
}

#[test]
fn one_set_wakes_two_waiters() {
    loom::model(|| {
        let event = Arc::new(Event::new());
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let event = Arc::clone(&event);
                loom::thread::spawn(move || assert!(event.wait()))
            })
            .collect();
        event.set();
        for w in waiters {
            w.join().unwrap();
        }
    });
}

#[test]
fn a_timed_wait_racing_set_leaves_the_event_consistent() {
    // The wait may time out (loom may fire a timed park at any moment) or be
    // woken; either way a later untimed wait returns at once, and the
    // event's parked bit does not linger (a later waiter is still woken by
    // a later set).
    loom::model(|| {
        let event = Arc::new(Event::new());
        let waiter = {
            let event = Arc::clone(&event);
            loom::thread::spawn(move || event.wait_timeout(Duration::from_secs(1)))
        };
        event.set();
        // True if the set woke it or came first, false if the time-out won:
        // both are allowed, and the flag is up now either way.
        waiter.join().unwrap();
        assert!(event.is_set());
        assert!(event.wait());
        event.clear();
        let again = {
            let event = Arc::clone(&event);
            loom::thread::spawn(move || event.wait())
        };
        event.set();
        assert!(again.join().unwrap());
    });
}

#[test]
fn clear_racing_set_never_strands_a_waiter() {
    // A waiter, a `set; clear` thread, and a final `set` from the main
    // thread: whatever the order, the waiter returns true (woken by either
    // set, or finding the flag up), and never sleeps forever.
    loom::model(|| {
        let event = Arc::new(Event::new());
        let waiter = {
            let event = Arc::clone(&event);
            loom::thread::spawn(move || event.wait())
        };
        let toggler = {
            let event = Arc::clone(&event);
            loom::thread::spawn(move || {
                event.set();
                event.clear();
            })
        };
        toggler.join().unwrap();
        event.set();
        assert!(waiter.join().unwrap());
    });
}

/// A new event, its mark (taken before anything else happens to it), and
/// a thread that raises and at once lowers its flag: one pulse.
fn event_mark_and_pulse() -> (Arc<Event>, EventMark, loom::thread::JoinHandle<()>) {
    let event = Arc::new(Event::new());
    let mark = event.mark();
    let toggler = {
        let event = Arc::clone(&event);
        loom::thread::spawn(move || {
            event.set();
            event.clear();
        })
    };
    (event, mark, toggler)
}

#[test]
fn a_set_clear_pulse_during_a_wait_is_never_missed() {
    // Python's `Event.wait()` returns True for any `set()` while it waits,
    // even one that `clear()` undoes at once. The waiter takes its mark
    // (what `wait` does first) before the pulse can begin, and no later
    // `set` comes: if the waiter could spin past the pulse and then park,
    // loom would report a deadlock.
    loom::model(|| {
        let (event, mark, toggler) = event_mark_and_pulse();
        assert!(event.wait_since(mark));
        toggler.join().unwrap();
    });
}

#[test]
fn a_timed_wait_since_a_mark_sees_a_pulse_or_times_out_before_it() {
    // The same pulse against a timed wait, which loom may time out at any
    // moment: if it returns false, the pulse had not begun when it last
    // looked, so a second look after the pulse returns true.
    loom::model(|| {
        let (event, mark, toggler) = event_mark_and_pulse();
        let _ = event.wait_since_until(mark, std::time::Instant::now() + Duration::from_secs(1));
        toggler.join().unwrap();
        assert!(event.wait_since(mark));
        assert!(!event.is_set());
    });
}
