//! Loom models of `Barrier`: two generations with a fast re-entering
//! thread, time-outs (which loom may fire at any moment, also while the
//! action runs), reset and abort racing arrivals, a panicking action, an
//! arrival during the action with more threads than parties, and a reset or
//! abort racing a party that has not yet taken its generation's outcome.
//!
//! Loom gives up spinning at once (`SpinWait`), but a counted party is still
//! *loose* (counted, not parked) between its arrival and its park, so every
//! model explores the other threads acting in that window: the generation
//! ending, breaking, being reset or aborted, or a thread re-entering while
//! the loose party has not taken the outcome.
//!
//! Run with `cargo xtask loom` (`--cfg bobbin_loom`, release,
//! `LOOM_MAX_PREEMPTIONS=2`): about two seconds for the file on 2 cores.

#![cfg(bobbin_loom)]

use bobbin_park::loom;
use bobbin_park::sync::Arc;
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_signal::{Barrier, BrokenBarrierError, BrokenReason};
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

/// Spawns a loom thread running `f` on a clone of `barrier`.
fn spawn<T: 'static>(
    barrier: &Arc<Barrier>,
    f: impl FnOnce(&Barrier) -> T + 'static,
) -> loom::thread::JoinHandle<T> {
    let barrier = Arc::clone(barrier);
    loom::thread::spawn(move || f(&barrier))
}

/// A barrier whose action counts its runs, and the counter.
fn counting_barrier(parties: usize) -> (Arc<Barrier>, Arc<AtomicUsize>) {
    let actions = Arc::new(AtomicUsize::new(0));
    let barrier = {
        let actions = Arc::clone(&actions);
        Barrier::new(parties).with_action(move || {
            actions.fetch_add(1, Ordering::Relaxed);
        })
    };
    (Arc::new(barrier), actions)
}

#[test]
fn two_generations_pass_without_stealing_wake_ups() {
    // The thread released first re-enters the next generation at once; it
    // must neither take the other's wake-up nor be released by it.
    loom::model(|| {
        let barrier = Arc::new(Barrier::new(2));
        let data = Arc::new(AtomicUsize::new(0));
        let other = {
            let data = Arc::clone(&data);
            spawn(&barrier, move |b| {
                data.store(1, Ordering::Relaxed);
                let first = b.wait().unwrap();
                let second = b.wait().unwrap();
                (first, second)
            })
        };
        let first = barrier.wait().unwrap();
        // What the other party did before its wait is visible after ours.
        assert_eq!(data.load(Ordering::Relaxed), 1);
        let second = barrier.wait().unwrap();
        let (other_first, other_second) = other.join().unwrap();
        assert_eq!(first + other_first, 1);
        assert_eq!(second + other_second, 1);
        assert_eq!(barrier.n_waiting(), 0);
    });
}

/// The invariants of two parties that may fail: they pass together (with
/// indices 0 and 1) or fail together, and leave no half-counted generation.
fn check_pair(
    barrier: &Barrier,
    a: Result<usize, BrokenBarrierError>,
    b: Result<usize, BrokenBarrierError>,
    allowed: &[BrokenReason],
) {
    match (a, b) {
        (Ok(a), Ok(b)) => assert_eq!(a + b, 1),
        (Err(a), Err(b)) => {
            assert!(allowed.contains(&a.reason()), "{a:?}");
            assert!(allowed.contains(&b.reason()), "{b:?}");
        }
        (a, b) => panic!("one party passed alone: {a:?}, {b:?}"),
    }
    assert_eq!(barrier.n_waiting(), 0);
}

#[test]
fn a_time_out_breaks_the_barrier_or_the_pair_passes() {
    // With an action, so that the time-out may also fire while it runs (the
    // party is then late but passes with its generation).
    loom::model(|| {
        let (barrier, actions) = counting_barrier(2);
        let timed = spawn(&barrier, |b| b.wait_timeout(Duration::from_secs(1)));
        let untimed = barrier.wait();
        let timed = timed.join().unwrap();
        let passed = timed.is_ok();
        check_pair(&barrier, timed, untimed, &[BrokenReason::TimedOut]);
        assert_eq!(actions.load(Ordering::Relaxed), usize::from(passed));
        assert_eq!(barrier.is_broken(), !passed);
    });
}

#[test]
fn reset_racing_two_arrivals() {
    loom::model(|| {
        let barrier = Arc::new(Barrier::new(2));
        let a = spawn(&barrier, |b| b.wait_timeout(Duration::from_secs(1)));
        let resetter = spawn(&barrier, Barrier::reset);
        let b = barrier.wait_timeout(Duration::from_secs(1));
        resetter.join().unwrap();
        let a = a.join().unwrap();
        check_pair(
            &barrier,
            a,
            b,
            &[BrokenReason::Reset, BrokenReason::TimedOut],
        );
    });
}

