//! Waiting from Python: the GIL released, signals checked, timeouts parsed
//! as CPython parses them.
//!
//! Every blocking call of the module first tries its fast path holding the
//! GIL, and only if it must wait calls [`block`], which releases the GIL
//! for the wait. On the main thread (the only one that runs Python's signal
//! handlers) the wait is cut into slices of 20 ms; between two slices
//! the thread takes the GIL back and runs `PyErr_CheckSignals`, so Ctrl-C
//! raises `KeyboardInterrupt` within a slice. Each slice is a complete timed
//! wait of the primitive underneath, which leaves nothing half done when it
//! times out (no permit or item taken, no lock held that was not held
//! before), so stopping between two slices leaves the primitive as it was.
//! Other threads wait in one piece.

use bobbin_park::Deadline;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};
use std::cell::Cell;
use std::time::Duration;

/// How long the main thread waits with the GIL released before it looks
/// for a signal: the worst case between Ctrl-C and `KeyboardInterrupt`,
/// less the time to take the GIL back.
pub(crate) const SLICE: Duration = Duration::from_millis(20);

std::thread_local! {
    /// Whether this thread is Python's main thread: unknown until its first
    /// wait.
    static IS_MAIN: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Whether the calling thread is Python's main thread, the one that runs
/// signal handlers. Asked of `threading` once per thread.
fn is_main_thread(py: Python<'_>) -> PyResult<bool> {
    if let Some(known) = IS_MAIN.with(Cell::get) {
        return Ok(known);
    }
    let threading = py.import("threading")?;
    let main = threading.call_method0("main_thread")?.getattr("ident")?;
    let me = threading.call_method0("get_ident")?;
    let is_main = main.eq(me)?;
    IS_MAIN.with(|c| c.set(Some(is_main)));
    // A Python thread that waits in bobbin is registered with bobbin-thread
    // once, so that `thread_dump()` can tell which Python thread it is (by
    // its native id).
    let _ = bobbin_thread::current_thread();
    Ok(is_main)
}

/// Waits with the GIL released: `attempt(deadline)` is one complete timed
/// wait, returning `Some` when the call is done and `None` when `deadline`
/// passed first. Returns `Ok(None)` once the caller's `deadline` has passed,
/// or the exception a signal handler raised between two slices.
pub(crate) fn block<T: Send>(
    py: Python<'_>,
    deadline: Deadline,
    mut attempt: impl FnMut(Deadline) -> Option<T> + Send,
) -> PyResult<Option<T>> {
    if !is_main_thread(py)? {
        return Ok(py.detach(|| attempt(deadline)));
    }
    loop {
        let slice = deadline.min(Deadline::after(SLICE));
        if let Some(done) = py.detach(|| attempt(slice)) {
            return Ok(Some(done));
        }
        py.check_signals()?;
        if deadline.has_passed() {
            return Ok(None);
        }
    }
}

/// Python's truth value of an argument, as `blocking` and `block` take it
/// (`acquire(0)` is `acquire(False)`).
#[derive(Copy, Clone, Debug)]
pub(crate) struct Truthy(pub(crate) bool);

impl<'py> FromPyObject<'_, 'py> for Truthy {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(Truthy(obj.is_truthy()?))
    }
}

/// `_thread.TIMEOUT_MAX`: the largest timeout a lock accepts.
pub(crate) fn timeout_max(py: Python<'_>) -> PyResult<f64> {
    static MAX: PyOnceLock<f64> = PyOnceLock::new();
    MAX.get_or_try_init(py, || {
        py.import("_thread")?.getattr("TIMEOUT_MAX")?.extract()
    })
    .copied()
}

/// The deadline `secs` seconds from now (`secs` finite and non-negative);
/// too far to represent means never.
pub(crate) fn after_secs(secs: f64) -> Deadline {
    Duration::try_from_secs_f64(secs).map_or(Deadline::never(), Deadline::after)
}

/// What a lock's `acquire(blocking, timeout)` asks, in CPython's words:
/// `None` for a try, else the deadline. Errors as `_thread.lock.acquire`.
pub(crate) fn lock_deadline(
    py: Python<'_>,
    blocking: bool,
    timeout: f64,
) -> PyResult<Option<Deadline>> {
    if timeout.is_nan() {
        return Err(PyValueError::new_err("Invalid value NaN (not a number)"));
    }
    #[allow(clippy::float_cmp)] // -1 is the exact sentinel CPython compares with.
    let unset = timeout == -1.0;
    if !blocking {
        if !unset {
            return Err(PyValueError::new_err(
                "can't specify a timeout for a non-blocking call",
            ));
        }
        return Ok(None);
    }
    if unset {
        return Ok(Some(Deadline::never()));
    }
    if timeout < 0.0 {
        return Err(PyValueError::new_err(
            "timeout value must be a non-negative number",
        ));
    }
    if timeout > timeout_max(py)? {
        return Err(PyOverflowError::new_err("timeout value is too large"));
    }
    Ok(Some(after_secs(timeout)))
}

