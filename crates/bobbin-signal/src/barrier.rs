//! [`Barrier`]: Python's `threading.Barrier`, a generation counter in one
//! state word on the parking lot.
//!
//! The algorithm: a barrier is a sequence of *generations*. The state word
//! holds the current generation's number, how many parties have arrived in
//! it, whether its last party is running the action ("tripping"), and
//! whether the barrier is broken (and why). A party that is not the last
//! counts itself in and parks on the word's address in one step, inside the
//! parking lot's `validate` callback; the last party marks the generation
//! tripping the same way, runs the action, and ends the generation by waking
//! its parked parties with an unpark token that says "released" or "broken"
//! (as peers.md §3d sketches after Java's `CyclicBarrier`).
//!
//! Every write to the state word happens with the word's parking queue
//! locked (in a `validate`, `timed_out` or unpark callback), and every
//! change that ends a generation (its release, a reset, an abort) wakes its
//! parked parties in the same locked step. So a party is counted exactly
//! while it is parked, a wake-up always names the generation it ends, and a
//! fast thread that re-enters the next generation cannot take or spoil the
//! previous generation's wake-up: it parks in a new generation, after the
//! old one's parties have been dequeued. A party whose timeout fires breaks
//! the barrier in its `timed_out` callback, in the same locked step that
//! removes it from the queue, so no half-counted generation is ever left
//! behind (the bug of tokio#8370).

use crate::error::{BrokenBarrierError, BrokenReason};
use bobbin_park::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use bobbin_park::{
    DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, Deadline, FilterOp, ParkResult, ParkToken,
    UnparkToken,
};
use core::cell::Cell;
use core::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// Bits of the state word that count the arrived parties: half the word.
const COUNT_BITS: u32 = usize::BITS / 2;

/// The arrived parties of the current generation.
const COUNT_MASK: usize = (1 << COUNT_BITS) - 1;

/// The last party has arrived and is running the action: the generation is
/// full, later arrivals wait for the next one.
const TRIPPING: usize = 1 << COUNT_BITS;

/// Where the two-bit broken code sits: 0 when the barrier works, else one of
/// [`ABORTED`], [`TIMED_OUT`], [`PANICKED`].
const BROKEN_SHIFT: u32 = COUNT_BITS + 1;
const BROKEN_MASK: usize = 0b11 << BROKEN_SHIFT;
const ABORTED: usize = 1;
const TIMED_OUT: usize = 2;
const PANICKED: usize = 3;

/// Where the two-bit pending code sits: an `abort` ([`PENDING_ABORT`]) or a
/// `reset` ([`PENDING_RESET`]) requested while the generation was tripping,
/// applied when the trip ends.
const PENDING_SHIFT: u32 = COUNT_BITS + 3;
const PENDING_MASK: usize = 0b11 << PENDING_SHIFT;
const PENDING_ABORT: usize = 1;
const PENDING_RESET: usize = 2;

/// The generation number fills the rest of the word, counting in steps of
/// `GEN_ONE` and wrapping.
const GEN_SHIFT: u32 = COUNT_BITS + 5;
const GEN_ONE: usize = 1 << GEN_SHIFT;
const GEN_MASK: usize = !(GEN_ONE - 1);

/// The park token's low bit: the thread waits to *enter* the barrier (its
/// generation was tripping when it came), so it is not counted. The rest of
/// a park token is the waiter's generation.
const ENTRANT: usize = 1;

/// Unpark tokens: the generation was released, or broken for a reason.
const RELEASED: UnparkToken = UnparkToken(1);

/// A snapshot of the state word.
#[derive(Copy, Clone, PartialEq, Eq)]
struct State(usize);

impl State {
    fn count(self) -> usize {
        self.0 & COUNT_MASK
    }

    fn generation(self) -> usize {
        self.0 & GEN_MASK
    }

    fn tripping(self) -> bool {
        self.0 & TRIPPING != 0
    }

