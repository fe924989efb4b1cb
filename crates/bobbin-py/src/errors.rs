//! The standard library's own exception classes: `queue.Empty`,
//! `queue.Full`, `queue.ShutDown` and `threading.BrokenBarrierError`, so
//! that `except queue.Empty:` catches bobbin's.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

static EMPTY: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static FULL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static SHUT_DOWN: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static BROKEN_BARRIER: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The class, imported once.
fn class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    module: &str,
    name: &str,
) -> PyResult<&'py Bound<'py, PyType>> {
    cell.import(py, module, name)
}

/// An instance of the class, or the error importing it.
fn raise(py: Python<'_>, cell: &'static PyOnceLock<Py<PyType>>, module: &str, name: &str) -> PyErr {
    match class(py, cell, module, name) {
        Ok(ty) => PyErr::from_type(ty.clone(), ()),
        Err(err) => err,
    }
}

/// `queue.Empty()`.
pub(crate) fn empty(py: Python<'_>) -> PyErr {
    raise(py, &EMPTY, "queue", "Empty")
}

/// `queue.Full()`.
pub(crate) fn full(py: Python<'_>) -> PyErr {
    raise(py, &FULL, "queue", "Full")
}

/// `queue.ShutDown()`.
pub(crate) fn shut_down(py: Python<'_>) -> PyErr {
    raise(py, &SHUT_DOWN, "queue", "ShutDown")
}

/// `threading.BrokenBarrierError()`.
pub(crate) fn broken_barrier(py: Python<'_>) -> PyErr {
    raise(py, &BROKEN_BARRIER, "threading", "BrokenBarrierError")
}

/// Adds the four classes to the module, as the very objects of the
/// standard library. `queue.ShutDown` is new in 3.13: on 3.11 and 3.12
/// bobbin makes one (a subclass of `Exception`, as in 3.13) and puts it
/// into the `queue` module.
pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    let queue = py.import("queue")?;
    if !queue.hasattr("ShutDown")? {
        let shut_down = PyErr::new_type(
            py,
            c"queue.ShutDown",
            Some(c"Raised when put/get with shut-down queue."),
            Some(&py.get_type::<pyo3::exceptions::PyException>()),
            None,
        )?;
        queue.setattr("ShutDown", shut_down)?;
    }
    module.add("Empty", class(py, &EMPTY, "queue", "Empty")?)?;
    module.add("Full", class(py, &FULL, "queue", "Full")?)?;
    module.add("ShutDown", class(py, &SHUT_DOWN, "queue", "ShutDown")?)?;
    module.add(
        "BrokenBarrierError",
        class(py, &BROKEN_BARRIER, "threading", "BrokenBarrierError")?,
    )?;
    Ok(())
}

/// Warns that a deprecated method was called (`DeprecationWarning`,
/// reported at the caller's line), as CPython's deprecated aliases do; the
/// error if a filter turns the warning into one.
pub(crate) fn deprecated(py: Python<'_>, message: &std::ffi::CStr) -> PyResult<()> {
    PyErr::warn(
        py,
        &py.get_type::<pyo3::exceptions::PyDeprecationWarning>(),
        message,
        1,
    )
}
