//! `Semaphore` and `BoundedSemaphore` on bobbin-lock's, and `Event` on
//! bobbin-signal's.
//!
//! As in CPython, `BoundedSemaphore` is a subclass of `Semaphore`: it
//! inherits `acquire`, the context manager and `_value`, and has its own
//! `release`. The permits (the base's state) are either of bobbin-lock's
//! semaphores ([`Permits`]).
//!
//! # The GIL
//!
//! None of these runs Python code, and none holds a lock of bobbin's own
//! while the caller runs: an acquire or a wait tries holding the GIL and
//! waits with it released ([`wait::block`]); `release` and `set` never
//! wait.

use crate::errors;
use crate::flag::spin_until;
use crate::init::{Init, class_name};
use crate::lock::{BareAcquire, acquire_bare, release_error};
use crate::wait::{self, Truthy};
use bobbin_park::Deadline;
use pyo3::exceptions::{PyOverflowError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::sync::Arc;

/// Checks Python's `value >= 0`, and that bobbin-lock can count that many
/// permits.
fn initial_value(value: isize) -> PyResult<usize> {
    let value = usize::try_from(value)
        .map_err(|_| PyValueError::new_err("semaphore initial value must be >= 0"))?;
    if value > bobbin_lock::Semaphore::MAX_PERMITS {
        return Err(PyOverflowError::new_err(
            "semaphore initial value too large",
        ));
    }
    Ok(value)
}

/// Checks Python's `n >= 1` for `release(n)`.
fn release_count(n: isize) -> PyResult<usize> {
    usize::try_from(n)
        .ok()
        .filter(|&n| n >= 1)
        .ok_or_else(|| PyValueError::new_err("n must be one or more"))
}

/// The permits of a `Semaphore`, or of the `BoundedSemaphore` it is the
/// base of.
#[derive(Debug)]
enum Permits {
    Counting(Arc<bobbin_lock::Semaphore>),
    Bounded(Arc<bobbin_lock::BoundedSemaphore>),
}

impl Permits {
    fn release(&self, n: usize) -> PyResult<()> {
        match self {
            Permits::Counting(sem) => sem.release(n),
            Permits::Bounded(sem) => sem.release(n),
        }
        .map_err(release_error)
    }

    fn available(&self) -> usize {
        match self {
            Permits::Counting(sem) => sem.available(),
            Permits::Bounded(sem) => sem.available(),
        }
    }
}

impl BareAcquire for Permits {
    fn try_take(&self) -> bool {
        match self {
            Permits::Counting(sem) => sem.try_take(),
            Permits::Bounded(sem) => sem.try_take(),
        }
    }

    fn take_by(&self, deadline: Deadline) -> bool {
        match self {
            Permits::Counting(sem) => sem.take_by(deadline),
            Permits::Bounded(sem) => sem.take_by(deadline),
        }
    }
}

/// A counting semaphore: threading.Semaphore. acquire() takes one of its
/// permits, waiting (with the GIL released) while none is free; release(n)
/// gives n back. Waiters are served first come, first served.
#[cfg_attr(
    any(doc, doctest),
    doc = r#"
On `bobbin_lock::Semaphore`, which [`Semaphore::shared`] hands to Rust
threads.

# Examples

```
let sem = bobbin_py::Semaphore::new(2);
let shared = sem.shared(); // an Arc<bobbin_lock::Semaphore>
bobbin_lock::SemaphoreGuard::forget(shared.acquire()); // as Python's sem.acquire()
assert_eq!(shared.available(), 1);
```
"#
)]
#[doc(alias = "threading.Semaphore")]
#[pyclass(subclass, frozen, weakref, dict, module = "bobbin")]
#[derive(Debug)]
pub struct Semaphore {
    /// What `__init__` sets (see [`crate::init`]).
    permits: Init<Permits>,
}

