//! `Condition`: bobbin-signal's `Condition` over a bobbin `Lock` or `RLock`
//! held by bare calls; CPython's algorithm over any other lock.
//!
//! # The native path
//!
//! Over a bobbin `Lock` or `RLock` (and `Condition()`, which makes an
//! `RLock`), a wait adopts the caller's bare acquisition
//! (`LockGuard::adopt` / `RLockGuard::adopt`), waits on
//! `bobbin_signal::Condition` (which releases every level and takes them
//! back) and leaks the guard again. The wait runs with the GIL released and
//! takes the user's lock back without the GIL: the holder may be a Python
//! thread that needs the GIL to release it.
//!
//! On the main thread the wait is cut into slices (see [`crate::wait`]). A
//! slice that times out has taken the lock back, so between two slices the
//! waiter holds the lock and is not queued; a notifier must hold the lock
//! to notify, so it cannot notify in that gap (over a `Lock`, which has no
//! owner, only a thread that notifies without having taken the lock itself
//! could). Ctrl-C between two slices raises `KeyboardInterrupt` with the
//! lock held, as CPython's `finally: self._acquire_restore(...)` leaves it.
//!
//! # Any other lock
//!
//! Over another lock (a `threading.Lock`, say) this is CPython's
//! `threading.Condition`: each waiter queues an event of its own, releases
//! the lock with `_release_save()` (or `release()`), waits for the event
//! with the GIL released, and takes the lock back with `_acquire_restore()`
//! (or `acquire()`). The waiter queue is touched only with the GIL held and
//! never while Python code runs, so its lock is never contended.
//!
//! # Python code
//!
//! `wait_for`'s predicate runs holding the GIL and the user's lock, as in
//! CPython, and no lock of bobbin's own.

