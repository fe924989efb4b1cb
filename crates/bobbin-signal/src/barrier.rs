//! [`Barrier`]: Python's `threading.Barrier`, two state words on the parking
//! lot, with parties that spin before they park.
//!
//! The algorithm: a barrier is a sequence of *generations*. The state word
//! holds how many parties have arrived in the current generation, whether
//! its last party is running the action ("tripping"), and whether the
//! barrier is broken (and why). A party that is not the last counts itself
//! in, and then waits *loose*: it spins for a moment on the second word,
//! [`Barrier::loose`], and only then parks on the state word's address. The
//! last party marks the generation tripping, runs the action, and ends the
//! generation: it wakes the parked parties with an unpark token that says
//! "released" or "broken" (as peers.md §3d sketches after Java's
//! `CyclicBarrier`), and leaves the same outcome in the loose word for the
//! parties that have not parked. Two threads meeting at a barrier over and
//! over thus pass without a futex sleep while both have a core, as they do
//! through `Event` (the spin is parking_lot's `SpinWait`, as `Event::wait`
//! uses).
//!
//! The loose word counts the *loose* parties: counted in the current
//! generation but not parked. A generation that ends while some are loose
//! starts *draining*: the loose word keeps their number, a `DRAINING` bit
//! and the generation's outcome, and each loose party, when it sees the bit,
//! takes the outcome and counts itself out; the last one clears the word.
//! Until then new arrivals wait to enter (Python's barrier drains too), so
//! the outcome a loose party reads is always its own generation's: no later
//! generation can end while it is still to be read.
//!
//! Every write to either word happens with the state word's parking queue
//! locked (in a `validate`, `timed_out` or `unpark_filter` callback), and
//! every change that ends a generation (its release, a reset, an abort, a
//! time-out) wakes its parked parties and records the outcome for its loose
//! ones in the same locked step. So a parked party always belongs to the
//! current generation, a wake-up always names the generation it ends, and a
//! fast thread that re-enters the next generation cannot take or spoil the
//! previous generation's outcome. A party whose timeout fires (parked or
//! loose) is loose when it looks, and breaks the barrier in one locked step
//! that wakes the others, so no half-counted generation is ever left behind
//! (the bug of tokio#8370).

use crate::error::{BrokenBarrierError, BrokenReason};
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_park::{
    Deadline, FilterOp, ParkResult, ParkToken, SpinWait, UnparkToken, WaitKind, WaitLabel,
};
use core::cell::Cell;
use core::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// Bits of the state word that count the arrived parties: half the word.
const COUNT_BITS: u32 = usize::BITS / 2;

/// The arrived parties of the current generation (in the state word), or
/// the loose parties (in the loose word).
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

/// In the loose word: the generation of the loose parties has ended, and
/// they have not all taken its outcome yet.
const DRAINING: usize = 1 << COUNT_BITS;

/// In the loose word, while draining: the ended generation's outcome, as the
/// code of the unpark token its parked parties got.
const OUTCOME_SHIFT: u32 = COUNT_BITS + 1;
const OUTCOME_MASK: usize = 0b111 << OUTCOME_SHIFT;

/// The park token of a counted party.
const PARTY: ParkToken = ParkToken(0);

/// The park token of a thread waiting to *enter* the barrier (its
/// generation was tripping or draining when it came): it is not counted, and
/// any wake-up only sends it to look again.
const ENTRANT: ParkToken = ParkToken(1);

/// Unpark tokens: the generation was released, or broken for a reason.
const RELEASED: UnparkToken = UnparkToken(1);

/// How a thread parked in [`Barrier::wait`] shows in a hang report.
static BARRIER_WAIT: WaitKind = WaitKind::new("Barrier.wait");

/// A snapshot of the state word.
#[derive(Copy, Clone, PartialEq, Eq)]
struct State(usize);

impl State {
    fn count(self) -> usize {
        self.0 & COUNT_MASK
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

    /// This state with a request to apply when the trip ends.
    fn with_pending(self, code: usize) -> State {
        State((self.0 & !PENDING_MASK) | (code << PENDING_SHIFT))
    }
}

/// A fresh generation: nobody arrived, not broken.
const READY: State = State(0);

/// An emptied generation, broken with `code`.
fn broken_with(code: usize) -> State {
    State(code << BROKEN_SHIFT)
}

/// A snapshot of the loose word.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Loose(usize);

impl Loose {
    /// The loose parties: of the current generation, or while draining of
    /// the one that ended.
    fn count(self) -> usize {
        self.0 & COUNT_MASK
    }

