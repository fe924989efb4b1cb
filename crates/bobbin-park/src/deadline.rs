//! [`Deadline`]: a timeout turned once into an absolute instant.
//!
//! Every blocking call in bobbin takes its timeout in one of three forms
//! (`op()`, `op_timeout(Duration)`, `op_until(Instant)`) and converts it, once,
//! at the edge of the API, into a `Deadline`. Retries after a spurious or
//! stolen wake-up then wait only for what is left, and no arithmetic on the
//! way can overflow: a timeout too large for an [`Instant`] means "never",
//! as lock_api's `checked_duration_to_instant` does.

use core::cmp::Ordering;
use core::fmt;
use std::time::{Duration, Instant};

/// The moment a blocking call gives up: an absolute [`Instant`], or never.
///
/// A `Deadline` is built once from whatever the caller gave (a [`Duration`],
/// an [`Instant`] or nothing) and then passed down unchanged, so a wait that
/// is woken early and waits again only waits for what is left. Building one
/// never panics: a `Duration` too large to add to the current time
/// (`Duration::MAX`, say) saturates to [`Deadline::never`].
///
/// A deadline is the *earliest* moment at which a timed wait may give up,
/// never a promise of the latest: a busy machine may return later.
///
/// # Differences from Python
///
/// Python takes timeouts as float seconds, treats `-1` or `None` as "forever"
/// and raises `OverflowError` above `threading.TIMEOUT_MAX`. Here a negative
/// timeout cannot be written, "forever" is [`Deadline::never`], and there is
/// no maximum: any timeout that does not fit means forever. A zero timeout is
/// a non-blocking try, as `blocking=False` is in Python.
///
/// # Examples
///
/// ```
/// use bobbin_park::Deadline;
/// use std::time::{Duration, Instant};
///
/// let soon = Deadline::after(Duration::from_millis(50));
/// assert!(!soon.has_passed());
/// assert!(soon.remaining().unwrap() <= Duration::from_millis(50));
///
/// // Too large to add to "now": that is forever, not a panic.
/// assert!(Deadline::after(Duration::MAX).is_never());
///
/// // A deadline in the past has passed at once.
/// assert!(Deadline::at(Instant::now()).has_passed());
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct Deadline {
    /// `None` means never.
    at: Option<Instant>,
}

impl Deadline {
    /// A deadline that never passes: wait as long as it takes.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::Deadline;
    ///
    /// let d = Deadline::never();
    /// assert!(d.is_never());
    /// assert!(!d.has_passed());
    /// assert_eq!(d.remaining(), None);
    /// assert_eq!(d.instant(), None);
    /// ```
    #[inline]
    #[must_use]
    pub const fn never() -> Self {
        Deadline { at: None }
    }

    /// The deadline at a given instant (which may already be in the past).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::Deadline;
    /// use std::time::{Duration, Instant};
    ///
    /// let when = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(Deadline::at(when).instant(), Some(when));
    /// ```
    #[inline]
    #[must_use]
    pub const fn at(instant: Instant) -> Self {
        Deadline { at: Some(instant) }
    }

    /// The deadline `timeout` from now, or [`never`](Deadline::never) if that
    /// moment cannot be represented (`Duration::MAX`, or any overflow).
    ///
    /// A zero timeout gives a deadline that has already passed, which makes a
    /// blocking call a non-blocking try.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::Deadline;
    /// use std::time::Duration;
    ///
    /// assert!(Deadline::after(Duration::ZERO).has_passed());
    /// assert!(!Deadline::after(Duration::from_secs(60)).has_passed());
    /// assert!(Deadline::after(Duration::MAX).is_never());
    /// ```
    #[inline]
    #[must_use]
    pub fn after(timeout: Duration) -> Self {
        Deadline {
            at: Instant::now().checked_add(timeout),
        }
    }

    /// The deadline for an optional timeout: `None` waits forever, as Python's
    /// `timeout=None` does.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::Deadline;
    /// use std::time::Duration;
    ///
    /// assert!(Deadline::from_timeout(None).is_never());
    /// assert!(!Deadline::from_timeout(Some(Duration::from_secs(5))).is_never());
    /// ```
    #[inline]
    #[must_use]
    pub fn from_timeout(timeout: Option<Duration>) -> Self {
        match timeout {
            Some(timeout) => Deadline::after(timeout),
            None => Deadline::never(),
        }
    }

    /// Whether this deadline never passes.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::Deadline;
    /// use std::time::Duration;
    ///
    /// assert!(Deadline::never().is_never());
    /// assert!(!Deadline::after(Duration::from_secs(1)).is_never());
    /// ```
    #[inline]
    #[must_use]
    pub const fn is_never(&self) -> bool {
        self.at.is_none()
    }