use crate::lock::{RLock, acquire_lock, acquire_rlock, release_error};
use crate::wait::{self, Truthy};
use bobbin_lock::{LockGuard, RLockGuard};
use bobbin_park::Deadline;
use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use pyo3::exceptions::{PyDeprecationWarning, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::collections::VecDeque;
use std::sync::Arc;

/// The lock a condition uses.
#[derive(Debug)]
enum Kind {
    /// A bobbin `Lock`: the native path.
    Lock(Arc<bobbin_lock::Lock<()>>),
    /// A bobbin `RLock`: the native path.
    RLock(Arc<bobbin_lock::RLock<()>>),
    /// Anything else: CPython's algorithm, with these waiters (each one's
    /// own event, oldest first).
    Foreign(bobbin_lock::Lock<VecDeque<Arc<bobbin_signal::Event>>>),
}

/// A condition variable: Python's `threading.Condition`.
///
/// `Condition(lock=None)`: over a bobbin `Lock` or `RLock` it waits on
/// bobbin-signal's condition directly (and `Condition()` makes an `RLock`);
/// over any other lock (a `threading.Lock`, say) it runs CPython's
/// algorithm on that lock's `acquire`/`release` (and its `_release_save`,
/// `_acquire_restore` and `_is_owned`, when it has them).
///
/// From Rust, a condition made by [`Condition::new`] shares its lock
/// ([`Condition::shared_rlock`]) with Rust threads; Rust threads wait on a
/// `bobbin_signal::Condition` of their own (a condition's waiters and
/// notifiers are the threads of one language).
///
/// # Examples
///
/// ```no_run
/// let cond = bobbin_py::Condition::new();
/// let rlock = cond.shared_rlock().expect("Condition() makes an RLock");
/// assert!(!rlock.locked());
/// ```
#[doc(alias = "threading.Condition")]
#[pyclass(frozen, weakref, module = "bobbin")]
#[derive(Debug)]
pub struct Condition {
    /// The lock object Python code gave, `None` for the `RLock` that
    /// `Condition()` makes (it lives in `kind` only).
    lock: Option<Py<PyAny>>,
    kind: Kind,
    /// The native path's condition.
    cond: bobbin_signal::Condition,
    /// How many threads wait, for `repr`.
    waiting: AtomicUsize,
}

impl Condition {
    /// A condition over a new bobbin `RLock`, for Rust code to hand to
    /// Python: Python's `Condition()`.
    ///
    /// # Examples
    ///
    /// See [`Condition`].
    #[must_use]
    pub fn new() -> Condition {
        Condition::with(None, Kind::RLock(RLock::new().shared()))
    }

    /// The condition's lock, if it is a bobbin `RLock`.
    ///
    /// # Examples
    ///
    /// See [`Condition`].
    #[must_use]
    pub fn shared_rlock(&self) -> Option<Arc<bobbin_lock::RLock<()>>> {
        match &self.kind {
            Kind::RLock(rlock) => Some(Arc::clone(rlock)),
            _ => None,
        }
    }

    /// The foreign lock object (only `Kind::Foreign` calls this).
    fn foreign<'py>(&self, py: Python<'py>) -> &Bound<'py, PyAny> {
        self.lock
            .as_ref()
            .expect("a foreign lock was given as an object")
            .bind(py)
    }

    fn with(lock: Option<Py<PyAny>>, kind: Kind) -> Condition {
        Condition {
            lock,
            kind,
            cond: bobbin_signal::Condition::new(),
            waiting: AtomicUsize::new(0),
        }
    }

    /// Whether the calling thread may wait or notify: the lock is held (by
    /// this thread, for an RLock).
    fn is_owned(&self, py: Python<'_>) -> PyResult<bool> {
        match &self.kind {
            Kind::Lock(lock) => Ok(lock.locked()),
            Kind::RLock(rlock) => Ok(rlock.is_owned()),
            Kind::Foreign(_) => {
                let lock = self.foreign(py);
                if lock.hasattr("_is_owned")? {
                    return lock.call_method0("_is_owned")?.is_truthy();
                }
                // CPython's fallback: a lock we can take is not held.
                if lock.call_method1("acquire", (false,))?.is_truthy()? {
                    lock.call_method0("release")?;
                    Ok(false)
                } else {
                    Ok(true)
                }
            }
        }
    }

    /// The native wait: the lock is held (checked), the GIL released for
    /// the wait. Returns whether it was notified.
    fn wait_native(&self, py: Python<'_>, deadline: Deadline) -> PyResult<bool> {
        let cond = &self.cond;
        let notified = match &self.kind {
            Kind::Lock(lock) => wait::block(py, deadline, |d| {
                // Held by this wait's caller; if another thread released
                // it meanwhile (a Lock has no owner), take it back first,
                // as CPython's `_acquire_restore` would.
                let mut guard = LockGuard::adopt(lock).unwrap_or_else(|| lock.acquire());
                let woken = wait_until(cond, &mut guard, d);
                LockGuard::leak(guard);
                woken.then_some(())
            }),
            Kind::RLock(rlock) => wait::block(py, deadline, |d| {
                let Some(mut guard) = RLockGuard::adopt(rlock) else {
                    // Checked by the caller, and only this thread can
                    // release its levels.
                    return Some(());
                };
                let woken = wait_until(cond, &mut guard, d);
                RLockGuard::leak(guard);
                woken.then_some(())
            }),
            Kind::Foreign(_) => unreachable!("the native wait is for bobbin locks"),
        }?;
        Ok(notified.is_some())
    }

    /// CPython's wait over any lock.
    fn wait_foreign(
        &self,
        py: Python<'_>,
        waiters: &bobbin_lock::Lock<VecDeque<Arc<bobbin_signal::Event>>>,
        deadline: Deadline,
    ) -> PyResult<bool> {
        let me = Arc::new(bobbin_signal::Event::new());
        // The waiter queue is only ever touched with the GIL held and no
        // Python code running, so this never waits.
        waiters.acquire().push_back(Arc::clone(&me));
        let lock = self.foreign(py);
        let saved = if lock.hasattr("_release_save")? {
            Some(lock.call_method0("_release_save")?)
        } else {
            lock.call_method0("release")?;
            None
        };
        let event = &*me;
        let got = wait::block(py, deadline, |d| {
            wait::by_deadline(d, || event.wait(), |at| event.wait_until(at)).then_some(())
        });
        let restored = match saved {
            Some(saved) => lock.call_method1("_acquire_restore", (saved,)).map(drop),
            None => lock.call_method0("acquire").map(drop),
        };
        let mut got = got.map(|g| g.is_some());
        if !matches!(got, Ok(true)) {
            let mut queue = waiters.acquire();
            let before = queue.len();
            queue.retain(|w| !Arc::ptr_eq(w, &me));
            if queue.len() == before && got.is_ok() {
                // A notifier took us off the queue after our wait ended: the
                // notification was ours; do not lose it.
                got = Ok(true);
            }
        }
        restored?;
        got
    }

    fn notify_n(&self, py: Python<'_>, n: usize) -> PyResult<()> {
        if !self.is_owned(py)? {
            return Err(PyRuntimeError::new_err("cannot notify on un-acquired lock"));
        }
        match &self.kind {
            Kind::Lock(_) | Kind::RLock(_) => {
                self.cond.notify(n);
            }
            Kind::Foreign(waiters) => {
                let woken: Vec<_> = {
                    let mut queue = waiters.acquire();
                    let n = n.min(queue.len());
                    queue.drain(..n).collect()
                };
                for waiter in woken {
                    waiter.set();
                }
            }
        }
        Ok(())
    }
}

