//! `Barrier`: Python's `threading.Barrier`, counting generations: each
//! generation's parties wait on a flag of that generation's own, which
//! the last party sets once the generation is over, passed or broken.
//!
//! # Why not CPython's algorithm
//!
//! CPython's barrier (filling, draining, resetting, broken, on one
//! condition) makes an arrival wait until the previous generation has
//! *drained*: in a two-thread loop the last party, back at `wait()` at
//! once, sleeps until the party it released has woken, taken the GIL and
//! left, and is then woken again (two or three hand-offs per generation).
//! Here a generation is over the moment its last party arrives: the next
//! arrival joins the next generation at once, so a generation costs one
//! hand-off. A party that wakes late still learns its own generation's
//! outcome, from that generation's object, however many generations have
//! passed since.
//!
//! A party spins briefly on the generation's flag before it parks (see
//! [`crate::flag`]), so a party released within a few microseconds is
//! woken without a system call.
//!
//! # Why not `bobbin_signal::Barrier`
//!
//! A blocking wait on the main thread is cut into slices to let Ctrl-C in
//! (see [`crate::wait`]); a slice of `bobbin_signal::Barrier::wait_until`
//! that times out breaks the barrier for everyone, as Python's timeout
//! does. A slice of a wait on the generation's flag that ends is
//! harmless. And the Python `action` raises exceptions rather than
//! panicking.
//!
//! # The GIL and the barrier's lock
//!
//! The state is under a bobbin `Lock`, the *barrier lock*, held for a few
//! instructions, taken by tries while holding the GIL ([`lock_gil`]), and
//! never held while a parked party is woken: the generation's flag is set
//! after the lock is released. The `action` (Python code) runs holding the
//! GIL and *not* the barrier lock: the last party marks the generation as
//! tripping, releases the lock, runs the action, and takes the lock again
//! to end the generation. Threads that arrive meanwhile wait for the trip
//! to end, as they wait for the lock in CPython (where the action runs
//! under it); `reset()` and `abort()` from another thread wait for it too,
//! as in CPython, and from the action itself apply at once (CPython would
//! deadlock there): the barrier is reset or broken from then on, and the
//! tripping generation ends unpassed when the action returns.

use crate::errors;
use crate::flag::Flag;
use crate::init::{Init, class_name};
use crate::wait::{self, lock_gil};
use bobbin_lock::{Lock, LockGuard};
use bobbin_park::sync::atomic::{AtomicBool, Ordering};
use bobbin_park::thread::current_id;
use bobbin_park::{Deadline, WaitKind, WaitLabel};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3::{PyTraverseError, PyVisit};
use std::sync::Arc;

/// What a hang report says a party waits in.
static BARRIER_WAIT: WaitKind = WaitKind::new("Barrier.wait");

/// One generation: the parties that pass the barrier together.
#[derive(Debug, Default)]
struct Generation {
    /// Whether the generation passed (rather than broke or was reset):
    /// written under the barrier lock before `over` is set.
    passed: AtomicBool,
    /// Set once the generation is over and its trip (if any) has ended.
    over: Flag,
}

impl Generation {
    /// Whether this generation's parties get their index or
    /// BrokenBarrierError; read once it is over.
    fn outcome(&self, py: Python<'_>, index: usize) -> PyResult<usize> {
        if self.passed.load(Ordering::Relaxed) {
            Ok(index)
        } else {
            Err(errors::broken_barrier(py))
        }
    }
}

/// What the barrier lock protects.
///
/// # Invariants
///
/// - `count` parties of `current` are waiting (or tripping); while
///   `broken`, no party joins and `count` is 0 unless a trip runs.
/// - `current.over` is set only when `current` is replaced (so never while
///   `tripper` is set).
#[derive(Debug)]
struct State {
    /// The generation arriving parties join.
    current: Arc<Generation>,
    /// Parties in `current` (arrived and not left).
    count: usize,
    /// The thread running `current`'s action (its park id), while its last
    /// party trips it.
    tripper: Option<usize>,
    /// The action called `reset()` or `abort()`: the tripping generation
    /// does not pass.
    spoiled: bool,
    /// Broken until `reset()`.
    broken: bool,
}

/// Ends the current generation (`passed` or not) and starts the next; the
/// ended generation's parties are woken once the barrier lock is released.
fn end_generation(mut st: LockGuard<'_, State>, passed: bool) {
    let over = std::mem::take(&mut st.current);
    st.count = 0;
    over.passed.store(passed, Ordering::Relaxed);
    drop(st);
    over.over.set();
}

