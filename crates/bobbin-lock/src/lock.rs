//! [`Lock`]: Python's `threading.Lock`, a one-byte lock that may own the
//! data it protects, on [`RawLock`] (parking_lot's `RawMutex` algorithm with
//! CPython 3.14's fair hand-off).

// The guard hands out references into the lock's `UnsafeCell`; every block
// says why the lock makes that sound.
#![allow(unsafe_code)]

use crate::ReleaseError;
use crate::raw::RawLock;
use bobbin_park::Deadline;
use bobbin_park::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

/// Python's `threading.Lock`: a mutual-exclusion lock, one byte when it
/// protects nothing, which may also own the data it protects.
///
/// `Lock<()>` (the default, `Lock`) is Python's lock: [`acquire`] it and
/// drop the guard, or [`leak`] the guard and [`release`] the lock later, from
/// any thread. `Lock<T>` protects a `T` that is reachable only through the
/// guard, as std's and parking_lot's `Mutex` do.
///
/// Every blocking acquire comes in three forms: [`acquire`] (wait as long as
/// it takes), [`acquire_timeout`] (a [`Duration`]) and [`acquire_until`] (an
/// [`Instant`]); [`try_acquire`] never waits.
///
/// # Fairness
///
/// A released lock may be taken by a newcomer before the thread woken for it
/// (which keeps throughput high), but a thread that has waited for more than
/// about a millisecond receives the lock directly from the next release, so it
/// cannot be starved (CPython 3.14's rule).
///
/// # Differences from Python
///
/// - `with lock:` is `let _guard = lock.acquire();`: the lock is released
///   when the guard is dropped, also when a panic unwinds through it (there
///   is no poisoning, as in Python and parking_lot).
/// - `acquire(blocking=False)` is [`try_acquire`], `acquire(timeout=t)` is
///   [`acquire_timeout`]; they return an `Option` of a guard rather than a
///   `bool`. A timeout cannot be negative, and one too large for an `Instant`
///   (`Duration::MAX`) means "forever" rather than `OverflowError`.
/// - A bare `acquire()` / `release()` pair, possibly on two threads, is
///   [`LockGuard::leak`] then [`Lock::release`], only on `Lock<()>`: a lock
///   that owns data can be released only by its guard.
/// - `Lock<T>` can own data; Python's lock never does.
///
/// # Memory ordering
///
/// An acquire synchronizes with the release that made the lock available, so
/// everything written before a release (through the guard or not) is visible
/// to the next holder.
///
/// # Examples
///
/// ```
/// use bobbin_lock::Lock;
/// use std::sync::Arc;
///
/// let counter = Arc::new(Lock::new(0));
/// let handles: Vec<_> = (0..4)
///     .map(|_| {
///         let counter = Arc::clone(&counter);
///         std::thread::spawn(move || {
///             for _ in 0..1000 {
///                 *counter.acquire() += 1;
///             }
///         })
///     })
///     .collect();
/// for h in handles {
///     h.join().unwrap();
/// }
/// assert_eq!(*counter.acquire(), 4000);
/// ```
///
/// Python's any-thread release:
///
/// ```
/// use bobbin_lock::{Lock, LockGuard};
///
/// let lock = Lock::new(());
/// LockGuard::leak(lock.acquire()); // lock.acquire()
/// std::thread::scope(|s| {
///     s.spawn(|| lock.release().unwrap()); // lock.release() in another thread
/// });
/// assert!(!lock.locked());
/// ```
///
/// [`acquire`]: Lock::acquire
/// [`acquire_timeout`]: Lock::acquire_timeout
/// [`acquire_until`]: Lock::acquire_until
/// [`try_acquire`]: Lock::try_acquire
/// [`leak`]: LockGuard::leak
/// [`release`]: Lock::release
#[doc(alias = "threading.Lock")]
#[doc(alias = "Mutex")]
pub struct Lock<T: ?Sized = ()> {
    pub(crate) raw: RawLock,
    data: UnsafeCell<T>,
}

// SAFETY: the lock hands out `&mut T` to one thread at a time (the one whose
// guard holds it), which moves the `T` between threads; that needs `T: Send`
// and nothing more, as for std's `Mutex`.
unsafe impl<T: ?Sized + Send> Sync for Lock<T> {}

