//! [`RawLock`]: the one-byte lock under [`Lock`](crate::Lock) and
//! [`RLock`](crate::RLock).
//!
//! The algorithm is parking_lot's `RawMutex` (parking_lot 0.13,
//! `src/raw_mutex.rs`): a compare-and-swap to take a free lock, a short
//! adaptive spin while no one is parked, then parking on the lock word in
//! bobbin-park's parking lot. The fairness rule is CPython 3.14's
//! (`Python/lock.c`, `TIME_TO_BE_FAIR_NS`): a waiter that has been parked for
//! more than a millisecond receives the lock directly from the next release
//! (a *hand-off*), so a thread that re-acquires in a tight loop cannot starve
//! it. parking_lot_core 0.10 no longer offers `be_fair`, so the rule is built
//! here from park tokens and `unpark_filter`.

use crate::{ReleaseError, word};
use bobbin_park::sync::atomic::{AtomicU8, Ordering};
use bobbin_park::{
    DEFAULT_UNPARK_TOKEN, Deadline, FilterOp, LOCK_LOCKED, LOCK_PARKED, ParkResult, SpinWait,
    UnparkToken, WaitKind, WaitLabel, unpark_all, unpark_filter,
};
use core::cell::Cell;
use core::fmt;

/// The token a release passes to the thread it wakes when it leaves the lock
/// free: "woken, take the lock yourself". It is bobbin-park's default token,
/// which is also what a condition variable's notification passes.
pub(crate) const TOKEN_NORMAL: UnparkToken = DEFAULT_UNPARK_TOKEN;

/// The token a release passes when it hands the lock over without unlocking
/// it: "you own the lock now". No code outside this crate can pass it on the
/// lock word, since the lock word never leaves the crate.
pub(crate) const TOKEN_HANDOFF: UnparkToken = UnparkToken(1);

/// How a thread parked in [`Lock::acquire`](crate::Lock::acquire) (or in
/// the raw lock's `lock_api` calls) shows in a hang report.
pub(crate) static LOCK_ACQUIRE: WaitKind = WaitKind::new("Lock.acquire");

/// What taking the lock does to the word: sets `LOCKED` if the lock is free,
/// whether or not threads are parked (barging); `None` while it is held.
#[inline]
fn take_free(state: u8) -> Option<u8> {
    (state & LOCK_LOCKED == 0).then_some(state | LOCK_LOCKED)
}

/// A one-byte lock that any thread may release, with a fair hand-off to
/// waiters that have waited more than a millisecond.
///
/// This is the raw lock under [`Lock`](crate::Lock) and
/// [`RLock`](crate::RLock): it protects no data and has no guard of its own.
/// Use it directly through the [`lock_api`] traits it implements
/// ([`RawMutex`](lock_api::RawMutex), [`RawMutexFair`](lock_api::RawMutexFair),
/// [`RawMutexTimed`](lock_api::RawMutexTimed)), so that `lock_api::Mutex<RawLock, T>`
/// and other code generic over lock_api run on bobbin's lock.
///
/// The uncontended acquire is one compare-and-swap and the release one
/// exchange (with release ordering); neither calls into the parking lot, and
/// a release with no waiter makes no system call.
///
/// # Fairness
///
/// Newcomers may take a lock that has just been released ahead of a thread
/// that was woken for it (barging), which keeps throughput high. A waiter that
/// has been parked for more than about 1 ms is not woken to race: the next
/// release hands it the lock directly, still locked. This is CPython 3.14's
/// rule for its `PyMutex`.
///
/// # Differences from Python
///
/// Python has no raw lock; this is what `threading.Lock` is in CPython 3.14
/// (a one-byte parking mutex).
///
/// # Memory ordering
///
/// Acquiring the lock (including receiving it by hand-off) synchronizes with
/// the release that made it available: everything written before the release
/// is visible after the acquire.
///
/// # Examples
///
/// ```
/// use bobbin_lock::RawLock;
/// use lock_api::{RawMutex, RawMutexTimed};
/// use std::time::Duration;
///
/// let raw = RawLock::new();
/// let guard = raw.lock();
/// assert!(raw.locked());
/// assert!(raw.try_lock_for(Duration::from_millis(1)).is_none());
/// // SAFETY: `guard` is the state of the acquisition made just above.
/// unsafe { raw.unlock(guard) };
/// assert!(!raw.locked());
///
/// // Or as the raw lock of a lock_api mutex.
/// let counter: lock_api::Mutex<RawLock, u32> = lock_api::Mutex::new(0);
/// *counter.lock() += 1;
/// assert_eq!(*counter.lock(), 1);
/// ```
pub struct RawLock {
    /// The lock word: [`LOCK_LOCKED`] and [`LOCK_PARKED`], bobbin-park's
    /// lock-word convention, so that a condition variable's notifications can
    /// move waiters onto this lock's queue. It is also the parking key.
    ///
    /// # State table
    ///
    /// | PARKED | LOCKED | meaning |
    /// |---|---|---|
    /// | 0 | 0 | free, no one waiting (or a release that found `PARKED` is about to wake one) |
    /// | 0 | 1 | held, no one parked |
    /// | 1 | 0 | free, threads parked or about to park; one of them is being woken |
    /// | 1 | 1 | held, threads parked or about to park |
    ///
    /// # Invariants
    ///
    /// - `LOCKED` is set by the thread that acquires (a compare-and-swap) and
    ///   cleared by a release; a hand-off leaves it set, and ownership passes
    ///   to the woken thread.
    /// - `PARKED` is set by a thread about to park (or by a notification that
    ///   moves condition waiters here) and cleared with this key's queue
    ///   locked, in an unpark or time-out callback, when no thread is left in
    ///   the queue; or by a release's exchange of the word for 0, which sees
    ///   the `PARKED` it cleared and then, in its slow path, wakes a waiter
    ///   and restores `PARKED` with the queue locked. So a thread is parked
    ///   here with `PARKED` clear only while a release is committed to
    ///   waking one.
    /// - A release takes its slow path (an `unpark_filter` on this word)
    ///   whenever it finds `PARKED` set.
    /// - The word never leaves this crate, so no other code can forge
    ///   [`TOKEN_HANDOFF`] on it.
    state: AtomicU8,
}

