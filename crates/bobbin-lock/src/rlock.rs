//! [`RLock`]: Python's `threading.RLock`, a reentrant lock on [`RawLock`]
//! with an owner and a recursion count (parking_lot's `ReentrantMutex`
//! layout, with bobbin-park's never-reused thread identifiers as owners).

// The guard hands out references into the lock's `UnsafeCell`; every block
// says why the lock makes that sound.
#![allow(unsafe_code)]

use crate::ReleaseError;
use crate::raw::RawLock;
use bobbin_park::cell::UnsafeCell;
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_park::thread::current_id;
use bobbin_park::{Deadline, WaitKind};
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::Deref;
use lock_api::GuardNoSend;
use std::time::{Duration, Instant};

/// How a thread parked in [`RLock::acquire`] shows in a hang report.
static RLOCK_ACQUIRE: WaitKind = WaitKind::new("RLock.acquire");

/// Python's `threading.RLock`: a lock that the thread holding it may acquire
/// again, released when every acquisition has been released.
///
/// `RLock<()>` (the default, `RLock`) is Python's reentrant lock; `RLock<T>`
/// also owns a `T`, shared (`&T`) between the owning thread's guards, since
/// several of them may be alive at once. Put a `Cell` or `RefCell` in it for
/// mutation, as with parking_lot's `ReentrantMutex`.
///
/// Acquiring comes in three forms, [`acquire`], [`acquire_timeout`] and
/// [`acquire_until`], plus [`try_acquire`]; a thread that already holds the
/// lock gets it again at once from all of them. [`locked`] says whether any
/// thread holds it, [`is_owned`] whether the calling thread does, and
/// [`recursion_count`] how many times.
///
/// # Differences from Python
///
/// - `with rlock:` is `let _guard = rlock.acquire();`; a panic unwinding
///   through a guard releases its level (no poisoning).
/// - `acquire(blocking=False)` is [`try_acquire`]; `acquire(timeout=t)` is
///   [`acquire_timeout`] (`Duration::MAX` waits forever).
/// - A bare `acquire()`/`release()` pair is [`RLockGuard::leak`] then
///   [`RLock::release`], only on `RLock<()>`.
/// - Guards are not `Send`: the lock belongs to the thread that acquired it,
///   as in Python, and the type system enforces it.
/// - `_is_owned()` and `_recursion_count()` are public as [`is_owned`] and
///   [`recursion_count`]; `locked()` (Python 3.14) is [`locked`], and is
///   true whenever *any* thread holds the lock.
///
/// # Memory ordering
///
/// As for [`Lock`](crate::Lock): the first acquisition by a thread
/// synchronizes with the release of the last level by the previous owner.
///
/// # Examples
///
/// ```
/// use bobbin_lock::RLock;
///
/// let rlock = RLock::new(());
/// let outer = rlock.acquire();
/// let inner = rlock.acquire(); // the same thread: no deadlock
/// assert_eq!(rlock.recursion_count(), 2);
/// drop(inner);
/// assert!(rlock.is_owned());
/// drop(outer);
/// assert!(!rlock.locked());
/// ```
///
/// [`acquire`]: RLock::acquire
/// [`acquire_timeout`]: RLock::acquire_timeout
/// [`acquire_until`]: RLock::acquire_until
/// [`try_acquire`]: RLock::try_acquire
/// [`locked`]: RLock::locked
/// [`is_owned`]: RLock::is_owned
/// [`recursion_count`]: RLock::recursion_count
#[doc(alias = "threading.RLock")]
#[doc(alias = "ReentrantMutex")]
#[doc(alias = "ReentrantLock")]
pub struct RLock<T: ?Sized = ()> {
    pub(crate) raw: RawLock,
    /// The [`current_id`] of the owning thread, or 0.
    ///
    /// # Invariants
    ///
    /// Set to a thread's id only by that thread, after it has taken `raw`,
    /// and reset to 0 only by that thread, before it releases `raw`. So a
    /// thread reading its own id here (even with `Relaxed`) owns the lock,
    /// and a thread reading anything else does not.
    pub(crate) owner: AtomicUsize,
    /// How many levels the owner holds; read and written only by the owner
    /// (an atomic only so that the type needs no `unsafe` to share it).
    pub(crate) count: AtomicUsize,
    data: UnsafeCell<T>,
}