    /// Whether the deadline has been reached: the current time is at or after
    /// it. Never true for [`Deadline::never`].
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::Deadline;
    /// use std::time::{Duration, Instant};
    ///
    /// assert!(Deadline::at(Instant::now()).has_passed());
    /// assert!(!Deadline::after(Duration::from_secs(60)).has_passed());
    /// ```
    #[inline]
    #[must_use]
    pub fn has_passed(&self) -> bool {
        match self.at {
            Some(at) => Instant::now() >= at,
            None => false,
        }
    }

    /// The time left before the deadline: `None` for a deadline that never
    /// passes, `Some(Duration::ZERO)` once it has passed.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::Deadline;
    /// use std::time::{Duration, Instant};
    ///
    /// let d = Deadline::after(Duration::from_secs(10));
    /// let left = d.remaining().unwrap();
    /// assert!(left > Duration::from_secs(9) && left <= Duration::from_secs(10));
    ///
    /// assert_eq!(Deadline::at(Instant::now()).remaining(), Some(Duration::ZERO));
    /// assert_eq!(Deadline::never().remaining(), None);
    /// ```
    #[inline]
    #[must_use]
    pub fn remaining(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// The deadline as parking_lot_core takes it: `Some(instant)`, or `None`
    /// for never.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::Deadline;
    /// use std::time::Instant;
    ///
    /// let now = Instant::now();
    /// assert_eq!(Deadline::at(now).instant(), Some(now));
    /// assert_eq!(Deadline::never().instant(), None);
    /// ```
    #[inline]
    #[must_use]
    pub const fn instant(&self) -> Option<Instant> {
        self.at
    }

    /// The earlier of two deadlines ([`never`](Deadline::never) is later than
    /// any instant). Useful where a call has its own timeout and an object
    /// has a default one, as Python's `Barrier` does.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::Deadline;
    /// use std::time::Duration;
    ///
    /// let short = Deadline::after(Duration::from_millis(10));
    /// let long = Deadline::after(Duration::from_secs(10));
    /// assert_eq!(short.min(long), short);
    /// assert_eq!(Deadline::never().min(long), long);
    /// assert!(Deadline::never().min(Deadline::never()).is_never());
    /// ```
    #[inline]
    #[must_use]
    pub fn min(self, other: Deadline) -> Deadline {
        if self <= other { self } else { other }
    }
}

impl Default for Deadline {
    /// [`Deadline::never`], matching Python's default `timeout=None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::Deadline;
    ///
    /// assert!(Deadline::default().is_never());
    /// ```
    fn default() -> Self {
        Deadline::never()
    }
}

impl PartialOrd for Deadline {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Deadline {
    /// Earlier deadlines are smaller; [`Deadline::never`] is the largest.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.at, other.at) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
}

impl From<Instant> for Deadline {
    /// Same as [`Deadline::at`].
    fn from(instant: Instant) -> Self {
        Deadline::at(instant)
    }
}

impl From<Duration> for Deadline {
    /// Same as [`Deadline::after`]: saturates to never on overflow.
    fn from(timeout: Duration) -> Self {
        Deadline::after(timeout)
    }
}

impl From<Option<Duration>> for Deadline {
    /// Same as [`Deadline::from_timeout`]: `None` is never.
    fn from(timeout: Option<Duration>) -> Self {
        Deadline::from_timeout(timeout)
    }
}

impl fmt::Debug for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            None => f.write_str("Deadline(never)"),
            Some(at) => {
                let now = Instant::now();
                if at > now {
                    write!(f, "Deadline(in {:?})", at - now)
                } else {
                    write!(f, "Deadline({:?} ago)", now - at)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_sorts_after_every_instant() {
        let now = Deadline::at(Instant::now());
        assert!(now < Deadline::never());
        assert_eq!(Deadline::never().cmp(&Deadline::never()), Ordering::Equal);
    }

    #[test]
    fn debug_says_never_or_how_far() {
        assert_eq!(format!("{:?}", Deadline::never()), "Deadline(never)");
        let later = format!("{:?}", Deadline::after(Duration::from_secs(100)));
        assert!(later.starts_with("Deadline(in "), "{later}");
        let past = format!("{:?}", Deadline::at(Instant::now()));
        assert!(past.ends_with(" ago)"), "{past}");
    }

    #[test]
    fn conversions_agree_with_constructors() {
        let now = Instant::now();
        assert_eq!(Deadline::from(now), Deadline::at(now));
        assert!(Deadline::from(Duration::MAX).is_never());
        assert!(Deadline::from(None::<Duration>).is_never());
        assert!(Deadline::from(Some(Duration::ZERO)).has_passed());
    }
}
