//! The thread record every handle shares, the cheap handle [`ThreadRef`] and
//! the joinable handle [`Thread`].
//!
//! Its place: below the registry, which makes and lists the records, and
//! above `ident`, which tells a join whether it would join the calling
//! thread. A record knows its own thread only; nothing here reaches the
//! registry.
//!
//! A thread's life, as CPython's `Thread._bootstrap_inner` runs it: the
//! spawner registers the record (so [`enumerate`](crate::enumerate) lists
//! the thread before its body starts); the new thread publishes its native
//! id, runs the body under `catch_unwind`, hands a panic to the excepthook,
//! drops its [`Local`](crate::Local) values, and leaves the registry and
//! sets `finished` in one step under the registry's lock, so that a join
//! that has returned never sees the thread listed, and a thread missing from
//! the list is never alive.

use crate::Panicked;
use crate::sync::Event;
use bobbin_park::sync::Arc;
use bobbin_park::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use bobbin_park::thread::JoinHandle;
use bobbin_park::{Deadline, WaitKind, WaitLabel};
use core::any::Any;
use core::fmt;
use core::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

/// How a thread parked in a join (of a [`Thread`], a [`ThreadRef`] or a
/// [`Timer`](crate::Timer)) shows in a hang report.
static THREAD_JOIN: WaitKind = WaitKind::new("Thread.join");

/// How a thread parked waiting for a new thread to record its native id
/// shows in a hang report.
static THREAD_START: WaitKind = WaitKind::new("Thread.start");

/// How a thread came to be in the registry.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The process's main thread, `MainThread`.
    Main,
    /// A thread started by bobbin.
    Spawned,
    /// A thread started elsewhere (`std::thread`, a C library), registered
    /// as `Dummy-N` when it first asked for its own record.
    Dummy,
}

/// What the registry knows of one thread, shared by every handle to it.
pub(crate) struct Record {
    pub(crate) name: Box<str>,
    pub(crate) ident: u64,
    pub(crate) daemon: bool,
    pub(crate) kind: Kind,
    /// The kernel's id for the thread; 0 until the thread has published it
    /// (a spawned thread does so first thing, before `started` is set).
    native_id: AtomicU64,
    /// The thread's [`bobbin_park::thread::current_id`], which names it in
    /// [`bobbin_park::parked_threads`]; 0 until the thread has recorded it
    /// (a spawned thread first thing, a dummy thread when registered). The
    /// main thread's is kept by `ident` instead.
    park_id: AtomicUsize,
    /// Set once `native_id` is known, or once the start has failed.
    started: Event,
    /// Set when the thread's body (and its excepthook, and the drop of its
    /// `Local` values) has finished, under the registry's lock as the
    /// thread leaves it.
    finished: Event,
}

impl Record {
    /// A record for a thread that is about to be spawned: no native id yet.
    pub(crate) fn unstarted(name: Box<str>, ident: u64, daemon: bool) -> Record {
        Record {
            name,
            ident,
            daemon,
            kind: Kind::Spawned,
            native_id: AtomicU64::new(0),
            park_id: AtomicUsize::new(0),
            started: Event::new(),
            finished: Event::new(),
        }
    }

    /// A record for a thread that is already running (the main thread, a
    /// dummy thread), whose native id is known.
    pub(crate) fn running(
        name: Box<str>,
        ident: u64,
        daemon: bool,
        kind: Kind,
        native_id: u64,
    ) -> Record {
        let record = Record {
            name,
            ident,
            daemon,
            kind,
            native_id: AtomicU64::new(native_id),
            park_id: AtomicUsize::new(0),
            started: Event::new(),
            finished: Event::new(),
        };
        record.started.set();
        record
    }

    /// Called by the new thread first thing: its native id is now known.
    pub(crate) fn set_started(&self, native_id: u64) {
        self.native_id.store(native_id, Ordering::Release);
        self.started.set();
    }

    /// Records that the calling thread is this record's thread, for hang
    /// reports. Relaxed: bookkeeping that only a report reads.
    pub(crate) fn set_park_id(&self) {
        self.park_id
            .store(bobbin_park::thread::current_id(), Ordering::Relaxed);
    }

    /// The thread's parking-lot id, 0 if it has not recorded it yet. The
    /// main thread records its own as it learns its ident, wherever its
    /// record was made.
    pub(crate) fn park_id(&self) -> usize {
        match self.kind {
            Kind::Main => crate::ident::main_park_id(),
            Kind::Spawned | Kind::Dummy => self.park_id.load(Ordering::Relaxed),
        }
    }