// SAFETY: one thread at a time (the owner) reaches the `T`, through `&T`s
// that cannot leave it (the guards are `!Send`, and `&T` is `Send` only for
// `T: Sync`); so the `T` moves between threads, which needs `T: Send`, as for
// parking_lot's `ReentrantMutex`.
unsafe impl<T: ?Sized + Send> Sync for RLock<T> {}

// SAFETY: owning the lock owns its `T`; sending one sends the `T`.
unsafe impl<T: ?Sized + Send> Send for RLock<T> {}

impl<T> RLock<T> {
    bobbin_park::const_fn! {
        /// A free reentrant lock that owns `value`. `RLock::new(())` is
        /// Python's `threading.RLock()`.
        ///
        /// `const` except under `--cfg bobbin_loom`.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::RLock;
        ///
        /// static RLOCK: RLock = RLock::new(());
        /// let _g = RLOCK.acquire();
        /// assert!(RLOCK.is_owned());
        /// ```
        #[doc(alias = "RLock()")]
        #[inline]
        pub const fn new(value: T) -> RLock<T> {
            RLock {
                raw: RawLock::new(),
                owner: AtomicUsize::new(0),
                count: AtomicUsize::new(0),
                data: UnsafeCell::new(value),
            }
        }
    }

    /// Consumes the lock and returns its data.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RLock;
    ///
    /// assert_eq!(RLock::new(5).into_inner(), 5);
    /// ```
    #[inline]
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RLock<T> {
    /// Acquires the lock, waiting as long as it takes; returns at once if the
    /// calling thread already holds it, adding a level.
    ///
    /// The timed forms are [`acquire_timeout`](RLock::acquire_timeout) and
    /// [`acquire_until`](RLock::acquire_until).
    ///
    /// # Panics
    ///
    /// Panics if the thread already holds `usize::MAX` levels (Python raises
    /// `OverflowError`); only leaked guards can get there.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RLock;
    ///
    /// let rlock = RLock::new(());
    /// let a = rlock.acquire();
    /// let b = rlock.acquire();
    /// assert_eq!(rlock.recursion_count(), 2);
    /// # drop((a, b));
    /// ```
    #[doc(alias = "__enter__")]
    #[doc(alias = "lock")]
    #[inline]
    pub fn acquire(&self) -> RLockGuard<'_, T> {
        let acquired = self.lock_until(Deadline::never());
        debug_assert!(acquired, "an untimed acquire cannot time out");
        RLockGuard::new(self)
    }

