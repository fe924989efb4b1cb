//! Python's thread management for Rust: named threads, daemon threads, join
//! with a timeout, the thread registry, `threading.local`, `Timer` and the
//! excepthook.
//!
//! CPython 3.13's `threading` module is the spec; this crate follows its
//! `Lib/threading.py` (the registry of live threads, dummy threads, the
//! shutdown that joins non-daemon threads, `Timer` as a thread waiting on an
//! Event) on real OS threads from `std::thread`, and blocks only on bobbin's
//! own primitives (the `Event` of `bobbin-signal`, the `Lock` of
//! `bobbin-lock`).
//!
//! | Python | bobbin-thread |
//! |---|---|
//! | `Thread(target=f, name=n, daemon=d).start()` | [`Builder::new().name(n).daemon(d).spawn(f)`](Builder::spawn) → [`Thread<T>`] |
//! | `Thread(target=f).start()` | [`spawn(f)`](spawn) |
//! | `t = Thread(); t.name` before `start()` | [`Builder::new().thread_name()`](Builder::thread_name) |
//! | subclass `Thread`, override `run` | implement [`Run`], [`Builder::start`] |
//! | `t.join()` / `t.join(timeout)` then `t.is_alive()` | [`t.join()`](Thread::join) → `Result<T, Panicked>` / [`t.join_timeout(d)`](Thread::join_timeout) → `bool` |
//! | `t.name`, `t.ident`, `t.native_id`, `t.daemon`, `t.is_alive()` | [`name()`](Thread::name), [`ident()`](Thread::ident), [`native_id()`](Thread::native_id), [`is_daemon()`](Thread::is_daemon), [`is_alive()`](Thread::is_alive) |
//! | `current_thread()`, `main_thread()` | [`current_thread()`], [`main_thread()`] → [`ThreadRef`] |
//! | `enumerate()`, `active_count()` | [`enumerate()`], [`active_count()`] |
//! | `get_ident()`, `get_native_id()` | [`get_ident()`], [`get_native_id()`] |
//! | `stack_size()`, `stack_size(n)` | [`stack_size()`], [`set_stack_size(n)`](set_stack_size) |
//! | `threading.local()` | [`Local<T>`] |
//! | `Timer(interval, f).start()`, `cancel()` | [`Timer::start(interval, f)`](Timer::start), or [`Timer::new(interval, f)`](Timer::new) then [`start()`](UnstartedTimer::start); [`cancel()`](Timer::cancel) → `bool` |
//! | `threading.excepthook = hook` | [`set_excepthook(hook)`](set_excepthook), [`ExceptHookArgs`] |
//! | `threading.__excepthook__` | [`default_excepthook`] |
//! | non-daemon threads keep the program alive | the same, by an exit hook; [`shutdown()`] waits on demand |
//! | `faulthandler.dump_traceback()` (Java's `jstack`) | [`thread_dump()`]: every thread, and what it is blocked on |
//!
//! # Names
//!
//! A thread's name is the one given to [`Builder::name`], or `Thread-N`,
//! where N comes from one process-wide counter that timers and dummy
//! threads (`Dummy-N`) share, as in CPython. As Python's `Thread()` does, a
//! [`Builder`] (the thread not started yet) takes its number when it is
//! made, so threads are numbered in the order they are made, and
//! [`Builder::thread_name`] reads the name before the spawn; a builder
//! named as it is made gives its number back, so a named thread takes
//! none. Python 3.10 adds ` (target)` to a default name
//! (`Thread-1 (worker)`); a closure has no name to add, so bobbin cannot.
//! The name is also the OS thread's name, as in Python 3.14 (Linux keeps
//! its first 15 bytes), so `std::thread::current().name()`, debuggers and
//! `top -H` show it. The main thread is `MainThread`.
//!
//! # The registry
//!
//! [`enumerate`] lists exactly the live threads: the main thread; every
//! thread bobbin spawned, from the moment `spawn` registers it (before its
//! body starts) until its body has finished (before its `join` returns); and
//! every *dummy thread*, a thread bobbin did not start (a plain
//! `std::thread`, a C library's thread, a test harness's thread) that has
//! called [`current_thread`] (or spawned a thread without a daemon flag,
//! which asks for it, as Python's `Thread()` does), until it ends.
//! [`get_ident`], [`get_native_id`] and [`enumerate`] register nothing. A
//! dummy thread is a daemon, as in Python, so threads it spawns are daemons
//! unless told otherwise.
//!
//! # Daemon threads at exit
//!
//! As in Python, returning from `main` (or calling `std::process::exit`)
//! waits for every live non-daemon thread bobbin spawned; daemon threads are
//! abandoned, stopped wherever they are when the process ends. bobbin
//! registers an exit hook with the C library (`atexit`) before it starts its
//! first thread; the hook marks the main thread as no longer alive and
//! waits, again and again while non-daemon threads start others.
//! [`shutdown`] does the same wait on demand.
//!
//! A daemon flag is inherited: a thread spawned without
//! [`Builder::daemon`] has the flag of the thread that spawned it. The main
//! thread is not a daemon, so by default neither is any thread it spawns.
//!
//! What the exit hook cannot do, since the C library's `exit` never runs:
//!
//! - `std::process::abort`, a crash or a signal that kills the process
//!   (`SIGKILL`; `SIGINT` and `SIGTERM` without a handler) end every thread at
//!   once, non-daemon threads included, as `os._exit` or a signal does in
//!   Python;
//! - with `panic = "abort"`, a panic anywhere aborts the process the same
//!   way (a panic in a bobbin thread is still reported by the excepthook
//!   first, from the panic hook);
//! - under Miri, which runs no exit hooks, the program does not wait.
//!
//! After `fork` the child's registry still lists the parent's threads,
//! which do not exist there: a child of a process with live non-daemon
//! threads must `exec` or `_exit`, never return from `main` (which a
//! multi-threaded program's child may not do safely anyway).
//!
//! # Panics and the excepthook
//!
//! A panic that ends a bobbin thread (a [`Timer`]'s function included) is
//! reported once on stderr, Python's way, by [`default_excepthook`]:
//!
//! ```text
//! Exception in thread worker1:
//! panicked at src/main.rs:12:9:
//! out of cheese
//! ```
//!
//! and [`Thread::join`] returns it as [`Panicked`] (payload and message).
//! [`set_excepthook`] replaces the report with a function of yours. A
//! [`Local`] value whose drop panics as the thread ends is reported the same
//! way, but leaves what `join` returns as it was, as CPython's "Exception
//! ignored in" leaves a thread's outcome; the thread's other values are
//! still dropped.
//!
//! std's panic hook would also print the panic (`thread 'worker1' panicked
//! at ...`). So that each panic is reported once, bobbin wraps std's panic
//! hook (whatever hook is installed when the first bobbin thread starts):
//! for a panic inside a bobbin thread's body it records the location (and a
//! backtrace, if `RUST_BACKTRACE` asks for one) for the excepthook and
//! prints nothing; any other panic goes to the wrapped hook unchanged. Two
//! consequences: a panic that a bobbin thread catches itself
//! (`catch_unwind`) is not printed, as a caught exception is not in Python;
//! and a panic hook installed after bobbin's replaces it, so that hook and
//! the excepthook both report.
//!
//! # Hang reports
//!
//! [`thread_dump`] lists every thread of the registry and says, for each,
//! whether it is blocked in a bobbin primitive, in which operation
//! (`Lock.acquire`, `Condition.wait`, `Queue.get`, `Thread.join`, …), on
//! which object and for how long; its `Display` prints one line per thread,
//! as Python's `faulthandler.dump_traceback` and Java's `jstack` do. Print
//! it when a program seems stuck (from a watchdog thread, a signal handler's
//! thread, a debug endpoint). It costs nothing until it is called, but for a
//! few relaxed stores on the park slow path of each primitive.
//!
//! # Examples
//!
//! ```
//! use bobbin_thread::{current_thread, enumerate, Builder, Local};
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! let requests = Arc::new(Local::new(|| 0_u32)); // threading.local()
//! let workers: Vec<_> = (0..3)
//!     .map(|i| {
//!         let requests = Arc::clone(&requests);
//!         Builder::new()
//!             .name(format!("worker-{i}"))
//!             .spawn(move || {
//!                 for _ in 0..=i {
//!                     requests.with(|n| *n += 1);
//!                 }
//!                 format!("{} served {}", current_thread().name(), requests.get())
//!             })
//!             .unwrap()
//!     })
//!     .collect();
//! assert!(enumerate().len() >= 1);
//! for (i, w) in workers.into_iter().enumerate() {
//!     assert!(w.join_timeout(Duration::from_secs(60)));
//!     assert_eq!(w.join().unwrap(), format!("worker-{i} served {}", i + 1));
//! }
//! ```

