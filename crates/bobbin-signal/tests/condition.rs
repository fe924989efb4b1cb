//! `Condition` from several threads: Python's `ConditionTests` (notify(n)
//! waking exactly n, notify_all, time-outs, wait_for), an RLock held at
//! depth 3, one lock serving two conditions, the one-lock rule, sizes and
//! thread-safety.

mod common;

use bobbin_lock::{Lock, RLock};
use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use bobbin_signal::Condition;
use common::{GENEROUS, SHORT, stress_multiplier, until};
use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// Waiters per test: enough to interleave, few enough for Miri.
const N: usize = 5;

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Condition>();
    assert!(size_of::<Condition>() <= 8);
};

/// The state of Python's `_check_notify`, all under one lock: the phase the
/// notifier announces, how many threads are about to wait, and what each
/// returning waiter saw.
#[derive(Default)]
struct Phases {
    phase: usize,
    ready: usize,
    first: Vec<usize>,
    second: Vec<usize>,
}

/// Takes the lock once `ready` holds for the state it guards. Waiters
/// announce under the lock that they wait, and release it only once they are
/// queued, so when the notifier holds the lock and sees the count, they are
/// all queued.
fn lock_when<T>(lock: &Lock<T>, ready: impl Fn(&T) -> bool) -> bobbin_lock::LockGuard<'_, T> {
    let start = Instant::now();
    loop {
        let guard = lock.acquire();
        if ready(&guard) {
            return guard;
        }
        drop(guard);
        assert!(start.elapsed() < GENEROUS, "gave up waiting");
        bobbin_park::thread::yield_now();
    }
}

/// Python's `_check_notify`: notify(3) wakes exactly three of five waiters,
/// notify(5) the other two and the three that waited again, notify_all the
/// last two; each waiter sees the phase set while the notifier held the lock.
fn check_notify(lock: &Lock<Phases>, cond: &Condition) {
    *lock.acquire() = Phases::default();
    std::thread::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                let mut guard = lock.acquire();
                guard.ready += 1;
                assert!(cond.wait(&mut guard));
                let phase = guard.phase;
                guard.first.push(phase);
                guard.ready += 1;
                assert!(cond.wait(&mut guard));
                let phase = guard.phase;
                guard.second.push(phase);
            });
        }
        let mut guard = lock_when(lock, |p| p.ready == N);
        assert!(guard.first.is_empty());
        guard.ready = 0;
        // Notify three threads at first.
        assert_eq!(cond.notify(3), 3);
        guard.phase = 1;
        drop(guard);
        let mut guard = lock_when(lock, |p| p.ready == 3);
        assert_eq!(guard.first, [1, 1, 1]);
        assert!(guard.second.is_empty());
        guard.ready = 0;
        // Notify five: the two still in their first wait (the oldest) and
        // the three in their second.
        assert_eq!(cond.notify(5), 5);
        guard.phase = 2;
        drop(guard);
        let mut guard = lock_when(lock, |p| p.ready == 2 && p.second.len() == 3);
        assert_eq!(guard.first, [1, 1, 1, 2, 2]);
        assert_eq!(guard.second, [2, 2, 2]);
        // Notify all: the two left, in their second wait.
        assert_eq!(cond.notify_all(), 2);
        guard.phase = 3;
        drop(guard);
    });
    let guard = lock.acquire();
    assert_eq!(guard.second, [2, 2, 2, 3, 3]);
    assert_eq!(cond.notify_all(), 0);
}

#[test]
fn notify_n_wakes_exactly_n_and_notify_all_the_rest() {
    let lock = Lock::new(Phases::default());
    let cond = Condition::new();
    check_notify(&lock, &cond);
    // A second time, to check the condition's state is still right.
    check_notify(&lock, &cond);
}

#[test]
fn notify_without_waiters_wakes_nobody() {
    let cond = Condition::new();
    assert!(!cond.notify_one());
    assert_eq!(cond.notify(3), 0);
    assert_eq!(cond.notify_all(), 0);
}

