//! The thread registry: Python's `threading._active` (the live threads by
//! ident), its name counter and the default stack size, under one lock; and
//! the calling thread's own record in a thread-local.
//!
//! As in CPython's `threading.py`, a spawned thread is registered by its
//! spawner before it starts (CPython's `_limbo`) and unregisters itself when
//! its body has finished (`Thread._delete`); the main thread is registered
//! the first time anyone asks for it; a thread bobbin did not start is
//! registered as a dummy thread (`_DummyThread`) the first time it asks for
//! its own record and unregistered by a thread-local destructor when it ends
//! (CPython 3.13's `_DeleteDummyThreadOnDel`).
//!
//! Its place: above the records and handles of `thread` and the idents of
//! `ident`, which it lists and hands out; below everything that starts,
//! ends or reports threads (`builder`, `hook`, `exit`, `dump`, `timer`)
//! and `local` (whose ids it counts). It calls none of them.

use crate::error::StackSizeError;
use crate::ident::{self, MAIN_IDENT};
use crate::sync::Lock;
use crate::thread::{Kind, Record, ThreadRef};
use bobbin_park::sync::Arc;
use core::cell::RefCell;
use std::collections::BTreeMap;

/// The smallest stack size [`set_stack_size`] accepts other than 0: Python's
/// `THREAD_STACK_MIN`, 32 KiB.
///
/// # Examples
///
/// ```
/// assert_eq!(bobbin_thread::MIN_STACK_SIZE, 32 * 1024);
/// ```
pub const MIN_STACK_SIZE: usize = 32 * 1024;

/// Everything process-wide, under one lock that only spawns, thread ends,
/// first calls from a thread and the registry's readers take.
struct Globals {
    /// The live threads by ident; idents grow, so this is creation order
    /// with the main thread first.
    threads: BTreeMap<u64, Arc<Record>>,
    /// The main thread's record, once someone has asked for it.
    main: Option<Arc<Record>>,
    /// Python's `_counter`: the N of `Thread-N` and `Dummy-N`.
    next_name: u64,
    /// The next id for a `Local`.
    next_local: u64,
    /// The default stack size for new threads; 0 is the platform's.
    stack_size: usize,
}

impl Globals {
    const fn new() -> Globals {
        Globals {
            threads: BTreeMap::new(),
            main: None,
            next_name: 1,
            next_local: 1,
            stack_size: 0,
        }
    }

    fn next_name(&mut self, template: &str) -> Box<str> {
        let n = self.next_name;
        self.next_name += 1;
        numbered_name(template, n)
    }

    /// Takes N back if it is the last number drawn.
    fn give_back(&mut self, n: u64) {
        if self.next_name == n + 1 {
            self.next_name = n;
        }
    }

    fn main_record(&mut self) -> Arc<Record> {
        if let Some(main) = &self.main {
            return Arc::clone(main);
        }
        let main = Arc::new(Record::running(
            "MainThread".into(),
            MAIN_IDENT,
            false,
            Kind::Main,
            ident::main_native_id(),
        ));
        self.threads.insert(MAIN_IDENT, Arc::clone(&main));
        self.main = Some(Arc::clone(&main));
        main
    }
}

#[cfg(not(bobbin_loom))]
static GLOBALS: Lock<Globals> = Lock::new(Globals::new());

// Loom's atomics cannot live in a `static`, and a model must start from a
// fresh registry each run: loom's `lazy_static` gives both.
#[cfg(bobbin_loom)]
bobbin_park::loom::lazy_static! {
    static ref GLOBALS: Lock<Globals> = Lock::new(Globals::new());
}

/// Runs `f` with the process-wide state locked. `f` must not call back into
/// anything that takes this lock.
fn with_globals<R>(f: impl FnOnce(&mut Globals) -> R) -> R {
    let mut globals = GLOBALS.acquire();
    f(&mut globals)
}

/// The calling thread's record, set when it first needs one; a dummy
/// thread's record leaves the registry when this is destroyed.
struct CurrentSlot {
    record: RefCell<Option<Arc<Record>>>,
}

impl Drop for CurrentSlot {
    fn drop(&mut self) {
        if let Some(record) = self.record.get_mut().take()
            && record.kind == Kind::Dummy
        {
            finish(&record);
        }
    }
}

crate::tls! {
    static CURRENT: CurrentSlot = CurrentSlot { record: RefCell::new(None) };
}

