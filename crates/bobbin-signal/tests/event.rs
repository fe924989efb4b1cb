//! `Event` from several threads: Python's `EventTests` (the flag, waking
//! every waiter, time-outs), set/clear races, the timeout forms, size and
//! thread-safety.

mod common;

use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use bobbin_signal::Event;
use common::{GENEROUS, SHORT, stress_multiplier};
use std::time::{Duration, Instant};

/// Waiters per test: enough to interleave, few enough for Miri.
const N: usize = if cfg!(miri) { 3 } else { 5 };

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Event>();
    assert!(size_of::<Event>() == 4);
};

#[test]
fn is_set_follows_set_and_clear() {
    // Python's `test_is_set`.
    let event = Event::new();
    assert!(!event.is_set());
    event.set();
    assert!(event.is_set());
    event.set();
    assert!(event.is_set());
    event.clear();
    assert!(!event.is_set());
    event.clear();
    assert!(!event.is_set());
}

/// Python's `_check_notify`: every waiter is woken by one `set`, none before
/// it, and a second wait on a set event returns at once.
fn check_notify(event: &Event) {
    let set_called = AtomicBool::new(false);
    let returned = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                assert!(event.wait());
                // A wait that returned before `set` would see false here.
                assert!(set_called.load(Ordering::SeqCst));
                assert!(event.wait());
                returned.fetch_add(1, Ordering::SeqCst);
            });
        }
        // Let the waiters get to their wait (not needed for correctness:
        // the test holds whether or not they are parked yet).
        std::thread::sleep(Duration::from_millis(10));
        assert_eq!(returned.load(Ordering::SeqCst), 0);
        set_called.store(true, Ordering::SeqCst);
        event.set();
    });
    assert_eq!(returned.load(Ordering::SeqCst), N);
}

#[test]
fn set_wakes_every_waiter() {
    let event = Event::new();
    check_notify(&event);
    // Another time, after an explicit clear.
    event.set();
    event.clear();
    check_notify(&event);
}

#[test]
fn wait_timeout_returns_false_no_earlier_than_the_timeout() {
    // Python's `test_timeout`.
    let event = Event::new();
    std::thread::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                assert!(!event.wait_timeout(Duration::ZERO));
                let start = Instant::now();
                assert!(!event.wait_timeout(SHORT));
                let waited = start.elapsed();
                assert!(waited >= SHORT, "returned after {waited:?}");
                assert!(waited < GENEROUS, "returned after {waited:?}");
            });
        }
    });
    // The event is set: every form returns true at once.
    event.set();
    std::thread::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                assert!(event.wait_timeout(Duration::ZERO));
                assert!(event.wait_timeout(SHORT));
                assert!(event.wait_until(Instant::now()));
                assert!(event.wait());
            });
        }
    });
}

#[test]
fn wait_until_returns_false_no_earlier_than_the_deadline() {
    let event = Event::new();
    let deadline = Instant::now() + SHORT;
    assert!(!event.wait_until(deadline));
    assert!(Instant::now() >= deadline);
}

#[test]
fn a_deadline_in_the_past_only_looks_at_the_flag() {
    let event = Event::new();
    let past = Instant::now();
    let start = Instant::now();
    assert!(!event.wait_until(past));
    assert!(!event.wait_timeout(Duration::ZERO));
    assert!(start.elapsed() < GENEROUS);
    event.set();
    assert!(event.wait_until(past));
}

#[test]
fn a_huge_timeout_waits_until_set() {
    // `Duration::MAX` cannot be added to now: it means forever, not a panic.
    let event = Event::new();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| event.wait_timeout(Duration::MAX));
        event.set();
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn a_timed_waiter_is_woken_by_set_before_its_timeout() {
    let event = Event::new();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let start = Instant::now();
            let r = event.wait_timeout(GENEROUS);
            (r, start.elapsed())
        });
        event.set();
        let (r, waited) = waiter.join().unwrap();
        assert!(r);
        assert!(waited < GENEROUS);
    });
}

#[test]
fn a_woken_waiter_returns_true_although_clear_follows_at_once() {
    // The setter raises and lowers the flag until the waiter has returned:
    // the flag is almost never up when the waiter runs again, yet each wait
    // that a `set` woke must return true rather than sleep on.
    let rounds = if cfg!(miri) { 5 } else { 200 };
    let event = Event::new();
    for _ in 0..rounds {
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                assert!(event.wait());
                done.store(true, Ordering::SeqCst);
            });
            while !done.load(Ordering::SeqCst) {
                event.set();
                event.clear();
                bobbin_park::thread::yield_now();
            }
        });
    }
}