    /// The thread's native id if it is known now, without waiting (a hang
    /// report must never block on the threads it reports).
    pub(crate) fn native_id_now(&self) -> Option<u64> {
        Some(self.native_id.load(Ordering::Acquire)).filter(|&id| id != 0)
    }

    /// The address range of `finished`, the event a joiner parks on, so that
    /// a hang report can tell which thread a join waits for.
    pub(crate) fn is_joined_at(&self, address: usize) -> bool {
        let start = core::ptr::from_ref(&self.finished).addr();
        (start..start + size_of::<Event>()).contains(&address)
    }

    /// Called when the spawn failed: nobody waits for this thread's start
    /// or end any more.
    pub(crate) fn set_failed(&self) {
        self.started.set();
        self.finished.set();
    }

    /// Called once the thread has left the registry.
    pub(crate) fn set_finished(&self) {
        self.finished.set();
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.finished.is_set()
    }

    fn native_id(&self) -> u64 {
        let id = self.native_id.load(Ordering::Acquire);
        if id != 0 {
            return id;
        }
        // The thread records its id before anything else it does, so this
        // wait is as short as the OS's start of a thread.
        let _label = WaitLabel::unless_labelled(&THREAD_START);
        self.started.wait();
        self.native_id.load(Ordering::Acquire)
    }

    /// Waits until the thread has finished or `deadline` has passed;
    /// returns whether it has finished. The one core of every join.
    fn join_slow(&self, deadline: Deadline) -> bool {
        assert!(
            self.ident != crate::ident::current(),
            "cannot join current thread"
        );
        if self.is_finished() {
            return true;
        }
        let _label = WaitLabel::unless_labelled(&THREAD_JOIN);
        match deadline.instant() {
            None => {
                self.finished.wait();
                true
            }
            Some(at) => self.finished.wait_until(at),
        }
    }
}

/// A cheap handle to a thread in the registry: its name, ident, native id,
/// daemon flag and whether it is alive. Python's `Thread` object as
/// [`current_thread`](crate::current_thread),
/// [`main_thread`](crate::main_thread) and
/// [`enumerate`](crate::enumerate) return it.
///
/// Cloning it is a reference-count increment. Two handles are equal when
/// they name the same thread (the same [`ident`](ThreadRef::ident)), as
/// Python's `is` compares thread objects.
///
/// A `ThreadRef` cannot give the thread's result: only its [`Thread`]
/// handle can. It can still wait for the thread to end
/// ([`join`](ThreadRef::join)), as Python's `enumerate()`-then-`join()`
/// idiom does.
///
/// # Differences from Python
///
/// - The name is fixed once the thread is spawned (before, it is the
///   [`Builder`](crate::Builder)'s to change); Python's `name` (and the
///   deprecated `setName`) can be reassigned while the thread runs.
/// - [`ident`](ThreadRef::ident) is never reused by a later thread.
/// - A dummy thread (one bobbin did not start) can be joined: the join
///   waits until it ends, where Python raises `RuntimeError: cannot join a
///   dummy thread`; and once it has ended its `is_alive` is `false`, where
///   Python's documentation calls dummy threads "always alive".
/// - Joining the calling thread panics (`cannot join current thread`),
///   Python's `RuntimeError`; so does every timed join of it.
/// - The timed joins return whether the thread has finished; Python's
///   `join(timeout)` returns `None` and leaves that to `is_alive()`.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{current_thread, spawn};
///
/// let t = spawn(|| current_thread()).unwrap();
/// let id = t.ident();
/// let seen = t.join().unwrap();
/// assert_eq!(seen.ident(), id);
/// assert!(seen.name().starts_with("Thread-"));
/// assert!(!seen.is_alive());
/// ```
#[derive(Clone)]
pub struct ThreadRef {
    pub(crate) record: Arc<Record>,
}

impl ThreadRef {
    /// The thread's name: the one given to [`Builder::name`](crate::Builder::name),
    /// `Thread-N` for a spawned thread without one, `MainThread`, or
    /// `Dummy-N` for a thread bobbin did not start.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{current_thread, Builder};
    ///
    /// let t = Builder::new().name("worker").spawn(|| current_thread().name().to_owned()).unwrap();
    /// assert_eq!(t.join().unwrap(), "worker");
    /// ```
    #[doc(alias = "getName")]
    #[must_use]
    pub fn name(&self) -> &str {
        &self.record.name
    }

