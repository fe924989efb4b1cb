//! Panics in bobbin threads: Python's `threading.excepthook`, and how it
//! shares the stage with std's panic hook.
//!
//! A thread body runs under `catch_unwind`. While it does, a panic hook that
//! bobbin installs (once, before the first spawn) does not print std's
//! `thread '...' panicked at` message but records where the panic happened
//! (and a backtrace, if `RUST_BACKTRACE` asks for one); once the panic has
//! left the body, the excepthook reports it, on the dying thread, with the
//! thread's handle. This is CPython's `_bootstrap_inner`: `self.run()` in a
//! `try`, `self._invoke_excepthook(self)` in the `except`.
//!
//! Its place: above the registry and the records of `thread` (it reports
//! with the thread's handle); below `builder`, whose threads it reports.
//! It keeps the excepthook itself, under a lock of its own.

use crate::error::payload_message;
use crate::sync::Lock;
use crate::thread::{Record, ThreadRef};
use core::any::Any;
use core::cell::{Cell, RefCell};
use core::fmt;
use std::backtrace::{Backtrace, BacktraceStatus};
use std::panic::{self, AssertUnwindSafe};
// std's `Arc`, not the seam's: a hook is an `Arc<dyn Fn>`, an unsized
// coercion that loom's `Arc` cannot make. It is only cloned and called.
use std::sync::Arc;

/// A user's excepthook, as stored.
type HookFn = Arc<dyn Fn(&ExceptHookArgs<'_>) + Send + Sync + 'static>;

/// The excepthook's process-wide state.
struct Hooks {
    /// The excepthook, when the user has set one.
    excepthook: Option<HookFn>,
    /// Whether a report has told how to get a backtrace.
    backtrace_note_shown: bool,
}

#[cfg(not(bobbin_loom))]
static HOOKS: Lock<Hooks> = Lock::new(Hooks {
    excepthook: None,
    backtrace_note_shown: false,
});

// Loom's atomics (in the lock) cannot live in a `static`: loom's
// `lazy_static` makes the lock once per model run.
#[cfg(bobbin_loom)]
bobbin_park::loom::lazy_static! {
    static ref HOOKS: Lock<Hooks> = Lock::new(Hooks {
        excepthook: None,
        backtrace_note_shown: false,
    });
}

/// Runs `f` with the excepthook's state locked. `f` must not call a hook,
/// which may set or take one.
fn with_hooks<R>(f: impl FnOnce(&mut Hooks) -> R) -> R {
    f(&mut HOOKS.acquire())
}

/// What the excepthook receives about a panic that ended a thread: Python's
/// `threading.ExceptHookArgs` (`exc_type`, `exc_value`, `exc_traceback`,
/// `thread`).
///
/// # Examples
///
/// ```
/// use bobbin_thread::{set_excepthook, take_excepthook, Builder};
/// use std::sync::mpsc;
///
/// let (tx, rx) = mpsc::channel();
/// let tx = std::sync::Mutex::new(tx);
/// set_excepthook(move |args| {
///     let report = format!("{}: {}", args.thread().name(), args.message().unwrap_or("?"));
///     tx.lock().unwrap().send(report).unwrap();
/// });
/// let t = Builder::new().name("doomed").spawn(|| panic!("no more cheese")).unwrap();
/// assert!(t.join().is_err());
/// assert_eq!(rx.recv().unwrap(), "doomed: no more cheese");
/// take_excepthook();
/// ```
pub struct ExceptHookArgs<'a> {
    thread: &'a ThreadRef,
    payload: &'a (dyn Any + Send + 'static),
    location: Option<&'a str>,
    backtrace: Option<&'a Backtrace>,
}

