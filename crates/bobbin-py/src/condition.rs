//! `Condition`: CPython's `threading.Condition` algorithm (a queue of
//! per-waiter flags) in Rust, over a bobbin `Lock` or `RLock` held by bare
//! calls, or over any other lock through its Python methods.
//!
//! # The algorithm
//!
//! Each waiter queues a flag of its own ([`Flag`]), releases the lock,
//! waits for the flag with the GIL released, and takes the lock back;
//! `notify(n)` takes the `n` oldest flags off the queue and sets them. A
//! notification that comes late (the waiter had timed out but not yet left
//! the queue) is the waiter's all the same: it returns `True`.
//!
//! # Why not `bobbin_signal::Condition`
//!
//! The parking-lot condition puts a waiter to sleep in the kernel at once,
//! so every notification costs a futex wake-up and the sleeper's return to
//! a core: on the 2-core machine about 2.5 µs per hand-off when the two
//! threads share a core, and 17 µs when the sleeper's core is idle, most
//! of a two-thread ping-pong's round trip. A waiter on its own flag spins
//! briefly before it parks ([`crate::flag`]): a notification within a few
//! microseconds finds it awake and costs one store, and on a machine whose
//! other core is busy the two threads hand over by yielding rather than by
//! a sleep and a wake-up (`perf stat`: two context switches and no futex
//! call per round trip).
//!
//! # The native path
//!
//! Over a bobbin `Lock` or `RLock` (and `Condition()`, which makes an
//! `RLock`), the whole wait (queueing, releasing every level of the lock,
//! waiting, leaving the queue if not notified, taking the lock back) runs
//! with the GIL released. The lock is released only after the GIL, so a
//! notified waiter, which spins for the lock before it parks, finds the
//! GIL free once it has the lock (CPython's `take_gil` would put it to
//! sleep at once otherwise). The lock is taken back without the GIL: the
//! holder may be a Python thread that needs the GIL to release it.
//!
//! On the main thread the wait is cut into slices (see [`crate::wait`]).
//! Each slice queues the waiter, releases the lock, waits, leaves the queue
//! and takes the lock back, so between two slices the waiter holds the lock
//! and is not queued; a notifier must hold the lock to notify, so it cannot
//! notify in that gap (over a `Lock`, which has no owner, only a thread
//! that notifies without having taken the lock itself could). Ctrl-C
//! between two slices raises `KeyboardInterrupt` with the lock held, as
//! CPython's `finally: self._acquire_restore(...)` leaves it.
//!
//! # Any other lock
//!
//! Over another lock (a `threading.Lock`, say) the waiter releases the lock
//! with `_release_save()` (or `release()`) before releasing the GIL, and
//! takes it back with `_acquire_restore()` (or `acquire()`) holding it.
//!
//! # The waiter queue
//!
//! The queue is under a bobbin `Lock` held for a few instructions, never
//! while Python code runs or a parked waiter is woken (a notifier sets the
//! flags it took after releasing it). A thread holding the GIL takes it by
//! tries ([`lock_gil`]); a native wait takes it with the GIL released.
//!
//! # Python code
//!
//! `wait_for`'s predicate runs holding the GIL and the user's lock, as in
//! CPython, and no lock of bobbin's own.

use crate::errors;
use crate::flag::{Flag, spin_until};
use crate::init::Init;
use crate::lock::{RLock, acquire_bare, release_error};
use crate::wait::{self, lock_gil};
use bobbin_lock::{LockGuard, RLockGuard};
use bobbin_park::{Deadline, WaitKind, WaitLabel};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3::{PyTraverseError, PyVisit};
use std::collections::VecDeque;
use std::sync::Arc;

/// What a hang report says a waiter waits in (also while it takes the lock
/// back).
static CONDITION_WAIT: WaitKind = WaitKind::new("Condition.wait");

/// The lock a condition uses.
#[derive(Debug)]
enum Kind {
    /// A bobbin `Lock`: released and taken back without the GIL.
    Lock(Arc<bobbin_lock::Lock<()>>),
    /// A bobbin `RLock`: every level released and taken back without the
    /// GIL.
    RLock(Arc<bobbin_lock::RLock<()>>),
    /// Anything else: released and taken back by its Python methods.
    Foreign,
}

/// A condition variable: threading.Condition(lock=None), over a bobbin
/// Lock or RLock (a new RLock by default) or any lock with acquire() and
/// release(). wait() releases the lock, waits with the GIL released until
/// notified, and takes the lock back.
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

