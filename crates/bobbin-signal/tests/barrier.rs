//! `Barrier` from several threads: Python's `BarrierTests` (lock step,
//! indices, the action, abort, reset, time-outs, the default timeout), a
//! thousand generations with 2, 3 and 5 threads, a panicking action, waits
//! that time out while the action runs, more threads than parties, and the
//! never-half-counted rule of tokio#8370.

mod common;

use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use bobbin_signal::{Barrier, BrokenBarrierError, BrokenReason};
use common::{GENEROUS, SHORT, stress_multiplier, until};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

/// Parties in Python's tests.
const N: usize = if cfg!(miri) { 3 } else { 5 };

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Barrier>();
    assert_send_sync::<BrokenBarrierError>();
};

/// Runs `f(i)` on `n` threads, `i` in `0..n`, and waits for them all.
fn run_threads(n: usize, f: impl Fn(usize) + Sync) {
    std::thread::scope(|s| {
        for i in 0..n {
            let f = &f;
            s.spawn(move || f(i));
        }
    });
}

fn reason(r: Result<usize, BrokenBarrierError>) -> BrokenReason {
    r.expect_err("the wait should have failed").reason()
}

/// Python's `multipass`: the threads pass the barrier in lock step.
fn multipass(passes: usize) {
    let barrier = Barrier::new(N).with_timeout(GENEROUS);
    let before = AtomicUsize::new(0);
    let after = AtomicUsize::new(0);
    run_threads(N, |_| {
        for i in 0..passes {
            before.fetch_add(1, Ordering::SeqCst);
            assert_eq!(after.load(Ordering::SeqCst), i * N);
            barrier.wait().unwrap();
            after.fetch_add(1, Ordering::SeqCst);
            assert_eq!(before.load(Ordering::SeqCst), (i + 1) * N);
            barrier.wait().unwrap();
        }
        assert!(!barrier.is_broken());
    });
    assert_eq!(barrier.n_waiting(), 0);
    assert!(!barrier.is_broken());
}

#[test]
fn parties_pass_in_lock_step() {
    multipass(1);
}

#[test]
fn parties_pass_in_lock_step_ten_times() {
    multipass(10);
}

#[test]
fn wait_returns_each_index_once() {
    // Python's `test_wait_return`, sharpened: not only the sum, each index.
    let barrier = Barrier::new(N);
    let seen = AtomicUsize::new(0);
    run_threads(N, |_| {
        let index = barrier.wait().unwrap();
        assert!(index < N);
        let bit = 1 << index;
        assert_eq!(seen.fetch_or(bit, Ordering::SeqCst) & bit, 0);
    });
    assert_eq!(seen.load(Ordering::SeqCst), (1 << N) - 1);
}

/// Many generations with `parties` threads: distinct indices every time, the
/// action once per generation by the last party and before anyone leaves.
fn generations(parties: usize, rounds: usize) {
    let actions = Arc::new(AtomicUsize::new(0));
    let barrier = {
        let actions = Arc::clone(&actions);
        Barrier::new(parties).with_action(move || {
            actions.fetch_add(1, Ordering::SeqCst);
        })
    };
    let seen: Vec<AtomicUsize> = (0..rounds).map(|_| AtomicUsize::new(0)).collect();
    run_threads(parties, |_| {
        for (round, seen) in seen.iter().enumerate() {
            let index = barrier.wait().unwrap();
            assert!(index < parties);
            let bit = 1 << index;
            assert_eq!(seen.fetch_or(bit, Ordering::SeqCst) & bit, 0);
            // This generation's action ran before anyone was released, and
            // the next one's cannot run before this thread arrives again.
            assert_eq!(actions.load(Ordering::SeqCst), round + 1);
        }
    });
    for s in &seen {
        assert_eq!(s.load(Ordering::SeqCst), (1 << parties) - 1);
    }
    assert_eq!(actions.load(Ordering::SeqCst), rounds);
    assert_eq!(barrier.n_waiting(), 0);
    assert!(!barrier.is_broken());
}