    fn broken(self) -> Option<BrokenReason> {
        match (self.0 & BROKEN_MASK) >> BROKEN_SHIFT {
            ABORTED => Some(BrokenReason::Aborted),
            TIMED_OUT => Some(BrokenReason::TimedOut),
            PANICKED => Some(BrokenReason::ActionPanicked),
            _ => None,
        }
    }

    fn pending(self) -> usize {
        (self.0 & PENDING_MASK) >> PENDING_SHIFT
    }

    /// A fresh generation after this one: nobody arrived, not broken.
    fn next_generation(self) -> State {
        State(self.generation().wrapping_add(GEN_ONE) & GEN_MASK)
    }

    /// This generation, broken with `code` and emptied.
    fn broken_with(self, code: usize) -> State {
        State(self.generation() | (code << BROKEN_SHIFT))
    }

    /// This state with a request to apply when the trip ends.
    fn with_pending(self, code: usize) -> State {
        State((self.0 & !PENDING_MASK) | (code << PENDING_SHIFT))
    }
}

fn broken_token(reason: BrokenReason) -> UnparkToken {
    UnparkToken(match reason {
        BrokenReason::Aborted => 2,
        BrokenReason::Reset => 3,
        BrokenReason::TimedOut => 4,
        BrokenReason::ActionPanicked => 5,
    })
}

/// What a woken party's token says: `Ok(())` if its generation was released.
fn decode(token: UnparkToken) -> Result<(), BrokenReason> {
    match token.0 {
        1 => Ok(()),
        2 => Err(BrokenReason::Aborted),
        3 => Err(BrokenReason::Reset),
        4 => Err(BrokenReason::TimedOut),
        _ => Err(BrokenReason::ActionPanicked),
    }
}

/// What a party's attempt to arrive found, recorded by its callbacks.
#[derive(Copy, Clone)]
enum Arrival {
    /// The state changed since the party looked: look again.
    Retry,
    /// Counted in (its index is recorded beside), and parked.
    Waiting,
    /// The last party: the generation is now tripping.
    Last,
    /// Timed out and broke the barrier: the others must be woken.
    BrokeIt,
    /// Timed out, but the barrier was already broken.
    Broken(BrokenReason),
    /// Timed out while the generation was tripping: still counted, waits for
    /// the trip's outcome.
    Late,
}

