//! The parking API from several threads: no lost wake-up, timed parks that
//! never return early, and exactly the wake-ups each unpark call promises.

use bobbin_park::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use bobbin_park::{
    DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, Deadline, FilterOp, ParkResult, ParkToken, RequeueOp,
    UnparkToken, park, unpark_all, unpark_filter, unpark_one, unpark_requeue,
};
use std::time::{Duration, Instant};

/// Threads per test: enough to interleave, few enough for Miri.
const THREADS: usize = if cfg!(miri) { 3 } else { 6 };

/// Parks on `key` until unparked, counting the thread into `queued` while the
/// queue is locked (so a count of n means n threads are in the queue).
fn park_counted(key: &AtomicU8, queued: &AtomicUsize, token: ParkToken) -> ParkResult {
    park(
        key,
        || {
            queued.fetch_add(1, Ordering::SeqCst);
            true
        },
        || {},
        |_, _| {},
        token,
        Deadline::never(),
    )
}

/// Waits (without sleeping) until `n` threads have been counted into the
/// queue.
fn until_queued(queued: &AtomicUsize, n: usize) {
    while queued.load(Ordering::SeqCst) < n {
        bobbin_park::thread::yield_now();
    }
}

#[test]
fn unpark_before_park_is_not_lost() {
    // The waker changes the state and unparks before the waiter parks: the
    // waiter's validate sees the new state under the queue lock and the park
    // returns at once instead of sleeping forever.
    let flag = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            flag.store(true, Ordering::Release);
            assert_eq!(unpark_all(&flag, DEFAULT_UNPARK_TOKEN), 0);
        })
        .join()
        .unwrap();
        let r = park(
            &flag,
            || !flag.load(Ordering::Acquire),
            || {},
            |_, _| {},
            DEFAULT_PARK_TOKEN,
            Deadline::never(),
        );
        assert_eq!(r, ParkResult::Invalid);
    });
}

#[test]
fn wake_between_check_and_park_is_not_lost() {
    // A waiter checks the flag, then parks; a waker sets the flag and unparks
    // at any moment in between. Repeated, so that the race is hit both ways.
    let rounds = if cfg!(miri) { 20 } else { 2_000 };
    for _ in 0..rounds {
        let flag = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                flag.store(true, Ordering::Release);
                unpark_all(&flag, DEFAULT_UNPARK_TOKEN);
            });
            while !flag.load(Ordering::Acquire) {
                let r = park(
                    &flag,
                    || !flag.load(Ordering::Acquire),
                    || {},
                    |_, _| {},
                    DEFAULT_PARK_TOKEN,
                    Deadline::never(),
                );
                assert_ne!(r, ParkResult::TimedOut);
            }
        });
    }
}

#[test]
fn timed_park_returns_at_or_after_its_deadline() {
    let key = AtomicU8::new(0);
    for ms in [0, 1, 20, 50] {
        let timeout = Duration::from_millis(ms);
        let start = Instant::now();
        let deadline = Deadline::after(timeout);
        let mut timed_out_seen = None;
        let r = park(
            &key,
            || true,
            || {},
            |k, last| timed_out_seen = Some((k.is(&key), last)),
            DEFAULT_PARK_TOKEN,
            deadline,
        );
        assert_eq!(r, ParkResult::TimedOut);
        assert!(
            start.elapsed() >= timeout,
            "returned after {:?}, before its {timeout:?} timeout",
            start.elapsed()
        );
        assert!(deadline.has_passed());
        assert_eq!(timed_out_seen, Some((true, true)));
    }
}

#[test]
fn timed_out_learns_whether_it_was_the_last_waiter() {
    let key = AtomicU8::new(0);
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let sleeper = s.spawn(|| park_counted(&key, &queued, DEFAULT_PARK_TOKEN));
        until_queued(&queued, 1);
        let mut seen = None;
        let r = park(
            &key,
            || true,
            || {},
            |k, last| seen = Some((k.is(&key), last)),
            DEFAULT_PARK_TOKEN,
            Deadline::after(Duration::from_millis(5)),
        );
        assert_eq!(r, ParkResult::TimedOut);
        // The sleeper is still queued on the same key.
        assert_eq!(seen, Some((true, false)));
        assert_eq!(unpark_all(&key, DEFAULT_UNPARK_TOKEN), 1);
        assert!(sleeper.join().unwrap().is_unparked());
    });
}

