//! [`yield_guarded`] and [`HoldOff`]: yielding that stops when it gives the
//! core away.
//!
//! See [`yield_guarded`] for why. The hold-offs are hints shared by every thread of the process, updated
//! with plain loads and stores; they sit outside every loom model (a model
//! never yields for real), so their atomics are std's even under
//! `--cfg bobbin_loom`.

// Outside the model-checking seam on purpose (see the module docs): std's
// atomics are allowed.
#![allow(clippy::disallowed_types)]

use crate::epoch;
use core::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A yield that took this long ran another thread for a while: a switch to
/// a thread of the process and back takes a few microseconds, a slice of a
/// busy thread hundreds.
const SLOW_YIELD: Duration = Duration::from_micros(100);
/// The shortest hold-off (2 ms).
const MIN_HOLD_OFF_NS: u64 = 2_000_000;
/// The longest (200 ms): one lost slice per 200 ms costs about 1%.
const MAX_HOLD_OFF_NS: u64 = 200_000_000;

/// A way of waiting (yielding, spinning) held off for a while after it
/// proved a bad bet: 2 ms, doubled while bad bets keep coming soon after
/// the last (within four hold-offs), up to 200 ms, and back to 2 ms when
/// one comes out of the blue.
///
/// Meant for a `static` shared by every thread of the process, and updated
/// with plain loads and stores: it is a hint, and a lost update only costs
/// a bet more or less.
///
/// # Examples
///
/// ```
/// use bobbin_park::HoldOff;
/// use std::time::{Duration, Instant};
///
/// static SPINNING: HoldOff = HoldOff::new();
///
/// let now = Instant::now();
/// assert!(!SPINNING.holds(now));
/// // Spinning did not pay: hold it off.
/// SPINNING.start(now);
/// assert!(SPINNING.holds(now + Duration::from_millis(1)));
/// assert!(!SPINNING.holds(now + Duration::from_millis(3)));
/// ```
#[derive(Debug)]
pub struct HoldOff {
    /// The last hold-off's length.
    length_ns: AtomicU64,
    /// When the last bad bet was found: nanoseconds since [`epoch`], 0 if
    /// none was.
    last_at: AtomicU64,
    /// Until when it is held off: nanoseconds since [`epoch`].
    until: AtomicU64,
}

impl HoldOff {
    /// A way of waiting not held off.
    ///
    /// # Examples
    ///
    /// ```
    /// static YIELDING: bobbin_park::HoldOff = bobbin_park::HoldOff::new();
    /// assert!(!YIELDING.holds(std::time::Instant::now()));
    /// ```
    #[must_use]
    pub const fn new() -> HoldOff {
        HoldOff {
            length_ns: AtomicU64::new(MIN_HOLD_OFF_NS),
            last_at: AtomicU64::new(0),
            until: AtomicU64::new(0),
        }
    }

    /// Whether it is held off at `now`.
    ///
    /// # Examples
    ///
    /// ```
    /// let hold_off = bobbin_park::HoldOff::new();
    /// assert!(!hold_off.holds(std::time::Instant::now()));
    /// ```
    pub fn holds(&self, now: Instant) -> bool {
        ns_at(now) < self.until.load(Ordering::Relaxed)
    }

    /// Holds it off after a bad bet found at `now`: 2 ms, or twice the last
    /// hold-off (at most 200 ms) if the last bad bet was less than four
    /// hold-offs ago.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let hold_off = bobbin_park::HoldOff::new();
    /// let now = Instant::now();
    /// hold_off.start(now);
    /// // Another bad bet 3 ms later: 4 ms this time.
    /// let later = now + Duration::from_millis(3);
    /// hold_off.start(later);
    /// assert!(hold_off.holds(later + Duration::from_millis(3)));
    /// assert!(!hold_off.holds(later + Duration::from_millis(5)));
    /// ```
    pub fn start(&self, now: Instant) {
        let now = ns_at(now);
        let last = self.length_ns.load(Ordering::Relaxed);
        // 0: no bad bet yet (one found at the epoch itself counts from 1).
        let last_at = self.last_at.load(Ordering::Relaxed);
        let soon = last_at != 0 && now.saturating_sub(last_at) < 4 * last;
        let length = if soon {
            (last * 2).min(MAX_HOLD_OFF_NS)
        } else {
            MIN_HOLD_OFF_NS
        };
        self.length_ns.store(length, Ordering::Relaxed);
        self.last_at.store(now.max(1), Ordering::Relaxed);
        self.until
            .store(now.saturating_add(length), Ordering::Relaxed);
    }
}