    /// The thread's identifier: a nonzero number unique to the thread for the
    /// life of the process (never reused, unlike Python's), equal to what
    /// [`get_ident`](crate::get_ident) returns on that thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{get_ident, spawn};
    ///
    /// let t = spawn(get_ident).unwrap();
    /// let ident = t.thread().ident();
    /// assert_eq!(t.join().unwrap(), ident);
    /// ```
    #[must_use]
    pub fn ident(&self) -> u64 {
        self.record.ident
    }

    /// The kernel's id for the thread (Linux's thread id, what `top -H` and
    /// `/proc/self/task` show), equal to what
    /// [`get_native_id`](crate::get_native_id) returns on that thread.
    ///
    /// For a thread that [`spawn`](crate::spawn) has just started this may
    /// wait for the new thread to record it, which it does before anything
    /// else. It is 0 only for a thread whose start failed, which only
    /// [`enumerate`](crate::enumerate) can show, and only while the failing
    /// spawn runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{get_native_id, spawn};
    ///
    /// let t = spawn(get_native_id).unwrap();
    /// let native = t.native_id();
    /// assert_eq!(t.join().unwrap(), native);
    /// ```
    #[must_use]
    pub fn native_id(&self) -> u64 {
        self.record.native_id()
    }

    /// Whether the thread is a daemon thread, which the program does not wait
    /// for at exit (see the [crate docs](crate#daemon-threads-at-exit)).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{main_thread, Builder};
    ///
    /// assert!(!main_thread().is_daemon());
    /// let t = Builder::new().daemon(true).spawn(|| ()).unwrap();
    /// assert!(t.thread().is_daemon());
    /// # t.join().unwrap();
    /// ```
    #[doc(alias = "daemon")]
    #[doc(alias = "isDaemon")]
    #[must_use]
    pub fn is_daemon(&self) -> bool {
        self.record.daemon
    }

    /// Whether the thread is alive: from the moment it is spawned (before its
    /// body starts) until its body, its excepthook and the drop of its
    /// [`Local`](crate::Local) values have finished. A dummy thread is alive
    /// until it ends; the main thread until the program exits.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{current_thread, spawn};
    ///
    /// assert!(current_thread().is_alive());
    /// let t = spawn(|| ()).unwrap();
    /// let r = t.thread().clone();
    /// t.join().unwrap();
    /// assert!(!r.is_alive());
    /// ```
    #[must_use]
    pub fn is_alive(&self) -> bool {
        !self.record.is_finished()
    }

    /// Waits until the thread has finished (Python's `join()` on a thread
    /// object from [`enumerate`](crate::enumerate)); the result stays with
    /// its [`Thread`] handle.
    ///
    /// Joining a dummy thread waits until it ends; joining the main thread
    /// waits until the program exits (so only a non-daemon thread's wait
    /// ever returns). The timed forms are
    /// [`join_timeout`](ThreadRef::join_timeout) and
    /// [`join_until`](ThreadRef::join_until).
    ///
    /// # Panics
    ///
    /// Panics if this is the calling thread (`cannot join current thread`),
    /// which would never return: Python's `RuntimeError`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{current_thread, enumerate, main_thread, spawn};
    ///
    /// let _worker = spawn(|| ()).unwrap();
    /// let me = current_thread();
    /// for t in enumerate() {
    ///     if t != me && t != main_thread() && t.name().starts_with("Thread-") {
    ///         t.join();
    ///     }
    /// }
    /// ```
    pub fn join(&self) {
        self.record.join_slow(Deadline::never());
    }

    /// Waits at most `timeout` for the thread to finish; returns whether it
    /// has. A zero timeout only checks; `Duration::MAX` waits forever.
    ///
    /// # Panics
    ///
    /// Panics if this is the calling thread (`cannot join current thread`).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::spawn;
    /// use std::time::Duration;
    ///
    /// let t = spawn(|| ()).unwrap();
    /// let r = t.thread().clone();
    /// assert!(r.join_timeout(Duration::from_secs(60)));
    /// assert!(!r.is_alive());
    /// ```
    #[doc(alias = "join")]
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.record.join_slow(Deadline::after(timeout))
    }

    /// Waits until `deadline` at the latest for the thread to finish; returns
    /// whether it has. A deadline in the past only checks.
    ///
    /// # Panics
    ///
    /// Panics if this is the calling thread (`cannot join current thread`).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::spawn;
    /// use std::time::{Duration, Instant};
    ///
    /// let t = spawn(|| ()).unwrap();
    /// assert!(t.thread().join_until(Instant::now() + Duration::from_secs(60)));
    /// ```
    #[doc(alias = "join")]
    pub fn join_until(&self, deadline: Instant) -> bool {
        self.record.join_slow(Deadline::at(deadline))
    }

    fn status(&self) -> &'static str {
        if self.is_alive() {
            "started"
        } else {
            "stopped"
        }
    }
}