const GENERATIONS: usize = if cfg!(miri) { 20 } else { 1_000 };

#[test]
fn a_thousand_generations_with_two_threads() {
    generations(2, GENERATIONS);
}

#[test]
fn a_thousand_generations_with_three_threads() {
    generations(3, GENERATIONS);
}

#[test]
fn a_thousand_generations_with_five_threads() {
    generations(5, GENERATIONS);
}

#[test]
fn the_action_runs_once_in_the_last_thread_before_the_others_leave() {
    // Python's `test_action`, plus who runs it.
    let ran_on = Arc::new(OnceLock::new());
    let runs = Arc::new(AtomicUsize::new(0));
    let barrier = {
        let (ran_on, runs) = (Arc::clone(&ran_on), Arc::clone(&runs));
        Barrier::new(N).with_action(move || {
            runs.fetch_add(1, Ordering::SeqCst);
            ran_on.set(std::thread::current().id()).unwrap();
        })
    };
    run_threads(N, |_| {
        let index = barrier.wait().unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        let by_me = *ran_on.get().unwrap() == std::thread::current().id();
        assert_eq!(by_me, index == N - 1);
    });
}

#[test]
fn abort_breaks_the_barrier_for_everyone() {
    // Python's `test_abort`.
    let barrier = Barrier::new(N).with_timeout(GENEROUS);
    let passed = AtomicUsize::new(0);
    let broken = AtomicUsize::new(0);
    run_threads(N, |_| {
        let i = barrier.wait().unwrap();
        if i == N / 2 {
            barrier.abort();
            return;
        }
        match barrier.wait() {
            Ok(_) => passed.fetch_add(1, Ordering::SeqCst),
            Err(e) => {
                assert_eq!(e.reason(), BrokenReason::Aborted);
                broken.fetch_add(1, Ordering::SeqCst)
            }
        };
    });
    assert_eq!(passed.load(Ordering::SeqCst), 0);
    assert_eq!(broken.load(Ordering::SeqCst), N - 1);
    assert!(barrier.is_broken());
    assert_eq!(barrier.n_waiting(), 0);
    assert_eq!(reason(barrier.wait()), BrokenReason::Aborted);
}