/// The calling thread's identifier: a nonzero number that no other thread of
/// the process has had or will have. Python's `threading.get_ident()`.
///
/// It is the [`ident`](ThreadRef::ident) of the calling thread's
/// [`current_thread`], but asking for it registers nothing: a thread
/// bobbin did not start gets its number without becoming a dummy thread.
///
/// # Differences from Python
///
/// Python's ident is the C library's thread handle, which a new thread may
/// reuse after an old one has ended; this one is never reused.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{current_thread, get_ident, spawn};
///
/// let me = get_ident();
/// assert_ne!(me, 0);
/// assert_eq!(current_thread().ident(), me);
/// assert_ne!(spawn(get_ident).unwrap().join().unwrap(), me);
/// ```
#[must_use]
pub fn get_ident() -> u64 {
    ident::current()
}

/// The kernel's id for the calling thread: Linux's thread id, as `top -H`,
/// `/proc/self/task` and debuggers show it. Python's
/// `threading.get_native_id()`.
///
/// Unlike [`get_ident`], the kernel may give the same number to a new thread
/// once this one has ended.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{current_thread, get_native_id};
///
/// assert_eq!(current_thread().native_id(), get_native_id());
/// # #[cfg(target_os = "linux")]
/// assert!(std::path::Path::new(&format!("/proc/self/task/{}", get_native_id())).exists());
/// ```
#[must_use]
pub fn get_native_id() -> u64 {
    ident::native_id()
}

/// The calling thread's handle: its name, ident, native id, daemon flag.
/// Python's `threading.current_thread()`.
///
/// On a thread bobbin spawned this is the thread's own record; on the main
/// thread it is [`main_thread`]. A thread that bobbin did not start (a plain
/// `std::thread`, a thread of a C library, a test harness's thread) is
/// registered by this call as a *dummy thread*: named `Dummy-N`, a daemon,
/// listed by [`enumerate`] until it ends.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{current_thread, enumerate};
///
/// let dummy = std::thread::spawn(|| {
///     let me = current_thread();
///     assert!(me.name().starts_with("Dummy-"));
///     assert!(me.is_daemon());
///     assert!(enumerate().contains(&me));
///     me
/// })
/// .join()
/// .unwrap();
/// assert!(!dummy.is_alive());
/// assert!(!enumerate().contains(&dummy));
/// ```
#[doc(alias = "currentThread")]
#[must_use]
pub fn current_thread() -> ThreadRef {
    ThreadRef {
        record: current_record(),
    }
}

fn current_record() -> Arc<Record> {
    let known = CURRENT
        .try_with(|slot| slot.record.borrow().clone())
        .ok()
        .flatten();
    if let Some(record) = known {
        return record;
    }
    let record = if ident::current() == MAIN_IDENT {
        with_globals(Globals::main_record)
    } else {
        new_dummy()
    };
    // While the thread's thread-locals are being destroyed the slot is gone:
    // a dummy made then is dropped at once, unregistered, below.
    match CURRENT.try_with(|slot| *slot.record.borrow_mut() = Some(Arc::clone(&record))) {
        Ok(()) => {}
        Err(_) if record.kind == Kind::Dummy => finish(&record),
        Err(_) => {}
    }
    record
}

fn new_dummy() -> Arc<Record> {
    let ident = ident::current();
    let native_id = ident::native_id();
    with_globals(|g| {
        let name = g.next_name("Dummy");
        let record = Arc::new(Record::running(name, ident, true, Kind::Dummy, native_id));
        record.set_park_id();
        g.threads.insert(ident, Arc::clone(&record));
        record
    })
}

/// The daemon flag a thread spawned now inherits: the calling thread's.
pub(crate) fn current_daemon() -> bool {
    current_record().daemon
}

/// The main thread's handle, from any thread: named `MainThread`, not a
/// daemon, alive until the program exits. Python's
/// `threading.main_thread()`.
///
/// The main thread is the one the process started with, the one that runs
/// `main` (on Linux: the thread whose native id is the process id).
///
/// # Examples
///
/// ```
/// use bobbin_thread::{current_thread, main_thread, spawn};
///
/// // A doctest's body runs on the main thread.
/// assert_eq!(current_thread(), main_thread());
/// let main = main_thread();
/// assert_eq!(main.name(), "MainThread");
/// assert_eq!(main.native_id(), u64::from(std::process::id()));
/// assert!(spawn(|| current_thread() != main_thread()).unwrap().join().unwrap());
/// ```
#[must_use]
pub fn main_thread() -> ThreadRef {
    ThreadRef {
        record: with_globals(Globals::main_record),
    }
}

