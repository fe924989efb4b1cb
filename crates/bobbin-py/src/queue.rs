//! `Queue`, `LifoQueue` and `PriorityQueue`: CPython's `queue.Queue` design
//! (one mutex, three conditions) in Rust, on a bobbin `Lock` and three
//! bobbin `Condition`s, shared with Rust threads through [`SharedQueue`].
//!
//! # Why not `bobbin_queue::Queue`
//!
//! Two of CPython's rules do not fit bobbin-queue's queues: `maxsize` is an
//! attribute Python code may change at any time (`test_queue`'s
//! `test_shrinking_queue`), where bobbin-queue fixes the bound (and sizes
//! the storage) at construction; and a `PriorityQueue` orders its items
//! with Python's `<`, which needs the GIL and can raise, while bobbin-queue
//! compares under its storage lock. So these three run on one small
//! monitor here; `SimpleQueue`, which has neither, is bobbin-queue's.
//!
//! # The GIL and the queue's lock
//!
//! The queue's state (items, bound, task count, shutdown flag) is under one
//! bobbin `Lock`, the *queue lock*. It is held for a few instructions at a
//! time by Python threads (holding the GIL) and by Rust threads and waiting
//! Python threads (without it), and never while waiting for the GIL, running
//! Python code or dropping an item:
//!
//! - A call from Python takes the queue lock holding the GIL only by tries
//!   (for a few hundred nanoseconds at most); if it stays busy the thread
//!   waits for it with the GIL released ([`wait::lock_gil`]), so no thread
//!   holding the GIL ever blocks on it.
//! - A call that must wait (an empty queue, a full one, `join`) releases
//!   the GIL and does the whole wait, and the put or get it waited for,
//!   without it: a FIFO or LIFO put or get needs no Python code.
//! - Items leave the queue lock before they are dropped: `shutdown
//!   (immediate=True)` takes them out and drops them (running their
//!   `__del__`) after releasing it.
//! - A `PriorityQueue` compares with no lock held: it reads the items it
//!   needs under the queue lock (new references), releases it, compares
//!   holding the GIL (where Python's `<` may release and take back the GIL,
//!   or raise), then takes the queue lock again and applies the result only
//!   if the queue has not changed since (a version count), else starts
//!   over. An exception from `<` leaves the queue as it was: the put's item
//!   is not in the queue, the get's item is still there.

use crate::errors;
use crate::wait::{self, Truthy, lock_gil};
use bobbin_lock::{Lock, LockGuard};
use bobbin_park::Deadline;
use bobbin_queue::{GetError, PutError, TaskDoneError};
use bobbin_signal::Condition;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict, PyTuple, PyType};
use pyo3::{PyTraverseError, PyVisit};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The order a queue gives its items out in.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Order {
    Fifo,
    Lifo,
    Priority,
}

/// What the queue lock protects.
#[derive(Debug)]
struct State {
    /// FIFO: oldest first; LIFO: newest last; priority: a binary heap
    /// (CPython's `heapq` layout), smallest at 0.
    items: VecDeque<Py<PyAny>>,
    /// Python's `maxsize`: no bound if it is 0 or less.
    maxsize: isize,
    /// Puts not yet matched by a `task_done`.
    unfinished: usize,
    /// `shutdown()` was called.
    shutdown: bool,
    /// Counts every change of the state, so that a priority step that
    /// compared with the lock released can tell whether the queue it read
    /// is still there.
    version: u64,
}

impl State {
    fn full(&self) -> bool {
        usize::try_from(self.maxsize).is_ok_and(|max| max > 0 && self.items.len() >= max)
    }
}

/// A queue's shared core: the state a Python `Queue`, `LifoQueue` or
/// `PriorityQueue` object and Rust threads use together.
#[derive(Debug)]
struct Core {
    order: Order,
    state: Lock<State>,
    not_empty: Condition,
    not_full: Condition,
    all_done: Condition,
}

/// A wait on `cond` by `deadline`, with the queue lock's guard.
fn cond_wait(cond: &Condition, guard: &mut LockGuard<'_, State>, deadline: Deadline) {
    wait::cond_wait(cond, guard, deadline);
}

/// How many of the items `above` (nearest first) `item` rises past: up to
/// the first that it is not `<`, as heapq's sifts compare. Holds the GIL,
/// and no lock, as Python's `<` may run any code.
fn levels_risen<'a>(
    py: Python<'_>,
    item: &Py<PyAny>,
    above: impl IntoIterator<Item = &'a Py<PyAny>>,
) -> PyResult<usize> {
    let mut rise = 0;
    for other in above {
        if !item.bind(py).lt(other.bind(py))? {
            break;
        }
        rise += 1;
    }
    Ok(rise)
}

impl Core {
    fn new(order: Order, maxsize: isize) -> Core {
        Core {
            order,
            state: Lock::new(State {
                items: VecDeque::new(),
                maxsize,
                unfinished: 0,
                shutdown: false,
                version: 0,
            }),
            not_empty: Condition::new(),
            not_full: Condition::new(),
            all_done: Condition::new(),
        }
    }

