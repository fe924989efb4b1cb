//! The hang report: what every thread is doing, one line per thread
//! (Python's `faulthandler.dump_traceback`, Java's `jstack`).
//!
//! bobbin-park records, for every thread parked in bobbin's parking lot,
//! the kind of wait its primitive named (`"Lock.acquire"`), the address it
//! parks on and since when ([`bobbin_park::parked_threads`]); this module
//! joins that with the thread registry, which gives the names. The cost is
//! paid on the park slow path only: a few relaxed stores and a clock read
//! per park, nothing on any fast path (`docs/RELIABILITY.md` has the
//! figures).
//!
//! Its place: the top, beside `builder`; it reads the registry and the
//! records of `thread`, and nothing reads it.

use crate::registry;
use crate::thread::ThreadRef;
use core::fmt;
use std::time::{Duration, Instant};

/// A snapshot of every thread bobbin knows: each registered thread (as
/// [`enumerate`](crate::enumerate) lists them), whether it is blocked in a
/// bobbin primitive, in which operation, on which object and since when;
/// then every other thread blocked in one (a thread bobbin never saw, which
/// has no name). Python's `faulthandler.dump_traceback`, Java's `jstack`.
///
/// `Display` prints one line per thread:
///
/// ```text
/// MainThread (ident 1, native 4101): running
/// worker-a (ident 2, native 4102): blocked in Lock.acquire on 0x55d1c0ffee10 for 2.003s
/// worker-b (ident 3, native 4103): blocked in Lock.acquire on 0x55d1c0ffee18 for 2.003s
/// joiner (ident 4, native 4104): blocked in Thread.join on 0x7f2e4c001a58 (joining worker-a) for 0.512s
/// unregistered thread (park id 9): blocked in Queue.get on 0x55d1c0ffe0c0 for 10.250s
/// ```
///
/// A thread is *blocked* while it is parked: waiting in a bobbin primitive
/// for another thread (or for a timeout), not running, and not spinning in
/// the short wait before a park. A thread blocked in anything else (a
/// `std::sync::Mutex`, a system call, a busy loop) shows as running.
///
/// The snapshot is taken without stopping anyone, so a thread may have
/// moved on by the time it is read; a hung thread does not.
///
/// # Examples
///
/// A lock cycle, found by its report: each worker holds one lock and waits
/// for the other's (the timeouts end the demonstration).
///
/// ```
/// use bobbin_lock::Lock;
/// use bobbin_signal::Barrier;
/// use bobbin_thread::{thread_dump, Builder};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let locks = Arc::new((Lock::new(()), Lock::new(())));
/// let both_hold = Arc::new(Barrier::new(2));
/// let worker = |name: &str, first: usize| {
///     let (locks, both_hold) = (Arc::clone(&locks), Arc::clone(&both_hold));
///     Builder::new()
///         .name(name)
///         .spawn(move || {
///             let (held, wanted) = if first == 0 { (&locks.0, &locks.1) } else { (&locks.1, &locks.0) };
///             let _held = held.acquire();
///             both_hold.wait().unwrap();
///             wanted.acquire_timeout(Duration::from_millis(300)).is_some()
///         })
///         .unwrap()
/// };
/// let (a, b) = (worker("worker-a", 0), worker("worker-b", 1));
///
/// // Wait until the report shows both blocked on a lock, then read it.
/// let report = loop {
///     let report = thread_dump();
///     let on_a_lock = |name| {
///         report.find(name).and_then(|t| t.blocked()).is_some_and(|b| b.kind() == "Lock.acquire")
///     };
///     if on_a_lock("worker-a") && on_a_lock("worker-b") {
///         break report;
///     }
///     if !a.is_alive() || !b.is_alive() {
///         break report; // a slow machine: the timeouts won the race
///     }
///     std::thread::yield_now();
/// };
/// println!("{report}");
/// if let (Some(ta), Some(tb)) = (report.find("worker-a"), report.find("worker-b")) {
///     if let (Some(wa), Some(wb)) = (ta.blocked(), tb.blocked()) {
///         assert_eq!(wa.kind(), "Lock.acquire");
///         assert!(wa.is_on(&locks.1) && wb.is_on(&locks.0));
///     }
/// }
/// a.join().unwrap();
/// b.join().unwrap();
/// ```
#[doc(alias = "dump_traceback")]
#[doc(alias = "faulthandler")]
#[doc(alias = "jstack")]
#[doc(alias = "hang_report")]
#[must_use]
pub fn thread_dump() -> ThreadDump {
    // The parked threads first, then the registry: a thread spawned in
    // between is listed as running, never as blocked under no name.
    let mut parked = bobbin_park::parked_threads();
    let taken = Instant::now();
    let registered = registry::enumerate();
    let blocked_on = |p: bobbin_park::ParkedThread| {
        let joining = registered
            .iter()
            .find(|t| p.kind == "Thread.join" && t.record.is_joined_at(p.key))
            .cloned();
        BlockedOn {
            kind: p.kind,
            address: p.key,
            since: p.since,
            waited: taken.saturating_duration_since(p.since),
            joining,
        }
    };
    let mut threads: Vec<ThreadStatus> = registered
        .iter()
        .map(|thread| {
            let park_id = thread.record.park_id();
            let mine = parked
                .iter()
                .position(|p| park_id != 0 && p.thread_id == park_id);
            ThreadStatus {
                thread: Some(thread.clone()),
                park_id,
                blocked: mine.map(|i| blocked_on(parked.swap_remove(i))),
            }
        })
        .collect();
    parked.sort_by_key(|p| p.thread_id);
    threads.extend(parked.into_iter().map(|p| ThreadStatus {
        thread: None,
        park_id: p.thread_id,
        blocked: Some(blocked_on(p)),
    }));
    ThreadDump { taken, threads }
}