/// A rendezvous for a fixed number of threads: Python's `threading.Barrier`.
///
/// Each of the [`parties`](Barrier::parties) threads calls
/// [`wait`](Barrier::wait); all block until the last one arrives, and then
/// all are released together. The barrier is then ready for the next round
/// (a *generation*), as often as needed. Each call returns an index in
/// `0..parties`, distinct within a generation: the order of arrival, with
/// `parties - 1` for the last party, which is the one that runs the
/// [action](Barrier::with_action) (if any) before the others are released.
///
/// A barrier *breaks* when a wait times out before every party arrived, when
/// the action panics, or when [`abort`](Barrier::abort) is called: every
/// waiting thread, and every later call, then fails with
/// [`BrokenBarrierError`] until [`reset`](Barrier::reset). A `reset` also
/// fails the threads waiting at that moment (with
/// [`BrokenReason::Reset`]) and leaves the barrier ready at once.
///
/// The barrier's own state is one word (parties, default timeout and action
/// sit beside it); no call reaches the parking lot except to park a waiting
/// party or to wake parked ones.
///
/// # Differences from Python
///
/// - `Barrier(parties, action, timeout)` is
///   `Barrier::new(parties).with_action(action).with_timeout(timeout)`.
/// - Python's `wait(timeout=None)` is `wait()` (the default timeout, if
///   any), `wait_timeout(Duration)` and `wait_until(Instant)`. A timeout too
///   large to represent means forever, never an `OverflowError`.
/// - The error says why the barrier broke ([`BrokenBarrierError::reason`]);
///   Python's exception does not.
/// - An action that panics breaks the barrier and the panic continues in the
///   thread that ran it, as the exception does in Python.
/// - Python admits new arrivals only after every thread of the previous
///   generation has left the barrier ("draining"); here a released thread
///   can enter the next generation at once, and only arrivals while the
///   action runs wait for it to end. A timeout counts from the call (it is
///   one deadline), so such a wait for the action uses part of it; Python
///   starts its timeout after that wait.
/// - `reset` or `abort` called while the last party runs the action take
///   effect when the action ends: the generation passes (or breaks, if the
///   action panics) and then the barrier is reset or aborted. In Python they
///   block until the action ends and then race with the released threads.
/// - A wait whose timeout expires while the action runs is part of the
///   generation that is passing: it returns that generation's outcome, as
///   in Python and Java (where such a thread cannot leave before the action
///   ends either).
/// - The `broken` property is [`is_broken`](Barrier::is_broken).
///
/// # Memory ordering
///
/// Everything each party did before its `wait` happens before the action
/// runs, and before every party's `wait` of the same generation returns;
/// what the action did happens before every party's `wait` returns.
///
/// # Examples
///
/// Three threads work in lock step; the last to arrive each round runs the
/// action:
///
/// ```
/// use bobbin_signal::Barrier;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let rounds = Arc::new(AtomicUsize::new(0));
/// let barrier = {
///     let rounds = Arc::clone(&rounds);
///     Barrier::new(3).with_action(move || {
///         rounds.fetch_add(1, Ordering::Relaxed);
///     })
/// };
/// std::thread::scope(|s| {
///     for _ in 0..3 {
///         s.spawn(|| {
///             for _ in 0..10 {
///                 let index = barrier.wait().unwrap();
///                 assert!(index < 3);
///             }
///         });
///     }
/// });
/// assert_eq!(rounds.load(Ordering::Relaxed), 10);
/// ```
#[doc(alias = "threading.Barrier")]
pub struct Barrier {
    /// The current generation, its arrivals, and the broken, tripping and
    /// pending codes (see the constants).
    ///
    /// # Invariants
    ///
    /// - Written only with this word's parking queue locked (in a park's
    ///   `validate` or `timed_out`, or an `unpark_filter` callback), so a
    ///   state read inside such a callback stays put until the callback
    ///   returns.
    /// - While the barrier works and is not tripping, `count` is the number
    ///   of parties parked in the current generation: a party counts itself
    ///   in the `validate` that queues it, and one that times out either
    ///   breaks the barrier or (while tripping) is counted out and in again.
    /// - Every change that ends a generation (the trip's end, a reset, an
    ///   abort) wakes every thread parked in it, in the same locked step; a
    ///   trip ends only when `count == parties`, that is when no party of
    ///   the generation is between a time-out and parking again.
    state: AtomicUsize,
    /// Where the last party parks when its trip cannot end yet because a
    /// party timed out during the action and has not parked again (a
    /// parking key only: its value is never used). That party wakes it once
    /// it has.
    trip_wait: AtomicU8,
    /// The number of threads that must call `wait` to pass.
    parties: usize,
    /// The timeout of `wait()`, `None` for none.
    timeout: Option<Duration>,
    /// Run by the last party of each generation before the others go.
    action: Option<Box<dyn Fn() + Send + Sync>>,
}

impl Barrier {
    /// The largest number of parties a barrier can have: half the bits of a
    /// `usize` count the arrivals (65,535 on 32-bit targets, over four
    /// billion on 64-bit ones).
    pub const MAX_PARTIES: usize = COUNT_MASK;

    bobbin_park::const_fn! {
        /// A barrier for `parties` threads, with no action and no default
        /// timeout.
        ///
        /// `const`, so a barrier without an action can be a `static` (except
        /// under `--cfg bobbin_loom`).
        ///
        /// # Panics
        ///
        /// Panics if `parties` is zero (Python raises `ValueError`), or above
        /// [`Barrier::MAX_PARTIES`].
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_signal::Barrier;
        ///
        /// let barrier = Barrier::new(1);
        /// assert_eq!(barrier.parties(), 1);
        /// // One party: every wait passes at once.
        /// assert_eq!(barrier.wait(), Ok(0));
        /// ```
        ///
        /// ```should_panic
        /// let _ = bobbin_signal::Barrier::new(0);
        /// ```
        #[must_use]
        #[track_caller]
        pub const fn new(parties: usize) -> Barrier {
            assert!(parties != 0, "a barrier needs at least one party");
            assert!(
                parties <= Barrier::MAX_PARTIES,
                "too many parties for a barrier (see Barrier::MAX_PARTIES)"
            );
            Barrier {
                state: AtomicUsize::new(0),
                trip_wait: AtomicU8::new(0),
                parties,
                timeout: None,
                action: None,
            }
        }
    }