    /// A FIFO or LIFO put under the queue lock; no Python code runs.
    fn put_locked(&self, st: &mut State, item: Py<PyAny>) -> Result<(), PutError<Py<PyAny>>> {
        debug_assert_ne!(self.order, Order::Priority);
        if st.shutdown {
            return Err(PutError::ShutDown(item));
        }
        if st.full() {
            return Err(PutError::Full(item));
        }
        st.items.push_back(item);
        st.unfinished += 1;
        st.version += 1;
        self.not_empty.notify_one();
        Ok(())
    }

    /// A FIFO or LIFO get under the queue lock.
    fn get_locked(&self, st: &mut State) -> Result<Py<PyAny>, GetError> {
        debug_assert_ne!(self.order, Order::Priority);
        let item = match self.order {
            Order::Lifo => st.items.pop_back(),
            _ => st.items.pop_front(),
        };
        match item {
            Some(item) => {
                st.version += 1;
                self.not_full.notify_one();
                Ok(item)
            }
            None if st.shutdown => Err(GetError::ShutDown),
            None => Err(GetError::Empty),
        }
    }

    /// The monitor's wait, the queue lock taken without the GIL: runs
    /// `step` under the lock until it is done (`Some`), waiting on `cond`
    /// between two runs; `None` if `deadline` passed first.
    fn until_done<T>(
        &self,
        cond: &Condition,
        deadline: Deadline,
        mut step: impl FnMut(&mut State) -> Option<T>,
    ) -> Option<T> {
        let mut st = self.state.acquire();
        loop {
            if let Some(done) = step(&mut st) {
                return Some(done);
            }
            if deadline.has_passed() {
                return None;
            }
            cond_wait(cond, &mut st, deadline);
        }
    }

    /// A FIFO or LIFO put by `deadline` (`None`: a try), the queue lock
    /// taken without the GIL: for Rust threads, and for Python threads with
    /// the GIL released. A put that found the queue full leaves the item in
    /// `item`.
    fn put_until(
        &self,
        item: &mut Option<Py<PyAny>>,
        deadline: Deadline,
    ) -> Option<Result<(), PutError<Py<PyAny>>>> {
        self.until_done(&self.not_full, deadline, |st| {
            let it = item.take().expect("an item to put");
            match self.put_locked(st, it) {
                Err(PutError::Full(it)) => {
                    *item = Some(it);
                    None
                }
                done => Some(done),
            }
        })
    }

    /// A FIFO or LIFO get by `deadline`, the queue lock taken without the
    /// GIL; `None` if the deadline passed with the queue still empty.
    fn get_until(&self, deadline: Deadline) -> Option<Result<Py<PyAny>, GetError>> {
        self.until_done(&self.not_empty, deadline, |st| match self.get_locked(st) {
            Err(GetError::Empty) => None,
            done => Some(done),
        })
    }

    /// Waits without the GIL until `ready` holds for the state, or until
    /// `deadline`: `Some(())` if it holds.
    fn wait_for(
        &self,
        cond: &Condition,
        deadline: Deadline,
        ready: impl Fn(&State) -> bool,
    ) -> Option<()> {
        self.until_done(cond, deadline, |st| ready(st).then_some(()))
    }

    fn task_done(&self, st: &mut State) -> Result<(), TaskDoneError> {
        if st.unfinished == 0 {
            return Err(TaskDoneError);
        }
        st.unfinished -= 1;
        st.version += 1;
        if st.unfinished == 0 {
            self.all_done.notify_all();
        }
        Ok(())
    }

    /// Shuts the queue down under the lock; returns the items an immediate
    /// shutdown took out, to be dropped after the lock is released.
    fn shutdown(&self, st: &mut State, immediate: bool) -> Vec<Py<PyAny>> {
        st.shutdown = true;
        st.version += 1;
        let mut removed = Vec::new();
        if immediate {
            removed.extend(st.items.drain(..));
            st.unfinished = st.unfinished.saturating_sub(removed.len());
            self.all_done.notify_all();
        }
        self.not_empty.notify_all();
        self.not_full.notify_all();
        removed
    }

    // ---- Python calls ----

    fn py_put(&self, py: Python<'_>, item: Py<PyAny>, deadline: Option<Deadline>) -> PyResult<()> {
        if self.order == Order::Priority {
            return self.py_put_priority(py, item, deadline);
        }
        let item = {
            let mut st = lock_gil(py, &self.state);
            match self.put_locked(&mut st, item) {
                Ok(()) => return Ok(()),
                Err(PutError::Full(item)) => item,
                Err(_) => return Err(errors::shut_down(py)),
            }
        };
        let Some(deadline) = deadline else {
            return Err(errors::full(py));
        };
        let mut item = Some(item);
        match wait::block(py, deadline, |d| self.put_until(&mut item, d))? {
            Some(Ok(())) => Ok(()),
            Some(Err(PutError::ShutDown(_))) => Err(errors::shut_down(py)),
            Some(Err(_)) | None => Err(errors::full(py)),
        }
    }