#![deny(unsafe_code)]

// The modules in layers, each using only those below it:
//
//   builder, timer, dump    start threads, time them, report hangs
//   hook, exit, local       the excepthook, the wait at exit, Local
//   registry                the live threads, the name counter
//   thread                  records and handles (Thread, ThreadRef)
//   ident                   who the calling thread is
//   sys, sync, error        the OS, the primitives blocked on, the errors

mod builder;
mod dump;
mod error;
mod exit;
mod hook;
mod ident;
mod local;
mod registry;
mod sync;
mod sys;
mod thread;
mod timer;

pub use builder::{Builder, Run, spawn};
pub use dump::{BlockedOn, ThreadDump, ThreadStatus, thread_dump};
pub use error::{Panicked, StackSizeError};
pub use exit::shutdown;
pub use hook::{ExceptHookArgs, default_excepthook, set_excepthook, take_excepthook};
pub use local::Local;
pub use registry::{
    MIN_STACK_SIZE, active_count, current_thread, enumerate, get_ident, get_native_id, main_thread,
    set_stack_size, stack_size,
};
pub use thread::{Thread, ThreadRef};
pub use timer::{Timer, UnstartedTimer};

/// Declares thread-locals: std's, or loom's under `--cfg bobbin_loom` (loom
/// runs a model's threads as coroutines on one OS thread, so std's would be
/// shared between them).
macro_rules! tls {
    ($($(#[$attr:meta])* static $name:ident: $ty:ty = $init:expr;)*) => {
        #[cfg(not(bobbin_loom))]
        std::thread_local! { $($(#[$attr])* static $name: $ty = $init;)* }
        #[cfg(bobbin_loom)]
        bobbin_park::loom::thread_local! { $($(#[$attr])* static $name: $ty = $init;)* }
    };
}
pub(crate) use tls;