impl PartialEq for ThreadRef {
    fn eq(&self, other: &Self) -> bool {
        self.record.ident == other.record.ident
    }
}

impl Eq for ThreadRef {}

impl Hash for ThreadRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.record.ident.hash(state);
    }
}

impl fmt::Debug for ThreadRef {
    /// Python's `repr`: `<Thread(worker1, started daemon 3)>` becomes
    /// `ThreadRef { name: "worker1", ident: 3, daemon: true, status: "started" }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadRef")
            .field("name", &self.name())
            .field("ident", &self.ident())
            .field("daemon", &self.is_daemon())
            .field("status", &self.status())
            .finish()
    }
}

/// What a spawned thread's std handle returns: the body's value, or the
/// payload of its panic (already reported by the excepthook).
pub(crate) type Outcome<T> = Result<T, Box<dyn Any + Send + 'static>>;

/// A thread started by [`spawn`](crate::spawn) or [`Builder`](crate::Builder):
/// Python's `Thread` after `start()`, with the thread's result.
///
/// Dropping the handle detaches the thread: it runs on, stays in the
/// registry until it ends and, unless it is a daemon thread, is still waited
/// for when the program exits.
///
/// # Differences from Python
///
/// - `join` returns the function's value, or `Err(Panicked)` if it panicked
///   (Python's `join` returns `None` either way).
/// - The timed join is [`join_timeout`](Thread::join_timeout) /
///   [`join_until`](Thread::join_until), which return whether the thread has
///   finished and keep the handle, so the thread can still be joined later
///   (Python's `join(timeout)` returns `None` and leaves the question to
///   `is_alive()`).
/// - A `Thread` is always started: the thread not started yet is its
///   [`Builder`](crate::Builder), which has no `join`, so Python's "cannot
///   join thread before it is started" cannot happen.
///
/// # Memory ordering
///
/// Everything the thread did happens-before [`join`](Thread::join) returns,
/// and before a [`join_timeout`](Thread::join_timeout),
/// [`join_until`](Thread::join_until) or [`is_alive`](Thread::is_alive)
/// that reports the thread finished returns (its end is published with a
/// release and observed with an acquire). Everything the spawning thread
/// did before `spawn` happens-before the thread's function starts.
///
/// # Examples
///
/// ```
/// use bobbin_thread::Builder;
/// use std::time::Duration;
///
/// let t = Builder::new().name("adder").spawn(|| 2 + 2).unwrap();
/// assert_eq!(t.name(), "adder");
/// assert!(t.join_timeout(Duration::from_secs(60)));
/// assert!(!t.is_alive());
/// assert_eq!(t.join().unwrap(), 4);
/// ```
pub struct Thread<T> {
    pub(crate) thread: ThreadRef,
    pub(crate) handle: JoinHandle<Outcome<T>>,
}

impl<T> Thread<T> {
    /// The thread's name (see [`ThreadRef::name`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let t = bobbin_thread::Builder::new().name("io").spawn(|| ()).unwrap();
    /// assert_eq!(t.name(), "io");
    /// # t.join().unwrap();
    /// ```
    #[doc(alias = "getName")]
    #[must_use]
    pub fn name(&self) -> &str {
        self.thread.name()
    }

    /// The thread's identifier (see [`ThreadRef::ident`]), known as soon as
    /// the thread is spawned.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = bobbin_thread::spawn(bobbin_thread::get_ident).unwrap();
    /// let ident = t.ident();
    /// assert_eq!(t.join().unwrap(), ident);
    /// ```
    #[must_use]
    pub fn ident(&self) -> u64 {
        self.thread.ident()
    }

    /// The kernel's id for the thread (see [`ThreadRef::native_id`]); may wait
    /// for the new thread to record it.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = bobbin_thread::spawn(bobbin_thread::get_native_id).unwrap();
    /// let native = t.native_id();
    /// assert_eq!(t.join().unwrap(), native);
    /// ```
    #[must_use]
    pub fn native_id(&self) -> u64 {
        self.thread.native_id()
    }

    /// Whether the thread is a daemon thread (see [`Builder::daemon`](crate::Builder::daemon)).
    ///
    /// # Examples
    ///
    /// ```
    /// let t = bobbin_thread::Builder::new().daemon(true).spawn(|| ()).unwrap();
    /// assert!(t.is_daemon());
    /// # t.join().unwrap();
    /// ```
    #[doc(alias = "daemon")]
    #[doc(alias = "isDaemon")]
    #[must_use]
    pub fn is_daemon(&self) -> bool {
        self.thread.is_daemon()
    }