    fn py_get(&self, py: Python<'_>, deadline: Option<Deadline>) -> PyResult<Py<PyAny>> {
        if self.order == Order::Priority {
            return self.py_get_priority(py, deadline);
        }
        let got = self.get_locked(&mut lock_gil(py, &self.state));
        let got = match (got, deadline) {
            (Err(GetError::Empty), Some(deadline)) => {
                wait::block(py, deadline, |d| self.get_until(d))?.unwrap_or(Err(GetError::Empty))
            }
            (got, _) => got,
        };
        got.map_err(|e| match e {
            GetError::ShutDown => errors::shut_down(py),
            _ => errors::empty(py),
        })
    }

    /// A priority put: compare holding the GIL and no lock, apply if the
    /// queue did not change meanwhile.
    fn py_put_priority(
        &self,
        py: Python<'_>,
        item: Py<PyAny>,
        deadline: Option<Deadline>,
    ) -> PyResult<()> {
        loop {
            // Read the new item's ancestors (where it would go in at the
            // bottom) under the lock.
            let (version, path) = {
                let st = lock_gil(py, &self.state);
                if st.shutdown {
                    return Err(errors::shut_down(py));
                }
                if st.full() {
                    let version = st.version;
                    drop(st);
                    if !self.wait_changed(py, &self.not_full, deadline, version, |st| !st.full())? {
                        return Err(errors::full(py));
                    }
                    continue;
                }
                let mut path = Vec::new();
                let mut pos = st.items.len();
                while pos > 0 {
                    let parent = (pos - 1) / 2;
                    path.push((parent, st.items[parent].clone_ref(py)));
                    pos = parent;
                }
                (st.version, path)
            };
            // How many levels the item rises: past each ancestor it is `<`
            // (heapq's `_siftdown`).
            let rise = levels_risen(py, &item, path.iter().map(|(_, ancestor)| ancestor))?;
            // Where the queue changed, `lock_at` has released the lock again,
            // so the path's references dropped on `continue` (their
            // `__del__` may run) are dropped with no lock held.
            let Some(mut st) = self.lock_at(py, version) else {
                continue;
            };
            st.items.push_back(item);
            let mut pos = st.items.len() - 1;
            for (parent, _) in path.iter().take(rise) {
                st.items.swap(pos, *parent);
                pos = *parent;
            }
            st.unfinished += 1;
            st.version += 1;
            self.not_empty.notify_one();
            drop(st);
            drop(path);
            return Ok(());
        }
    }

    /// A reference to item `index`, if the queue is still at `version`.
    fn item_at(&self, py: Python<'_>, version: u64, index: usize) -> Option<Py<PyAny>> {
        self.lock_at(py, version)
            .map(|st| st.items[index].clone_ref(py))
    }

    /// The queue lock, taken holding the GIL, if the queue is still at
    /// `version`: a priority step that read the queue and compared with the
    /// lock released applies its result only to the queue it read. If the
    /// queue changed, the lock is released again before this returns.
    fn lock_at(&self, py: Python<'_>, version: u64) -> Option<LockGuard<'_, State>> {
        let st = lock_gil(py, &self.state);
        (st.version == version).then_some(st)
    }

    /// A priority wait without the GIL for the queue to change from
    /// `version` and then be shut down or `ready`; `deadline` `None` does
    /// not wait. Whether it came before the deadline.
    fn wait_changed(
        &self,
        py: Python<'_>,
        cond: &Condition,
        deadline: Option<Deadline>,
        version: u64,
        ready: impl Fn(&State) -> bool + Sync,
    ) -> PyResult<bool> {
        let Some(deadline) = deadline else {
            return Ok(false);
        };
        let changed = wait::block(py, deadline, |d| {
            self.wait_for(cond, d, |st| {
                st.version != version && (st.shutdown || ready(st))
            })
        })?;
        Ok(changed.is_some())
    }

    /// A priority get: heapq's `heappop`, comparing with no lock held.
    fn py_get_priority(&self, py: Python<'_>, deadline: Option<Deadline>) -> PyResult<Py<PyAny>> {
        'retry: loop {
            let (version, n) = {
                let mut st = lock_gil(py, &self.state);
                let n = st.items.len();
                if n == 0 {
                    let shutdown = st.shutdown;
                    let version = st.version;
                    drop(st);
                    if shutdown {
                        return Err(errors::shut_down(py));
                    }
                    let ready = |st: &State| !st.items.is_empty();
                    if !self.wait_changed(py, &self.not_empty, deadline, version, ready)? {
                        return Err(errors::empty(py));
                    }
                    continue;
                }
                if n <= 2 {
                    // No comparison: the other item (if any) is the new root.
                    st.items.swap(0, n - 1);
                    let root = st.items.pop_back().expect("not empty");
                    st.version += 1;
                    self.not_full.notify_one();
                    return Ok(root);
                }
                (st.version, n)
            };
            // heapq's `_siftup`: the last item fills the root's hole; the
            // hole goes down the path of smaller children to a leaf, and the
            // last item rises from there.
            let end = n - 1;
            let Some(last) = self.item_at(py, version, end) else {
                continue;
            };
            let mut path: Vec<(usize, Py<PyAny>)> = Vec::new();
            let mut pos = 0;
            loop {
                let child = 2 * pos + 1;
                if child >= end {
                    break;
                }
                let right = child + 1;
                let Some(left_item) = self.item_at(py, version, child) else {
                    continue 'retry;
                };
                let chosen = if right < end {
                    let Some(right_item) = self.item_at(py, version, right) else {
                        continue 'retry;
                    };
                    if left_item.bind(py).lt(right_item.bind(py))? {
                        (child, left_item)
                    } else {
                        (right, right_item)
                    }
                } else {
                    (child, left_item)
                };
                pos = chosen.0;
                path.push(chosen);
            }
            let rise = levels_risen(py, &last, path.iter().rev().map(|(_, above)| above))?;
            let Some(mut st) = self.lock_at(py, version) else {
                continue;
            };
            // The path's items above the last one's place move up a level;
            // the root ends where the last item goes, and is swapped out.
            let mut at = 0;
            for (index, _) in &path[..path.len() - rise] {
                st.items.swap(at, *index);
                at = *index;
            }
            let last_item = st.items.pop_back().expect("more than two items");
            let root = std::mem::replace(&mut st.items[at], last_item);
            st.version += 1;
            self.not_full.notify_one();
            drop(st);
            drop(path);
            return Ok(root);
        }
    }
}

