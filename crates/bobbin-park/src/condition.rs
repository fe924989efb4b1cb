//! [`ConditionQueue`]: the waiting room of a condition variable, with
//! parking_lot's requeue technique.
//!
//! A condition variable's waiters wait for a notification and then for the
//! lock they released. Waking every notified waiter at once would send them
//! all to fight for that lock (a thundering herd); parking_lot's `Condvar`
//! instead *moves* them, asleep, from its own queue to the lock's, and the
//! lock wakes them one by one as it is released. For that the notifier must
//! mark the lock as having parked threads, so the lock's next release takes
//! its slow path; this module does it on any lock word that follows the
//! [lock-word convention](LOCK_LOCKED).
//!
//! The queue remembers the lock word its waiters released as a pointer,
//! which a notifier dereferences. That is sound because of one invariant,
//! kept entirely in this module: the pointer is non-null only while at least
//! one thread is parked on the queue, inside [`ConditionQueue::wait`], which
//! borrows the lock word for its whole duration. Lock words are this crate's
//! atomics and never leave the lock that owns them, so no caller can use this
//! to reach another primitive's state.

use crate::park::imp;
use crate::sync::atomic::{AtomicPtr, AtomicU8, Ordering};
use crate::{
    DEFAULT_UNPARK_TOKEN, Deadline, ParkResult, ParkToken, RequeueOp, UnparkToken, WaitKey,
};
use core::fmt;
use core::ptr;

/// The lock-word convention, bit 0: the lock is held.
///
/// A lock that condition variables can requeue onto keeps its state in one
/// [`AtomicU8`] that is also its parking key, with this bit set while it is
/// held and [`LOCK_PARKED`] set while threads may be parked on it (the
/// layout of parking_lot's `RawMutex`). Two rules make requeueing safe:
///
/// - the lock's release takes its slow path (an `unpark_*` call on the lock
///   word) whenever `LOCK_PARKED` is set, since a notification may have moved
///   condition waiters onto the lock's queue;
/// - the lock clears `LOCK_PARKED` only with its queue locked (in an
///   `unpark_*` or `timed_out` callback), so that it cannot erase the mark a
///   notification has just set; or by an atomic exchange whose old value it
///   acts on (a release that swaps the word to 0 sees the mark it erased and
///   takes its slow path, which wakes a waiter and restores the mark with
///   the queue locked).
///
/// Other bits are the lock's own.
///
/// # Examples
///
/// ```
/// use bobbin_park::{LOCK_LOCKED, LOCK_PARKED};
///
/// assert_eq!(LOCK_LOCKED & LOCK_PARKED, 0);
/// ```
pub const LOCK_LOCKED: u8 = 0b01;

/// The lock-word convention, bit 1: threads may be parked on the lock.
///
/// See [`LOCK_LOCKED`].
///
/// # Examples
///
/// ```
/// use bobbin_park::{LOCK_LOCKED, LOCK_PARKED};
///
/// let held_and_contended = LOCK_LOCKED | LOCK_PARKED;
/// assert_eq!(held_and_contended, 0b11);
/// ```
pub const LOCK_PARKED: u8 = 0b10;

/// How a [`ConditionQueue::wait`] ended.
///
/// # Examples
///
/// ```
/// use bobbin_park::{ConditionQueue, CondWait, Deadline, DEFAULT_PARK_TOKEN};
/// use bobbin_park::sync::atomic::AtomicU8;
/// use std::time::Duration;
///
/// let queue = ConditionQueue::new();
/// let lock_word = AtomicU8::new(0);
/// let r = queue.wait(&lock_word, DEFAULT_PARK_TOKEN, || {}, Deadline::after(Duration::from_millis(1)));
/// assert_eq!(r, CondWait::TimedOut);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum CondWait {
    /// Notified: woken by a notification (with [`DEFAULT_UNPARK_TOKEN`]);
    /// or, after a notification moved the thread to the lock's queue, woken
    /// by the lock's release (with the token the lock chose, such as a direct
    /// hand-off), or timed out there (with [`DEFAULT_UNPARK_TOKEN`]: the
    /// notification came before the deadline, and the caller takes the lock
    /// itself, as CPython's and parking_lot's condition variables do).
    Woken(UnparkToken),
    /// The deadline passed before any notification reached the thread.
    TimedOut,
    /// Other threads are waiting on this queue with a different lock word:
    /// the thread did not wait, and `before_sleep` was not called.
    OtherLock,
}