impl Semaphore {
    /// A semaphore with `value` permits, for Rust code to hand to Python.
    ///
    /// # Panics
    ///
    /// Panics if `value` exceeds `bobbin_lock::Semaphore::MAX_PERMITS`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(bobbin_py::Semaphore::new(3).shared().available(), 3);
    /// ```
    #[must_use]
    pub fn new(value: usize) -> Semaphore {
        Semaphore::from_shared(Arc::new(bobbin_lock::Semaphore::new(value)))
    }

    /// The Python semaphore that is `sem`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(bobbin_lock::Semaphore::new(1));
    /// let py_sem = bobbin_py::Semaphore::from_shared(Arc::clone(&sem));
    /// assert!(Arc::ptr_eq(&py_sem.shared(), &sem));
    /// ```
    #[must_use]
    pub fn from_shared(sem: Arc<bobbin_lock::Semaphore>) -> Semaphore {
        Semaphore {
            permits: Init::new(Permits::Counting(sem)),
        }
    }

    /// The semaphore, for Rust threads: a Python `acquire()` is a forgotten
    /// guard ([`SemaphoreGuard::forget`](bobbin_lock::SemaphoreGuard::forget)),
    /// `release(n)` is `bobbin_lock::Semaphore::release`.
    ///
    /// # Panics
    ///
    /// Panics if this is the base of a `BoundedSemaphore` (its Rust side
    /// is [`BoundedSemaphore::shared`]), or an object of a Python subclass
    /// whose `__init__` did not call `Semaphore.__init__` (Python code gets
    /// `AttributeError` from such an object).
    ///
    /// # Examples
    ///
    /// See [`Semaphore`].
    #[must_use]
    pub fn shared(&self) -> Arc<bobbin_lock::Semaphore> {
        match self.permits.expect() {
            Permits::Counting(sem) => Arc::clone(sem),
            Permits::Bounded(_) => {
                panic!("a BoundedSemaphore's Rust side is BoundedSemaphore::shared")
            }
        }
    }
}

#[pymethods]
impl Semaphore {
    // `__new__` takes whatever the constructor is given and `__init__`
    // sets the value, as in CPython's pure-Python class (see `crate::init`).
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "(value=1)")]
    fn py_new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Semaphore {
        Semaphore {
            permits: Init::unset(),
        }
    }

    #[pyo3(signature = (value = 1))]
    fn __init__(&self, value: isize) -> PyResult<()> {
        let sem = bobbin_lock::Semaphore::new(initial_value(value)?);
        self.permits.set(Permits::Counting(Arc::new(sem)))
    }

    /// Acquire a permit: without arguments, wait until one is free (the GIL
    /// released) and return True; with blocking false, return False at once
    /// if none is free; with a timeout, wait at most that many seconds and
    /// return False if none came.
    #[pyo3(
        signature = (blocking = Truthy(true), timeout = None),
        text_signature = "($self, /, blocking=True, timeout=None)"
    )]
    fn acquire(
        &self,
        py: Python<'_>,
        blocking: Truthy,
        timeout: Option<Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let permits = self.permits.get()?;
        if !blocking.0 {
            if timeout.is_some() {
                return Err(PyValueError::new_err(
                    "can't specify timeout for non-blocking acquire",
                ));
            }
            return Ok(permits.try_take());
        }
        // The timeout is read only if a permit must be waited for, as
        // CPython's loop reads it.
        if permits.try_take() {
            return Ok(true);
        }
        let deadline = wait::optional_deadline(wait::secs(timeout.as_ref())?)?;
        acquire_bare(py, permits, Some(deadline))
    }

    /// Release `n` permits, waking up to `n` waiters in the order they came.
    #[pyo3(signature = (n = 1), text_signature = "($self, /, n=1)")]
    fn release(&self, n: isize) -> PyResult<()> {
        self.permits.get()?.release(release_count(n)?)
    }

    /// Acquire a permit, for `with sem:`: acquire() itself, arguments and
    /// result, as CPython's `__enter__ = acquire` makes it.
    #[pyo3(
        signature = (blocking = Truthy(true), timeout = None),
        text_signature = "($self, /, blocking=True, timeout=None)"
    )]
    fn __enter__(
        &self,
        py: Python<'_>,
        blocking: Truthy,
        timeout: Option<Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        self.acquire(py, blocking, timeout)
    }

    /// Release the permit, at the end of `with sem:` (by `self.release()`,
    /// as in CPython: a subclass's `release` is called). The three
    /// arguments are required, as in CPython, and ignored.
    #[pyo3(signature = (t, v, tb), text_signature = "($self, t, v, tb)")]
    fn __exit__(
        slf: &Bound<'_, Self>,
        t: &Bound<'_, PyAny>,
        v: &Bound<'_, PyAny>,
        tb: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let _ = (t, v, tb);
        if slf.is_exact_instance_of::<Semaphore>() || slf.is_exact_instance_of::<BoundedSemaphore>()
        {
            return slf.get().permits.get()?.release(1);
        }
        slf.call_method0("release").map(drop)
    }

    /// The number of free permits (CPython's private counter).
    #[getter]
    fn _value(&self) -> PyResult<usize> {
        Ok(self.permits.get()?.available())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Ok(format!(
            "<{} at {:#x}: value={}>",
            class_name(slf)?,
            slf.as_ptr() as usize,
            slf.get().permits.get()?.available()
        ))
    }
}