impl RawLock {
    bobbin_park::const_fn! {
        /// A free lock.
        ///
        /// `const` except under `--cfg bobbin_loom`.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_lock::RawLock;
        ///
        /// static RAW: RawLock = RawLock::new();
        /// assert!(!RAW.locked());
        /// ```
        #[inline]
        #[must_use]
        pub const fn new() -> RawLock {
            RawLock {
                state: AtomicU8::new(0),
            }
        }
    }

    /// Whether some thread holds the lock (a snapshot, which may be stale by
    /// the time it is read).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_lock::RawLock;
    /// use lock_api::RawMutex;
    ///
    /// let raw = RawLock::new();
    /// assert!(!raw.locked());
    /// let guard = raw.lock();
    /// assert!(raw.locked());
    /// // SAFETY: `guard` is the state of the acquisition above.
    /// unsafe { raw.unlock(guard) };
    /// ```
    #[doc(alias = "is_locked")]
    #[inline]
    #[must_use]
    pub fn locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) & LOCK_LOCKED != 0
    }

    /// The lock word, for [`WaitGuard`](crate::WaitGuard)'s condition waits.
    /// Crate-private: a word outside the crate could be handed a forged
    /// [`TOKEN_HANDOFF`].
    #[inline]
    pub(crate) fn word(&self) -> &AtomicU8 {
        &self.state
    }

    /// Takes the lock if it is free, without waiting. Fails only if the lock
    /// is held (not spuriously).
    #[inline]
    pub(crate) fn try_lock(&self) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        word::take(&self.state, &mut state, take_free)
    }

    /// Takes the lock, waiting as long as it takes.
    #[inline]
    pub(crate) fn lock(&self) {
        let acquired = self.lock_until(Deadline::never());
        debug_assert!(acquired, "an untimed acquire cannot time out");
    }

    /// Takes the lock, waiting at most until `deadline`; returns whether it
    /// was taken. A deadline that has passed makes this a non-blocking try.
    #[inline]
    pub(crate) fn lock_until(&self, deadline: Deadline) -> bool {
        self.lock_until_as(deadline, &LOCK_ACQUIRE)
    }

    /// [`lock_until`](RawLock::lock_until), naming a park `kind` in hang
    /// reports (an RLock's acquire is not a Lock's). The name reaches only
    /// the slow path.
    #[inline]
    pub(crate) fn lock_until_as(&self, deadline: Deadline, kind: &'static WaitKind) -> bool {
        self.state
            .compare_exchange_weak(0, LOCK_LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
            || self.lock_slow(deadline, kind)
    }

    /// Releases a lock the caller holds, letting newcomers barge unless the
    /// first waiter is due a hand-off.
    ///
    /// One exchange of the word for 0, as std's futex mutex releases: on
    /// x86 an `xchg` costs about 15% less than the `lock cmpxchg` a
    /// compare-and-swap needs (4.4 against 5.2 ns per uncontended
    /// acquire+release here), and the old value it returns says whether
    /// anyone was parked. An exchange that cleared `PARKED` takes the slow
    /// path, which wakes a waiter and sets `PARKED` again if more are
    /// parked, with the queue locked.
    #[inline]
    pub(crate) fn unlock(&self) {
        let before = self.state.swap(0, Ordering::Release);
        if before != LOCK_LOCKED {
            self.unlock_slow_swapped(before);
        }
    }

    /// Releases a lock the caller holds and hands it to the first waiter, if
    /// there is one, whatever its wait so far.
    ///
    /// A compare-and-swap rather than [`unlock`](RawLock::unlock)'s
    /// exchange: the hand-off must keep `LOCKED` set from the holder to the
    /// waiter, so the word may not be free in between.
    #[inline]
    pub(crate) fn unlock_fair(&self) {
        if self
            .state
            .compare_exchange(LOCK_LOCKED, 0, Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            self.unlock_slow(true);
        }
    }

    /// Python's `Lock.release()`: releases the lock whoever holds it, or
    /// fails if it is not held. Both answers come from a successful
    /// compare-and-swap, never from a plain read: an atomic read-modify-write
    /// always sees the latest state, where a load may see an older one (a
    /// thread that learnt of the acquisition through a relaxed flag could
    /// otherwise find the lock "unlocked"). So of two racing releases of one
    /// acquisition exactly one succeeds, and a release of a held lock never
    /// fails.
    pub(crate) fn release(&self) -> Result<(), ReleaseError> {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state == LOCK_LOCKED | LOCK_PARKED {
                return if self.unlock_slow(false) {
                    Ok(())
                } else {
                    Err(ReleaseError::Unlocked)
                };
            }
            // Held with no one parked: release it. Not held: write the same
            // state back, which succeeds only if it is the latest one.
            let locked = state & LOCK_LOCKED != 0;
            let new = if locked { 0 } else { state };
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) if locked => return Ok(()),
                Ok(_) => return Err(ReleaseError::Unlocked),
                Err(current) => state = current,
            }
        }
    }

    /// Frees the lock whoever holds it and wakes every thread parked on
    /// it, handing it to none; returns whether it was held. Python's
    /// `_at_fork_reinit`: in a child process after `fork()` the threads
    /// parked here are the parent's, which the child does not have, and a
    /// release ([`release`](RawLock::release)) could hand the lock to one
    /// of them for good. Waking them takes their records out of the
    /// parking lot. Outside a forked child it is a release that wakes every
    /// waiter to race for the lock.
    pub(crate) fn reset(&self) -> bool {
        // The word first, then the queue: a thread that parks after the
        // exchange has marked the word again itself (it sleeps only on a
        // held, marked word), and one parked before it is in the queue that
        // the unpark empties; in between, as after a release's exchange, the
        // word is unmarked while this call is committed to waking them.
        let before = self.state.swap(0, Ordering::Release);
        unpark_all(&self.state, TOKEN_NORMAL);
        before & LOCK_LOCKED != 0
    }

    #[cold]
    fn lock_slow(&self, deadline: Deadline, kind: &'static WaitKind) -> bool {
        let mut spin = SpinWait::new();
        // The moment this thread becomes due a hand-off: taken when it
        // first parks and kept across re-parks, so a waiter that was woken
        // and lost the race to a barging thread keeps its place in time.
        let mut token = None;
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            // Take the lock if it is free, even if threads are parked: a
            // woken waiter and newcomers race for it (barging).
            if word::take(&self.state, &mut state, take_free) {
                return true;
            }

            // A zero or past deadline makes this a non-blocking try.
            if deadline.has_passed() {
                return false;
            }

            // Spin while no one is parked (the holder may be about to
            // release), then mark the word so the release takes its slow
            // path.
            if !word::spin_or_mark(&self.state, &mut state, LOCK_PARKED, &mut spin) {
                continue;
            }

            let token = *token.get_or_insert_with(fair::due_token);
            // What a hang report says this thread waits for (a condition
            // wait re-taking its lock keeps the condition's name).
            let _label = WaitLabel::unless_labelled(kind);
            // Sleep only while the lock is still held and marked.
            let result = word::park_marked(
                &self.state,
                LOCK_LOCKED | LOCK_PARKED,
                LOCK_PARKED,
                token,
                deadline,
            );
            match result {
                // The releaser kept the lock locked and passed it to us.
                ParkResult::Unparked(TOKEN_HANDOFF) => return true,
                // Woken to race for the free lock, or the lock changed before
                // we slept: try again.
                ParkResult::Unparked(_) | ParkResult::Invalid => {}
                // Final, even if the clock says otherwise (under the model
                // cfg a timed park may time out at any moment).
                ParkResult::TimedOut => return false,
            }
            spin.reset();
            state = self.state.load(Ordering::Relaxed);
        }
    }

    /// The release with `LOCK_PARKED` set: wakes the first parked thread,
    /// handing it the lock if it is due (or if `force_fair`), and returns
    /// whether this call released a held lock. It returns false only when
    /// another thread's [`release`](RawLock::release) got there first, which
    /// only a `Lock<()>` allows.
    #[cold]
    fn unlock_slow(&self, force_fair: bool) -> bool {
        let before = self.wake_first(force_fair, |state, parked, handoff| {
            if state & LOCK_LOCKED == 0 {
                // Someone else released the lock first: we release
                // nothing, but keep PARKED truthful.
                (parked, TOKEN_NORMAL)
            } else if handoff {
                (LOCK_LOCKED | parked, TOKEN_HANDOFF)
            } else {
                (parked, TOKEN_NORMAL)
            }
        });
        before & LOCK_LOCKED != 0
    }

    /// The rest of [`unlock`](RawLock::unlock) when its exchange found
    /// `before`, not a plainly held lock: the word was marked `PARKED` (and
    /// is now free and unmarked), or it was free already (a guard dropped
    /// after [`release`](RawLock::release) released its acquisition by hand).
    ///
    /// With `PARKED` found, this release owes the queue a wake-up: it wakes
    /// the first waiter, handing it the lock if it is due and the lock is
    /// still free, and sets `PARKED` again if others remain, all with the
    /// queue locked. Until then a thread may be parked with `PARKED` clear;
    /// no wake-up is lost, since this call is committed to making one, and a
    /// thread that takes the free lock meanwhile (barging) keeps it.
    #[cold]
    fn unlock_slow_swapped(&self, before: u8) {
        if before & LOCK_PARKED == 0 {
            // Free and unmarked already: the exchange changed nothing.
            return;
        }
        self.wake_first(false, |state, parked, handoff| {
            if handoff && state & LOCK_LOCKED == 0 {
                // Take the free lock again, on the waiter's behalf.
                (LOCK_LOCKED | parked, TOKEN_HANDOFF)
            } else {
                // A barging thread's LOCKED stays; PARKED becomes truthful.
                ((state & LOCK_LOCKED) | parked, TOKEN_NORMAL)
            }
        });
    }

    /// Wakes the first thread parked on the word (if any) and, with the
    /// queue locked, replaces the word by what `next(state, parked,
    /// handoff)` says, with the woken thread's token: `parked` is
    /// `LOCK_PARKED` if threads remain parked (exact, since the queue is
    /// locked) and 0 otherwise, and `handoff` whether a thread was woken
    /// that is due a hand-off (or `force_fair`). Returns the word it
    /// replaced.
    fn wake_first(&self, force_fair: bool, next: impl Fn(u8, u8, bool) -> (u8, UnparkToken)) -> u8 {
        let first = Cell::new(true);
        let handoff = Cell::new(false);
        let replaced = Cell::new(0);
        unpark_filter(
            &self.state,
            |token| {
                // Only the first waiter is woken; it alone may be due.
                if first.replace(false) {
                    handoff.set(force_fair || fair::is_due(token));
                    FilterOp::Unpark
                } else {
                    FilterOp::Stop
                }
            },
            |result| {
                let parked = if result.have_more_threads {
                    LOCK_PARKED
                } else {
                    0
                };
                let handoff = handoff.get() && result.unparked_threads != 0;
                let mut state = self.state.load(Ordering::Relaxed);
                loop {
                    let (new, token) = next(state, parked, handoff);
                    // A loop, not a store: a barging thread may set LOCKED
                    // or a waiter PARKED meanwhile. Acquire as well as
                    // release: a thread that took and released the lock
                    // since our release passes what it wrote on to a
                    // hand-off.
                    match self.state.compare_exchange_weak(
                        state,
                        new,
                        Ordering::AcqRel,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => {
                            replaced.set(state);
                            return token;
                        }
                        Err(current) => state = current,
                    }
                }
            },
        );
        replaced.get()
    }
}