    /// Acquires the lock if the calling thread holds it or it is free,
    /// without waiting: Python's `acquire(blocking=False)`.
    ///
    /// # Panics
    ///
    /// As [`acquire`](RLock::acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RLock;
    ///
    /// let rlock = RLock::new(());
    /// let _g = rlock.acquire();
    /// assert!(rlock.try_acquire().is_some()); // re-entry
    /// std::thread::scope(|s| {
    ///     s.spawn(|| assert!(rlock.try_acquire().is_none()));
    /// });
    /// ```
    #[doc(alias = "acquire")]
    #[doc(alias = "blocking=False")]
    #[doc(alias = "try_lock")]
    #[inline]
    pub fn try_acquire(&self) -> Option<RLockGuard<'_, T>> {
        let me = current_id();
        if self.owner.load(Ordering::Relaxed) == me {
            self.add_level();
        } else if self.raw.try_lock() {
            self.take(me);
        } else {
            return None;
        }
        Some(RLockGuard::new(self))
    }

    /// Acquires the lock, waiting at most `timeout`: Python's
    /// `acquire(timeout=t)`. A thread that holds the lock gets it at once.
    ///
    /// Returns `None` if another thread still held the lock when the timeout
    /// passed; a failed call never returns before `timeout`. Zero is
    /// [`try_acquire`](RLock::try_acquire); `Duration::MAX` waits forever.
    ///
    /// # Panics
    ///
    /// As [`acquire`](RLock::acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RLock;
    /// use std::time::Duration;
    ///
    /// let rlock = RLock::new(());
    /// let _held = rlock.acquire();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| assert!(rlock.acquire_timeout(Duration::from_millis(10)).is_none()));
    /// });
    /// ```
    #[doc(alias = "acquire")]
    #[doc(alias = "try_lock_for")]
    #[inline]
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<RLockGuard<'_, T>> {
        self.acquire_slow(Deadline::after(timeout))
    }

    /// Acquires the lock, waiting at most until `deadline`.
    ///
    /// Returns `None` if another thread still held the lock at `deadline`,
    /// never earlier.
    ///
    /// # Panics
    ///
    /// As [`acquire`](RLock::acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RLock;
    /// use std::time::{Duration, Instant};
    ///
    /// let rlock = RLock::new(());
    /// assert!(rlock.acquire_until(Instant::now() + Duration::from_millis(5)).is_some());
    /// ```
    #[doc(alias = "acquire")]
    #[doc(alias = "try_lock_until")]
    #[inline]
    pub fn acquire_until(&self, deadline: Instant) -> Option<RLockGuard<'_, T>> {
        self.acquire_slow(Deadline::at(deadline))
    }

    /// The one core of the timed forms.
    #[inline]
    fn acquire_slow(&self, deadline: Deadline) -> Option<RLockGuard<'_, T>> {
        self.lock_until(deadline).then(|| RLockGuard::new(self))
    }

    /// Re-enters or takes the lock; returns whether the calling thread now
    /// holds one more level.
    #[inline]
    fn lock_until(&self, deadline: Deadline) -> bool {
        let me = current_id();
        if self.owner.load(Ordering::Relaxed) == me {
            self.add_level();
            true
        } else if self.raw.lock_until_as(deadline, &RLOCK_ACQUIRE) {
            self.take(me);
            true
        } else {
            false
        }
    }

    /// Records the calling thread (`me`) as the owner of one level, having
    /// just taken the raw lock.
    #[inline]
    fn take(&self, me: usize) {
        self.owner.store(me, Ordering::Relaxed);
        self.count.store(1, Ordering::Relaxed);
    }

    /// One more level for the owner, which is the calling thread.
    #[inline]
    fn add_level(&self) {
        let count = self.count.load(Ordering::Relaxed);
        let count = count
            .checked_add(1)
            .expect("RLock recursion count overflowed");
        self.count.store(count, Ordering::Relaxed);
    }

    /// Releases one level if the calling thread owns the lock; returns
    /// whether it did.
    #[inline]
    fn release_level(&self) -> bool {
        if self.owner.load(Ordering::Relaxed) != current_id() {
            return false;
        }
        let count = self.count.load(Ordering::Relaxed) - 1;
        self.count.store(count, Ordering::Relaxed);
        if count == 0 {
            self.owner.store(0, Ordering::Relaxed);
            self.raw.unlock();
        }
        true
    }

    /// Whether any thread holds the lock: Python 3.14's `RLock.locked()`.
    /// A snapshot, which may be stale by the time it is read.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RLock;
    ///
    /// let rlock = RLock::new(());
    /// let _g = rlock.acquire();
    /// std::thread::scope(|s| {
    ///     // Held by another thread: still locked.
    ///     s.spawn(|| assert!(rlock.locked()));
    /// });
    /// ```
    #[doc(alias = "is_locked")]
    #[inline]
    #[must_use]
    pub fn locked(&self) -> bool {
        self.raw.locked()
    }

    /// Whether the calling thread holds the lock: Python's `_is_owned()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RLock;
    ///
    /// let rlock = RLock::new(());
    /// assert!(!rlock.is_owned());
    /// let _g = rlock.acquire();
    /// assert!(rlock.is_owned());
    /// std::thread::scope(|s| {
    ///     s.spawn(|| assert!(!rlock.is_owned()));
    /// });
    /// ```
    #[doc(alias = "_is_owned")]
    #[doc(alias = "is_owned_by_current_thread")]
    #[inline]
    #[must_use]
    pub fn is_owned(&self) -> bool {
        self.owner.load(Ordering::Relaxed) == current_id()
    }

    /// How many levels the calling thread holds: 0 if it does not hold the
    /// lock (whoever else does). Python's `_recursion_count()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RLock;
    ///
    /// let rlock = RLock::new(());
    /// assert_eq!(rlock.recursion_count(), 0);
    /// let _a = rlock.acquire();
    /// let _b = rlock.acquire();
    /// assert_eq!(rlock.recursion_count(), 2);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| assert_eq!(rlock.recursion_count(), 0));
    /// });
    /// ```
    #[doc(alias = "_recursion_count")]
    #[inline]
    #[must_use]
    pub fn recursion_count(&self) -> usize {
        if self.is_owned() {
            self.count.load(Ordering::Relaxed)
        } else {
            0
        }
    }

    /// A mutable reference to the data, without locking: `&mut self` proves
    /// no guard exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RLock;
    ///
    /// let mut rlock = RLock::new(1);
    /// *rlock.get_mut() = 2;
    /// assert_eq!(*rlock.acquire(), 2);
    /// ```
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl RLock<()> {
    /// Releases one level of the calling thread's hold: Python's
    /// `RLock.release()`. The lock is free once every level is released.
    ///
    /// Pair it with [`RLockGuard::leak`]. Releasing a level that a live
    /// guard stands for is allowed, and that guard's drop then does nothing
    /// if the thread no longer holds the lock (or releases a later level if
    /// it took the lock again).
    ///
    /// # Errors
    ///
    /// [`ReleaseError::NotOwned`] ("cannot release un-acquired lock") if the
    /// calling thread does not hold the lock, whether another thread does or
    /// none; nothing changes.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{RLock, RLockGuard, ReleaseError};
    ///
    /// let rlock = RLock::new(());
    /// assert_eq!(rlock.release(), Err(ReleaseError::NotOwned));
    /// RLockGuard::leak(rlock.acquire());
    /// RLockGuard::leak(rlock.acquire());
    /// rlock.release().unwrap();
    /// assert!(rlock.is_owned());
    /// rlock.release().unwrap();
    /// assert!(!rlock.locked());
    /// ```
    #[inline]
    pub fn release(&self) -> Result<(), ReleaseError> {
        if self.release_level() {
            Ok(())
        } else {
            Err(ReleaseError::NotOwned)
        }
    }

    /// Frees the lock, every level, whichever thread holds it, and returns
    /// whether it was held: Python's `RLock._at_fork_reinit()`, for a child
    /// process after `fork()`, where the thread that held the lock does not
    /// exist (a parent thread that held it at the fork would otherwise
    /// leave it held for good). Threads parked on the lock are woken and
    /// none is handed it: in a forked child they are the parent's, whose
    /// records would stay in the parking lot (see [`Lock::reset`]).
    ///
    /// Meant for that one case. Called while other threads use the lock it
    /// breaks the holder's hold, as a `release()` by another thread would
    /// on a `Lock`: the holder's later `release()` returns
    /// [`ReleaseError::NotOwned`], a guard of its then releases nothing (no
    /// data is at stake: only `RLock<()>` has this method), and the waiters
    /// race for the lock.
    ///
    /// [`Lock::reset`]: crate::Lock::reset
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{RLock, RLockGuard, ReleaseError};
    /// use std::sync::Arc;
    ///
    /// let rlock = Arc::new(RLock::new(()));
    /// let held = Arc::clone(&rlock);
    /// // A thread that takes two levels and ends holding them, as a
    /// // parent's thread is gone in a forked child.
    /// std::thread::spawn(move || {
    ///     RLockGuard::leak(held.acquire());
    ///     RLockGuard::leak(held.acquire());
    /// })
    /// .join()
    /// .unwrap();
    /// assert_eq!(rlock.release(), Err(ReleaseError::NotOwned));
    /// assert!(rlock.reset());
    /// assert!(!rlock.locked());
    /// assert!(!rlock.reset()); // free already
    /// RLockGuard::leak(rlock.acquire());
    /// assert_eq!(rlock.recursion_count(), 1);
    /// ```
    #[doc(alias = "_at_fork_reinit")]
    pub fn reset(&self) -> bool {
        // Owner and count first: a thread that takes the lock once it is
        // free writes its own after them (its acquisition follows the
        // release below), and they are not erased.
        self.owner.store(0, Ordering::Relaxed);
        self.count.store(0, Ordering::Relaxed);
        self.raw.reset()
    }
}