`Condition(lock=None)`: over a bobbin `Lock` or `RLock` (and
`Condition()` makes an `RLock`) it releases and takes back the lock
natively, with the GIL released; over any other lock (a
`threading.Lock`, say) it calls that lock's `acquire`/`release` (and its
`_release_save`, `_acquire_restore` and `_is_owned`, when it has them).

From Rust, a condition made by [`Condition::new`] shares its lock
([`Condition::shared_rlock`]) with Rust threads; Rust threads wait on a
`bobbin_signal::Condition` of their own (a condition's waiters and
notifiers are Python threads).

# Examples

```no_run
let cond = bobbin_py::Condition::new();
let rlock = cond.shared_rlock().expect("Condition() makes an RLock");
assert!(!rlock.locked());
```
"##
)]
#[doc(alias = "threading.Condition")]
#[pyclass(subclass, frozen, weakref, dict, module = "bobbin")]
#[derive(Debug)]
pub struct Condition {
    /// The lock, which `__init__` sets (see [`crate::init`]).
    target: Init<Target>,
    /// The waiters, oldest first: each one's own flag, which a
    /// notification takes off this queue and sets. Held for a few
    /// instructions, never while Python code runs; taken by tries while
    /// holding the GIL ([`lock_gil`]).
    waiters: bobbin_lock::Lock<VecDeque<Arc<Flag>>>,
}

/// A condition's lock.
#[derive(Debug)]
struct Target {
    /// The lock object Python code gave, `None` for the `RLock` that
    /// `Condition()` makes (it lives in `kind` only).
    lock: Option<Py<PyAny>>,
    kind: Kind,
}

impl Target {
    /// The lock of `Condition(lock)`. Only bobbin's own classes are taken
    /// natively: a Python subclass of `RLock` may have methods of its own,
    /// which the condition must call.
    fn of(lock: Option<Bound<'_, PyAny>>) -> Target {
        let Some(lock) = lock.filter(|l| !l.is_none()) else {
            return Target::new_rlock();
        };
        let kind = if let Ok(l) = lock.cast_exact::<crate::lock::Lock>() {
            Kind::Lock(l.get().shared())
        } else if let Ok(r) = lock.cast_exact::<RLock>() {
            Kind::RLock(r.get().shared())
        } else {
            Kind::Foreign
        };
        Target {
            lock: Some(lock.unbind()),
            kind,
        }
    }

    /// The lock of `Condition()`: a new bobbin `RLock`.
    fn new_rlock() -> Target {
        Target {
            lock: None,
            kind: Kind::RLock(RLock::new().shared()),
        }
    }