/// The hand-off clock: park tokens carry the moment a waiter becomes due a
/// hand-off, in microseconds since the first use of the clock, wrapping (on a
/// 32-bit target the clock wraps every 71 minutes; the wrapping comparison
/// stays right for waits shorter than half that).
#[cfg(not(bobbin_loom))]
mod fair {
    use bobbin_park::{ParkToken, epoch};
    use std::time::Duration;

    /// How long a waiter is parked before a release hands it the lock:
    /// CPython 3.14's `TIME_TO_BE_FAIR_NS`.
    const FAIR_AFTER: Duration = Duration::from_millis(1);

    #[allow(clippy::cast_possible_truncation)] // Wrapping is intended.
    fn now() -> usize {
        epoch().elapsed().as_micros() as usize
    }

    /// The token of a thread that starts waiting now.
    pub(crate) fn due_token() -> ParkToken {
        #[allow(clippy::cast_possible_truncation)] // A millisecond fits.
        let delay = FAIR_AFTER.as_micros() as usize;
        ParkToken(now().wrapping_add(delay))
    }

    /// Whether the waiter that left `token` is due a hand-off.
    #[allow(clippy::cast_possible_wrap)] // The wrapping difference is signed.
    pub(crate) fn is_due(token: ParkToken) -> bool {
        now().wrapping_sub(token.0) as isize >= 0
    }
}