// SAFETY: owning a lock owns its `T`; sending one sends the `T`.
unsafe impl<T: ?Sized + Send> Send for Lock<T> {}

impl<T> Lock<T> {
    bobbin_park::const_fn! {
        /// A free lock that owns `value`. `Lock::new(())` is Python's
        /// `threading.Lock()`.
        ///
        /// `const` except under `--cfg bobbin_loom`, so a lock can be a
        /// `static`.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::Lock;
        ///
        /// static LOCK: Lock = Lock::new(());
        /// static NAMES: Lock<Vec<&str>> = Lock::new(Vec::new());
        ///
        /// let _held = LOCK.acquire();
        /// NAMES.acquire().push("bobbin");
        /// assert_eq!(NAMES.acquire().len(), 1);
        /// ```
        #[doc(alias = "Lock()")]
        #[inline]
        pub const fn new(value: T) -> Lock<T> {
            Lock {
                raw: RawLock::new(),
                data: UnsafeCell::new(value),
            }
        }
    }

    /// Consumes the lock and returns its data. No guard can exist, since one
    /// would borrow the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    ///
    /// let lock = Lock::new(vec![1, 2]);
    /// lock.acquire().push(3);
    /// assert_eq!(lock.into_inner(), [1, 2, 3]);
    /// ```
    #[inline]
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Lock<T> {
    /// Acquires the lock, waiting as long as it takes, and returns the guard
    /// that releases it when dropped.
    ///
    /// Uncontended, this is one compare-and-swap. The timed forms are
    /// [`acquire_timeout`](Lock::acquire_timeout) and
    /// [`acquire_until`](Lock::acquire_until).
    ///
    /// # Panics
    ///
    /// Never panics. Acquiring a lock the calling thread already holds
    /// deadlocks, as in Python (use [`RLock`](crate::RLock) to re-enter).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    ///
    /// let lock = Lock::new(String::new());
    /// {
    ///     let mut s = lock.acquire(); // with lock:
    ///     s.push_str("held");
    /// } // released here
    /// assert!(!lock.locked());
    /// ```
    #[doc(alias = "lock")]
    #[doc(alias = "__enter__")]
    #[inline]
    pub fn acquire(&self) -> LockGuard<'_, T> {
        self.raw.lock();
        LockGuard::new(self)
    }