/// A queue shared between Python and Rust threads: the Rust side of a
/// `bobbin.Queue` or `bobbin.LifoQueue`.
///
/// Get one from a Python queue object with [`Queue::shared`], or make one
/// in Rust and give Python code its object with [`Queue::from_shared`].
/// Rust threads call these methods without the GIL: puts and gets wait on
/// bobbin's primitives and take the queue's lock for a few instructions,
/// never the GIL. Items are Python objects, so *making* an item needs the
/// GIL (`Python::attach`), and dropping one without it defers the decref
/// until some thread holds the GIL (PyO3's rule). `task_done` and `join`
/// count every put and get, from either language.
///
/// A `PriorityQueue` has no `SharedQueue`: it orders items with Python's
/// `<`, which needs the GIL.
///
/// # Examples
///
/// A Rust consumer of a queue Python code fills (`no_run`: it needs a
/// Python interpreter, which Rust tests here do without).
///
/// ```no_run
/// use bobbin_py::{Queue, SharedQueue};
/// use pyo3::prelude::*;
/// use std::sync::Arc;
///
/// /// Starts a Rust thread that sums the ints put into `queue` until it is
/// /// shut down, marking each one done.
/// #[pyfunction]
/// fn start_summing(queue: &Bound<'_, Queue>) -> PyResult<()> {
///     let shared: Arc<SharedQueue> = queue.get().shared().expect("a FIFO queue");
///     std::thread::spawn(move || {
///         let mut sum = 0i64;
///         while let Ok(item) = shared.get() {
///             sum += Python::attach(|py| item.extract::<i64>(py)).unwrap_or(0);
///             shared.task_done().unwrap();
///         }
///         println!("sum: {sum}");
///     });
///     Ok(())
/// }
/// ```
#[derive(Debug)]
pub struct SharedQueue {
    core: Core,
}

/// The one way a Rust thread waits: for `deadline`, or forever.
fn deadline_of(timeout: Option<Duration>) -> Deadline {
    Deadline::from_timeout(timeout)
}

impl SharedQueue {
    /// A FIFO queue of at most `maxsize` items (0: no bound), for Rust code
    /// to make and then hand to Python with [`Queue::from_shared`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let queue = bobbin_py::SharedQueue::fifo(10);
    /// assert_eq!(queue.maxsize(), 10);
    /// assert!(queue.is_empty());
    /// ```
    #[must_use]
    pub fn fifo(maxsize: usize) -> Arc<SharedQueue> {
        SharedQueue::with(Order::Fifo, maxsize)
    }

    /// A LIFO queue of at most `maxsize` items (0: no bound).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let stack = bobbin_py::SharedQueue::lifo(0);
    /// assert!(stack.is_empty());
    /// ```
    #[must_use]
    pub fn lifo(maxsize: usize) -> Arc<SharedQueue> {
        SharedQueue::with(Order::Lifo, maxsize)
    }

    fn with(order: Order, maxsize: usize) -> Arc<SharedQueue> {
        Arc::new(SharedQueue {
            core: Core::new(order, isize::try_from(maxsize).unwrap_or(isize::MAX)),
        })
    }