    /// Gives the barrier an action: run once per generation, by the last
    /// party to arrive, after every party has arrived and before any is
    /// released (Python's `action` argument). Replaces an earlier action.
    ///
    /// If the action panics, the barrier breaks: the other parties get
    /// [`BrokenBarrierError`] with [`BrokenReason::ActionPanicked`], and the
    /// panic continues in the thread that ran the action.
    ///
    /// The action must not wait on this barrier (it would wait for itself
    /// forever, as in Python); it may call [`abort`](Barrier::abort) or
    /// [`reset`](Barrier::reset), which then apply as the generation ends.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Barrier;
    ///
    /// let barrier = Barrier::new(2).with_action(|| println!("both arrived"));
    /// std::thread::scope(|s| {
    ///     s.spawn(|| barrier.wait().unwrap());
    ///     barrier.wait().unwrap();
    /// });
    /// ```
    #[must_use]
    pub fn with_action(mut self, action: impl Fn() + Send + Sync + 'static) -> Barrier {
        self.action = Some(Box::new(action));
        self
    }

    /// Gives the barrier a default timeout, the one [`wait`](Barrier::wait)
    /// uses (Python's `timeout` argument). `Duration::MAX` means none.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Barrier;
    /// use std::time::Duration;
    ///
    /// let barrier = Barrier::new(2).with_timeout(Duration::from_millis(10));
    /// // The other party never comes: the wait times out and breaks it.
    /// assert!(barrier.wait().is_err());
    /// assert!(barrier.is_broken());
    /// ```
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Barrier {
        self.timeout = Some(timeout);
        self
    }

    /// The number of threads that must call `wait` for the barrier to pass.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(bobbin_signal::Barrier::new(4).parties(), 4);
    /// ```
    #[must_use]
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// The number of threads waiting in the current generation (0 while
    /// the barrier is broken). A snapshot, as in Python: it may be stale by
    /// the time it is read.
    ///
    /// While the last party runs the action, every party counts as waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Barrier;
    ///
    /// let barrier = Barrier::new(2);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| barrier.wait().unwrap());
    ///     while barrier.n_waiting() < 1 {
    ///         std::thread::yield_now();
    ///     }
    ///     assert_eq!(barrier.wait(), Ok(1));
    /// });
    /// assert_eq!(barrier.n_waiting(), 0);
    /// ```
    #[must_use]
    pub fn n_waiting(&self) -> usize {
        let state = State(self.state.load(Ordering::Acquire));
        if state.broken().is_some() {
            0
        } else {
            state.count()
        }
    }

    /// Whether the barrier is broken: by a wait that timed out, an action
    /// that panicked, or [`abort`](Barrier::abort). A broken barrier stays
    /// broken until [`reset`](Barrier::reset).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Barrier;
    ///
    /// let barrier = Barrier::new(2);
    /// assert!(!barrier.is_broken());
    /// barrier.abort();
    /// assert!(barrier.is_broken());
    /// barrier.reset();
    /// assert!(!barrier.is_broken());
    /// ```
    #[doc(alias = "broken")]
    #[must_use]
    pub fn is_broken(&self) -> bool {
        State(self.state.load(Ordering::Acquire)).broken().is_some()
    }

