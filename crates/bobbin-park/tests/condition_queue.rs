//! `ConditionQueue` from several threads: requeue onto a held lock, direct
//! wake-up of a free one, exact notify counts, time-outs and the one-lock
//! rule.

mod common;

use bobbin_park::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use bobbin_park::{
    CondWait, ConditionQueue, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, Deadline, LOCK_PARKED,
};
use common::{TinyLock, WOKEN_BY_UNLOCK};
use std::time::{Duration, Instant};

/// Waits on `queue` holding `lock`, counting the thread in `queued` once it
/// has released the lock (so it is queued), and re-takes the lock before
/// returning, as a condition variable does.
fn wait(
    queue: &ConditionQueue,
    lock: &TinyLock,
    queued: &AtomicUsize,
    deadline: Deadline,
) -> CondWait {
    lock.lock();
    let r = queue.wait(
        &lock.state,
        DEFAULT_PARK_TOKEN,
        || {
            lock.unlock();
            queued.fetch_add(1, Ordering::SeqCst);
        },
        deadline,
    );
    lock.lock();
    lock.unlock();
    r
}

fn until(queued: &AtomicUsize, n: usize) {
    while queued.load(Ordering::SeqCst) < n {
        bobbin_park::thread::yield_now();
    }
}

#[test]
fn notify_with_the_lock_held_requeues_the_waiter() {
    let queue = ConditionQueue::new();
    let lock = TinyLock::new();
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| wait(&queue, &lock, &queued, Deadline::never()));
        until(&queued, 1);
        lock.lock();
        assert!(queue.notify_one());
        // Moved, not woken: the lock is now marked as having a parked thread.
        assert_eq!(
            lock.state.load(Ordering::Relaxed) & LOCK_PARKED,
            LOCK_PARKED
        );
        assert!(!queue.has_waiters());
        lock.unlock();
        // The lock's release woke it, with the lock's token.
        assert_eq!(waiter.join().unwrap(), CondWait::Woken(WOKEN_BY_UNLOCK));
    });
}

#[test]
fn notify_with_the_lock_free_wakes_the_waiter() {
    let queue = ConditionQueue::new();
    let lock = TinyLock::new();
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| wait(&queue, &lock, &queued, Deadline::never()));
        until(&queued, 1);
        assert!(queue.notify_one());
        assert_eq!(
            waiter.join().unwrap(),
            CondWait::Woken(DEFAULT_UNPARK_TOKEN)
        );
    });
}

#[test]
fn notify_n_notifies_exactly_n_of_m() {
    let (n, m) = if cfg!(miri) { (2, 3) } else { (3, 5) };
    let queue = ConditionQueue::new();
    let lock = TinyLock::new();
    let queued = AtomicUsize::new(0);
    let returned = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiters: Vec<_> = (0..m)
            .map(|_| {
                s.spawn(|| {
                    let r = wait(&queue, &lock, &queued, Deadline::never());
                    returned.fetch_add(1, Ordering::SeqCst);
                    r
                })
            })
            .collect();
        until(&queued, m);
        lock.lock();
        assert_eq!(queue.notify(n), n);
        lock.unlock();
        // Exactly n come back; the others stay queued until notified.
        until(&returned, n);
        assert!(queue.has_waiters());
        assert_eq!(queue.notify_all(), m - n);
        for w in waiters {
            assert!(matches!(w.join().unwrap(), CondWait::Woken(_)));
        }
        assert_eq!(returned.load(Ordering::SeqCst), m);
    });
    assert_eq!(queue.notify(1), 0);
}

#[test]
fn notify_all_counts_every_waiter_held_or_free() {
    for hold in [true, false] {
        let m = if cfg!(miri) { 2 } else { 4 };
        let queue = ConditionQueue::new();
        let lock = TinyLock::new();
        let queued = AtomicUsize::new(0);
        std::thread::scope(|s| {
            let waiters: Vec<_> = (0..m)
                .map(|_| s.spawn(|| wait(&queue, &lock, &queued, Deadline::never())))
                .collect();
            until(&queued, m);
            if hold {
                lock.lock();
            }
            assert_eq!(queue.notify_all(), m);
            assert!(!queue.has_waiters());
            if hold {
                lock.unlock();
            }
            for w in waiters {
                assert!(matches!(w.join().unwrap(), CondWait::Woken(_)));
            }
        });
    }
}

