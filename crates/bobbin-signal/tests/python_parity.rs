//! Python parity: behaviours of CPython 3.13's `threading.Event`,
//! `Condition` and `Barrier` (its documentation and `lock_tests.py`) that
//! the other test files do not already pin down, each test naming the Python
//! behaviour it mirrors.

mod common;

use bobbin_lock::{Lock, RLock};
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_signal::{Barrier, BrokenReason, Condition, Event};
use common::{GENEROUS, until};
use std::time::{Duration, Instant};

#[test]
fn wait_on_a_set_event_returns_true_at_once_in_every_form() {
    // Python's `Event.wait(timeout)`: "returns True if and only if the
    // internal flag has been set"; `wait(0)` only looks at the flag.
    let event = Event::new();
    let past = Instant::now();
    assert!(!event.wait_timeout(Duration::ZERO));
    assert!(!event.wait_until(past));
    event.set();
    let start = Instant::now();
    assert!(event.wait());
    assert!(event.wait_timeout(Duration::ZERO));
    assert!(event.wait_timeout(Duration::MAX));
    assert!(event.wait_until(past));
    assert!(start.elapsed() < GENEROUS);
}

#[test]
fn wait_for_reads_outside_state_with_any_guard() {
    // Python's `cond.wait_for(lambda: state == 4)`: the predicate takes no
    // argument and reads state the lock does not own. Here it is given the
    // guarded data, which a closure over `Lock<()>` or `RLock<()>` ignores
    // (`|_|`), and which one over `Lock<T>` or `RLock<T>` reads (`|v|`).
    let state = AtomicUsize::new(0);
    let cond = Condition::new();
    let bump = || {
        state.fetch_add(1, Ordering::SeqCst);
        cond.notify_all();
    };

    let lock = Lock::new(());
    std::thread::scope(|s| {
        let mut guard = lock.acquire();
        s.spawn(|| {
            let _held = lock.acquire();
            bump();
        });
        assert!(cond.wait_for(&mut guard, |_| state.load(Ordering::SeqCst) >= 1, None));
    });

    let rlock = RLock::new(());
    std::thread::scope(|s| {
        let _outer = rlock.acquire();
        let mut guard = rlock.acquire();
        s.spawn(|| {
            let _held = rlock.acquire();
            bump();
        });
        assert!(cond.wait_for(
            &mut guard,
            |_| state.load(Ordering::SeqCst) >= 2,
            Some(GENEROUS)
        ));
        assert_eq!(rlock.recursion_count(), 2);
    });

    let data = Lock::new(0_u32);
    std::thread::scope(|s| {
        let mut guard = data.acquire();
        s.spawn(|| {
            *data.acquire() = 7;
            cond.notify_all();
        });
        assert!(cond.wait_for(&mut guard, |v| *v == 7, None));
    });

    let shared = RLock::new(AtomicUsize::new(0));
    std::thread::scope(|s| {
        let mut guard = shared.acquire();
        s.spawn(|| {
            shared.acquire().store(3, Ordering::SeqCst);
            cond.notify_all();
        });
        assert!(cond.wait_for(&mut guard, |v| v.load(Ordering::SeqCst) == 3, None));
    });
}

#[test]
fn notify_zero_wakes_nobody() {
    // Python's `notify(n)` wakes at most n waiters: `notify(0)` none, and a
    // larger n than there are waiters wakes them all.
    let waiting = Lock::new(0_usize);
    let cond = Condition::new();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut guard = waiting.acquire();
                *guard += 1;
                assert!(cond.wait(&mut guard));
            });
        }
        // Each waiter counts itself and releases the lock only once queued.
        until(|| *waiting.acquire() == 2);
        let _guard = waiting.acquire();
        assert_eq!(cond.notify(0), 0);
        assert_eq!(cond.notify(5), 2);
        assert_eq!(cond.notify_all(), 0);
    });
}