    /// Waits until every party has called `wait` (with the barrier's default
    /// timeout, if it has one), and returns this thread's arrival index in
    /// `0..parties`.
    ///
    /// The indices of one generation are distinct: the first to arrive gets
    /// 0 and the last, which runs the action, `parties - 1`.
    ///
    /// # Errors
    ///
    /// [`BrokenBarrierError`] if the barrier is broken when this thread
    /// arrives or while it waits (see [`BrokenReason`]), if it is reset while
    /// this thread waits, or if the default timeout passes first (which
    /// breaks the barrier for everyone).
    ///
    /// # Panics
    ///
    /// Resumes the action's panic in the thread that ran it (the last to
    /// arrive).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Barrier;
    ///
    /// let barrier = Barrier::new(2);
    /// let (a, b) = std::thread::scope(|s| {
    ///     let other = s.spawn(|| barrier.wait().unwrap());
    ///     let mine = barrier.wait().unwrap();
    ///     (mine, other.join().unwrap())
    /// });
    /// assert_eq!(a + b, 1); // 0 and 1, in some order
    /// ```
    #[inline]
    pub fn wait(&self) -> Result<usize, BrokenBarrierError> {
        self.wait_slow(Deadline::from_timeout(self.timeout))
    }

    /// Waits as [`wait`](Barrier::wait) does, but gives up after `timeout`
    /// instead of the default timeout, breaking the barrier.
    ///
    /// A zero timeout passes only if this thread is the last to arrive; a
    /// timeout too large to represent (`Duration::MAX`) waits forever. The
    /// timeout is the earliest moment of failure, never the latest.
    ///
    /// # Errors
    ///
    /// As [`wait`](Barrier::wait), with this timeout.
    ///
    /// # Panics
    ///
    /// Resumes the action's panic in the thread that ran it.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::{Barrier, BrokenReason};
    /// use std::time::Duration;
    ///
    /// let barrier = Barrier::new(2);
    /// let err = barrier.wait_timeout(Duration::from_millis(10)).unwrap_err();
    /// assert_eq!(err.reason(), BrokenReason::TimedOut);
    /// ```
    #[doc(alias = "wait")]
    #[inline]
    pub fn wait_timeout(&self, timeout: Duration) -> Result<usize, BrokenBarrierError> {
        self.wait_slow(Deadline::after(timeout))
    }

    /// Waits as [`wait`](Barrier::wait) does, but gives up at `deadline`
    /// instead of after the default timeout, breaking the barrier.
    ///
    /// # Errors
    ///
    /// As [`wait`](Barrier::wait), with this deadline.
    ///
    /// # Panics
    ///
    /// Resumes the action's panic in the thread that ran it.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Barrier;
    /// use std::time::{Duration, Instant};
    ///
    /// let barrier = Barrier::new(2);
    /// let deadline = Instant::now() + Duration::from_millis(10);
    /// assert!(barrier.wait_until(deadline).is_err());
    /// assert!(Instant::now() >= deadline);
    /// ```
    #[doc(alias = "wait")]
    #[inline]
    pub fn wait_until(&self, deadline: Instant) -> Result<usize, BrokenBarrierError> {
        self.wait_slow(Deadline::at(deadline))
    }

    /// Resets the barrier: threads waiting in it now fail with
    /// [`BrokenReason::Reset`], and the barrier is ready for a new
    /// generation at once (no longer broken, if it was).
    ///
    /// Called while the last party runs the action, the reset applies when
    /// the action ends: that generation passes (or breaks, if the action
    /// panics), and then the barrier is reset.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::{Barrier, BrokenReason};
    ///
    /// let barrier = Barrier::new(2);
    /// std::thread::scope(|s| {
    ///     let waiter = s.spawn(|| barrier.wait());
    ///     while barrier.n_waiting() < 1 {
    ///         std::thread::yield_now();
    ///     }
    ///     barrier.reset();
    ///     assert_eq!(waiter.join().unwrap().unwrap_err().reason(), BrokenReason::Reset);
    /// });
    /// assert!(!barrier.is_broken());
    /// ```
    pub fn reset(&self) {
        self.end_generation(PENDING_RESET, BrokenReason::Reset, |state| {
            state.next_generation()
        });
    }

