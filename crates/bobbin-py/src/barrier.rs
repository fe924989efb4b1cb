//! `Barrier`: CPython's `threading.Barrier` algorithm (filling, draining,
//! resetting, broken) in Rust, on a bobbin `Lock` and `Condition`.
//!
//! # Why not `bobbin_signal::Barrier`
//!
//! A blocking wait on the main thread is cut into slices to let Ctrl-C in
//! (see [`crate::wait`]); a slice of `bobbin_signal::Barrier::wait_until`
//! that times out breaks the barrier for everyone, as Python's timeout
//! does. Over a condition a slice that ends is harmless. And the Python
//! `action` raises exceptions rather than panicking.
//!
//! # The GIL and the barrier's lock
//!
//! The state is under a bobbin `Lock`, the *barrier lock*, held for a few
//! instructions, taken by a try while holding the GIL ([`lock_gil`]) and
//! waited for, and waited on, with the GIL released. The `action` (Python
//! code) runs holding the GIL and *not* the barrier lock: the last party
//! marks the generation as tripping, releases the lock, runs the action,
//! and takes the lock again to release the others. Threads that arrive
//! meanwhile wait for the trip to end, as they wait for a draining barrier
//! in CPython (where the action runs under the lock); `reset()` and
//! `abort()` from another thread wait for it too, as in CPython, and from
//! the action itself apply at once (CPython would deadlock there).

use crate::errors;
use crate::wait::{self, lock_gil};
use bobbin_lock::{Lock, LockGuard};
use bobbin_park::Deadline;
use bobbin_park::thread::current_id;
use bobbin_signal::Condition;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Parties are arriving.
const FILLING: i8 = 0;
/// The last party runs the action (bobbin's state; CPython runs it under
/// its lock, in `FILLING`).
const TRIPPING: i8 = 2;
/// The generation passed; its parties are leaving.
const DRAINING: i8 = 1;
/// `reset()` while parties waited; they are leaving with an error.
const RESETTING: i8 = -1;
/// Broken until `reset()`.
const BROKEN: i8 = -2;

#[derive(Debug)]
struct State {
    state: i8,
    /// Parties in the barrier (arrived and not yet left).
    count: usize,
    /// The thread running the action (its park id), while tripping.
    tripper: usize,
}

/// A rendezvous for a fixed number of threads: Python's
/// `threading.Barrier(parties, action=None, timeout=None)`.
///
/// # Examples
///
/// The class, to register in an application's own module; barriers are
/// made from Python.
///
/// ```
/// use pyo3::prelude::*;
///
/// #[pymodule]
/// fn my_app(m: &Bound<'_, PyModule>) -> PyResult<()> {
///     m.add_class::<bobbin_py::Barrier>()
/// }
/// ```
#[doc(alias = "threading.Barrier")]
#[pyclass(frozen, weakref, module = "bobbin")]
#[derive(Debug)]
pub struct Barrier {
    parties: usize,
    action: Option<Py<PyAny>>,
    timeout: Option<f64>,
    st: Lock<State>,
    cond: Condition,
}

/// Whether the barrier is between generations: arrivals wait.
fn busy(state: i8) -> bool {
    matches!(state, RESETTING | DRAINING | TRIPPING)
}

impl Barrier {
    /// Waits with the GIL released until `ready` holds for the state, or
    /// `deadline`; `Ok(false)` at the deadline.
    fn wait_until(
        &self,
        py: Python<'_>,
        deadline: Deadline,
        ready: impl Fn(&State) -> bool + Sync,
    ) -> PyResult<bool> {
        let done = wait::block(py, deadline, |d| {
            let mut st = self.st.acquire();
            loop {
                if ready(&st) {
                    return Some(());
                }
                if d.has_passed() {
                    return None;
                }
                wait::cond_wait(&self.cond, &mut st, d);
            }
        })?;
        Ok(done.is_some())
    }

    /// CPython's `_exit`: the last party to leave readies the barrier.
    fn exit(&self, st: &mut State) {
        st.count -= 1;
        if st.count == 0 && matches!(st.state, RESETTING | DRAINING) {
            st.state = FILLING;
            self.cond.notify_all();
        }
    }

    /// CPython's `_break`.
    fn break_(&self, st: &mut State) {
        st.state = BROKEN;
        self.cond.notify_all();
    }

    /// The barrier lock, once no other thread runs the action (a thread
    /// that runs it gets it at once).
    fn lock_between_trips<'a>(&'a self, py: Python<'_>) -> PyResult<LockGuard<'a, State>> {
        loop {
            let st = lock_gil(py, &self.st);
            if st.state != TRIPPING || st.tripper == current_id() {
                return Ok(st);
            }
            drop(st);
            self.wait_until(py, Deadline::never(), |st| st.state != TRIPPING)?;
        }
    }

