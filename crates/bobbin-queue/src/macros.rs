//! The methods the queues share, written once.
//!
//! Every queue is a thin type around an engine's core (the lock-free
//! [`Core`] or the [`LockedCore`]); these macros give each the same methods
//! with the same documentation, naming the type in every example so that
//! each example runs against each queue. This module sits above both
//! engines, which know nothing of it.

use crate::engine::Core;
use crate::locked_engine::LockedCore;
use crate::storage::{Collection, Storage};

/// How a tracked queue's macro-made `new` builds its core, whichever engine
/// it runs on.
pub(crate) trait NewCore {
    /// An empty queue of at most `maxsize` items (0: no bound).
    fn with_maxsize(maxsize: usize) -> Self;
}

impl<S: Storage> NewCore for Core<S, true> {
    fn with_maxsize(maxsize: usize) -> Self {
        Core::new(S::with_maxsize(maxsize), maxsize)
    }
}

impl<C: Collection> NewCore for LockedCore<C> {
    fn with_maxsize(maxsize: usize) -> Self {
        LockedCore::with_maxsize(maxsize)
    }
}

/// The get side, the sizes and the iterators: every queue has them.
///
/// `$Q` is the queue type (with its item bound), `$new` an example
/// expression that makes an empty unbounded queue of integers.
macro_rules! get_methods {
    ($Q:ident $(: $bound:ident)?, $new:literal) => {
        impl<T $(: $bound)?> $Q<T> {
            /// Removes and returns the next item (Python's `get()`),
            /// waiting for one if the queue is empty.
            ///
            /// [`get_timeout`](Self::get_timeout) and
            /// [`get_until`](Self::get_until) bound the wait;
            /// [`try_get`](Self::try_get) does not wait.
            ///
            /// # Memory ordering
            ///
            /// Everything the thread that put the item did before its put
            /// happens before everything this thread does after the get.
            ///
            /// # Errors
            ///
            /// [`GetError::ShutDown`](crate::GetError::ShutDown) if the queue
            /// is shut down and has no item left: at once after
            /// `shutdown_immediate`, once drained after `shutdown`, including
            /// while this get waits.
            ///
            /// # Panics
            ///
            /// Never panics.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", $new, ";")]
            /// std::thread::scope(|s| {
            ///     s.spawn(|| q.put(7).unwrap());
            ///     assert_eq!(q.get(), Ok(7)); // waits for the put
            /// });
            /// ```
            #[inline]
            pub fn get(&self) -> Result<T, crate::GetError> {
                self.core.get_until(bobbin_park::Deadline::never())
            }

            /// Like [`get`](Self::get), but gives up with
            /// [`GetError::Empty`](crate::GetError::Empty) if no item comes
            /// within `timeout` (Python's `get(timeout=...)`).
            ///
            /// The timeout is the earliest moment the call gives up, never
            /// the latest. A zero timeout makes it a non-blocking
            /// [`try_get`](Self::try_get); a timeout too large to represent
            /// (`Duration::MAX`) waits forever.
            ///
            /// # Errors
            ///
            /// [`GetError::Empty`](crate::GetError::Empty) if the timeout
            /// passes first; [`GetError::ShutDown`](crate::GetError::ShutDown)
            /// as for [`get`](Self::get).
            ///
            /// # Panics
            ///
            /// Never panics.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::{GetError, ", stringify!($Q), "};")]
            /// use std::time::{Duration, Instant};
            ///
            #[doc = concat!("let q = ", $new, ";")]
            /// let start = Instant::now();
            /// assert_eq!(q.get_timeout(Duration::from_millis(20)), Err(GetError::Empty));
            /// assert!(start.elapsed() >= Duration::from_millis(20));
            /// q.put(1).unwrap();
            /// assert_eq!(q.get_timeout(Duration::from_millis(20)), Ok(1));
            /// ```
            #[doc(alias = "get")]
            #[inline]
            pub fn get_timeout(&self, timeout: core::time::Duration) -> Result<T, crate::GetError> {
                self.core.get_until(bobbin_park::Deadline::after(timeout))
            }

            /// Like [`get`](Self::get), but gives up with
            /// [`GetError::Empty`](crate::GetError::Empty) if no item comes
            /// by `deadline` (a deadline in the past makes it a non-blocking
            /// [`try_get`](Self::try_get)).
            ///
            /// # Errors
            ///
            /// [`GetError::Empty`](crate::GetError::Empty) if the deadline
            /// passes first; [`GetError::ShutDown`](crate::GetError::ShutDown)
            /// as for [`get`](Self::get).
            ///
            /// # Panics
            ///
            /// Never panics.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::{GetError, ", stringify!($Q), "};")]
            /// use std::time::{Duration, Instant};
            ///
            #[doc = concat!("let q = ", $new, ";")]
            /// let deadline = Instant::now() + Duration::from_millis(20);
            /// assert_eq!(q.get_until(deadline), Err(GetError::Empty));
            /// assert!(Instant::now() >= deadline);
            /// q.put(1).unwrap();
            /// assert_eq!(q.get_until(deadline), Ok(1)); // a passed deadline still takes an item
            /// ```
            #[doc(alias = "get")]
            #[inline]
            pub fn get_until(&self, deadline: std::time::Instant) -> Result<T, crate::GetError> {
                self.core.get_until(bobbin_park::Deadline::at(deadline))
            }

            /// Removes and returns the next item if there is one now
            /// (Python's `get_nowait()`, or `get(block=False)`).
            ///
            /// # Errors
            ///
            /// [`GetError::Empty`](crate::GetError::Empty) if the queue is
            /// empty; [`GetError::ShutDown`](crate::GetError::ShutDown) if it
            /// is shut down with no item left, as for [`get`](Self::get).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::{GetError, ", stringify!($Q), "};")]
            ///
            #[doc = concat!("let q = ", $new, ";")]
            /// assert_eq!(q.try_get(), Err(GetError::Empty));
            /// q.put(1).unwrap();
            /// assert_eq!(q.try_get(), Ok(1));
            /// ```
            #[doc(alias = "get_nowait")]
            #[inline]
            pub fn try_get(&self) -> Result<T, crate::GetError> {
                self.core.try_get()
            }

            /// The number of items in the queue (Python's `qsize()`).
            ///
            /// Exact at the moment it is read; other threads may change it
            /// right after, so a get or put that follows may still wait.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", $new, ";")]
            /// q.put(1).unwrap();
            /// q.put(2).unwrap();
            /// assert_eq!(q.qsize(), 2);
            /// ```
            #[must_use]
            #[inline]
            pub fn qsize(&self) -> usize {
                self.core.qsize()
            }

            /// Whether the queue holds no item (Python's `empty()`).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", $new, ";")]
            /// assert!(q.is_empty());
            /// q.put(1).unwrap();
            /// assert!(!q.is_empty());
            /// ```
            #[doc(alias = "empty")]
            #[must_use]
            #[inline]
            pub fn is_empty(&self) -> bool {
                self.core.is_empty()
            }

            /// A blocking iterator: each step is a [`get`](Self::get), and
            /// the iteration ends when the queue is shut down and drained
            /// (see [`Iter`](crate::Iter)).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", $new, ";")]
            /// std::thread::scope(|s| {
            ///     s.spawn(|| {
            ///         for i in 0..3 {
            ///             q.put(i).unwrap();
            ///         }
            ///     });
            ///     let total: i32 = q.iter().take(3).sum();
            ///     assert_eq!(total, 3);
            /// });
            /// ```
            #[inline]
            pub fn iter(&self) -> crate::Iter<'_, Self> {
                crate::Iter::new(self)
            }

            /// A non-blocking iterator: each step is a
            /// [`try_get`](Self::try_get), and the iteration ends as soon as
            /// the queue is empty (see [`TryIter`](crate::TryIter)).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", $new, ";")]
            /// q.put(5).unwrap();
            /// assert_eq!(q.try_iter().collect::<Vec<_>>(), [5]);
            /// assert!(q.is_empty());
            /// ```
            #[inline]
            pub fn try_iter(&self) -> crate::TryIter<'_, Self> {
                crate::TryIter::new(self)
            }
        }

        impl<T $(: $bound)?> crate::iter::sealed::Source for $Q<T> {
            type Item = T;

            #[inline]
            fn next_blocking(&self) -> Option<T> {
                self.get().ok()
            }

            #[inline]
            fn next_now(&self) -> Option<T> {
                self.try_get().ok()
            }
        }

        impl<'a, T $(: $bound)?> IntoIterator for &'a $Q<T> {
            type Item = T;
            type IntoIter = crate::Iter<'a, $Q<T>>;

            /// The blocking iterator of `iter()`.
            #[inline]
            fn into_iter(self) -> crate::Iter<'a, $Q<T>> {
                self.iter()
            }
        }
    };
}

