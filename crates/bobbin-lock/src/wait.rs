//! [`WaitGuard`]: what a condition variable needs from a lock's guard:
//! Python's `_release_save`, the wait, and `_acquire_restore`, done on the
//! lock word with bobbin-park's [`ConditionQueue`] (parking_lot's requeue).

use crate::raw::{TOKEN_HANDOFF, due_token};
use crate::{LockGuard, RLockGuard};
use bobbin_park::sync::atomic::Ordering;
use bobbin_park::thread::current_id;
use bobbin_park::{CondWait, ConditionQueue, Deadline};

mod sealed {
    /// Only this crate's guards can wait: `wait_on` relies on the lock word
    /// and the hand-off token, which never leave the crate.
    pub trait Sealed {}
}

/// A guard that a condition variable can wait with: it releases its lock
/// completely while waiting and holds it again afterwards.
///
/// Implemented by [`LockGuard`] and [`RLockGuard`] (the trait is sealed).
/// `bobbin-signal`'s `Condition` calls it; most programs never call it
/// directly.
///
/// # Differences from Python
///
/// This is Python's `_release_save()`, wait, `_acquire_restore()` as one
/// call. Python's versions are separate methods that a caller could misuse
/// (restoring a state it never saved); here the guard, borrowed mutably for
/// the whole wait, proves the caller holds the lock (every level of an
/// RLock's recursion) before and after.
///
/// # Memory ordering
///
/// The lock is released and re-acquired as by a guard's drop and an
/// acquire: writes made under the lock before the wait are visible to the
/// next holder, and the waiter sees everything written under the lock before
/// it holds it again.
///
/// # Examples
///
/// A minimal condition variable: a waiter waits for a flag under a lock; the
/// notifier sets the flag under the lock and notifies.
///
/// ```
/// use bobbin_lock::{Lock, WaitGuard};
/// use bobbin_park::{ConditionQueue, Deadline};
///
/// let ready = Lock::new(false);
/// let queue = ConditionQueue::new();
/// std::thread::scope(|s| {
///     s.spawn(|| {
///         *ready.acquire() = true;
///         queue.notify_all();
///     });
///     let mut guard = ready.acquire();
///     while !*guard {
///         guard.wait_on(&queue, Deadline::never());
///     }
/// });
/// ```
///
/// With an `RLock`, every level is released while waiting and restored after:
///
/// ```
/// use bobbin_lock::{RLock, WaitGuard};
/// use bobbin_park::{CondWait, ConditionQueue, Deadline};
/// use std::time::Duration;
///
/// let rlock = RLock::new(());
/// let queue = ConditionQueue::new();
/// let _outer = rlock.acquire();
/// let mut inner = rlock.acquire();
/// let r = inner.wait_on(&queue, Deadline::after(Duration::from_millis(5)));
/// assert_eq!(r, CondWait::TimedOut);
/// assert_eq!(rlock.recursion_count(), 2);
/// ```
pub trait WaitGuard: sealed::Sealed {
    /// Python's `_release_save` + wait + `_acquire_restore`: releases the
    /// lock completely (every level of an RLock's recursion), waits on
    /// `queue` until notified or `deadline`, and re-acquires the lock
    /// (restoring the recursion level) before returning.
    ///
    /// The lock is released only after the thread is queued, so a notifier
    /// that takes the lock after the release always finds the waiter (no lost
    /// notification). After a notification or a time-out the lock is taken
    /// again with no deadline, as Python re-acquires regardless of the
    /// timeout; a notified waiter moved onto the lock's queue may instead
    /// receive the lock directly from its holder's release.
    ///
    /// Returns what the wait did: [`CondWait::Woken`] (notified, even if
    /// `deadline` then passed while the thread waited for the lock),
    /// [`CondWait::TimedOut`] (no notification before `deadline`), or [`CondWait::OtherLock`] if other threads
    /// wait on `queue` with a different lock, in which case nothing was
    /// released and the thread did not wait (a condition variable turns that
    /// into a panic).
    ///
    /// # Panics
    ///
    /// Never panics (a panic inside the parking lot aborts the process, as
    /// bobbin-park documents).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{Lock, WaitGuard};
    /// use bobbin_park::{CondWait, ConditionQueue, Deadline};
    /// use std::time::Duration;
    ///
    /// let lock = Lock::new(());
    /// let queue = ConditionQueue::new();
    /// let mut guard = lock.acquire();
    /// let r = guard.wait_on(&queue, Deadline::after(Duration::from_millis(1)));
    /// assert_eq!(r, CondWait::TimedOut);
    /// assert!(lock.locked()); // held again
    /// ```
    #[doc(alias = "_release_save")]
    #[doc(alias = "_acquire_restore")]
    #[doc(alias = "wait")]
    fn wait_on(&mut self, queue: &ConditionQueue, deadline: Deadline) -> CondWait;
}

impl<T: ?Sized> sealed::Sealed for LockGuard<'_, T> {}

impl<T: ?Sized> WaitGuard for LockGuard<'_, T> {
    fn wait_on(&mut self, queue: &ConditionQueue, deadline: Deadline) -> CondWait {
        let raw = &LockGuard::lock(self).raw;
        // The token is the lock's hand-off clock, started now: a notified
        // waiter moved onto the lock's queue has waited since the call began.
        let result = queue.wait(raw.word(), due_token(), || raw.unlock(), deadline);
        match result {
            // The lock was handed to us by its holder's release.
            CondWait::Woken(TOKEN_HANDOFF) => {}
            CondWait::Woken(_) | CondWait::TimedOut => raw.lock(),
            // Nothing was released.
            CondWait::OtherLock => {}
        }
        result
    }
}

impl<T: ?Sized> sealed::Sealed for RLockGuard<'_, T> {}

impl<T: ?Sized> WaitGuard for RLockGuard<'_, T> {
    fn wait_on(&mut self, queue: &ConditionQueue, deadline: Deadline) -> CondWait {
        let rlock = RLockGuard::rlock(self);
        let me = current_id();
        debug_assert_eq!(rlock.owner.load(Ordering::Relaxed), me);
        // `_release_save`: the guard proves this thread owns every level, so
        // it may clear the owner and count and release the raw lock.
        let count = rlock.count.load(Ordering::Relaxed);
        rlock.owner.store(0, Ordering::Relaxed);
        rlock.count.store(0, Ordering::Relaxed);
        let raw = &rlock.raw;
        let result = queue.wait(raw.word(), due_token(), || raw.unlock(), deadline);
        match result {
            CondWait::Woken(TOKEN_HANDOFF) | CondWait::OtherLock => {}
            CondWait::Woken(_) | CondWait::TimedOut => raw.lock(),
        }
        // `_acquire_restore`: the raw lock is held again (or was never
        // released), so the levels are this thread's once more.
        rlock.owner.store(me, Ordering::Relaxed);
        rlock.count.store(count, Ordering::Relaxed);
        result
    }
}