#[test]
fn notify_one_wakes_the_longest_waiting_thread() {
    let lock = Lock::new((0, Vec::new()));
    let cond = Condition::new();
    std::thread::scope(|s| {
        for id in 0..3 {
            let (lock, cond) = (&lock, &cond);
            s.spawn(move || {
                let mut guard = lock.acquire();
                // Take turns: thread `id` waits only once `id` are waiting.
                while guard.0 != id {
                    drop(guard);
                    bobbin_park::thread::yield_now();
                    guard = lock.acquire();
                }
                guard.0 += 1;
                cond.wait(&mut guard);
                guard.1.push(id);
            });
        }
        until(|| lock.acquire().0 == 3);
        for woken in 1..=3 {
            assert!(cond.notify_one());
            until(|| lock.acquire().1.len() == woken);
        }
    });
    assert_eq!(lock.acquire().1, [0, 1, 2]);
}

#[test]
fn notify_may_be_called_without_the_lock() {
    let lock = Lock::new(false);
    let cond = Condition::new();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let mut guard = lock.acquire();
            while !*guard {
                cond.wait(&mut guard);
            }
        });
        *lock.acquire() = true;
        // The lock is free now: the waiter is woken directly.
        cond.notify_all();
        waiter.join().unwrap();
    });
}

#[test]
fn wait_timeout_returns_false_no_earlier_than_the_timeout() {
    // Python's `test_timeout`: five threads each wait alone and time out.
    let lock = Lock::new(());
    let cond = Condition::new();
    std::thread::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                let mut guard = lock.acquire();
                let start = Instant::now();
                assert!(!cond.wait_timeout(&mut guard, SHORT));
                let waited = start.elapsed();
                assert!(waited >= SHORT, "returned after {waited:?}");
                assert!(waited < GENEROUS, "returned after {waited:?}");
                // The lock is held again.
                assert!(lock.try_acquire().is_none());
            });
        }
    });
    assert!(!lock.locked());
}

#[test]
fn wait_until_and_zero_timeouts() {
    let lock = Lock::new(());
    let cond = Condition::new();
    let mut guard = lock.acquire();
    let deadline = Instant::now() + SHORT;
    assert!(!cond.wait_until(&mut guard, deadline));
    assert!(Instant::now() >= deadline);
    assert!(!cond.wait_timeout(&mut guard, Duration::ZERO));
    assert!(!cond.wait_until(&mut guard, Instant::now()));
    assert!(lock.locked());
}

#[test]
fn a_timed_wait_is_woken_by_a_notification() {
    let lock = Lock::new(false);
    let cond = Condition::new();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let mut guard = lock.acquire();
            let start = Instant::now();
            let notified = cond.wait_for(&mut guard, |ready| *ready, Some(GENEROUS));
            (notified, start.elapsed())
        });
        *lock.acquire() = true;
        cond.notify_all();
        let (notified, waited) = waiter.join().unwrap();
        assert!(notified);
        assert!(waited < GENEROUS);
    });
}

/// How long a waiter waits in the notified-then-held tests, and how far
/// past its deadline the notifier keeps the lock.
const NOTIFIED_TIMEOUT: Duration = Duration::from_millis(400);
const HELD_PAST: Duration = Duration::from_millis(200);

/// Takes the lock with `acquire` (so the waiter, which released it to
/// wait, is queued), notifies one waiter, and keeps the lock until
/// `HELD_PAST` after `deadline`: the waiter's deadline passes while it waits
/// for the lock, after its notification.
fn notify_and_hold_past<G>(acquire: impl FnOnce() -> G, cond: &Condition, deadline: Instant) {
    let guard = acquire();
    assert!(cond.notify_one(), "the waiter waits until its deadline");
    // Holding the lock past the deadline is the scenario under test, not a
    // way of ordering the threads.
    std::thread::sleep(deadline.saturating_duration_since(Instant::now()) + HELD_PAST);
    drop(guard);
}