#[test]
fn unpark_all_wakes_every_parked_thread_with_its_token() {
    let key = AtomicU8::new(0);
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiters: Vec<_> = (0..THREADS)
            .map(|_| s.spawn(|| park_counted(&key, &queued, DEFAULT_PARK_TOKEN)))
            .collect();
        until_queued(&queued, THREADS);
        assert_eq!(unpark_all(&key, UnparkToken(7)), THREADS);
        for w in waiters {
            assert_eq!(w.join().unwrap(), ParkResult::Unparked(UnparkToken(7)));
        }
    });
    assert_eq!(unpark_all(&key, DEFAULT_UNPARK_TOKEN), 0);
}

#[test]
fn unpark_one_wakes_in_fifo_order_and_reports_more() {
    let key = AtomicU8::new(0);
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        // Park the threads one at a time so the queue order is known.
        let waiters: Vec<_> = (0..3)
            .map(|i| {
                let h = s.spawn({
                    let (key, queued) = (&key, &queued);
                    move || park_counted(key, queued, ParkToken(i))
                });
                until_queued(&queued, i + 1);
                h
            })
            .collect();
        for i in 0..3 {
            let r = unpark_one(&key, |r| {
                assert_eq!(r.unparked_threads, 1);
                assert_eq!(r.have_more_threads, i < 2);
                UnparkToken(100 + i)
            });
            assert_eq!(r.unparked_threads, 1);
            assert_eq!(r.have_more_threads, i < 2);
        }
        for (i, w) in waiters.into_iter().enumerate() {
            // Waiter i parked i-th and so was woken i-th, with token 100 + i.
            assert_eq!(
                w.join().unwrap(),
                ParkResult::Unparked(UnparkToken(100 + i))
            );
        }
    });
    let r = unpark_one(&key, |r| {
        assert_eq!(r.unparked_threads, 0);
        DEFAULT_UNPARK_TOKEN
    });
    assert_eq!(r.unparked_threads, 0);
}

#[test]
fn unpark_filter_wakes_exactly_the_threads_it_picks() {
    let key = AtomicU8::new(0);
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiters: Vec<_> = (0..THREADS)
            .map(|i| {
                let (key, queued) = (&key, &queued);
                s.spawn(move || (i, park_counted(key, queued, ParkToken(i))))
            })
            .collect();
        until_queued(&queued, THREADS);

        // Wake the even tokens, skip the odd ones.
        let mut seen = Vec::new();
        let r = unpark_filter(
            &key,
            |ParkToken(t)| {
                seen.push(t);
                if t % 2 == 0 {
                    FilterOp::Unpark
                } else {
                    FilterOp::Skip
                }
            },
            |r| UnparkToken(r.unparked_threads),
        );
        let evens = THREADS.div_ceil(2);
        assert_eq!(r.unparked_threads, evens);
        assert!(r.have_more_threads);
        seen.sort_unstable();
        assert_eq!(seen, (0..THREADS).collect::<Vec<_>>());

        // Exactly the odd ones are still parked.
        assert_eq!(unpark_all(&key, UnparkToken(999)), THREADS - evens);
        for w in waiters {
            let (i, r) = w.join().unwrap();
            let expected = if i % 2 == 0 { evens } else { 999 };
            assert_eq!(r, ParkResult::Unparked(UnparkToken(expected)), "thread {i}");
        }
    });
}

#[test]
fn unpark_filter_stop_leaves_the_rest() {
    let key = AtomicU8::new(0);
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiters: Vec<_> = (0..3)
            .map(|_| s.spawn(|| park_counted(&key, &queued, DEFAULT_PARK_TOKEN)))
            .collect();
        until_queued(&queued, 3);
        let mut calls = 0;
        let r = unpark_filter(
            &key,
            |_| {
                calls += 1;
                if calls == 1 {
                    FilterOp::Unpark
                } else {
                    FilterOp::Stop
                }
            },
            |_| DEFAULT_UNPARK_TOKEN,
        );
        assert_eq!(calls, 2, "the filter is not called after Stop");
        assert_eq!(r.unparked_threads, 1);
        assert!(r.have_more_threads);
        assert_eq!(unpark_all(&key, DEFAULT_UNPARK_TOKEN), 2);
        for w in waiters {
            assert!(w.join().unwrap().is_unparked());
        }
    });
}