#[test]
fn one_set_clear_pulse_ends_a_wait_wherever_it_falls() {
    // Python's `test_set_and_clear` (gh-57711: a wait returns true for a
    // `set` even if `clear` follows before the waiter runs), without its
    // sleep: the waiter's mark, which `wait` takes first, is taken before
    // the pulse, and the pulse comes once, after a delay that varies from
    // round to round, so that it finds the waiter starting, spinning,
    // parking or parked. A waiter that missed it would time out.
    let rounds = if cfg!(miri) { 10 } else { 2_000 };
    for round in 0..rounds {
        let event = Event::new();
        let mark = event.mark();
        std::thread::scope(|s| {
            // Timed, so that a miss fails the test instead of hanging it.
            let waiter = s.spawn(|| event.wait_since_until(mark, Instant::now() + GENEROUS));
            for _ in 0..(round % 97) * 40 {
                bobbin_park::hint::spin_loop();
            }
            event.set();
            event.clear();
            assert!(waiter.join().unwrap(), "round {round}");
        });
    }
}

#[test]
fn a_mark_sees_only_later_rises() {
    let event = Event::new();
    event.set();
    event.clear();
    let mark = event.mark();
    assert!(!mark.was_set());
    assert!(!event.wait_since_until(mark, Instant::now()));
    assert!(!event.wait_since_until(mark, Instant::now() + SHORT));
    event.set();
    let set_mark = event.mark();
    assert!(set_mark.was_set());
    event.clear();
    assert!(event.wait_since(mark));
    assert!(event.wait_since(set_mark));
    assert!(!event.wait_since_until(event.mark(), Instant::now()));
    // A `set` of a flag already up is no rise: a mark taken while it is up
    // already counts it.
    event.set();
    let mark = event.mark();
    event.set();
    assert_eq!(event.mark(), mark);
}

#[test]
fn set_clear_and_wait_race_without_losing_a_set() {
    // Waiters loop on timed waits while two threads toggle the flag; the
    // last `set` (never cleared) must release everyone.
    let rounds = if cfg!(miri) { 20 } else { 2_000 };
    let event = Event::new();
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let toggler = s.spawn(|| {
            for _ in 0..rounds {
                event.set();
                event.clear();
            }
        });
        let clearer = s.spawn(|| {
            while !stop.load(Ordering::SeqCst) {
                event.clear();
                bobbin_park::thread::yield_now();
            }
        });
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    for _ in 0..rounds / 10 {
                        let _ = event.wait_timeout(Duration::from_micros(50));
                    }
                })
            })
            .collect();
        toggler.join().unwrap();
        for w in waiters {
            w.join().unwrap();
        }
        stop.store(true, Ordering::SeqCst);
        clearer.join().unwrap();
    });
    // Whatever the interleaving, the event still works afterwards.
    std::thread::scope(|s| {
        let waiter = s.spawn(|| event.wait());
        event.set();
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn set_publishes_what_came_before_it() {
    let event = Event::new();
    let data = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            assert!(event.wait());
            data.load(Ordering::Relaxed)
        });
        data.store(42, Ordering::Relaxed);
        event.set();
        assert_eq!(reader.join().unwrap(), 42);
    });
}

#[test]
fn an_event_can_be_a_static() {
    static EVENT: Event = Event::new();
    std::thread::scope(|s| {
        s.spawn(|| EVENT.set());
        assert!(EVENT.wait());
    });
}

#[test]
fn default_and_debug() {
    let event = Event::default();
    assert!(!event.is_set());
    assert_eq!(format!("{event:?}"), "Event { is_set: false }");
    event.set();
    assert_eq!(format!("{event:?}"), "Event { is_set: true }");
}

/// Stress: many rounds of set/clear against timed and untimed waiters.
#[test]
#[ignore = "stress test: run with cargo xtask stress"]
fn stress_event_set_clear_wait() {
    let multiplier = stress_multiplier();
    let event = Event::new();
    for _ in 0..1_000 * multiplier {
        let released = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for i in 0..4 {
                let (event, released) = (&event, &released);
                s.spawn(move || {
                    if i % 2 == 0 {
                        assert!(event.wait());
                    } else {
                        while !event.wait_timeout(Duration::from_micros(100)) {}
                    }
                    released.fetch_add(1, Ordering::SeqCst);
                });
            }
            event.set();
        });
        assert_eq!(released.load(Ordering::SeqCst), 4);
        event.clear();
    }
}