/// Under the model cfg there is no clock: loom replays each schedule and
/// would see a decision that depends on real time as a divergence. No waiter
/// is ever due; the models exercise the hand-off through
/// [`LockGuard::unlock_fair`](crate::LockGuard::unlock_fair), which forces it.
#[cfg(bobbin_loom)]
mod fair {
    use bobbin_park::{DEFAULT_PARK_TOKEN, ParkToken};

    pub(crate) fn due_token() -> ParkToken {
        DEFAULT_PARK_TOKEN
    }

    pub(crate) fn is_due(_token: ParkToken) -> bool {
        false
    }
}

pub(crate) use fair::due_token;

impl Default for RawLock {
    /// A free lock.
    fn default() -> Self {
        RawLock::new()
    }
}

impl fmt::Debug for RawLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawLock")
            .field("locked", &self.locked())
            .finish()
    }
}

/// lock_api's traits need `const INIT`, which loom's atomics cannot give, so
/// they exist only outside the model cfg.
#[cfg(not(bobbin_loom))]
mod lock_api_impls {
    #![allow(unsafe_code)] // The unsafe trait implementations lock_api requires.

    use super::RawLock;
    use bobbin_park::Deadline;
    use lock_api::GuardSend;
    use std::time::{Duration, Instant};

    // SAFETY: lock_api's `RawMutex` asks that:
    //   * the lock is exclusive, with acquire semantics on locking and release
    //     semantics on unlocking: `LOCK_LOCKED` is set only by a
    //     compare-and-swap from a state without it (`Ordering::Acquire`) or
    //     kept set by a hand-off to exactly one woken thread, and cleared by a
    //     compare-and-swap with `Ordering::Release`;
    //   * guard state represents an acquisition, and forgetting it is safe:
    //     the guard is a stateless `GuardSend`, and a forgotten guard leaves
    //     the lock held, which is safe (only blocking);
    //   * moving or dropping a locked lock is safe: it holds no pointers and
    //     nothing is parked on it while someone holds `&mut` to it;
    //   * a lock operation that unwinds leaves no new acquisition: ours never
    //     unwind (bobbin-park aborts on a panic inside the parking lot, and the
    //     rest is atomics);
    //   * the guard is `Send` because the lock has no owner thread: any thread
    //     may release it.
    unsafe impl lock_api::RawMutex for RawLock {
        #[allow(clippy::declare_interior_mutable_const)] // lock_api's design.
        const INIT: RawLock = RawLock::new();