#[test]
fn notify_n_wakes_the_n_longest_waiting_threads() {
    // Python's `notify(n)` takes the first n of its FIFO of waiters
    // (`waiters = _islice(self._waiters, n)`): of three threads that
    // began to wait in the order 0, 1, 2, `notify(2)` wakes 0 and 1.
    #[derive(Default)]
    struct State {
        waiting: usize,
        woken: Vec<usize>,
    }
    let state = Lock::new(State::default());
    let cond = Condition::new();
    std::thread::scope(|s| {
        for i in 0..3 {
            let (state, cond) = (&state, &cond);
            s.spawn(move || {
                let mut guard = state.acquire();
                guard.waiting += 1;
                cond.wait(&mut guard);
                guard.woken.push(i);
            });
            // Counted under the lock, which it releases only once queued:
            // the next waiter queues behind it.
            until(|| state.acquire().waiting == i + 1);
        }
        assert_eq!(cond.notify(2), 2);
        until(|| state.acquire().woken.len() == 2);
        let mut woken = state.acquire().woken.clone();
        woken.sort_unstable();
        assert_eq!(woken, [0, 1]);
        assert_eq!(cond.notify_all(), 1);
    });
    assert_eq!(state.acquire().woken.len(), 3);
}

#[test]
fn the_last_party_to_arrive_gets_index_parties_minus_one() {
    // Python's `Barrier.wait` returns the arrival order (`index =
    // self._count`): the first gets 0 and the last parties - 1; `n_waiting`
    // counts the parties that wait meanwhile.
    let barrier = Barrier::new(3);
    std::thread::scope(|s| {
        let first = s.spawn(|| barrier.wait());
        until(|| barrier.n_waiting() == 1);
        let second = s.spawn(|| barrier.wait());
        until(|| barrier.n_waiting() == 2);
        assert_eq!(barrier.wait(), Ok(2));
        assert_eq!(first.join().unwrap(), Ok(0));
        assert_eq!(second.join().unwrap(), Ok(1));
    });
    assert_eq!(barrier.n_waiting(), 0);
    assert_eq!(barrier.parties(), 3);
}

#[test]
fn a_broken_barrier_fails_every_wait_at_once_until_reset() {
    // Python: once broken, "any attempts to wait on it will raise
    // BrokenBarrierError" at once (whatever the timeout), `n_waiting` is 0,
    // and `reset()` with no waiters makes it usable again.
    let barrier = Barrier::new(2);
    barrier.abort();
    let start = Instant::now();
    for _ in 0..2 {
        assert_eq!(barrier.wait().unwrap_err().reason(), BrokenReason::Aborted);
        assert!(barrier.wait_timeout(Duration::MAX).is_err());
    }
    assert!(start.elapsed() < GENEROUS);
    assert!(barrier.is_broken());
    assert_eq!(barrier.n_waiting(), 0);
    barrier.reset();
    assert!(!barrier.is_broken());
    std::thread::scope(|s| {
        let other = s.spawn(|| barrier.wait());
        let mine = barrier.wait().unwrap();
        assert_eq!(mine + other.join().unwrap().unwrap(), 1);
    });
}

#[test]
fn a_timeout_given_to_wait_replaces_the_default() {
    // Python's `wait(timeout)`: "If a timeout is provided, it is used in
    // preference to any that was supplied to the class constructor."
    let barrier = Barrier::new(2).with_timeout(Duration::from_millis(1));
    std::thread::scope(|s| {
        let patient = s.spawn(|| barrier.wait_timeout(GENEROUS));
        until(|| barrier.n_waiting() == 1);
        // Long past the default timeout: a waiter that used it would have
        // broken the barrier by now.
        std::thread::sleep(Duration::from_millis(20));
        assert!(!barrier.is_broken());
        assert_eq!(barrier.wait_timeout(GENEROUS), Ok(1));
        assert_eq!(patient.join().unwrap(), Ok(0));
    });
}
