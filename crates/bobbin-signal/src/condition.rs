//! [`Condition`]: Python's `threading.Condition`, a condition variable that
//! waits with the guards of bobbin-lock's `Lock` and `RLock`.
//!
//! The algorithm is parking_lot's `Condvar`: the condition is one pointer
//! (bobbin-park's [`ConditionQueue`]) naming the lock its waiters released;
//! a waiter is queued on the condition's address *before* it releases the
//! lock (so a notifier holding the lock always finds it), and a notification
//! moves waiters, still asleep, onto the lock's own queue when the lock is
//! held (the requeue technique), so `notify_all` wakes them one by one as
//! the lock is released instead of in a thundering herd. Releasing and
//! re-taking the lock, every level of an `RLock` included, is the guard's
//! job ([`WaitGuard`], Python's `_release_save` and `_acquire_restore`).

use bobbin_lock::WaitGuard;
use bobbin_park::{CondWait, ConditionQueue, Deadline, WaitKind, WaitLabel};
use core::fmt;
use core::ops::Deref;
use std::time::{Duration, Instant};

/// How a thread parked in a [`Condition`]'s wait (or taking its lock back
/// afterwards) shows in a hang report.
static CONDITION_WAIT: WaitKind = WaitKind::new("Condition.wait");

/// A condition variable: Python's `threading.Condition`.
///
/// Threads wait on a condition while holding a lock, for another thread to
/// change the data the lock protects and *notify* them. A wait releases the
/// lock (every level of an [`RLock`](bobbin_lock::RLock)'s recursion) for as
/// long as it sleeps and holds it again, at the same level, before it
/// returns, so the waiter can check the data at once. The guard of a
/// [`Lock`](bobbin_lock::Lock) or an `RLock` is passed by `&mut`, which
/// proves the lock is held.
///
/// Waiters are notified in the order they began to wait. There are no
/// spurious wake-ups: a wait returns `true` only because of a notification.
/// Still, the data may have changed again before the waiter runs, so the
/// usual pattern re-checks it in a loop, which
/// [`wait_for`](Condition::wait_for) does for you.
///
/// One lock may serve several conditions (CPython's `queue.Queue` has three
/// over one mutex). A condition serves one lock at a time: waiting on it with
/// two different locks at once is a programmer error and panics, as with
/// std's and parking_lot's condition variables.
///
/// A `Condition` is one pointer wide, is `const` constructible, and a
/// notification with no waiter is one atomic load, no call into the parking
/// lot.
///
/// # Differences from Python
///
/// - Python's `Condition(lock)` owns its lock and has `acquire`, `release`
///   and `with cond:`. Here the lock stays separate (it may own the data, as
///   `Lock<T>` does) and the waits take its guard: `cond.wait(&mut guard)`.
///   A lock held by bare `acquire` calls (leaked guards, as Python code
///   holds it) gets a guard to wait with from
///   [`LockGuard::adopt`](bobbin_lock::LockGuard::adopt) or
///   [`RLockGuard::adopt`](bobbin_lock::RLockGuard::adopt); leak it again
///   after the wait to keep the acquisition bare.
/// - Python raises `RuntimeError` when `wait` or `notify` is called without
///   holding the lock. A wait cannot be written without the guard here, so
///   that error cannot happen. `notify` may be called with or without the
///   lock, as with parking_lot; holding it is what makes the notification
///   impossible to miss for a waiter that checked the data under the lock.
/// - Python's `wait(timeout=None)` is `wait`, `wait_timeout(Duration)` and
///   `wait_until(Instant)`; `wait_for(predicate, timeout)` takes the timeout
///   as an `Option<Duration>` (plus `wait_for_until` with an `Instant`). A
///   timeout too large to represent means forever, never `OverflowError`.
/// - `wait_for`'s predicate receives the guarded data (`&T`) instead of
///   reading globals; with a `Lock<()>` it ignores its argument.
/// - Python's `notify(n=1)` is `notify_one()` or `notify(n)`, and both
///   notifications say how many threads they woke.
/// - The deprecated camel-case `notifyAll` does not exist.
///
/// # Memory ordering
///
/// The lock orders everything: what a thread wrote under the lock before
/// notifying is visible to a woken waiter, which holds the lock again when
/// its wait returns.
///
/// # Examples
///
/// A bounded buffer with one lock and two conditions, as CPython's
/// `queue.Queue` is built:
///
/// ```
/// use bobbin_lock::Lock;
/// use bobbin_signal::Condition;
/// use std::collections::VecDeque;
///
/// const CAPACITY: usize = 2;
/// let buffer = Lock::new(VecDeque::new());
/// let not_empty = Condition::new();
/// let not_full = Condition::new();
///
/// std::thread::scope(|s| {
///     s.spawn(|| {
///         for item in 0..10 {
///             let mut queue = buffer.acquire();
///             not_full.wait_for(&mut queue, |q| q.len() < CAPACITY, None);
///             queue.push_back(item);
///             not_empty.notify_one();
///         }
///     });
///     for expected in 0..10 {
///         let mut queue = buffer.acquire();
///         not_empty.wait_for(&mut queue, |q| !q.is_empty(), None);
///         assert_eq!(queue.pop_front(), Some(expected));
///         not_full.notify_one();
///     }
/// });
/// ```
#[doc(alias = "threading.Condition")]
#[doc(alias = "Condvar")]
pub struct Condition {
    /// The waiting room; it also remembers the lock its waiters released.
    queue: ConditionQueue,
}