        type Guard = GuardSend;

        #[inline]
        fn lock(&self) -> GuardSend {
            RawLock::lock(self);
            GuardSend::new()
        }

        #[inline]
        fn try_lock(&self) -> Option<GuardSend> {
            RawLock::try_lock(self).then(GuardSend::new)
        }

        /// # Safety
        ///
        /// As lock_api's `RawMutex::unlock`: `_guard` is the state of an
        /// acquisition of this lock that has not been released yet.
        #[inline]
        unsafe fn unlock(&self, _guard: GuardSend) {
            RawLock::unlock(self);
        }

        #[inline]
        fn is_locked(&self) -> bool {
            self.locked()
        }
    }

    // SAFETY: `unlock_fair` releases exactly the acquisition its guard stands
    // for, as `unlock` does, and either leaves the lock free or hands it,
    // still locked, to exactly one woken thread. `bump` is lock_api's default
    // (`unlock_fair` then `lock`).
    unsafe impl lock_api::RawMutexFair for RawLock {
        /// # Safety
        ///
        /// As lock_api's `RawMutexFair::unlock_fair`: `_guard` is the state
        /// of an acquisition of this lock that has not been released yet.
        #[inline]
        unsafe fn unlock_fair(&self, _guard: GuardSend) {
            RawLock::unlock_fair(self);
        }
    }

