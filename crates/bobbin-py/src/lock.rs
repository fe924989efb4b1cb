//! `Lock` and `RLock`: `bobbin_lock::Lock<()>` and `RLock<()>`, taken and
//! released by bare calls as Python does.
//!
//! # The GIL
//!
//! These are the user's locks; bobbin holds no lock of its own here. An
//! acquire first tries the lock holding the GIL (one compare-and-swap) and
//! releases the GIL only to wait for it ([`wait::block`]); the lock is then
//! taken without the GIL, which is right: its holder may be a Python thread
//! that needs the GIL to get to its `release()`.

use crate::errors;
use crate::init::own_call_args;
use crate::wait::{self, Truthy};
use bobbin_lock::{LockGuard, RLockGuard, ReleaseError, SemaphoreGuard};
use bobbin_park::Deadline;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};
use std::sync::Arc;

/// A `ReleaseError` as the exception CPython raises for it.
pub(crate) fn release_error(err: ReleaseError) -> PyErr {
    match err {
        ReleaseError::TooManyReleases => PyValueError::new_err("Semaphore released too many times"),
        ReleaseError::ZeroPermits => PyValueError::new_err("n must be one or more"),
        ReleaseError::Overflow => pyo3::exceptions::PyOverflowError::new_err(err.to_string()),
        _ => PyRuntimeError::new_err(err.to_string()),
    }
}

/// One of bobbin-lock's primitives as Python's bare `acquire()` takes it:
/// the guard is given up, and a later bare `release()` frees what it held.
pub(crate) trait BareAcquire: Sync {
    /// Takes it if that needs no wait; whether it was taken.
    fn try_take(&self) -> bool;

    /// Takes it by `deadline`, waiting for it (the GIL released by the
    /// caller); whether it was taken.
    fn take_by(&self, deadline: Deadline) -> bool;
}

/// Implements [`BareAcquire`] for primitives of bobbin-lock whose
/// `try_acquire`, `acquire` and `acquire_until` have the same shape, with
/// `$give_up` the guard's way of keeping what it holds. bobbin-lock has no
/// trait over them, so a macro writes the four impls.
macro_rules! bare_acquire {
    ($($primitive:ty => $give_up:path),* $(,)?) => {$(
        impl BareAcquire for $primitive {
            fn try_take(&self) -> bool {
                self.try_acquire().map($give_up).is_some()
            }

            fn take_by(&self, deadline: Deadline) -> bool {
                wait::by_deadline(deadline, || Some(self.acquire()), |at| self.acquire_until(at))
                    .map($give_up)
                    .is_some()
            }
        }
    )*};
}

bare_acquire! {
    bobbin_lock::Lock<()> => LockGuard::leak,
    bobbin_lock::RLock<()> => RLockGuard::leak,
    bobbin_lock::Semaphore => SemaphoreGuard::forget,
    bobbin_lock::BoundedSemaphore => SemaphoreGuard::forget,
}

/// Takes `lock` (a lock, one level of an rlock or a permit) for a bare
/// acquisition by `deadline` (`None`: a try): a try holding the GIL first,
/// then the wait with it released. Returns whether it was taken.
pub(crate) fn acquire_bare(
    py: Python<'_>,
    lock: &impl BareAcquire,
    deadline: Option<Deadline>,
) -> PyResult<bool> {
    if lock.try_take() {
        return Ok(true);
    }
    let Some(deadline) = deadline else {
        return Ok(false);
    };
    let taken = wait::block(py, deadline, |d| lock.take_by(d).then_some(()))?;
    Ok(taken.is_some())
}

/// Releases every level of `rlock` the calling thread holds and returns how
/// many there were: `_release_save`.
pub(crate) fn release_all(rlock: &bobbin_lock::RLock<()>) -> PyResult<usize> {
    let count = rlock.recursion_count();
    if count == 0 {
        return Err(release_error(ReleaseError::NotOwned));
    }
    for _ in 0..count {
        rlock.release().map_err(release_error)?;
    }
    Ok(count)
}

/// A primitive lock: threading.Lock. acquire() takes it, waiting (with
/// the GIL released) while another thread holds it; release() frees it, from
/// any thread.
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

On `bobbin_lock::Lock<()>`.

From Python it is `threading.Lock`: `acquire(blocking=True,
timeout=-1)`, `release()` from any thread, `locked()`, `with lock:`.
From Rust, [`Lock::shared`] gives the lock itself, to hand to Rust
threads: a Python thread and a Rust thread then take and release the one
lock.