impl<'a> ExceptHookArgs<'a> {
    /// The thread that panicked (Python's `args.thread`).
    ///
    /// # Examples
    ///
    /// See [`ExceptHookArgs`].
    #[must_use]
    pub fn thread(&self) -> &'a ThreadRef {
        self.thread
    }

    /// The name of the thread that panicked: `self.thread().name()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{set_excepthook, take_excepthook, Builder};
    /// use std::sync::{Arc, Mutex};
    ///
    /// let seen = Arc::new(Mutex::new(String::new()));
    /// let sink = Arc::clone(&seen);
    /// set_excepthook(move |args| *sink.lock().unwrap() = args.name().to_owned());
    /// let _ = Builder::new().name("w").spawn(|| panic!()).unwrap().join();
    /// assert_eq!(*seen.lock().unwrap(), "w");
    /// take_excepthook();
    /// ```
    #[must_use]
    pub fn name(&self) -> &'a str {
        self.thread.name()
    }

    /// The panic's payload (Python's `exc_value`): what `panic!` or
    /// `std::panic::panic_any` was given.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{set_excepthook, spawn, take_excepthook};
    /// use std::sync::{Arc, Mutex};
    ///
    /// let seen = Arc::new(Mutex::new(None));
    /// let sink = Arc::clone(&seen);
    /// set_excepthook(move |args| *sink.lock().unwrap() = args.payload().downcast_ref::<u32>().copied());
    /// let _ = spawn(|| std::panic::panic_any(404_u32)).unwrap().join();
    /// assert_eq!(*seen.lock().unwrap(), Some(404));
    /// take_excepthook();
    /// ```
    #[must_use]
    pub fn payload(&self) -> &'a (dyn Any + Send + 'static) {
        self.payload
    }

    /// The panic's message, if its payload is a string (as it is for every
    /// `panic!`).
    ///
    /// # Examples
    ///
    /// See [`ExceptHookArgs`].
    #[must_use]
    pub fn message(&self) -> Option<&'a str> {
        payload_message(self.payload)
    }

    /// Where the panic happened, as `file:line:column` (what Python's
    /// traceback ends with); `None` if bobbin's panic hook did not see the
    /// panic (another hook was installed after it).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{set_excepthook, spawn, take_excepthook};
    /// use std::sync::{Arc, Mutex};
    ///
    /// let seen = Arc::new(Mutex::new(None));
    /// let sink = Arc::clone(&seen);
    /// set_excepthook(move |args| *sink.lock().unwrap() = args.location().map(str::to_owned));
    /// let _ = spawn(|| panic!()).unwrap().join();
    /// assert!(seen.lock().unwrap().as_deref().unwrap().contains(".rs:"));
    /// take_excepthook();
    /// ```
    #[must_use]
    pub fn location(&self) -> Option<&'a str> {
        self.location
    }

    /// The backtrace of the panic (Python's `exc_traceback`), if one was
    /// captured: std's rules apply (`RUST_BACKTRACE=1` or
    /// `RUST_LIB_BACKTRACE=1`).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{set_excepthook, spawn, take_excepthook};
    /// use std::sync::{Arc, Mutex};
    ///
    /// let seen = Arc::new(Mutex::new(None));
    /// let sink = Arc::clone(&seen);
    /// set_excepthook(move |args| *sink.lock().unwrap() = Some(args.backtrace().is_some()));
    /// let _ = spawn(|| panic!()).unwrap().join();
    /// assert!(seen.lock().unwrap().is_some());
    /// take_excepthook();
    /// ```
    #[must_use]
    pub fn backtrace(&self) -> Option<&'a Backtrace> {
        self.backtrace
    }
}

