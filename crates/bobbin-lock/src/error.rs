//! [`ReleaseError`]: the one way a release goes wrong, in Python's words.

use thiserror::Error;

/// Why a `release` was refused. Nothing changed: the lock or semaphore is
/// exactly as it was before the call.
///
/// Python raises `RuntimeError` for the two lock cases and `ValueError` for
/// the semaphore cases; the messages are Python's.
///
/// # Examples
///
/// ```
/// use bobbin_lock::{BoundedSemaphore, Lock, RLock, ReleaseError};
///
/// let lock = Lock::new(());
/// assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
/// assert_eq!(ReleaseError::Unlocked.to_string(), "release unlocked lock");
///
/// let rlock = RLock::new(());
/// assert_eq!(rlock.release(), Err(ReleaseError::NotOwned));
///
/// let sem = BoundedSemaphore::new(1);
/// assert_eq!(sem.release(1), Err(ReleaseError::TooManyReleases));
/// assert_eq!(sem.release(0), Err(ReleaseError::ZeroPermits));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum ReleaseError {
    /// [`Lock::release`](crate::Lock::release) on a lock that no one holds
    /// (Python's `RuntimeError: release unlocked lock`).
    #[error("release unlocked lock")]
    Unlocked,
    /// [`RLock::release`](crate::RLock::release) by a thread that does not
    /// hold the lock, or on a lock no thread holds (Python's
    /// `RuntimeError: cannot release un-acquired lock`).
    #[error("cannot release un-acquired lock")]
    NotOwned,
    /// [`BoundedSemaphore::release`](crate::BoundedSemaphore::release) would
    /// raise the count above the initial value (Python's
    /// `ValueError: Semaphore released too many times`).
    #[error("semaphore released too many times")]
    TooManyReleases,
    /// A semaphore `release(0)`: Python 3.13 raises
    /// `ValueError: n must be one or more` for any `n < 1`.
    #[error("n must be one or more")]
    ZeroPermits,
    /// [`Semaphore::release`](crate::Semaphore::release) would raise the
    /// count above [`Semaphore::MAX_PERMITS`](crate::Semaphore::MAX_PERMITS)
    /// (Python's integers cannot overflow; ours refuse rather than wrap).
    #[error("semaphore count would overflow")]
    Overflow,
}