# Examples

```
use bobbin_lock::LockGuard;
use bobbin_py::Lock;

let lock = Lock::new();
let shared = lock.shared(); // an Arc<bobbin_lock::Lock<()>>
std::thread::spawn(move || {
    LockGuard::leak(shared.acquire());
})
.join()
.unwrap();
assert!(lock.shared().locked()); // what Python's lock.locked() now says
```
"##
)]
#[doc(alias = "threading.Lock")]
#[pyclass(frozen, weakref, module = "bobbin")]
#[derive(Debug)]
pub struct Lock {
    inner: Arc<bobbin_lock::Lock<()>>,
}

impl Lock {
    /// A free lock, for Rust code to create and hand to Python (a
    /// `#[pyfunction]` can return it).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!bobbin_py::Lock::new().shared().locked());
    /// ```
    #[must_use]
    pub fn new() -> Lock {
        Lock::from_shared(Arc::new(bobbin_lock::Lock::new(())))
    }

    /// The Python lock that is `lock`: Rust threads keep using `lock`, and
    /// Python code gets this object.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(bobbin_lock::Lock::new(()));
    /// let py_lock = bobbin_py::Lock::from_shared(Arc::clone(&lock));
    /// assert!(Arc::ptr_eq(&py_lock.shared(), &lock));
    /// ```
    #[must_use]
    pub fn from_shared(lock: Arc<bobbin_lock::Lock<()>>) -> Lock {
        Lock { inner: lock }
    }

    /// The lock, for Rust threads: what Python's `acquire()` and
    /// `release()` take and release. A Python `acquire()` is a leaked guard
    /// ([`LockGuard::leak`]) and `release()` is
    /// [`bobbin_lock::Lock::release`], so Rust code pairs with Python code
    /// the same way.
    ///
    /// # Examples
    ///
    /// See [`Lock`].
    #[must_use]
    pub fn shared(&self) -> Arc<bobbin_lock::Lock<()>> {
        Arc::clone(&self.inner)
    }
}

impl Default for Lock {
    fn default() -> Lock {
        Lock::new()
    }
}

#[pymethods]
impl Lock {
    #[new]
    fn py_new() -> Lock {
        Lock::new()
    }

    /// Lock the lock. Without argument, this blocks if the lock is already
    /// locked (even by the same thread), waiting for another thread to
    /// release the lock, and returns True once the lock is acquired. With
    /// blocking false it does not block; with a timeout it blocks at most
    /// that many seconds. Returns whether the lock was acquired. The GIL is
    /// released while it waits, and Ctrl-C interrupts the wait.
    #[pyo3(
        signature = (blocking = Truthy(true), timeout = -1.0),
        text_signature = "($self, /, blocking=True, timeout=-1)"
    )]
    fn acquire(&self, py: Python<'_>, blocking: Truthy, timeout: f64) -> PyResult<bool> {
        // The fast path first: no argument checks stand between a free lock
        // and its taker but the two comparisons `lock_deadline` makes.
        if blocking.0 && timeout == -1.0 {
            return acquire_bare(py, &*self.inner, Some(Deadline::never()));
        }
        let deadline = wait::lock_deadline(py, blocking.0, timeout)?;
        acquire_bare(py, &*self.inner, deadline)
    }

    /// Release the lock, allowing another thread that is blocked waiting
    /// for it to acquire it. Any thread may release it. Raises RuntimeError
    /// if the lock is not locked.
    #[pyo3(text_signature = "($self, /)")]
    fn release(&self) -> PyResult<()> {
        self.inner.release().map_err(release_error)
    }

    /// Whether the lock is locked.
    #[pyo3(text_signature = "($self, /)")]
    fn locked(&self) -> bool {
        self.inner.locked()
    }

    /// An obsolete synonym of acquire(), as `_thread.lock` keeps it.
    #[pyo3(
        signature = (blocking = Truthy(true), timeout = -1.0),
        text_signature = "($self, /, blocking=True, timeout=-1)"
    )]
    fn acquire_lock(&self, py: Python<'_>, blocking: Truthy, timeout: f64) -> PyResult<bool> {
        self.acquire(py, blocking, timeout)
    }

    /// An obsolete synonym of release(), as `_thread.lock` keeps it.
    #[pyo3(text_signature = "($self, /)")]
    fn release_lock(&self) -> PyResult<()> {
        self.release()
    }

    /// An obsolete synonym of locked(), as `_thread.lock` keeps it.
    #[pyo3(text_signature = "($self, /)")]
    fn locked_lock(&self) -> bool {
        self.locked()
    }

    /// Acquire the lock, for `with lock:`. It takes acquire()'s arguments
    /// and returns its result, as `_thread.lock.__enter__` does.
    #[pyo3(
        signature = (blocking = Truthy(true), timeout = -1.0),
        text_signature = "($self, /, blocking=True, timeout=-1)"
    )]
    fn __enter__(&self, py: Python<'_>, blocking: Truthy, timeout: f64) -> PyResult<bool> {
        self.acquire(py, blocking, timeout)
    }

    /// Release the lock, at the end of `with lock:`. The arguments
    /// (positional only, as CPython's) are ignored.
    #[pyo3(
        signature = (_exc_type = None, _exc_value = None, _traceback = None, /),
        text_signature = "($self, exc_type=None, exc_value=None, traceback=None, /)"
    )]
    fn __exit__(
        &self,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc_value: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.inner.release().map_err(release_error)
    }

    /// Leave the lock unlocked, as in a child process after `fork()`.
    #[pyo3(text_signature = "($self, /)")]
    fn _at_fork_reinit(&self) {
        // Not `release()`: that could hand the lock to a parent thread that
        // was waiting for it at the fork and is not in the child.
        self.inner.reset();
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let state = if slf.get().inner.locked() {
            "locked"
        } else {
            "unlocked"
        };
        format!(
            "<{state} bobbin.Lock object at {:#x}>",
            slf.as_ptr() as usize
        )
    }
}

