//! `SimpleQueue`: `bobbin_queue::SimpleQueue` of Python objects.
//!
//! # The GIL
//!
//! bobbin-queue's `SimpleQueue` is lock-free: a put is a push, a get a pop,
//! and no lock is ever held, so no Python code can run under one and a
//! `__del__` that puts into the queue while another put is under way (the
//! reentrancy CPython's C `SimpleQueue` guards against) is just another
//! put. A get tries holding the GIL and waits with it released.

use crate::errors;
use crate::init::own_call_args;
use crate::wait::{self, Truthy};
use bobbin_queue::GetError;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};
use std::sync::Arc;

/// An unbounded FIFO queue without task tracking: queue.SimpleQueue. put()
/// never blocks; get() waits with the GIL released.
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

On `bobbin_queue::SimpleQueue`.

Hand [`SimpleQueue::shared`] to Rust threads: they put and get without
the GIL, lock-free.

# Examples

```no_run
let queue = bobbin_py::SimpleQueue::new();
let shared = queue.shared(); // an Arc<bobbin_queue::SimpleQueue<Py<PyAny>>>
assert!(shared.is_empty());
```
"##
)]
#[doc(alias = "queue.SimpleQueue")]
#[pyclass(subclass, frozen, weakref, module = "bobbin")]
#[derive(Debug)]
pub struct SimpleQueue {
    inner: Arc<bobbin_queue::SimpleQueue<Py<PyAny>>>,
}

impl SimpleQueue {
    /// An empty queue, for Rust code to hand to Python.
    ///
    /// # Examples
    ///
    /// See [`SimpleQueue`].
    #[must_use]
    pub fn new() -> SimpleQueue {
        SimpleQueue::from_shared(Arc::new(bobbin_queue::SimpleQueue::new()))
    }

    /// The Python queue that is `queue`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::sync::Arc;
    ///
    /// let queue = Arc::new(bobbin_queue::SimpleQueue::new());
    /// let py_queue = bobbin_py::SimpleQueue::from_shared(Arc::clone(&queue));
    /// assert!(Arc::ptr_eq(&py_queue.shared(), &queue));
    /// ```
    #[must_use]
    pub fn from_shared(queue: Arc<bobbin_queue::SimpleQueue<Py<PyAny>>>) -> SimpleQueue {
        SimpleQueue { inner: queue }
    }

    /// The queue, for Rust threads.
    ///
    /// # Examples
    ///
    /// See [`SimpleQueue`].
    #[must_use]
    pub fn shared(&self) -> Arc<bobbin_queue::SimpleQueue<Py<PyAny>>> {
        Arc::clone(&self.inner)
    }
}

impl Default for SimpleQueue {
    fn default() -> SimpleQueue {
        SimpleQueue::new()
    }
}

#[pymethods]
impl SimpleQueue {
    // As C's `SimpleQueue()`: no arguments, except to a subclass's
    // constructor (for its own `__init__`).
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args, **kwargs), text_signature = "()")]
    fn py_new(
        cls: &Bound<'_, PyType>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<SimpleQueue> {
        match own_call_args::<SimpleQueue>(cls, args, kwargs) {
            (true, _) => Err(PyTypeError::new_err(
                "SimpleQueue() takes no positional arguments",
            )),
            (false, true) => Err(PyTypeError::new_err(
                "SimpleQueue() takes no keyword arguments",
            )),
            (false, false) => Ok(SimpleQueue::new()),
        }
    }

    /// Put the item on the queue. The optional 'block' and 'timeout'
    /// arguments are ignored, as this method never blocks; they are there
    /// for compatibility with the Queue class.
    #[pyo3(
        signature = (item, block = Truthy(true), timeout = None),
        text_signature = "($self, /, item, block=True, timeout=None)"
    )]
    fn put(&self, item: Py<PyAny>, block: Truthy, timeout: Option<Py<PyAny>>) {
        let _ = (block, timeout);
        // An unbounded queue that cannot be shut down takes every item.
        let _ = self.inner.put(item);
    }

    /// Put an item into the queue without blocking (the same as put).
    #[pyo3(text_signature = "($self, /, item)")]
    fn put_nowait(&self, item: Py<PyAny>) {
        let _ = self.inner.put(item);
    }

    /// Remove and return an item from the queue, waiting (the GIL released)
    /// until one is there, or at most timeout seconds (queue.Empty then);
    /// with block false, raise queue.Empty at once if there is none.
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
        match self.inner.try_get() {
            Ok(item) => return Ok(item),
            Err(GetError::Empty) => {}
            Err(_) => unreachable!("a SimpleQueue is never shut down"),
        }
        let Some(deadline) = deadline else {
            return Err(errors::empty(py));
        };
        let queue = &*self.inner;
        let item = wait::block(py, deadline, |d| {
            wait::by_deadline(d, || queue.get().ok(), |at| queue.get_until(at).ok())
        })?;
        item.ok_or_else(|| errors::empty(py))
    }

    /// Remove and return an item without blocking (queue.Empty if there is
    /// none).
    #[pyo3(text_signature = "($self, /)")]
    fn get_nowait(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.inner.try_get().map_err(|_| errors::empty(py))
    }

    /// Return True if the queue is empty.
    #[pyo3(text_signature = "($self, /)")]
    fn empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Return the number of items in the queue.
    #[pyo3(text_signature = "($self, /)")]
    fn qsize(&self) -> usize {
        self.inner.qsize()
    }

    #[classmethod]
    fn __class_getitem__(cls: &Bound<'_, PyType>, item: Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let alias = cls.py().import("types")?.getattr("GenericAlias")?;
        Ok(alias.call1((cls, item))?.unbind())
    }
}