/// What [`thread_dump`] saw: one [`ThreadStatus`] per thread, the
/// registered threads first in registration order (the main thread first),
/// then the unregistered blocked ones.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{current_thread, thread_dump};
///
/// let me = current_thread();
/// let report = thread_dump();
/// let mine = report.threads().iter().find(|t| t.thread() == Some(&me)).unwrap();
/// assert!(!mine.is_blocked()); // this thread is running: it took the report
/// assert!(report.to_string().lines().count() >= 1);
/// ```
#[derive(Clone, Debug)]
pub struct ThreadDump {
    taken: Instant,
    threads: Vec<ThreadStatus>,
}

impl ThreadDump {
    /// Every thread in the report.
    ///
    /// # Examples
    ///
    /// See [`ThreadDump`].
    #[must_use]
    pub fn threads(&self) -> &[ThreadStatus] {
        &self.threads
    }

    /// The threads that were blocked.
    ///
    /// # Examples
    ///
    /// ```
    /// // This thread is not blocked while it takes the report.
    /// let report = bobbin_thread::thread_dump();
    /// let me = bobbin_thread::current_thread();
    /// assert!(report.blocked().all(|t| t.thread() != Some(&me)));
    /// ```
    pub fn blocked(&self) -> impl Iterator<Item = &ThreadStatus> {
        self.threads.iter().filter(|t| t.is_blocked())
    }

    /// The first registered thread with this name, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let report = bobbin_thread::thread_dump();
    /// assert!(report.find("MainThread").is_some());
    /// assert!(report.find("no such thread").is_none());
    /// ```
    #[must_use]
    pub fn find(&self, name: &str) -> Option<&ThreadStatus> {
        self.threads
            .iter()
            .find(|t| t.thread.as_ref().is_some_and(|r| r.name() == name))
    }

    /// When the report was taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Instant;
    ///
    /// let before = Instant::now();
    /// let report = bobbin_thread::thread_dump();
    /// assert!(report.taken() >= before && report.taken() <= Instant::now());
    /// ```
    #[must_use]
    pub fn taken(&self) -> Instant {
        self.taken
    }
}

