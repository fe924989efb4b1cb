//! [`Event`]: Python's `threading.Event`, a one-byte flag that threads wait
//! on.
//!
//! The algorithm is the parking lot's flag (rsevents' `ManualResetEvent` on
//! parking_lot_core, after WebKit's `ParkingLot`): the state byte holds the
//! flag and a "threads are parked" bit, a waiter spins briefly (as
//! parking_lot's locks do) and then parks on the byte's address while the
//! flag is clear, and `set` wakes the parked threads only when that
//! bit says there are some. `set`'s slow path raises the flag *inside* the
//! parking lot's unpark callback, with the queue locked, so the threads it
//! wakes are exactly those that were waiting at that moment and each learns
//! from its unpark token that it was set (no lost wake-up, even if `clear`
//! follows at once).
//!
//! A waiter that has not parked yet (it spins first) learns of a `set` that
//! `clear` undid before it looked from the rest of the state word: a count
//! of the flag's rises, which every `set` that raises it advances. A wait
//! returns `true` once the count differs from the one it started with, so
//! no `set` during a wait is missed, as none is in Python (whose waiter is
//! queued under the event's lock before it looks).

use bobbin_park::sync::atomic::{AtomicU32, Ordering};
use bobbin_park::{
    DEFAULT_PARK_TOKEN, Deadline, FilterOp, ParkResult, SpinWait, UnparkToken, WaitKind, WaitLabel,
};
use core::fmt;
use std::time::{Duration, Instant};

/// The flag is set.
const SET: u32 = 0b01;

/// Threads may be parked on the event, waiting for the flag.
const PARKED: u32 = 0b10;

/// One rise of the flag in the count above the two bits: a `set` that
/// raises the flag adds it (wrapping after 2^30 rises).
const RISE: u32 = 0b100;

/// The count of the flag's rises, in place (the state without its bits).
const RISES: u32 = !(SET | PARKED);

/// The state after a `set` that raises the flag from `state`: the flag up,
/// no thread parked, one rise more.
#[inline]
const fn raised(state: u32) -> u32 {
    ((state & RISES).wrapping_add(RISE)) | SET
}

/// The token `set` passes to the threads it wakes.
const WOKEN_BY_SET: UnparkToken = UnparkToken(1);

/// How a thread parked in [`Event::wait`] shows in a hang report (unless it
/// waits for something built on an event, a thread's join, which names
/// itself).
static EVENT_WAIT: WaitKind = WaitKind::new("Event.wait");

/// A flag that threads can wait on: Python's `threading.Event`.
///
/// The flag starts clear. [`set`](Event::set) raises it and wakes every
/// thread waiting at that moment; [`clear`](Event::clear) lowers it again;
/// [`wait`](Event::wait) blocks until it is raised, with the timed forms
/// [`wait_timeout`](Event::wait_timeout) and
/// [`wait_until`](Event::wait_until). An `Event` is four bytes, is `const`
/// constructible (so it can be a `static`), and never makes a call into the
/// parking lot when no thread is waiting: `set`, `clear` and `is_set` are
/// then one atomic operation each.
///
/// A wait returns `true` if the flag is set when it begins or is set at any
/// moment while it waits, even if [`clear`](Event::clear) lowers the flag
/// again before the waiter runs: as in Python, a `set(); clear()` pulse
/// releases every thread waiting at that moment. A wait that spans several
/// calls (a loop of short timed waits, say) keeps that promise across them
/// with a [`mark`](Event::mark) and [`wait_since`](Event::wait_since).
///
/// # Differences from Python
///
/// - Python's `wait(timeout=None)` is three methods here: `wait()`,
///   `wait_timeout(Duration)` and `wait_until(Instant)`. A timeout too large
///   to represent waits forever instead of raising `OverflowError`, and a
///   zero timeout only looks at the flag.
/// - A thread woken by `set()` returns `true` even if another thread calls
///   `clear()` before it runs again, as in Python, where the waiter's
///   notification is what counts.
/// - The `isSet` camel-case alias, deprecated in Python, does not exist.
///
/// # Memory ordering
///
/// Everything a thread did before calling [`set`](Event::set) happens before
/// whatever a thread does after a wait that returns `true` because of that
/// `set` (or an [`is_set`](Event::is_set) that returns `true`): `set` is a
/// release operation and a successful wait an acquire operation, so an event
/// can publish data, as the example shows.
///
/// # Examples
///
/// One thread prepares data, others wait until it is ready:
///
/// ```
/// use bobbin_signal::Event;
/// use std::sync::OnceLock;
///
/// static READY: Event = Event::new();
/// static DATA: OnceLock<Vec<u32>> = OnceLock::new();
///
/// std::thread::scope(|s| {
///     for _ in 0..3 {
///         s.spawn(|| {
///             assert!(READY.wait());
///             assert_eq!(DATA.get().unwrap().len(), 3);
///         });
///     }
///     DATA.set(vec![1, 2, 3]).unwrap();
///     READY.set();
/// });
/// ```
#[doc(alias = "threading.Event")]
pub struct Event {
    /// The flag ([`SET`]), the parked bit ([`PARKED`]) and, above them,
    /// the count of the flag's rises ([`RISES`]).
    ///
    /// # Invariants
    ///
    /// - `PARKED` is set only while threads may be parked on this byte. It
    ///   is set and cleared only with the byte's parking queue locked: by a
    ///   waiter's `validate` (which then parks), by the last waiter to time
    ///   out, and by `set`'s slow path, which wakes every parked thread.
    /// - `SET` and `PARKED` are never both set: a waiter sets `PARKED` only
    ///   while the flag is clear, `set`'s fast path raises the flag only when
    ///   `PARKED` is clear, and its slow path raises the flag and clears
    ///   `PARKED` in one atomic step, with the queue locked, as it wakes
    ///   everyone.
    /// - The count changes only where the flag rises (both paths of `set`,
    ///   in the same atomic step), so a waiter that sees it differ from its
    ///   mark knows the flag was up since.
    state: AtomicU32,
}