/// A rendezvous for a fixed number of threads: threading.Barrier(parties,
/// action=None, timeout=None). wait() returns once parties threads have
/// called it (the last to arrive runs action first), waiting with the GIL
/// released.
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

# Examples

The class, to register in an application's own module; barriers are
made from Python.

```
use pyo3::prelude::*;

#[pymodule]
fn my_app(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<bobbin_py::Barrier>()
}
```
"##
)]
#[doc(alias = "threading.Barrier")]
#[pyclass(subclass, frozen, weakref, dict, module = "bobbin")]
#[derive(Debug)]
pub struct Barrier {
    /// What `__init__` sets (see [`crate::init`]).
    config: Init<Config>,
    st: Lock<State>,
}

/// A barrier's constructor arguments.
#[derive(Debug)]
struct Config {
    parties: usize,
    action: Option<Py<PyAny>>,
    timeout: Option<f64>,
}

impl Barrier {
    /// The barrier lock, once no other thread runs the action (a thread
    /// that runs it gets it at once if `own_trip`).
    fn lock_between_trips<'a>(
        &'a self,
        py: Python<'_>,
        own_trip: bool,
    ) -> PyResult<LockGuard<'a, State>> {
        loop {
            let st = lock_gil(py, &self.st);
            match st.tripper {
                Some(tripper) if !(own_trip && tripper == current_id()) => {
                    // The trip ends with its generation.
                    let tripping = Arc::clone(&st.current);
                    drop(st);
                    wait_over(py, &tripping, Deadline::never())?;
                }
                _ => return Ok(st),
            }
        }
    }

    /// The last party: run the action (the lock released), then end the
    /// generation.
    fn trip<'a>(
        &'a self,
        py: Python<'_>,
        action: Option<&Py<PyAny>>,
        mut st: LockGuard<'a, State>,
        index: usize,
    ) -> PyResult<usize> {
        if let Some(action) = action {
            st.tripper = Some(current_id());
            drop(st);
            let ran = action.call0(py);
            st = lock_gil(py, &self.st);
            st.tripper = None;
            let spoiled = std::mem::take(&mut st.spoiled);
            if let Err(err) = ran {
                st.broken = true;
                end_generation(st, false);
                return Err(err);
            }
            if spoiled {
                // The action reset or aborted the barrier: that stands.
                end_generation(st, false);
                return Ok(index);
            }
        }
        end_generation(st, true);
        Ok(index)
    }

    /// A party of `generation` whose timeout passed: it breaks the barrier,
    /// unless its generation is over or tripping already (its outcome is
    /// then this party's; CPython's party cannot time out before the action
    /// returns either).
    fn timed_out(&self, py: Python<'_>, generation: &Generation, index: usize) -> PyResult<usize> {
        let mut st = lock_gil(py, &self.st);
        if !std::ptr::eq(&*st.current, generation) {
            return generation.outcome(py, index);
        }
        if st.tripper.is_some() {
            drop(st);
            wait_over(py, generation, Deadline::never())?;
            return generation.outcome(py, index);
        }
        st.broken = true;
        end_generation(st, false);
        Err(errors::broken_barrier(py))
    }
}

/// Waits with the GIL released until `generation` is over, or `deadline`;
/// `Ok(false)` at the deadline.
fn wait_over(py: Python<'_>, generation: &Generation, deadline: Deadline) -> PyResult<bool> {
    let over = &generation.over;
    let done = wait::block(py, deadline, |d| {
        let _label = WaitLabel::unless_labelled(&BARRIER_WAIT);
        over.wait(d).then_some(())
    })?;
    Ok(done.is_some())
}

