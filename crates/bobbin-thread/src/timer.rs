//! [`Timer`]: a function run once, after an interval, on a thread of its
//! own. CPython's `threading.Timer`: the thread waits on an Event for the
//! interval, and `cancel` sets it.
//!
//! Python's `cancel` only sets the Event, so a cancel that lands after the
//! wait has timed out cannot stop the function, and nobody learns which way
//! it went. Here one state word decides: the timer thread moves it from
//! `PENDING` to `FIRED` before calling the function, `cancel` from `PENDING`
//! to `CANCELLED`; exactly one of them wins, and `cancel` reports which.
//!
//! Its place: the top, beside `builder`, on which it is built: a timer's
//! thread is a bobbin thread like any other.

use crate::Panicked;
use crate::builder::Builder;
use crate::sync::Event;
use crate::thread::{Thread, ThreadRef};
use bobbin_park::sync::Arc;
use bobbin_park::sync::atomic::{AtomicU8, Ordering};
use bobbin_park::{Deadline, WaitKind, WaitLabel};
use core::fmt;
use std::io;
use std::time::{Duration, Instant};

/// How a timer's thread, waiting for its interval to pass (or for a
/// cancel), shows in a hang report.
static TIMER_WAIT: WaitKind = WaitKind::new("Timer.wait");

/// Neither cancelled nor fired yet.
const PENDING: u8 = 0;
/// `cancel` won: the function will never run.
const CANCELLED: u8 = 1;
/// The interval passed first: the function runs (or has run).
const FIRED: u8 = 2;

/// What the timer thread and its handle share.
struct Shared {
    /// `PENDING`, then `CANCELLED` (set by `cancel`) or `FIRED` (set by the
    /// timer thread when the interval has passed). It never changes again.
    state: AtomicU8,
    /// Set by a winning `cancel`, to wake the timer thread early.
    cancelled: Event,
}

impl Shared {
    /// A timer's state before anything has happened to it.
    fn new() -> Arc<Shared> {
        Arc::new(Shared {
            state: AtomicU8::new(PENDING),
            cancelled: Event::new(),
        })
    }

    /// Whether a cancel has won.
    fn is_cancelled(&self) -> bool {
        self.state.load(Ordering::Acquire) == CANCELLED
    }

    /// The timer thread's body: wait for the deadline or a cancel, then call
    /// `function` if the cancel has not won.
    fn run(&self, deadline: Deadline, function: impl FnOnce()) {
        let label = WaitLabel::unless_labelled(&TIMER_WAIT);
        let cancelled = match deadline.instant() {
            None => {
                self.cancelled.wait();
                true
            }
            Some(at) => self.cancelled.wait_until(at),
        };
        drop(label);
        if cancelled {
            return;
        }
        // AcqRel/Acquire: pairs with `cancel`'s exchange, so that exactly one
        // of the two moves the state away from PENDING.
        if self
            .state
            .compare_exchange(PENDING, FIRED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            function();
        }
    }

    fn cancel(&self) -> bool {
        match self
            .state
            .compare_exchange(PENDING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {
                self.cancelled.set();
                true
            }
            Err(state) => state == CANCELLED,
        }
    }
}