impl Event {
    bobbin_park::const_fn! {
        /// A new event, with its flag clear.
        ///
        /// `const`, so an event can be a `static` (except under
        /// `--cfg bobbin_loom`, where loom's atomics are not `const`).
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_signal::Event;
        ///
        /// static SHUTDOWN: Event = Event::new();
        /// assert!(!SHUTDOWN.is_set());
        /// ```
        #[must_use]
        #[inline]
        pub const fn new() -> Event {
            Event {
                state: AtomicU32::new(0),
            }
        }
    }

    /// Whether the flag is set.
    ///
    /// # Memory ordering
    ///
    /// An acquire load: after it returns `true`, everything the setting
    /// thread did before [`set`](Event::set) is visible.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    ///
    /// let event = Event::new();
    /// assert!(!event.is_set());
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    #[doc(alias = "isSet")]
    #[must_use]
    #[inline]
    pub fn is_set(&self) -> bool {
        self.state.load(Ordering::Acquire) & SET != 0
    }

    /// Sets the flag and wakes every thread waiting for it. Threads that
    /// wait once the flag is set do not block at all.
    ///
    /// Setting a flag that is already set does nothing. With no thread
    /// waiting, this is one atomic operation and no call into the parking
    /// lot.
    ///
    /// # Memory ordering
    ///
    /// A release operation: see [`Event`].
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    ///
    /// let event = Event::new();
    /// std::thread::scope(|s| {
    ///     let waiter = s.spawn(|| event.wait());
    ///     event.set();
    ///     assert!(waiter.join().unwrap());
    /// });
    /// ```
    #[inline]
    pub fn set(&self) {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & SET != 0 {
                return;
            }
            if state & PARKED != 0 {
                return self.set_slow();
            }
            match self.state.compare_exchange_weak(
                state,
                raised(state),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(current) => state = current,
            }
        }
    }

    /// Raises the flag with the queue locked and wakes every parked thread.
    #[cold]
    fn set_slow(&self) {
        bobbin_park::unpark_filter(
            &self.state,
            // Every thread parked here now is waiting for this flag: each
            // parked while it was clear (checked with this queue locked).
            |_| FilterOp::Unpark,
            |_| {
                // Everyone is being woken, so no thread remains parked. A
                // `clear` after this lowers the flag again, which the woken
                // threads ignore: they were set. An update rather than a
                // store: `clear`, and the fast path of another `set` if the
                // parked threads timed out meanwhile (the flag is then up, and
                // stays as it is), may change the state without the queue
                // lock, and a rise they make must not be written over.
                let _ = self
                    .state
                    .fetch_update(Ordering::Release, Ordering::Relaxed, |state| {
                        (state & SET == 0).then(|| raised(state))
                    });
                WOKEN_BY_SET
            },
        );
    }

    /// Clears the flag. Threads that wait afterwards block until the next
    /// [`set`](Event::set).
    ///
    /// A thread already woken by an earlier `set` still returns `true` from
    /// its wait.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    /// use std::time::Duration;
    ///
    /// let event = Event::new();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// assert!(!event.wait_timeout(Duration::from_millis(1)));
    /// ```
    #[inline]
    pub fn clear(&self) {
        self.state.fetch_and(!SET, Ordering::Relaxed);
    }

    /// Blocks until the flag is set, and returns `true`.
    ///
    /// Returns at once if the flag is set already. The result is always
    /// `true`, as Python's `wait()` without a timeout always returns `True`;
    /// it exists so that code written against the timed forms reads the same.
    ///
    /// # Panics
    ///
    /// Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    ///
    /// let event = Event::new();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| event.set());
    ///     assert!(event.wait());
    /// });
    /// ```
    #[inline]
    pub fn wait(&self) -> bool {
        let mark = self.mark();
        mark.was_set() || self.wait_slow(mark, Deadline::never())
    }

    /// Blocks until the flag is set or `timeout` has passed, and returns the
    /// flag: `true` if it was set (or a `set` woke this thread), `false` on
    /// timeout.
    ///
    /// A zero timeout only looks at the flag; a timeout too large to
    /// represent (`Duration::MAX`) waits forever. The timeout is the earliest
    /// moment this returns `false`, never the latest.
    ///
    /// # Panics
    ///
    /// Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    /// use std::time::Duration;
    ///
    /// let event = Event::new();
    /// assert!(!event.wait_timeout(Duration::from_millis(10)));
    /// event.set();
    /// assert!(event.wait_timeout(Duration::ZERO));
    /// ```
    #[doc(alias = "wait")]
    #[inline]
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let mark = self.mark();
        mark.was_set() || self.wait_slow(mark, Deadline::after(timeout))
    }

    /// Blocks until the flag is set or `deadline` has passed, and returns the
    /// flag, as [`wait_timeout`](Event::wait_timeout) does.
    ///
    /// A deadline in the past only looks at the flag.
    ///
    /// # Panics
    ///
    /// Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    /// use std::time::{Duration, Instant};
    ///
    /// let event = Event::new();
    /// let deadline = Instant::now() + Duration::from_millis(10);
    /// assert!(!event.wait_until(deadline));
    /// assert!(Instant::now() >= deadline);
    /// ```
    #[doc(alias = "wait")]
    #[inline]
    pub fn wait_until(&self, deadline: Instant) -> bool {
        let mark = self.mark();
        mark.was_set() || self.wait_slow(mark, Deadline::at(deadline))
    }

    /// Where the event stands now, for a later
    /// [`wait_since`](Event::wait_since): whether the flag is set, and how
    /// many times it has been raised.
    ///
    /// # Memory ordering
    ///
    /// An acquire load, as [`is_set`](Event::is_set).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    ///
    /// let event = Event::new();
    /// let mark = event.mark();
    /// assert!(!mark.was_set());
    /// event.set();
    /// event.clear();
    /// // The flag is down again, but it rose after the mark.
    /// assert!(event.wait_since(mark));
    /// ```
    #[must_use]
    #[inline]
    pub fn mark(&self) -> EventMark {
        EventMark(self.state.load(Ordering::Acquire))
    }

    /// Blocks until the flag is set or has been set since `mark` was taken,
    /// and returns `true`; returns at once if either holds already.
    ///
    /// A wait that is cut into pieces (Python's main thread, say, waits in
    /// short slices to run its signal handlers in between) takes one mark
    /// before the first piece and passes it to every piece: a
    /// `set(); clear()` pulse between two pieces then still ends the wait,
    /// as it ends a single [`wait`](Event::wait) that it comes during.
    ///
    /// A mark tells rises apart by a count that wraps after 2^30 of them:
    /// a mark over which exactly a multiple of 2^30 `set`s, each undone by
    /// a `clear`, have passed looks current again. A parked waiter is woken
    /// by the first `set`, and one that spins looks at the count every few
    /// microseconds, so only a mark kept aside (or a waiter preempted) for
    /// 2^30 pulses, seconds of nothing but `set` and `clear`, can meet
    /// this.
    ///
    /// # Panics
    ///
    /// Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    /// use std::time::{Duration, Instant};
    ///
    /// let event = Event::new();
    /// let mark = event.mark();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| {
    ///         event.set();
    ///         event.clear();
    ///     });
    ///     // Short slices, with other work between them: none misses the
    ///     // pulse, wherever it falls.
    ///     while !event.wait_since_until(mark, Instant::now() + Duration::from_millis(5)) {}
    /// });
    /// assert!(event.wait_since(mark));
    /// ```
    #[inline]
    pub fn wait_since(&self, mark: EventMark) -> bool {
        self.is_set_since(mark) || self.wait_slow(mark, Deadline::never())
    }

    /// Blocks until the flag is set or has been set since `mark` was taken,
    /// or until `deadline` passes; returns `true` in the first case and
    /// `false` on timeout. A deadline in the past only looks.
    ///
    /// See [`wait_since`](Event::wait_since).
    ///
    /// # Panics
    ///
    /// Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    /// use std::time::{Duration, Instant};
    ///
    /// let event = Event::new();
    /// let mark = event.mark();
    /// assert!(!event.wait_since_until(mark, Instant::now() + Duration::from_millis(1)));
    /// event.set();
    /// event.clear();
    /// assert!(event.wait_since_until(mark, Instant::now()));
    /// // A new mark does not see the old rise.
    /// assert!(!event.wait_since_until(event.mark(), Instant::now()));
    /// ```
    #[inline]
    pub fn wait_since_until(&self, mark: EventMark, deadline: Instant) -> bool {
        self.is_set_since(mark) || self.wait_slow(mark, Deadline::at(deadline))
    }

    /// Whether the flag is set now, was set at `mark`, or has been set
    /// since (even if `clear` lowered it again): what
    /// [`wait_since`](Event::wait_since) waits for, without waiting.
    ///
    /// # Memory ordering
    ///
    /// An acquire load: after it returns `true`, everything the thread
    /// that raised the flag did before that [`set`](Event::set) is
    /// visible, even if a `clear` followed (a read-modify-write, so in the
    /// release sequence of the `set`).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    ///
    /// let event = Event::new();
    /// let mark = event.mark();
    /// assert!(!event.is_set_since(mark));
    /// event.set();
    /// event.clear();
    /// assert!(event.is_set_since(mark));
    /// assert!(!event.is_set());
    /// ```
    #[must_use]
    #[inline]
    pub fn is_set_since(&self, mark: EventMark) -> bool {
        mark.0 & SET != 0 || Self::set_between(mark, self.state.load(Ordering::Acquire))
    }

    /// Whether `state` shows the flag up, or rises since `mark`.
    #[inline]
    fn set_between(mark: EventMark, state: u32) -> bool {
        state & SET != 0 || (state ^ mark.0) & RISES != 0
    }

    /// Parks until a `set` wakes this thread, the flag rose since `mark`, or
    /// `deadline` passes.
    #[cold]
    fn wait_slow(&self, mark: EventMark, deadline: Deadline) -> bool {
        if deadline.has_passed() {
            // A zero timeout is a non-blocking look at the flag.
            return self.is_set_since(mark);
        }
        // A `set` that comes within a few microseconds is far cheaper to wait
        // for by spinning than by parking (a futex sleep and wake-up, and a
        // context switch on each side: ~40 µs per round trip of two threads
        // on an idle 2-core machine, against ~0.2 µs spinning), so spin a
        // little first, as parking_lot's locks do, but with guarded yields:
        // beside a busy thread a yield costs a slice, on every hand-off
        // (`bobbin_park::yield_guarded`). The spin only reads the flag. It
        // is skipped when threads are already parked: the flag has then
        // been clear for at least as long as they took to park, so a `set`
        // is not imminent.
        let mut spin = SpinWait::new();
        while self.state.load(Ordering::Relaxed) & PARKED == 0 && spin.spin_guarded() {
            if self.is_set_since(mark) {
                return true;
            }
            if deadline.has_passed() {
                return self.is_set_since(mark);
            }
        }
        let _label = WaitLabel::unless_labelled(&EVENT_WAIT);
        let result = bobbin_park::park(
            &self.state,
            || {
                // With the queue locked: sleep only while the flag is clear
                // and has not risen since the mark, setting the parked bit so
                // `set` takes its slow path. A compare-exchange, because
                // `set`'s fast path raises the flag without the queue lock:
                // the bit must go in only if the flag is still down, or this
                // thread would sleep through it.
                let mut state = self.state.load(Ordering::Relaxed);
                loop {
                    if Self::set_between(mark, state) {
                        return false;
                    }
                    if state & PARKED != 0 {
                        return true;
                    }
                    match self.state.compare_exchange_weak(
                        state,
                        state | PARKED,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => return true,
                        Err(current) => state = current,
                    }
                }
            },
            || {},
            |_, was_last| {
                // The last parked thread leaves: no `set` needs to wake
                // anyone any more.
                if was_last {
                    self.state.fetch_and(!PARKED, Ordering::Relaxed);
                }
            },
            DEFAULT_PARK_TOKEN,
            deadline,
        );
        match result {
            // Woken by a `set`: this thread was waiting when the flag rose,
            // whatever the flag says now. Or the flag was set, or had risen,
            // when we came to park (`validate` saw it with the queue locked),
            // so it was set during this wait. Either way the acquire load
            // pairs with the release that raised the flag.
            ParkResult::Unparked(_) | ParkResult::Invalid => {
                self.state.load(Ordering::Acquire);
                true
            }
            // The deadline passed first; a `set` racing with the time-out
            // still counts if it got in before we looked.
            ParkResult::TimedOut => self.is_set_since(mark),
        }
    }
}