    /// Puts `item`, waiting while the queue is full: Python's `put(item)`.
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] with the item if the queue is shut down.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use pyo3::prelude::*;
    ///
    /// let queue = bobbin_py::SharedQueue::fifo(0);
    /// let item = Python::attach(|py| 42i64.into_pyobject(py).unwrap().into_any().unbind());
    /// queue.put(item).unwrap();
    /// assert_eq!(queue.qsize(), 1);
    /// ```
    pub fn put(&self, item: Py<PyAny>) -> Result<(), PutError<Py<PyAny>>> {
        self.put_by(item, Deadline::never())
    }

    /// Puts `item`, waiting at most `timeout` for room: Python's
    /// `put(item, timeout=t)`.
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] with the item if there was no room in time,
    /// [`PutError::ShutDown`] with the item if the queue is shut down.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use pyo3::prelude::*;
    /// use std::time::Duration;
    ///
    /// let queue = bobbin_py::SharedQueue::fifo(1);
    /// let item = || Python::attach(|py| py.None());
    /// queue.put(item()).unwrap();
    /// assert!(queue.put_timeout(item(), Duration::from_millis(10)).is_err());
    /// ```
    #[doc(alias = "put")]
    pub fn put_timeout(
        &self,
        item: Py<PyAny>,
        timeout: Duration,
    ) -> Result<(), PutError<Py<PyAny>>> {
        self.put_by(item, Deadline::after(timeout))
    }

    /// Puts `item` if there is room, without waiting: Python's
    /// `put_nowait(item)`.
    ///
    /// # Errors
    ///
    /// As [`put_timeout`](SharedQueue::put_timeout).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use pyo3::prelude::*;
    ///
    /// let queue = bobbin_py::SharedQueue::fifo(1);
    /// queue.try_put(Python::attach(|py| py.None())).unwrap();
    /// assert!(queue.try_put(Python::attach(|py| py.None())).is_err()); // Full
    /// ```
    #[doc(alias = "put_nowait")]
    pub fn try_put(&self, item: Py<PyAny>) -> Result<(), PutError<Py<PyAny>>> {
        self.put_by(item, Deadline::at(Instant::now()))
    }

    fn put_by(&self, item: Py<PyAny>, deadline: Deadline) -> Result<(), PutError<Py<PyAny>>> {
        let mut item = Some(item);
        match self.core.put_until(&mut item, deadline) {
            Some(done) => done,
            None => Err(PutError::Full(item.expect("kept by a put that timed out"))),
        }
    }

    /// Takes the next item, waiting while the queue is empty: Python's
    /// `get()`.
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] once the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// See [`SharedQueue`].
    pub fn get(&self) -> Result<Py<PyAny>, GetError> {
        self.get_by(Deadline::never())
    }

    /// Takes the next item, waiting at most `timeout`: Python's
    /// `get(timeout=t)`.
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] if none came in time, [`GetError::ShutDown`]
    /// once the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use bobbin_queue::GetError;
    /// use std::time::Duration;
    ///
    /// let queue = bobbin_py::SharedQueue::fifo(0);
    /// assert_eq!(queue.get_timeout(Duration::from_millis(5)).unwrap_err(), GetError::Empty);
    /// ```
    #[doc(alias = "get")]
    pub fn get_timeout(&self, timeout: Duration) -> Result<Py<PyAny>, GetError> {
        self.get_by(Deadline::after(timeout))
    }

    /// Takes the next item if there is one: Python's `get_nowait()`.
    ///
    /// # Errors
    ///
    /// As [`get_timeout`](SharedQueue::get_timeout).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let queue = bobbin_py::SharedQueue::lifo(0);
    /// assert!(queue.try_get().is_err());
    /// ```
    #[doc(alias = "get_nowait")]
    pub fn try_get(&self) -> Result<Py<PyAny>, GetError> {
        self.get_by(Deadline::at(Instant::now()))
    }

    fn get_by(&self, deadline: Deadline) -> Result<Py<PyAny>, GetError> {
        self.core
            .get_until(deadline)
            .unwrap_or(Err(GetError::Empty))
    }

    /// Marks one gotten item done: Python's `task_done()`.
    ///
    /// # Errors
    ///
    /// [`TaskDoneError`] if every put has been marked done already
    /// (Python's `ValueError`).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let queue = bobbin_py::SharedQueue::fifo(0);
    /// assert!(queue.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        self.core.task_done(&mut self.core.state.acquire())
    }

    /// Waits until every item put has been marked done: Python's `join()`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let queue = bobbin_py::SharedQueue::fifo(0);
    /// queue.join(); // nothing was put
    /// ```
    pub fn join(&self) {
        let joined = self
            .core
            .wait_for(&self.core.all_done, Deadline::never(), |st| {
                st.unfinished == 0
            });
        debug_assert!(joined.is_some());
    }

    /// Waits at most `timeout` until every item put has been marked done;
    /// returns whether they all were (Python's `join()` has no timeout;
    /// bobbin's `Queue.join(timeout)` does).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// let queue = bobbin_py::SharedQueue::fifo(0);
    /// assert!(queue.join_timeout(Duration::from_millis(1)));
    /// ```
    #[doc(alias = "join")]
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.core
            .wait_for(&self.core.all_done, deadline_of(Some(timeout)), |st| {
                st.unfinished == 0
            })
            .is_some()
    }

    /// How many items the queue holds: Python's `qsize()`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// assert_eq!(bobbin_py::SharedQueue::fifo(0).qsize(), 0);
    /// ```
    #[must_use]
    pub fn qsize(&self) -> usize {
        self.core.state.acquire().items.len()
    }

    /// Whether the queue holds no item: Python's `empty()`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// assert!(bobbin_py::SharedQueue::fifo(0).is_empty());
    /// ```
    #[doc(alias = "empty")]
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.core.state.acquire().items.is_empty()
    }

    /// The bound (0: none): Python's `maxsize`, which Python code may
    /// change.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// assert_eq!(bobbin_py::SharedQueue::fifo(3).maxsize(), 3);
    /// ```
    #[must_use]
    pub fn maxsize(&self) -> usize {
        usize::try_from(self.core.state.acquire().maxsize).unwrap_or(0)
    }

    /// How many puts have not been marked done: Python's
    /// `unfinished_tasks`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// assert_eq!(bobbin_py::SharedQueue::fifo(0).unfinished_tasks(), 0);
    /// ```
    #[must_use]
    pub fn unfinished_tasks(&self) -> usize {
        self.core.state.acquire().unfinished
    }

    /// Shuts the queue down: Python's `shutdown(immediate)`. Puts fail from
    /// now on; gets drain what is left, or (`immediate`) fail at once, and
    /// the items taken out are returned (Python drops them).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let queue = bobbin_py::SharedQueue::fifo(0);
    /// assert!(queue.shutdown(true).is_empty());
    /// assert!(queue.is_shutdown());
    /// ```
    pub fn shutdown(&self, immediate: bool) -> Vec<Py<PyAny>> {
        let mut st = self.core.state.acquire();
        self.core.shutdown(&mut st, immediate)
    }

    /// Whether the queue was shut down: Python's `is_shutdown`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// assert!(!bobbin_py::SharedQueue::fifo(0).is_shutdown());
    /// ```
    #[must_use]
    pub fn is_shutdown(&self) -> bool {
        self.core.state.acquire().shutdown
    }
}