    /// Acquires the lock if it is free, without waiting: Python's
    /// `acquire(blocking=False)`.
    ///
    /// Returns `None` only if the lock is held (never spuriously).
    ///
    /// # Panics
    ///
    /// Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    ///
    /// let lock = Lock::new(());
    /// let guard = lock.try_acquire().expect("free");
    /// assert!(lock.try_acquire().is_none());
    /// drop(guard);
    /// assert!(lock.try_acquire().is_some());
    /// ```
    #[doc(alias = "acquire")]
    #[doc(alias = "blocking=False")]
    #[doc(alias = "try_lock")]
    #[inline]
    pub fn try_acquire(&self) -> Option<LockGuard<'_, T>> {
        self.raw.try_lock().then(|| LockGuard::new(self))
    }

    /// Acquires the lock, waiting at most `timeout`: Python's
    /// `acquire(timeout=t)`.
    ///
    /// Returns `None` if the lock was still held when the timeout passed; a
    /// failed call never returns before `timeout` has elapsed (it may return
    /// later on a busy machine). A zero timeout is
    /// [`try_acquire`](Lock::try_acquire); a timeout too large to represent
    /// (`Duration::MAX`) waits forever.
    ///
    /// # Panics
    ///
    /// Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    /// use std::time::{Duration, Instant};
    ///
    /// let lock = Lock::new(());
    /// let _held = lock.acquire();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| {
    ///         let start = Instant::now();
    ///         assert!(lock.acquire_timeout(Duration::from_millis(20)).is_none());
    ///         assert!(start.elapsed() >= Duration::from_millis(20));
    ///     });
    /// });
    /// ```
    #[doc(alias = "acquire")]
    #[doc(alias = "try_lock_for")]
    #[inline]
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<LockGuard<'_, T>> {
        self.acquire_slow(Deadline::after(timeout))
    }

    /// Acquires the lock, waiting at most until `deadline`.
    ///
    /// Returns `None` if the lock was still held at `deadline`; a failed call
    /// never returns before it. A deadline in the past makes this
    /// [`try_acquire`](Lock::try_acquire).
    ///
    /// # Panics
    ///
    /// Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    /// use std::time::{Duration, Instant};
    ///
    /// let lock = Lock::new(());
    /// let deadline = Instant::now() + Duration::from_millis(10);
    /// assert!(lock.acquire_until(deadline).is_some()); // free: at once
    /// ```
    #[doc(alias = "acquire")]
    #[doc(alias = "try_lock_until")]
    #[inline]
    pub fn acquire_until(&self, deadline: Instant) -> Option<LockGuard<'_, T>> {
        self.acquire_slow(Deadline::at(deadline))
    }

    /// The one core of the timed forms.
    #[inline]
    fn acquire_slow(&self, deadline: Deadline) -> Option<LockGuard<'_, T>> {
        self.raw.lock_until(deadline).then(|| LockGuard::new(self))
    }

    /// Whether some thread holds the lock: Python's `locked()`. A snapshot,
    /// which may be stale by the time it is read.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    ///
    /// let lock = Lock::new(());
    /// assert!(!lock.locked());
    /// let guard = lock.acquire();
    /// assert!(lock.locked());
    /// drop(guard);
    /// assert!(!lock.locked());
    /// ```
    #[doc(alias = "is_locked")]
    #[inline]
    #[must_use]
    pub fn locked(&self) -> bool {
        self.raw.locked()
    }

    /// A mutable reference to the data, without locking: `&mut self` proves
    /// no guard exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Lock;
    ///
    /// let mut lock = Lock::new(1);
    /// *lock.get_mut() += 1;
    /// assert_eq!(*lock.acquire(), 2);
    /// ```
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl Lock<()> {
    /// Releases the lock, whichever thread acquired it: Python's
    /// `Lock.release()`.
    ///
    /// Pair it with [`LockGuard::leak`], which keeps a lock held without a
    /// guard. If the lock has waiters, the first one is woken (or handed the
    /// lock, if it has waited more than about a millisecond).
    ///
    /// Releasing a lock that a live guard holds is allowed (Python allows
    /// it), but that guard's drop then releases the lock again, whoever holds
    /// it by then: leak a guard whose lock may be released by hand.
    ///
    /// # Errors
    ///
    /// [`ReleaseError::Unlocked`] if the lock is not held ("release unlocked
    /// lock"); nothing changes. The check is part of the atomic update (a
    /// compare-and-swap), so of two threads racing to release one
    /// acquisition, exactly one succeeds.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{Lock, LockGuard, ReleaseError};
    ///
    /// let lock = Lock::new(());
    /// assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    /// LockGuard::leak(lock.acquire());
    /// assert_eq!(lock.release(), Ok(()));
    /// assert!(!lock.locked());
    /// ```
    #[doc(alias = "force_unlock")]
    #[inline]
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.raw.release()
    }

    /// Frees the lock whoever holds it and wakes every thread waiting for
    /// it, handing it to none; returns whether it was held: Python's
    /// `Lock._at_fork_reinit()`, for a child process after `fork()`.
    ///
    /// In a forked child the threads parked on the lock are the parent's,
    /// which the child does not have. [`release`](Lock::release) would
    /// hand the lock to the first of them if it had waited more than about
    /// a millisecond, and the lock would stay held for good; waking them
    /// all takes their records out of the parking lot. Outside a forked
    /// child it is a release after which every waiter races for the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{Lock, LockGuard};
    ///
    /// let lock = Lock::new(());
    /// assert!(!lock.reset()); // free already
    /// LockGuard::leak(lock.acquire());
    /// assert!(lock.reset());
    /// assert!(lock.try_acquire().is_some());
    /// ```
    #[doc(alias = "_at_fork_reinit")]
    pub fn reset(&self) -> bool {
        self.raw.reset()
    }
}