/// Runs a function once, after an interval, on a thread of its own; can be
/// cancelled until the function starts. Python's `threading.Timer`.
///
/// The timer's thread is an ordinary bobbin thread: named `Thread-N` unless
/// the [`Builder`] says otherwise, a daemon or not as the spawning thread
/// (or the `Builder`) says, listed by [`enumerate`](crate::enumerate), and a
/// panic in the function is reported by the
/// [excepthook](crate::set_excepthook) and returned by
/// [`join`](Timer::join). A non-daemon timer that is neither fired nor
/// cancelled keeps the program alive at exit until it fires, as in Python.
///
/// The function runs at or after the interval (measured from
/// [`start`](Timer::start)), never before. An interval of `Duration::MAX`
/// never passes: such a timer only ends when cancelled.
///
/// # Differences from Python
///
/// - Python's `Timer(interval, f)` is made and then `start()`ed. Both
///   shapes exist: [`Timer::new`] makes an [`UnstartedTimer`] whose
///   [`start`](UnstartedTimer::start) returns the running `Timer`, and
///   [`Timer::start`] (or [`Builder::timer`]) does both in one step. A
///   timer that was never started cannot be joined (Python's
///   `RuntimeError: cannot join thread before it is started`): only a
///   started `Timer` has `join`.
/// - [`cancel`](Timer::cancel) says whether the function will never run;
///   Python's returns `None`, and a cancel that lands between the end of the
///   wait and the call does not stop the function. Here it does.
///
/// # Memory ordering
///
/// Whatever the thread that calls `start` did before it happens-before the
/// function runs (spawning a thread synchronizes). A `cancel` that returns
/// `false` because the function has started does not wait for it; join the
/// timer to wait.
///
/// # Examples
///
/// The seed's example: two timers; the first is cancelled while it waits,
/// so only the second runs.
///
/// ```
/// use bobbin_thread::Builder;
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let runs = Arc::new(AtomicU32::new(0));
/// let worker = |runs: Arc<AtomicU32>| move || { runs.fetch_add(1, Ordering::SeqCst); };
/// let t1 = Builder::new().name("t1").timer(Duration::from_secs(30), worker(runs.clone())).unwrap();
/// let t2 = Builder::new().name("t2").timer(Duration::from_millis(30), worker(runs.clone())).unwrap();
/// assert!(t1.cancel()); // still waiting: t1 never runs
/// t1.join().unwrap();
/// t2.join().unwrap(); // t2 ran
/// assert_eq!(runs.load(Ordering::SeqCst), 1);
/// ```
pub struct Timer {
    thread: Thread<()>,
    shared: Arc<Shared>,
    interval: Duration,
}

impl Timer {
    /// Makes a timer that will call `function` once `interval` has passed
    /// after it is started, without starting it: Python's
    /// `Timer(interval, function)`, before `start()`.
    ///
    /// Give it a name and a daemon flag if needed, then
    /// [`start`](UnstartedTimer::start) it; [`Timer::start`] does both steps
    /// in one.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::Timer;
    /// use std::time::Duration;
    ///
    /// // t = Timer(0.01, hello); t.start(); t.join()
    /// let t = Timer::new(Duration::from_millis(10), || println!("hello, world"));
    /// assert!(!t.is_alive());
    /// let t = t.start().unwrap();
    /// t.join().unwrap();
    /// ```
    #[doc(alias = "Timer")]
    #[must_use = "a timer does nothing until it is started"]
    // Python's `Timer(interval, f)` makes a timer that has not started; a
    // `Timer` is always a started one, so `new` returns the unstarted type.
    #[allow(clippy::new_ret_no_self)]
    pub fn new<F>(interval: Duration, function: F) -> UnstartedTimer
    where
        F: FnOnce() + Send + 'static,
    {
        UnstartedTimer {
            // A builder takes its `Thread-N` as it is made, as Python's
            // `Timer()` does; `name` may still replace it.
            builder: Builder::new(),
            interval,
            function: Box::new(function),
            shared: Shared::new(),
        }
    }

    /// Starts a timer with the default thread options ([`Builder::new`]) that
    /// calls `function` once `interval` has passed. Python's
    /// `Timer(interval, function).start()`.
    ///
    /// # Errors
    ///
    /// The OS's error if it cannot start the timer's thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::Timer;
    /// use std::sync::mpsc;
    /// use std::time::{Duration, Instant};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let start = Instant::now();
    /// let timer = Timer::start(Duration::from_millis(20), move || tx.send(Instant::now()).unwrap()).unwrap();
    /// let fired = rx.recv().unwrap();
    /// assert!(fired - start >= Duration::from_millis(20));
    /// timer.join().unwrap();
    /// ```
    #[doc(alias = "Timer")]
    pub fn start<F>(interval: Duration, function: F) -> io::Result<Timer>
    where
        F: FnOnce() + Send + 'static,
    {
        Builder::new().timer(interval, function)
    }

