//! Starting threads: [`Builder`], [`spawn`] and the [`Run`] trait (Python's
//! subclass-and-override-`run` pattern).
//!
//! Its place: the top of the thread's life. It registers the thread with
//! the registry, installs the panic hook (`hook`) and the exit handler
//! (`exit`), and runs the new thread's bootstrap: the body and its report,
//! then the drop of its `local` values. Only `timer` is built on it.

use crate::registry;
use crate::thread::{Outcome, Record, Thread, ThreadRef};
use crate::{exit, hook, local};
use bobbin_park::sync::Arc;
use std::io;

/// A thread not started yet, and its options: its name, daemon flag and
/// stack size. Python's `Thread(target=f, name=..., daemon=...)` before
/// `start()`; [`spawn`](Builder::spawn) is the `start()`.
///
/// Every option has Python's default: the name `Thread-N`, the daemon flag
/// of the spawning thread, and the default stack size
/// ([`stack_size`](crate::stack_size)). As Python's `Thread()` does, a
/// builder takes its `Thread-N` when it is made, from the one process-wide
/// counter that timers and dummy threads (`Dummy-N`) share: builders are
/// numbered in the order they are made, whatever the order they spawn in,
/// and the name can be read before the spawn
/// ([`thread_name`](Builder::thread_name)). A builder given a
/// [`name`](Builder::name) as soon as it is made gives its number back, so
/// a named thread takes no number, as with Python's `Thread(name=...)`.
///
/// The name is also given to the OS thread, as Python 3.14 does, so
/// debuggers, `top -H`, `ps -L` and `std::thread::current().name()` (which
/// `tracing` and `log` formatters read) show it. Linux keeps the first 15
/// bytes of an OS thread name; the registry keeps the whole name.
///
/// # Differences from Python
///
/// - Python's `args` and `kwargs` are the closure's captures.
/// - A default name is `Thread-N` without the ` (target)` suffix of Python
///   3.10 and later (`Thread-1 (worker)`): bobbin cannot add it, since a
///   closure has no name and a function's type name is not a stable string.
///   Name a thread with [`name`](Builder::name).
/// - [`spawn`](Builder::spawn) consumes the builder, so a thread cannot be
///   started twice (Python's `RuntimeError: threads can only be started
///   once`), and returns the OS's error instead of raising
///   `RuntimeError: can't start new thread`.
///
/// # Examples
///
/// The seed's daemon example: `main` ends while the non-daemon `worker1`
/// still runs, and the program waits for it; the daemon `worker2` is
/// abandoned.
///
/// ```
/// use bobbin_thread::{current_thread, Builder};
/// use std::time::Duration;
///
/// fn worker() {
///     println!("[{}] starting", current_thread().name());
///     std::thread::sleep(Duration::from_millis(200));
///     println!("[{}] stopping", current_thread().name());
/// }
///
/// fn main() -> std::io::Result<()> {
/// #   // Miri runs no exit hooks, and reports the abandoned daemon thread.
/// #   if cfg!(miri) { return Ok(()); }
///     println!("[MainThread] starting");
///     Builder::new().name("worker1").daemon(false).spawn(worker)?;
///     std::thread::sleep(Duration::from_millis(100));
///     Builder::new().name("worker2").daemon(true).spawn(worker)?;
///     println!("[MainThread] stopping");
///     Ok(()) // waits for worker1; worker2 never prints "stopping"
/// }
/// ```
#[derive(Debug)]
#[must_use = "a Builder does nothing until it spawns"]
pub struct Builder {
    /// The thread's name: the `Thread-N` drawn when the builder was made, or
    /// the one given.
    name: String,
    /// N while `name` is the `Thread-N` this builder drew; `None` once a
    /// name was given.
    number: Option<u64>,
    daemon: Option<bool>,
    stack_size: Option<usize>,
}

impl Builder {
    /// A thread not started yet, with Python's defaults; it takes its
    /// default name, `Thread-N`, now (Python's `Thread()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::Builder;
    ///
    /// let first = Builder::new();
    /// let second = Builder::new();
    /// // Numbered as made, whichever starts first.
    /// let t2 = second.spawn(|| 2).unwrap();
    /// let t1 = first.spawn(|| 1).unwrap();
    /// let n = |t: &bobbin_thread::Thread<i32>| t.name()["Thread-".len()..].parse::<u64>().unwrap();
    /// assert!(n(&t1) < n(&t2));
    /// assert_eq!(t1.join().unwrap() + t2.join().unwrap(), 3);
    /// ```
    #[doc(alias = "Thread")]
    pub fn new() -> Builder {
        let (n, name) = registry::draw_default_name();
        Builder {
            name,
            number: Some(n),
            daemon: None,
            stack_size: None,
        }
    }