#[pymethods]
impl Barrier {
    // `__new__` takes whatever the constructor is given and `__init__`
    // sets the parties, action and timeout, as in CPython's pure-Python
    // class (see `crate::init`).
    #[new]
    #[pyo3(
        signature = (*_args, **_kwargs),
        text_signature = "(parties, action=None, timeout=None)"
    )]
    fn py_new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Barrier {
        Barrier {
            config: Init::unset(),
            st: Lock::new(State {
                current: Arc::default(),
                count: 0,
                tripper: None,
                spoiled: false,
                broken: false,
            }),
        }
    }

    // The action, for the garbage collector: a cycle through it (an action
    // that refers to its barrier) is collected as with CPython's Barrier.
    // The action never changes once set, so the cycle is broken elsewhere
    // (no `__clear__`).
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(self.config.try_get().and_then(|c| c.action.as_ref()))
    }

    #[pyo3(signature = (parties, action = None, timeout = None))]
    fn __init__(
        &self,
        parties: isize,
        action: Option<Py<PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<()> {
        let parties = usize::try_from(parties)
            .ok()
            .filter(|&p| p > 0)
            .ok_or_else(|| PyValueError::new_err("parties must be > 0"))?;
        self.config.set(Config {
            parties,
            action,
            timeout,
        })
    }

    /// Wait for the barrier. When the specified number of threads have
    /// started waiting, they are all released together. Returns an index
    /// in range(parties), distinct for each thread; the last to arrive runs
    /// the action first. Raises threading.BrokenBarrierError if the barrier
    /// is broken, reset while waiting, or the timeout (the barrier's own if
    /// None) passes, which breaks it. The GIL is released while it waits.
    #[pyo3(signature = (timeout = None), text_signature = "($self, /, timeout=None)")]
    fn wait(&self, py: Python<'_>, timeout: Option<Bound<'_, PyAny>>) -> PyResult<usize> {
        let config = self.config.get()?;
        let mut st = self.lock_between_trips(py, false)?;
        if st.broken {
            return Err(errors::broken_barrier(py));
        }
        let index = st.count;
        st.count += 1;
        if index + 1 == config.parties {
            return self.trip(py, config.action.as_ref(), st, index);
        }
        let generation = Arc::clone(&st.current);
        drop(st);
        // The timeout is read by a party that waits (the last one never
        // looks at it, as in CPython), with no lock held; a bad one makes
        // the party leave, as CPython's `finally` does.
        let waited = wait::secs(timeout.as_ref())
            .and_then(|secs| wait::optional_deadline(secs.or(config.timeout)))
            .and_then(|deadline| wait_over(py, &generation, deadline));
        match waited {
            Ok(true) => generation.outcome(py, index),
            Ok(false) => self.timed_out(py, &generation, index),
            Err(err) => {
                // Interrupted (Ctrl-C) or a bad timeout: the party leaves a
                // generation still filling, as CPython's `finally` does.
                let mut st = lock_gil(py, &self.st);
                if Arc::ptr_eq(&st.current, &generation) && st.tripper.is_none() {
                    st.count -= 1;
                }
                Err(err)
            }
        }
    }

    /// Reset the barrier to its initial state: threads waiting in it get
    /// threading.BrokenBarrierError.
    #[pyo3(text_signature = "($self, /)")]
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        let mut st = self.lock_between_trips(py, true)?;
        st.broken = false;
        if st.tripper.is_some() {
            st.spoiled = true;
        } else if st.count > 0 {
            end_generation(st, false);
        }
        Ok(())
    }

    /// Break the barrier: threads waiting in it, and later ones, get
    /// threading.BrokenBarrierError until reset().
    #[pyo3(text_signature = "($self, /)")]
    fn abort(&self, py: Python<'_>) -> PyResult<()> {
        let mut st = self.lock_between_trips(py, true)?;
        st.broken = true;
        if st.tripper.is_some() {
            st.spoiled = true;
        } else if st.count > 0 {
            end_generation(st, false);
        }
        Ok(())
    }

    /// The number of threads required to pass the barrier.
    #[getter]
    fn parties(&self) -> PyResult<usize> {
        Ok(self.config.get()?.parties)
    }

    /// The number of threads waiting in the barrier.
    #[getter]
    fn n_waiting(&self, py: Python<'_>) -> usize {
        let st = lock_gil(py, &self.st);
        if st.broken { 0 } else { st.count }
    }

    /// Whether the barrier is broken.
    #[getter]
    fn broken(&self, py: Python<'_>) -> bool {
        lock_gil(py, &self.st).broken
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let me = slf.get();
        let parties = me.config.get()?.parties;
        let name = class_name(slf)?;
        let at = slf.as_ptr() as usize;
        Ok(if me.broken(slf.py()) {
            format!("<{name} at {at:#x}: broken>")
        } else {
            format!(
                "<{name} at {at:#x}: waiters={}/{parties}>",
                me.n_waiting(slf.py()),
            )
        })
    }
}
