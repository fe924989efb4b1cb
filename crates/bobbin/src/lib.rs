#![doc = include_str!("../guide/index.md")]
#![forbid(unsafe_code)]

// Python's `threading` names live at the root, as they do in `threading`:
// `bobbin::Lock` is `threading.Lock`.
#[doc(inline)]
pub use bobbin_lock::{
    BoundedSemaphore, Lock, LockGuard, RLock, RLockGuard, ReleaseError, Semaphore, SemaphoreGuard,
};
#[doc(inline)]
pub use bobbin_signal::{Barrier, BrokenBarrierError, Condition, Event};
#[doc(inline)]
pub use bobbin_thread::{
    ExceptHookArgs, Local, Thread, Timer, UnstartedTimer, active_count, current_thread, enumerate,
    get_ident, get_native_id, main_thread, set_excepthook, set_stack_size, stack_size,
};
/// The largest timeout a blocking call accepts: [`Duration::MAX`](std::time::Duration::MAX), which
/// waits for ever.
///
/// Every `*_timeout(Duration)` in bobbin takes any `Duration`; one too large
/// for the clock (this one included) means "no timeout", as `timeout=None`
/// does in Python, and never panics.
///
/// # Differences from Python
///
/// `threading.TIMEOUT_MAX` is the platform's limit (about 292 years on
/// Linux), and a larger timeout raises `OverflowError`. Here nothing is too
/// large: the limit is the type's, and reaching it waits for ever.
///
/// # Examples
///
/// ```
/// let event = bobbin::Event::new();
/// event.set();
/// // Returns at once: the event is set. Unset, it would wait for ever.
/// assert!(event.wait_timeout(bobbin::TIMEOUT_MAX));
/// ```
#[doc(alias = "threading.TIMEOUT_MAX")]
pub const TIMEOUT_MAX: std::time::Duration = std::time::Duration::MAX;

// The hang report (Python's `faulthandler.dump_traceback`, Java's
// `jstack`) sits beside the registry it reads.
#[doc(inline)]
pub use bobbin_thread::{ThreadDump, thread_dump};

// Each crate is also a module, whole: `bobbin::queue` is Python's `queue`
// module, `bobbin::thread` has threads, their builder and the registry, and
// `bobbin::lock` and `bobbin::signal` hold what the root leaves out (the raw
// lock, the trait `Condition` waits with).
#[doc(inline)]
pub use bobbin_lock as lock;
#[doc(inline)]
pub use bobbin_queue as queue;
#[doc(inline)]
pub use bobbin_signal as signal;
#[doc(inline)]
pub use bobbin_thread as thread;

pub mod guide;
pub mod logging;