    /// The name the thread will have: the one given to
    /// [`name`](Builder::name), or the `Thread-N` drawn when the builder was
    /// made. Python's `t.name` before `t.start()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::Builder;
    ///
    /// let b = Builder::new();
    /// let name = b.thread_name().to_owned();
    /// assert!(name.starts_with("Thread-"));
    /// assert_eq!(b.spawn(|| ()).unwrap().name(), name);
    /// assert_eq!(Builder::new().name("io").thread_name(), "io");
    /// ```
    #[doc(alias = "name")]
    #[doc(alias = "getName")]
    #[must_use]
    pub fn thread_name(&self) -> &str {
        &self.name
    }

    /// The thread's name, for the registry, the excepthook's report and the
    /// OS, in place of its `Thread-N`. An empty name means the default
    /// `Thread-N`, as in Python. Names need not be unique.
    ///
    /// The number the builder drew is given back if nothing has drawn one
    /// since, which is so when the name is given as the builder is made
    /// (`Builder::new().name(..)`): a named thread takes no number, as
    /// Python's `Thread(name=...)` takes none. Otherwise it stays spent, as
    /// after Python's `t = Thread(); t.name = ...`.
    ///
    /// Linux keeps the first 15 bytes as the OS thread name (and nothing
    /// after a NUL byte); the registry and [`Thread::name`] keep it whole.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{current_thread, Builder};
    ///
    /// let t = Builder::new()
    ///     .name("a rather long thread name")
    ///     .spawn(|| std::thread::current().name().map(str::to_owned))
    ///     .unwrap();
    /// assert_eq!(t.name(), "a rather long thread name");
    /// assert_eq!(t.join().unwrap().as_deref(), Some("a rather long thread name"));
    /// ```
    #[doc(alias = "setName")]
    pub fn name(mut self, name: impl Into<String>) -> Builder {
        let name = name.into();
        if name.is_empty() {
            if self.number.is_none() {
                let (n, default) = registry::draw_default_name();
                self.name = default;
                self.number = Some(n);
            }
        } else {
            if let Some(n) = self.number.take() {
                registry::give_back_number(n);
            }
            self.name = name;
        }
        self
    }

    /// Whether the thread is a daemon thread: one the program does not wait
    /// for when it exits (see the [crate docs](crate#daemon-threads-at-exit)).
    /// By default a thread inherits the flag of the thread that spawns it;
    /// the main thread is not a daemon, a dummy thread (one bobbin did not
    /// start, such as a test harness's thread) is.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{spawn, Builder};
    ///
    /// let t = Builder::new().daemon(true).spawn(|| spawn(|| ()).unwrap().is_daemon()).unwrap();
    /// assert!(t.is_daemon());
    /// assert!(t.join().unwrap(), "a daemon's child is a daemon");
    /// // A doctest runs on the main thread, which is not a daemon.
    /// assert!(!spawn(|| ()).unwrap().is_daemon());
    /// ```
    #[doc(alias = "setDaemon")]
    pub fn daemon(mut self, daemon: bool) -> Builder {
        self.daemon = Some(daemon);
        self
    }

    /// The thread's stack size in bytes, instead of the default
    /// ([`stack_size`](crate::stack_size)). The platform may round it up.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = bobbin_thread::Builder::new().stack_size(8 << 20).spawn(|| {
    ///     fn depth(n: u32) -> u32 { if n == 0 { 0 } else { 1 + depth(n - 1) } }
    ///     depth(10_000)
    /// });
    /// assert_eq!(t.unwrap().join().unwrap(), 10_000);
    /// ```
    pub fn stack_size(mut self, size: usize) -> Builder {
        self.stack_size = Some(size);
        self
    }

    /// Starts a thread that runs `f` and returns its handle. Python's
    /// `Thread(target=f, ...).start()`.
    ///
    /// The thread is in [`enumerate`](crate::enumerate) when `spawn` returns.
    /// A panic in `f` is reported by the [excepthook](crate::set_excepthook)
    /// and returned by [`Thread::join`].
    ///
    /// # Errors
    ///
    /// The OS's error if it cannot start a thread (too many threads, no
    /// memory for the stack); the registry is then as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// let data = vec![1, 2, 3]; // Python's args: the closure's captures
    /// let t = bobbin_thread::Builder::new()
    ///     .name("summer")
    ///     .spawn(move || data.iter().sum::<i32>())
    ///     .unwrap();
    /// assert_eq!(t.join().unwrap(), 6);
    /// ```
    #[doc(alias = "start")]
    pub fn spawn<F, T>(self, f: F) -> io::Result<Thread<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        hook::install();
        exit::install();
        let daemon = match self.daemon {
            Some(daemon) => daemon,
            None => registry::current_daemon(),
        };
        let (record, default_stack) = registry::register_spawn(self.name, daemon);

        let mut os = bobbin_park::thread::Builder::new();
        // std refuses names with a NUL byte; the OS keeps what comes before.
        let os_name = record.name.split('\0').next().unwrap_or_default();
        if !os_name.is_empty() {
            // Room for the NUL that std appends (a `CString`), so that the
            // name is not reallocated once more on its way to the OS.
            let mut owned = String::with_capacity(os_name.len() + 1);
            owned.push_str(os_name);
            os = os.name(owned);
        }
        match self.stack_size.unwrap_or(default_stack) {
            0 => {}
            size => os = os.stack_size(size),
        }