impl Condition {
    bobbin_park::const_fn! {
        /// A new condition, with no waiters.
        ///
        /// `const`, so a condition can be a `static` (except under
        /// `--cfg bobbin_loom`, where loom's atomics are not `const`).
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_signal::Condition;
        ///
        /// static CHANGED: Condition = Condition::new();
        /// assert_eq!(CHANGED.notify_all(), 0);
        /// ```
        #[must_use]
        #[inline]
        pub const fn new() -> Condition {
            Condition {
                queue: ConditionQueue::new(),
            }
        }
    }

    /// Releases the lock `guard` holds, waits until notified, holds the lock
    /// again, and returns `true`.
    ///
    /// The lock is released only once this thread is queued, so a notifier
    /// that takes the lock afterwards always finds it. With an `RLock` guard
    /// every level of the recursion is released, and restored before the
    /// return. The result is always `true`, as Python's `wait()` without a
    /// timeout always returns `True`. The timed forms are
    /// [`wait_timeout`](Condition::wait_timeout) and
    /// [`wait_until`](Condition::wait_until).
    ///
    /// # Panics
    ///
    /// Panics if other threads are waiting on this condition with a
    /// different lock (one condition used with two locks at once); the lock
    /// is then not released, and the guard stays valid.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    /// use bobbin_signal::Condition;
    ///
    /// let ready = Lock::new(false);
    /// let cond = Condition::new();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| {
    ///         *ready.acquire() = true;
    ///         cond.notify_all();
    ///     });
    ///     let mut guard = ready.acquire();
    ///     while !*guard {
    ///         cond.wait(&mut guard);
    ///     }
    /// });
    /// ```
    #[track_caller]
    #[inline]
    pub fn wait<G: WaitGuard>(&self, guard: &mut G) -> bool {
        self.wait_slow(guard, Deadline::never())
    }

    /// Waits as [`wait`](Condition::wait) does, for at most `timeout`, and
    /// returns `false` if the timeout passed first. The lock is held again
    /// either way.
    ///
    /// A waiter notified before the timeout returns `true`, however long it
    /// then waits for the lock (CPython and parking_lot agree): the timeout
    /// bounds the wait for a notification, not for the lock.
    ///
    /// A zero timeout still releases and re-takes the lock (as Python's
    /// `wait(0)` does) but does not sleep; a timeout too large to represent
    /// (`Duration::MAX`) waits forever. The timeout is the earliest moment of
    /// a `false` return, never the latest: after it the lock must still be
    /// taken again.
    ///
    /// # Panics
    ///
    /// Panics if the condition is in use with another lock, as
    /// [`wait`](Condition::wait) does.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    /// use bobbin_signal::Condition;
    /// use std::time::Duration;
    ///
    /// let lock = Lock::new(());
    /// let cond = Condition::new();
    /// let mut guard = lock.acquire();
    /// assert!(!cond.wait_timeout(&mut guard, Duration::from_millis(10)));
    /// assert!(lock.locked()); // held again
    /// ```
    #[doc(alias = "wait")]
    #[track_caller]
    #[inline]
    pub fn wait_timeout<G: WaitGuard>(&self, guard: &mut G, timeout: Duration) -> bool {
        self.wait_slow(guard, Deadline::after(timeout))
    }