    /// Cancels the timer if its function has not started yet; returns
    /// whether the function will never run (because this call, or an
    /// earlier one, cancelled it in time). Python's `Timer.cancel()`.
    ///
    /// A cancelled timer's thread ends at once. `false` means the interval
    /// had passed and the function has started (it may still be running, or
    /// be done): [`join`](Timer::join) waits for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::Timer;
    /// use std::time::Duration;
    ///
    /// let never = Timer::start(Duration::from_secs(3600), || unreachable!()).unwrap();
    /// assert!(never.cancel());
    /// assert!(never.cancel(), "still cancelled");
    /// never.join().unwrap();
    ///
    /// let soon = Timer::start(Duration::ZERO, || ()).unwrap();
    /// assert!(soon.join_timeout(Duration::from_secs(60)));
    /// assert!(!soon.cancel(), "too late: it has run");
    /// ```
    pub fn cancel(&self) -> bool {
        self.shared.cancel()
    }

    /// The interval the timer was started with.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Timer::start(Duration::from_secs(5), || ()).unwrap();
    /// assert_eq!(t.interval(), Duration::from_secs(5));
    /// assert!(t.cancel());
    /// ```
    #[must_use]
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The name of the timer's thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Builder::new().name("t1").timer(Duration::ZERO, || ()).unwrap();
    /// assert_eq!(t.name(), "t1");
    /// ```
    #[doc(alias = "getName")]
    #[must_use]
    pub fn name(&self) -> &str {
        self.thread.name()
    }

    /// The ident of the timer's thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Timer::start(Duration::ZERO, || ()).unwrap();
    /// assert_ne!(t.ident(), bobbin_thread::get_ident());
    /// ```
    #[must_use]
    pub fn ident(&self) -> u64 {
        self.thread.ident()
    }

    /// The native id of the timer's thread (may wait for it to start).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Timer::start(Duration::ZERO, || ()).unwrap();
    /// assert_ne!(t.native_id(), bobbin_thread::get_native_id());
    /// ```
    #[must_use]
    pub fn native_id(&self) -> u64 {
        self.thread.native_id()
    }

    /// Whether the timer's thread is a daemon thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Builder::new().daemon(true).timer(Duration::ZERO, || ()).unwrap();
    /// assert!(t.is_daemon());
    /// ```
    #[doc(alias = "daemon")]
    #[doc(alias = "setDaemon")]
    #[must_use]
    pub fn is_daemon(&self) -> bool {
        self.thread.is_daemon()
    }

    /// Whether the timer's thread is alive: waiting for the interval or
    /// running the function.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Timer::start(Duration::from_secs(3600), || ()).unwrap();
    /// assert!(t.is_alive());
    /// assert!(t.cancel());
    /// assert!(t.join_timeout(Duration::from_secs(60)));
    /// assert!(!t.is_alive());
    /// ```
    #[must_use]
    pub fn is_alive(&self) -> bool {
        self.thread.is_alive()
    }

    /// The registry handle of the timer's thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Timer::start(Duration::from_secs(3600), || ()).unwrap();
    /// assert!(bobbin_thread::enumerate().contains(t.thread()));
    /// assert!(t.cancel());
    /// ```
    #[must_use]
    pub fn thread(&self) -> &ThreadRef {
        self.thread.thread()
    }

    /// Waits for the timer's thread to end: after the function has run, or
    /// at once after a cancel. Python's `Timer.join()`.
    ///
    /// # Errors
    ///
    /// [`Panicked`] if the function panicked (it has been reported by the
    /// excepthook already).
    ///
    /// # Panics
    ///
    /// Panics if called from the timer's own function (`cannot join current
    /// thread`).
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{set_excepthook, take_excepthook, Timer};
    /// use std::time::Duration;
    ///
    /// set_excepthook(|_| {});
    /// let t = Timer::start(Duration::ZERO, || panic!("timer broke")).unwrap();
    /// assert_eq!(t.join().unwrap_err().message(), Some("timer broke"));
    /// take_excepthook();
    /// ```
    pub fn join(self) -> Result<(), Panicked> {
        self.thread.join()
    }