impl<'a> IntoIterator for &'a ThreadDump {
    type Item = &'a ThreadStatus;
    type IntoIter = core::slice::Iter<'a, ThreadStatus>;

    fn into_iter(self) -> Self::IntoIter {
        self.threads.iter()
    }
}

impl fmt::Display for ThreadDump {
    /// One line per thread, each ending with a newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for thread in &self.threads {
            writeln!(f, "{thread}")?;
        }
        Ok(())
    }
}

/// One thread in a [`ThreadDump`]: who it is and, if it was blocked, on
/// what.
///
/// # Examples
///
/// ```
/// let report = bobbin_thread::thread_dump();
/// for t in &report {
///     match t.blocked() {
///         Some(b) => println!("{} waits in {} for {:?}", t.name(), b.kind(), b.waited()),
///         None => println!("{} is running", t.name()),
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct ThreadStatus {
    /// The registry's handle, `None` for a thread bobbin never saw.
    thread: Option<ThreadRef>,
    /// The thread's [`bobbin_park::thread::current_id`], 0 if unknown.
    park_id: usize,
    blocked: Option<BlockedOn>,
}

impl ThreadStatus {
    /// The registry's handle to the thread; `None` for a thread blocked in a
    /// bobbin primitive that bobbin's registry has never seen (a plain
    /// `std::thread` that never called [`current_thread`](crate::current_thread)).
    ///
    /// # Examples
    ///
    /// ```
    /// let report = bobbin_thread::thread_dump();
    /// assert_eq!(report.find("MainThread").unwrap().thread(), Some(&bobbin_thread::main_thread()));
    /// ```
    #[must_use]
    pub fn thread(&self) -> Option<&ThreadRef> {
        self.thread.as_ref()
    }

    /// The thread's name, or `"unregistered thread"`.
    ///
    /// # Examples
    ///
    /// ```
    /// let report = bobbin_thread::thread_dump();
    /// assert_eq!(report.find("MainThread").unwrap().name(), "MainThread");
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        self.thread
            .as_ref()
            .map_or("unregistered thread", ThreadRef::name)
    }

    /// Whether the thread was blocked in a bobbin primitive.
    ///
    /// # Examples
    ///
    /// See [`ThreadDump`].
    #[must_use]
    pub fn is_blocked(&self) -> bool {
        self.blocked.is_some()
    }

    /// What the thread was blocked on, if it was.
    ///
    /// # Examples
    ///
    /// See [`ThreadStatus`].
    #[must_use]
    pub fn blocked(&self) -> Option<&BlockedOn> {
        self.blocked.as_ref()
    }
}

impl fmt::Display for ThreadStatus {
    /// `name (ident 3, native 4103): blocked in Lock.acquire on 0x… for
    /// 2.003s`, or `…: running`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.thread {
            Some(t) => {
                write!(f, "{} (ident {}", t.name(), t.ident())?;
                if let Some(native) = t.record.native_id_now() {
                    write!(f, ", native {native}")?;
                }
                f.write_str(")")?;
            }
            None => write!(f, "unregistered thread (park id {})", self.park_id)?,
        }
        match &self.blocked {
            Some(blocked) => write!(f, ": blocked in {blocked}"),
            None => f.write_str(": running"),
        }
    }
}

/// What a blocked thread waits for: the operation, the object, and since
/// when.
///
/// # Examples
///
/// ```
/// use bobbin_lock::Lock;
/// use bobbin_thread::{spawn, thread_dump};
/// use std::time::Duration;
///
/// let lock = std::sync::Arc::new(Lock::new(0));
/// let held = lock.acquire();
/// let waiter = {
///     let lock = std::sync::Arc::clone(&lock);
///     spawn(move || *lock.acquire() += 1).unwrap()
/// };
/// let ident = waiter.ident();
/// let blocked = loop {
///     let report = thread_dump();
///     let status = report.threads().iter().find(|t| t.thread().map(|r| r.ident()) == Some(ident));
///     if let Some(b) = status.and_then(|t| t.blocked()) {
///         break b.clone();
///     }
///     std::thread::yield_now();
/// };
/// assert_eq!(blocked.kind(), "Lock.acquire");
/// assert!(blocked.is_on(&*lock));
/// assert!(blocked.waited() < Duration::from_secs(3600));
/// drop(held);
/// waiter.join().unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct BlockedOn {
    kind: &'static str,
    address: usize,
    since: Instant,
    waited: Duration,
    joining: Option<ThreadRef>,
}

