//! The signalling workloads: `event_pingpong`, `condition_pingpong`,
//! `semaphore_4t`, `barrier_2t`.

use crate::harness::{Impl, Scale, Workload, share, timed_threads};
use crate::peers::{CondvarEvent, CondvarSemaphore, Pl, Std, Sys};
use bobbin_lock::{Lock, Semaphore};
use bobbin_signal::{Barrier, Condition, Event};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// Two threads bounce a turn between them through two events.
pub(crate) fn event_pingpong() -> Workload {
    Workload {
        name: "event_pingpong",
        op: "round trip",
        scale: Scale::Nanos,
        about: "Thread A sets `ping`, waits for `pong` and clears it; thread B waits for \
                `ping`, clears it and sets `pong`. B counts the round trips.",
        ops: 50_000,
        impls: vec![
            Impl::bobbin("bobbin Event", pingpong::<Event>),
            Impl::peer("std Mutex<bool>+Condvar", pingpong::<CondvarEvent<Std>>),
            Impl::peer(
                "parking_lot Mutex<bool>+Condvar",
                pingpong::<CondvarEvent<Pl>>,
            ),
        ],
    }
}

/// Two threads bounce a turn between them through one condition variable.
pub(crate) fn condition_pingpong() -> Workload {
    Workload {
        name: "condition_pingpong",
        op: "round trip",
        scale: Scale::Nanos,
        about: "Two threads share a counter under one lock and one condition: each waits \
                for its turn (the counter's parity), advances the counter and notifies.",
        ops: 50_000,
        impls: vec![
            Impl::bobbin("bobbin Lock+Condition", condition_pingpong_bobbin),
            Impl::peer("std Mutex+Condvar", condvar_pingpong::<Std>),
            Impl::peer("parking_lot Mutex+Condvar", condvar_pingpong::<Pl>),
        ],
    }
}

/// Four threads share a semaphore of two permits.
pub(crate) fn semaphore_4t() -> Workload {
    Workload {
        name: "semaphore_4t",
        op: "acquire+release",
        scale: Scale::Nanos,
        about: "Four threads take and return permits of a semaphore of two; inside, each \
                checks that at most two threads hold a permit. The permits taken must \
                add up to the total.",
        ops: 400_000,
        impls: vec![
            Impl::bobbin("bobbin Semaphore", semaphore::<Semaphore>),
            Impl::peer(
                "std Mutex+Condvar semaphore",
                semaphore::<CondvarSemaphore<Std>>,
            ),
            Impl::peer(
                "parking_lot Mutex+Condvar semaphore",
                semaphore::<CondvarSemaphore<Pl>>,
            ),
        ],
    }
}

/// Two threads pass a barrier together, generation after generation.
pub(crate) fn barrier_2t() -> Workload {
    Workload {
        name: "barrier_2t",
        op: "generation",
        scale: Scale::Nanos,
        about: "Two threads wait on one barrier of two parties, generation after \
                generation; exactly one leader (or arrival index 0) per generation.",
        ops: 50_000,
        impls: vec![
            Impl::bobbin("bobbin Barrier", barrier::<Barrier>),
            Impl::peer("std Barrier", barrier::<std::sync::Barrier>),
        ],
    }
}

/// What `pingpong` needs of an event.
pub(crate) trait PingEvent: Sync {
    /// A clear event.
    fn create() -> Self;
    /// Sets it, waking every waiter.
    fn set(&self);
    /// Waits until it is set.
    fn wait(&self);
    /// Clears it.
    fn clear(&self);
}

impl PingEvent for Event {
    fn create() -> Self {
        Event::new()
    }

    fn set(&self) {
        Event::set(self);
    }

    fn wait(&self) {
        Event::wait(self);
    }

    fn clear(&self) {
        Event::clear(self);
    }
}

impl<S: Sys> PingEvent for CondvarEvent<S> {
    fn create() -> Self {
        CondvarEvent::new()
    }

    fn set(&self) {
        CondvarEvent::set(self);
    }

    fn wait(&self) {
        CondvarEvent::wait(self);
    }

    fn clear(&self) {
        CondvarEvent::clear(self);
    }
}

fn pingpong<E: PingEvent>(ops: u64) -> Duration {
    let (ping, pong) = (E::create(), E::create());
    let served = AtomicU64::new(0);
    let took = timed_threads(2, |i| {
        if i == 0 {
            for _ in 0..ops {
                ping.set();
                pong.wait();
                pong.clear();
            }
        } else {
            let mut n = 0;
            for _ in 0..ops {
                ping.wait();
                ping.clear();
                n += 1;
                pong.set();
            }
            served.store(n, Ordering::Relaxed);
        }
    });
    assert_eq!(served.into_inner(), ops, "every round trip must be served");
    took
}