/// The queue behind a Python `Queue`, `LifoQueue` or `PriorityQueue`
/// object: shared with Rust unless it orders by priority.
#[derive(Debug)]
enum Inner {
    Shared(Arc<SharedQueue>),
    Priority(Core),
}

/// A FIFO queue: queue.Queue(maxsize=0), whose put() and get() wait with
/// the GIL released, with task_done() and join(timeout=None), and
/// shutdown(immediate=False). LifoQueue and PriorityQueue are its
/// subclasses.
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

# Examples

```no_run
use bobbin_py::{Queue, SharedQueue};

let shared = SharedQueue::fifo(0);
let queue = Queue::from_shared(shared.clone()); // give it to Python
assert!(std::sync::Arc::ptr_eq(&queue.shared().unwrap(), &shared));
```
"##
)]
#[doc(alias = "queue.Queue")]
#[pyclass(subclass, frozen, weakref, dict, module = "bobbin")]
#[derive(Debug)]
pub struct Queue {
    inner: Inner,
}

impl Queue {
    /// The Python queue object whose queue is `shared` (a FIFO or LIFO
    /// queue made by [`SharedQueue::fifo`] or [`SharedQueue::lifo`]).
    ///
    /// # Examples
    ///
    /// See [`Queue`].
    #[must_use]
    pub fn from_shared(shared: Arc<SharedQueue>) -> Queue {
        Queue {
            inner: Inner::Shared(shared),
        }
    }

    /// The queue, for Rust threads; `None` for a `PriorityQueue`.
    ///
    /// # Examples
    ///
    /// See [`Queue`].
    #[must_use]
    pub fn shared(&self) -> Option<Arc<SharedQueue>> {
        match &self.inner {
            Inner::Shared(shared) => Some(Arc::clone(shared)),
            Inner::Priority(_) => None,
        }
    }

    fn core(&self) -> &Core {
        match &self.inner {
            Inner::Shared(shared) => &shared.core,
            Inner::Priority(core) => core,
        }
    }

    /// Whether `slf` is of one of bobbin's queue classes, not of a Python
    /// subclass, whose methods may override the ones CPython's pure-Python
    /// `Queue` calls on `self`.
    fn is_bobbins(slf: &Bound<'_, Queue>) -> bool {
        slf.is_exact_instance_of::<Queue>()
            || slf.is_exact_instance_of::<LifoQueue>()
            || slf.is_exact_instance_of::<PriorityQueue>()
    }

    /// The queue, if this object alone holds it: the garbage collector may
    /// walk and clear only such a queue's items. A queue Rust holds too
    /// (a [`SharedQueue`] handed out) may still be got from after the
    /// Python object is gone, so its items are never the collector's.
    fn own_core(&self) -> Option<&Core> {
        match &self.inner {
            Inner::Shared(shared) => (Arc::strong_count(shared) == 1
                && Arc::weak_count(shared) == 0)
                .then_some(&shared.core),
            Inner::Priority(core) => Some(core),
        }
    }