impl Default for HoldOff {
    fn default() -> HoldOff {
        HoldOff::new()
    }
}

/// Nanoseconds from [`epoch`] to `at` (saturating: 584 years).
fn ns_at(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(epoch()).as_nanos()).unwrap_or(u64::MAX)
}

/// Yielding, held off after a slow yield.
static YIELDS: HoldOff = HoldOff::new();

/// Yields the time slice, unless a recent yield gave the core away;
/// whether it yielded, and quickly. A `false` tells the caller to park
/// rather than spin on. Under `--cfg bobbin_loom`, a scheduling point of
/// the model, and `true`.
///
/// A yield bets that the thread the spinner waits for shares its core (the
/// yield then switches straight to it) or runs on another core (the yield
/// finds nothing else to run and returns at once). The bet is lost when a
/// CPU-bound thread, of this process or another, shares the core: Linux's
/// EEVDF scheduler pushes a yielding thread's deadline back a whole slice,
/// so the yield hands the core to that thread for up to a slice (0.7–3 ms).
/// A thread waiting for a signal loses the bet on every hand-off: two
/// threads passing a `bobbin_signal::Event` back and forth, pinned to one
/// core beside a busy loop on the 2-core machine, took about 1.4 ms a
/// round trip, a slice each hand-off (guarded: 7.7 µs, the median of five
/// runs), and two Python threads passing a `bobbin.Event` took about
/// 1.9 ms with each beside a busy loop on a core of its own. So this yield
/// is timed: one that took over 100 µs holds yielding off, for every
/// thread of the process, for 2 ms, doubling up to 200 ms while slow
/// yields keep coming soon after the last, so that waits park instead (a
/// futex sleep and wake-up: microseconds, not a slice).
/// [`SpinWait::spin_guarded`](crate::SpinWait::spin_guarded) is the spin
/// whose yields are guarded so, for waits on another thread's signal; lock
/// waits keep [`SpinWait::spin`](crate::SpinWait::spin), parking_lot's
/// schedule.
///
/// # Examples
///
/// ```
/// use bobbin_park::sync::atomic::{AtomicBool, Ordering};
///
/// let flag = AtomicBool::new(true);
/// while !flag.load(Ordering::Acquire) {
///     if !bobbin_park::yield_guarded() {
///         break; // a real primitive would park here
///     }
/// }
/// ```
pub fn yield_guarded() -> bool {
    if cfg!(bobbin_loom) {
        crate::thread::yield_now();
        return true;
    }
    let before = Instant::now();
    if YIELDS.holds(before) {
        return false;
    }
    crate::thread::yield_now();
    let after = Instant::now();
    if after - before >= SLOW_YIELD {
        YIELDS.start(after);
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn now() -> Instant {
        Instant::now()
    }

    #[test]
    fn a_first_bad_bet_holds_off_for_two_milliseconds() {
        let hold_off = HoldOff::new();
        let now = now();
        assert!(!hold_off.holds(now));
        hold_off.start(now);
        assert!(hold_off.holds(now));
        assert!(hold_off.holds(now + 2 * MS - Duration::from_nanos(1)));
        assert!(!hold_off.holds(now + 2 * MS));
    }

    #[test]
    fn bad_bets_that_keep_coming_double_the_hold_off_up_to_200_ms() {
        let hold_off = HoldOff::new();
        let mut now = now();
        let mut expected = 2 * MS;
        for _ in 0..12 {
            hold_off.start(now);
            assert!(hold_off.holds(now + expected - Duration::from_nanos(1)));
            assert!(!hold_off.holds(now + expected));
            // The next bad bet comes as soon as this hold-off ends.
            now += expected;
            expected = (expected * 2).min(200 * MS);
        }
        assert_eq!(expected, 200 * MS);
    }

    #[test]
    fn a_bad_bet_out_of_the_blue_starts_again_at_two_milliseconds() {
        let hold_off = HoldOff::new();
        let now = now();
        hold_off.start(now);
        hold_off.start(now + 2 * MS); // 4 ms
        // Four hold-offs (16 ms) after the last bad bet: out of the blue.
        let later = now + 2 * MS + 16 * MS;
        hold_off.start(later);
        assert!(!hold_off.holds(later + 2 * MS));
    }

    #[test]
    fn a_held_off_yield_does_not_yield_and_says_so() {
        // Outside loom only: the model's yield is always `true`.
        if cfg!(bobbin_loom) {
            return;
        }
        YIELDS.start(now());
        assert!(!yield_guarded());
    }
}
