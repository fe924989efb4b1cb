//! The parking API: a safe wrapper over parking_lot_core's `park`,
//! `unpark_one`, `unpark_all`, `unpark_filter` and `unpark_requeue`. The
//! crate docs describe how it works and the callbacks' contract.

use crate::Deadline;

/// A value a parked thread leaves for [`unpark_filter`] to read.
///
/// # Examples
///
/// ```
/// use bobbin_park::ParkToken;
///
/// // A semaphore waiter might leave the number of permits it asks for.
/// let wants = ParkToken(3);
/// assert_eq!(wants.0, 3);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParkToken(pub usize);

/// The park token of a thread that has nothing to say.
pub const DEFAULT_PARK_TOKEN: ParkToken = ParkToken(0);

/// A value a waker passes to the threads it unparks.
///
/// # Examples
///
/// ```
/// use bobbin_park::UnparkToken;
///
/// // A lock might tell the woken thread that it now owns the lock.
/// const HANDOFF: UnparkToken = UnparkToken(1);
/// assert_ne!(HANDOFF, bobbin_park::DEFAULT_UNPARK_TOKEN);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct UnparkToken(pub usize);

/// The unpark token of a waker that has nothing to say.
pub const DEFAULT_UNPARK_TOKEN: UnparkToken = UnparkToken(0);

/// How a [`park`] call ended.
///
/// # Examples
///
/// ```
/// use bobbin_park::{park, Deadline, ParkResult, DEFAULT_PARK_TOKEN};
/// use bobbin_park::sync::atomic::AtomicU8;
///
/// let state = AtomicU8::new(0);
/// // `validate` refuses: the thread never sleeps.
/// let r = park(&state, || false, || {}, |_, _| {}, DEFAULT_PARK_TOKEN, Deadline::never());
/// assert_eq!(r, ParkResult::Invalid);
/// assert!(!r.is_unparked());
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ParkResult {
    /// Woken by an `unpark_*` call, which passed this token.
    Unparked(UnparkToken),
    /// `validate` returned false: the thread did not sleep.
    Invalid,
    /// The deadline passed before any `unpark_*` call woke the thread.
    TimedOut,
}

impl ParkResult {
    /// Whether the thread was woken by an `unpark_*` call.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::{ParkResult, DEFAULT_UNPARK_TOKEN};
    ///
    /// assert!(ParkResult::Unparked(DEFAULT_UNPARK_TOKEN).is_unparked());
    /// assert!(!ParkResult::TimedOut.is_unparked());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_unparked(self) -> bool {
        matches!(self, ParkResult::Unparked(_))
    }
}

/// What an `unpark_*` call did.
///
/// # Examples
///
/// ```
/// use bobbin_park::{unpark_one, DEFAULT_UNPARK_TOKEN};
/// use bobbin_park::sync::atomic::AtomicU8;
///
/// let state = AtomicU8::new(0);
/// let result = unpark_one(&state, |_| DEFAULT_UNPARK_TOKEN);
/// assert_eq!(result.unparked_threads, 0);
/// assert!(!result.have_more_threads);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UnparkResult {
    /// How many threads were woken.
    pub unparked_threads: usize,
    /// How many threads were moved to another key ([`unpark_requeue`] only).
    pub requeued_threads: usize,
    /// Whether threads are still parked on the key afterwards. Exact for
    /// [`unpark_one`]; for [`unpark_filter`] and [`unpark_requeue`] true
    /// whenever a thread was skipped or left behind.
    pub have_more_threads: bool,
}

/// What [`unpark_filter`] does with one parked thread.
///
/// # Examples
///
/// ```
/// use bobbin_park::{FilterOp, ParkToken};
///
/// // Wake the threads that asked for at most two permits, in order.
/// let mut left = 2;
/// let mut filter = |ParkToken(wants)| {
///     if wants <= left { left -= wants; FilterOp::Unpark } else { FilterOp::Stop }
/// };
/// assert_eq!(filter(ParkToken(1)), FilterOp::Unpark);
/// assert_eq!(filter(ParkToken(2)), FilterOp::Stop);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FilterOp {
    /// Wake this thread and go on to the next.
    Unpark,
    /// Leave this thread parked and go on to the next.
    Skip,
    /// Leave this thread and every later one parked.
    Stop,
}

