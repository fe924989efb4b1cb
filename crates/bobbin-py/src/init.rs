//! Objects set up by `__init__`, as CPython's pure-Python classes are, so
//! that Python code can subclass them.
//!
//! `threading.Semaphore`, `BoundedSemaphore`, `Condition` and `Barrier` are
//! Python classes whose `__init__` takes the constructor's arguments. A
//! subclass with an `__init__` of its own takes whatever arguments it likes
//! and passes its base's to `super().__init__(...)`:
//!
//! ```python
//! class Pool(bobbin.Semaphore):
//!     def __init__(self, name):
//!         super().__init__(4)
//!         self.name = name
//! ```
//!
//! So these classes' `__new__` takes any arguments and makes an object whose
//! state is not there yet, and their `__init__` checks its arguments and
//! sets the state, once. The state is an [`Init`]: a cell written once,
//! read with one load.

use pyo3::exceptions::{PyAttributeError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::type_object::PyTypeInfo;
use pyo3::types::{PyDict, PyTuple, PyType};
use std::sync::OnceLock;

/// State that `__init__` sets once (or a Rust constructor at once).
#[derive(Debug)]
pub(crate) struct Init<T>(OnceLock<T>);

impl<T> Init<T> {
    /// Not set yet: what `__new__` makes.
    pub(crate) fn unset() -> Init<T> {
        Init(OnceLock::new())
    }

    /// Set already: what a Rust constructor makes.
    pub(crate) fn new(value: T) -> Init<T> {
        Init(OnceLock::from(value))
    }

    /// The state.
    ///
    /// # Errors
    ///
    /// `AttributeError` if `__init__` was not called, as the missing
    /// attribute of CPython's pure-Python class would raise: a subclass's
    /// `__init__` that does not call `super().__init__(...)`.
    pub(crate) fn get(&self) -> PyResult<&T> {
        self.0.get().ok_or_else(|| {
            PyAttributeError::new_err(
                "the object is not initialised: its class's __init__ did not call \
                 the bobbin base class's __init__",
            )
        })
    }

    /// The state, if set.
    pub(crate) fn try_get(&self) -> Option<&T> {
        self.0.get()
    }

    /// The state, for the Rust side of an object made from Python.
    ///
    /// # Panics
    ///
    /// Panics if `__init__` was not called (see [`Init::get`]).
    pub(crate) fn expect(&self) -> &T {
        self.0
            .get()
            .expect("a bobbin object whose __init__ was not called")
    }

    /// Sets the state: `__init__`.
    ///
    /// # Errors
    ///
    /// `RuntimeError` if it was set before: CPython's pure-Python classes
    /// start afresh when `__init__` is called again, which a native object
    /// that other threads (and Rust) may hold cannot do.
    pub(crate) fn set(&self, value: T) -> PyResult<()> {
        self.0.set(value).map_err(|_| {
            PyRuntimeError::new_err("the object is initialised already: __init__ was called twice")
        })
    }
}

/// Whether bobbin's class `T` itself, not a Python subclass, was called
/// with positional and with keyword arguments. A subclass's constructor
/// takes any, for its own `__init__`; `T`'s may refuse them or warn.
pub(crate) fn own_call_args<T: PyTypeInfo>(
    cls: &Bound<'_, PyType>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> (bool, bool) {
    if !cls.is(cls.py().get_type::<T>()) {
        return (false, false);
    }
    (!args.is_empty(), kwargs.is_some_and(|k| !k.is_empty()))
}

/// `module.qualname` of `obj`'s class, as the reprs of CPython's
/// pure-Python classes name it: `bobbin.Semaphore`, or a subclass's own.
pub(crate) fn class_name<T>(obj: &Bound<'_, T>) -> PyResult<String> {
    // Not `fully_qualified_name`, which leaves out `__main__`.
    let class = obj.as_any().get_type();
    Ok(format!("{}.{}", class.module()?, class.qualname()?))
}