#[test]
fn a_waiter_notified_before_its_timeout_returns_true_however_long_the_lock_is_held() {
    // CPython 3.13 returns True here, and parking_lot reports no timeout.
    let lock = Lock::new(false);
    let cond = Condition::new();
    let mut guard = lock.acquire();
    let start = Instant::now();
    let deadline = start + NOTIFIED_TIMEOUT;
    std::thread::scope(|s| {
        s.spawn(|| {
            notify_and_hold_past(|| lock.acquire(), &cond, deadline);
        });
        assert!(
            cond.wait_timeout(&mut guard, NOTIFIED_TIMEOUT),
            "a notification was lost"
        );
        assert!(start.elapsed() >= NOTIFIED_TIMEOUT + HELD_PAST / 2);
    });
}

#[test]
fn a_waiter_on_an_rlock_notified_before_its_deadline_returns_true() {
    let rlock = RLock::new(());
    let cond = Condition::new();
    let _outer = rlock.acquire();
    let mut guard = rlock.acquire();
    let deadline = Instant::now() + NOTIFIED_TIMEOUT;
    std::thread::scope(|s| {
        s.spawn(|| {
            notify_and_hold_past(|| rlock.acquire(), &cond, deadline);
        });
        assert!(
            cond.wait_until(&mut guard, deadline),
            "a notification was lost"
        );
        assert!(Instant::now() >= deadline);
        assert_eq!(rlock.recursion_count(), 2);
    });
}

#[test]
fn wait_for_a_notified_waiter_held_past_its_deadline_sees_the_predicate() {
    let lock = Lock::new(false);
    let cond = Condition::new();
    let mut guard = lock.acquire();
    let deadline = Instant::now() + NOTIFIED_TIMEOUT;
    std::thread::scope(|s| {
        s.spawn(|| {
            let set = || {
                let mut guard = lock.acquire();
                *guard = true;
                guard
            };
            notify_and_hold_past(set, &cond, deadline);
        });
        assert!(cond.wait_for_until(&mut guard, |ready| *ready, deadline));
        assert!(*guard);
        assert!(Instant::now() >= deadline);
    });
}

#[test]
fn a_huge_timeout_waits_until_notified() {
    let lock = Lock::new(false);
    let cond = Condition::new();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let mut guard = lock.acquire();
            cond.wait_for(&mut guard, |ready| *ready, Some(Duration::MAX))
        });
        let mut guard = lock.acquire();
        *guard = true;
        cond.notify_all();
        drop(guard);
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn wait_for_returns_once_the_predicate_holds() {
    // Python's `test_waitfor`.
    let state = Lock::new(0);
    let cond = Condition::new();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let mut guard = state.acquire();
            assert!(cond.wait_for(&mut guard, |n| *n == 4, None));
            assert_eq!(*guard, 4);
        });
        for _ in 0..4 {
            *state.acquire() += 1;
            cond.notify_one();
        }
        waiter.join().unwrap();
    });
}

#[test]
fn wait_for_with_a_true_predicate_does_not_wait() {
    let state = Lock::new(1);
    let cond = Condition::new();
    let mut guard = state.acquire();
    let start = Instant::now();
    assert!(cond.wait_for(&mut guard, |n| *n == 1, Some(GENEROUS)));
    assert!(cond.wait_for(&mut guard, |n| *n == 1, Some(Duration::ZERO)));
    assert!(start.elapsed() < GENEROUS);
    assert!(!cond.wait_for(&mut guard, |n| *n == 2, Some(Duration::ZERO)));
}