/// Every live thread: the main thread, every thread bobbin spawned that has
/// not finished, and every dummy thread that has not ended, in the order
/// they were registered. Python's `threading.enumerate()`.
///
/// A spawned thread is listed from the moment [`spawn`](crate::spawn)
/// registers it (before its body starts) until its body has finished, which
/// is before its [`join`](crate::Thread::join) returns.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{enumerate, main_thread, Builder};
/// use std::sync::mpsc;
///
/// let (tx, rx) = mpsc::channel::<()>();
/// let t = Builder::new().name("lister").spawn(move || rx.recv()).unwrap();
/// let names: Vec<String> = enumerate().iter().map(|t| t.name().to_owned()).collect();
/// assert_eq!(enumerate()[0], main_thread());
/// assert!(names.contains(&"lister".to_owned()));
/// drop(tx);
/// let _ = t.join().unwrap();
/// assert!(!enumerate().iter().any(|t| t.name() == "lister"));
/// ```
#[must_use]
pub fn enumerate() -> Vec<ThreadRef> {
    with_globals(|g| {
        g.main_record();
        g.threads
            .values()
            .map(|record| ThreadRef {
                record: Arc::clone(record),
            })
            .collect()
    })
}

/// How many threads are alive: the length of [`enumerate`]. Python's
/// `threading.active_count()`.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{active_count, spawn};
///
/// let before = active_count(); // the main thread, at least
/// assert!(before >= 1);
/// let (tx, rx) = std::sync::mpsc::channel::<()>();
/// let t = spawn(move || rx.recv()).unwrap();
/// assert_eq!(active_count(), before + 1);
/// drop(tx);
/// let _ = t.join().unwrap();
/// assert_eq!(active_count(), before);
/// ```
#[doc(alias = "activeCount")]
#[must_use]
pub fn active_count() -> usize {
    with_globals(|g| {
        g.main_record();
        g.threads.len()
    })
}

/// The default stack size of new threads, in bytes; 0 means the platform's
/// (std's: `RUST_MIN_STACK`, else 2 MiB). Python's `threading.stack_size()`.
///
/// A [`Builder::stack_size`](crate::Builder::stack_size) overrides it for one
/// thread.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{set_stack_size, stack_size};
///
/// assert_eq!(stack_size(), 0);
/// assert_eq!(set_stack_size(256 * 1024), Ok(0));
/// assert_eq!(stack_size(), 256 * 1024);
/// ```
#[must_use]
pub fn stack_size() -> usize {
    with_globals(|g| g.stack_size)
}

/// Sets the default stack size of threads spawned from now on, and returns
/// the previous one. Python's `threading.stack_size(size)`.
///
/// `size` is 0 (the platform's default) or at least [`MIN_STACK_SIZE`]
/// (32 KiB). The platform may round it up (to a page, or to its own
/// minimum).
///
/// # Errors
///
/// [`StackSizeError::TooSmall`] if `size` is neither 0 nor at least
/// [`MIN_STACK_SIZE`] (Python's `ValueError`); the setting is unchanged.
///
/// # Examples
///
/// ```
/// use bobbin_thread::{set_stack_size, spawn, stack_size, StackSizeError};
///
/// assert_eq!(set_stack_size(4 * 1024 * 1024), Ok(0));
/// // Deep recursion now has 4 MiB on every new thread.
/// spawn(|| ()).unwrap().join().unwrap();
/// assert_eq!(set_stack_size(100), Err(StackSizeError::TooSmall(100)));
/// assert_eq!(stack_size(), 4 * 1024 * 1024);
/// assert_eq!(set_stack_size(0), Ok(4 * 1024 * 1024));
/// ```
#[doc(alias = "stack_size")]
pub fn set_stack_size(size: usize) -> Result<usize, StackSizeError> {
    if size != 0 && size < MIN_STACK_SIZE {
        return Err(StackSizeError::TooSmall(size));
    }
    Ok(with_globals(|g| {
        core::mem::replace(&mut g.stack_size, size)
    }))
}