/// Proof that the calling thread holds one level of an [`RLock`], giving
/// shared access to its data; dropping it releases that level.
///
/// Not `Send`: the levels belong to the thread that acquired them.
///
/// ```compile_fail
/// use bobbin_lock::RLock;
///
/// let rlock = RLock::new(());
/// let guard = rlock.acquire();
/// std::thread::scope(|s| {
///     s.spawn(move || drop(guard)); // error: `RLockGuard` is not `Send`
/// });
/// ```
///
/// # Examples
///
/// ```
/// use bobbin_lock::RLock;
/// use std::cell::Cell;
///
/// let rlock = RLock::new(Cell::new(0));
/// let a = rlock.acquire();
/// let b = rlock.acquire();
/// a.set(1);
/// assert_eq!(b.get(), 1);
/// ```
#[must_use = "if unused the lock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct RLockGuard<'a, T: ?Sized = ()> {
    rlock: &'a RLock<T>,
    /// `&'a T` makes the guard `Sync` only for `T: Sync`; `GuardNoSend` (a
    /// zero-sized `Sync`, `!Send` marker) keeps it on its thread.
    _marker: PhantomData<(&'a T, GuardNoSend)>,
}

impl<'a> RLockGuard<'a, ()> {
    /// Takes over one level of a bare acquisition of `rlock` by the calling
    /// thread: returns a guard if this thread holds the lock, `None`
    /// otherwise (another thread holds it, or none does).
    ///
    /// A lock held by bare `acquire`s (leaked guards, Python's `acquire()`
    /// without a `with`) has no guard to wait with; this makes one, so that
    /// a condition variable can wait on the lock
    /// ([`WaitGuard`](crate::WaitGuard) releases every level, not just this
    /// one, and restores them all). Hand the level back with
    /// [`leak`](RLockGuard::leak) afterwards, or drop the guard to release
    /// it.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{RLock, RLockGuard};
    ///
    /// let rlock = RLock::new(());
    /// assert!(RLockGuard::adopt(&rlock).is_none());
    /// RLockGuard::leak(rlock.acquire());
    /// RLockGuard::leak(rlock.acquire()); // two bare levels
    /// let guard = RLockGuard::adopt(&rlock).expect("owned");
    /// std::thread::scope(|s| {
    ///     s.spawn(|| assert!(RLockGuard::adopt(&rlock).is_none())); // not the owner
    /// });
    /// RLockGuard::leak(guard);
    /// assert_eq!(rlock.recursion_count(), 2);
    /// ```
    #[doc(alias = "adopt_lock")]
    #[must_use]
    #[inline]
    pub fn adopt(rlock: &'a RLock<()>) -> Option<RLockGuard<'a, ()>> {
        rlock.is_owned().then(|| RLockGuard::new(rlock))
    }
}

impl<'a, T: ?Sized> RLockGuard<'a, T> {
    /// The guard of a level just taken.
    #[inline]
    fn new(rlock: &'a RLock<T>) -> Self {
        RLockGuard {
            rlock,
            _marker: PhantomData,
        }
    }

