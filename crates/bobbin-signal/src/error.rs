//! The errors of bobbin-signal: [`BrokenBarrierError`], Python's
//! `threading.BrokenBarrierError`, and the [`BrokenReason`] it carries.

use core::fmt;

/// Why a [`Barrier`](crate::Barrier) wait failed.
///
/// # Examples
///
/// ```
/// use bobbin_signal::{Barrier, BrokenReason};
///
/// let barrier = Barrier::new(2);
/// barrier.abort();
/// assert_eq!(barrier.wait().unwrap_err().reason(), BrokenReason::Aborted);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BrokenReason {
    /// [`Barrier::abort`](crate::Barrier::abort) broke the barrier; it stays
    /// broken until [`Barrier::reset`](crate::Barrier::reset).
    Aborted,
    /// [`Barrier::reset`](crate::Barrier::reset) was called while this thread
    /// waited; the barrier itself is usable again.
    Reset,
    /// A wait timed out before every party arrived, which breaks the barrier
    /// for everyone (Python's rule); it stays broken until `reset`.
    TimedOut,
    /// The barrier's action panicked; the panic continues in the thread that
    /// ran the action, and the barrier stays broken until `reset`.
    ActionPanicked,
}

impl fmt::Display for BrokenReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BrokenReason::Aborted => "aborted",
            BrokenReason::Reset => "reset while waiting",
            BrokenReason::TimedOut => "a wait timed out",
            BrokenReason::ActionPanicked => "the action panicked",
        })
    }
}

/// The error of a [`Barrier`](crate::Barrier) wait that could not pass:
/// Python's `threading.BrokenBarrierError`.
///
/// One error type, as Python has one exception, that also says why the wait
/// failed ([`reason`](BrokenBarrierError::reason)): the barrier was aborted,
/// reset while the thread waited, broken by a wait that timed out, or broken
/// by an action that panicked.
///
/// # Differences from Python
///
/// Python's exception carries no reason; code that only needs to know that
/// the barrier broke matches `Err(_)` (or [`is_err`](Result::is_err)) and
/// ignores it.
///
/// # Examples
///
/// ```
/// use bobbin_signal::{Barrier, BrokenReason};
/// use std::time::Duration;
///
/// let barrier = Barrier::new(2);
/// // Nobody else arrives: the wait times out and breaks the barrier.
/// let err = barrier.wait_timeout(Duration::from_millis(10)).unwrap_err();
/// assert_eq!(err.reason(), BrokenReason::TimedOut);
/// assert_eq!(err.to_string(), "broken barrier: a wait timed out");
/// assert!(barrier.is_broken());
/// ```
#[doc(alias = "threading.BrokenBarrierError")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("broken barrier: {reason}")]
pub struct BrokenBarrierError {
    reason: BrokenReason,
}

impl BrokenBarrierError {
    /// An error for `reason`.
    pub(crate) fn new(reason: BrokenReason) -> BrokenBarrierError {
        BrokenBarrierError { reason }
    }

    /// Why the wait failed.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::{Barrier, BrokenReason};
    ///
    /// let barrier = Barrier::new(3);
    /// barrier.abort();
    /// let err = barrier.wait().unwrap_err();
    /// assert_eq!(err.reason(), BrokenReason::Aborted);
    /// ```
    #[must_use]
    pub fn reason(&self) -> BrokenReason {
        self.reason
    }
}

impl From<BrokenReason> for BrokenBarrierError {
    fn from(reason: BrokenReason) -> BrokenBarrierError {
        BrokenBarrierError::new(reason)
    }
}
