//! `Lock`: Python's `threading.Lock` behaviour (CPython's
//! `Lib/test/lock_tests.py`, `LockTests`), the data-carrying form, the fair
//! hand-off, and `RawLock` through lock_api.

use bobbin_lock::{Lock, LockGuard, RawLock, ReleaseError};
use bobbin_park::sync::Arc;
use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use bobbin_park::thread::spawn;
use std::time::{Duration, Instant};

mod common;
use common::wait_for;

const fn assert_send_sync<T: Send + Sync>() {}
const fn assert_send<T: Send>() {}

// Compile-time: locks are shared between threads; a guard can be moved to
// another thread to release the lock there (Python's any-thread release).
const _: () = {
    assert_send_sync::<Lock>();
    assert_send_sync::<Lock<Vec<u8>>>();
    assert_send_sync::<RawLock>();
    assert_send_sync::<LockGuard<'static, ()>>();
    assert_send_sync::<LockGuard<'static, String>>();
    assert_send_sync::<ReleaseError>();
    // A lock makes a `Send` but `!Sync` value shareable, as std's Mutex does.
    assert_send_sync::<Lock<std::cell::Cell<u8>>>();
    assert_send::<LockGuard<'static, std::cell::Cell<u8>>>();
};

#[test]
fn a_plain_lock_is_one_byte() {
    assert_eq!(size_of::<Lock>(), 1);
    assert_eq!(size_of::<Lock<()>>(), 1);
    assert_eq!(size_of::<RawLock>(), 1);
    assert_eq!(size_of::<LockGuard<'_, ()>>(), size_of::<usize>());
}

#[test]
fn acquire_and_drop() {
    let lock = Lock::new(());
    assert!(!lock.locked());
    let guard = lock.acquire();
    assert!(lock.locked());
    drop(guard);
    assert!(!lock.locked());
}

#[test]
fn try_acquire_fails_only_while_held() {
    let lock = Lock::new(());
    let guard = lock.try_acquire().expect("a free lock is taken at once");
    // Held by this thread, and seen as held from another (Python's
    // test_try_acquire_contended).
    assert!(lock.try_acquire().is_none());
    let other = std::thread::scope(|s| s.spawn(|| lock.try_acquire().is_some()).join());
    assert!(!other.unwrap());
    drop(guard);
    assert!(lock.try_acquire().is_some());
}

#[test]
fn contended_acquirers_wait_for_the_release() {
    let lock = Lock::new(());
    let started = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let guard = lock.acquire();
    std::thread::scope(|s| {
        for _ in 0..5 {
            s.spawn(|| {
                started.fetch_add(1, Ordering::Relaxed);
                let _g = lock.acquire();
                finished.fetch_add(1, Ordering::Relaxed);
            });
        }
        wait_for("all started", || started.load(Ordering::Relaxed) == 5);
        // No one can get past `acquire` while we hold the lock.
        assert_eq!(finished.load(Ordering::Relaxed), 0);
        drop(guard);
    });
    assert_eq!(finished.load(Ordering::Relaxed), 5);
    assert!(!lock.locked());
}

#[test]
fn the_lock_excludes_other_threads() {
    let threads = 4;
    let rounds = if cfg!(miri) { 50 } else { 10_000 };
    let lock = Lock::new(0_usize);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..rounds {
                    // A read and a separate write: lost updates would show
                    // if two threads were inside at once.
                    let mut g = lock.acquire();
                    let seen = *g;
                    *g = seen + 1;
                }
            });
        }
    });
    assert_eq!(lock.into_inner(), threads * rounds);
}

#[test]
fn a_panic_releases_the_lock() {
    let lock = Lock::new(5);
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            let mut g = lock.acquire();
            *g = 6;
            panic!("inside the lock");
        })
        .join()
    });
    assert!(result.is_err());
    // Released on unwind, and not poisoned: the write is there.
    assert!(!lock.locked());
    assert_eq!(*lock.acquire(), 6);
}

#[test]
fn a_timed_acquire_waits_its_timeout_and_not_less() {
    let lock = Lock::new(());
    let _held = lock.acquire();
    let timeout = Duration::from_millis(50);
    std::thread::scope(|s| {
        s.spawn(|| {
            let start = Instant::now();
            assert!(lock.acquire_timeout(timeout).is_none());
            let waited = start.elapsed();
            assert!(waited >= timeout, "returned early: {waited:?}");
            assert!(waited < Duration::from_secs(5), "far too late: {waited:?}");

            let start = Instant::now();
            assert!(lock.acquire_until(start + timeout).is_none());
            assert!(start.elapsed() >= timeout);
        });
    });
}