#[test]
fn wait_for_a_predicate_that_never_holds_times_out_once_across_wake_ups() {
    // Python's `test_waitfor_timeout`, sharpened: the notifier keeps waking
    // the waiter (the predicate never holds) until it returns. The timeout is
    // one deadline for the whole call, so the waiter returns false soon after
    // it; a wait that restarted the timeout after each wake-up would never
    // time out while the notifications go on.
    let state = Lock::new(0);
    let cond = Condition::new();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let mut guard = state.acquire();
            let start = Instant::now();
            let r = cond.wait_for(&mut guard, |n| *n == usize::MAX, Some(SHORT));
            let waited = start.elapsed();
            done.store(true, Ordering::SeqCst);
            (r, waited, *guard)
        });
        let start = Instant::now();
        while !done.load(Ordering::SeqCst) && start.elapsed() < 2 * GENEROUS {
            *state.acquire() += 1;
            cond.notify_one();
            std::thread::sleep(Duration::from_millis(2));
        }
        let (r, waited, wake_ups) = waiter.join().unwrap();
        assert!(!r);
        assert!(waited >= SHORT, "returned after {waited:?}");
        assert!(
            waited < GENEROUS,
            "returned after {waited:?}: the timeout restarted"
        );
        // It was woken (at least once, most likely many times) meanwhile.
        assert!(wake_ups > 0);
    });
}

#[test]
fn wait_for_until_gives_up_at_its_deadline() {
    let items = Lock::new(VecDeque::<u32>::new());
    let cond = Condition::new();
    let mut guard = items.acquire();
    let deadline = Instant::now() + SHORT;
    assert!(!cond.wait_for_until(&mut guard, |q| !q.is_empty(), deadline));
    assert!(Instant::now() >= deadline);
}

#[test]
fn an_rlock_held_at_depth_three_is_released_while_waiting_and_restored() {
    let rlock = RLock::new(AtomicUsize::new(0));
    let cond = Condition::new();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let _one = rlock.acquire();
            let _two = rlock.acquire();
            let mut three = rlock.acquire();
            assert_eq!(rlock.recursion_count(), 3);
            three.store(1, Ordering::SeqCst);
            assert!(cond.wait_for(&mut three, |n| n.load(Ordering::SeqCst) == 2, None));
            // Every level is back, owned by this thread.
            assert!(rlock.is_owned());
            assert_eq!(rlock.recursion_count(), 3);
        });
        // The waiter holds three levels; while it waits, another thread can
        // acquire the RLock, which is only possible if all three are released.
        let guard = loop {
            let guard = rlock.acquire();
            if guard.load(Ordering::SeqCst) == 1 {
                break guard;
            }
            drop(guard);
            bobbin_park::thread::yield_now();
        };
        assert!(rlock.is_owned());
        assert_eq!(rlock.recursion_count(), 1);
        guard.store(2, Ordering::SeqCst);
        assert_eq!(cond.notify_all(), 1);
        drop(guard);
        waiter.join().unwrap();
    });
    assert!(!rlock.locked());
}

#[test]
fn a_timed_wait_on_an_rlock_restores_its_depth() {
    let rlock = RLock::new(());
    let cond = Condition::new();
    let _one = rlock.acquire();
    let _two = rlock.acquire();
    let mut three = rlock.acquire();
    std::thread::scope(|s| {
        // While this thread waits, another takes and drops the RLock.
        let other = s.spawn(|| {
            let start = Instant::now();
            loop {
                if let Some(g) = rlock.try_acquire() {
                    drop(g);
                    return true;
                }
                if start.elapsed() > GENEROUS {
                    return false;
                }
                bobbin_park::thread::yield_now();
            }
        });
        while !other.is_finished() {
            cond.wait_timeout(&mut three, Duration::from_millis(5));
        }
        assert!(other.join().unwrap());
    });
    assert_eq!(rlock.recursion_count(), 3);
}

#[test]
fn one_lock_serves_two_conditions() {
    // CPython's `queue.Queue`: one mutex, conditions `not_empty` and
    // `not_full`. A bounded buffer of two between a producer and a consumer.
    let items = if cfg!(miri) { 50 } else { 2_000 };
    let buffer = Lock::new(VecDeque::new());
    let not_empty = Condition::new();
    let not_full = Condition::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            for item in 0..items {
                let mut queue = buffer.acquire();
                not_full.wait_for(&mut queue, |q| q.len() < 2, None);
                queue.push_back(item);
                not_empty.notify_one();
            }
        });
        for expected in 0..items {
            let mut queue = buffer.acquire();
            not_empty.wait_for(&mut queue, |q| !q.is_empty(), None);
            assert_eq!(queue.pop_front(), Some(expected));
            not_full.notify_one();
        }
    });
}

