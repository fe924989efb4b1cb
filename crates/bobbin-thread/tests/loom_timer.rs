//! A loom model of `Timer`: a `cancel` racing the end of the interval is
//! decided once. Either the function runs and `cancel` says `false`, or
//! `cancel` says `true` and the function never runs; never both, never
//! neither, and the timer's thread always ends.
//!
//! The timer runs on bobbin's whole spawn path (the registry, the Event,
//! the thread's bootstrap) under the model: loom's timed park may time out
//! at any moment, which stands for "the interval has passed".
//!
//! Run with `cargo xtask loom` (`--cfg bobbin_loom`, release,
//! `LOOM_MAX_PREEMPTIONS=2`): about 70 iterations per model, well under a
//! second for the file.

#![cfg(bobbin_loom)]

use bobbin_park::loom;
use bobbin_park::sync::Arc;
use bobbin_park::sync::atomic::{AtomicBool, Ordering};
use bobbin_thread::Builder;
use std::time::Duration;

/// Starts a timer, cancels it at once, joins it; checks that exactly one of
/// "the function ran" and "cancel won" holds.
fn cancel_then_join(interval: Duration) {
    let fired = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&fired);
    // An explicit daemon flag: inheriting one would register the model's
    // thread as a dummy thread, whose thread-local destructor runs after
    // loom has torn down the model's registry.
    let timer = Builder::new()
        .daemon(true)
        .timer(interval, move || {
            flag.store(true, Ordering::Relaxed);
        })
        .unwrap();
    let cancelled = timer.cancel();
    timer.join().unwrap();
    assert_eq!(fired.load(Ordering::Relaxed), !cancelled);
}

#[test]
fn cancel_racing_an_interval_that_has_passed() {
    // A zero interval: the timer thread does not park and goes straight to
    // its decision, which races `cancel`'s.
    loom::model(|| cancel_then_join(Duration::ZERO));
}

#[test]
fn cancel_waking_a_waiting_timer() {
    // A long interval: the timer thread parks on its Event, and `cancel`
    // must wake it (loom may also time the park out, which stands for the
    // interval passing).
    loom::model(|| cancel_then_join(Duration::from_secs(3600)));
}