    /// Waits as [`wait`](Condition::wait) does, until `deadline` at the
    /// latest, and returns `false` if the deadline passed first. The lock is
    /// held again either way; a waiter notified before the deadline returns
    /// `true`, as with [`wait_timeout`](Condition::wait_timeout).
    ///
    /// # Panics
    ///
    /// Panics if the condition is in use with another lock, as
    /// [`wait`](Condition::wait) does.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RLock;
    /// use bobbin_signal::Condition;
    /// use std::time::{Duration, Instant};
    ///
    /// let rlock = RLock::new(());
    /// let cond = Condition::new();
    /// let mut guard = rlock.acquire();
    /// let deadline = Instant::now() + Duration::from_millis(10);
    /// assert!(!cond.wait_until(&mut guard, deadline));
    /// assert!(Instant::now() >= deadline);
    /// assert!(rlock.is_owned());
    /// ```
    #[doc(alias = "wait")]
    #[track_caller]
    #[inline]
    pub fn wait_until<G: WaitGuard>(&self, guard: &mut G, deadline: Instant) -> bool {
        self.wait_slow(guard, Deadline::at(deadline))
    }

    /// The one core of the waits.
    #[track_caller]
    fn wait_slow<G: WaitGuard>(&self, guard: &mut G, deadline: Deadline) -> bool {
        let _label = WaitLabel::unless_labelled(&CONDITION_WAIT);
        match guard.wait_on(&self.queue, deadline) {
            CondWait::Woken(_) => true,
            CondWait::TimedOut => false,
            CondWait::OtherLock => {
                panic!("a Condition cannot be used with two different locks at once")
            }
        }
    }

    /// Waits until `predicate` holds, and returns its last value: Python's
    /// `wait_for`.
    ///
    /// The predicate is called with the lock held, on the data the guard
    /// protects: first before any wait (if it holds, there is no wait at all),
    /// then after every wake-up. `timeout` bounds the whole call, not each
    /// wait: it becomes one deadline, and a wake-up that finds the predicate
    /// still false waits only for what is left. `None` waits as long as it
    /// takes. When the deadline passes the predicate is called once more, and
    /// that value is returned (`false`, unless the data changed just then),
    /// never earlier than the deadline.
    ///
    /// # Panics
    ///
    /// Panics if the condition is in use with another lock, as
    /// [`wait`](Condition::wait) does. A panic in `predicate` propagates (the
    /// lock is held, and released as the guard is dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    /// use bobbin_signal::Condition;
    /// use std::time::Duration;
    ///
    /// let count = Lock::new(0);
    /// let cond = Condition::new();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| {
    ///         for _ in 0..4 {
    ///             *count.acquire() += 1;
    ///             cond.notify_all();
    ///         }
    ///     });
    ///     let mut guard = count.acquire();
    ///     assert!(cond.wait_for(&mut guard, |n| *n == 4, None));
    ///     assert_eq!(*guard, 4);
    ///     // A predicate that never holds: false, after the timeout.
    ///     assert!(!cond.wait_for(&mut guard, |n| *n == 5, Some(Duration::from_millis(10))));
    /// });
    /// ```
    #[track_caller]
    pub fn wait_for<G, F>(&self, guard: &mut G, predicate: F, timeout: Option<Duration>) -> bool
    where
        G: WaitGuard + Deref,
        F: FnMut(&G::Target) -> bool,
    {
        self.wait_for_slow(guard, predicate, Deadline::from_timeout(timeout))
    }