    /// The foreign lock object (only `Kind::Foreign` calls this).
    fn foreign<'py>(&self, py: Python<'py>) -> &Bound<'py, PyAny> {
        self.lock
            .as_ref()
            .expect("a foreign lock was given as an object")
            .bind(py)
    }

    /// Whether the calling thread may wait or notify: the lock is held (by
    /// this thread, for an RLock).
    fn is_owned(&self, py: Python<'_>) -> PyResult<bool> {
        match &self.kind {
            Kind::Lock(lock) => Ok(lock.locked()),
            Kind::RLock(rlock) => Ok(rlock.is_owned()),
            Kind::Foreign => {
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

    /// Takes one level of the native lock by `deadline` (`None`: a try),
    /// as the lock's own `acquire` does; whether it was taken.
    fn acquire_native(&self, py: Python<'_>, deadline: Option<Deadline>) -> PyResult<bool> {
        match &self.kind {
            Kind::Lock(lock) => acquire_bare(py, &**lock, deadline),
            Kind::RLock(rlock) => acquire_bare(py, &**rlock, deadline),
            Kind::Foreign => unreachable!("a foreign lock is taken by its own methods"),
        }
    }

    /// Releases one level of the native lock, as the lock's own `release`
    /// does.
    fn release_native_level(&self) -> PyResult<()> {
        match &self.kind {
            Kind::Lock(lock) => lock.release().map_err(release_error),
            Kind::RLock(rlock) => rlock.release().map_err(release_error),
            Kind::Foreign => unreachable!("a foreign lock is released by its own methods"),
        }
    }

    /// Releases the native lock; returns how many levels it held.
    fn release_native(&self) -> usize {
        match &self.kind {
            Kind::Lock(lock) => {
                // Held when the wait began; if another thread released it
                // meanwhile (a Lock has no owner), there is nothing to
                // release, and the wait takes it back all the same, as
                // CPython's `_acquire_restore` would.
                let _ = lock.release();
                1
            }
            Kind::RLock(rlock) => {
                // Only this thread can release its levels, so the count
                // checked holding the GIL still holds.
                let levels = rlock.recursion_count();
                for _ in 0..levels {
                    let _ = rlock.release();
                }
                levels
            }
            Kind::Foreign => unreachable!("the native wait is for bobbin locks"),
        }
    }

    /// Takes the native lock back, `levels` levels of it.
    fn restore_native(&self, levels: usize) {
        match &self.kind {
            Kind::Lock(lock) => {
                if !spin_until(|| lock.try_acquire().map(LockGuard::leak).is_some()) {
                    LockGuard::leak(lock.acquire());
                }
            }
            Kind::RLock(rlock) => {
                if !spin_until(|| rlock.try_acquire().map(RLockGuard::leak).is_some()) {
                    RLockGuard::leak(rlock.acquire());
                }
                for _ in 1..levels {
                    RLockGuard::leak(rlock.acquire());
                }
            }
            Kind::Foreign => unreachable!("the native wait is for bobbin locks"),
        }
    }
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
        Condition::with(Init::new(Target::new_rlock()))
    }

    /// The condition's lock, if it is a bobbin `RLock`.
    ///
    /// # Examples
    ///
    /// See [`Condition`].
    #[must_use]
    pub fn shared_rlock(&self) -> Option<Arc<bobbin_lock::RLock<()>>> {
        match &self.target.try_get()?.kind {
            Kind::RLock(rlock) => Some(Arc::clone(rlock)),
            _ => None,
        }
    }

    fn with(target: Init<Target>) -> Condition {
        Condition {
            target,
            waiters: bobbin_lock::Lock::new(VecDeque::new()),
        }
    }

    /// The native wait, the GIL released: queue a flag, release the lock
    /// (every level), wait for the flag, take the lock back. The lock is
    /// held (checked). Returns whether it was notified.
    ///
    /// The lock is released only once the GIL is: a notified waiter spins
    /// for the lock before it parks, and the notifier releases the lock
    /// only after the GIL, so the waiter that gets the lock finds the GIL
    /// free. A notifier finds the waiter still spinning on its flag if it
    /// comes within a few microseconds, and then wakes it without a system
    /// call.
    fn wait_native(&self, py: Python<'_>, t: &Target, deadline: Deadline) -> PyResult<bool> {
        let me = Arc::new(Flag::default());
        let notified = wait::block(py, deadline, |d| {
            let _label = WaitLabel::unless_labelled(&CONDITION_WAIT);
            // Queued before the lock is released, so a notifier, which
            // holds the lock, always finds it. Each main-thread slice
            // queues anew and leaves the queue before it ends.
            self.waiters.acquire().push_back(Arc::clone(&me));
            let levels = t.release_native();
            let set = me.wait(d);
            let notified = set || !dequeue(&mut self.waiters.acquire(), &me);
            t.restore_native(levels);
            notified.then_some(())
        })?;
        Ok(notified.is_some())
    }

    /// CPython's wait over any lock.
    fn wait_foreign(&self, py: Python<'_>, t: &Target, deadline: Deadline) -> PyResult<bool> {
        let me = Arc::new(Flag::default());
        lock_gil(py, &self.waiters).push_back(Arc::clone(&me));
        let lock = t.foreign(py);
        let saved = if lock.hasattr("_release_save")? {
            Some(lock.call_method0("_release_save")?)
        } else {
            lock.call_method0("release")?;
            None
        };
        let flag = &*me;
        let got = wait::block(py, deadline, |d| {
            let _label = WaitLabel::unless_labelled(&CONDITION_WAIT);
            flag.wait(d).then_some(())
        });
        let restored = match saved {
            Some(saved) => lock.call_method1("_acquire_restore", (saved,)).map(drop),
            None => lock.call_method0("acquire").map(drop),
        };
        let mut got = got.map(|g| g.is_some());
        if !matches!(got, Ok(true))
            && !dequeue(&mut lock_gil(py, &self.waiters), &me)
            && got.is_ok()
        {
            // A notifier took us off the queue after our wait ended: the
            // notification was ours; do not lose it.
            got = Ok(true);
        }
        restored?;
        got
    }

    fn notify_n(&self, py: Python<'_>, n: usize) -> PyResult<()> {
        if !self.target.get()?.is_owned(py)? {
            return Err(PyRuntimeError::new_err("cannot notify on un-acquired lock"));
        }
        // One waiter at a time, its flag set after the queue is released
        // (a parked waiter's wake-up is a system call). No waiter can join
        // meanwhile: that needs the lock, which this thread holds.
        for _ in 0..n {
            let Some(waiter) = lock_gil(py, &self.waiters).pop_front() else {
                break;
            };
            waiter.set();
        }
        Ok(())
    }
}

impl Default for Condition {
    fn default() -> Condition {
        Condition::new()
    }
}

/// An optional argument that tells "not given" (`Given(None)`, the
/// default) from a given `None`, so that a call is handed on as it was
/// made.
struct Given<'py>(Option<Bound<'py, PyAny>>);