    /// The last party: run the action (the lock released) and release the
    /// generation.
    fn trip<'a>(&'a self, py: Python<'_>, mut st: LockGuard<'a, State>) -> PyResult<()> {
        if let Some(action) = &self.action {
            st.state = TRIPPING;
            st.tripper = current_id();
            drop(st);
            let ran = action.call0(py);
            st = lock_gil(py, &self.st);
            st.tripper = 0;
            if let Err(err) = ran {
                self.break_(&mut st);
                self.exit(&mut st);
                return Err(err);
            }
            if st.state != TRIPPING {
                // The action reset or aborted the barrier: that stands.
                self.exit(&mut st);
                return Ok(());
            }
        }
        st.state = DRAINING;
        self.cond.notify_all();
        self.exit(&mut st);
        Ok(())
    }
}

#[pymethods]
impl Barrier {
    #[new]
    #[pyo3(
        signature = (parties, action = None, timeout = None),
        text_signature = "(parties, action=None, timeout=None)"
    )]
    fn py_new(
        parties: isize,
        action: Option<Py<PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<Barrier> {
        let parties = usize::try_from(parties)
            .ok()
            .filter(|&p| p > 0)
            .ok_or_else(|| PyValueError::new_err("parties must be > 0"))?;
        Ok(Barrier {
            parties,
            action,
            timeout,
            st: Lock::new(State {
                state: FILLING,
                count: 0,
                tripper: 0,
            }),
            cond: Condition::new(),
        })
    }

    /// Wait for the barrier. When the specified number of threads have
    /// started waiting, they are all released together. Returns an index
    /// in range(parties), distinct for each thread; the last to arrive runs
    /// the action first. Raises threading.BrokenBarrierError if the barrier
    /// is broken, reset while waiting, or the timeout (the barrier's own if
    /// None) passes, which breaks it. The GIL is released while it waits.
    #[pyo3(signature = (timeout = None), text_signature = "($self, /, timeout=None)")]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<usize> {
        let deadline = wait::optional_deadline(timeout.or(self.timeout))?;
        // `_enter`: wait while the barrier drains, resets or trips.
        let mut st = loop {
            let st = lock_gil(py, &self.st);
            if !busy(st.state) {
                break st;
            }
            drop(st);
            self.wait_until(py, Deadline::never(), |st| !busy(st.state))?;
        };
        if st.state == BROKEN {
            return Err(errors::broken_barrier(py));
        }
        let index = st.count;
        st.count += 1;
        if index + 1 == self.parties {
            self.trip(py, st)?;
            return Ok(index);
        }
        drop(st);
        // `_wait`: until the generation passes or breaks.
        let passed = self.wait_until(py, deadline, |st| !matches!(st.state, FILLING | TRIPPING));
        let passed = match passed {
            Ok(true) => Ok(()),
            // A trip under way when the timeout came will end the
            // generation; its outcome is this party's (CPython's party cannot
            // time out before the action returns either).
            Ok(false) => self
                .wait_until(py, Deadline::never(), |st| st.state != TRIPPING)
                .map(drop),
            Err(err) => Err(err),
        };
        let mut st = lock_gil(py, &self.st);
        let result = match passed {
            Err(err) => Err(err),
            Ok(()) if st.state == FILLING => {
                // Timed out: break the barrier for everyone.
                self.break_(&mut st);
                Err(errors::broken_barrier(py))
            }
            Ok(()) if st.state < 0 => Err(errors::broken_barrier(py)),
            Ok(()) => Ok(index),
        };
        self.exit(&mut st);
        result
    }

    /// Reset the barrier to its initial state: threads waiting in it get
    /// threading.BrokenBarrierError.
    #[pyo3(text_signature = "($self, /)")]
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        let mut st = self.lock_between_trips(py)?;
        if st.count > 0 {
            if matches!(st.state, FILLING | BROKEN | TRIPPING) {
                st.state = RESETTING;
            }
        } else {
            st.state = FILLING;
        }
        self.cond.notify_all();
        Ok(())
    }

    /// Break the barrier: threads waiting in it, and later ones, get
    /// threading.BrokenBarrierError until reset().
    #[pyo3(text_signature = "($self, /)")]
    fn abort(&self, py: Python<'_>) -> PyResult<()> {
        let mut st = self.lock_between_trips(py)?;
        self.break_(&mut st);
        Ok(())
    }

    /// The number of threads required to pass the barrier.
    #[getter]
    fn parties(&self) -> usize {
        self.parties
    }

    /// The number of threads waiting in the barrier.
    #[getter]
    fn n_waiting(&self, py: Python<'_>) -> usize {
        let st = lock_gil(py, &self.st);
        if matches!(st.state, FILLING | TRIPPING) {
            st.count
        } else {
            0
        }
    }

    /// Whether the barrier is broken.
    #[getter]
    fn broken(&self, py: Python<'_>) -> bool {
        lock_gil(py, &self.st).state == BROKEN
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let me = slf.get();
        let at = slf.as_ptr() as usize;
        if me.broken(slf.py()) {
            format!("<bobbin.Barrier at {at:#x}: broken>")
        } else {
            format!(
                "<bobbin.Barrier at {at:#x}: waiters={}/{}>",
                me.n_waiting(slf.py()),
                me.parties
            )
        }
    }
}