/// Where an [`Event`] stood at one moment ([`Event::mark`]): what
/// [`Event::wait_since`] compares the event with, to tell whether the flag
/// rose since, even if it is down again.
///
/// # Examples
///
/// ```
/// use bobbin_signal::Event;
///
/// let event = Event::new();
/// event.set();
/// let mark = event.mark();
/// assert!(mark.was_set());
/// event.clear();
/// assert!(event.wait_since(mark)); // the flag was up at the mark
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventMark(u32);

impl EventMark {
    /// Whether the flag was set when the mark was taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    ///
    /// let event = Event::new();
    /// assert!(!event.mark().was_set());
    /// event.set();
    /// assert!(event.mark().was_set());
    /// ```
    #[must_use]
    #[inline]
    pub fn was_set(self) -> bool {
        self.0 & SET != 0
    }
}

impl Default for Event {
    /// A new event, with its flag clear.
    fn default() -> Event {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("is_set", &self.is_set())
            .finish()
    }
}

#[cfg(all(test, not(bobbin_loom)))]
mod tests {
    use super::*;

    #[test]
    fn the_parked_bit_is_cleared_by_the_last_waiter_to_time_out() {
        let event = Event::new();
        assert!(!event.wait_timeout(Duration::from_millis(1)));
        assert_eq!(event.state.load(Ordering::Relaxed), 0);
        // So the next `set` takes the fast path: the flag up, one rise.
        event.set();
        assert_eq!(event.state.load(Ordering::Relaxed), SET | RISE);
    }