/// The waiting room of a condition variable: threads wait here for a
/// notification, bound to the lock word they released, and notifications
/// move them to that lock's queue instead of waking them all.
///
/// One pointer wide. A queue serves one lock at a time: a wait with a
/// different lock word while threads are waiting returns
/// [`CondWait::OtherLock`] (a condition variable turns that into a panic, as
/// std's and parking_lot's do). Several queues may serve one lock (CPython's
/// `Queue` has three conditions over one mutex).
///
/// # Examples
///
/// A waiter releases a toy lock word after it is queued; a notifier that
/// finds the lock free wakes it directly.
///
/// ```
/// use bobbin_park::{ConditionQueue, CondWait, Deadline, DEFAULT_PARK_TOKEN, LOCK_LOCKED};
/// use bobbin_park::sync::atomic::{AtomicU8, Ordering};
///
/// let queue = ConditionQueue::new();
/// let lock_word = AtomicU8::new(LOCK_LOCKED); // held by the waiter
/// std::thread::scope(|s| {
///     s.spawn(|| {
///         // Notify once the waiter has released the lock (so it is queued).
///         while lock_word.load(Ordering::Acquire) & LOCK_LOCKED != 0 {
///             std::thread::yield_now();
///         }
///         assert_eq!(queue.notify_one(), true);
///     });
///     let r = queue.wait(
///         &lock_word,
///         DEFAULT_PARK_TOKEN,
///         || lock_word.store(0, Ordering::Release),
///         Deadline::never(),
///     );
///     assert!(matches!(r, CondWait::Woken(_)));
/// });
/// ```
pub struct ConditionQueue {
    /// The lock word the waiters released, or null when no thread waits.
    ///
    /// # Invariants
    ///
    /// - Non-null only while at least one thread is parked on this queue
    ///   (keyed by this field), and then it is the lock word every one of
    ///   them borrowed for its whole call to [`ConditionQueue::wait`].
    /// - Written only with this queue's parking bucket locked: by a waiter's
    ///   `validate` (null → its lock word), by a time-out that leaves the queue
    ///   empty, and by a notification that leaves it empty.
    target: AtomicPtr<AtomicU8>,
}

impl ConditionQueue {
    crate::const_fn! {
        /// An empty queue.
        ///
        /// `const` except under `--cfg bobbin_loom`.
        ///
        /// # Examples
        ///
        /// ```
        /// let queue = bobbin_park::ConditionQueue::new();
        /// assert_eq!(queue.notify_all(), 0);
        /// ```
        #[must_use]
        pub const fn new() -> Self {
            ConditionQueue {
                target: AtomicPtr::new(ptr::null_mut()),
            }
        }
    }