/// `{template}-{n}` (CPython's `Thread-N`), built in one allocation of the
/// exact size. It is made for every `Builder` (every unnamed spawn), and
/// `format!` cost several times as much (callgrind: ~850 instructions per
/// name, with the reallocations of a growing string, against ~100).
fn numbered_name(template: &str, n: u64) -> Box<str> {
    let mut digits = [0_u8; 20];
    let mut start = digits.len();
    let mut rest = n;
    loop {
        start -= 1;
        // A digit: `rest % 10` is below 10.
        #[allow(clippy::cast_possible_truncation)]
        let digit = (rest % 10) as u8;
        digits[start] = b'0' + digit;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = &digits[start..];
    let mut name = String::with_capacity(template.len() + 1 + digits.len());
    name.push_str(template);
    name.push('-');
    name.extend(digits.iter().map(|&d| char::from(d)));
    name.into_boxed_str()
}

/// A new id for a [`Local`](crate::Local), never given to another.
pub(crate) fn next_local_id() -> u64 {
    with_globals(|g| {
        let id = g.next_local;
        g.next_local += 1;
        id
    })
}

/// Draws the next default name, `Thread-N`, and its N: for a thread being
/// made (a [`Builder`](crate::Builder)), which Python numbers when it is
/// made, not when it starts.
pub(crate) fn draw_default_name() -> (u64, String) {
    with_globals(|g| {
        let n = g.next_name;
        (n, g.next_name("Thread").into())
    })
}

/// Gives back N, drawn for a default name that a given name has replaced,
/// if nothing has drawn a number since: so that a thread named as soon as
/// it is made takes no number, as Python's `Thread(name=...)` takes none.
/// Otherwise N stays spent, as Python's `t.name = ...` leaves it.
pub(crate) fn give_back_number(n: u64) {
    with_globals(|g| g.give_back(n));
}

/// Registers a thread about to be spawned: its ident, its name and the
/// default stack size, in one acquisition of the lock.
pub(crate) fn register_spawn(name: String, daemon: bool) -> (Arc<Record>, usize) {
    with_globals(|g| {
        // Taken under the lock, so that idents follow the order of
        // registration, which `enumerate` lists.
        let ident = ident::fresh();
        let name = name.into_boxed_str();
        let record = Arc::new(Record::unstarted(name, ident, daemon));
        g.threads.insert(ident, Arc::clone(&record));
        (record, g.stack_size)
    })
}

/// Called first thing on a spawned thread: publishes its native id and makes
/// its record the thread's own.
pub(crate) fn enter(record: &Arc<Record>) {
    record.set_park_id();
    ident::set_current(record.ident);
    record.set_started(ident::native_id());
    let _ = CURRENT.try_with(|slot| *slot.record.borrow_mut() = Some(Arc::clone(record)));
}

/// Removes a thread from the registry and marks it finished, both under the
/// registry's lock: whoever sees it finished (`is_alive`, a timed join) no
/// longer sees it listed, and whoever no longer sees it listed sees it
/// finished.
pub(crate) fn finish(record: &Record) {
    with_globals(|g| {
        g.threads.remove(&record.ident);
        record.set_finished();
    });
}

/// Undoes [`register_spawn`] for a thread the OS refused to start.
pub(crate) fn abandon(record: &Record) {
    with_globals(|g| {
        g.threads.remove(&record.ident);
        record.set_failed();
    });
}

/// The main thread is ending (the program is exiting from it): it stops
/// being alive and leaves the registry, as CPython's `_shutdown` marks it.
pub(crate) fn main_exiting() {
    with_globals(|g| {
        let main = g.main_record();
        g.threads.remove(&MAIN_IDENT);
        main.set_finished();
    });
}

/// The live non-daemon threads that bobbin spawned, but the caller.
pub(crate) fn non_daemon_threads(except: u64) -> Vec<ThreadRef> {
    with_globals(|g| {
        g.threads
            .values()
            .filter(|r| r.kind == Kind::Spawned && !r.daemon && r.ident != except)
            .map(|record| ThreadRef {
                record: Arc::clone(record),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_names_match_format() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::MAX] {
            assert_eq!(&*numbered_name("Thread", n), format!("Thread-{n}"));
        }
        assert_eq!(&*numbered_name("Dummy", 7), "Dummy-7");
    }

    #[test]
    fn names_count_from_one_counter() {
        let mut g = Globals::new();
        assert_eq!(&*g.next_name("Thread"), "Thread-1");
        assert_eq!(&*g.next_name("Dummy"), "Dummy-2");
        assert_eq!(&*g.next_name("Thread"), "Thread-3");
    }

    #[test]
    fn only_the_last_number_drawn_is_given_back() {
        let mut g = Globals::new();
        assert_eq!(&*g.next_name("Thread"), "Thread-1");
        g.give_back(1);
        assert_eq!(&*g.next_name("Thread"), "Thread-1", "given back");
        assert_eq!(&*g.next_name("Thread"), "Thread-2");
        g.give_back(1);
        assert_eq!(&*g.next_name("Dummy"), "Dummy-3", "2 was drawn after 1");
    }

    #[test]
    fn the_main_record_is_made_once() {
        let mut g = Globals::new();
        let a = g.main_record();
        let b = g.main_record();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.ident, MAIN_IDENT);
        assert_eq!(&*a.name, "MainThread");
        assert!(!a.daemon);
        assert_eq!(g.threads.len(), 1);
    }

    #[test]
    fn stack_size_is_checked() {
        assert_eq!(set_stack_size(1), Err(StackSizeError::TooSmall(1)));
        assert_eq!(
            set_stack_size(MIN_STACK_SIZE - 1),
            Err(StackSizeError::TooSmall(MIN_STACK_SIZE - 1))
        );
    }
}