/// The `(blocking=True, timeout=-1)` of a lock's `acquire`, read from the
/// arguments of a call that takes any (`Condition.acquire`, which hands
/// them on unchanged to a lock that is not bobbin's). Errors as a
/// mismatched Python call.
pub(crate) fn lock_acquire_args(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<(bool, f64)> {
    const NAMES: [&str; 2] = ["blocking", "timeout"];
    if args.len() > NAMES.len() {
        return Err(PyTypeError::new_err(format!(
            "acquire() takes at most 2 arguments ({} given)",
            args.len()
        )));
    }
    let mut given: [Option<Bound<'_, PyAny>>; 2] = [args.get_item(0).ok(), args.get_item(1).ok()];
    for (key, value) in kwargs.into_iter().flatten() {
        let name = key.str()?;
        let name = name.to_str()?;
        match NAMES.iter().position(|n| *n == name) {
            Some(i) if given[i].is_none() => given[i] = Some(value),
            Some(_) => {
                return Err(PyTypeError::new_err(format!(
                    "argument for acquire() given by name ('{name}') and position"
                )));
            }
            None => {
                return Err(PyTypeError::new_err(format!(
                    "acquire() got an unexpected keyword argument '{name}'"
                )));
            }
        }
    }
    let [blocking, timeout] = given;
    let blocking = blocking.map_or(Ok(true), |b| b.is_truthy())?;
    let timeout = timeout.map_or(Ok(-1.0), |t| t.extract::<f64>())?;
    Ok((blocking, timeout))
}

/// A `timeout=None` argument of `Event.wait`, `Condition.wait` and the
/// semaphores: `None` waits forever, a negative one does not wait.
pub(crate) fn optional_deadline(timeout: Option<f64>) -> PyResult<Deadline> {
    match timeout {
        None => Ok(Deadline::never()),
        Some(t) if t.is_nan() => Err(PyValueError::new_err("Invalid value NaN (not a number)")),
        Some(t) => Ok(after_secs(t.max(0.0))),
    }
}

/// A timeout argument, read where the call is about to wait and not
/// before, as CPython's pure-Python types read theirs (`Event.wait("1")`
/// on a set event returns True there): `None`, or the seconds.
pub(crate) fn secs(timeout: Option<&Bound<'_, PyAny>>) -> PyResult<Option<f64>> {
    timeout.map(|t| t.extract::<f64>()).transpose()
}

/// A queue's `(block, timeout)`: `None` for a try, else the deadline.
/// Errors as `queue.Queue`, whose calls look at the timeout only when
/// `block` is true.
pub(crate) fn queue_deadline(
    block: bool,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Deadline>> {
    if !block {
        return Ok(None);
    }
    match secs(timeout)? {
        None => Ok(Some(Deadline::never())),
        Some(t) if t < 0.0 || t.is_nan() => Err(PyValueError::new_err(
            "'timeout' must be a non-negative number",
        )),
        Some(t) => Ok(Some(after_secs(t))),
    }
}

/// A Rust-side timed wait by deadline, for the primitives whose API takes
/// an `Instant`: `never` waits untimed with `forever`, an instant with
/// `until`.
pub(crate) fn by_deadline<R>(
    deadline: Deadline,
    forever: impl FnOnce() -> R,
    until: impl FnOnce(std::time::Instant) -> R,
) -> R {
    match deadline.instant() {
        None => forever(),
        Some(at) => until(at),
    }
}

/// Takes one of bobbin-py's own locks holding the GIL, without ever
/// blocking on it with the GIL held: tries, and if the lock stays busy, a
/// wait for it to be free with the GIL released, then another try. Whoever
/// holds such a lock holds it for a few instructions, may not have the GIL,
/// and never waits for the GIL or runs Python code while holding it; so
/// neither side of the GIL ever waits for the other.
///
/// The tries go on for a few hundred nanoseconds ([`LOCK_TRIES`] rounds of
/// doubling pauses): a holder without the GIL (a woken waiter of a queue,
/// on the other core) is then done. Releasing the GIL at once would hand
/// the GIL to that very thread, which wants it next: `perf` and a count
/// showed about one such hand-off per batch of a two-thread `Queue(1024)`,
/// each with a futex wake-up.
#[inline]
pub(crate) fn lock_gil<'a, T: ?Sized + Send>(
    py: Python<'_>,
    lock: &'a bobbin_lock::Lock<T>,
) -> bobbin_lock::LockGuard<'a, T> {
    match lock.try_acquire() {
        Some(guard) => guard,
        None => lock_gil_slow(py, lock),
    }
}

/// [`lock_gil`] once the lock was found busy.
#[cold]
fn lock_gil_slow<'a, T: ?Sized + Send>(
    py: Python<'_>,
    lock: &'a bobbin_lock::Lock<T>,
) -> bobbin_lock::LockGuard<'a, T> {
    // On one CPU the holder cannot finish while this thread pauses.
    let tries = if bobbin_park::single_cpu() {
        0
    } else {
        LOCK_TRIES
    };
    loop {
        for round in 0..tries {
            for _ in 0..1u32 << round {
                bobbin_park::hint::spin_loop();
            }
            if let Some(guard) = lock.try_acquire() {
                return guard;
            }
        }
        py.detach(|| drop(lock.acquire()));
        if let Some(guard) = lock.try_acquire() {
            return guard;
        }
    }
}

/// Rounds of pauses (1, 2, 4, 8: about 350 ns) between the tries of
/// [`lock_gil`] before it releases the GIL to wait.
const LOCK_TRIES: u32 = 4;

/// A condition wait by `deadline` with `guard`; whether it was notified.
pub(crate) fn cond_wait<G: bobbin_lock::WaitGuard>(
    cond: &bobbin_signal::Condition,
    guard: &mut G,
    deadline: Deadline,
) -> bool {
    match deadline.instant() {
        None => cond.wait(guard),
        Some(at) => cond.wait_until(guard, at),
    }
}