/// What [`unpark_requeue`] does with the threads parked on its first key.
///
/// # Examples
///
/// ```
/// use bobbin_park::RequeueOp;
///
/// // A condition variable's notify_all whose lock is held: move everyone to
/// // the lock's queue, wake no one.
/// let op = RequeueOp::RequeueAll;
/// assert_ne!(op, RequeueOp::Abort);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum RequeueOp {
    /// Do nothing.
    Abort,
    /// Wake the first thread and move the others to the second key.
    UnparkOneRequeueRest,
    /// Move every thread to the second key.
    RequeueAll,
    /// Wake the first thread and leave the others.
    UnparkOne,
    /// Move the first thread to the second key and leave the others.
    RequeueOne,
}

/// The key a timed-out thread was parked on when its deadline passed, which
/// differs from the key it parked on if [`unpark_requeue`] moved it.
///
/// # Examples
///
/// ```
/// use bobbin_park::{park, Deadline, ParkResult, DEFAULT_PARK_TOKEN};
/// use bobbin_park::sync::atomic::AtomicU8;
/// use std::time::Duration;
///
/// let state = AtomicU8::new(0);
/// let mut seen = None;
/// let r = park(
///     &state,
///     || true,
///     || {},
///     |key, was_last| seen = Some((key.is(&state), was_last)),
///     DEFAULT_PARK_TOKEN,
///     Deadline::after(Duration::from_millis(1)),
/// );
/// if r == ParkResult::TimedOut {
///     assert_eq!(seen, Some((true, true)));
/// }
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct WaitKey(usize);