    /// Waits for a notification, having released the lock whose word is
    /// `lock_word` in `before_sleep`.
    ///
    /// The thread is queued (leaving `token` for the lock's
    /// [`unpark_filter`](crate::unpark_filter), since it may be moved to the
    /// lock's queue) and only then does `before_sleep` run: it must release
    /// the lock, so a notifier that takes the lock after the release always
    /// finds the waiter. The thread then sleeps until it is woken, either by a
    /// notification (if the lock was free) or by the lock's release (after a
    /// notification moved it there), or until `deadline`.
    ///
    /// The lock is *not* re-acquired here: the caller does that, unless the
    /// token it receives tells it the lock was handed to it.
    ///
    /// A thread that was notified returns [`CondWait::Woken`] however long it
    /// then waited on the lock's queue: if `deadline` passes there, it leaves
    /// that queue and returns `Woken(DEFAULT_UNPARK_TOKEN)`, never
    /// [`CondWait::TimedOut`], so the notification is not lost.
    ///
    /// # Panics
    ///
    /// Never unwinds. `before_sleep` may unpark (a lock's release does) but
    /// must not park; a call to [`park`](crate::park) from it, or a panic in it,
    /// aborts the process.
    ///
    /// # Examples
    ///
    /// See [`ConditionQueue`].
    pub fn wait(
        &self,
        lock_word: &AtomicU8,
        token: ParkToken,
        before_sleep: impl FnOnce(),
        deadline: Deadline,
    ) -> CondWait {
        let lock_ptr = ptr::from_ref(lock_word).cast_mut();
        let mut other_lock = false;
        // Set if the deadline passed after a notification had moved this
        // thread to the lock's queue.
        let mut requeued = false;
        let result = crate::park(
            &self.target,
            || {
                // With our bucket locked: bind the queue to our lock word, or
                // check that it is bound to it already.
                let current = self.target.load(Ordering::Relaxed);
                if current.is_null() {
                    self.target.store(lock_ptr, Ordering::Relaxed);
                    true
                } else if current == lock_ptr {
                    true
                } else {
                    other_lock = true;
                    false
                }
            },
            before_sleep,
            |key: WaitKey, was_last| {
                if !key.is(&self.target) {
                    // Timed out on the lock's queue, where a notification
                    // moved us: we were notified first, and this queue has
                    // nothing left of us to unbind.
                    requeued = true;
                } else if was_last {
                    // Timed out on our own queue as its last waiter: unbind it.
                    self.target.store(ptr::null_mut(), Ordering::Relaxed);
                }
            },
            token,
            deadline,
        );
        match result {
            ParkResult::Unparked(token) => CondWait::Woken(token),
            ParkResult::TimedOut if requeued => CondWait::Woken(DEFAULT_UNPARK_TOKEN),
            ParkResult::TimedOut => CondWait::TimedOut,
            ParkResult::Invalid => {
                debug_assert!(other_lock);
                CondWait::OtherLock
            }
        }
    }

    /// Notifies one waiter, the one that has waited longest: if its lock is
    /// held it is moved to the lock's queue (and marked [`LOCK_PARKED`]),
    /// otherwise it is woken to take the lock itself. Returns whether there
    /// was a waiter.
    ///
    /// With no waiter this is one atomic load, no call into the parking lot.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = bobbin_park::ConditionQueue::new();
    /// assert!(!queue.notify_one());
    /// ```
    #[inline]
    pub fn notify_one(&self) -> bool {
        let target = self.target.load(Ordering::Relaxed);
        if target.is_null() {
            return false;
        }
        self.notify_one_slow(target)
    }

    #[cold]
    fn notify_one_slow(&self, target: *mut AtomicU8) -> bool {
        let from = ptr::from_ref(&self.target).addr();
        let result = imp::unpark_requeue(
            from,
            target.addr(),
            || {
                // Both buckets are locked. If the queue is no longer bound
                // to `target`, every waiter that was has left: do nothing.
                if self.target.load(Ordering::Relaxed) != target {
                    return RequeueOp::Abort;
                }
                // SAFETY: the queue is bound to `target` and its bucket is
                // locked, so (the invariant of `target`) a thread is parked
                // here inside `wait`, which borrows `*target` until it
                // returns; it cannot return while we hold the bucket lock.
                let lock_word = unsafe { &*target };
                if mark_parked_if_locked(lock_word) {
                    RequeueOp::RequeueOne
                } else {
                    RequeueOp::UnparkOne
                }
            },
            |_, result| {
                if !result.have_more_threads {
                    self.target.store(ptr::null_mut(), Ordering::Relaxed);
                }
                DEFAULT_UNPARK_TOKEN
            },
        );
        result.unparked_threads + result.requeued_threads != 0
    }