#[test]
fn zero_and_past_timeouts_are_tries() {
    let lock = Lock::new(());
    assert!(lock.acquire_timeout(Duration::ZERO).is_some());
    assert!(lock.acquire_until(Instant::now()).is_some());
    let _held = lock.acquire();
    std::thread::scope(|s| {
        s.spawn(|| {
            let start = Instant::now();
            assert!(lock.acquire_timeout(Duration::ZERO).is_none());
            assert!(lock.acquire_until(start).is_none());
            assert!(start.elapsed() < Duration::from_secs(1));
        });
    });
}

#[test]
fn an_unrepresentable_timeout_waits_forever_without_panicking() {
    let lock = Lock::new(());
    // Free: taken at once, whatever the timeout.
    assert!(lock.acquire_timeout(Duration::MAX).is_some());
    // Held: waits until the holder releases.
    let guard = lock.acquire();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| lock.acquire_timeout(Duration::MAX).is_some());
        // Python's test_state_after_timeout: a timed-out acquire leaves the
        // lock usable.
        drop(guard);
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn a_timed_waiter_is_woken_by_the_release() {
    let lock = Lock::new(());
    let guard = lock.acquire();
    let waiting = AtomicBool::new(false);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            waiting.store(true, Ordering::Relaxed);
            let start = Instant::now();
            let got = lock.acquire_timeout(Duration::from_secs(30)).is_some();
            (got, start.elapsed())
        });
        wait_for("the waiter started", || waiting.load(Ordering::Relaxed));
        drop(guard);
        let (got, waited) = waiter.join().unwrap();
        assert!(got);
        assert!(waited < Duration::from_secs(10), "not woken: {waited:?}");
    });
}

#[test]
fn state_after_a_timeout() {
    // Python's test_state_after_timeout.
    let lock = Lock::new(());
    LockGuard::leak(lock.acquire());
    std::thread::scope(|s| {
        s.spawn(|| assert!(lock.acquire_timeout(Duration::from_millis(10)).is_none()));
    });
    lock.release().unwrap();
    assert!(!lock.locked());
    assert!(lock.try_acquire().is_some());
}

#[test]
fn another_thread_may_release_the_lock() {
    // Python's test_different_thread.
    let lock = Arc::new(Lock::new(()));
    LockGuard::leak(lock.acquire());
    let releaser = {
        let lock = Arc::clone(&lock);
        spawn(move || lock.release())
    };
    assert_eq!(releaser.join().unwrap(), Ok(()));
    assert!(!lock.locked());
    let _g = lock.acquire();
}

#[test]
fn a_release_by_another_thread_wakes_the_waiter() {
    let lock = Lock::new(());
    let started = AtomicBool::new(false);
    LockGuard::leak(lock.acquire());
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            started.store(true, Ordering::Relaxed);
            LockGuard::leak(lock.acquire());
        });
        let releaser = s.spawn(|| {
            wait_for("the waiter started", || started.load(Ordering::Relaxed));
            lock.release()
        });
        assert_eq!(releaser.join().unwrap(), Ok(()));
        waiter.join().unwrap();
    });
    // The waiter took the lock and left it held.
    assert!(lock.locked());
    assert_eq!(lock.release(), Ok(()));
}

#[test]
fn a_thread_blocks_on_a_lock_it_holds_until_another_releases_it() {
    // Python's test_reacquire: a Lock is not reentrant.
    let lock = Lock::new(());
    let phase = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            LockGuard::leak(lock.acquire());
            phase.store(1, Ordering::Relaxed);
            LockGuard::leak(lock.acquire());
            phase.store(2, Ordering::Relaxed);
        });
        wait_for("first acquire", || phase.load(Ordering::Relaxed) == 1);
        // Whatever happens next, the thread cannot pass its second acquire
        // before this release.
        assert_eq!(phase.load(Ordering::Relaxed), 1);
        lock.release().unwrap();
    });
    assert_eq!(phase.load(Ordering::Relaxed), 2);
    lock.release().unwrap();
}

#[test]
fn releasing_an_unlocked_lock_is_an_error() {
    let lock = Lock::new(());
    let err = lock.release().unwrap_err();
    assert_eq!(err, ReleaseError::Unlocked);
    assert_eq!(err.to_string(), "release unlocked lock");
    LockGuard::leak(lock.acquire());
    assert_eq!(lock.release(), Ok(()));
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    assert!(!lock.locked());
}

#[test]
fn of_two_racing_releases_exactly_one_succeeds() {
    let rounds = if cfg!(miri) { 20 } else { 2_000 };
    let lock = Lock::new(());
    for _ in 0..rounds {
        LockGuard::leak(lock.acquire());
        let go = AtomicBool::new(false);
        let ok = std::thread::scope(|s| {
            let racers: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        wait_for("go", || go.load(Ordering::Relaxed));
                        lock.release().is_ok()
                    })
                })
                .collect();
            go.store(true, Ordering::Relaxed);
            racers
                .into_iter()
                .map(|r| r.join().unwrap())
                .filter(|&ok| ok)
                .count()
        });
        assert_eq!(ok, 1);
        assert!(!lock.locked());
    }
}

