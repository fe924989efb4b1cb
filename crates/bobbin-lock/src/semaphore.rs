//! [`Semaphore`] and [`BoundedSemaphore`]: Python's counting semaphores,
//! one word each (plus the bound), with FIFO waiters.
//!
//! The count and a "parked" flag share one `AtomicUsize`. Waiters park on
//! that word, leaving the number of permits they want as their park token;
//! `release(n)` walks the queue front to back with `unpark_filter`, hands
//! permits to the waiters it can satisfy, and only adds what is left to the
//! count (tokio's semaphore model: a newcomer never takes a permit ahead of a
//! parked waiter).

use crate::{ReleaseError, word};
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_park::{Deadline, FilterOp, ParkResult, ParkToken, SpinWait, UnparkToken};
use bobbin_park::{WaitKind, WaitLabel, unpark_filter};
use core::cell::Cell;
use core::fmt;
use core::mem::ManuallyDrop;
use std::time::{Duration, Instant};

/// Bit 0 of the state word: threads are parked, or about to park.
const PARKED: usize = 0b1;

/// One permit, in the state word (the count is the word shifted right once).
const ONE: usize = 0b10;

/// The largest count a semaphore can hold.
const MAX_PERMITS: usize = usize::MAX >> 1;

/// The token a release passes to the waiters it hands permits to: "you have
/// your permits". Permits are only ever handed over, never raced for.
const TOKEN_GRANTED: UnparkToken = UnparkToken(1);

/// The permits one `acquire` asks for, left as its park token.
const WANTS_ONE: ParkToken = ParkToken(1);

/// What taking a permit does to the word: one permit less, if one is free
/// and no thread is parked (FIFO: a newcomer queues behind parked waiters);
/// `None` otherwise.
#[inline]
fn take_permit(state: usize) -> Option<usize> {
    (state & PARKED == 0 && state >= ONE).then(|| state - ONE)
}

/// How a thread parked in an `acquire` of a [`Semaphore`] or a
/// [`BoundedSemaphore`] (a `Semaphore` in Python too) shows in a hang report.
static SEMAPHORE_ACQUIRE: WaitKind = WaitKind::new("Semaphore.acquire");

/// The counting core shared by both semaphores.
struct RawSemaphore {
    /// `count << 1 | PARKED`.
    ///
    /// # Invariants
    ///
    /// - `PARKED` is set by a thread about to park, only when the count is
    ///   zero, and cleared only with this key's queue locked (by a release's
    ///   callback or a time-out) when no thread is left in the queue.
    /// - The count grows only while `PARKED` is clear (a release's fast
    ///   path) or in a release's callback, which hands permits to the queued
    ///   waiters first and sets `PARKED` again only if a waiter is left
    ///   unsatisfied, with nothing left over.
    /// - Hence: `PARKED` set ⇒ count zero. A thread that finds `PARKED` set
    ///   therefore queues behind the parked ones (FIFO).
    state: AtomicUsize,
}

impl RawSemaphore {
    bobbin_park::const_fn! {
        #[track_caller]
        const fn new(permits: usize) -> RawSemaphore {
            assert!(
                permits <= MAX_PERMITS,
                "semaphore initial value exceeds Semaphore::MAX_PERMITS"
            );
            RawSemaphore {
                state: AtomicUsize::new(permits << 1),
            }
        }
    }

    #[inline]
    fn available(&self) -> usize {
        self.state.load(Ordering::Relaxed) >> 1
    }