impl WaitKey {
    /// Whether this is the given key.
    ///
    /// # Examples
    ///
    /// See [`WaitKey`].
    #[inline]
    #[must_use]
    pub fn is<K: Key>(self, key: &K) -> bool {
        self.0 == key.addr()
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A state word that threads can park on: one of this crate's atomics.
///
/// The key of a parking queue is the address of the atomic. The trait is
/// sealed, so a key is always a state word of a bobbin-park user, never the
/// address of another library's primitive (which parking_lot_core forbids).
/// One primitive may use several keys (a queue parks its getters and its
/// putters on two different atomics).
///
/// # Examples
///
/// ```
/// use bobbin_park::{unpark_all, DEFAULT_UNPARK_TOKEN};
/// use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize};
///
/// let getters = AtomicBool::new(false);
/// let putters = AtomicUsize::new(0);
/// assert_eq!(unpark_all(&getters, DEFAULT_UNPARK_TOKEN), 0);
/// assert_eq!(unpark_all(&putters, DEFAULT_UNPARK_TOKEN), 0);
/// ```
pub trait Key: sealed::Sealed {
    /// The key's address, which names its queue in the parking lot.
    #[doc(hidden)]
    fn addr(&self) -> usize {
        core::ptr::from_ref(self).cast::<u8>().addr()
    }
}

mod key_impls {
    use super::{Key, sealed};
    use crate::sync::atomic;

    macro_rules! keys {
        ($($ty:ty),* $(,)?) => {$(
            impl sealed::Sealed for $ty {}
            impl Key for $ty {}
        )*};
    }

    keys!(
        atomic::AtomicBool,
        atomic::AtomicU8,
        atomic::AtomicU16,
        atomic::AtomicU32,
        atomic::AtomicU64,
        atomic::AtomicUsize,
        atomic::AtomicI32,
        atomic::AtomicI64,
        atomic::AtomicIsize,
    );

    impl<T> sealed::Sealed for atomic::AtomicPtr<T> {}
    impl<T> Key for atomic::AtomicPtr<T> {}
}

/// Parks the calling thread on `key` until an `unpark_*` call wakes it or
/// `deadline` passes.
///
/// 1. With the key's queue locked, `validate` runs; if it returns false the
///    call returns [`ParkResult::Invalid`] at once. Otherwise the thread joins
///    the tail of the queue, leaving `token` for [`unpark_filter`].
/// 2. The queue is unlocked and `before_sleep` runs (a condition variable
///    releases its lock here, after the waiter is queued).
/// 3. The thread sleeps until woken ([`ParkResult::Unparked`] with the
///    waker's token) or until `deadline` has passed. Then, with its queue
///    locked again, `timed_out` runs with the key the thread was on (see
///    [`WaitKey`]) and whether it was the last thread parked there, and the
///    call returns [`ParkResult::TimedOut`].
///
/// The deadline is the earliest moment of a time-out, never the latest.
/// There are no spurious wake-ups: an `Unparked` result always comes from an
/// `unpark_*` call on this key (or on the key a requeue moved the thread to).
///
/// # Panics
///
/// Never unwinds. A panic in a callback, or a call into the parking lot from
/// `validate`, `before_sleep` or `timed_out`, aborts the process (see the
/// [crate docs](crate#the-callbacks-contract) for the contract).
///
/// # Examples
///
/// A one-shot flag: the waiter sleeps only while the flag is clear, and the
/// setter wakes it.
///
/// ```
/// use bobbin_park::{park, unpark_all, Deadline, ParkResult, DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN};
/// use bobbin_park::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
///
/// let flag = Arc::new(AtomicBool::new(false));
/// let setter = {
///     let flag = Arc::clone(&flag);
///     std::thread::spawn(move || {
///         flag.store(true, Ordering::Release);
///         unpark_all(&*flag, DEFAULT_UNPARK_TOKEN);
///     })
/// };
/// while !flag.load(Ordering::Acquire) {
///     let r = park(
///         &*flag,
///         || !flag.load(Ordering::Relaxed),
///         || {},
///         |_, _| {},
///         DEFAULT_PARK_TOKEN,
///         Deadline::never(),
///     );
///     assert_ne!(r, ParkResult::TimedOut);
/// }
/// setter.join().unwrap();
/// ```
#[inline]
pub fn park<K: Key>(
    key: &K,
    validate: impl FnOnce() -> bool,
    before_sleep: impl FnOnce(),
    timed_out: impl FnOnce(WaitKey, bool),
    token: ParkToken,
    deadline: Deadline,
) -> ParkResult {
    let key = key.addr();
    // The hang report's record: a few relaxed stores, on this slow path only.
    crate::diag::parking(key);
    let result = imp::park(key, validate, before_sleep, timed_out, token, deadline);
    crate::diag::unparked();
    result
}

/// Wakes the first thread parked on `key`, if any.
///
/// `callback` runs with the queue locked, before the thread wakes, and also
/// when no thread was parked; it learns what happened (so it can clear a
/// "parked" bit when the last waiter leaves) and chooses the token the woken
/// thread receives.
///
/// # Panics
///
/// Never unwinds. A panic in `callback`, or a call into the parking lot from
/// it, aborts the process; so does calling `unpark_one` from a `validate`,
/// `timed_out` or unpark callback.
///
/// # Examples
///
/// ```
/// use bobbin_park::{unpark_one, UnparkToken};
/// use bobbin_park::sync::atomic::AtomicU8;
///
/// let state = AtomicU8::new(0);
/// let r = unpark_one(&state, |r| {
///     assert_eq!(r.unparked_threads, 0);
///     UnparkToken(0)
/// });
/// assert_eq!(r.unparked_threads, 0);
/// ```
#[inline]
pub fn unpark_one<K: Key>(
    key: &K,
    callback: impl FnOnce(UnparkResult) -> UnparkToken,
) -> UnparkResult {
    imp::unpark_one(key.addr(), callback)
}

/// Wakes every thread parked on `key`, passing each `token`, and returns how
/// many it woke.
///
/// # Panics
///
/// Never unwinds. Calling it from a `validate`, `timed_out` or unpark
/// callback aborts the process.
///
/// # Examples
///
/// ```
/// use bobbin_park::{unpark_all, DEFAULT_UNPARK_TOKEN};
/// use bobbin_park::sync::atomic::AtomicU8;
///
/// assert_eq!(unpark_all(&AtomicU8::new(0), DEFAULT_UNPARK_TOKEN), 0);
/// ```
#[inline]
pub fn unpark_all<K: Key>(key: &K, token: UnparkToken) -> usize {
    imp::unpark_all(key.addr(), token)
}

/// Walks the threads parked on `key` from the front of the queue and wakes
/// those `filter` picks, reading the [`ParkToken`] each left.
///
/// `callback` then runs with the queue still locked, learns how many threads
/// will wake and whether any remain, and returns the one token every woken
/// thread receives. This is how a lock hands itself to a waiter that has
/// waited too long, and how a semaphore grants permits in FIFO order.
///
/// # Panics
///
/// Never unwinds. A panic in `filter` or `callback`, or a call into the
/// parking lot from either, aborts the process.
///
/// # Examples
///
/// ```
/// use bobbin_park::{unpark_filter, FilterOp, UnparkToken};
/// use bobbin_park::sync::atomic::AtomicUsize;
///
/// let permits = AtomicUsize::new(0);
/// let r = unpark_filter(&permits, |_| FilterOp::Unpark, |_| UnparkToken(0));
/// assert_eq!(r.unparked_threads, 0);
/// ```
#[inline]
pub fn unpark_filter<K: Key>(
    key: &K,
    filter: impl FnMut(ParkToken) -> FilterOp,
    callback: impl FnOnce(UnparkResult) -> UnparkToken,
) -> UnparkResult {
    imp::unpark_filter(key.addr(), filter, callback)
}

/// Moves threads parked on `from` to the queue of `to` without waking them,
/// optionally waking the first one (parking_lot's requeue, which spares a
/// condition variable's `notify_all` a thundering herd).
///
/// `validate` runs with both queues locked and picks the [`RequeueOp`];
/// [`RequeueOp::Abort`] leaves everything as it is and skips `callback`.
/// Otherwise `callback` runs, still with both queues locked, with the chosen
/// operation and what it did (requeued threads are not counted in
/// `have_more_threads`), and returns the token for the thread it wakes.
/// Requeued threads keep their park tokens and join the tail of `to`'s queue
/// in their original order.
///
/// # Panics
///
/// Never unwinds. A panic in `validate` or `callback`, or a call into the
/// parking lot from either, aborts the process.
///
/// # Examples
///
/// ```
/// use bobbin_park::{unpark_requeue, RequeueOp, UnparkToken};
/// use bobbin_park::sync::atomic::{AtomicU8, AtomicUsize};
///
/// let cond = AtomicUsize::new(0);
/// let lock = AtomicU8::new(0);
/// let r = unpark_requeue(&cond, &lock, || RequeueOp::RequeueAll, |_, _| UnparkToken(0));
/// assert_eq!(r.requeued_threads, 0);
/// ```
#[inline]
pub fn unpark_requeue<K1: Key, K2: Key>(
    from: &K1,
    to: &K2,
    validate: impl FnOnce() -> RequeueOp,
    callback: impl FnOnce(RequeueOp, UnparkResult) -> UnparkToken,
) -> UnparkResult {
    imp::unpark_requeue(from.addr(), to.addr(), validate, callback)
}

#[cfg(not(bobbin_loom))]
#[path = "park/plc.rs"]
pub(crate) mod imp;

#[cfg(bobbin_loom)]
#[path = "park/model.rs"]
pub(crate) mod imp;