    /// Breaks the barrier: threads waiting in it now, and every later call to
    /// `wait`, fail with [`BrokenReason::Aborted`] until
    /// [`reset`](Barrier::reset). Useful when one party cannot go on, so that
    /// the others do not wait forever.
    ///
    /// Called while the last party runs the action, the abort applies when
    /// the action ends: that generation passes, and then the barrier is
    /// broken.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::{Barrier, BrokenReason};
    ///
    /// let barrier = Barrier::new(3);
    /// barrier.abort();
    /// assert!(barrier.is_broken());
    /// assert_eq!(barrier.wait().unwrap_err().reason(), BrokenReason::Aborted);
    /// ```
    pub fn abort(&self) {
        self.end_generation(PENDING_ABORT, BrokenReason::Aborted, |state| {
            state.broken_with(ABORTED)
        });
    }

    /// Reset and abort: wakes every parked party with `reason` and moves the
    /// state on with `next`, in one locked step, or (while tripping) leaves
    /// `pending` for the end of the trip.
    fn end_generation(&self, pending: usize, reason: BrokenReason, next: fn(State) -> State) {
        bobbin_park::unpark_filter(
            &self.state,
            |_| {
                // The state cannot change while the queue is locked.
                if State(self.state.load(Ordering::Acquire)).tripping() {
                    FilterOp::Stop
                } else {
                    FilterOp::Unpark
                }
            },
            |_| {
                let state = State(self.state.load(Ordering::Acquire));
                let new = if state.tripping() {
                    state.with_pending(pending)
                } else {
                    next(state)
                };
                self.state.store(new.0, Ordering::Release);
                broken_token(reason)
            },
        );
    }

    /// The one core of `wait`, `wait_timeout` and `wait_until`.
    fn wait_slow(&self, deadline: Deadline) -> Result<usize, BrokenBarrierError> {
        loop {
            let state = State(self.state.load(Ordering::Acquire));
            if let Some(reason) = state.broken() {
                return Err(reason.into());
            }
            let generation = state.generation();
            if state.tripping() {
                // The generation is full and its action runs: wait for the
                // next one (untimed, as Python's `_enter` is: the action is
                // the only thing to wait for).
                self.wait_to_enter(generation);
                continue;
            }
            let arrival = Cell::new(Arrival::Retry);
            let index = Cell::new(0);
            let result = bobbin_park::park(
                &self.state,
                || {
                    // With the queue locked: count this party in and park,
                    // unless the state moved since we looked.
                    let state = State(self.state.load(Ordering::Acquire));
                    if state.generation() != generation
                        || state.tripping()
                        || state.broken().is_some()
                    {
                        return false;
                    }
                    index.set(state.count());
                    if state.count() + 1 == self.parties {
                        // The last party: the generation is full.
                        self.state
                            .store((state.0 + 1) | TRIPPING, Ordering::Release);
                        arrival.set(Arrival::Last);
                        false
                    } else {
                        self.state.store(state.0 + 1, Ordering::Release);
                        arrival.set(Arrival::Waiting);
                        true
                    }
                },
                || {},
                |_, _| {
                    // Timed out, with the queue locked and this party just
                    // removed from it. It is still counted in its
                    // generation, which cannot have ended (that would have
                    // woken it), so exactly one of these holds.
                    let state = State(self.state.load(Ordering::Acquire));
                    if let Some(reason) = state.broken() {
                        arrival.set(Arrival::Broken(reason));
                    } else if state.tripping() {
                        // Every party has arrived and the action runs: this
                        // one belongs to the passing generation. Count it out
                        // until it parks again, so the trip waits for it.
                        self.state.store(state.0 - 1, Ordering::Release);
                        arrival.set(Arrival::Late);
                    } else {
                        // Python's rule: a wait that times out breaks the
                        // barrier, here in the step that dequeues this party,
                        // so no half-counted generation survives it.
                        self.state
                            .store(state.broken_with(TIMED_OUT).0, Ordering::Release);
                        arrival.set(Arrival::BrokeIt);
                    }
                },
                ParkToken(generation),
                deadline,
            );
            return match (result, arrival.get()) {
                (ParkResult::Unparked(token), _) => {
                    decode(token).map(|()| index.get()).map_err(Into::into)
                }
                (ParkResult::Invalid, Arrival::Last) => self.trip(generation),
                (ParkResult::Invalid, _) => continue,
                (ParkResult::TimedOut, Arrival::Late) => {
                    self.wait_late(generation).map(|()| index.get())
                }
                (ParkResult::TimedOut, Arrival::BrokeIt) => {
                    self.wake_broken(generation);
                    Err(BrokenReason::TimedOut.into())
                }
                (ParkResult::TimedOut, Arrival::Broken(reason)) => Err(reason.into()),
                (ParkResult::TimedOut, _) => {
                    unreachable!("a timed-out barrier party always records what it found")
                }
            };
        }
    }