#[test]
fn a_timed_wait_times_out_and_unbinds_the_queue() {
    let queue = ConditionQueue::new();
    let lock = TinyLock::new();
    let queued = AtomicUsize::new(0);
    let timeout = Duration::from_millis(30);
    let start = Instant::now();
    assert_eq!(
        wait(&queue, &lock, &queued, Deadline::after(timeout)),
        CondWait::TimedOut
    );
    assert!(start.elapsed() >= timeout);
    assert!(!queue.has_waiters());
    assert!(!lock.is_locked());
    // Unbound, the queue serves another lock.
    let other = AtomicU8::new(0);
    assert_eq!(
        queue.wait(
            &other,
            DEFAULT_PARK_TOKEN,
            || {},
            Deadline::after(Duration::ZERO)
        ),
        CondWait::TimedOut
    );
}

#[test]
fn a_notified_waiter_whose_deadline_passes_on_the_lock_queue_was_notified() {
    // The notifier takes the lock, notifies (moving the waiter onto the
    // lock's queue) and holds the lock until well past the waiter's
    // deadline: the waiter times out there, but it was notified first.
    let queue = ConditionQueue::new();
    let lock = TinyLock::new();
    let queued = AtomicUsize::new(0);
    let deadline = Instant::now() + Duration::from_millis(300);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| wait(&queue, &lock, &queued, Deadline::at(deadline)));
        until(&queued, 1);
        lock.lock();
        assert!(
            queue.notify_one(),
            "the waiter is queued until its deadline"
        );
        // Holding the lock past the deadline is the scenario, not a way of
        // ordering the threads.
        std::thread::sleep(
            deadline.saturating_duration_since(Instant::now()) + Duration::from_millis(100),
        );
        lock.unlock();
        assert!(matches!(waiter.join().unwrap(), CondWait::Woken(_)));
    });
    assert!(Instant::now() >= deadline);
    assert!(!queue.has_waiters());
}

#[test]
fn a_second_lock_is_refused_while_threads_wait() {
    let queue = ConditionQueue::new();
    let lock = TinyLock::new();
    let queued = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| wait(&queue, &lock, &queued, Deadline::never()));
        until(&queued, 1);
        let other = AtomicU8::new(0);
        let mut slept = false;
        let r = queue.wait(
            &other,
            DEFAULT_PARK_TOKEN,
            || slept = true,
            Deadline::never(),
        );
        assert_eq!(r, CondWait::OtherLock);
        assert!(!slept, "before_sleep must not run when the wait is refused");
        assert!(queue.notify_one());
        assert!(matches!(waiter.join().unwrap(), CondWait::Woken(_)));
    });
}

#[test]
fn producer_consumer_loses_no_notification() {
    // A counter under the lock, a consumer that waits for it to grow: every
    // increment is seen (the condition-variable pattern, repeated).
    let rounds = if cfg!(miri) { 20 } else { 2_000 };
    let queue = ConditionQueue::new();
    let lock = TinyLock::new();
    let produced = AtomicUsize::new(0);
    let consumed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..rounds {
                lock.lock();
                produced.fetch_add(1, Ordering::Relaxed);
                queue.notify_one();
                lock.unlock();
            }
        });
        lock.lock();
        while consumed.load(Ordering::Relaxed) < rounds {
            while produced.load(Ordering::Relaxed) == consumed.load(Ordering::Relaxed) {
                let r = queue.wait(
                    &lock.state,
                    DEFAULT_PARK_TOKEN,
                    || lock.unlock(),
                    Deadline::never(),
                );
                assert!(matches!(r, CondWait::Woken(_)));
                lock.lock();
            }
            consumed.store(produced.load(Ordering::Relaxed), Ordering::Relaxed);
        }
        lock.unlock();
    });
    assert_eq!(consumed.load(Ordering::Relaxed), rounds);
}