    fn draining(self) -> bool {
        self.0 & DRAINING != 0
    }

    /// The outcome of the generation that is draining.
    fn outcome(self) -> UnparkToken {
        UnparkToken((self.0 & OUTCOME_MASK) >> OUTCOME_SHIFT)
    }

    /// The current generation ends with `outcome` while these parties are
    /// loose (and `self` is not draining): they drain, if there are any.
    fn ended(self, outcome: UnparkToken) -> Loose {
        debug_assert!(!self.draining());
        if self.count() == 0 {
            Loose(0)
        } else {
            Loose(self.count() | DRAINING | (outcome.0 << OUTCOME_SHIFT))
        }
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
fn decode(token: UnparkToken) -> Result<(), BrokenBarrierError> {
    match token.0 {
        1 => Ok(()),
        2 => Err(BrokenReason::Aborted.into()),
        3 => Err(BrokenReason::Reset.into()),
        4 => Err(BrokenReason::TimedOut.into()),
        _ => Err(BrokenReason::ActionPanicked.into()),
    }
}

/// What a locked step decided: the words to store, whether every thread
/// parked on the barrier wakes (and with which token), and what the caller
/// learns.
#[derive(Copy, Clone)]
struct Step<R> {
    state: State,
    loose: Loose,
    wake: Option<UnparkToken>,
    out: R,
}

/// What an arriving thread found.
#[derive(Copy, Clone)]
enum Arrival {
    /// The barrier is broken.
    Broken(BrokenReason),
    /// The generation is tripping or draining: wait, then arrive again.
    Enter,
    /// Counted in with this index, loose.
    Counted(usize),
    /// The last party, and the barrier has an action: the generation is now
    /// tripping.
    Trip,
    /// The last party of a barrier without an action: the generation has
    /// passed.
    Released,
}

/// What a loose party whose deadline passed found.
#[derive(Copy, Clone)]
enum TimeOut {
    /// Its generation had ended (it has taken the outcome).
    Ended(UnparkToken),
    /// The generation is tripping: the party belongs to it and waits for the
    /// trip's outcome.
    Late,
    /// It broke the barrier.
    BrokeIt,
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
/// The barrier's own state is two words (parties, default timeout and action
/// sit beside them). A waiting party spins for a moment before it parks, so
/// threads that arrive close together pass without sleeping.
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
///   can enter the next generation at once, unless a party of the previous
///   generation that was still spinning (not parked) has not yet seen the
///   release, a matter of nanoseconds while it runs. Arrivals while the
///   action runs wait for it to end. A timeout counts from the call (it is
///   one deadline), so such a wait uses part of it; Python starts its
///   timeout after that wait.
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
    /// The current generation's arrivals, and the broken, tripping and
    /// pending codes (see the constants).
    ///
    /// # Invariants
    ///
    /// - Written, as `loose` is, only with this word's parking queue locked
    ///   (in a park's `validate` or `timed_out`, or an `unpark_filter`
    ///   callback), so both words read inside such a callback stay put until
    ///   it returns.
    /// - While the barrier works and is not tripping, `count` is the number
    ///   of parties of the current generation: parked ones plus loose ones.
    ///   While it is broken or `loose` is draining, it is 0.
    /// - A thread parked on this word is a counted party of the current
    ///   generation (token [`PARTY`]) or a thread waiting to enter
    ///   ([`ENTRANT`]), which is only while tripping or draining. Every
    ///   change that ends a generation (the trip's end, a reset, an abort, a
    ///   time-out that breaks it) wakes every parked thread in the same
    ///   locked step, with the generation's outcome.
    state: AtomicUsize,
    /// The loose parties, counted but not parked: while not draining, of the
    /// current generation; while draining (`DRAINING`), of the generation
    /// that ended, whose outcome sits beside them.
    ///
    /// # Invariants
    ///
    /// - A loose party looks here before it parks and, when it spins, while
    ///   it spins; it leaves loose by parking (counted out with the queue
    ///   locked, only while not draining) or by taking the outcome once
    ///   draining (counted out likewise; the last one clears the word and
    ///   wakes the threads waiting to enter).
    /// - While draining, no party can arrive, so the current generation has
    ///   none and cannot end, and the outcome stays the loose parties' own.
    loose: AtomicUsize,
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
                loose: AtomicUsize::new(0),
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
        self.end_generation(PENDING_RESET, BrokenReason::Reset, READY);
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
        self.end_generation(PENDING_ABORT, BrokenReason::Aborted, broken_with(ABORTED));
    }

    /// Runs `decide` on both words with the state word's queue locked,
    /// stores what it chose, wakes every parked thread if it says so, and
    /// returns what it learned. `decide` runs once: the words cannot change
    /// while the queue is locked, so the filter and the callback share its
    /// answer.
    fn locked_step<R: Copy>(&self, decide: impl Fn(State, Loose) -> Step<R>) -> R {
        let step: Cell<Option<Step<R>>> = Cell::new(None);
        let get = || {
            if let Some(step) = step.get() {
                step
            } else {
                let state = State(self.state.load(Ordering::Acquire));
                let loose = Loose(self.loose.load(Ordering::Acquire));
                let decided = decide(state, loose);
                step.set(Some(decided));
                decided
            }
        };
        bobbin_park::unpark_filter(
            &self.state,
            |_| {
                if get().wake.is_some() {
                    FilterOp::Unpark
                } else {
                    FilterOp::Stop
                }
            },
            |_| {
                let step = get();
                // Store only what changed: a spinning party reads `loose`.
                if step.state.0 != self.state.load(Ordering::Relaxed) {
                    self.state.store(step.state.0, Ordering::Release);
                }
                if step.loose.0 != self.loose.load(Ordering::Relaxed) {
                    self.loose.store(step.loose.0, Ordering::Release);
                }
                step.wake.unwrap_or(RELEASED)
            },
        );
        // The callback always runs, so the step has been decided.
        get().out
    }

    /// Reset and abort: ends the current generation with `reason` and moves
    /// the state to `next`, in one locked step, or (while tripping) leaves
    /// `pending` for the end of the trip.
    fn end_generation(&self, pending: usize, reason: BrokenReason, next: State) {
        self.locked_step(|state, loose| {
            if state.tripping() {
                Step {
                    state: state.with_pending(pending),
                    loose,
                    wake: None,
                    out: (),
                }
            } else if loose.draining() {
                // The current generation has no parties (none can arrive
                // while draining): only the threads waiting to enter wake,
                // to see the new state, as Python's `notify_all` does.
                Step {
                    state: next,
                    loose,
                    wake: Some(broken_token(reason)),
                    out: (),
                }
            } else {
                Step {
                    state: next,
                    loose: loose.ended(broken_token(reason)),
                    wake: Some(broken_token(reason)),
                    out: (),
                }
            }
        });
    }

    /// The one core of `wait`, `wait_timeout` and `wait_until`.
    fn wait_slow(&self, deadline: Deadline) -> Result<usize, BrokenBarrierError> {
        loop {
            match self.arrive() {
                Arrival::Broken(reason) => return Err(reason.into()),
                Arrival::Enter => self.wait_to_enter(),
                Arrival::Counted(index) => return self.wait_loose(deadline).map(|()| index),
                Arrival::Trip => return self.trip(),
                Arrival::Released => return Ok(self.parties - 1),
            }
        }
    }

    /// Arrives in the current generation, in one locked step: counts this
    /// party in (loose), or trips the generation if it is the last.
    fn arrive(&self) -> Arrival {
        let state = State(self.state.load(Ordering::Acquire));
        if let Some(reason) = state.broken() {
            // No lock needed to fail: a broken barrier fails every arrival.
            return Arrival::Broken(reason);
        }
        self.locked_step(|state, loose| {
            let unchanged = |out| Step {
                state,
                loose,
                wake: None,
                out,
            };
            if let Some(reason) = state.broken() {
                return unchanged(Arrival::Broken(reason));
            }
            if state.tripping() || loose.draining() {
                return unchanged(Arrival::Enter);
            }
            let index = state.count();
            if index + 1 < self.parties {
                Step {
                    state: State(state.0 + 1),
                    loose: Loose(loose.0 + 1),
                    wake: None,
                    out: Arrival::Counted(index),
                }
            } else if self.action.is_some() {
                Step {
                    state: State((state.0 + 1) | TRIPPING),
                    loose,
                    wake: None,
                    out: Arrival::Trip,
                }
            } else {
                // Nothing to run between the last arrival and the release:
                // end the generation in this same step.
                Step {
                    state: READY,
                    loose: loose.ended(RELEASED),
                    wake: Some(RELEASED),
                    out: Arrival::Released,
                }
            }
        })
    }

    /// Waits, uncounted, until the barrier neither trips nor drains (or
    /// breaks); the caller then arrives again. Untimed, as Python's `_enter`
    /// is: only an action or a few loose parties are waited for.
    fn wait_to_enter(&self) {
        let must_wait = || {
            let state = State(self.state.load(Ordering::Acquire));
            state.broken().is_none()
                && (state.tripping() || Loose(self.loose.load(Ordering::Acquire)).draining())
        };
        let mut spin = SpinWait::new();
        while must_wait() {
            if !spin.spin() {
                let _label = WaitLabel::unless_labelled(&BARRIER_WAIT);
                bobbin_park::park(
                    &self.state,
                    must_wait,
                    || {},
                    |_, _| {},
                    ENTRANT,
                    Deadline::never(),
                );
                return;
            }
        }
    }

    /// A counted, loose party: spins, then parks, until its generation ends
    /// or its deadline passes.
    fn wait_loose(&self, mut deadline: Deadline) -> Result<(), BrokenBarrierError> {
        // The last party usually comes within microseconds when the parties
        // run in lock step, far sooner than a futex sleep and wake-up (tens
        // of microseconds here), so spin a little first, as `Event::wait`
        // does, with guarded yields (a yield beside a busy thread costs a
        // slice). The spin only reads the loose word.
        let mut spin = SpinWait::new();
        loop {
            if Loose(self.loose.load(Ordering::Acquire)).draining() {
                return self.take_outcome();
            }
            if deadline.has_passed() {
                if let Some(result) = self.time_out() {
                    return result;
                }
                // Part of the passing generation: wait for its outcome.
                deadline = Deadline::never();
                continue;
            }
            if spin.spin_guarded() {
                continue;
            }
            let _label = WaitLabel::unless_labelled(&BARRIER_WAIT);
            let result = bobbin_park::park(
                &self.state,
                || {
                    // With the queue locked: park, counted out of the loose
                    // parties, unless the generation has ended.
                    let loose = Loose(self.loose.load(Ordering::Acquire));
                    if loose.draining() {
                        false
                    } else {
                        self.loose.store(loose.0 - 1, Ordering::Release);
                        true
                    }
                },
                || {},
                |_, _| {
                    // Timed out, with the queue locked and this party just
                    // dequeued. Its generation has not ended (that would
                    // have woken it), so it is loose again.
                    let loose = Loose(self.loose.load(Ordering::Acquire));
                    debug_assert!(!loose.draining());
                    self.loose.store(loose.0 + 1, Ordering::Release);
                },
                PARTY,
                deadline,
            );
            match result {
                ParkResult::Unparked(token) => return decode(token),
                ParkResult::Invalid => return self.take_outcome(),
                // Final (under loom a timed park may time out at any
                // moment): act on it whatever the clock says.
                ParkResult::TimedOut => match self.time_out() {
                    Some(result) => return result,
                    None => deadline = Deadline::never(),
                },
            }
        }
    }

    /// A loose party whose generation has ended: counts itself out of the
    /// draining parties and returns the outcome; the last one ends the
    /// draining and lets the threads waiting to enter in.
    fn take_outcome(&self) -> Result<(), BrokenBarrierError> {
        decode(self.locked_step(Self::drain_one))
    }

    /// The locked step of a loose party leaving a draining generation.
    fn drain_one<R: From<UnparkToken>>(state: State, loose: Loose) -> Step<R> {
        debug_assert!(loose.draining());
        let last = loose.count() == 1;
        Step {
            state,
            loose: if last { Loose(0) } else { Loose(loose.0 - 1) },
            wake: last.then_some(RELEASED),
            out: R::from(loose.outcome()),
        }
    }

    /// A loose party whose deadline passed: takes its generation's outcome
    /// if it has ended, and otherwise breaks the barrier (Python's rule),
    /// waking the parked parties in the same step; returns what its wait
    /// returns. `None` if the generation is tripping: the party belongs to
    /// it (as in Python) and must wait on for its outcome.
    fn time_out(&self) -> Option<Result<(), BrokenBarrierError>> {
        let found = self.locked_step(|state, loose| {
            if loose.draining() {
                return Self::drain_one(state, loose);
            }
            if state.tripping() {
                return Step {
                    state,
                    loose,
                    wake: None,
                    out: TimeOut::Late,
                };
            }
            // Counted and not draining: the generation is current and works
            // (breaking it would have drained this party).
            debug_assert!(state.broken().is_none());
            let token = broken_token(BrokenReason::TimedOut);
            Step {
                state: broken_with(TIMED_OUT),
                loose: Loose(loose.0 - 1).ended(token),
                wake: Some(token),
                out: TimeOut::BrokeIt,
            }
        });
        match found {
            TimeOut::Ended(outcome) => Some(decode(outcome)),
            TimeOut::BrokeIt => Some(Err(BrokenReason::TimedOut.into())),
            TimeOut::Late => None,
        }
    }

    /// The last party: runs the action, then releases (or, if the action
    /// panicked, breaks) the generation, and resumes the action's panic.
    fn trip(&self) -> Result<usize, BrokenBarrierError> {
        let panic = self
            .action
            .as_ref()
            .and_then(|action| panic::catch_unwind(AssertUnwindSafe(action)).err());
        self.end_trip(panic.is_none());
        match panic {
            Some(payload) => panic::resume_unwind(payload),
            None => Ok(self.parties - 1),
        }
    }

    /// Ends the tripping generation with its outcome, in one locked step:
    /// wakes its parked parties (and the threads waiting to enter), leaves
    /// the outcome to its loose ones, and applies a pending reset or abort.
    fn end_trip(&self, released: bool) {
        let outcome = if released {
            RELEASED
        } else {
            broken_token(BrokenReason::ActionPanicked)
        };
        self.locked_step(|state, loose| {
            debug_assert!(state.tripping() && !loose.draining());
            let ended = if released {
                READY
            } else {
                broken_with(PANICKED)
            };
            let next = match state.pending() {
                PENDING_ABORT => broken_with(ABORTED),
                PENDING_RESET => READY,
                _ => ended,
            };
            Step {
                state: next,
                loose: loose.ended(outcome),
                wake: Some(outcome),
                out: (),
            }
        });
    }
}

impl From<UnparkToken> for TimeOut {
    fn from(outcome: UnparkToken) -> TimeOut {
        TimeOut::Ended(outcome)
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
    fn the_fields_of_the_words_do_not_overlap() {
        let state = [COUNT_MASK, TRIPPING, BROKEN_MASK, PENDING_MASK];
        let loose = [COUNT_MASK, DRAINING, OUTCOME_MASK];
        for fields in [&state[..], &loose[..]] {
            for (i, a) in fields.iter().enumerate() {
                for b in &fields[i + 1..] {
                    assert_eq!(a & b, 0);
                }
            }
        }
        assert_eq!(PENDING_MASK.leading_zeros(), usize::BITS / 2 - 5);
        assert_eq!(OUTCOME_MASK.leading_zeros(), usize::BITS / 2 - 4);
        assert_ne!(PARTY, ENTRANT);
    }

    #[test]
    fn tokens_round_trip_through_the_outcome_field() {
        assert_eq!(decode(RELEASED), Ok(()));
        for reason in [
            BrokenReason::Aborted,
            BrokenReason::Reset,
            BrokenReason::TimedOut,
            BrokenReason::ActionPanicked,
        ] {
            let token = broken_token(reason);
            assert_eq!(decode(token).unwrap_err().reason(), reason);
            let drained = Loose(3).ended(token);
            assert!(drained.draining());
            assert_eq!(drained.count(), 3);
            assert_eq!(drained.outcome(), token);
        }
        assert_eq!(Loose(0).ended(RELEASED), Loose(0), "nobody to drain");
    }

    #[test]
    fn a_broken_state_reads_back_its_reason() {
        assert_eq!(broken_with(ABORTED).broken(), Some(BrokenReason::Aborted));
        assert_eq!(
            broken_with(TIMED_OUT).broken(),
            Some(BrokenReason::TimedOut)
        );
        assert_eq!(
            broken_with(PANICKED).broken(),
            Some(BrokenReason::ActionPanicked)
        );
        assert_eq!(broken_with(ABORTED).count(), 0);
        assert_eq!(READY.broken(), None);
        let tripping = State(2 | TRIPPING);
        assert_eq!(
            tripping.with_pending(PENDING_RESET).pending(),
            PENDING_RESET
        );
        assert_eq!(tripping.with_pending(PENDING_RESET).count(), 2);
        assert!(tripping.with_pending(PENDING_ABORT).tripping());
    }
}