/// A semaphore that refuses to be released above its initial value:
/// threading.BoundedSemaphore (release() raises ValueError then). A subclass
/// of Semaphore.
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

On `bobbin_lock::BoundedSemaphore`, kept by its base, [`Semaphore`].

# Examples

```
use pyo3::prelude::*;
use std::sync::Arc;

let sem = Arc::new(bobbin_lock::BoundedSemaphore::new(1));
let _init = bobbin_py::BoundedSemaphore::from_shared(Arc::clone(&sem)); // Py::new(py, _init)
assert!(sem.release(1).is_err()); // ValueError in Python
```
"##
)]
#[doc(alias = "threading.BoundedSemaphore")]
#[pyclass(extends = Semaphore, subclass, frozen, module = "bobbin")]
#[derive(Debug)]
pub struct BoundedSemaphore;

impl BoundedSemaphore {
    /// The Python object for `sem`, as a `Semaphore` initializer extended
    /// to a `BoundedSemaphore` (`Py::new(py, ...)` makes it).
    ///
    /// # Examples
    ///
    /// See [`BoundedSemaphore`].
    #[must_use]
    pub fn from_shared(
        sem: Arc<bobbin_lock::BoundedSemaphore>,
    ) -> PyClassInitializer<BoundedSemaphore> {
        PyClassInitializer::from(Semaphore {
            permits: Init::new(Permits::Bounded(sem)),
        })
        .add_subclass(BoundedSemaphore)
    }

    /// The semaphore of the Python object `sem`, for Rust threads.
    ///
    /// # Panics
    ///
    /// Panics if `sem` is an object of a Python subclass whose `__init__`
    /// did not call `BoundedSemaphore.__init__`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use pyo3::prelude::*;
    /// use std::sync::Arc;
    ///
    /// Python::attach(|py| -> PyResult<()> {
    ///     let sem = Arc::new(bobbin_lock::BoundedSemaphore::new(2));
    ///     let object = Py::new(py, bobbin_py::BoundedSemaphore::from_shared(Arc::clone(&sem)))?;
    ///     assert!(Arc::ptr_eq(&bobbin_py::BoundedSemaphore::shared(object.bind(py)), &sem));
    ///     Ok(())
    /// })
    /// .unwrap();
    /// ```
    #[must_use]
    pub fn shared(sem: &Bound<'_, BoundedSemaphore>) -> Arc<bobbin_lock::BoundedSemaphore> {
        match sem.as_super().get().permits.expect() {
            Permits::Bounded(sem) => Arc::clone(sem),
            Permits::Counting(_) => panic!("a BoundedSemaphore initialised as a Semaphore"),
        }
    }