impl fmt::Debug for ExceptHookArgs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExceptHookArgs")
            .field("thread", &self.name())
            .field("message", &self.message())
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// Replaces the report of a panic that ends a bobbin thread with `hook`.
/// Python's `threading.excepthook = hook`.
///
/// The hook runs on the dying thread, after its body has unwound and before
/// it counts as finished (so before its [`join`](crate::Thread::join)
/// returns), once per panic that ends a thread spawned by bobbin (a
/// [`Timer`](crate::Timer)'s too), and once per [`Local`](crate::Local)
/// value whose drop panics as such a thread ends (which leaves the
/// thread's result as it was: Python's "Exception ignored in"). It receives
/// the thread and the panic's payload ([`ExceptHookArgs`]). [`take_excepthook`] restores the default,
/// [`default_excepthook`].
///
/// A panic in the hook itself is reported on stderr as
/// `Exception in threading.excepthook:` and its message, as Python does.
///
/// # Differences from Python
///
/// Python's hook receives the exception's type, value and traceback; here it
/// receives the payload, its message, its location and, if captured, its
/// backtrace. Panics in threads bobbin did not start, and in the main
/// thread, go to std's panic hook, as Python's go to `sys.excepthook`.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{set_excepthook, spawn, take_excepthook};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let reports = Arc::new(AtomicUsize::new(0));
/// let counter = Arc::clone(&reports);
/// set_excepthook(move |_| {
///     counter.fetch_add(1, Ordering::SeqCst);
/// });
/// let _ = spawn(|| panic!("one")).unwrap().join();
/// assert_eq!(reports.load(Ordering::SeqCst), 1);
/// take_excepthook();
/// ```
#[doc(alias = "excepthook")]
pub fn set_excepthook<F>(hook: F)
where
    F: Fn(&ExceptHookArgs<'_>) + Send + Sync + 'static,
{
    let hook: HookFn = Arc::new(hook);
    let old = with_hooks(|h| h.excepthook.replace(hook));
    // The old hook may own anything; it is dropped without the lock held.
    drop(old);
}

/// Restores the default excepthook ([`default_excepthook`]) and returns the
/// one that was set, which a new hook may wrap (std's `take_hook`). Returns
/// the default itself if no hook was set.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{set_excepthook, spawn, take_excepthook};
///
/// set_excepthook(|_| {});
/// let quiet = take_excepthook(); // the default is back
/// // Wrap it: count the reports and keep them quiet.
/// set_excepthook(move |args| quiet(args));
/// let _ = spawn(|| panic!()).unwrap().join();
/// take_excepthook();
/// ```
pub fn take_excepthook() -> Arc<dyn Fn(&ExceptHookArgs<'_>) + Send + Sync + 'static> {
    with_hooks(|h| h.excepthook.take()).unwrap_or_else(|| Arc::new(default_excepthook))
}

/// The default report of a panic that ends a bobbin thread, on stderr:
/// Python's `threading.__excepthook__`.
///
/// ```text
/// Exception in thread worker1:
/// panicked at src/main.rs:12:9:
/// out of cheese
/// note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
/// ```
///
/// The first line is Python's; the rest is what std's panic hook would have
/// printed after `thread 'worker1'`: the backtrace when one was captured,
/// else (the first time, as std does) the note. The report is written in one piece, so reports of
/// threads that panic together do not interleave.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{default_excepthook, set_excepthook, spawn, take_excepthook};
///
/// // Report only panics of threads whose name says so; the others stay quiet.
/// set_excepthook(|args| {
///     if args.name().starts_with("loud") {
///         default_excepthook(args);
///     }
/// });
/// let _ = spawn(|| panic!("this one is quiet")).unwrap().join();
/// take_excepthook();
/// ```
#[doc(alias = "__excepthook__")]
pub fn default_excepthook(args: &ExceptHookArgs<'_>) {
    let mut report = format!("Exception in thread {}:\n", args.name());
    if let Some(location) = args.location() {
        report.push_str(&format!("panicked at {location}:\n"));
    }
    report.push_str(args.message().unwrap_or("Box<dyn Any>"));
    report.push('\n');
    match args.backtrace() {
        Some(bt) if bt.status() == BacktraceStatus::Captured => {
            report.push_str(&format!("stack backtrace:\n{bt}\n"));
        }
        // std prints its note once per process; so does this report.
        Some(bt)
            if bt.status() == BacktraceStatus::Disabled
                && !with_hooks(|h| core::mem::replace(&mut h.backtrace_note_shown, true)) =>
        {
            report.push_str(
                "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
            );
        }
        _ => {}
    }
    // One write, through `eprint!` so that a test harness that captures a
    // test's output (and its threads') captures this too, as it does std's
    // panic messages.
    eprint!("{report}");
}

/// Where a panic on this thread happened, as the panic hook saw it.
struct Seen {
    location: Option<String>,
    backtrace: Option<Backtrace>,
}

crate::tls! {
    /// Whether a bobbin body (or an excepthook) is running under
    /// `catch_unwind` on this thread, so that its panics are bobbin's to
    /// report. No drop glue: a thread that never panics registers no
    /// thread-local destructor for it.
    static CAPTURING: Cell<bool> = Cell::new(false);

    /// What the panic hook saw of the latest such panic; touched only when
    /// one happens.
    static SEEN: RefCell<Option<Seen>> = RefCell::new(None);
}

/// Installs bobbin's panic hook (around whatever hook was there), once,
/// before the first bobbin thread starts.
pub(crate) fn install() {
    // A loom model reports its own panics.
    if cfg!(bobbin_loom) {
        return;
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !panic_hook(info) {
                previous(info);
            }
        }));
    });
}