#[test]
fn one_condition_with_two_locks_at_once_panics() {
    let first = Lock::new(false);
    let second = Lock::new(());
    let cond = Condition::new();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let mut guard = first.acquire();
            *guard = true; // announce, under the lock, that it waits
            while *guard {
                cond.wait(&mut guard);
            }
        });
        until(|| *first.acquire());
        // The waiter is queued with `first`; a wait with `second` panics and
        // leaves `second` held.
        let mut guard = second.acquire();
        let r = panic::catch_unwind(AssertUnwindSafe(|| cond.wait(&mut guard)));
        let message = r.unwrap_err();
        assert_eq!(
            message.downcast_ref::<&str>(),
            Some(&"a Condition cannot be used with two different locks at once")
        );
        assert!(second.locked());
        drop(guard);
        // Release the waiter; then the condition serves `second` freely.
        *first.acquire() = false;
        cond.notify_all();
        waiter.join().unwrap();
    });
    let mut guard = second.acquire();
    assert!(!cond.wait_timeout(&mut guard, Duration::from_millis(1)));
}

#[test]
fn notify_all_with_the_lock_held_wakes_every_waiter_in_turn() {
    let lock = Lock::new((0usize, 0usize));
    let cond = Condition::new();
    std::thread::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                let mut guard = lock.acquire();
                guard.0 += 1;
                cond.wait(&mut guard);
                // Woken holding the lock, one at a time.
                guard.1 += 1;
            });
        }
        let guard = lock_when(&lock, |(waiting, _)| *waiting == N);
        assert_eq!(cond.notify_all(), N);
        // Nobody has run yet: they need the lock this thread holds.
        assert_eq!(guard.1, 0);
        drop(guard);
    });
    assert_eq!(lock.acquire().1, N);
}

#[test]
fn a_condition_can_be_a_static() {
    static COND: Condition = Condition::new();
    static LOCK: Lock<bool> = Lock::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            *LOCK.acquire() = true;
            COND.notify_all();
        });
        let mut guard = LOCK.acquire();
        COND.wait_for(&mut guard, |ready| *ready, None);
    });
}

#[test]
fn default_and_debug() {
    let cond = Condition::default();
    assert_eq!(format!("{cond:?}"), "Condition { has_waiters: false }");
}

/// Stress: producers and consumers over one lock and two conditions, with
/// timed and untimed waits.
#[test]
#[ignore = "stress test: run with cargo xtask stress"]
fn stress_condition_producers_and_consumers() {
    let multiplier = stress_multiplier();
    let per_producer = 50_000 * multiplier;
    let buffer = Lock::new(VecDeque::new());
    let not_empty = Condition::new();
    let not_full = Condition::new();
    let consumed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for item in 0..per_producer {
                    let mut queue = buffer.acquire();
                    while !not_full.wait_for(&mut queue, |q| q.len() < 4, Some(SHORT)) {}
                    queue.push_back(item);
                    not_empty.notify_one();
                }
            });
        }
        for _ in 0..2 {
            s.spawn(|| {
                while consumed.load(Ordering::SeqCst) < 2 * per_producer {
                    let mut queue = buffer.acquire();
                    if not_empty.wait_for(&mut queue, |q| !q.is_empty(), Some(SHORT)) {
                        queue.pop_front();
                        consumed.fetch_add(1, Ordering::SeqCst);
                        not_full.notify_one();
                    }
                }
            });
        }
    });
    assert_eq!(consumed.load(Ordering::SeqCst), 2 * per_producer);
}