    /// Notifies up to `n` waiters, oldest first, as [`notify_one`] does for
    /// one, and returns how many it notified.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = bobbin_park::ConditionQueue::new();
    /// assert_eq!(queue.notify(3), 0);
    /// ```
    ///
    /// [`notify_one`]: ConditionQueue::notify_one
    pub fn notify(&self, n: usize) -> usize {
        let mut notified = 0;
        while notified < n && self.notify_one() {
            notified += 1;
        }
        notified
    }

    /// Notifies every waiter and returns how many there were: if their lock
    /// is held they all move to its queue; otherwise the first is woken and
    /// the others move behind it.
    ///
    /// With no waiter this is one atomic load, no call into the parking lot.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = bobbin_park::ConditionQueue::new();
    /// assert_eq!(queue.notify_all(), 0);
    /// ```
    #[inline]
    pub fn notify_all(&self) -> usize {
        let target = self.target.load(Ordering::Relaxed);
        if target.is_null() {
            return 0;
        }
        self.notify_all_slow(target)
    }

    #[cold]
    fn notify_all_slow(&self, target: *mut AtomicU8) -> usize {
        let from = ptr::from_ref(&self.target).addr();
        let result = imp::unpark_requeue(
            from,
            target.addr(),
            || {
                if self.target.load(Ordering::Relaxed) != target {
                    return RequeueOp::Abort;
                }
                // Every waiter leaves this queue now.
                self.target.store(ptr::null_mut(), Ordering::Relaxed);
                // SAFETY: the queue was bound to `target` with its bucket
                // locked (both buckets still are), so threads are parked here
                // inside `wait`, borrowing `*target` until they return, which
                // they cannot do while we hold the bucket locks.
                let lock_word = unsafe { &*target };
                if mark_parked_if_locked(lock_word) {
                    RequeueOp::RequeueAll
                } else {
                    RequeueOp::UnparkOneRequeueRest
                }
            },
            |op, result| {
                // The lock was free, one waiter was woken to take it, and the
                // rest now sleep on the lock's queue: mark it, or the lock's
                // next release would not wake them.
                if op == RequeueOp::UnparkOneRequeueRest && result.requeued_threads != 0 {
                    // SAFETY: as in `validate`: the requeued threads are
                    // still inside `wait`, parked (now on the lock's queue,
                    // whose bucket we hold), borrowing `*target`.
                    let lock_word = unsafe { &*target };
                    lock_word.fetch_or(LOCK_PARKED, Ordering::Relaxed);
                }
                DEFAULT_UNPARK_TOKEN
            },
        );
        result.unparked_threads + result.requeued_threads
    }

    /// Whether any thread is waiting on the queue (a snapshot, for
    /// diagnostics: it may be stale by the time it is read).
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = bobbin_park::ConditionQueue::new();
    /// assert!(!queue.has_waiters());
    /// ```
    #[must_use]
    pub fn has_waiters(&self) -> bool {
        !self.target.load(Ordering::Relaxed).is_null()
    }
}

/// Sets [`LOCK_PARKED`] on a lock word if [`LOCK_LOCKED`] is set, and says
/// whether it was locked. Runs with the lock's bucket locked, so the lock's
/// own code cannot clear `LOCK_PARKED` (it does that only with its bucket
/// locked) between our check and our set.
fn mark_parked_if_locked(lock_word: &AtomicU8) -> bool {
    let mut state = lock_word.load(Ordering::Relaxed);
    loop {
        if state & LOCK_LOCKED == 0 {
            return false;
        }
        match lock_word.compare_exchange_weak(
            state,
            state | LOCK_PARKED,
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => return true,
            Err(current) => state = current,
        }
    }
}

impl Default for ConditionQueue {
    /// An empty queue.
    fn default() -> Self {
        ConditionQueue::new()
    }
}

impl fmt::Debug for ConditionQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionQueue")
            .field("has_waiters", &self.has_waiters())
            .finish()
    }
}