        let child = Arc::clone(&record);
        match os.spawn(move || bootstrap(&child, f)) {
            Ok(handle) => Ok(Thread {
                thread: ThreadRef { record },
                handle,
            }),
            Err(err) => {
                registry::abandon(&record);
                Err(err)
            }
        }
    }

    /// Starts a thread that runs `runnable.run()`: Python's subclass of
    /// `Thread` that overrides `run`. See [`Run`].
    ///
    /// # Errors
    ///
    /// As [`spawn`](Builder::spawn).
    ///
    /// # Examples
    ///
    /// See [`Run`].
    pub fn start<R: Run>(self, runnable: R) -> io::Result<Thread<R::Output>> {
        self.spawn(move || runnable.run())
    }
}

impl Default for Builder {
    /// [`Builder::new`]: a thread with Python's defaults, numbered now.
    fn default() -> Builder {
        Builder::new()
    }
}

impl Clone for Builder {
    /// Another thread with the same options. A given name is copied; a
    /// default one is drawn anew, since every thread made takes its own
    /// `Thread-N`, as every `Thread()` does in Python.
    ///
    /// ```
    /// let daemon = bobbin_thread::Builder::new().daemon(true);
    /// let twin = daemon.clone();
    /// assert_ne!(daemon.thread_name(), twin.thread_name());
    /// assert!(twin.spawn(|| ()).unwrap().is_daemon());
    /// ```
    fn clone(&self) -> Builder {
        let (name, number) = match self.number {
            Some(_) => {
                let (n, name) = registry::draw_default_name();
                (name, Some(n))
            }
            None => (self.name.clone(), None),
        };
        Builder {
            name,
            number,
            daemon: self.daemon,
            stack_size: self.stack_size,
        }
    }
}

/// Starts a thread with the default options ([`Builder::new`]) that runs `f`.
/// Python's `Thread(target=f).start()`.
///
/// # Errors
///
/// The OS's error if it cannot start a thread.
///
/// # Examples
///
/// ```
/// let t = bobbin_thread::spawn(|| 6 * 7).unwrap();
/// assert!(t.name().starts_with("Thread-"));
/// assert_eq!(t.join().unwrap(), 42);
/// ```
#[doc(alias = "start")]
pub fn spawn<F, T>(f: F) -> io::Result<Thread<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new().spawn(f)
}

/// A thread's activity as a type: Python's subclass of `Thread` that
/// overrides `run()`.
///
/// Python's pattern keeps a thread's arguments as attributes of the subclass
/// and its logic in `run`. In Rust the struct holds the arguments, `run`
/// consumes it, and [`Builder::start`] runs it on a new thread. Calling
/// `run()` directly runs it on the calling thread, as Python's `t.run()`
/// does.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{current_thread, Builder, Run};
///
/// // class MyThread(threading.Thread):
/// //     def __init__(self, *args): super().__init__(); self.args = args
/// //     def run(self): print('mythread run', self.args)
/// struct MyThread {
///     args: Vec<i32>,
/// }
///
/// impl Run for MyThread {
///     type Output = String;
///
///     fn run(self) -> String {
///         format!("{} run {:?}", current_thread().name(), self.args)
///     }
/// }
///
/// let t = Builder::new().name("mythread").start(MyThread { args: vec![1, 2, 3] }).unwrap();
/// assert_eq!(t.join().unwrap(), "mythread run [1, 2, 3]");
/// // t.run() in Python: the same logic, on the calling thread.
/// assert_eq!(MyThread { args: vec![] }.run(), "MainThread run []");
/// ```
pub trait Run: Send + 'static {
    /// What `run` returns, and the thread's [`join`](Thread::join) with it.
    type Output: Send + 'static;

    /// The thread's activity.
    ///
    /// # Examples
    ///
    /// See [`Run`].
    fn run(self) -> Self::Output;
}

/// The new thread's life, as CPython's `Thread._bootstrap_inner`.
fn bootstrap<F, T>(record: &Arc<Record>, f: F) -> Outcome<T>
where
    F: FnOnce() -> T,
{
    /// Finishes the thread even if something below unwinds, so that a joiner
    /// or the exit wait never hangs on it.
    struct Finish<'a>(&'a Record);
    impl Drop for Finish<'_> {
        fn drop(&mut self) {
            registry::finish(self.0);
        }
    }

    registry::enter(record);
    let _finish = Finish(record);
    let outcome = hook::run_reported(record, f);
    // Python's cleanup of `threading.local`: the thread's values are dropped
    // before the thread counts as finished, so a join that has returned
    // sees them dropped. A value whose drop panics is reported by the
    // excepthook and the others are still dropped, but the thread's result
    // stands: CPython prints "Exception ignored in" for an exception in a
    // `__del__` and keeps the thread's outcome.
    local::drop_thread_values(|value| {
        let _ = hook::run_reported(record, move || drop(value));
    });
    outcome
}