    fn of(order: Order) -> Queue {
        match order {
            Order::Priority => Queue {
                inner: Inner::Priority(Core::new(order, 0)),
            },
            _ => Queue::from_shared(SharedQueue::with(order, 0)),
        }
    }
}

#[pymethods]
impl Queue {
    // `__new__` takes whatever the constructor is given and `__init__`
    // sets `maxsize`, as with CPython's pure-Python class, so a subclass's
    // own `__init__(self, ...)` calling `super().__init__(maxsize)` works.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "(maxsize=0)")]
    fn py_new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Queue {
        Queue::of(Order::Fifo)
    }

    #[pyo3(signature = (maxsize = 0))]
    fn __init__(&self, py: Python<'_>, maxsize: isize) {
        self.set_maxsize(py, maxsize);
    }

    // The garbage collector's view of the items, so that a cycle through
    // them (an item that refers to its queue) is collected as with
    // CPython's queues. The queue lock is only tried: a thread holding it
    // is mid-step, and then nothing is visited (an object the collector is
    // not told about is kept, never freed early). Neither runs Python code
    // or waits.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        let Some(st) = self.own_core().and_then(|core| core.state.try_acquire()) else {
            return Ok(());
        };
        for item in &st.items {
            visit.call(item)?;
        }
        Ok(())
    }

    // Called only on garbage: no thread can be in a method of this object.
    // The items are dropped after the queue lock is released.
    fn __clear__(&self) {
        let items = match self.own_core().and_then(|core| core.state.try_acquire()) {
            Some(mut st) => std::mem::take(&mut st.items),
            None => return,
        };
        drop(items);
    }

    /// Put an item into the queue. With block true and timeout None (the
    /// default), wait until a free slot is available; with a timeout, wait
    /// at most that many seconds and raise queue.Full if no slot came; with
    /// block false, raise queue.Full at once if the queue is full. Raises
    /// queue.ShutDown if the queue has been shut down. The GIL is released
    /// while it waits.
    #[pyo3(
        signature = (item, block = Truthy(true), timeout = None),
        text_signature = "($self, /, item, block=True, timeout=None)"
    )]
    fn put(
        &self,
        py: Python<'_>,
        item: Py<PyAny>,
        block: Truthy,
        timeout: Option<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let deadline = match wait::queue_deadline(block.0, timeout.as_ref()) {
            Ok(deadline) => deadline,
            // CPython's `put` looks at the timeout only where it could
            // wait: in a bounded queue that is not shut down. Elsewhere a
            // put never waits, and a bad timeout is ignored, as there.
            Err(err) => {
                let (shut_down, bounded) = {
                    let st = lock_gil(py, &self.core().state);
                    (st.shutdown, st.maxsize > 0)
                };
                if shut_down {
                    return Err(errors::shut_down(py));
                }
                if bounded {
                    return Err(err);
                }
                Some(Deadline::never())
            }
        };
        self.core().py_put(py, item, deadline)
    }

    /// Put an item into the queue without blocking (queue.Full if none is
    /// free): `self.put(item, block=False)`, so a subclass's `put` is
    /// called, as in CPython.
    #[pyo3(text_signature = "($self, /, item)")]
    fn put_nowait(slf: &Bound<'_, Self>, item: Py<PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if Queue::is_bobbins(slf) {
            slf.get().core().py_put(py, item, None)?;
            return Ok(py.None());
        }
        let block = [("block", false)].into_py_dict(py)?;
        Ok(slf.call_method("put", (item,), Some(&block))?.unbind())
    }

    /// Remove and return an item from the queue. With block true and
    /// timeout None (the default), wait until an item is available; with a
    /// timeout, wait at most that many seconds and raise queue.Empty if none
    /// came; with block false, raise queue.Empty at once if the queue is
    /// empty. Raises queue.ShutDown once the queue is shut down and empty
    /// (at once after an immediate shutdown). The GIL is released while it
    /// waits.
    #[pyo3(
        signature = (block = Truthy(true), timeout = None),
        text_signature = "($self, /, block=True, timeout=None)"
    )]
    fn get(
        &self,
        py: Python<'_>,
        block: Truthy,
        timeout: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let deadline = wait::queue_deadline(block.0, timeout.as_ref())?;
        self.core().py_get(py, deadline)
    }

    /// Remove and return an item without blocking (queue.Empty if there is
    /// none): `self.get(block=False)`, so a subclass's `get` is called, as
    /// in CPython.
    #[pyo3(text_signature = "($self, /)")]
    fn get_nowait(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if Queue::is_bobbins(slf) {
            return slf.get().core().py_get(py, None);
        }
        let block = [("block", false)].into_py_dict(py)?;
        Ok(slf.call_method("get", (), Some(&block))?.unbind())
    }

    /// Indicate that a formerly enqueued task is complete. Raises ValueError
    /// if called more times than there were items placed in the queue.
    #[pyo3(text_signature = "($self, /)")]
    fn task_done(&self, py: Python<'_>) -> PyResult<()> {
        let core = self.core();
        core.task_done(&mut lock_gil(py, &core.state))
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Block until all items in the queue have been gotten and processed,
    /// or until the timeout (in seconds, None for no limit) passes. Returns
    /// True if every task is done (CPython's join has no timeout and returns
    /// None). The GIL is released while it waits.
    #[pyo3(signature = (timeout = None), text_signature = "($self, /, timeout=None)")]
    fn join(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let core = self.core();
        if lock_gil(py, &core.state).unfinished == 0 {
            return Ok(true);
        }
        let deadline = wait::optional_deadline(timeout)?;
        let done = wait::block(py, deadline, |d| {
            core.wait_for(&core.all_done, d, |st| st.unfinished == 0)
        })?;
        Ok(done.is_some())
    }

    /// Return the number of items in the queue.
    #[pyo3(text_signature = "($self, /)")]
    fn qsize(&self, py: Python<'_>) -> usize {
        lock_gil(py, &self.core().state).items.len()
    }

    /// Return True if the queue is empty.
    #[pyo3(text_signature = "($self, /)")]
    fn empty(&self, py: Python<'_>) -> bool {
        lock_gil(py, &self.core().state).items.is_empty()
    }

    /// Return True if the queue is full (its maxsize is positive and
    /// reached).
    #[pyo3(text_signature = "($self, /)")]
    fn full(&self, py: Python<'_>) -> bool {
        lock_gil(py, &self.core().state).full()
    }

    /// Shut down the queue: puts raise queue.ShutDown from now on; gets
    /// drain what is left and then raise it, or raise it at once if
    /// immediate is true (the items are discarded and join() is released).
    #[pyo3(signature = (immediate = Truthy(false)), text_signature = "($self, /, immediate=False)")]
    fn shutdown(&self, py: Python<'_>, immediate: Truthy) {
        let core = self.core();
        let removed = core.shutdown(&mut lock_gil(py, &core.state), immediate.0);
        // Dropped here, the queue lock released: their `__del__` may run.
        drop(removed);
    }

    /// Whether the queue has been shut down.
    #[getter]
    fn is_shutdown(&self, py: Python<'_>) -> bool {
        lock_gil(py, &self.core().state).shutdown
    }

    /// The bound on the number of items (0 or less: none). May be changed.
    #[getter]
    fn maxsize(&self, py: Python<'_>) -> isize {
        lock_gil(py, &self.core().state).maxsize
    }

    #[setter]
    fn set_maxsize(&self, py: Python<'_>, maxsize: isize) {
        let core = self.core();
        let mut st = lock_gil(py, &core.state);
        st.maxsize = maxsize;
        st.version += 1;
        // A larger bound may make room for waiting putters.
        core.not_full.notify_all();
    }

    /// The number of puts not yet marked done with task_done().
    #[getter]
    fn unfinished_tasks(&self, py: Python<'_>) -> usize {
        lock_gil(py, &self.core().state).unfinished
    }

    #[classmethod]
    fn __class_getitem__(cls: &Bound<'_, PyType>, item: Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let alias = cls.py().import("types")?.getattr("GenericAlias")?;
        Ok(alias.call1((cls, item))?.unbind())
    }
}