    /// Waits until `predicate` holds or `deadline` passes, and returns the
    /// predicate's last value, as [`wait_for`](Condition::wait_for) does.
    ///
    /// # Panics
    ///
    /// As [`wait_for`](Condition::wait_for).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    /// use bobbin_signal::Condition;
    /// use std::time::{Duration, Instant};
    ///
    /// let items = Lock::new(Vec::<u32>::new());
    /// let cond = Condition::new();
    /// let mut guard = items.acquire();
    /// let deadline = Instant::now() + Duration::from_millis(10);
    /// assert!(!cond.wait_for_until(&mut guard, |v| !v.is_empty(), deadline));
    /// assert!(Instant::now() >= deadline);
    /// ```
    #[doc(alias = "wait_for")]
    #[track_caller]
    pub fn wait_for_until<G, F>(&self, guard: &mut G, predicate: F, deadline: Instant) -> bool
    where
        G: WaitGuard + Deref,
        F: FnMut(&G::Target) -> bool,
    {
        self.wait_for_slow(guard, predicate, Deadline::at(deadline))
    }

    /// The one core of `wait_for` and `wait_for_until` (Python's loop, with
    /// one deadline for every wait).
    #[track_caller]
    fn wait_for_slow<G, F>(&self, guard: &mut G, mut predicate: F, deadline: Deadline) -> bool
    where
        G: WaitGuard + Deref,
        F: FnMut(&G::Target) -> bool,
    {
        loop {
            if predicate(&**guard) {
                return true;
            }
            if !self.wait_slow(guard, deadline) {
                // Timed out: one last look, as Python's loop takes, and no
                // further wait (the deadline has passed).
                return predicate(&**guard);
            }
        }
    }

    /// Wakes the thread that has waited longest, if any, and returns whether
    /// there was one: Python's `notify()` (whose `n` defaults to 1).
    ///
    /// If the waiter's lock is held (typically by the notifier) the waiter is
    /// moved onto the lock's queue, to be woken by its release; otherwise it
    /// is woken to take the lock. With no waiter this is one atomic load.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Condition;
    ///
    /// let cond = Condition::new();
    /// assert!(!cond.notify_one()); // nobody waits
    /// ```
    #[doc(alias = "notify")]
    #[inline]
    pub fn notify_one(&self) -> bool {
        self.queue.notify_one()
    }

    /// Wakes up to `n` threads, those that have waited longest, and returns
    /// how many it woke: Python's `notify(n)`.
    ///
    /// As with [`notify_one`](Condition::notify_one), waiters whose lock is
    /// held are moved onto its queue rather than woken all at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    /// use bobbin_signal::Condition;
    ///
    /// let lock = Lock::new(0);
    /// let cond = Condition::new();
    /// std::thread::scope(|s| {
    ///     for _ in 0..3 {
    ///         s.spawn(|| {
    ///             let mut guard = lock.acquire();
    ///             *guard += 1;
    ///             cond.wait(&mut guard);
    ///         });
    ///     }
    ///     // A thread counts itself under the lock and releases it only once
    ///     // it waits: when the count is 3, all three wait.
    ///     while *lock.acquire() < 3 {
    ///         std::thread::yield_now();
    ///     }
    ///     let guard = lock.acquire();
    ///     assert_eq!(cond.notify(2), 2);
    ///     assert_eq!(cond.notify(5), 1);
    ///     drop(guard);
    /// });
    /// ```
    #[inline]
    pub fn notify(&self, n: usize) -> usize {
        self.queue.notify(n)
    }

    /// Wakes every waiting thread and returns how many there were: Python's
    /// `notify_all()`.
    ///
    /// If their lock is held they all move onto its queue and are woken one
    /// by one as it is released (parking_lot's requeue, no thundering herd);
    /// otherwise the first is woken and the others move behind it.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Condition;
    ///
    /// let cond = Condition::new();
    /// assert_eq!(cond.notify_all(), 0);
    /// ```
    #[doc(alias = "notifyAll")]
    #[inline]
    pub fn notify_all(&self) -> usize {
        self.queue.notify_all()
    }
}

impl Default for Condition {
    /// A new condition, with no waiters.
    fn default() -> Condition {
        Condition::new()
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("has_waiters", &self.queue.has_waiters())
            .finish()
    }
}
