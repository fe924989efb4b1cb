//! The errors of the queues: Python's `Full`, `Empty` and `ShutDown`
//! exceptions and the `ValueError` of `task_done`, as values.
//!
//! A failed put hands its item back inside the error ([`PutError::into_inner`]),
//! so nothing is ever lost; the errors' `Debug` does not print the item, so it
//! needs no `T: Debug`.

use core::fmt;

/// A put that failed, with the item it was given.
///
/// # Differences from Python
///
/// Python raises `queue.Full` or `queue.ShutDown` and the item is gone unless
/// the caller kept a reference. Here the error owns the item:
/// [`into_inner`](PutError::into_inner) gives it back.
///
/// # Examples
///
/// ```
/// use bobbin_queue::{PutError, Queue};
///
/// let q = Queue::bounded(1);
/// q.put("first").unwrap();
/// let err = q.try_put("second").unwrap_err();
/// assert!(err.is_full());
/// assert_eq!(format!("{err:?}"), "Full(..)");
/// assert_eq!(err.to_string(), "queue is full");
/// assert_eq!(err.into_inner(), "second");
///
/// q.shutdown();
/// assert_eq!(q.try_put("third"), Err(PutError::ShutDown("third")));
/// ```
#[doc(alias = "Full")]
#[doc(alias = "ShutDown")]
#[derive(Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PutError<T> {
    /// The queue was full (Python's `queue.Full`): a non-blocking put found no
    /// free slot, or a timed put found none before its deadline.
    #[error("queue is full")]
    Full(T),
    /// The queue was shut down (Python's `queue.ShutDown`): no put succeeds
    /// after [`shutdown`](crate::Queue::shutdown).
    #[error("queue is shut down")]
    ShutDown(T),
}

impl<T> PutError<T> {
    /// The item the failed put was given.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_queue::Queue;
    ///
    /// let q = Queue::new(0);
    /// q.shutdown();
    /// let item = q.put(String::from("kept")).unwrap_err().into_inner();
    /// assert_eq!(item, "kept");
    /// ```
    #[inline]
    #[must_use]
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::ShutDown(item) => item,
        }
    }

    /// Whether the put failed because the queue was full.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_queue::PutError;
    ///
    /// assert!(PutError::Full(1).is_full());
    /// assert!(!PutError::ShutDown(1).is_full());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_full(&self) -> bool {
        matches!(self, PutError::Full(_))
    }

    /// Whether the put failed because the queue was shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_queue::PutError;
    ///
    /// assert!(PutError::ShutDown(1).is_shutdown());
    /// assert!(!PutError::Full(1).is_shutdown());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_shutdown(&self) -> bool {
        matches!(self, PutError::ShutDown(_))
    }
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("Full(..)"),
            PutError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

/// A get that found no item.
///
/// # Examples
///
/// ```
/// use bobbin_queue::{GetError, Queue};
/// use std::time::Duration;
///
/// let q: Queue<i32> = Queue::new(0);
/// assert_eq!(q.try_get(), Err(GetError::Empty));
/// assert_eq!(q.get_timeout(Duration::from_millis(1)), Err(GetError::Empty));
/// q.shutdown();
/// assert_eq!(q.get(), Err(GetError::ShutDown));
/// assert_eq!(GetError::ShutDown.to_string(), "queue is shut down");
/// ```
#[doc(alias = "Empty")]
#[doc(alias = "ShutDown")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum GetError {
    /// The queue was empty (Python's `queue.Empty`): a non-blocking get found
    /// no item, or a timed get found none before its deadline.
    #[error("queue is empty")]
    Empty,
    /// The queue was shut down and has no item left to give (Python's
    /// `queue.ShutDown`): after a graceful [`shutdown`](crate::Queue::shutdown)
    /// once it is drained, after
    /// [`shutdown_immediate`](crate::Queue::shutdown_immediate) at once.
    #[error("queue is shut down")]
    ShutDown,
}

impl GetError {
    /// Whether the get failed because the queue was empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_queue::GetError;
    ///
    /// assert!(GetError::Empty.is_empty());
    /// assert!(!GetError::ShutDown.is_empty());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(self, GetError::Empty)
    }

    /// Whether the get failed because the queue was shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_queue::GetError;
    ///
    /// assert!(GetError::ShutDown.is_shutdown());
    /// assert!(!GetError::Empty.is_shutdown());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_shutdown(&self) -> bool {
        matches!(self, GetError::ShutDown)
    }
}

/// `task_done` was called more times than items were put (Python's
/// `ValueError`); the count of unfinished tasks is left unchanged.
///
/// # Examples
///
/// ```
/// use bobbin_queue::{Queue, TaskDoneError};
///
/// let q = Queue::new(0);
/// q.put(1).unwrap();
/// q.get().unwrap();
/// assert_eq!(q.task_done(), Ok(()));
/// assert_eq!(q.task_done(), Err(TaskDoneError));
/// assert_eq!(TaskDoneError.to_string(), "task_done() called too many times");
/// ```
#[doc(alias = "ValueError")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, thiserror::Error)]
#[error("task_done() called too many times")]
pub struct TaskDoneError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_does_not_need_the_item_to_be_debug() {
        struct Opaque;
        assert_eq!(format!("{:?}", PutError::Full(Opaque)), "Full(..)");
        assert_eq!(format!("{:?}", PutError::ShutDown(Opaque)), "ShutDown(..)");
    }

    #[test]
    fn errors_are_std_errors_for_any_item() {
        struct Opaque;
        fn is_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
        is_error(&PutError::Full(Opaque));
        is_error(&GetError::Empty);
        is_error(&TaskDoneError);
    }

    #[test]
    fn messages_are_short_and_lowercase() {
        assert_eq!(PutError::ShutDown(()).to_string(), "queue is shut down");
        assert_eq!(GetError::Empty.to_string(), "queue is empty");
    }
}