    fn bounded<'a>(slf: &'a Bound<'_, Self>) -> PyResult<&'a bobbin_lock::BoundedSemaphore> {
        match slf.as_super().get().permits.get()? {
            Permits::Bounded(sem) => Ok(sem),
            Permits::Counting(_) => Err(pyo3::exceptions::PyTypeError::new_err(
                "a BoundedSemaphore initialised by Semaphore.__init__",
            )),
        }
    }
}

#[pymethods]
impl BoundedSemaphore {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "(value=1)")]
    fn py_new(
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyClassInitializer<BoundedSemaphore> {
        PyClassInitializer::from(Semaphore {
            permits: Init::unset(),
        })
        .add_subclass(BoundedSemaphore)
    }

    #[pyo3(signature = (value = 1))]
    fn __init__(slf: &Bound<'_, Self>, value: isize) -> PyResult<()> {
        let sem = bobbin_lock::BoundedSemaphore::new(initial_value(value)?);
        slf.as_super()
            .get()
            .permits
            .set(Permits::Bounded(Arc::new(sem)))
    }

    /// Release `n` permits. Raises ValueError if that would raise the count
    /// above the initial value (and then releases none).
    #[pyo3(signature = (n = 1), text_signature = "($self, /, n=1)")]
    fn release(slf: &Bound<'_, Self>, n: isize) -> PyResult<()> {
        let sem = BoundedSemaphore::bounded(slf)?;
        sem.release(release_count(n)?).map_err(release_error)
    }

    /// The initial value, which releases cannot exceed.
    #[getter]
    fn _initial_value(slf: &Bound<'_, Self>) -> PyResult<usize> {
        Ok(BoundedSemaphore::bounded(slf)?.initial_value())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let sem = BoundedSemaphore::bounded(slf)?;
        Ok(format!(
            "<{} at {:#x}: value={}/{}>",
            class_name(slf)?,
            slf.as_ptr() as usize,
            sem.available(),
            sem.initial_value()
        ))
    }
}

/// A flag threads wait for: threading.Event. set() sets it and wakes every
/// waiter, clear() clears it, wait() waits with the GIL released until it
/// is set.
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

On `bobbin_signal::Event`.

Hand [`Event::shared`] to Rust threads: a Rust thread's `set()` wakes
Python threads waiting in `wait()`, and the other way round.

# Examples

```
let event = bobbin_py::Event::new();
let shared = event.shared(); // an Arc<bobbin_signal::Event>
std::thread::spawn(move || shared.set()).join().unwrap();
assert!(event.shared().is_set()); // Python's event.is_set()
```
"##
)]
#[doc(alias = "threading.Event")]
#[pyclass(subclass, frozen, weakref, dict, module = "bobbin")]
#[derive(Debug)]
pub struct Event {
    inner: Arc<bobbin_signal::Event>,
}

impl Event {
    /// A clear event, for Rust code to hand to Python.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!bobbin_py::Event::new().shared().is_set());
    /// ```
    #[must_use]
    pub fn new() -> Event {
        Event::from_shared(Arc::new(bobbin_signal::Event::new()))
    }

    /// The Python event that is `event`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let event = Arc::new(bobbin_signal::Event::new());
    /// let py_event = bobbin_py::Event::from_shared(Arc::clone(&event));
    /// event.set();
    /// assert!(py_event.shared().is_set());
    /// ```
    #[must_use]
    pub fn from_shared(event: Arc<bobbin_signal::Event>) -> Event {
        Event { inner: event }
    }

    /// The event, for Rust threads.
    ///
    /// # Examples
    ///
    /// See [`Event`].
    #[must_use]
    pub fn shared(&self) -> Arc<bobbin_signal::Event> {
        Arc::clone(&self.inner)
    }
}