#[test]
fn notify_zero_wakes_nobody_and_notify_max_wakes_everyone() {
    let lock = Lock::new(0_usize);
    let cond = Condition::new();
    std::thread::scope(|s| {
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut guard = lock.acquire();
                    *guard += 1;
                    cond.wait_timeout(&mut guard, GENEROUS)
                })
            })
            .collect();
        // Both have announced themselves, so both are queued once the lock
        // is free again (a waiter releases it only once queued).
        until(|| *lock.acquire() == 2);
        let guard = lock.acquire();
        assert_eq!(cond.notify(0), 0);
        assert_eq!(cond.notify(usize::MAX), 2);
        drop(guard);
        for w in waiters {
            assert!(w.join().unwrap(), "woken, not timed out");
        }
    });
}

/// Python's `with cond: cond.wait()` over a `Lock` taken by a bare
/// `acquire()`: the waiter adopts the acquisition, waits (the lock is free
/// meanwhile, so the notifier can take it), and hands it back held and bare.
#[test]
fn a_bare_held_lock_is_released_while_waiting_and_held_again() {
    use bobbin_lock::LockGuard;
    let lock = Lock::new(());
    let cond = Condition::new();
    let notified = AtomicBool::new(false);
    LockGuard::leak(lock.acquire()); // acquire(), no guard kept
    std::thread::scope(|s| {
        s.spawn(|| {
            until(|| cond_has_waiter(&cond));
            // A bare acquire too: it succeeds only because the waiter
            // released the lock.
            LockGuard::leak(lock.acquire());
            notified.store(true, Ordering::Relaxed);
            assert!(cond.notify_one());
            lock.release().unwrap();
        });
        let mut guard = LockGuard::adopt(&lock).expect("held by a bare acquire");
        assert!(cond.wait_timeout(&mut guard, GENEROUS));
        LockGuard::leak(guard);
    });
    assert!(notified.load(Ordering::Relaxed));
    assert!(lock.locked(), "the wait gave the bare acquisition back");
    lock.release().unwrap();
    assert!(!lock.locked());
}

/// The same over an `RLock` held at depth 2 by bare acquires: every level
/// is released while waiting (another thread takes the lock) and both are
/// restored after, still bare.
#[test]
fn a_bare_held_rlock_releases_every_level_while_waiting() {
    use bobbin_lock::RLockGuard;
    let rlock = RLock::new(());
    let cond = Condition::new();
    RLockGuard::leak(rlock.acquire());
    RLockGuard::leak(rlock.acquire());
    std::thread::scope(|s| {
        s.spawn(|| {
            until(|| cond_has_waiter(&cond));
            // Free at every level, or this would block.
            let _g = rlock.acquire();
            assert!(cond.notify_one());
        });
        let mut guard = RLockGuard::adopt(&rlock).expect("owned");
        assert!(cond.wait_timeout(&mut guard, GENEROUS));
        RLockGuard::leak(guard);
    });
    assert_eq!(rlock.recursion_count(), 2);
    rlock.release().unwrap();
    rlock.release().unwrap();
    assert!(!rlock.locked());
}

/// A timed-out wait on a bare-held lock holds it again too.
#[test]
fn a_timed_out_wait_on_a_bare_held_lock_holds_it_again() {
    use bobbin_lock::{LockGuard, RLockGuard};
    let lock = Lock::new(());
    let cond = Condition::new();
    LockGuard::leak(lock.acquire());
    let mut guard = LockGuard::adopt(&lock).unwrap();
    assert!(!cond.wait_timeout(&mut guard, SHORT));
    LockGuard::leak(guard);
    assert!(lock.locked());
    lock.release().unwrap();

    let rlock = RLock::new(());
    RLockGuard::leak(rlock.acquire());
    let mut guard = RLockGuard::adopt(&rlock).unwrap();
    assert!(!cond.wait_timeout(&mut guard, SHORT));
    drop(guard); // dropping an adopted guard releases its level
    assert!(!rlock.locked());
}

/// Whether a thread waits on `cond` (its `Debug` says so).
fn cond_has_waiter(cond: &Condition) -> bool {
    format!("{cond:?}").contains("has_waiters: true")
}
