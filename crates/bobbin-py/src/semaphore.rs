//! `Semaphore` and `BoundedSemaphore` on bobbin-lock's, and `Event` on
//! bobbin-signal's.
//!
//! # The GIL
//!
//! None of these runs Python code, and none holds a lock of bobbin's own
//! while the caller runs: an acquire or a wait tries holding the GIL and
//! waits with it released ([`wait::block`]); `release` and `set` never
//! wait.

use crate::errors;
use crate::lock::{acquire_bare, release_error};
use crate::wait::{self, Truthy};
use bobbin_park::Deadline;
use pyo3::exceptions::{PyOverflowError, PyValueError};
use pyo3::prelude::*;
use std::sync::Arc;

/// Parses a semaphore's `acquire(blocking, timeout)`: `None` for a try.
fn semaphore_deadline(blocking: bool, timeout: Option<f64>) -> PyResult<Option<Deadline>> {
    if !blocking {
        if timeout.is_some() {
            return Err(PyValueError::new_err(
                "can't specify timeout for non-blocking acquire",
            ));
        }
        return Ok(None);
    }
    wait::optional_deadline(timeout).map(Some)
}

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

/// Writes the `#[pymethods]` block of `Semaphore` or `BoundedSemaphore`.
/// The two have the same methods, their docstrings for `acquire` and
/// `release` and a few methods of their own aside, and PyO3 takes one
/// `#[pymethods]` block a class, which no other class can share.
///
/// An invocation reads as the class's own part of that block: the doc
/// comment over `fn acquire;` and over `fn release;` is that method's
/// docstring, and the methods after them are the class's alone.
macro_rules! semaphore_methods {
    (
        impl $class:ident {
            $(#[doc = $acquire_doc:tt])*
            fn acquire;

            $(#[doc = $release_doc:tt])*
            fn release;

            $($own:tt)*
        }
    ) => {
        #[pymethods]
        impl $class {
            #[new]
            #[pyo3(signature = (value = 1), text_signature = "(value=1)")]
            fn py_new(value: isize) -> PyResult<$class> {
                initial_value(value).map($class::new)
            }

            $(#[doc = $acquire_doc])*
            #[pyo3(
                signature = (blocking = Truthy(true), timeout = None),
                text_signature = "($self, /, blocking=True, timeout=None)"
            )]
            fn acquire(
                &self,
                py: Python<'_>,
                blocking: Truthy,
                timeout: Option<f64>,
            ) -> PyResult<bool> {
                let deadline = semaphore_deadline(blocking.0, timeout)?;
                acquire_bare(py, &*self.inner, deadline)
            }

            $(#[doc = $release_doc])*
            #[pyo3(signature = (n = 1), text_signature = "($self, /, n=1)")]
            fn release(&self, n: isize) -> PyResult<()> {
                self.inner.release(release_count(n)?).map_err(release_error)
            }

            /// Acquire a permit (blocking), for `with sem:`.
            #[pyo3(text_signature = "($self, /)")]
            fn __enter__(&self, py: Python<'_>) -> PyResult<bool> {
                self.acquire(py, Truthy(true), None)
            }

            /// Release the permit, at the end of `with sem:`.
            #[pyo3(
                signature = (_exc_type = None, _exc_value = None, _traceback = None),
                text_signature = "($self, exc_type=None, exc_value=None, traceback=None, /)"
            )]
            fn __exit__(
                &self,
                _exc_type: Option<&Bound<'_, PyAny>>,
                _exc_value: Option<&Bound<'_, PyAny>>,
                _traceback: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                self.inner.release(1).map_err(release_error)
            }

            /// The number of free permits (CPython's private counter).
            #[getter]
            fn _value(&self) -> usize {
                self.inner.available()
            }

            $($own)*
        }
    };
}

/// Checks Python's `n >= 1` for `release(n)`.
fn release_count(n: isize) -> PyResult<usize> {
    usize::try_from(n)
        .ok()
        .filter(|&n| n >= 1)
        .ok_or_else(|| PyValueError::new_err("n must be one or more"))
}

/// A counting semaphore: Python's `threading.Semaphore`, on
/// `bobbin_lock::Semaphore`. Waiters are served first come, first served.
///
/// # Examples
///
/// ```
/// let sem = bobbin_py::Semaphore::new(2);
/// let shared = sem.shared(); // an Arc<bobbin_lock::Semaphore>
/// bobbin_lock::SemaphoreGuard::forget(shared.acquire()); // as Python's sem.acquire()
/// assert_eq!(shared.available(), 1);
/// ```
#[doc(alias = "threading.Semaphore")]
#[pyclass(frozen, weakref, module = "bobbin")]
#[derive(Debug)]
pub struct Semaphore {
    inner: Arc<bobbin_lock::Semaphore>,
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
        Semaphore {
            inner: Arc::new(bobbin_lock::Semaphore::new(value)),
        }
    }

    /// The semaphore, for Rust threads: a Python `acquire()` is a forgotten
    /// guard ([`SemaphoreGuard::forget`](bobbin_lock::SemaphoreGuard::forget)),
    /// `release(n)` is `bobbin_lock::Semaphore::release`.
    ///
    /// # Examples
    ///
    /// See [`Semaphore`].
    #[must_use]
    pub fn shared(&self) -> Arc<bobbin_lock::Semaphore> {
        Arc::clone(&self.inner)
    }
}