impl Default for Event {
    fn default() -> Event {
        Event::new()
    }
}

#[pymethods]
impl Event {
    // `__new__` takes whatever the constructor is given, for a subclass's
    // `__init__`; `Event.__init__` takes nothing, as CPython's.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "()")]
    fn py_new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Event {
        Event::new()
    }

    /// Clear the flag: CPython's `__init__` starts the event afresh.
    fn __init__(&self) {
        self.inner.clear();
    }

    /// Return True if and only if the flag is set.
    #[pyo3(text_signature = "($self, /)")]
    fn is_set(&self) -> bool {
        self.inner.is_set()
    }

    /// Return True if and only if the flag is set (deprecated: use
    /// `is_set`).
    #[pyo3(text_signature = "($self, /)")]
    #[allow(non_snake_case)] // Python's deprecated name.
    fn isSet(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        errors::deprecated(slf.py(), c"isSet() is deprecated, use is_set() instead")?;
        // `self.is_set()`, as CPython's: a subclass's `is_set` is called.
        Ok(slf.call_method0("is_set")?.unbind())
    }

    /// Set the flag, waking every thread waiting for it.
    #[pyo3(text_signature = "($self, /)")]
    fn set(&self) {
        self.inner.set();
    }

    /// Clear the flag.
    #[pyo3(text_signature = "($self, /)")]
    fn clear(&self) {
        self.inner.clear();
    }

    /// Block until the flag is set, or until the timeout (in seconds)
    /// passes; return the flag. The GIL is released while it waits, and
    /// Ctrl-C interrupts the wait.
    #[pyo3(signature = (timeout = None), text_signature = "($self, /, timeout=None)")]
    fn wait(&self, py: Python<'_>, timeout: Option<Bound<'_, PyAny>>) -> PyResult<bool> {
        // One mark for the whole call: a `set(); clear()` pulse while it
        // waits (between two of the main thread's slices, too) returns
        // True, as CPython's, whose waiter is queued for the whole call.
        let mark = self.inner.mark();
        if mark.was_set() {
            return Ok(true);
        }
        let deadline = wait::optional_deadline(wait::secs(timeout.as_ref())?)?;
        let event = &*self.inner;
        if deadline.has_passed() {
            return Ok(event.is_set_since(mark));
        }
        // First the spin of a Condition's waiter (`flag::spin_until`): a
        // hand-off between two Python threads is answered in a microsecond
        // or two, and the event's own spin is shorter than a futex wake-up,
        // so once both threads of a ping-pong had parked they went on
        // parking (1 to 46 µs a round trip on two idle cores, by
        // chance). The mark makes the spin safe: a pulse is not missed.
        let mut first_slice = true;
        let set = wait::block(py, deadline, |d| {
            if first_slice {
                first_slice = false;
                if spin_until(|| event.is_set_since(mark)) {
                    return Some(());
                }
            }
            wait::by_deadline(
                d,
                || event.wait_since(mark),
                |at| event.wait_since_until(mark, at),
            )
            .then_some(())
        })?;
        Ok(set.is_some())
    }

    /// Make the event usable in a child process after `fork()`, keeping
    /// its flag, as CPython's (which resets the Condition inside it).
    #[pyo3(text_signature = "($self, /)")]
    fn _at_fork_reinit(&self) {
        // Nothing to reset: the event holds no lock (set, clear and wait
        // are single atomic steps on its flag), and a waiter the parent
        // left in the parking lot is a thread the child does not have,
        // which a later set() only takes off the lot's queue.
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let state = if slf.get().inner.is_set() {
            "set"
        } else {
            "unset"
        };
        Ok(format!(
            "<{} at {:#x}: {state}>",
            class_name(slf)?,
            slf.as_ptr() as usize
        ))
    }
}