    /// Waits at most `timeout` for the timer's thread to end; returns whether
    /// it has. The timer can still be joined or cancelled afterwards.
    ///
    /// # Panics
    ///
    /// Panics if called from the timer's own function.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Timer::start(Duration::from_secs(3600), || ()).unwrap();
    /// assert!(!t.join_timeout(Duration::from_millis(5)));
    /// assert!(t.cancel());
    /// assert!(t.join_timeout(Duration::from_secs(60)));
    /// ```
    #[doc(alias = "join")]
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.thread.join_timeout(timeout)
    }

    /// Waits until `deadline` at the latest for the timer's thread to end;
    /// returns whether it has.
    ///
    /// # Panics
    ///
    /// Panics if called from the timer's own function.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let t = bobbin_thread::Timer::start(Duration::ZERO, || ()).unwrap();
    /// assert!(t.join_until(Instant::now() + Duration::from_secs(60)));
    /// ```
    #[doc(alias = "join")]
    pub fn join_until(&self, deadline: Instant) -> bool {
        self.thread.join_until(deadline)
    }
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.shared.state.load(Ordering::Relaxed) {
            PENDING => "pending",
            CANCELLED => "cancelled",
            _ => "fired",
        };
        f.debug_struct("Timer")
            .field("thread", self.thread())
            .field("interval", &self.interval)
            .field("state", &state)
            .finish()
    }
}

impl Builder {
    /// Starts a [`Timer`] on a thread with these options: Python's
    /// `Timer(interval, function)` with its `name` and `daemon` set, then
    /// `start()`.
    ///
    /// # Errors
    ///
    /// The OS's error if it cannot start the timer's thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::Builder;
    /// use std::time::Duration;
    ///
    /// let t = Builder::new().name("reminder").daemon(true).timer(Duration::from_millis(5), || ()).unwrap();
    /// assert_eq!(t.name(), "reminder");
    /// assert!(t.is_daemon());
    /// t.join().unwrap();
    /// ```
    #[doc(alias = "Timer")]
    pub fn timer<F>(self, interval: Duration, function: F) -> io::Result<Timer>
    where
        F: FnOnce() + Send + 'static,
    {
        self.spawn_timer(interval, Shared::new(), function)
    }

    /// Starts a timer's thread over `shared`, which a cancel before the
    /// start may already have decided.
    fn spawn_timer<F>(
        self,
        interval: Duration,
        shared: Arc<Shared>,
        function: F,
    ) -> io::Result<Timer>
    where
        F: FnOnce() + Send + 'static,
    {
        // The interval counts from here, so the function never runs before
        // `interval` has passed since the caller asked.
        let deadline = Deadline::after(interval);
        let theirs = Arc::clone(&shared);
        let thread = self.spawn(move || theirs.run(deadline, function))?;
        Ok(Timer {
            thread,
            shared,
            interval,
        })
    }
}

/// A timer that has been made but not started: Python's `Timer` object
/// before its `start()`. Made by [`Timer::new`]; [`start`](UnstartedTimer::start)
/// turns it into a running [`Timer`].
///
/// The interval counts from `start`. Dropping a timer that was never started
/// drops its function without calling it.
///
/// # Examples
///
/// ```
/// use bobbin_thread::Timer;
/// use std::time::Duration;
///
/// let t = Timer::new(Duration::from_millis(5), || ()).name("tick").daemon(true);
/// let t = t.start().unwrap();
/// assert_eq!(t.name(), "tick");
/// assert!(t.is_daemon());
/// t.join().unwrap();
/// ```
#[must_use = "a timer does nothing until it is started"]
pub struct UnstartedTimer {
    /// The options of the timer's thread.
    builder: Builder,
    interval: Duration,
    function: Box<dyn FnOnce() + Send + 'static>,
    /// Shared with the thread once started; a cancel before the start
    /// decides it already.
    shared: Arc<Shared>,
}