/// A LIFO queue (the last item put is gotten first):
/// queue.LifoQueue(maxsize=0).
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

# Examples

```no_run
let stack = bobbin_py::SharedQueue::lifo(0);
let _object = bobbin_py::LifoQueue::from_shared(stack); // give it to Python
```
"##
)]
#[doc(alias = "queue.LifoQueue")]
#[pyclass(extends = Queue, subclass, frozen, module = "bobbin")]
#[derive(Debug)]
pub struct LifoQueue;

impl LifoQueue {
    /// The Python object for a LIFO `shared` queue, as a `Queue`
    /// initializer extended to a `LifoQueue` (`Py::new(py, ...)` makes it).
    ///
    /// # Examples
    ///
    /// See [`LifoQueue`].
    #[must_use]
    pub fn from_shared(shared: Arc<SharedQueue>) -> PyClassInitializer<LifoQueue> {
        PyClassInitializer::from(Queue::from_shared(shared)).add_subclass(LifoQueue)
    }
}

#[pymethods]
impl LifoQueue {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "(maxsize=0)")]
    fn py_new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<LifoQueue> {
        PyClassInitializer::from(Queue::of(Order::Lifo)).add_subclass(LifoQueue)
    }
}

/// A priority queue (the smallest item, by Python's <, is gotten first):
/// queue.PriorityQueue(maxsize=0).
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

# Examples

A priority queue made from Python has no Rust side
([`Queue::shared`] is `None`); its items are ordered holding the GIL.

```
let _ = std::any::type_name::<bobbin_py::PriorityQueue>();
```
"##
)]
#[doc(alias = "queue.PriorityQueue")]
#[pyclass(extends = Queue, subclass, frozen, module = "bobbin")]
#[derive(Debug)]
pub struct PriorityQueue;

#[pymethods]
impl PriorityQueue {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "(maxsize=0)")]
    fn py_new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<PriorityQueue> {
        PyClassInitializer::from(Queue::of(Order::Priority)).add_subclass(PriorityQueue)
    }
}