fn condition_pingpong_bobbin(ops: u64) -> Duration {
    let counter = Lock::new(0u64);
    let turn = Condition::new();
    let took = timed_threads(2, |i| {
        let mut n = counter.acquire();
        for round in 0..ops {
            if i == 0 {
                *n = 2 * round + 1;
                turn.notify_one();
                while *n != 2 * round + 2 {
                    turn.wait(&mut n);
                }
            } else {
                while *n != 2 * round + 1 {
                    turn.wait(&mut n);
                }
                *n = 2 * round + 2;
                turn.notify_one();
            }
        }
    });
    assert_eq!(
        counter.into_inner(),
        2 * ops,
        "every round trip must be made"
    );
    took
}

fn condvar_pingpong<S: Sys>(ops: u64) -> Duration {
    let counter = S::mutex(0u64);
    let turn = S::condvar();
    let took = timed_threads(2, |i| {
        let mut n = S::lock(&counter);
        for round in 0..ops {
            if i == 0 {
                *n = 2 * round + 1;
                S::notify_one(&turn);
                while *n != 2 * round + 2 {
                    n = S::wait(&turn, n);
                }
            } else {
                while *n != 2 * round + 1 {
                    n = S::wait(&turn, n);
                }
                *n = 2 * round + 2;
                S::notify_one(&turn);
            }
        }
    });
    assert_eq!(*S::lock(&counter), 2 * ops, "every round trip must be made");
    took
}

/// What `semaphore` needs of a semaphore.
pub(crate) trait Permits: Sync {
    /// A semaphore with `n` permits.
    fn create(n: usize) -> Self;
    /// Runs `f` holding one permit.
    fn with_permit(&self, f: impl FnOnce());
}

impl Permits for Semaphore {
    fn create(n: usize) -> Self {
        Semaphore::new(n)
    }

    fn with_permit(&self, f: impl FnOnce()) {
        let _permit = self.acquire();
        f();
    }
}

impl<S: Sys> Permits for CondvarSemaphore<S> {
    fn create(n: usize) -> Self {
        CondvarSemaphore::new(n)
    }

    fn with_permit(&self, f: impl FnOnce()) {
        self.acquire();
        f();
        self.release();
    }
}

fn semaphore<P: Permits>(ops: u64) -> Duration {
    const THREADS: usize = 4;
    const PERMITS: usize = 2;
    let sem = P::create(PERMITS);
    let holders = AtomicUsize::new(0);
    let taken = AtomicU64::new(0);
    let took = timed_threads(THREADS, |i| {
        let mut n = 0;
        for _ in 0..share(ops, THREADS, i) {
            sem.with_permit(|| {
                let now = holders.fetch_add(1, Ordering::Relaxed) + 1;
                assert!(
                    now <= PERMITS,
                    "{now} threads hold one of {PERMITS} permits"
                );
                holders.fetch_sub(1, Ordering::Relaxed);
            });
            n += 1;
        }
        taken.fetch_add(n, Ordering::Relaxed);
    });
    assert_eq!(taken.into_inner(), ops, "every permit must be taken");
    took
}

/// What `barrier` needs of a barrier.
pub(crate) trait Generations: Sync {
    /// A barrier for `n` parties.
    fn create(n: usize) -> Self;
    /// Waits for the others; what the parties of one generation return adds
    /// up to 1 (one leader, or arrival indices 0 and 1).
    fn pass(&self) -> u64;
}

impl Generations for Barrier {
    fn create(n: usize) -> Self {
        Barrier::new(n)
    }

    /// The arrival index: 0 and 1 in each generation of two parties, so the
    /// indices of a generation add up to one, as one leader does.
    fn pass(&self) -> u64 {
        self.wait().expect("the barrier is never broken here") as u64
    }
}

impl Generations for std::sync::Barrier {
    fn create(n: usize) -> Self {
        std::sync::Barrier::new(n)
    }

    fn pass(&self) -> u64 {
        u64::from(self.wait().is_leader())
    }
}

fn barrier<B: Generations>(ops: u64) -> Duration {
    let barrier = B::create(2);
    let leaders = AtomicU64::new(0);
    let took = timed_threads(2, |_| {
        let mut n = 0;
        for _ in 0..ops {
            n += barrier.pass();
        }
        leaders.fetch_add(n, Ordering::Relaxed);
    });
    assert_eq!(leaders.into_inner(), ops, "one leader per generation");
    took
}