    /// Waits, uncounted, until the tripping generation `generation` ends.
    fn wait_to_enter(&self, generation: usize) {
        // Whatever ends the wait (the trip's end, or the state having moved
        // on before we parked), the caller looks at the state again.
        bobbin_park::park(
            &self.state,
            || {
                let state = State(self.state.load(Ordering::Acquire));
                state.generation() == generation && state.tripping()
            },
            || {},
            |_, _| {},
            ParkToken(generation | ENTRANT),
            Deadline::never(),
        );
    }

    /// A party whose deadline passed while its generation was tripping:
    /// counted out in its `timed_out`, it counts itself in again and parks
    /// until the trip ends, which it cannot do before (it waits for
    /// `count == parties`). Once queued, it wakes the last party if that
    /// one waits for it.
    fn wait_late(&self, generation: usize) -> Result<(), BrokenBarrierError> {
        let result = bobbin_park::park(
            &self.state,
            || {
                let state = State(self.state.load(Ordering::Acquire));
                if state.generation() == generation && state.tripping() {
                    self.state.store(state.0 + 1, Ordering::Release);
                    true
                } else {
                    false
                }
            },
            || {
                // Queued and counted in again: if that completes the count,
                // the trip can end. The last party checks the count with
                // `trip_wait`'s queue locked before it parks there, and this
                // unpark takes that lock after our count, so it either sees
                // the count or is found here.
                if State(self.state.load(Ordering::Acquire)).count() == self.parties {
                    bobbin_park::unpark_all(&self.trip_wait, DEFAULT_UNPARK_TOKEN);
                }
            },
            |_, _| {},
            ParkToken(generation),
            Deadline::never(),
        );
        match result {
            ParkResult::Unparked(token) => decode(token).map_err(Into::into),
            ParkResult::Invalid | ParkResult::TimedOut => {
                unreachable!("a barrier's trip ended while one of its parties was counted out")
            }
        }
    }

    /// The last party of `generation`: runs the action, then releases (or,
    /// if the action panicked, breaks) the generation, and resumes the
    /// action's panic.
    fn trip(&self, generation: usize) -> Result<usize, BrokenBarrierError> {
        let panic = self
            .action
            .as_ref()
            .and_then(|action| panic::catch_unwind(AssertUnwindSafe(action)).err());
        self.end_trip(generation, panic.is_none());
        match panic {
            Some(payload) => panic::resume_unwind(payload),
            None => Ok(self.parties - 1),
        }
    }

