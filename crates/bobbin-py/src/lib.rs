//! The Python module `bobbin`: Python's `threading` and `queue` primitives
//! on bobbin's crates, with CPython 3.13's semantics, that release the GIL
//! while they wait.
//!
//! ```python
//! import bobbin
//!
//! q = bobbin.Queue()            # queue.Queue, native
//! lock = bobbin.Lock()          # threading.Lock
//! with lock:
//!     q.put("work")
//! print(q.get())
//! ```
//!
//! | Python | `bobbin` | Rust underneath |
//! |---|---|---|
//! | `threading.Lock`, `RLock` | [`Lock`], [`RLock`] | `bobbin_lock::Lock<()>`, `RLock<()>` |
//! | `threading.Condition` | [`Condition`] | CPython's algorithm (a queue of per-waiter flags) over a bobbin `Lock`/`RLock`, or any lock |
//! | `threading.Semaphore`, `BoundedSemaphore` | [`Semaphore`], [`BoundedSemaphore`] | bobbin-lock's |
//! | `threading.Event` | [`Event`] | `bobbin_signal::Event` |
//! | `threading.Barrier` | [`Barrier`] | generations counted under a bobbin `Lock`, each with a flag its parties wait on |
//! | `queue.Queue`, `LifoQueue`, `PriorityQueue` | [`Queue`], [`LifoQueue`], [`PriorityQueue`] | CPython's monitor on a bobbin `Lock` and three `Condition`s ([`SharedQueue`]) |
//! | `queue.SimpleQueue` | [`SimpleQueue`] | `bobbin_queue::SimpleQueue` |
//! | `queue.Empty`, `Full`, `ShutDown`, `threading.BrokenBarrierError` | the same class objects | |
//! | (none) | `thread_dump()`, `Queue.join(timeout)` | bobbin-thread's hang report |
//!
//! # The GIL
//!
//! Every blocking call tries its fast path holding the GIL and releases the
//! GIL only to wait (`src/wait.rs` has the details, Ctrl-C included). No thread
//! ever waits for the GIL while it holds one of bobbin's own locks (a
//! queue's or a barrier's state lock): those are taken by tries while
//! holding the GIL, waited for with it released, held for a few
//! instructions, and released before any Python code runs. Each module says
//! how its type keeps that rule, and where Python code (`<`, an `action`, a
//! predicate, `__del__`) runs.
//!
//! # Sharing with Rust
//!
//! Each type has a Rust side for a PyO3 application or extension that
//! links this crate: `Lock::shared()` gives the `Arc<bobbin_lock::Lock<()>>`
//! that Python's `acquire`/`release` act on, [`SharedQueue`] is the Rust
//! side of a `Queue`, and so on; Rust threads use them without the GIL.
//! Two extension modules built separately do not share PyO3's classes, so
//! the objects must come from the same build: an application (or
//! extension) that depends on `bobbin-py` registers the classes in its own
//! module with [`register`], or creates the objects itself and hands them
//! to Python. The `bobbin` wheel's objects are not reachable from another
//! extension's Rust code.
//!
//! ```
//! use bobbin_py::{Queue, SharedQueue};
//! use pyo3::prelude::*;
//!
//! /// An extension module that hands Python a queue its Rust threads fill.
//! #[pymodule]
//! fn my_extension(m: &Bound<'_, PyModule>) -> PyResult<()> {
//!     bobbin_py::register(m)?; // bobbin's classes, from this build
//!     let jobs = SharedQueue::fifo(100);
//!     m.add("jobs", Queue::from_shared(jobs.clone()))?;
//!     std::thread::spawn(move || {
//!         for n in 0..10i64 {
//!             let item = Python::attach(|py| n.into_pyobject(py).unwrap().into_any().unbind());
//!             jobs.put(item).unwrap();
//!         }
//!         jobs.join(); // until Python code has called task_done() ten times
//!     });
//!     Ok(())
//! }
//! ```
//!
//! # Building
//!
//! The crate is built on PyO3's stable ABI (abi3, CPython 3.11 and later),
//! with no interpreter needed at build time; `pip install crates/bobbin-py`
//! builds the wheel with maturin. The README says why, and what it costs.

#![forbid(unsafe_code)]

mod wait;

mod barrier;
mod condition;
mod dump;
mod errors;
mod flag;
mod init;
mod lock;
mod queue;
mod semaphore;
mod simple;
mod testing;

pub use barrier::Barrier;
pub use condition::Condition;
pub use dump::ThreadStatus;
pub use lock::{Lock, RLock};
pub use queue::{LifoQueue, PriorityQueue, Queue, SharedQueue};
pub use semaphore::{BoundedSemaphore, Event, Semaphore};
pub use simple::SimpleQueue;

use pyo3::prelude::*;

/// Adds bobbin's classes, exceptions and functions to `module`: what
/// `import bobbin` gets, for an application or extension that links this
/// crate and exposes them from a module of its own.
///
/// # Errors
///
/// Any error from adding to the module or importing `queue` and
/// `threading` (for their exception classes).
///
/// # Examples
///
/// ```
/// use pyo3::prelude::*;
///
/// #[pymodule]
/// fn my_app(m: &Bound<'_, PyModule>) -> PyResult<()> {
///     bobbin_py::register(m)
/// }
/// ```
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Lock>()?;
    module.add_class::<RLock>()?;
    module.add_class::<Condition>()?;
    module.add_class::<Semaphore>()?;
    module.add_class::<BoundedSemaphore>()?;
    module.add_class::<Event>()?;
    module.add_class::<Barrier>()?;
    module.add_class::<Queue>()?;
    module.add_class::<LifoQueue>()?;
    module.add_class::<PriorityQueue>()?;
    module.add_class::<SimpleQueue>()?;
    module.add_class::<ThreadStatus>()?;
    errors::register(module)?;
    module.add_function(wrap_pyfunction!(dump::thread_dump, module)?)?;
    module.add("TIMEOUT_MAX", wait::timeout_max(module.py())?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    testing::register(module)?;
    Ok(())
}

// The extension module `bobbin` (`PyInit_bobbin`); its doc comment is the
// module's Python docstring.
/// Python's threading and queue primitives (Lock, RLock, Condition,
/// Semaphore, BoundedSemaphore, Event, Barrier, Queue, LifoQueue,
/// PriorityQueue, SimpleQueue) in Rust, with CPython 3.13's semantics:
/// drop-in replacements that release the GIL while they wait, and that the
/// Rust threads of a PyO3 application can share. The exceptions are the
/// standard library's own (queue.Empty, Full, ShutDown and
/// threading.BrokenBarrierError). Beyond CPython: Queue.join(timeout) and
/// thread_dump(), which says which thread waits in which primitive, and
/// for how long.
#[pymodule(name = "bobbin")]
fn bobbin_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    register(module)
}