/// The constructors, the put side, the task tracking and the shutdown of
/// the three queues that have them (`Queue`, `LifoQueue`, `PriorityQueue`).
macro_rules! tracked_methods {
    ($Q:ident $(: $bound:ident)?) => {
        impl<T $(: $bound)?> $Q<T> {
            /// A queue of at most `maxsize` items, or an unbounded one if
            /// `maxsize` is 0 (Python's `Queue(maxsize)`).
            ///
            /// # Differences from Python
            ///
            /// Python treats any `maxsize <= 0` as unbounded; a `usize`
            /// cannot be negative, so here only 0 is. The bound is fixed
            /// once the queue is made.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let bounded = ", stringify!($Q), "::<u8>::new(10);")]
            /// assert_eq!(bounded.maxsize(), 10);
            #[doc = concat!("let unbounded = ", stringify!($Q), "::<u8>::new(0);")]
            /// assert_eq!(unbounded.maxsize(), 0);
            /// assert!(!unbounded.is_full());
            /// ```
            #[must_use]
            pub fn new(maxsize: usize) -> Self {
                $Q {
                    core: crate::macros::NewCore::with_maxsize(maxsize),
                }
            }

            /// A queue of at most `maxsize` items.
            ///
            /// # Panics
            ///
            /// If `maxsize` is 0: Python's rule makes `new(0)` unbounded, so
            /// a bounded queue of no room is refused rather than guessed at
            /// (use [`unbounded`](Self::unbounded) or [`new`](Self::new)).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::bounded(1);")]
            /// q.put(1).unwrap();
            /// assert!(q.is_full());
            /// assert!(q.try_put(2).unwrap_err().is_full());
            /// ```
            #[must_use]
            #[track_caller]
            pub fn bounded(maxsize: usize) -> Self {
                assert!(
                    maxsize != 0,
                    "a bounded queue needs room for at least one item (new(0) is unbounded)"
                );
                Self::new(maxsize)
            }

            /// A queue without a bound (Python's `Queue()`), the same as
            /// `new(0)`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::unbounded();")]
            /// for i in 0..1000 {
            ///     q.try_put(i).unwrap();
            /// }
            /// assert_eq!(q.qsize(), 1000);
            /// assert_eq!(q.maxsize(), 0);
            /// ```
            #[must_use]
            pub fn unbounded() -> Self {
                Self::new(0)
            }

            /// Adds `item` to the queue (Python's `put(item)`), waiting
            /// while it is full.
            ///
            /// Counts one more unfinished task for [`join`](Self::join).
            /// [`put_timeout`](Self::put_timeout) and
            /// [`put_until`](Self::put_until) bound the wait;
            /// [`try_put`](Self::try_put) does not wait. An unbounded queue
            /// never waits.
            ///
            /// # Differences from Python
            ///
            /// A failed put hands the item back inside the error.
            ///
            /// # Memory ordering
            ///
            /// Everything this thread did before the put happens before
            /// everything the thread that gets the item does after its get.
            ///
            /// # Errors
            ///
            /// [`PutError::ShutDown`](crate::PutError::ShutDown) with the
            /// item if the queue is shut down, before or while the put waits.
            ///
            /// # Panics
            ///
            /// If 2^61 tasks are unfinished, which would overflow the count
            /// (a program that never calls `task_done` needs decades).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::bounded(1);")]
            /// q.put(1).unwrap();
            /// std::thread::scope(|s| {
            ///     s.spawn(|| q.put(2).unwrap()); // waits for the get below
            ///     assert_eq!(q.get(), Ok(1));
            /// });
            /// assert_eq!(q.get(), Ok(2));
            /// ```
            #[inline]
            pub fn put(&self, item: T) -> Result<(), crate::PutError<T>> {
                self.core.put_until(item, bobbin_park::Deadline::never())
            }

            /// Like [`put`](Self::put), but gives up with
            /// [`PutError::Full`](crate::PutError::Full) if no slot frees
            /// within `timeout` (Python's `put(item, timeout=...)`).
            ///
            /// The timeout is the earliest moment the call gives up, never
            /// the latest. A zero timeout makes it a non-blocking
            /// [`try_put`](Self::try_put); a timeout too large to represent
            /// (`Duration::MAX`) waits forever.
            ///
            /// # Errors
            ///
            /// [`PutError::Full`](crate::PutError::Full) with the item if
            /// the timeout passes first;
            /// [`PutError::ShutDown`](crate::PutError::ShutDown) as for
            /// [`put`](Self::put).
            ///
            /// # Panics
            ///
            /// As for [`put`](Self::put).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::{PutError, ", stringify!($Q), "};")]
            /// use std::time::{Duration, Instant};
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::bounded(1);")]
            /// q.put(1).unwrap();
            /// let start = Instant::now();
            /// assert_eq!(q.put_timeout(2, Duration::from_millis(20)), Err(PutError::Full(2)));
            /// assert!(start.elapsed() >= Duration::from_millis(20));
            /// ```
            #[doc(alias = "put")]
            #[inline]
            pub fn put_timeout(
                &self,
                item: T,
                timeout: core::time::Duration,
            ) -> Result<(), crate::PutError<T>> {
                self.core.put_until(item, bobbin_park::Deadline::after(timeout))
            }

            /// Like [`put`](Self::put), but gives up with
            /// [`PutError::Full`](crate::PutError::Full) if no slot frees by
            /// `deadline` (a deadline in the past makes it a non-blocking
            /// [`try_put`](Self::try_put)).
            ///
            /// # Errors
            ///
            /// [`PutError::Full`](crate::PutError::Full) with the item if
            /// the deadline passes first;
            /// [`PutError::ShutDown`](crate::PutError::ShutDown) as for
            /// [`put`](Self::put).
            ///
            /// # Panics
            ///
            /// As for [`put`](Self::put).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            /// use std::time::{Duration, Instant};
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::bounded(1);")]
            /// q.put(1).unwrap();
            /// let deadline = Instant::now() + Duration::from_millis(20);
            /// let err = q.put_until(2, deadline).unwrap_err();
            /// assert!(err.is_full() && Instant::now() >= deadline);
            /// assert_eq!(err.into_inner(), 2);
            /// ```
            #[doc(alias = "put")]
            #[inline]
            pub fn put_until(
                &self,
                item: T,
                deadline: std::time::Instant,
            ) -> Result<(), crate::PutError<T>> {
                self.core.put_until(item, bobbin_park::Deadline::at(deadline))
            }

            /// Adds `item` if there is room now (Python's `put_nowait(item)`,
            /// or `put(item, block=False)`).
            ///
            /// # Errors
            ///
            /// [`PutError::Full`](crate::PutError::Full) with the item if the
            /// queue is full; [`PutError::ShutDown`](crate::PutError::ShutDown)
            /// with the item if it is shut down (checked first, as in
            /// Python).
            ///
            /// # Panics
            ///
            /// As for [`put`](Self::put).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::{PutError, ", stringify!($Q), "};")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::bounded(1);")]
            /// assert_eq!(q.try_put(1), Ok(()));
            /// assert_eq!(q.try_put(2), Err(PutError::Full(2)));
            /// q.shutdown();
            /// assert_eq!(q.try_put(3), Err(PutError::ShutDown(3)));
            /// ```
            #[doc(alias = "put_nowait")]
            #[inline]
            pub fn try_put(&self, item: T) -> Result<(), crate::PutError<T>> {
                self.core.try_put(item)
            }

            /// Whether the queue holds `maxsize` items (Python's `full()`);
            /// never true for an unbounded queue.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::bounded(2);")]
            /// q.put(1).unwrap();
            /// assert!(!q.is_full());
            /// q.put(2).unwrap();
            /// assert!(q.is_full());
            /// ```
            #[doc(alias = "full")]
            #[must_use]
            #[inline]
            pub fn is_full(&self) -> bool {
                self.core.is_full()
            }

            /// The bound the queue was made with; 0 for an unbounded queue
            /// (Python's `maxsize` attribute).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("assert_eq!(", stringify!($Q), "::<u8>::bounded(3).maxsize(), 3);")]
            #[doc = concat!("assert_eq!(", stringify!($Q), "::<u8>::unbounded().maxsize(), 0);")]
            /// ```
            #[must_use]
            #[inline]
            pub fn maxsize(&self) -> usize {
                self.core.maxsize()
            }

            /// Tells the queue that the processing of one gotten item is
            /// complete (Python's `task_done()`).
            ///
            /// Every put counts one unfinished task; `task_done` counts one
            /// down, and when the count reaches zero every thread blocked in
            /// [`join`](Self::join) wakes. It works the same before and after
            /// a shutdown.
            ///
            /// # Memory ordering
            ///
            /// Everything this thread did before `task_done` happens before
            /// everything a thread does after the `join` it lets return.
            ///
            /// # Errors
            ///
            /// [`TaskDoneError`](crate::TaskDoneError) if there is no
            /// unfinished task (it was called more times than items were
            /// put); the count stays at zero.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::{", stringify!($Q), ", TaskDoneError};")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::unbounded();")]
            /// q.put("job").unwrap();
            /// assert_eq!(q.unfinished_tasks(), 1);
            /// let _job = q.get().unwrap();
            /// assert_eq!(q.task_done(), Ok(()));
            /// assert_eq!(q.unfinished_tasks(), 0);
            /// assert_eq!(q.task_done(), Err(TaskDoneError));
            /// ```
            #[inline]
            pub fn task_done(&self) -> Result<(), crate::TaskDoneError> {
                self.core.task_done()
            }

            /// Waits until every item ever put has been gotten and
            /// processed: until the count of unfinished tasks is zero
            /// (Python's `join()`).
            ///
            /// The count rises with every put and falls with every
            /// [`task_done`](Self::task_done), and by the number of items
            /// [`shutdown_immediate`](Self::shutdown_immediate) removes. A
            /// shutdown does not release `join` by itself: after an immediate
            /// one, `join` still waits for the `task_done` of every item that
            /// was gotten before it (as CPython 3.13 does).
            /// [`join_timeout`](Self::join_timeout) and
            /// [`join_until`](Self::join_until) bound the wait.
            ///
            /// # Memory ordering
            ///
            /// Everything done before each `task_done` happens before
            /// everything this thread does after `join` returns.
            ///
            /// # Panics
            ///
            /// Never panics.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::unbounded();")]
            /// for job in 0..4 {
            ///     q.put(job).unwrap();
            /// }
            /// std::thread::scope(|s| {
            ///     s.spawn(|| {
            ///         while let Ok(_job) = q.try_get() {
            ///             q.task_done().unwrap();
            ///         }
            ///     });
            ///     q.join(); // returns once the worker has done all four
            ///     assert!(q.is_empty());
            ///     assert_eq!(q.unfinished_tasks(), 0);
            /// });
            /// ```
            #[inline]
            pub fn join(&self) {
                self.core.join_until(bobbin_park::Deadline::never());
            }

            /// Like [`join`](Self::join), but gives up after `timeout`;
            /// returns whether every task is done. Python has no such call
            /// (cpython#60187).
            ///
            /// The timeout is the earliest moment the call gives up; a zero
            /// timeout only checks, and `Duration::MAX` waits forever.
            ///
            /// # Panics
            ///
            /// Never panics.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            /// use std::time::Duration;
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::unbounded();")]
            /// assert!(q.join_timeout(Duration::ZERO));
            /// q.put(1).unwrap();
            /// assert!(!q.join_timeout(Duration::from_millis(10)));
            /// q.get().unwrap();
            /// q.task_done().unwrap();
            /// assert!(q.join_timeout(Duration::from_millis(10)));
            /// ```
            #[doc(alias = "join")]
            #[must_use = "the result says whether every task is done"]
            #[inline]
            pub fn join_timeout(&self, timeout: core::time::Duration) -> bool {
                self.core.join_until(bobbin_park::Deadline::after(timeout))
            }

            /// Like [`join`](Self::join), but gives up at `deadline`; returns
            /// whether every task is done. A deadline in the past only checks.
            ///
            /// # Panics
            ///
            /// Never panics.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            /// use std::time::{Duration, Instant};
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::unbounded();")]
            /// q.put(1).unwrap();
            /// let deadline = Instant::now() + Duration::from_millis(10);
            /// assert!(!q.join_until(deadline));
            /// assert!(Instant::now() >= deadline);
            /// ```
            #[doc(alias = "join")]
            #[must_use = "the result says whether every task is done"]
            #[inline]
            pub fn join_until(&self, deadline: std::time::Instant) -> bool {
                self.core.join_until(bobbin_park::Deadline::at(deadline))
            }

            /// The count of tasks not yet marked done: items put minus
            /// [`task_done`](Self::task_done) calls (Python's
            /// `unfinished_tasks` attribute).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::unbounded();")]
            /// q.put(1).unwrap();
            /// q.put(2).unwrap();
            /// q.get().unwrap();
            /// assert_eq!(q.unfinished_tasks(), 2);
            /// ```
            #[must_use]
            #[inline]
            pub fn unfinished_tasks(&self) -> usize {
                self.core.unfinished_tasks()
            }

            /// Shuts the queue down gracefully (Python 3.13's `shutdown()`):
            /// from now on every put fails with
            /// [`PutError::ShutDown`](crate::PutError::ShutDown), and gets
            /// take the items that are left and then fail with
            /// [`GetError::ShutDown`](crate::GetError::ShutDown). Every
            /// blocked putter and getter wakes to see it.
            ///
            /// [`task_done`](Self::task_done) and [`join`](Self::join) work
            /// as before. Calling it again, or after
            /// [`shutdown_immediate`](Self::shutdown_immediate), does
            /// nothing more.
            ///
            /// # Memory ordering
            ///
            /// A put that returned `Ok` before the shutdown returned has its
            /// item in the queue when the shutdown returns; no put that
            /// starts after it succeeds.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::{GetError, ", stringify!($Q), "};")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::unbounded();")]
            /// q.put(1).unwrap();
            /// q.shutdown();
            /// assert!(q.is_shutdown());
            /// assert!(q.put(2).unwrap_err().is_shutdown());
            /// assert_eq!(q.get(), Ok(1)); // drained first
            /// assert_eq!(q.get(), Err(GetError::ShutDown));
            /// ```
            pub fn shutdown(&self) {
                self.core.shutdown();
            }

            /// Shuts the queue down at once (Python 3.13's
            /// `shutdown(immediate=True)`) and returns the items it held.
            ///
            /// Every put and every get fails from now on, with
            /// [`PutError::ShutDown`](crate::PutError::ShutDown) and
            /// [`GetError::ShutDown`](crate::GetError::ShutDown). The queue is
            /// emptied, the count of unfinished tasks falls by the number of
            /// items removed (not below zero), which releases
            /// [`join`](Self::join) if no gotten item still awaits its
            /// [`task_done`](Self::task_done), and every blocked putter,
            /// getter and joiner wakes.
            ///
            /// # Differences from Python
            ///
            /// Python discards the removed items; here they are returned,
            /// in the order gets would have taken them, so nothing is lost.
            /// Called as a statement, as Python's
            /// `q.shutdown(immediate=True)` is, it drops them.
            ///
            /// # Memory ordering
            ///
            /// The returned items include every item whose put returned `Ok`
            /// before this call and that no get took. A get that runs at the
            /// same time as this call may still take an item; once it has
            /// returned, every get fails.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::{GetError, ", stringify!($Q), "};")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::unbounded();")]
            /// q.put(1).unwrap();
            /// q.put(2).unwrap();
            /// assert_eq!(q.shutdown_immediate().len(), 2);
            /// assert_eq!(q.get(), Err(GetError::ShutDown));
            /// assert_eq!(q.unfinished_tasks(), 0);
            /// q.join(); // returns at once
            /// ```
            #[doc(alias = "shutdown")]
            pub fn shutdown_immediate(&self) -> Vec<T> {
                self.core.shutdown_immediate()
            }

            /// Whether the queue has been shut down, gracefully or at once
            /// (Python's `is_shutdown` attribute).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_queue::", stringify!($Q), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($Q), "::<u8>::unbounded();")]
            /// assert!(!q.is_shutdown());
            /// q.shutdown();
            /// assert!(q.is_shutdown());
            /// ```
            #[must_use]
            #[inline]
            pub fn is_shutdown(&self) -> bool {
                self.core.is_shutdown()
            }
        }

        impl<T $(: $bound)?> Default for $Q<T> {
            /// An unbounded queue, as Python's `Queue()`.
            fn default() -> Self {
                Self::unbounded()
            }
        }

        impl<T $(: $bound)?> core::fmt::Debug for $Q<T> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($Q))
                    .field("qsize", &self.qsize())
                    .field("maxsize", &self.maxsize())
                    .field("unfinished_tasks", &self.unfinished_tasks())
                    .field("is_shutdown", &self.is_shutdown())
                    .finish_non_exhaustive()
            }
        }
    };
}