    /// The lock this guard holds a level of.
    #[inline]
    pub(crate) fn rlock(guard: &Self) -> &'a RLock<T> {
        guard.rlock
    }

    /// Keeps the level held and forgets the guard, returning a reference to
    /// the data: Python's `acquire()` without a `with`. Release the level
    /// later with [`RLock::release`] (on `RLock<()>`), from the same thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{RLock, RLockGuard};
    ///
    /// let rlock = RLock::new(());
    /// RLockGuard::leak(rlock.acquire());
    /// assert_eq!(rlock.recursion_count(), 1);
    /// rlock.release().unwrap();
    /// assert!(!rlock.locked());
    /// ```
    #[inline]
    pub fn leak(guard: Self) -> &'a T {
        let guard = ManuallyDrop::new(guard);
        // SAFETY: the level stays held while the lock is borrowed, so no
        // other thread can hold the lock; only `&T`s exist, all on this
        // thread (for `RLock<()>`, whose `release` may free the lock early,
        // the reference is to a zero-sized `()`).
        unsafe { &*guard.rlock.data.get() }
    }
}

impl<T: ?Sized> Deref for RLockGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard proves the calling thread holds the lock, so no
        // other thread reaches the data, and this thread's guards only hand
        // out `&T`; the reference borrows the guard, so it ends before the
        // guard releases its level.
        unsafe { &*self.rlock.data.get() }
    }
}

impl<T: ?Sized> Drop for RLockGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // False only if the level was released by hand (`RLock<()>`).
        self.rlock.release_level();
    }
}

data_lock_impls! {
    RLock, RLockGuard;
    /// A free lock that owns `T::default()`.
    fn default;
    /// Shows the data if the calling thread holds the lock or can take it for
    /// the moment, or `<locked>`.
    fn fmt;
}