impl BlockedOn {
    /// The operation the thread is blocked in, named after the primitive's
    /// method: `"Lock.acquire"`, `"RLock.acquire"`, `"Semaphore.acquire"`,
    /// `"Event.wait"`, `"Condition.wait"` (also while it takes its lock
    /// back), `"Barrier.wait"`, `"Queue.put"`, `"Queue.get"`, `"Queue.join"`,
    /// `"Queue.shutdown"`, `"SimpleQueue.get"`, `"Thread.join"`,
    /// `"Thread.start"`, `"Timer.wait"`; `"park"` for a park that no
    /// primitive named.
    ///
    /// # Examples
    ///
    /// See [`BlockedOn`].
    #[must_use]
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The address of the state word the thread parked on, inside the
    /// primitive it waits for ([`is_on`](BlockedOn::is_on) tells which).
    ///
    /// After a condition's notification has moved the thread to its lock's
    /// queue without waking it, this is still the condition's address.
    ///
    /// # Examples
    ///
    /// See [`BlockedOn`].
    #[must_use]
    pub fn address(&self) -> usize {
        self.address
    }

    /// Whether the thread waits on `object`: whether the address it parked
    /// on lies inside `object`'s memory. `object` is the primitive itself
    /// (`&lock`, `&*arc_of_queue`), not a reference to a reference.
    ///
    /// # Examples
    ///
    /// See [`BlockedOn`].
    #[must_use]
    pub fn is_on<T: ?Sized>(&self, object: &T) -> bool {
        let start = core::ptr::from_ref(object).cast::<u8>().addr();
        (start..start + size_of_val(object)).contains(&self.address)
    }

    /// When the thread parked.
    ///
    /// # Examples
    ///
    /// See [`BlockedOn`].
    #[must_use]
    pub fn since(&self) -> Instant {
        self.since
    }

    /// How long the thread had been blocked when the report was taken.
    ///
    /// # Examples
    ///
    /// See [`BlockedOn`].
    #[must_use]
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// For a `"Thread.join"`, the thread being joined.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_signal::Event;
    /// use bobbin_thread::{thread_dump, Builder};
    /// use std::sync::Arc;
    ///
    /// let go = Arc::new(Event::new());
    /// let sleeper = {
    ///     let go = Arc::clone(&go);
    ///     Builder::new().name("sleeper").spawn(move || go.wait()).unwrap()
    /// };
    /// let target = sleeper.thread().clone();
    /// let joiner = Builder::new().name("joiner").spawn(move || target.join()).unwrap();
    /// let joining = loop {
    ///     if let Some(b) = thread_dump().find("joiner").and_then(|t| t.blocked().cloned()) {
    ///         break b;
    ///     }
    ///     std::thread::yield_now();
    /// };
    /// assert_eq!(joining.kind(), "Thread.join");
    /// assert_eq!(joining.joining().map(|t| t.name()), Some("sleeper"));
    /// go.set();
    /// joiner.join().unwrap();
    /// sleeper.join().unwrap();
    /// ```
    #[must_use]
    pub fn joining(&self) -> Option<&ThreadRef> {
        self.joining.as_ref()
    }
}

impl fmt::Display for BlockedOn {
    /// `Lock.acquire on 0x55d1c0ffee10 for 2.003s`, with `(joining name)`
    /// after the address of a join.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {:#x}", self.kind, self.address)?;
        if let Some(target) = &self.joining {
            write!(f, " (joining {})", target.name())?;
        }
        write!(f, " for {:.3}s", self.waited.as_secs_f64())
    }
}