#[test]
fn a_guard_can_be_released_by_another_thread() {
    let lock = Lock::new(vec![1]);
    let mut guard = lock.acquire();
    guard.push(2);
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut guard = guard;
            guard.push(3);
        });
    });
    assert!(!lock.locked());
    assert_eq!(*lock.acquire(), [1, 2, 3]);
}

#[test]
fn a_waiter_is_not_starved_by_a_thread_that_reacquires_in_a_loop() {
    // CPython 3.14's rule: a waiter parked for more than a millisecond gets
    // the lock on the next release, even from a thread that takes it back at
    // once. Without it the waiter, woken on each release, finds the lock
    // taken again before it runs, and parks again.
    let lock = Lock::new(0_u64);
    let stop = AtomicBool::new(false);
    let rounds = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut g = lock.acquire();
            while !stop.load(Ordering::Relaxed) {
                // Hold the lock for a while, so the waiter finds it held and
                // parks, then release and take it back at once.
                let held = Instant::now();
                while held.elapsed() < Duration::from_micros(20) {
                    *g = g.wrapping_add(1);
                }
                drop(g);
                g = lock.acquire();
                rounds.fetch_add(1, Ordering::Relaxed);
            }
        });
        wait_for("the hog is looping", || rounds.load(Ordering::Relaxed) > 10);
        let start = Instant::now();
        let got = lock.acquire_timeout(Duration::from_secs(5));
        let waited = start.elapsed();
        stop.store(true, Ordering::Relaxed);
        assert!(got.is_some(), "starved for {waited:?}");
        assert!(waited < Duration::from_secs(2), "starved for {waited:?}");
    });
}

#[test]
fn default_from_into_inner_and_get_mut() {
    let lock: Lock<Vec<u8>> = Lock::default();
    assert!(lock.acquire().is_empty());
    let mut lock = Lock::from(vec![1]);
    lock.get_mut().push(2);
    assert_eq!(lock.into_inner(), [1, 2]);
    let plain: Lock = Lock::default();
    assert!(!plain.locked());
}

#[test]
fn debug_shows_the_data_or_that_it_is_locked() {
    let lock = Lock::new(7);
    assert_eq!(format!("{lock:?}"), "Lock { data: 7 }");
    let guard = lock.acquire();
    assert_eq!(format!("{lock:?}"), "Lock { data: <locked> }");
    assert_eq!(format!("{guard:?}"), "7");
    assert_eq!(format!("{guard}"), "7");
    drop(guard);
    assert!(format!("{:?}", RawLock::new()).contains("locked: false"));
}

#[test]
fn unsized_data() {
    let lock: &Lock<[u8]> = &Lock::new([1, 2, 3]);
    lock.acquire()[0] = 9;
    assert_eq!(&*lock.acquire(), &[9, 2, 3]);
}

#[test]
fn leak_keeps_the_lock_held_and_gives_the_data() {
    let lock = Lock::new(1);
    let data = LockGuard::leak(lock.acquire());
    *data += 1;
    assert_eq!(*data, 2);
    assert!(lock.locked());
    assert!(lock.try_acquire().is_none());
}

#[test]
fn unlock_fair_releases() {
    let lock = Lock::new(());
    LockGuard::unlock_fair(lock.acquire());
    assert!(!lock.locked());
    assert!(lock.try_acquire().is_some());
}

#[test]
fn statics() {
    static LOCK: Lock = Lock::new(());
    static COUNT: Lock<u32> = Lock::new(0);
    let _g = LOCK.acquire();
    *COUNT.acquire() += 1;
    assert!(*COUNT.acquire() >= 1);
}

mod lock_api_traits {
    use super::*;
    use lock_api::{RawMutex, RawMutexFair};

    type Mutex<T> = lock_api::Mutex<RawLock, T>;