#[test]
fn requeue_moves_waiters_without_waking_them() {
    let from = AtomicU8::new(0);
    let to = AtomicU8::new(0);
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiters: Vec<_> = (0..THREADS)
            .map(|_| s.spawn(|| park_counted(&from, &queued, DEFAULT_PARK_TOKEN)))
            .collect();
        until_queued(&queued, THREADS);

        let r = unpark_requeue(
            &from,
            &to,
            || RequeueOp::RequeueAll,
            |op, r| {
                assert_eq!(op, RequeueOp::RequeueAll);
                assert_eq!(r.unparked_threads, 0);
                DEFAULT_UNPARK_TOKEN
            },
        );
        assert_eq!(r.requeued_threads, THREADS);
        assert_eq!(r.unparked_threads, 0);

        // Nobody woke, nobody is left on `from`: everyone is parked on `to`.
        assert_eq!(unpark_all(&from, UnparkToken(1)), 0);
        assert_eq!(unpark_all(&to, UnparkToken(2)), THREADS);
        for w in waiters {
            assert_eq!(w.join().unwrap(), ParkResult::Unparked(UnparkToken(2)));
        }
    });
}

#[test]
fn requeue_one_and_unpark_one_requeue_rest() {
    let from = AtomicU8::new(0);
    let to = AtomicU8::new(0);
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiters: Vec<_> = (0..3)
            .map(|_| s.spawn(|| park_counted(&from, &queued, DEFAULT_PARK_TOKEN)))
            .collect();
        until_queued(&queued, 3);

        let r = unpark_requeue(&from, &to, || RequeueOp::RequeueOne, |_, _| UnparkToken(0));
        assert_eq!((r.unparked_threads, r.requeued_threads), (0, 1));
        assert!(r.have_more_threads);

        let r = unpark_requeue(
            &from,
            &to,
            || RequeueOp::UnparkOneRequeueRest,
            |_, _| UnparkToken(5),
        );
        assert_eq!((r.unparked_threads, r.requeued_threads), (1, 1));

        let r = unpark_requeue(&from, &to, || RequeueOp::Abort, |_, _| unreachable!());
        assert_eq!((r.unparked_threads, r.requeued_threads), (0, 0));

        assert_eq!(unpark_all(&to, UnparkToken(6)), 2);
        let mut tokens: Vec<usize> = waiters
            .into_iter()
            .map(|w| match w.join().unwrap() {
                ParkResult::Unparked(UnparkToken(t)) => t,
                other => panic!("{other:?}"),
            })
            .collect();
        tokens.sort_unstable();
        assert_eq!(tokens, [5, 6, 6]);
    });
}

#[test]
fn a_requeued_thread_times_out_on_its_new_key() {
    // The requeue must happen before the waiter's deadline; on a very busy
    // machine it may not, and then the round is tried again.
    for timeout_ms in [50, 200, 1_000, 5_000] {
        let from = AtomicU8::new(0);
        let to = AtomicU8::new(0);
        let queued = AtomicUsize::new(0);
        let done = std::thread::scope(|s| {
            let waiter = s.spawn(|| {
                let mut seen = None;
                let r = park(
                    &from,
                    || {
                        queued.fetch_add(1, Ordering::SeqCst);
                        true
                    },
                    || {},
                    |k, last| seen = Some((k.is(&to), k.is(&from), last)),
                    DEFAULT_PARK_TOKEN,
                    Deadline::after(Duration::from_millis(timeout_ms)),
                );
                (r, seen)
            });
            until_queued(&queued, 1);
            let r = unpark_requeue(&from, &to, || RequeueOp::RequeueAll, |_, _| UnparkToken(0));
            let (result, seen) = waiter.join().unwrap();
            assert_eq!(result, ParkResult::TimedOut);
            if r.requeued_threads == 0 {
                // The deadline passed before the requeue: try a longer one.
                assert_eq!(seen, Some((false, true, true)));
                return false;
            }
            assert_eq!(seen, Some((true, false, true)));
            true
        });
        if done {
            return;
        }
    }
    panic!("the requeue never came before a 5 s deadline");
}

