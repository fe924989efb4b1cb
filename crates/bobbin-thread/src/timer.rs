//! [`Timer`]: a function run once, after an interval, on a thread of its
//! own. CPython's `threading.Timer`: the thread waits on an Event for the
//! interval, and `cancel` sets it.
//!
//! Python's `cancel` only sets the Event, so a cancel that lands after the
//! wait has timed out cannot stop the function, and nobody learns which way
//! it went. Here one state word decides: the timer thread moves it from
//! `PENDING` to `FIRED` before calling the function, `cancel` from `PENDING`
//! to `CANCELLED`; exactly one of them wins, and `cancel` reports which.

use crate::Panicked;
use crate::builder::Builder;
use crate::sync::Event;
use crate::thread::{Thread, ThreadRef};
use bobbin_park::Deadline;
use bobbin_park::sync::Arc;
use bobbin_park::sync::atomic::{AtomicU8, Ordering};
use core::fmt;
use std::io;
use std::time::{Duration, Instant};

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
    /// The timer thread's body: wait for the deadline or a cancel, then call
    /// `function` if the cancel has not won.
    fn run(&self, deadline: Deadline, function: impl FnOnce()) {
        let cancelled = match deadline.instant() {
            None => {
                self.cancelled.wait();
                true
            }
            Some(at) => self.cancelled.wait_until(at),
        };
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
/// - Python's `Timer(interval, f)` is made and then `start()`ed; here
///   [`Timer::start`] (or [`Builder::timer`]) does both, and the name and
///   daemon flag come from the [`Builder`].
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
    #[must_use = "the result says whether the function will run"]
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
    #[must_use = "the result says whether the timer's thread has ended"]
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
    #[must_use = "the result says whether the timer's thread has ended"]
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
        // The interval counts from here, so the function never runs before
        // `interval` has passed since the caller asked.
        let deadline = Deadline::after(interval);
        let shared = Arc::new(Shared {
            state: AtomicU8::new(PENDING),
            cancelled: Event::new(),
        });
        let theirs = Arc::clone(&shared);
        let thread = self.spawn(move || theirs.run(deadline, function))?;
        Ok(Timer {
            thread,
            shared,
            interval,
        })
    }
}