    #[test]
    fn a_lock_api_mutex_runs_on_raw_lock() {
        let threads = 4;
        let rounds = if cfg!(miri) { 50 } else { 5_000 };
        let m = Mutex::new(0_usize);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..rounds {
                        *m.lock() += 1;
                    }
                });
            }
        });
        assert_eq!(m.into_inner(), threads * rounds);
    }

    #[test]
    fn raw_operations() {
        let raw = RawLock::INIT;
        assert!(!raw.is_locked());
        let guard = raw.lock();
        assert!(raw.is_locked());
        assert!(raw.try_lock().is_none());
        // SAFETY: `guard` is the state of the acquisition above.
        unsafe { raw.unlock(guard) };
        let guard = raw.try_lock().expect("free");
        // SAFETY: as above.
        unsafe { raw.unlock_fair(guard) };
        assert!(!raw.is_locked());
    }

    #[test]
    fn timed_try_locks_wait_their_timeout() {
        let m = Mutex::new(());
        let _held = m.lock();
        std::thread::scope(|s| {
            s.spawn(|| {
                let start = Instant::now();
                assert!(m.try_lock_for(Duration::from_millis(20)).is_none());
                assert!(start.elapsed() >= Duration::from_millis(20));
                let deadline = Instant::now() + Duration::from_millis(20);
                assert!(m.try_lock_until(deadline).is_none());
                assert!(Instant::now() >= deadline);
            });
        });
    }

    #[test]
    fn lock_api_guards_are_send() {
        const fn assert_send<T: Send>() {}
        const _: () = assert_send::<lock_api::MutexGuard<'static, RawLock, u8>>();
        let m = Mutex::new(1);
        let guard = m.lock();
        std::thread::scope(|s| {
            s.spawn(move || drop(guard));
        });
        assert!(!m.is_locked());
    }

    #[test]
    fn bump_keeps_the_lock_held() {
        let m = Mutex::new(0);
        let mut guard = m.lock();
        lock_api::MutexGuard::bump(&mut guard);
        *guard += 1;
        drop(guard);
        assert_eq!(*m.lock(), 1);
    }
}

#[test]
#[ignore = "stress test: run with cargo xtask stress"]
fn stress_every_way_in_and_out_keeps_exclusion() {
    // Four threads mix every acquire (blocking, try, timed, by hand) with
    // every release (drop, fair hand-off, release by hand), and two more
    // run a condition wait on the same lock with short timeouts: every
    // increment made under the lock must be there at the end.
    use bobbin_lock::WaitGuard;
    use bobbin_park::{ConditionQueue, Deadline};

    let until = Instant::now() + common::stress_duration();
    let lock = Lock::new(0_u64);
    let queue = ConditionQueue::new();
    let total = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..4_u64 {
            let (lock, queue, total) = (&lock, &queue, &total);
            s.spawn(move || {
                let mut mine = 0;
                let mut i = t;
                while Instant::now() < until {
                    i = i
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let guard = match i >> 62 {
                        0 => Some(lock.acquire()),
                        1 => lock.try_acquire(),
                        2 => lock.acquire_timeout(Duration::from_micros(i % 200)),
                        _ => lock.acquire_until(Instant::now() + Duration::from_micros(50)),
                    };
                    let Some(mut guard) = guard else { continue };
                    let seen = *guard;
                    *guard = seen + 1;
                    mine += 1;
                    if i & 1 == 0 {
                        queue.notify_one();
                    }
                    if i & 2 == 0 {
                        LockGuard::unlock_fair(guard);
                    } else {
                        drop(guard);
                    }
                }
                total.fetch_add(mine, Ordering::Relaxed);
            });
        }
        for _ in 0..2 {
            let (lock, queue, total) = (&lock, &queue, &total);
            s.spawn(move || {
                let mut mine = 0;
                while Instant::now() < until {
                    let mut guard = lock.acquire();
                    let r = guard.wait_on(queue, Deadline::after(Duration::from_micros(300)));
                    assert_ne!(r, bobbin_park::CondWait::OtherLock);
                    *guard += 1;
                    mine += 1;
                }
                total.fetch_add(mine, Ordering::Relaxed);
            });
        }
    });
    assert_eq!(lock.into_inner(), total.load(Ordering::Relaxed) as u64);
}

#[test]
fn a_reset_frees_the_lock_and_every_waiter_gets_it_in_turn() {
    // Python's `_at_fork_reinit` outside a fork: the holder's acquisition is
    // dropped, and the waiters (parked or about to be) all wake and take
    // the lock one at a time.
    let lock = Lock::new(());
    let started = AtomicUsize::new(0);
    let inside = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    LockGuard::leak(lock.acquire());
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                started.fetch_add(1, Ordering::Relaxed);
                let _guard = lock
                    .acquire_timeout(Duration::from_secs(10))
                    .expect("woken");
                assert_eq!(inside.fetch_add(1, Ordering::Relaxed), 0, "exclusion");
                inside.fetch_sub(1, Ordering::Relaxed);
                done.fetch_add(1, Ordering::Relaxed);
            });
        }
        wait_for("the waiters", || started.load(Ordering::Relaxed) == 3);
        assert!(lock.reset());
    });
    assert_eq!(done.load(Ordering::Relaxed), 3);
    assert!(!lock.locked());
    assert!(!lock.reset());
}