impl<'py> FromPyObject<'_, 'py> for Given<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(Given(Some(obj.to_owned())))
    }
}

/// The `n` of `notify(n)`: an int that fits, or anything else, which is
/// counted down with Python's `>` and `-`.
#[derive(FromPyObject)]
enum Count<'py> {
    Int(isize),
    Any(Bound<'py, PyAny>),
}

/// Takes `me` off the waiter `queue`; false if a notifier took it first
/// (the notification is then this waiter's).
fn dequeue(queue: &mut VecDeque<Arc<Flag>>, me: &Arc<Flag>) -> bool {
    let before = queue.len();
    queue.retain(|w| !Arc::ptr_eq(w, me));
    queue.len() != before
}

#[pymethods]
impl Condition {
    // `__new__` takes whatever the constructor is given and `__init__`
    // sets the lock, as in CPython's pure-Python class (see `crate::init`).
    #[new]
    #[pyo3(signature = (*_args, **_kwargs), text_signature = "(lock=None)")]
    fn py_new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Condition {
        Condition::with(Init::unset())
    }

    // The lock object, for the garbage collector: a cycle through it (a
    // lock that refers to its condition) is collected as with CPython's
    // Condition. The lock never changes once set, so the cycle is broken
    // elsewhere (no `__clear__`).
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(self.target.try_get().and_then(|t| t.lock.as_ref()))
    }

    #[pyo3(signature = (lock = None))]
    fn __init__(&self, lock: Option<Bound<'_, PyAny>>) -> PyResult<()> {
        self.target.set(Target::of(lock))
    }

    /// Acquire the underlying lock: its own `acquire`, given the arguments
    /// as they came (CPython binds `self.acquire = lock.acquire`). A bobbin
    /// lock's takes `blocking=True, timeout=-1`.
    #[pyo3(
        signature = (*args, **kwargs),
        text_signature = "($self, /, *args, **kwargs)"
    )]
    fn acquire(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let t = self.target.get()?;
        if matches!(t.kind, Kind::Foreign) {
            return Ok(t.foreign(py).call_method("acquire", args, kwargs)?.unbind());
        }
        let (blocking, timeout) = wait::lock_acquire_args(args, kwargs)?;
        let taken = t.acquire_native(py, wait::lock_deadline(py, blocking, timeout)?)?;
        taken.into_py_any(py)
    }

    /// Release the underlying lock: its own `release`, given the arguments
    /// as they came (a bobbin lock's takes none).
    #[pyo3(
        signature = (*args, **kwargs),
        text_signature = "($self, /, *args, **kwargs)"
    )]
    fn release(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let t = self.target.get()?;
        if matches!(t.kind, Kind::Foreign) {
            return Ok(t.foreign(py).call_method("release", args, kwargs)?.unbind());
        }
        if kwargs.is_some_and(|k| !k.is_empty()) {
            return Err(PyTypeError::new_err("release() takes no keyword arguments"));
        }
        if !args.is_empty() {
            return Err(PyTypeError::new_err(format!(
                "release() takes no arguments ({} given)",
                args.len()
            )));
        }
        t.release_native_level()?;
        Ok(py.None())
    }

    /// Acquire the underlying lock (blocking), for `with cond:`; returns
    /// what the lock's `__enter__` returns.
    #[pyo3(text_signature = "($self, /)")]
    fn __enter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let t = self.target.get()?;
        if matches!(t.kind, Kind::Foreign) {
            return Ok(t.foreign(py).call_method0("__enter__")?.unbind());
        }
        t.acquire_native(py, Some(Deadline::never()))?
            .into_py_any(py)
    }

    /// Release the underlying lock, at the end of `with cond:`: the lock's
    /// own `__exit__`, given the arguments as they came, and its result
    /// (a lock whose `__exit__` returns true suppresses the exception, as
    /// with CPython's Condition).
    ///
    /// It takes at most three arguments, positional only (CPython's hands
    /// on any number): `*args` would cost a tuple on every `with cond:`.
    #[pyo3(
        signature = (exc_type = Given(None), exc_value = Given(None), traceback = Given(None), /),
        text_signature = "($self, exc_type=None, exc_value=None, traceback=None, /)"
    )]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Given<'_>,
        exc_value: Given<'_>,
        traceback: Given<'_>,
    ) -> PyResult<Py<PyAny>> {
        let t = self.target.get()?;
        if matches!(t.kind, Kind::Foreign) {
            let given: Vec<_> = [exc_type.0, exc_value.0, traceback.0]
                .into_iter()
                .flatten()
                .collect();
            let args = PyTuple::new(py, given)?;
            return Ok(t.foreign(py).call_method1("__exit__", args)?.unbind());
        }
        t.release_native_level()?;
        Ok(py.None())
    }

    /// Whether the calling thread holds the lock (for a lock without an
    /// owner, whether it is held at all).
    #[pyo3(text_signature = "($self, /)")]
    fn _is_owned(&self, py: Python<'_>) -> PyResult<bool> {
        self.target.get()?.is_owned(py)
    }

    /// The underlying lock's `_release_save`.
    #[pyo3(text_signature = "($self, /)")]
    fn _release_save(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let t = self.target.get()?;
        match &t.kind {
            Kind::Lock(lock) => {
                lock.release().map_err(release_error)?;
                return Ok(py.None());
            }
            Kind::RLock(rlock) => {
                let count = crate::lock::release_all(rlock)?;
                return Ok((count, py.None()).into_pyobject(py)?.into_any().unbind());
            }
            Kind::Foreign => {}
        }
        let lock = t.foreign(py);
        if lock.hasattr("_release_save")? {
            return Ok(lock.call_method0("_release_save")?.unbind());
        }
        lock.call_method0("release")?;
        Ok(py.None())
    }

    /// The underlying lock's `_acquire_restore`.
    #[pyo3(text_signature = "($self, state, /)")]
    fn _acquire_restore(&self, py: Python<'_>, state: Bound<'_, PyAny>) -> PyResult<()> {
        let t = self.target.get()?;
        match &t.kind {
            Kind::Lock(lock) => {
                acquire_bare(py, &**lock, Some(Deadline::never()))?;
                return Ok(());
            }
            Kind::RLock(rlock) => {
                let (count, _owner): (usize, Bound<'_, PyAny>) = state.extract()?;
                for _ in 0..count {
                    acquire_bare(py, &**rlock, Some(Deadline::never()))?;
                }
                return Ok(());
            }
            Kind::Foreign => {}
        }
        let lock = t.foreign(py);
        if lock.hasattr("_acquire_restore")? {
            lock.call_method1("_acquire_restore", (state,))?;
        } else {
            lock.call_method0("acquire")?;
        }
        Ok(())
    }

    /// Reset the lock to unlocked and forget the waiters, as in a child
    /// process after `fork()` (where the threads that held the lock or
    /// waited are gone): the lock's own `_at_fork_reinit`, as CPython's.
    #[pyo3(text_signature = "($self, /)")]
    fn _at_fork_reinit(&self, py: Python<'_>) -> PyResult<()> {
        let t = self.target.get()?;
        match &t.kind {
            Kind::Lock(lock) => {
                lock.reset();
            }
            Kind::RLock(rlock) => {
                rlock.reset();
            }
            Kind::Foreign => {
                t.foreign(py).call_method0("_at_fork_reinit")?;
            }
        }
        // A waiter's flag is a Rust `Arc`: dropping it runs no Python code.
        lock_gil(py, &self.waiters).clear();
        Ok(())
    }

    /// Wait until notified or until the timeout (in seconds) passes; return
    /// False if it timed out. The lock must be held: it is released for the
    /// wait (every level of an RLock) and held again when this returns. The
    /// GIL is released while it waits, and Ctrl-C interrupts the wait (the
    /// lock is then held again, too).
    #[pyo3(signature = (timeout = None), text_signature = "($self, /, timeout=None)")]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let t = self.target.get()?;
        if !t.is_owned(py)? {
            return Err(PyRuntimeError::new_err("cannot wait on un-acquired lock"));
        }
        let deadline = wait::optional_deadline(timeout)?;
        match &t.kind {
            Kind::Foreign => self.wait_foreign(py, t, deadline),
            _ => self.wait_native(py, t, deadline),
        }
    }

    /// Wait until `predicate()` is true, or until the timeout passes; return
    /// the predicate's last value. The predicate runs holding the lock.
    #[pyo3(
        signature = (predicate, timeout = None),
        text_signature = "($self, /, predicate, timeout=None)"
    )]
    fn wait_for(
        slf: &Bound<'_, Self>,
        predicate: Bound<'_, PyAny>,
        timeout: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        // CPython's loop: the predicate first, then one deadline for the
        // whole call. The first wait takes the whole timeout, even one
        // already spent: a zero or negative timeout still waits once, so
        // an unheld lock raises RuntimeError as there; later waits take
        // what is left, and none is made once nothing is.
        let mut result = predicate.call0()?;
        if result.is_truthy()? {
            // The timeout is never looked at, as in CPython.
            return Ok(result.unbind());
        }
        let secs = wait::secs(timeout.as_ref())?;
        // A NaN timeout is the first wait's error (after its check of the
        // lock), as in CPython; it never gets to this deadline.
        let deadline = wait::optional_deadline(secs).unwrap_or(Deadline::never());
        let mut wait_for = secs;
        let mut first = true;
        while !result.is_truthy()? {
            // `self.wait(...)`, as CPython's: a subclass's `wait` is called,
            // first with the timeout object it was given.
            if slf.is_exact_instance_of::<Condition>() {
                slf.get().wait(py, wait_for)?;
            } else if first {
                slf.call_method1("wait", (timeout.as_ref(),))?;
            } else {
                slf.call_method1("wait", (wait_for,))?;
            }
            first = false;
            result = predicate.call0()?;
            wait_for = match deadline.remaining() {
                None => None,
                Some(left) if left.is_zero() => break,
                Some(left) => Some(left.as_secs_f64()),
            };
        }
        Ok(result.unbind())
    }

    /// Wake up to `n` threads waiting on the condition (the ones that have
    /// waited longest). The lock must be held.
    ///
    /// `n` is whatever CPython's `while waiters and n > 0: ...; n -= 1`
    /// takes: an int (the fast path), a float or any number; with no
    /// waiter it is never looked at.
    #[pyo3(signature = (n = Count::Int(1)), text_signature = "($self, /, n=1)")]
    fn notify(&self, py: Python<'_>, n: Count<'_>) -> PyResult<()> {
        let mut n = match n {
            Count::Int(n) => return self.notify_n(py, usize::try_from(n).unwrap_or(0)),
            Count::Any(n) => n,
        };
        if !self.target.get()?.is_owned(py)? {
            return Err(PyRuntimeError::new_err("cannot notify on un-acquired lock"));
        }
        // Python's comparison and subtraction run with no bobbin lock held
        // (the queue's guard is a statement's temporary, gone before `>`).
        loop {
            let waiting = !lock_gil(py, &self.waiters).is_empty();
            if !waiting || !n.gt(0)? {
                break;
            }
            let Some(waiter) = lock_gil(py, &self.waiters).pop_front() else {
                break;
            };
            waiter.set();
            n = n.sub(1)?;
        }
        Ok(())
    }

    /// Wake every thread waiting on the condition. The lock must be held.
    #[pyo3(text_signature = "($self, /)")]
    fn notify_all(slf: &Bound<'_, Self>) -> PyResult<()> {
        let (py, me) = (slf.py(), slf.get());
        if slf.is_exact_instance_of::<Condition>() {
            return me.notify_n(py, usize::MAX);
        }
        // `self.notify(len(self._waiters))`, as CPython's: a subclass's
        // `notify` is called.
        me.target.get()?;
        let waiting = lock_gil(py, &me.waiters).len();
        slf.call_method1("notify", (waiting,)).map(drop)
    }

    /// Wake every thread waiting on the condition (deprecated: use
    /// `notify_all`).
    #[pyo3(text_signature = "($self, /)")]
    #[allow(non_snake_case)] // Python's deprecated name.
    fn notifyAll(slf: &Bound<'_, Self>) -> PyResult<()> {
        errors::deprecated(
            slf.py(),
            c"notifyAll() is deprecated, use notify_all() instead",
        )?;
        // `self.notify_all()`, as CPython's.
        slf.call_method0("notify_all").map(drop)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let t = self.target.get()?;
        let lock = match (&t.lock, &t.kind) {
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
            lock_gil(py, &self.waiters).len()
        ))
    }
}