    /// Takes a permit if one is free and no thread is parked (never
    /// spuriously fails).
    #[inline]
    fn try_acquire(&self) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        word::take(&self.state, &mut state, take_permit)
    }

    /// A permit as a guard that gives it back within `max`, if one was
    /// taken by `deadline`: the one core of every acquire of both
    /// semaphores.
    #[inline]
    fn guard_until(&self, deadline: Deadline, max: usize) -> Option<SemaphoreGuard<'_>> {
        self.acquire_until(deadline)
            .then(|| SemaphoreGuard { raw: self, max })
    }

    /// A permit as a guard, if one is free now.
    #[inline]
    fn try_guard(&self, max: usize) -> Option<SemaphoreGuard<'_>> {
        self.try_acquire()
            .then(|| SemaphoreGuard { raw: self, max })
    }

    /// Takes a permit, waiting at most until `deadline`.
    #[inline]
    fn acquire_until(&self, deadline: Deadline) -> bool {
        let state = self.state.load(Ordering::Relaxed);
        (state & PARKED == 0
            && state >= ONE
            && self
                .state
                .compare_exchange_weak(state, state - ONE, Ordering::Acquire, Ordering::Relaxed)
                .is_ok())
            || self.acquire_slow(deadline)
    }

    #[cold]
    fn acquire_slow(&self, deadline: Deadline) -> bool {
        let mut spin = SpinWait::new();
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            // A free permit and no one queued ahead of us.
            if word::take(&self.state, &mut state, take_permit) {
                return true;
            }

            // A zero or past deadline makes this a non-blocking try.
            if deadline.has_passed() {
                return false;
            }

            // No one parked: a holder may be about to release, so spin a
            // little. Then (count zero) announce that we are about to park.
            if !word::spin_or_mark(&self.state, &mut state, PARKED, &mut spin) {
                continue;
            }

            let _label = WaitLabel::unless_labelled(&SEMAPHORE_ACQUIRE);
            // Sleep only while still marked with no permit.
            let result = word::park_marked(&self.state, PARKED, PARKED, WANTS_ONE, deadline);
            match result {
                // A release handed us our permit (even if our deadline has
                // passed meanwhile: the permit is ours, not lost).
                ParkResult::Unparked(token) => {
                    debug_assert_eq!(token, TOKEN_GRANTED);
                    return true;
                }
                ParkResult::Invalid => {}
                // Final (see bobbin-park on the model cfg's time-outs).
                ParkResult::TimedOut => return false,
            }
            spin.reset();
            state = self.state.load(Ordering::Relaxed);
        }
    }

    /// Adds `n` permits, handing them to parked waiters first; fails with
    /// `over` (and changes nothing) if the count would exceed `max`.
    #[inline]
    fn release(&self, n: usize, max: usize, over: ReleaseError) -> Result<(), ReleaseError> {
        if n == 0 {
            return Err(ReleaseError::ZeroPermits);
        }
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & PARKED != 0 {
                return self.release_slow(n, max, over);
            }
            let Some(count) = (state >> 1).checked_add(n).filter(|&c| c <= max) else {
                // Refuse only on the latest count: writing the same state
                // back succeeds only if no other thread changed it, which a
                // plain (possibly stale) read cannot tell.
                match self.state.compare_exchange_weak(
                    state,
                    state,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return Err(over),
                    Err(current) => {
                        state = current;
                        continue;
                    }
                }
            };
            match self.state.compare_exchange_weak(
                state,
                count << 1,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(current) => state = current,
            }
        }
    }

    #[cold]
    fn release_slow(&self, n: usize, max: usize, over: ReleaseError) -> Result<(), ReleaseError> {
        // With threads parked the count is zero, so the bound is `n` itself;
        // the callback checks again against the count it finds.
        if n > max {
            return Err(over);
        }
        let left = Cell::new(n);
        let result = Cell::new(Ok(()));
        unpark_filter(
            &self.state,
            |ParkToken(wants)| {
                // Front to back: serve waiters while the permits last, and
                // stop at the first that cannot be served (no overtaking).
                if wants <= left.get() {
                    left.set(left.get() - wants);
                    FilterOp::Unpark
                } else {
                    FilterOp::Stop
                }
            },
            |unparked| {
                // The queue is locked: `have_more_threads` is exact.
                let parked = if unparked.have_more_threads {
                    PARKED
                } else {
                    0
                };
                let mut state = self.state.load(Ordering::Relaxed);
                loop {
                    let new = match (state >> 1).checked_add(left.get()) {
                        Some(count) if count <= max => (count << 1) | parked,
                        _ => {
                            // Only possible if no one was served: then the
                            // queue was empty (a waiter that timed out) and
                            // a fast release raised the count meanwhile.
                            // Refuse, changing nothing but the stale flag.
                            debug_assert_eq!(unparked.unparked_threads, 0);
                            result.set(Err(over));
                            (state & !PARKED) | parked
                        }
                    };
                    match self.state.compare_exchange_weak(
                        state,
                        new,
                        Ordering::Release,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => break,
                        Err(current) => state = current,
                    }
                }
                TOKEN_GRANTED
            },
        );
        result.get()
    }
}