    /// Whether the thread is alive (see [`ThreadRef::is_alive`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::spawn(|| ()).unwrap();
    /// assert!(t.join_timeout(Duration::from_secs(60)));
    /// assert!(!t.is_alive());
    /// ```
    #[must_use]
    pub fn is_alive(&self) -> bool {
        self.thread.is_alive()
    }

    /// The thread's registry handle, as [`current_thread`](crate::current_thread)
    /// returns it on that thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{current_thread, spawn};
    ///
    /// let t = spawn(current_thread).unwrap();
    /// let handle = t.thread().clone();
    /// assert_eq!(t.join().unwrap(), handle);
    /// ```
    #[must_use]
    pub fn thread(&self) -> &ThreadRef {
        &self.thread
    }

    /// Waits for the thread to finish and returns its function's value.
    ///
    /// If the function panicked, the panic has already been reported by the
    /// [excepthook](crate::set_excepthook) and `join` returns its payload as
    /// [`Panicked`]. Once `join` has returned, the thread is no longer in
    /// [`enumerate`](crate::enumerate) and its [`Local`](crate::Local) values
    /// have been dropped; a value whose drop panicked was reported by the
    /// excepthook and does not change what `join` returns (CPython's
    /// "Exception ignored in"). The timed forms, which keep the handle, are
    /// [`join_timeout`](Thread::join_timeout) and
    /// [`join_until`](Thread::join_until).
    ///
    /// # Errors
    ///
    /// [`Panicked`] if the thread's function panicked.
    ///
    /// # Panics
    ///
    /// Panics if called on the thread itself (`cannot join current thread`;
    /// the handle can reach it through a channel), which would never return:
    /// Python's `RuntimeError`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{set_excepthook, spawn, take_excepthook};
    ///
    /// assert_eq!(spawn(|| "done").unwrap().join().unwrap(), "done");
    ///
    /// set_excepthook(|_| {});
    /// let err = spawn(|| panic!("lost")).unwrap().join().unwrap_err();
    /// assert_eq!(err.message(), Some("lost"));
    /// take_excepthook();
    /// ```
    pub fn join(self) -> Result<T, Panicked> {
        // The wait itself is on the thread's `finished` event, where a hang
        // report sees it (`Thread.join`); this also refuses to join the
        // calling thread.
        self.thread.record.join_slow(Deadline::never());
        let Thread { thread, handle } = self;
        // The thread sets `finished` just before it returns, so std's join
        // only waits for the OS thread to end (its thread-local
        // destructors); it is the std handle that reaps it.
        match handle.join() {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(payload)) | Err(payload) => {
                Err(Panicked::new(thread.record.name.clone(), payload))
            }
        }
    }

    /// Waits at most `timeout` for the thread to finish; returns whether it
    /// has. The handle stays: a thread that has not finished can be joined
    /// again later, and after `true`, [`join`](Thread::join) returns at
    /// once with the result. A zero timeout only checks; `Duration::MAX`
    /// waits forever.
    ///
    /// # Panics
    ///
    /// Panics if called on the thread itself (`cannot join current thread`).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::spawn;
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    ///
    /// let (tx, rx) = mpsc::channel::<()>();
    /// let t = spawn(move || rx.recv().is_ok()).unwrap();
    /// assert!(!t.join_timeout(Duration::from_millis(10))); // still waiting
    /// assert!(t.is_alive());
    /// tx.send(()).unwrap();
    /// assert!(t.join_timeout(Duration::from_secs(60)));
    /// assert!(t.join().unwrap());
    /// ```
    #[doc(alias = "join")]
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.thread.join_timeout(timeout)
    }

    /// Waits until `deadline` at the latest for the thread to finish; returns
    /// whether it has. The handle stays, as with
    /// [`join_timeout`](Thread::join_timeout).
    ///
    /// # Panics
    ///
    /// Panics if called on the thread itself (`cannot join current thread`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let t = bobbin_thread::spawn(|| 7).unwrap();
    /// assert!(t.join_until(Instant::now() + Duration::from_secs(60)));
    /// assert_eq!(t.join().unwrap(), 7);
    /// ```
    #[doc(alias = "join")]
    pub fn join_until(&self, deadline: Instant) -> bool {
        self.thread.join_until(deadline)
    }
}

impl<T> fmt::Debug for Thread<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Thread")
            .field("name", &self.name())
            .field("ident", &self.ident())
            .field("daemon", &self.is_daemon())
            .field("status", &self.thread.status())
            .finish_non_exhaustive()
    }
}