/// A reentrant lock: threading.RLock. The thread that holds it may
/// acquire it again; it is free once that thread has released every level.
/// acquire() waits with the GIL released.
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

On `bobbin_lock::RLock<()>`.

The thread that holds it may acquire it again; it is free once that
thread has released every level. `_is_owned()`, `_recursion_count()`,
`_release_save()` and `_acquire_restore()` are there as in CPython, so
`threading.Condition` works over it too. From Rust, [`RLock::shared`]
gives the lock itself.

# Examples

```
use bobbin_lock::RLockGuard;

let rlock = bobbin_py::RLock::new();
let shared = rlock.shared();
RLockGuard::leak(shared.acquire()); // as Python's rlock.acquire() on this thread
assert_eq!(shared.recursion_count(), 1);
shared.release().unwrap();
```
"##
)]
#[doc(alias = "threading.RLock")]
#[pyclass(subclass, frozen, weakref, module = "bobbin")]
#[derive(Debug)]
pub struct RLock {
    inner: Arc<bobbin_lock::RLock<()>>,
}

impl RLock {
    /// A free reentrant lock, for Rust code to create and hand to Python.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!bobbin_py::RLock::new().shared().locked());
    /// ```
    #[must_use]
    pub fn new() -> RLock {
        RLock::from_shared(Arc::new(bobbin_lock::RLock::new(())))
    }

    /// The Python lock that is `rlock`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let rlock = Arc::new(bobbin_lock::RLock::new(()));
    /// let py_rlock = bobbin_py::RLock::from_shared(Arc::clone(&rlock));
    /// assert!(Arc::ptr_eq(&py_rlock.shared(), &rlock));
    /// ```
    #[must_use]
    pub fn from_shared(rlock: Arc<bobbin_lock::RLock<()>>) -> RLock {
        RLock { inner: rlock }
    }

    /// The lock, for Rust threads. Its owner is a thread, whichever
    /// language it runs: a Python thread's bare `acquire()` is a leaked
    /// guard ([`RLockGuard::leak`]) held by that thread.
    ///
    /// # Examples
    ///
    /// See [`RLock`].
    #[must_use]
    pub fn shared(&self) -> Arc<bobbin_lock::RLock<()>> {
        Arc::clone(&self.inner)
    }
}

impl Default for RLock {
    fn default() -> RLock {
        RLock::new()
    }
}