/// The acquire family both semaphores have: `acquire`, `try_acquire`,
/// `acquire_timeout` and `acquire_until`, with the one core of the timed
/// forms, `acquire_slow(Deadline)`, all taking a permit from `self.raw` as
/// a guard bound by `self.max()`.
///
/// Each method's docs are written where the macro is called, so each type
/// keeps its own; the macro adds `#[inline]` and the Python aliases, which
/// are the same for both types (Python's `Semaphore.acquire`).
macro_rules! acquire_methods {
    (
        $(#[$acquire:meta])*
        pub fn acquire;
        $(#[$try_acquire:meta])*
        pub fn try_acquire;
        $(#[$acquire_timeout:meta])*
        pub fn acquire_timeout;
        $(#[$acquire_until:meta])*
        pub fn acquire_until;
    ) => {
        $(#[$acquire])*
        #[doc(alias = "__enter__")]
        #[inline]
        pub fn acquire(&self) -> SemaphoreGuard<'_> {
            self.acquire_slow(Deadline::never())
                .expect("an untimed acquire cannot time out")
        }

        $(#[$try_acquire])*
        #[doc(alias = "acquire")]
        #[doc(alias = "blocking=False")]
        #[inline]
        pub fn try_acquire(&self) -> Option<SemaphoreGuard<'_>> {
            self.raw.try_guard(self.max())
        }

        $(#[$acquire_timeout])*
        #[doc(alias = "acquire")]
        #[inline]
        pub fn acquire_timeout(&self, timeout: Duration) -> Option<SemaphoreGuard<'_>> {
            self.acquire_slow(Deadline::after(timeout))
        }

        $(#[$acquire_until])*
        #[doc(alias = "acquire")]
        #[inline]
        pub fn acquire_until(&self, deadline: Instant) -> Option<SemaphoreGuard<'_>> {
            self.acquire_slow(Deadline::at(deadline))
        }

        /// The one core of the timed forms.
        #[inline]
        fn acquire_slow(&self, deadline: Deadline) -> Option<SemaphoreGuard<'_>> {
            self.raw.guard_until(deadline, self.max())
        }
    };
}

/// Python's `threading.Semaphore`: a count of permits; acquiring takes one,
/// waiting while there is none, and [`release`](Semaphore::release) adds
/// some.
///
/// [`acquire`](Semaphore::acquire) returns a [`SemaphoreGuard`], a permit
/// that is given back when dropped (Python's `with sem:`);
/// [`SemaphoreGuard::forget`] keeps it taken, as a Python `acquire()` without
/// a `release()`. Every blocking acquire comes in three forms: `acquire`,
/// [`acquire_timeout`](Semaphore::acquire_timeout) and
/// [`acquire_until`](Semaphore::acquire_until);
/// [`try_acquire`](Semaphore::try_acquire) never waits.
///
/// One word: the count and a flag. Waiters are served in FIFO order, and a
/// release hands its permits to them directly, so a thread arriving later
/// never takes a permit ahead of one that waits.
///
/// # Differences from Python
///
/// - The count is a `usize`, so Python's `ValueError` for a negative
///   initial value cannot happen; a count above [`Semaphore::MAX_PERMITS`] is
///   refused ([`ReleaseError::Overflow`]) instead of growing without bound.
/// - `release(n)` returns a `Result`: `n == 0` is
///   [`ReleaseError::ZeroPermits`], Python 3.13's `ValueError`.
/// - Waiters are served strictly first come, first served; CPython's
///   `Condition`-based semaphore lets a newcomer take a released permit
///   before the woken thread does.
///
/// # Memory ordering
///
/// An acquire synchronizes with the release that made its permit available:
/// what a thread wrote before `release` (or before dropping a guard) is
/// visible to the thread that gets the permit.
///
/// # Examples
///
/// ```
/// use bobbin_lock::Semaphore;
/// use std::sync::Arc;
///
/// // At most two threads in the section at once.
/// let sem = Arc::new(Semaphore::new(2));
/// let handles: Vec<_> = (0..4)
///     .map(|_| {
///         let sem = Arc::clone(&sem);
///         std::thread::spawn(move || {
///             let _permit = sem.acquire();
///             assert!(sem.available() <= 1);
///         })
///     })
///     .collect();
/// for h in handles {
///     h.join().unwrap();
/// }
/// assert_eq!(sem.available(), 2);
/// ```
#[doc(alias = "threading.Semaphore")]
pub struct Semaphore {
    raw: RawSemaphore,
}

impl Semaphore {
    /// The largest count a semaphore can hold: `usize::MAX / 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{ReleaseError, Semaphore};
    ///
    /// let sem = Semaphore::new(Semaphore::MAX_PERMITS);
    /// assert_eq!(sem.release(1), Err(ReleaseError::Overflow));
    /// ```
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    bobbin_park::const_fn! {
        /// A semaphore with `value` permits: Python's `Semaphore(value)`.
        ///
        /// `const` except under `--cfg bobbin_loom`.
        ///
        /// # Panics
        ///
        /// Panics if `value` exceeds [`Semaphore::MAX_PERMITS`].
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::Semaphore;
        ///
        /// static POOL: Semaphore = Semaphore::new(3);
        /// let _permit = POOL.acquire();
        /// assert_eq!(POOL.available(), 2);
        /// ```
        #[doc(alias = "Semaphore()")]
        #[track_caller]
        #[inline]
        #[must_use]
        pub const fn new(value: usize) -> Semaphore {
            Semaphore {
                raw: RawSemaphore::new(value),
            }
        }
    }

    acquire_methods! {
        /// Takes a permit, waiting as long as it takes, and returns it as a
        /// guard that gives it back when dropped.
        ///
        /// The timed forms are [`acquire_timeout`](Semaphore::acquire_timeout)
        /// and [`acquire_until`](Semaphore::acquire_until).
        ///
        /// # Panics
        ///
        /// Never panics.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::Semaphore;
        ///
        /// let sem = Semaphore::new(1);
        /// {
        ///     let _permit = sem.acquire(); // with sem:
        ///     assert_eq!(sem.available(), 0);
        /// }
        /// assert_eq!(sem.available(), 1);
        /// ```
        pub fn acquire;

        /// Takes a permit if one is free and no thread is waiting for one,
        /// without waiting: Python's `acquire(blocking=False)`.
        ///
        /// # Panics
        ///
        /// Never panics.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::Semaphore;
        ///
        /// let sem = Semaphore::new(1);
        /// let permit = sem.try_acquire().unwrap();
        /// assert!(sem.try_acquire().is_none());
        /// drop(permit);
        /// assert!(sem.try_acquire().is_some());
        /// ```
        pub fn try_acquire;

        /// Takes a permit, waiting at most `timeout`: Python's
        /// `acquire(timeout=t)`.
        ///
        /// Returns `None` if no permit came within `timeout`, never earlier. Zero
        /// is [`try_acquire`](Semaphore::try_acquire); `Duration::MAX` waits
        /// forever.
        ///
        /// # Panics
        ///
        /// Never panics.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::Semaphore;
        /// use std::time::{Duration, Instant};
        ///
        /// let sem = Semaphore::new(0);
        /// let start = Instant::now();
        /// assert!(sem.acquire_timeout(Duration::from_millis(10)).is_none());
        /// assert!(start.elapsed() >= Duration::from_millis(10));
        /// ```
        pub fn acquire_timeout;

        /// Takes a permit, waiting at most until `deadline`; `None` if none came
        /// by then, never earlier.
        ///
        /// # Panics
        ///
        /// Never panics.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::Semaphore;
        /// use std::time::{Duration, Instant};
        ///
        /// let sem = Semaphore::new(1);
        /// assert!(sem.acquire_until(Instant::now() + Duration::from_millis(5)).is_some());
        /// ```
        pub fn acquire_until;
    }

    /// Adds `n` permits: Python's `release(n)`. Up to `n` waiters are woken,
    /// in the order they came, each with its permit.
    ///
    /// # Errors
    ///
    /// - [`ReleaseError::ZeroPermits`] if `n` is 0 (Python 3.13's
    ///   `ValueError: n must be one or more`);
    /// - [`ReleaseError::Overflow`] if the count would exceed
    ///   [`Semaphore::MAX_PERMITS`].
    ///
    /// Either way nothing changes.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{ReleaseError, Semaphore};
    ///
    /// let sem = Semaphore::new(0);
    /// sem.release(3).unwrap();
    /// assert_eq!(sem.available(), 3);
    /// assert_eq!(sem.release(0), Err(ReleaseError::ZeroPermits));
    /// ```
    #[doc(alias = "add_permits")]
    #[inline]
    pub fn release(&self, n: usize) -> Result<(), ReleaseError> {
        self.raw.release(n, self.max(), ReleaseError::Overflow)
    }

    /// The number of permits free right now: Python's `_value`. A snapshot,
    /// which may be stale by the time it is read.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::Semaphore;
    ///
    /// let sem = Semaphore::new(2);
    /// let _p = sem.acquire();
    /// assert_eq!(sem.available(), 1);
    /// ```
    #[doc(alias = "_value")]
    #[doc(alias = "available_permits")]
    #[inline]
    #[must_use]
    pub fn available(&self) -> usize {
        self.raw.available()
    }

    /// The bound a release must respect.
    #[inline]
    fn max(&self) -> usize {
        MAX_PERMITS
    }
}

impl Default for Semaphore {
    /// A semaphore with one permit: Python's `Semaphore()`.
    fn default() -> Self {
        Semaphore::new(1)
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available", &self.available())
            .finish()
    }
}

/// Python's `threading.BoundedSemaphore`: a [`Semaphore`] whose count may
/// never exceed its initial value.
///
/// A release that would raise the count above the initial value is refused
/// with [`ReleaseError::TooManyReleases`] and changes nothing: it catches a
/// release without a matching acquire.
///
/// # Differences from Python
///
/// As for [`Semaphore`]; the over-release is a `Result`, not a
/// `ValueError`.
///
/// # Memory ordering
///
/// As for [`Semaphore`].
///
/// # Examples
///
/// ```
/// use bobbin_lock::{BoundedSemaphore, ReleaseError, SemaphoreGuard};
///
/// let sem = BoundedSemaphore::new(2);
/// SemaphoreGuard::forget(sem.acquire()); // Python's sem.acquire()
/// sem.release(1).unwrap();
/// assert_eq!(sem.release(1), Err(ReleaseError::TooManyReleases));
/// assert_eq!(sem.available(), 2);
/// ```
#[doc(alias = "threading.BoundedSemaphore")]
pub struct BoundedSemaphore {
    raw: RawSemaphore,
    initial: usize,
}

impl BoundedSemaphore {
    bobbin_park::const_fn! {
        /// A semaphore with `value` permits that never holds more:
        /// Python's `BoundedSemaphore(value)`.
        ///
        /// `const` except under `--cfg bobbin_loom`.
        ///
        /// # Panics
        ///
        /// Panics if `value` exceeds [`Semaphore::MAX_PERMITS`].
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::BoundedSemaphore;
        ///
        /// static SLOTS: BoundedSemaphore = BoundedSemaphore::new(4);
        /// assert_eq!(SLOTS.initial_value(), 4);
        /// ```
        #[doc(alias = "BoundedSemaphore()")]
        #[track_caller]
        #[inline]
        #[must_use]
        pub const fn new(value: usize) -> BoundedSemaphore {
            BoundedSemaphore {
                raw: RawSemaphore::new(value),
                initial: value,
            }
        }
    }

    acquire_methods! {
        /// Takes a permit, waiting as long as it takes; see
        /// [`Semaphore::acquire`].
        ///
        /// # Panics
        ///
        /// Never panics.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::BoundedSemaphore;
        ///
        /// let sem = BoundedSemaphore::new(1);
        /// let permit = sem.acquire();
        /// assert_eq!(sem.available(), 0);
        /// drop(permit);
        /// assert_eq!(sem.available(), 1);
        /// ```
        pub fn acquire;

        /// Takes a permit without waiting; see [`Semaphore::try_acquire`].
        ///
        /// # Panics
        ///
        /// Never panics.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::BoundedSemaphore;
        ///
        /// let sem = BoundedSemaphore::new(1);
        /// let _p = sem.try_acquire().unwrap();
        /// assert!(sem.try_acquire().is_none());
        /// ```
        pub fn try_acquire;

        /// Takes a permit, waiting at most `timeout`; see
        /// [`Semaphore::acquire_timeout`].
        ///
        /// # Panics
        ///
        /// Never panics.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::BoundedSemaphore;
        /// use std::time::Duration;
        ///
        /// let sem = BoundedSemaphore::new(1);
        /// let _p = sem.acquire();
        /// assert!(sem.acquire_timeout(Duration::from_millis(5)).is_none());
        /// ```
        pub fn acquire_timeout;

        /// Takes a permit, waiting at most until `deadline`; see
        /// [`Semaphore::acquire_until`].
        ///
        /// # Panics
        ///
        /// Never panics.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::BoundedSemaphore;
        /// use std::time::{Duration, Instant};
        ///
        /// let sem = BoundedSemaphore::new(0);
        /// assert!(sem.acquire_until(Instant::now() + Duration::from_millis(5)).is_none());
        /// ```
        pub fn acquire_until;
    }

    /// Adds `n` permits, unless that would raise the count above the initial
    /// value: Python's `release(n)`. Up to `n` waiters are woken, in the
    /// order they came, each with its permit.
    ///
    /// # Errors
    ///
    /// - [`ReleaseError::ZeroPermits`] if `n` is 0;
    /// - [`ReleaseError::TooManyReleases`] ("semaphore released too many
    ///   times") if the count would exceed [`initial_value`].
    ///
    /// Either way nothing changes.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{BoundedSemaphore, ReleaseError, SemaphoreGuard};
    ///
    /// let sem = BoundedSemaphore::new(3);
    /// for _ in 0..2 {
    ///     SemaphoreGuard::forget(sem.acquire());
    /// }
    /// assert_eq!(sem.release(3), Err(ReleaseError::TooManyReleases));
    /// sem.release(2).unwrap();
    /// assert_eq!(sem.available(), 3);
    /// ```
    ///
    /// [`initial_value`]: BoundedSemaphore::initial_value
    #[inline]
    pub fn release(&self, n: usize) -> Result<(), ReleaseError> {
        self.raw
            .release(n, self.max(), ReleaseError::TooManyReleases)
    }

    /// The number of permits free right now: Python's `_value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::BoundedSemaphore;
    ///
    /// assert_eq!(BoundedSemaphore::new(2).available(), 2);
    /// ```
    #[doc(alias = "_value")]
    #[inline]
    #[must_use]
    pub fn available(&self) -> usize {
        self.raw.available()
    }

    /// The initial value, which the count never exceeds: Python's
    /// `_initial_value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::BoundedSemaphore;
    ///
    /// assert_eq!(BoundedSemaphore::new(5).initial_value(), 5);
    /// ```
    #[doc(alias = "_initial_value")]
    #[inline]
    #[must_use]
    pub fn initial_value(&self) -> usize {
        self.initial
    }

    /// The bound a release must respect.
    #[inline]
    fn max(&self) -> usize {
        self.initial
    }
}

impl Default for BoundedSemaphore {
    /// A semaphore with one permit: Python's `BoundedSemaphore()`.
    fn default() -> Self {
        BoundedSemaphore::new(1)
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("available", &self.available())
            .field("initial_value", &self.initial)
            .finish()
    }
}

/// A permit taken from a [`Semaphore`] or [`BoundedSemaphore`], given back
/// when dropped (Python's leaving `with sem:`), also by a panic.
///
/// The guard is `Send` and `Sync`: a Python semaphore may be released by any
/// thread, and a permit belongs to no thread.
///
/// Dropping it is `release(1)`. If that release is refused (a bounded
/// semaphore already back at its initial value because the permit was
/// released by hand, or an unbounded one at [`Semaphore::MAX_PERMITS`]),
/// the drop changes nothing.
///
/// # Examples
///
/// ```
/// use bobbin_lock::Semaphore;
///
/// let sem = Semaphore::new(1);
/// let permit = sem.acquire();
/// // Given back by another thread.
/// std::thread::scope(|s| {
///     s.spawn(move || drop(permit));
/// });
/// assert_eq!(sem.available(), 1);
/// ```
#[must_use = "if unused the permit will immediately be released"]
#[clippy::has_significant_drop]
pub struct SemaphoreGuard<'a> {
    raw: &'a RawSemaphore,
    /// The semaphore's bound: its initial value, or `MAX_PERMITS`.
    max: usize,
}

impl SemaphoreGuard<'_> {
    /// Keeps the permit taken: Python's `acquire()` without `release()`.
    /// Give it back later with the semaphore's `release(1)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::{Semaphore, SemaphoreGuard};
    ///
    /// let sem = Semaphore::new(2);
    /// SemaphoreGuard::forget(sem.acquire());
    /// assert_eq!(sem.available(), 1);
    /// sem.release(1).unwrap();
    /// assert_eq!(sem.available(), 2);
    /// ```
    #[inline]
    pub fn forget(guard: Self) {
        let _ = ManuallyDrop::new(guard);
    }
}

impl Drop for SemaphoreGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        // Refused only if the permit was already given back by hand (see the
        // type's docs); there is nothing to undo.
        let _ = self.raw.release(1, self.max, ReleaseError::TooManyReleases);
    }
}