/// Proof that a [`Lock`] is held, giving access to its data; dropping it
/// releases the lock.
///
/// Returned by [`Lock::acquire`] and its timed forms. Dropping the guard is
/// Python's leaving a `with lock:` block, and a panic that unwinds through it
/// releases the lock too (no poisoning).
///
/// Helpers are associated functions ([`LockGuard::leak`],
/// [`LockGuard::unlock_fair`]), not methods, so that they never hide a method
/// of the data the guard derefs to.
///
/// # Differences from Python
///
/// A guard is `Send` when `T` is: a Python lock may be released by any
/// thread, and moving its guard is the safe way to do that (the lock word
/// records no owner, so nothing ties the lock to the acquiring thread). std's
/// `MutexGuard` is `!Send` only because some OS mutexes must be unlocked by
/// their owner; this lock has no such rule.
///
/// # Examples
///
/// ```
/// use bobbin_lock::Lock;
///
/// let lock = Lock::new(vec![1]);
/// let mut guard = lock.acquire();
/// guard.push(2);
/// assert_eq!(*guard, [1, 2]);
/// drop(guard);
///
/// // Released by another thread, as Python allows.
/// let guard = lock.acquire();
/// std::thread::scope(|s| {
///     s.spawn(move || drop(guard));
/// });
/// assert!(!lock.locked());
/// ```
#[must_use = "if unused the lock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct LockGuard<'a, T: ?Sized = ()> {
    lock: &'a Lock<T>,
    /// The guard stands for `&'a mut T`: `Send` iff `T: Send` and `Sync` iff
    /// `T: Sync` (with `&Lock<T>` also asking `T: Send`), with no `unsafe
    /// impl`.
    _data: PhantomData<&'a mut T>,
}

impl<'a> LockGuard<'a, ()> {
    /// Takes over a bare acquisition of `lock`: returns a guard for it if the
    /// lock is held, `None` if it is free.
    ///
    /// A lock held by a bare `acquire` (a [`leak`](LockGuard::leak)ed
    /// guard, Python's `acquire()` without a `with`) has no guard to wait
    /// with; this makes one, so that a condition variable can wait on the
    /// lock ([`WaitGuard`](crate::WaitGuard), which releases and re-takes
    /// it). Hand the acquisition back with [`leak`](LockGuard::leak)
    /// afterwards, or drop the guard to release the lock.
    ///
    /// Only on `Lock<()>`: a Python lock has no owner, so whichever thread
    /// holds it, any thread may release it (as [`Lock::release`] does), and
    /// a guard over `()` reaches no data. This is Python's rule for a
    /// `Condition` over a `Lock`, whose `_is_owned()` is "the lock is
    /// held".
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{Lock, LockGuard};
    ///
    /// let lock = Lock::new(());
    /// assert!(LockGuard::adopt(&lock).is_none()); // free: nothing to adopt
    /// LockGuard::leak(lock.acquire()); // a bare acquire
    /// let guard = LockGuard::adopt(&lock).expect("held");
    /// // ... wait on a condition with `guard` ...
    /// LockGuard::leak(guard); // still held, bare again
    /// lock.release().unwrap();
    /// ```
    #[doc(alias = "adopt_lock")]
    #[must_use]
    #[inline]
    pub fn adopt(lock: &'a Lock<()>) -> Option<LockGuard<'a, ()>> {
        lock.locked().then(|| LockGuard::new(lock))
    }
}

impl<'a, T: ?Sized> LockGuard<'a, T> {
    /// The guard of an acquisition just made.
    #[inline]
    fn new(lock: &'a Lock<T>) -> Self {
        LockGuard {
            lock,
            _data: PhantomData,
        }
    }

    /// The lock this guard holds.
    #[inline]
    pub(crate) fn lock(guard: &Self) -> &'a Lock<T> {
        guard.lock
    }

    /// Keeps the lock held and forgets the guard, returning a reference to
    /// the data that lives as long as the lock's borrow: Python's `acquire()`
    /// without a `with`.
    ///
    /// For a `Lock<()>`, release it later with [`Lock::release`], from any
    /// thread. A `Lock<T>` with data stays locked for good (its data is
    /// reachable only through the returned reference).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{Lock, LockGuard};
    ///
    /// let lock = Lock::new(());
    /// LockGuard::leak(lock.acquire());
    /// assert!(lock.locked());
    /// lock.release().unwrap();
    /// assert!(!lock.locked());
    /// ```
    #[inline]
    pub fn leak(guard: Self) -> &'a mut T {
        let guard = ManuallyDrop::new(guard);
        // SAFETY: the lock is held and, the guard being forgotten, stays held
        // for as long as the lock is borrowed; no other guard can exist, so
        // this is the only reference to the data. (For `Lock<()>`, whose
        // `release` may free the lock early, the reference is to a
        // zero-sized `()`, which no access can race on.)
        unsafe { &mut *guard.lock.data.get() }
    }

    /// Releases the lock and hands it directly to the thread that has waited
    /// longest, if any, whatever its wait so far (parking_lot's
    /// `unlock_fair`). Without a waiter this is an ordinary release.
    ///
    /// A plain drop hands off only to a waiter that has waited more than
    /// about a millisecond, and otherwise lets newcomers race for the lock,
    /// which is faster.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{Lock, LockGuard};
    ///
    /// let lock = Lock::new(0);
    /// let guard = lock.acquire();
    /// LockGuard::unlock_fair(guard);
    /// assert!(!lock.locked());
    /// ```
    #[inline]
    pub fn unlock_fair(guard: Self) {
        let guard = ManuallyDrop::new(guard);
        guard.lock.raw.unlock_fair();
    }
}