#[pymethods]
impl RLock {
    // As `threading.RLock(*args, **kwargs)`: arguments are ignored, with a
    // DeprecationWarning; a subclass (of CPython's `_thread.RLock`) takes
    // any, for its own `__init__`, without one.
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args, **kwargs), text_signature = "()")]
    fn py_new(
        cls: &Bound<'_, PyType>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<RLock> {
        let (positional, keywords) = own_call_args::<RLock>(cls, args, kwargs);
        if positional || keywords {
            errors::deprecated(
                cls.py(),
                c"Passing arguments to RLock is deprecated and will be removed in 3.15",
            )?;
        }
        Ok(RLock::new())
    }

    /// Acquire the lock, blocking or non-blocking, with an optional timeout.
    /// The thread that holds it gets it again at once, one level more.
    /// Returns whether the lock was acquired. The GIL is released while it
    /// waits, and Ctrl-C interrupts the wait.
    #[pyo3(
        signature = (blocking = Truthy(true), timeout = -1.0),
        text_signature = "($self, /, blocking=True, timeout=-1)"
    )]
    fn acquire(&self, py: Python<'_>, blocking: Truthy, timeout: f64) -> PyResult<bool> {
        let deadline = wait::lock_deadline(py, blocking.0, timeout)?;
        acquire_bare(py, &*self.inner, deadline)
    }

    /// Release one level of the lock. Raises RuntimeError if the calling
    /// thread does not hold it.
    #[pyo3(text_signature = "($self, /)")]
    fn release(&self) -> PyResult<()> {
        self.inner.release().map_err(release_error)
    }

    /// Whether any thread holds the lock.
    #[pyo3(text_signature = "($self, /)")]
    fn locked(&self) -> bool {
        self.inner.locked()
    }

    /// Acquire the lock, for `with rlock:`. It takes acquire()'s arguments
    /// and returns its result, as `_thread.RLock.__enter__` does.
    #[pyo3(
        signature = (blocking = Truthy(true), timeout = -1.0),
        text_signature = "($self, /, blocking=True, timeout=-1)"
    )]
    fn __enter__(&self, py: Python<'_>, blocking: Truthy, timeout: f64) -> PyResult<bool> {
        self.acquire(py, blocking, timeout)
    }

    /// Release one level, at the end of `with rlock:`. The arguments
    /// (positional only, as CPython's) are ignored.
    #[pyo3(
        signature = (_exc_type = None, _exc_value = None, _traceback = None, /),
        text_signature = "($self, exc_type=None, exc_value=None, traceback=None, /)"
    )]
    fn __exit__(
        &self,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc_value: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.inner.release().map_err(release_error)
    }

    /// Whether the calling thread holds the lock.
    #[pyo3(text_signature = "($self, /)")]
    fn _is_owned(&self) -> bool {
        self.inner.is_owned()
    }

    /// How many levels the calling thread holds (0 if it does not hold it).
    #[pyo3(text_signature = "($self, /)")]
    fn _recursion_count(&self) -> usize {
        self.inner.recursion_count()
    }

    /// Release every level the calling thread holds and return the state
    /// `_acquire_restore` takes back: `(count, owner)`.
    #[pyo3(text_signature = "($self, /)")]
    fn _release_save(&self, py: Python<'_>) -> PyResult<(usize, u64)> {
        let owner: u64 = py
            .import("threading")?
            .call_method0("get_ident")?
            .extract()?;
        Ok((release_all(&self.inner)?, owner))
    }

    /// Take the lock again, as many levels as `_release_save` released.
    #[pyo3(text_signature = "($self, state, /)")]
    fn _acquire_restore(&self, py: Python<'_>, state: (usize, u64)) -> PyResult<()> {
        let (count, _owner) = state;
        for _ in 0..count {
            acquire_bare(py, &*self.inner, Some(Deadline::never()))?;
        }
        Ok(())
    }

    /// Leave the lock unlocked, every level, whichever thread held it, as
    /// in a child process after `fork()` (where that thread is gone).
    #[pyo3(text_signature = "($self, /)")]
    fn _at_fork_reinit(&self) {
        self.inner.reset();
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let inner = &slf.get().inner;
        let state = if inner.locked() { "locked" } else { "unlocked" };
        let count = inner.recursion_count();
        let mine = if count > 0 {
            format!("count={count} ")
        } else {
            String::new()
        };
        // The class as C's `tp_name` names it: `bobbin.RLock`, or a Python
        // subclass's `__name__`.
        let ty = slf.get_type();
        let name = if slf.is_exact_instance_of::<RLock>() {
            ty.fully_qualified_name()?
        } else {
            ty.name()?
        };
        Ok(format!(
            "<{state} {name} object {mine}at {:#x}>",
            slf.as_ptr() as usize
        ))
    }
}