impl fmt::Debug for SemaphoreGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphoreGuard").finish_non_exhaustive()
    }
}

impl fmt::Debug for RawSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawSemaphore")
            .field("available", &self.available())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{parked_on, wait_until_parked};

    #[test]
    fn waiters_are_served_in_arrival_order() {
        let sem = Semaphore::new(0);
        let order = crate::Lock::new(Vec::new());
        std::thread::scope(|s| {
            for i in 0..3 {
                // Each waiter parks before the next starts, so the queue
                // order is 0, 1, 2.
                let (sem, order) = (&sem, &order);
                s.spawn(move || {
                    SemaphoreGuard::forget(sem.acquire());
                    order.acquire().push(i);
                });
                wait_until_parked(&sem.raw.state, i + 1);
            }
            // One permit at a time, each after the previous waiter has
            // recorded itself: every release serves the oldest waiter.
            for served in 1..=3 {
                sem.release(1).unwrap();
                let start = Instant::now();
                while order.acquire().len() != served {
                    assert!(start.elapsed() < Duration::from_secs(10));
                    bobbin_park::thread::yield_now();
                }
            }
        });
        assert_eq!(*order.acquire(), [0, 1, 2]);
        assert_eq!(sem.available(), 0);
    }

    #[test]
    fn a_newcomer_does_not_take_a_permit_from_a_waiter() {
        let sem = Semaphore::new(0);
        std::thread::scope(|s| {
            let waiter = s.spawn(|| SemaphoreGuard::forget(sem.acquire()));
            wait_until_parked(&sem.raw.state, 1);
            sem.release(1).unwrap();
            // The permit went to the waiter, never to the count.
            assert!(sem.try_acquire().is_none());
            waiter.join().unwrap();
        });
        assert_eq!(sem.available(), 0);
    }

    #[test]
    fn release_n_serves_n_waiters_and_keeps_the_rest() {
        let sem = Semaphore::new(0);
        std::thread::scope(|s| {
            for i in 0..3 {
                s.spawn(|| SemaphoreGuard::forget(sem.acquire()));
                wait_until_parked(&sem.raw.state, i + 1);
            }
            sem.release(5).unwrap();
            wait_until_parked(&sem.raw.state, 0);
        });
        assert_eq!(sem.available(), 2);
        assert_eq!(sem.raw.state.load(Ordering::Relaxed) & PARKED, 0);
    }

    #[test]
    fn a_timed_out_waiter_leaves_a_clean_word() {
        let sem = Semaphore::new(0);
        assert!(sem.acquire_timeout(Duration::from_millis(5)).is_none());
        assert_eq!(sem.raw.state.load(Ordering::Relaxed), 0);
        assert_eq!(parked_on(&sem.raw.state), 0);
    }

    #[test]
    fn slow_release_refuses_an_overflow_left_by_a_stale_flag() {
        // PARKED with no one parked (a waiter that gave up between its mark
        // and its park) and a full count: the release takes the slow path
        // and refuses, clearing the stale flag.
        let sem = BoundedSemaphore::new(1);
        sem.raw.state.store(ONE | PARKED, Ordering::Relaxed);
        assert_eq!(sem.release(1), Err(ReleaseError::TooManyReleases));
        assert_eq!(sem.raw.state.load(Ordering::Relaxed), ONE);
    }
}