    /// Spins until a thread has parked on `event` (its `validate` set the
    /// parked bit with the queue locked, so it is queued).
    fn until_parked(event: &Event) {
        while event.state.load(Ordering::Relaxed) & PARKED == 0 {
            bobbin_park::thread::yield_now();
        }
    }

    #[test]
    fn the_rise_count_wraps_without_touching_the_bits() {
        assert_eq!(raised(0), SET | RISE);
        assert_eq!(raised(RISE | PARKED), SET | (2 * RISE));
        // The largest count wraps to zero; the parked bit is dropped, the
        // flag raised.
        assert_eq!(raised(RISES | PARKED), SET);
        let mark = EventMark(RISES);
        assert!(Event::set_between(mark, raised(RISES)));
        // After the wrapped rise is cleared the count still differs.
        assert!(Event::set_between(mark, 0));
        assert!(!Event::set_between(mark, RISES));
        assert!(!Event::set_between(mark, RISES | PARKED));
    }

    #[test]
    fn set_and_parked_are_never_both_set() {
        let event = Event::new();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| event.wait());
            until_parked(&event);
            event.set();
            assert!(waiter.join().unwrap());
        });
        // The slow path's rise counts as the fast path's does.
        assert_eq!(event.state.load(Ordering::Relaxed), SET | RISE);
    }

    #[test]
    fn a_parked_waiter_woken_by_set_returns_true_after_an_immediate_clear() {
        // Deterministic: the waiter is known to be queued before `set`, and
        // the flag is down again before it can look at it.
        let rounds = if cfg!(miri) { 5 } else { 100 };
        let event = Event::new();
        for round in 0..rounds {
            std::thread::scope(|s| {
                let waiter = s.spawn(|| {
                    if round % 2 == 0 {
                        event.wait()
                    } else {
                        event.wait_timeout(Duration::from_secs(60))
                    }
                });
                until_parked(&event);
                event.set();
                event.clear();
                assert!(waiter.join().unwrap());
            });
        }
    }
}