#[test]
fn before_sleep_runs_after_queueing_and_may_unpark() {
    // A condition variable's pattern: the waiter releases a "lock" in
    // before_sleep, after it is queued, so a notifier that takes the lock
    // and then unparks always finds it.
    let lock = AtomicBool::new(true);
    let cond = AtomicU8::new(0);
    let other = AtomicU8::new(0);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            park(
                &cond,
                || true,
                || {
                    lock.store(false, Ordering::Release);
                    // Unparking is allowed here.
                    unpark_all(&other, DEFAULT_UNPARK_TOKEN);
                },
                |_, _| {},
                DEFAULT_PARK_TOKEN,
                Deadline::never(),
            )
        });
        while lock.load(Ordering::Acquire) {
            bobbin_park::thread::yield_now();
        }
        // The lock was released, so the waiter is already queued.
        assert_eq!(unpark_all(&cond, UnparkToken(3)), 1);
        assert_eq!(waiter.join().unwrap(), ParkResult::Unparked(UnparkToken(3)));
    });
}

/// Re-runs this test binary with only `test`, with `BOBBIN_PARK_CHILD`
/// set, and returns whether the child was killed by an abort.
#[cfg(all(unix, not(miri)))]
fn child_aborts(test: &str) -> (bool, String) {
    use std::os::unix::process::ExitStatusExt;
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("BOBBIN_PARK_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.signal() == Some(6), stderr)
}

#[cfg(all(unix, not(miri)))]
#[test]
fn parking_from_a_locked_callback_aborts_with_a_message() {
    if std::env::var_os("BOBBIN_PARK_CHILD").is_some() {
        let key = AtomicU8::new(0);
        park(
            &key,
            || {
                // Forbidden: a call into the parking lot with a queue locked.
                unpark_all(&AtomicU8::new(0), DEFAULT_UNPARK_TOKEN);
                false
            },
            || {},
            |_, _| {},
            DEFAULT_PARK_TOKEN,
            Deadline::never(),
        );
        return;
    }
    let (aborted, stderr) = child_aborts("parking_from_a_locked_callback_aborts_with_a_message");
    assert!(aborted, "the child was not aborted; stderr:\n{stderr}");
    assert!(
        stderr.contains(
            "bobbin-park: unpark_all called from a callback that runs with a parking queue locked"
        ),
        "{stderr}"
    );
}

#[cfg(all(unix, not(miri)))]
#[test]
fn parking_from_before_sleep_aborts_with_a_message() {
    if std::env::var_os("BOBBIN_PARK_CHILD").is_some() {
        let key = AtomicU8::new(0);
        park(
            &key,
            || true,
            || {
                // Forbidden: this thread is already queued on `key`.
                park(
                    &AtomicU8::new(0),
                    || false,
                    || {},
                    |_, _| {},
                    DEFAULT_PARK_TOKEN,
                    Deadline::never(),
                );
            },
            |_, _| {},
            DEFAULT_PARK_TOKEN,
            Deadline::after(Duration::from_millis(1)),
        );
        return;
    }
    let (aborted, stderr) = child_aborts("parking_from_before_sleep_aborts_with_a_message");
    assert!(aborted, "the child was not aborted; stderr:\n{stderr}");
    assert!(
        stderr.contains("bobbin-park: park called from a before_sleep callback"),
        "{stderr}"
    );
}

#[test]
fn thread_ids_are_distinct_and_stable() {
    let me = bobbin_park::thread::current_id();
    assert_ne!(me, 0);
    assert_eq!(bobbin_park::thread::current_id(), me);
    let others: Vec<usize> = (0..THREADS)
        .map(|_| std::thread::spawn(bobbin_park::thread::current_id))
        .map(|h| h.join().unwrap())
        .collect();
    let mut all = others.clone();
    all.push(me);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), THREADS + 1, "ids repeat: {others:?} and {me}");
}