impl UnstartedTimer {
    /// The name the timer's thread will have: `Thread-N`, drawn when the
    /// timer was made, or the one given to [`name`](UnstartedTimer::name).
    /// Python's `t.name` before `t.start()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::Timer;
    /// use std::time::Duration;
    ///
    /// let t = Timer::new(Duration::ZERO, || ());
    /// let name = t.thread_name().to_owned();
    /// assert!(name.starts_with("Thread-"));
    /// let t = t.start().unwrap();
    /// assert_eq!(t.name(), name);
    /// # t.join().unwrap();
    /// ```
    #[doc(alias = "name")]
    #[doc(alias = "getName")]
    #[must_use]
    pub fn thread_name(&self) -> &str {
        self.builder.thread_name()
    }

    /// The name of the timer's thread, as [`Builder::name`] gives it
    /// (Python's `t.name = ...` before `start()`); `Thread-N` by default.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Timer::new(Duration::ZERO, || ()).name("t1").start().unwrap();
    /// assert_eq!(t.name(), "t1");
    /// # t.join().unwrap();
    /// ```
    #[doc(alias = "setName")]
    pub fn name(mut self, name: impl Into<String>) -> UnstartedTimer {
        self.builder = self.builder.name(name);
        self
    }

    /// Whether the timer's thread is a daemon thread, as
    /// [`Builder::daemon`] says (Python's `t.daemon = ...` before
    /// `start()`); by default the flag of the thread that starts it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Timer::new(Duration::ZERO, || ()).daemon(true).start().unwrap();
    /// assert!(t.is_daemon());
    /// # t.join().unwrap();
    /// ```
    #[doc(alias = "setDaemon")]
    pub fn daemon(mut self, daemon: bool) -> UnstartedTimer {
        self.builder = self.builder.daemon(daemon);
        self
    }

    /// The interval the timer waits once started.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Timer::new(Duration::from_secs(5), || ());
    /// assert_eq!(t.interval(), Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Cancels the timer before it starts, and returns `true`: once started
    /// its thread ends at once, and the function is never called. Python's
    /// `cancel()` before `start()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let t = bobbin_thread::Timer::new(Duration::ZERO, || unreachable!());
    /// assert!(t.cancel());
    /// t.start().unwrap().join().unwrap(); // ends without calling it
    /// ```
    pub fn cancel(&self) -> bool {
        self.shared.cancel()
    }

    /// Whether the timer's thread is alive: never, before `start` (Python's
    /// `is_alive()` on a thread that has not been started).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// assert!(!bobbin_thread::Timer::new(Duration::ZERO, || ()).is_alive());
    /// ```
    #[must_use]
    pub fn is_alive(&self) -> bool {
        false
    }

    /// Starts the timer's thread, which calls the function once the
    /// interval has passed (counted from now), unless the timer is
    /// cancelled first: Python's `Timer.start()`. Returns the running
    /// [`Timer`], to cancel or join.
    ///
    /// # Errors
    ///
    /// The OS's error if it cannot start the timer's thread; the function is
    /// then dropped without being called.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::Timer;
    /// use std::time::Duration;
    ///
    /// let t = Timer::new(Duration::from_secs(3600), || ()).start().unwrap();
    /// assert!(t.is_alive());
    /// assert!(t.cancel());
    /// t.join().unwrap();
    /// ```
    pub fn start(self) -> io::Result<Timer> {
        let UnstartedTimer {
            builder,
            interval,
            function,
            shared,
        } = self;
        builder.spawn_timer(interval, shared, function)
    }
}

impl fmt::Debug for UnstartedTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnstartedTimer")
            .field("builder", &self.builder)
            .field("interval", &self.interval)
            .field("cancelled", &self.shared.is_cancelled())
            .finish_non_exhaustive()
    }
}