#[test]
fn reset_fails_the_waiters_and_the_barrier_is_usable_at_once() {
    // Python's `test_reset`.
    let barrier = Barrier::new(N).with_timeout(GENEROUS);
    let passed = AtomicUsize::new(0);
    let reset = AtomicUsize::new(0);
    let after = AtomicUsize::new(0);
    run_threads(N, |_| {
        let i = barrier.wait().unwrap();
        if i == N / 2 {
            // Wait until the other threads are all in the barrier.
            until(|| barrier.n_waiting() == N - 1);
            barrier.reset();
        } else {
            match barrier.wait() {
                Ok(_) => passed.fetch_add(1, Ordering::SeqCst),
                Err(e) => {
                    assert_eq!(e.reason(), BrokenReason::Reset);
                    reset.fetch_add(1, Ordering::SeqCst)
                }
            };
        }
        // Now, pass the barrier again.
        barrier.wait().unwrap();
        after.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(passed.load(Ordering::SeqCst), 0);
    assert_eq!(reset.load(Ordering::SeqCst), N - 1);
    assert_eq!(after.load(Ordering::SeqCst), N);
    assert!(!barrier.is_broken());
}

#[test]
fn a_broken_barrier_can_be_reset() {
    // Python's `test_abort_and_reset`.
    let barrier = Barrier::new(N).with_timeout(GENEROUS);
    let barrier2 = Barrier::new(N);
    let passed = AtomicUsize::new(0);
    let broken = AtomicUsize::new(0);
    let after = AtomicUsize::new(0);
    run_threads(N, |_| {
        let i = barrier.wait().unwrap();
        if i == N / 2 {
            barrier.abort();
        } else {
            match barrier.wait() {
                Ok(_) => passed.fetch_add(1, Ordering::SeqCst),
                Err(_) => broken.fetch_add(1, Ordering::SeqCst),
            };
        }
        // Synchronise and reset: first so that everyone has left, then so
        // that nobody enters before the reset.
        if barrier2.wait().unwrap() == N / 2 {
            barrier.reset();
        }
        barrier2.wait().unwrap();
        barrier.wait().unwrap();
        after.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(passed.load(Ordering::SeqCst), 0);
    assert_eq!(broken.load(Ordering::SeqCst), N - 1);
    assert_eq!(after.load(Ordering::SeqCst), N);
}

#[test]
fn abort_and_reset_while_threads_wait() {
    let barrier = Barrier::new(3);
    std::thread::scope(|s| {
        let waiters: Vec<_> = (0..2).map(|_| s.spawn(|| barrier.wait())).collect();
        until(|| barrier.n_waiting() == 2);
        barrier.abort();
        for w in waiters {
            assert_eq!(reason(w.join().unwrap()), BrokenReason::Aborted);
        }
    });
    assert!(barrier.is_broken());
    assert_eq!(barrier.n_waiting(), 0);
    // Broken until reset, even for a thread that would be the last.
    assert_eq!(
        reason(barrier.wait_timeout(Duration::ZERO)),
        BrokenReason::Aborted
    );
    barrier.reset();
    assert!(!barrier.is_broken());
    std::thread::scope(|s| {
        let waiters: Vec<_> = (0..2).map(|_| s.spawn(|| barrier.wait())).collect();
        until(|| barrier.n_waiting() == 2);
        barrier.reset();
        for w in waiters {
            assert_eq!(reason(w.join().unwrap()), BrokenReason::Reset);
        }
        // Usable at once: a whole generation passes right after the reset.
        let others: Vec<_> = (0..2).map(|_| s.spawn(|| barrier.wait())).collect();
        let mine = barrier.wait().unwrap();
        let mut indices: Vec<_> = others
            .into_iter()
            .map(|w| w.join().unwrap().unwrap())
            .collect();
        indices.push(mine);
        indices.sort_unstable();
        assert_eq!(indices, [0, 1, 2]);
    });
}

/// Python's `test_timeout` and `test_default_timeout`: a late thread makes
/// the others time out, which breaks the barrier for everyone, the late one
/// included. `wait` is the wait each of the punctual threads makes.
fn one_thread_is_late(
    barrier: &Barrier,
    start: Instant,
    wait: impl Fn() -> Result<usize, BrokenBarrierError> + Sync,
) {
    let returned: Vec<OnceLock<Instant>> = (0..N).map(|_| OnceLock::new()).collect();
    run_threads(N, |i| {
        let r = if i == N / 2 {
            // Late: arrive only once the barrier is broken (no sleep needed).
            until(|| barrier.is_broken());
            barrier.wait_timeout(GENEROUS)
        } else {
            let r = wait();
            returned[i].set(Instant::now()).unwrap();
            r
        };
        assert_eq!(reason(r), BrokenReason::TimedOut);
    });
    // The barrier broke when some punctual thread's timeout passed, never
    // before: every failure came at least SHORT after `start`, which is
    // before any wait began.
    for t in returned.iter().filter_map(OnceLock::get) {
        assert!(t.duration_since(start) >= SHORT);
        assert!(t.duration_since(start) < GENEROUS);
    }
    assert!(barrier.is_broken());
    assert_eq!(barrier.n_waiting(), 0);
}

#[test]
fn a_wait_that_times_out_breaks_the_barrier() {
    let barrier = Barrier::new(N).with_timeout(GENEROUS);
    one_thread_is_late(&barrier, Instant::now(), || barrier.wait_timeout(SHORT));
}

#[test]
fn wait_until_times_out_at_its_deadline() {
    let barrier = Barrier::new(N);
    let start = Instant::now();
    let deadline = start + SHORT;
    one_thread_is_late(&barrier, start, || barrier.wait_until(deadline));
}

#[test]
fn the_default_timeout_applies_to_wait() {
    let barrier = Barrier::new(N).with_timeout(SHORT);
    one_thread_is_late(&barrier, Instant::now(), || barrier.wait());
}

#[test]
fn a_timed_out_wait_leaves_no_half_counted_generation() {
    // tokio#8370: a timed-out arrival that stayed counted made the next
    // arrival a spurious leader. Here the time-out breaks the barrier: the
    // next arrival fails instead of passing alone.
    let barrier = Barrier::new(2);
    assert_eq!(
        reason(barrier.wait_timeout(Duration::from_millis(1))),
        BrokenReason::TimedOut
    );
    assert_eq!(barrier.n_waiting(), 0);
    assert_eq!(
        reason(barrier.wait_timeout(Duration::ZERO)),
        BrokenReason::TimedOut
    );
    // After a reset the count starts from zero: two arrivals pass together.
    barrier.reset();
    assert_eq!(barrier.n_waiting(), 0);
    std::thread::scope(|s| {
        let other = s.spawn(|| barrier.wait().unwrap());
        let mine = barrier.wait().unwrap();
        assert_eq!(mine + other.join().unwrap(), 1);
    });
}

#[test]
fn a_zero_timeout_passes_only_for_the_last_party() {
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        let first = s.spawn(|| barrier.wait());
        until(|| barrier.n_waiting() == 1);
        // The last party does not wait at all, so it cannot time out.
        assert_eq!(barrier.wait_timeout(Duration::ZERO), Ok(1));
        assert_eq!(first.join().unwrap(), Ok(0));
    });
    // A party that would have to wait breaks the barrier at once.
    let start = Instant::now();
    assert_eq!(
        reason(barrier.wait_timeout(Duration::ZERO)),
        BrokenReason::TimedOut
    );
    assert!(start.elapsed() < GENEROUS);
    assert!(barrier.is_broken());
}

#[test]
fn a_huge_timeout_waits_forever() {
    let barrier = Barrier::new(2).with_timeout(Duration::MAX);
    std::thread::scope(|s| {
        let other = s.spawn(|| barrier.wait_timeout(Duration::MAX).unwrap());
        let mine = barrier.wait().unwrap();
        assert_eq!(mine + other.join().unwrap(), 1);
    });
}

/// A barrier whose action panics in the generations `panics_in` says.
fn panicking_barrier(parties: usize, panics_in: fn(usize) -> bool) -> Barrier {
    let generation = AtomicUsize::new(0);
    Barrier::new(parties).with_action(move || {
        if panics_in(generation.fetch_add(1, Ordering::SeqCst)) {
            panic!("the action failed");
        }
    })
}

#[test]
fn a_panicking_action_breaks_the_barrier_and_panics_in_its_thread() {
    let barrier = panicking_barrier(N, |g| g == 0);
    let panicked = AtomicUsize::new(0);
    run_threads(N, |_| {
        match panic::catch_unwind(AssertUnwindSafe(|| barrier.wait())) {
            Err(payload) => {
                assert_eq!(payload.downcast_ref::<&str>(), Some(&"the action failed"));
                panicked.fetch_add(1, Ordering::SeqCst);
            }
            Ok(r) => assert_eq!(reason(r), BrokenReason::ActionPanicked),
        }
    });
    assert_eq!(panicked.load(Ordering::SeqCst), 1);
    assert!(barrier.is_broken());
    assert_eq!(reason(barrier.wait()), BrokenReason::ActionPanicked);
    // Reset, and the next generation passes (its action does not panic).
    barrier.reset();
    run_threads(N, |_| {
        barrier.wait().unwrap();
    });
}

/// The first of two parties waits with a deadline that passes while the
/// last one runs a slow action (which panics if `action_panics`): the first
/// party belongs to the passing generation and gets its outcome, and its
/// late time-out does not break the barrier.
fn timed_out_during_the_action(action_panics: bool) {
    // Long enough that the last party surely arrives before the deadline,
    // even on a busy machine.
    const TIMEOUT: Duration = Duration::from_millis(300);
    let first_deadline = Arc::new(OnceLock::<Instant>::new());
    let barrier = {
        let first_deadline = Arc::clone(&first_deadline);
        Barrier::new(2).with_action(move || {
            // Outlast the first party's deadline (time must pass here: that
            // is the point of the test, not a synchronisation).
            let deadline = *first_deadline.get().unwrap();
            while Instant::now() < deadline + SHORT {
                std::thread::sleep(Duration::from_millis(5));
            }
            assert!(!action_panics, "the action failed");
        })
    };
    std::thread::scope(|s| {
        let first = s.spawn(|| {
            let deadline = *first_deadline.get_or_init(|| Instant::now() + TIMEOUT);
            barrier.wait_until(deadline)
        });
        until(|| barrier.n_waiting() == 1);
        let last = panic::catch_unwind(AssertUnwindSafe(|| barrier.wait()));
        let first = first.join().unwrap();
        if action_panics {
            assert!(last.is_err());
            assert_eq!(reason(first), BrokenReason::ActionPanicked);
            assert!(barrier.is_broken());
        } else {
            assert_eq!(last.unwrap(), Ok(1));
            assert_eq!(first, Ok(0));
            assert!(!barrier.is_broken());
        }
    });
}

#[test]
fn a_wait_that_times_out_during_the_action_passes_with_its_generation() {
    timed_out_during_the_action(false);
}

#[test]
fn a_wait_that_times_out_during_a_panicking_action_gets_its_error() {
    timed_out_during_the_action(true);
}

/// A barrier whose action calls `call` on the barrier itself, once.
fn self_calling_barrier(parties: usize, call: fn(&Barrier)) -> Arc<Barrier> {
    let slot = Arc::new(OnceLock::<Weak<Barrier>>::new());
    let done = AtomicBool::new(false);
    let barrier = {
        let slot = Arc::clone(&slot);
        Arc::new(Barrier::new(parties).with_action(move || {
            if !done.swap(true, Ordering::SeqCst) {
                call(&slot.get().unwrap().upgrade().unwrap());
            }
        }))
    };
    slot.set(Arc::downgrade(&barrier)).unwrap();
    barrier
}

#[test]
fn abort_from_the_action_applies_after_the_generation_passes() {
    let barrier = self_calling_barrier(3, Barrier::abort);
    run_threads(3, |_| {
        barrier.wait().unwrap();
    });
    assert!(barrier.is_broken());
    assert_eq!(reason(barrier.wait()), BrokenReason::Aborted);
    barrier.reset();
    run_threads(3, |_| {
        barrier.wait().unwrap();
    });
}

#[test]
fn reset_from_the_action_applies_after_the_generation_passes() {
    let barrier = self_calling_barrier(3, Barrier::reset);
    run_threads(3, |_| {
        barrier.wait().unwrap();
    });
    assert!(!barrier.is_broken());
    run_threads(3, |_| {
        barrier.wait().unwrap();
    });
}

#[test]
fn more_threads_than_parties_pass_in_groups() {
    // Four threads on a barrier of two: arrivals while the action runs wait
    // for the next generation, and every generation has exactly one index 0
    // and one index 1 (none is overfilled, none passes half full). The
    // threads pair up arbitrarily, so they cannot each count their rounds
    // (one could be left alone at the end): the action aborts the barrier
    // after the last generation, which stops everyone.
    let generations = if cfg!(miri) { 10 } else { 400 };
    let slot = Arc::new(OnceLock::<Weak<Barrier>>::new());
    let actions = Arc::new(AtomicUsize::new(0));
    let barrier = {
        let (slot, actions) = (Arc::clone(&slot), Arc::clone(&actions));
        Arc::new(Barrier::new(2).with_action(move || {
            if actions.fetch_add(1, Ordering::SeqCst) + 1 == generations {
                slot.get().unwrap().upgrade().unwrap().abort();
            }
            // Give the other threads a chance to arrive during the action.
            bobbin_park::thread::yield_now();
        }))
    };
    slot.set(Arc::downgrade(&barrier)).unwrap();
    let by_index = [AtomicUsize::new(0), AtomicUsize::new(0)];
    run_threads(4, |_| {
        loop {
            match barrier.wait() {
                Ok(index) => by_index[index].fetch_add(1, Ordering::SeqCst),
                Err(e) => {
                    assert_eq!(e.reason(), BrokenReason::Aborted);
                    break;
                }
            };
        }
    });
    assert_eq!(actions.load(Ordering::SeqCst), generations);
    assert_eq!(by_index[0].load(Ordering::SeqCst), generations);
    assert_eq!(by_index[1].load(Ordering::SeqCst), generations);
}

#[test]
fn a_single_party_passes_at_once_and_runs_the_action_each_time() {
    let runs = Arc::new(AtomicUsize::new(0));
    let barrier = {
        let runs = Arc::clone(&runs);
        Barrier::new(1).with_action(move || {
            runs.fetch_add(1, Ordering::SeqCst);
        })
    };
    assert_eq!(barrier.wait(), Ok(0));
    assert_eq!(barrier.wait_timeout(Duration::ZERO), Ok(0));
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[test]
#[should_panic(expected = "a barrier needs at least one party")]
fn zero_parties_panic() {
    let _ = Barrier::new(0);
}

#[test]
#[should_panic(expected = "too many parties")]
fn too_many_parties_panic() {
    let _ = Barrier::new(Barrier::MAX_PARTIES + 1);
}

#[test]
fn wait_publishes_what_came_before_it() {
    let barrier = Barrier::new(2);
    let data = [AtomicUsize::new(0), AtomicUsize::new(0)];
    run_threads(2, |i| {
        data[i].store(i + 10, Ordering::Relaxed);
        barrier.wait().unwrap();
        assert_eq!(data[1 - i].load(Ordering::Relaxed), 11 - i);
    });
}

#[test]
fn a_barrier_can_be_a_static() {
    static BARRIER: Barrier = Barrier::new(2);
    run_threads(2, |_| {
        BARRIER.wait().unwrap();
    });
}

#[test]
fn errors_say_why() {
    let e = Barrier::new(2).wait_timeout(Duration::ZERO).unwrap_err();
    assert_eq!(e.to_string(), "broken barrier: a wait timed out");
    let b = Barrier::new(2);
    b.abort();
    assert_eq!(b.wait().unwrap_err().to_string(), "broken barrier: aborted");
    assert_eq!(
        BrokenBarrierError::from(BrokenReason::Reset).to_string(),
        "broken barrier: reset while waiting"
    );
    assert_eq!(
        BrokenBarrierError::from(BrokenReason::ActionPanicked).to_string(),
        "broken barrier: the action panicked"
    );
}

#[test]
fn debug_shows_the_state() {
    let barrier = Barrier::new(3).with_timeout(SHORT);
    assert_eq!(
        format!("{barrier:?}"),
        "Barrier { parties: 3, n_waiting: 0, broken: false, timeout: Some(50ms), action: false }"
    );
    barrier.abort();
    assert!(format!("{barrier:?}").contains("broken: true"));
}

/// Stress: generations with resets, aborts and time-outs mixed in.
#[test]
#[ignore = "stress test: run with cargo xtask stress"]
fn stress_barrier_generations_and_breaks() {
    let multiplier = stress_multiplier();
    for parties in [2, 3, 5] {
        generations(parties, 20_000 * multiplier);
    }
    let barrier = Barrier::new(3);
    for round in 0..2_000 * multiplier {
        run_threads(3, |i| {
            let r = if i == 0 && round % 3 == 0 {
                barrier.wait_timeout(Duration::from_micros(50))
            } else {
                barrier.wait_timeout(Duration::from_millis(200))
            };
            if let Err(e) = r {
                assert_ne!(e.reason(), BrokenReason::ActionPanicked);
            }
        });
        if barrier.is_broken() || round % 7 == 0 {
            barrier.reset();
        }
    }
}