#[test]
fn abort_racing_two_arrivals() {
    // Untimed waits: an abort must wake a parked party, never strand it.
    loom::model(|| {
        let barrier = Arc::new(Barrier::new(2));
        let a = spawn(&barrier, Barrier::wait);
        let aborter = spawn(&barrier, Barrier::abort);
        let b = barrier.wait();
        aborter.join().unwrap();
        let a = a.join().unwrap();
        check_pair(&barrier, a, b, &[BrokenReason::Aborted]);
        assert!(barrier.is_broken());
    });
}

#[test]
fn a_panicking_action_breaks_the_barrier() {
    loom::model(|| {
        let barrier = Arc::new(Barrier::new(2).with_action(|| panic!("the action failed")));
        let waiter = |b: &Barrier| panic::catch_unwind(AssertUnwindSafe(|| b.wait()));
        let other = spawn(&barrier, waiter);
        let mine = waiter(&barrier);
        let other = other.join().unwrap();
        // Exactly one party ran the action, and its wait panicked; the
        // other's wait failed.
        let failed = match (mine, other) {
            (Err(_), Ok(r)) | (Ok(r), Err(_)) => r,
            _ => panic!("exactly one party runs the action"),
        };
        assert_eq!(failed.unwrap_err().reason(), BrokenReason::ActionPanicked);
        assert!(barrier.is_broken());
    });
}

#[test]
fn more_threads_than_parties_with_time_outs() {
    // Three threads on a barrier of two, all with timeouts (which loom may
    // fire at any moment): a thread arriving while the action runs waits for
    // the next generation. Whatever happens, passes come in pairs with
    // indices 0 and 1, each pair ran the action once, failures are
    // time-outs, and no half-counted generation is left.
    loom::model(|| {
        let (barrier, actions) = counting_barrier(2);
        let wait = |b: &Barrier| b.wait_timeout(Duration::from_secs(1));
        let a = spawn(&barrier, wait);
        let b = spawn(&barrier, wait);
        let c = wait(&barrier);
        let results = [a.join().unwrap(), b.join().unwrap(), c];
        let mut passed: Vec<usize> = results.iter().filter_map(|r| r.ok()).collect();
        passed.sort_unstable();
        assert!(passed.is_empty() || passed == [0, 1], "{results:?}");
        for r in &results {
            if let Err(e) = r {
                assert_eq!(e.reason(), BrokenReason::TimedOut);
            }
        }
        assert_eq!(actions.load(Ordering::Relaxed), passed.len() / 2);
        assert_eq!(barrier.n_waiting(), 0);
    });
}

/// A barrier of two whose second party, once its wait has passed, resets or
/// aborts it (`end`) and then waits again: the first party's first wait
/// passes whenever the reset or abort comes (it may not yet have seen its
/// release), and a wait in the generation after it fails with `reason`.
fn end_after_passing(end: fn(&Barrier), reason: BrokenReason) {
    loom::model(move || {
        let barrier = Arc::new(Barrier::new(2));
        let other = spawn(&barrier, move |b| {
            let passed = b.wait();
            end(b);
            (passed, b.wait_timeout(Duration::from_secs(1)))
        });
        let first = barrier.wait();
        let second = barrier.wait_timeout(Duration::from_secs(1));
        let (other_first, other_second) = other.join().unwrap();
        assert_eq!(first.unwrap() + other_first.unwrap(), 1);
        if reason == BrokenReason::Aborted {
            // The abort came before the other's second wait.
            assert_eq!(other_second.as_ref().unwrap_err().reason(), reason);
            assert!(barrier.is_broken());
        }
        // Each second wait met the end (reason), or the other second wait,
        // or timed out, or met the time-out that broke the barrier; two
        // passes are a pair.
        match (second, other_second) {
            (Ok(a), Ok(b)) => assert_eq!(a + b, 1),
            (a, b) => {
                for r in [a, b] {
                    if let Err(e) = r {
                        assert!(
                            [reason, BrokenReason::TimedOut].contains(&e.reason()),
                            "{e:?}"
                        );
                    }
                }
            }
        }
    });
}

#[test]
fn a_reset_after_a_pass_does_not_fail_a_party_that_has_not_left() {
    end_after_passing(Barrier::reset, BrokenReason::Reset);
}

#[test]
fn an_abort_after_a_pass_does_not_fail_a_party_that_has_not_left() {
    end_after_passing(Barrier::abort, BrokenReason::Aborted);
}