    /// Ends the tripping `generation`: wakes its parked parties (and the
    /// threads waiting to enter) with its outcome and moves the state on, in
    /// one locked step, once no party of it is between a time-out and
    /// parking again (waiting on `trip_wait` for such a party if needed).
    fn end_trip(&self, generation: usize, released: bool) {
        let token = if released {
            RELEASED
        } else {
            broken_token(BrokenReason::ActionPanicked)
        };
        loop {
            // With the queue locked the state is fixed, so "every party is
            // parked" is decided once per attempt, at the first callback.
            let ready: Cell<Option<bool>> = Cell::new(None);
            let is_ready = || match ready.get() {
                Some(ready) => ready,
                None => {
                    let state = State(self.state.load(Ordering::Acquire));
                    let r = state.count() == self.parties;
                    ready.set(Some(r));
                    r
                }
            };
            bobbin_park::unpark_filter(
                &self.state,
                |ParkToken(waiter)| {
                    if !is_ready() {
                        FilterOp::Stop
                    } else if waiter & GEN_MASK == generation {
                        FilterOp::Unpark
                    } else {
                        FilterOp::Skip
                    }
                },
                |_| {
                    if is_ready() {
                        let state = State(self.state.load(Ordering::Acquire));
                        let ended = if released {
                            state.next_generation()
                        } else {
                            state.broken_with(PANICKED)
                        };
                        let new = match state.pending() {
                            PENDING_ABORT => ended.broken_with(ABORTED),
                            PENDING_RESET => ended.next_generation(),
                            _ => ended,
                        };
                        self.state.store(new.0, Ordering::Release);
                    }
                    token
                },
            );
            if ready.get() == Some(true) {
                return;
            }
            // A party timed out during the action and has not parked again
            // yet (it is a few instructions away): sleep until it has, rather
            // than spin on a thread that may not be running.
            bobbin_park::park(
                &self.trip_wait,
                || State(self.state.load(Ordering::Acquire)).count() != self.parties,
                || {},
                |_, _| {},
                DEFAULT_PARK_TOKEN,
                Deadline::never(),
            );
        }
    }

    /// After this thread's time-out broke `generation`: wakes the parties
    /// still parked in it with the reason the barrier is broken for.
    fn wake_broken(&self, generation: usize) {
        let still_broken = || {
            let state = State(self.state.load(Ordering::Acquire));
            state.generation() == generation && state.broken().is_some()
        };
        bobbin_park::unpark_filter(
            &self.state,
            |ParkToken(waiter)| {
                // A reset or an abort since our time-out woke them already.
                if still_broken() && waiter & GEN_MASK == generation {
                    FilterOp::Unpark
                } else {
                    FilterOp::Skip
                }
            },
            |_| {
                let state = State(self.state.load(Ordering::Acquire));
                broken_token(state.broken().unwrap_or(BrokenReason::TimedOut))
            },
        );
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("n_waiting", &self.n_waiting())
            .field("broken", &self.is_broken())
            .field("timeout", &self.timeout)
            .field("action", &self.action.is_some())
            .finish()
    }
}

#[cfg(all(test, not(bobbin_loom)))]
mod tests {
    use super::*;

    #[test]
    fn the_fields_of_the_state_word_do_not_overlap() {
        let fields = [COUNT_MASK, TRIPPING, BROKEN_MASK, PENDING_MASK, GEN_MASK];
        for (i, a) in fields.iter().enumerate() {
            for b in &fields[i + 1..] {
                assert_eq!(a & b, 0);
            }
        }
        assert_eq!(fields.iter().fold(0, |all, f| all | f), usize::MAX);
        assert_eq!(GEN_MASK & ENTRANT, 0);
    }

    #[test]
    fn generations_wrap_around() {
        let last = State(GEN_MASK | 3);
        assert_eq!(last.next_generation().0, 0);
        assert_eq!(State(5).next_generation().generation(), GEN_ONE);
    }

    #[test]
    fn tokens_round_trip() {
        assert_eq!(decode(RELEASED), Ok(()));
        for reason in [
            BrokenReason::Aborted,
            BrokenReason::Reset,
            BrokenReason::TimedOut,
            BrokenReason::ActionPanicked,
        ] {
            assert_eq!(decode(broken_token(reason)), Err(reason));
        }
    }

    #[test]
    fn a_broken_state_reads_back_its_reason() {
        let s = State((GEN_ONE * 7) | 2);
        assert_eq!(s.broken_with(ABORTED).broken(), Some(BrokenReason::Aborted));
        assert_eq!(
            s.broken_with(TIMED_OUT).broken(),
            Some(BrokenReason::TimedOut)
        );
        assert_eq!(
            s.broken_with(PANICKED).broken(),
            Some(BrokenReason::ActionPanicked)
        );
        assert_eq!(s.broken_with(ABORTED).count(), 0);
        assert_eq!(s.broken_with(ABORTED).generation(), s.generation());
        assert_eq!(s.with_pending(PENDING_RESET).pending(), PENDING_RESET);
        assert_eq!(s.with_pending(PENDING_RESET).count(), 2);
    }
}