impl<T: ?Sized> Deref for LockGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard proves the lock is held, so no other guard (and
        // no `&mut T`) exists; the reference borrows the guard, so it ends
        // before the guard releases the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for LockGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this the only
        // reference to the data through this guard.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for LockGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock.raw.unlock();
    }
}

data_lock_impls! {
    Lock, LockGuard;
    /// A free lock that owns `T::default()`; `Lock::<()>::default()` is
    /// Python's `threading.Lock()`.
    fn default;
    /// Shows the data if the lock is free (taking it for the moment), or
    /// `<locked>`.
    fn fmt;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{parked_on, wait_until_parked};
    use bobbin_park::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;

    /// How a test releases the lock.
    #[derive(Copy, Clone)]
    enum Release {
        Drop,
        Fair,
        ByHand,
    }

    /// Releases a held lock (`how`) while a thread is parked on it (for
    /// `delay` first), and asserts that the waiter was handed the lock: the
    /// lock never became free, so this thread cannot take it before the
    /// waiter has had it. The waiter marks its turn while it holds the lock,
    /// so a successful `try_acquire` must come after that mark.
    fn assert_handed_off(delay: Duration, how: Release) {
        let lock = Lock::new(());
        let had_it = AtomicBool::new(false);
        let guard = lock.acquire();
        std::thread::scope(|s| {
            s.spawn(|| {
                let _g = lock.acquire();
                had_it.store(true, Ordering::Relaxed);
            });
            wait_until_parked(lock.raw.word(), 1);
            std::thread::sleep(delay);
            match how {
                Release::Drop => drop(guard),
                Release::Fair => LockGuard::unlock_fair(guard),
                Release::ByHand => {
                    LockGuard::leak(guard);
                    lock.release().unwrap();
                }
            }
            if lock.try_acquire().is_some() {
                assert!(
                    had_it.load(Ordering::Relaxed),
                    "a newcomer barged past a due waiter"
                );
            }
        });
        assert!(had_it.load(Ordering::Relaxed));
        assert!(!lock.locked());
        assert_eq!(parked_on(lock.raw.word()), 0);
    }

    #[test]
    fn a_waiter_parked_over_a_millisecond_is_handed_the_lock() {
        // The waiter's token was taken before it parked, so two more
        // milliseconds make it due.
        assert_handed_off(Duration::from_millis(2), Release::Drop);
    }

    #[test]
    fn unlock_fair_hands_off_to_a_fresh_waiter() {
        assert_handed_off(Duration::ZERO, Release::Fair);
    }

    #[test]
    fn release_hands_off_too() {
        assert_handed_off(Duration::from_millis(2), Release::ByHand);
    }

    #[test]
    fn a_release_wakes_one_waiter_at_a_time() {
        let lock = Lock::new(());
        LockGuard::leak(lock.acquire());
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| LockGuard::leak(lock.acquire()));
            }
            wait_until_parked(lock.raw.word(), 2);
            lock.release().unwrap();
            // One waiter takes the lock; the other stays parked.
            let start = Instant::now();
            while parked_on(lock.raw.word()) != 1 || !lock.locked() {
                assert!(start.elapsed() < Duration::from_secs(10));
                bobbin_park::thread::yield_now();
            }
            wait_until_parked(lock.raw.word(), 1);
            lock.release().unwrap();
        });
        lock.release().unwrap();
        assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    }
}