semaphore_methods! {
    impl Semaphore {
        /// Acquire a permit: without arguments, wait until one is free (the GIL
        /// released) and return True; with blocking false, return False at once
        /// if none is free; with a timeout, wait at most that many seconds and
        /// return False if none came.
        fn acquire;

        /// Release `n` permits, waking up to `n` waiters in the order they came.
        fn release;

        fn __repr__(slf: &Bound<'_, Self>) -> String {
            format!(
                "<bobbin.Semaphore at {:#x}: value={}>",
                slf.as_ptr() as usize,
                slf.get().inner.available()
            )
        }
    }
}

/// A semaphore that refuses to be released above its initial value:
/// Python's `threading.BoundedSemaphore`, on
/// `bobbin_lock::BoundedSemaphore`.
///
/// # Examples
///
/// ```
/// let sem = bobbin_py::BoundedSemaphore::new(1);
/// assert!(sem.shared().release(1).is_err()); // ValueError in Python
/// ```
#[doc(alias = "threading.BoundedSemaphore")]
#[pyclass(frozen, weakref, module = "bobbin")]
#[derive(Debug)]
pub struct BoundedSemaphore {
    inner: Arc<bobbin_lock::BoundedSemaphore>,
}

impl BoundedSemaphore {
    /// A bounded semaphore with `value` permits, for Rust code to hand to
    /// Python.
    ///
    /// # Panics
    ///
    /// Panics if `value` exceeds `bobbin_lock::Semaphore::MAX_PERMITS`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(bobbin_py::BoundedSemaphore::new(2).shared().initial_value(), 2);
    /// ```
    #[must_use]
    pub fn new(value: usize) -> BoundedSemaphore {
        BoundedSemaphore {
            inner: Arc::new(bobbin_lock::BoundedSemaphore::new(value)),
        }
    }

    /// The semaphore, for Rust threads.
    ///
    /// # Examples
    ///
    /// See [`BoundedSemaphore`].
    #[must_use]
    pub fn shared(&self) -> Arc<bobbin_lock::BoundedSemaphore> {
        Arc::clone(&self.inner)
    }
}

semaphore_methods! {
    impl BoundedSemaphore {
        /// Acquire a permit, as `Semaphore.acquire`.
        fn acquire;

        /// Release `n` permits. Raises ValueError if that would raise the count
        /// above the initial value (and then releases none).
        fn release;

        /// The initial value, which releases cannot exceed.
        #[getter]
        fn _initial_value(&self) -> usize {
            self.inner.initial_value()
        }

        fn __repr__(slf: &Bound<'_, Self>) -> String {
            let inner = &slf.get().inner;
            format!(
                "<bobbin.BoundedSemaphore at {:#x}: value={}/{}>",
                slf.as_ptr() as usize,
                inner.available(),
                inner.initial_value()
            )
        }
    }
}

/// A flag threads wait for: Python's `threading.Event`, on
/// `bobbin_signal::Event`.
///
/// Hand [`Event::shared`] to Rust threads: a Rust thread's `set()` wakes
/// Python threads waiting in `wait()`, and the other way round.
///
/// # Examples
///
/// ```
/// let event = bobbin_py::Event::new();
/// let shared = event.shared(); // an Arc<bobbin_signal::Event>
/// std::thread::spawn(move || shared.set()).join().unwrap();
/// assert!(event.shared().is_set()); // Python's event.is_set()
/// ```
#[doc(alias = "threading.Event")]
#[pyclass(frozen, weakref, module = "bobbin")]
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
    #[new]
    fn py_new() -> Event {
        Event::new()
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
    fn isSet(&self, py: Python<'_>) -> PyResult<bool> {
        errors::deprecated(py, c"isSet() is deprecated, use is_set() instead")?;
        Ok(self.inner.is_set())
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
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        if self.inner.is_set() {
            return Ok(true);
        }
        let deadline = wait::optional_deadline(timeout)?;
        if deadline.has_passed() {
            return Ok(self.inner.is_set());
        }
        let event = &*self.inner;
        let set = wait::block(py, deadline, |d| {
            wait::by_deadline(d, || event.wait(), |at| event.wait_until(at)).then_some(())
        })?;
        Ok(set.is_some())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let state = if slf.get().inner.is_set() {
            "set"
        } else {
            "unset"
        };
        format!("<bobbin.Event at {:#x}: {state}>", slf.as_ptr() as usize)
    }
}