impl Default for Condition {
    fn default() -> Condition {
        Condition::new()
    }
}

/// A wait on `cond` until `deadline`, with `guard` (adopted).
fn wait_until<G: bobbin_lock::WaitGuard>(
    cond: &bobbin_signal::Condition,
    guard: &mut G,
    deadline: Deadline,
) -> bool {
    wait::cond_wait(cond, guard, deadline)
}

#[pymethods]
impl Condition {
    #[new]
    #[pyo3(signature = (lock = None), text_signature = "(lock=None)")]
    fn py_new(py: Python<'_>, lock: Option<Bound<'_, PyAny>>) -> PyResult<Condition> {
        let Some(lock) = lock.filter(|l| !l.is_none()) else {
            return Ok(Condition::new());
        };
        let kind = if let Ok(l) = lock.cast::<crate::lock::Lock>() {
            Kind::Lock(l.get().shared())
        } else if let Ok(r) = lock.cast::<RLock>() {
            Kind::RLock(r.get().shared())
        } else {
            Kind::Foreign(bobbin_lock::Lock::new(VecDeque::new()))
        };
        let _ = py;
        Ok(Condition::with(Some(lock.unbind()), kind))
    }

    /// Acquire the underlying lock, as its own `acquire` does.
    #[pyo3(
        signature = (blocking = Truthy(true), timeout = -1.0),
        text_signature = "($self, /, blocking=True, timeout=-1)"
    )]
    fn acquire(&self, py: Python<'_>, blocking: Truthy, timeout: f64) -> PyResult<bool> {
        match &self.kind {
            Kind::Lock(lock) => {
                acquire_lock(py, lock, wait::lock_deadline(py, blocking.0, timeout)?)
            }
            Kind::RLock(rlock) => {
                acquire_rlock(py, rlock, wait::lock_deadline(py, blocking.0, timeout)?)
            }
            Kind::Foreign(_) => self
                .foreign(py)
                .call_method1("acquire", (blocking.0, timeout))?
                .is_truthy(),
        }
    }

    /// Release the underlying lock, as its own `release` does.
    #[pyo3(text_signature = "($self, /)")]
    fn release(&self, py: Python<'_>) -> PyResult<()> {
        match &self.kind {
            Kind::Lock(lock) => lock.release().map_err(release_error),
            Kind::RLock(rlock) => rlock.release().map_err(release_error),
            Kind::Foreign(_) => self.foreign(py).call_method0("release").map(drop),
        }
    }

    /// Acquire the underlying lock (blocking), for `with cond:`.
    #[pyo3(text_signature = "($self, /)")]
    fn __enter__(&self, py: Python<'_>) -> PyResult<bool> {
        match &self.kind {
            Kind::Lock(lock) => acquire_lock(py, lock, Some(Deadline::never())),
            Kind::RLock(rlock) => acquire_rlock(py, rlock, Some(Deadline::never())),
            Kind::Foreign(_) => self.foreign(py).call_method0("__enter__")?.is_truthy(),
        }
    }

    /// Release the underlying lock, at the end of `with cond:`.
    #[pyo3(signature = (*args), text_signature = "($self, /, *exc_info)")]
    fn __exit__(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<()> {
        match &self.kind {
            Kind::Foreign(_) => self.foreign(py).call_method1("__exit__", args).map(drop),
            _ => self.release(py),
        }
    }

    /// Whether the calling thread holds the lock (for a lock without an
    /// owner, whether it is held at all).
    #[pyo3(text_signature = "($self, /)")]
    fn _is_owned(&self, py: Python<'_>) -> PyResult<bool> {
        self.is_owned(py)
    }

    /// The underlying lock's `_release_save`.
    #[pyo3(text_signature = "($self, /)")]
    fn _release_save(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match &self.kind {
            Kind::Lock(lock) => {
                lock.release().map_err(release_error)?;
                return Ok(py.None());
            }
            Kind::RLock(rlock) => {
                let count = crate::lock::release_all(rlock)?;
                return Ok((count, py.None()).into_pyobject(py)?.into_any().unbind());
            }
            Kind::Foreign(_) => {}
        }
        let lock = self.foreign(py);
        if lock.hasattr("_release_save")? {
            return Ok(lock.call_method0("_release_save")?.unbind());
        }
        lock.call_method0("release")?;
        Ok(py.None())
    }

    /// The underlying lock's `_acquire_restore`.
    #[pyo3(text_signature = "($self, state, /)")]
    fn _acquire_restore(&self, py: Python<'_>, state: Bound<'_, PyAny>) -> PyResult<()> {
        match &self.kind {
            Kind::Lock(lock) => {
                acquire_lock(py, lock, Some(Deadline::never()))?;
                return Ok(());
            }
            Kind::RLock(rlock) => {
                let (count, _owner): (usize, Bound<'_, PyAny>) = state.extract()?;
                for _ in 0..count {
                    acquire_rlock(py, rlock, Some(Deadline::never()))?;
                }
                return Ok(());
            }
            Kind::Foreign(_) => {}
        }
        let lock = self.foreign(py);
        if lock.hasattr("_acquire_restore")? {
            lock.call_method1("_acquire_restore", (state,))?;
        } else {
            lock.call_method0("acquire")?;
        }
        Ok(())
    }

    /// Wait until notified or until the timeout (in seconds) passes; return
    /// False if it timed out. The lock must be held: it is released for the
    /// wait (every level of an RLock) and held again when this returns. The
    /// GIL is released while it waits, and Ctrl-C interrupts the wait (the
    /// lock is then held again, too).
    #[pyo3(signature = (timeout = None), text_signature = "($self, /, timeout=None)")]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        if !self.is_owned(py)? {
            return Err(PyRuntimeError::new_err("cannot wait on un-acquired lock"));
        }
        let deadline = wait::optional_deadline(timeout)?;
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let result = match &self.kind {
            Kind::Foreign(waiters) => self.wait_foreign(py, waiters, deadline),
            _ => self.wait_native(py, deadline),
        };
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        result
    }

    /// Wait until `predicate()` is true, or until the timeout passes; return
    /// the predicate's last value. The predicate runs holding the lock.
    #[pyo3(
        signature = (predicate, timeout = None),
        text_signature = "($self, /, predicate, timeout=None)"
    )]
    fn wait_for(
        &self,
        py: Python<'_>,
        predicate: Bound<'_, PyAny>,
        timeout: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        // CPython's loop: one deadline for the whole call.
        let deadline = wait::optional_deadline(timeout)?;
        let mut result = predicate.call0()?;
        while !result.is_truthy()? {
            let left = match deadline.remaining() {
                None => None,
                Some(left) if left.is_zero() => break,
                Some(left) => Some(left.as_secs_f64()),
            };
            self.wait(py, left)?;
            result = predicate.call0()?;
        }
        Ok(result.unbind())
    }

    /// Wake up to `n` threads waiting on the condition (the ones that have
    /// waited longest). The lock must be held.
    #[pyo3(signature = (n = 1), text_signature = "($self, /, n=1)")]
    fn notify(&self, py: Python<'_>, n: isize) -> PyResult<()> {
        self.notify_n(py, usize::try_from(n).unwrap_or(0))
    }

    /// Wake every thread waiting on the condition. The lock must be held.
    #[pyo3(text_signature = "($self, /)")]
    fn notify_all(&self, py: Python<'_>) -> PyResult<()> {
        self.notify_n(py, usize::MAX)
    }

    /// Wake every thread waiting on the condition (deprecated: use
    /// `notify_all`).
    #[pyo3(text_signature = "($self, /)")]
    #[allow(non_snake_case)] // Python's deprecated name.
    fn notifyAll(&self, py: Python<'_>) -> PyResult<()> {
        PyErr::warn(
            py,
            &py.get_type::<PyDeprecationWarning>(),
            c"notifyAll() is deprecated, use notify_all() instead",
            1,
        )?;
        self.notify_n(py, usize::MAX)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let lock = match (&self.lock, &self.kind) {
            (Some(lock), _) => lock.bind(py).repr()?.to_string(),
            (None, Kind::RLock(rlock)) => {
                let state = if rlock.locked() { "locked" } else { "unlocked" };
                // The lock has no Python object; its address is the lock's.
                format!(
                    "<{state} bobbin.RLock object at {:#x}>",
                    Arc::as_ptr(rlock) as usize
                )
            }
            (None, _) => unreachable!("only Condition() has no lock object"),
        };
        Ok(format!(
            "<Condition({lock}, {})>",
            self.waiting.load(Ordering::Relaxed)
        ))
    }
}