/// bobbin's part of the panic hook; returns false if the panic is not
/// bobbin's to report (it did not happen in a bobbin body), so that the hook
/// that was there before reports it.
fn panic_hook(info: &panic::PanicHookInfo<'_>) -> bool {
    let active = CAPTURING.try_with(Cell::get).unwrap_or(false);
    if !active {
        return false;
    }
    let seen = Seen {
        location: info.location().map(ToString::to_string),
        backtrace: Some(Backtrace::capture()),
    };
    if cfg!(panic = "abort") {
        // No unwinding: the process aborts when this hook returns, so the
        // excepthook reports the panic now, from here.
        let thread = crate::current_thread();
        report(&thread, info.payload(), &seen);
        return true;
    }
    SEEN.try_with(|cell| *cell.borrow_mut() = Some(seen))
        .is_ok()
}

/// Runs `f` as a bobbin body: a panic is reported by the excepthook and its
/// payload returned.
pub(crate) fn run_reported<R>(
    record: &bobbin_park::sync::Arc<Record>,
    f: impl FnOnce() -> R,
) -> Result<R, Box<dyn Any + Send + 'static>> {
    let (outcome, seen) = catch(f);
    if let Err(payload) = &outcome {
        let thread = ThreadRef {
            record: bobbin_park::sync::Arc::clone(record),
        };
        report(&thread, &**payload, &seen);
    }
    outcome
}

/// Runs `f` under `catch_unwind` with bobbin's panic hook capturing, and
/// returns what that hook saw of a panic.
fn catch<R>(f: impl FnOnce() -> R) -> (std::thread::Result<R>, Seen) {
    let was_active = CAPTURING
        .try_with(|active| active.replace(true))
        .unwrap_or(false);
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    let _ = CAPTURING.try_with(|active| active.set(was_active));
    let seen = if outcome.is_err() {
        SEEN.try_with(|cell| cell.borrow_mut().take())
            .ok()
            .flatten()
    } else {
        None
    };
    let seen = seen.unwrap_or(Seen {
        location: None,
        backtrace: None,
    });
    (outcome, seen)
}

/// Hands one panic to the excepthook; a panic in the hook is reported as
/// Python reports an exception in `threading.excepthook`.
fn report(thread: &ThreadRef, payload: &(dyn Any + Send + 'static), seen: &Seen) {
    let args = ExceptHookArgs {
        thread,
        payload,
        location: seen.location.as_deref(),
        backtrace: seen.backtrace.as_ref(),
    };
    let hook = with_hooks(|h| h.excepthook.clone());
    let (outcome, _) = catch(|| match &hook {
        Some(hook) => hook(&args),
        None => default_excepthook(&args),
    });
    if let Err(hook_payload) = outcome {
        let message = payload_message(&*hook_payload).unwrap_or("Box<dyn Any>");
        eprintln!("Exception in threading.excepthook:\n{message}");
    }
}