    // SAFETY: the timed acquisitions are the same acquisition as `lock`, with
    // a deadline; a failed one returns no guard and never returns before its
    // deadline (parking_lot_core's deadlines are earliest moments of return).
    unsafe impl lock_api::RawMutexTimed for RawLock {
        type Duration = Duration;
        type Instant = Instant;

        #[inline]
        fn try_lock_for(&self, timeout: Duration) -> Option<GuardSend> {
            self.lock_until(Deadline::after(timeout))
                .then(GuardSend::new)
        }

        #[inline]
        fn try_lock_until(&self, timeout: Instant) -> Option<GuardSend> {
            self.lock_until(Deadline::at(timeout)).then(GuardSend::new)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_token_is_due_only_after_the_delay() {
        // Read the clock before taking the token, so a thread descheduled in
        // between cannot make the first check fail: the token is due at
        // least a millisecond (less the clock's microsecond rounding) after
        // `start`.
        let start = std::time::Instant::now();
        let token = due_token();
        if cfg!(bobbin_loom) {
            assert!(!fair::is_due(token));
            return;
        }
        let due_now = fair::is_due(token);
        assert!(!due_now || start.elapsed() >= std::time::Duration::from_micros(998));
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert!(fair::is_due(token));
    }

    #[test]
    fn release_of_a_free_lock_fails_and_changes_nothing() {
        let raw = RawLock::new();
        assert_eq!(raw.release(), Err(ReleaseError::Unlocked));
        assert_eq!(raw.state.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn slow_release_with_no_waiter_clears_the_mark() {
        // PARKED with no parked thread (a waiter that gave up): the release
        // takes its slow path and leaves the word clean.
        let raw = RawLock::new();
        raw.state
            .store(LOCK_LOCKED | LOCK_PARKED, Ordering::Relaxed);
        assert_eq!(raw.release(), Ok(()));
        assert_eq!(raw.state.load(Ordering::Relaxed), 0);
        // A free but marked word: a release finds it unlocked.
        raw.state.store(LOCK_PARKED, Ordering::Relaxed);
        assert_eq!(raw.release(), Err(ReleaseError::Unlocked));
    }

    #[test]
    fn unlock_of_a_marked_word_with_no_waiter_clears_the_mark() {
        // PARKED with no parked thread (a waiter that gave up): the exchange
        // sees the mark and the slow path leaves the word clean.
        let raw = RawLock::new();
        raw.state
            .store(LOCK_LOCKED | LOCK_PARKED, Ordering::Relaxed);
        raw.unlock();
        assert_eq!(raw.state.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn unlock_after_a_release_by_hand_leaves_the_word_consistent() {
        // A guard dropped after `release()` freed its acquisition: the
        // exchange meets a free word, unmarked or marked, and leaves it free
        // with PARKED truthful (no one is parked here).
        let raw = RawLock::new();
        raw.unlock();
        assert_eq!(raw.state.load(Ordering::Relaxed), 0);
        raw.state.store(LOCK_PARKED, Ordering::Relaxed);
        raw.unlock();
        assert_eq!(raw.state.load(Ordering::Relaxed), 0);
        assert!(raw.try_lock());
    }

    #[test]
    fn unlock_slow_of_a_free_word_releases_nothing() {
        let raw = RawLock::new();
        raw.state.store(LOCK_PARKED, Ordering::Relaxed);
        assert!(!raw.unlock_slow(false));
        assert_eq!(raw.state.load(Ordering::Relaxed), 0);
    }
}
