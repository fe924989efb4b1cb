//! Daemon threads at exit: the program waits for its non-daemon threads, as
//! CPython's `threading._shutdown` does when the main module ends.
//!
//! bobbin registers an exit handler with the C library (`atexit`) before it
//! starts its first thread. The C library runs it when `main` returns and on
//! `std::process::exit`; it marks the main thread as no longer alive (when
//! it runs there) and waits for every live non-daemon thread bobbin spawned,
//! again and again until none is left, since a thread may spawn another
//! while it is waited for. Daemon threads are not waited for: they stop
//! where they are when the process ends.
//!
//! Its place: above the registry, whose non-daemon threads it waits for,
//! and `sys`, which registers the handler; `builder` installs it before the
//! first spawn.

use crate::registry;

/// Waits for every live non-daemon thread bobbin spawned, except the calling
/// thread, until none is left: what the program does by itself when `main`
/// returns. Python's interpreter shutdown (`threading._shutdown`), for
/// programs that want the wait visible, or want it before something else
/// they do at the end.
///
/// It stops no thread: a non-daemon thread that never ends makes this wait
/// forever (and the program with it), as in Python. Daemon threads and
/// dummy threads are not waited for.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{shutdown, Builder};
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
///
/// let done = Arc::new(AtomicBool::new(false));
/// let flag = Arc::clone(&done);
/// Builder::new()
///     .daemon(false)
///     .spawn(move || flag.store(true, Ordering::SeqCst))
///     .unwrap(); // the handle is dropped: nobody joins this thread
/// shutdown();
/// assert!(done.load(Ordering::SeqCst));
/// ```
#[doc(alias = "_shutdown")]
pub fn shutdown() {
    let me = registry::get_ident();
    loop {
        let waiting = registry::non_daemon_threads(me);
        if waiting.is_empty() {
            return;
        }
        for thread in waiting {
            thread.join();
        }
    }
}

/// Registers [`at_exit`] with the C library, once, before the first bobbin
/// thread starts.
pub(crate) fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Where there is no exit hook (Miri, a loom model), the program ends
        // without waiting, as a plain Rust program does.
        let _ = crate::sys::at_exit(at_exit);
    });
}

/// The exit handler: Python's `_shutdown`, run by the C library's `exit`.
extern "C" fn at_exit() {
    let waited = std::panic::catch_unwind(|| {
        if crate::sys::is_main_thread() {
            // As CPython marks the main thread done before it joins the
            // others, so a worker that polls `main_thread().is_alive()`
            // sees the end and can stop.
            registry::main_exiting();
        }
        shutdown();
    });
    if waited.is_err() {
        // Unwinding into the C library is undefined behaviour.
        std::process::abort();
    }
}
