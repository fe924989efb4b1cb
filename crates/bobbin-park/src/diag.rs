//! What every parked thread is waiting for: the raw material of a hang
//! report (Python's `faulthandler.dump_traceback`, Java's `jstack`).
//!
//! Each thread that parks gets a slot in a process-wide list the first time
//! it parks. [`park`](crate::park) writes into that slot, with plain stores
//! (relaxed, and a release for the kind, which publishes the other two;
//! both are a plain `mov` on x86), the key it parks on, when it started,
//! and the [`WaitKind`] the primitive named with a [`WaitLabel`]; it clears
//! the slot when it returns.
//! Nothing is written on any fast path, and a thread that never parks never
//! gets a slot. [`parked_threads`] reads the slots of all threads.
//!
//! The records are a snapshot for diagnostics: a thread may wake between the
//! read and its use. They are not written under `--cfg bobbin_loom`, where
//! they would only multiply the interleavings.

use core::cell::Cell;
use core::fmt;
use core::ptr;
use std::time::{Duration, Instant};

/// A kind of wait, named after the primitive's operation (`"Lock.acquire"`,
/// `"Queue.get"`, `"Thread.join"`), for hang reports.
///
/// Primitives declare one `static` per blocking operation and name it with a
/// [`WaitLabel`] around their slow path.
///
/// # Examples
///
/// ```
/// use bobbin_park::WaitKind;
///
/// static LOCK_ACQUIRE: WaitKind = WaitKind::new("Lock.acquire");
/// assert_eq!(LOCK_ACQUIRE.name(), "Lock.acquire");
/// ```
#[derive(Debug)]
pub struct WaitKind {
    name: &'static str,
}

impl WaitKind {
    /// A kind with the given name.
    ///
    /// # Examples
    ///
    /// See [`WaitKind`].
    #[must_use]
    pub const fn new(name: &'static str) -> WaitKind {
        WaitKind { name }
    }

    /// The kind's name.
    ///
    /// # Examples
    ///
    /// See [`WaitKind`].
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

std::thread_local! {
    // `const`, without drop glue: readable while the thread is exiting.
    static LABEL: Cell<*const WaitKind> = const { Cell::new(ptr::null()) };
}

/// Names the kind of wait of every park the current thread makes while the
/// label lives (the previous label comes back when it is dropped).
///
/// [`WaitLabel::new`] names the waits inside it whatever encloses it;
/// [`WaitLabel::unless_labelled`] leaves an enclosing label in place, which is
/// what a primitive other operations are built on wants. One thread-local
/// store; no other cost.
///
/// # Examples
///
/// ```
/// use bobbin_park::{parked_threads, WaitKind, WaitLabel};
///
/// static QUEUE_GET: WaitKind = WaitKind::new("Queue.get");
///
/// let _label = WaitLabel::new(&QUEUE_GET);
/// // … parks made here are reported as "Queue.get" by `parked_threads()`.
/// assert!(parked_threads().iter().all(|t| t.thread_id != bobbin_park::thread::current_id()));
/// ```
#[must_use = "the label applies only while it lives"]
pub struct WaitLabel {
    previous: *const WaitKind,
}

impl WaitLabel {
    /// Labels this thread's parks with `kind` until the label is dropped.
    ///
    /// # Examples
    ///
    /// See [`WaitLabel`].
    #[inline]
    pub fn new(kind: &'static WaitKind) -> WaitLabel {
        let previous = LABEL.with(|l| l.replace(kind));
        WaitLabel { previous }
    }

    /// Labels this thread's parks with `kind` until the label is dropped,
    /// unless an enclosing label already names them: then that one stays.
    ///
    /// This is how bobbin's primitives name their waits, so that an operation
    /// built on another keeps its own name in a hang report: a thread's
    /// `join`, which waits on an `Event`, is reported as `"Thread.join"`, not
    /// `"Event.wait"`. One thread-local read, and a store if unlabelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::{WaitKind, WaitLabel};
    ///
    /// static THREAD_JOIN: WaitKind = WaitKind::new("Thread.join");
    /// static EVENT_WAIT: WaitKind = WaitKind::new("Event.wait");
    ///
    /// let _join = WaitLabel::unless_labelled(&THREAD_JOIN);
    /// // The event's own label leaves "Thread.join" in place.
    /// let _event = WaitLabel::unless_labelled(&EVENT_WAIT);
    /// ```
    #[inline]
    pub fn unless_labelled(kind: &'static WaitKind) -> WaitLabel {
        let previous = LABEL.with(|l| {
            let previous = l.get();
            if previous.is_null() {
                l.set(kind);
            }
            previous
        });
        WaitLabel { previous }
    }
}

impl Drop for WaitLabel {
    #[inline]
    fn drop(&mut self) {
        LABEL.with(|l| l.set(self.previous));
    }
}

impl fmt::Debug for WaitLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitLabel").finish_non_exhaustive()
    }
}

/// A parked thread, as [`parked_threads`] reports it.
///
/// # Examples
///
/// ```
/// let parked = bobbin_park::parked_threads();
/// for t in &parked {
///     println!("thread {} waits in {} on {:#x} for {:?}", t.thread_id, t.kind, t.key, t.waited());
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParkedThread {
    /// The thread's [`current_id`](crate::thread::current_id).
    pub thread_id: usize,
    /// The kind of wait ([`WaitKind::name`]), `"park"` if unlabelled.
    pub kind: &'static str,
    /// The address of the state word the thread is parked on (after a
    /// requeue, the one it was moved to is not tracked: this is where it
    /// parked).
    pub key: usize,
    /// When the thread parked.
    pub since: Instant,
}

impl ParkedThread {
    /// How long the thread has been parked.
    ///
    /// # Examples
    ///
    /// See [`ParkedThread`].
    #[must_use]
    pub fn waited(&self) -> Duration {
        self.since.elapsed()
    }
}

#[cfg(not(bobbin_loom))]
mod imp {
    // This module is part of the seam: std's atomics are allowed.
    #![allow(clippy::disallowed_types)]

    use super::{LABEL, ParkedThread, WaitKind};
    use crate::epoch;
    use core::ptr;
    use core::sync::atomic::{
        AtomicBool, AtomicPtr, AtomicU64, AtomicUsize,
        Ordering::{AcqRel, Acquire, Relaxed, Release},
    };
    use std::time::Duration;

    /// The kind of a park made without a [`WaitLabel`](super::WaitLabel).
    static UNLABELLED: WaitKind = WaitKind::new("park");

    /// One thread's record, in the list of every slot. `kind` is null while
    /// the thread is not parked.
    ///
    /// Slots are never freed: a thread takes a free one the first time it
    /// parks and frees it when it exits, so the list is as long as the most
    /// threads that were ever registered at once.
    struct Slot {
        /// The next slot in the list (set before the slot is published,
        /// never changed after).
        next: AtomicPtr<Slot>,
        /// Whether a living thread holds the slot.
        taken: AtomicBool,
        thread_id: AtomicUsize,
        kind: AtomicPtr<WaitKind>,
        key: AtomicUsize,
        /// Nanoseconds from `epoch()` to the moment the thread parked.
        since: AtomicU64,
    }

    /// The first slot of the list, for `parked_threads`. The list only
    /// grows, at its head, by a compare-and-swap: no lock, so a `fork`
    /// while another thread registers cannot leave the child's copy of a
    /// lock held by a thread the child does not have.
    static SLOTS: AtomicPtr<Slot> = AtomicPtr::new(ptr::null_mut());

    /// Every slot in the list, newest first.
    fn slots() -> impl Iterator<Item = &'static Slot> {
        let mut next = SLOTS.load(Acquire);
        core::iter::from_fn(move || {
            // SAFETY: a non-null pointer in `SLOTS` or a slot's `next` is a
            // `Box<Slot>` leaked by `take_slot` and published with a
            // release exchange (acquired here, or by the load of the slot
            // that points to it); slots are never freed, and every field
            // written after publication is atomic.
            let slot: &'static Slot = unsafe { next.as_ref()? };
            next = slot.next.load(Acquire);
            Some(slot)
        })
    }

    /// Takes a free slot for this thread, or adds one to the list.
    fn take_slot() -> &'static Slot {
        let thread_id = crate::thread::current_id();
        for slot in slots() {
            if !slot.taken.load(Relaxed)
                && slot
                    .taken
                    .compare_exchange(false, true, Acquire, Relaxed)
                    .is_ok()
            {
                slot.thread_id.store(thread_id, Relaxed);
                return slot;
            }
        }
        let slot: &'static Slot = Box::leak(Box::new(Slot {
            next: AtomicPtr::new(SLOTS.load(Acquire)),
            taken: AtomicBool::new(true),
            thread_id: AtomicUsize::new(thread_id),
            kind: AtomicPtr::new(ptr::null_mut()),
            key: AtomicUsize::new(0),
            since: AtomicU64::new(0),
        }));
        let new = ptr::from_ref(slot).cast_mut();
        let mut head = slot.next.load(Relaxed);
        while let Err(current) = SLOTS.compare_exchange_weak(head, new, AcqRel, Acquire) {
            head = current;
            slot.next.store(head, Relaxed);
        }
        slot
    }

    /// Frees the thread's slot when the thread exits.
    struct Registered(&'static Slot);

    impl Drop for Registered {
        fn drop(&mut self) {
            self.0.kind.store(ptr::null_mut(), Relaxed);
            // Release: the next thread to take the slot (with an acquire)
            // writes after everything this one wrote.
            self.0.taken.store(false, Release);
        }
    }

    std::thread_local! {
        static SLOT: Registered = Registered(take_slot());
    }

    /// Records that this thread is about to park on `key`.
    #[inline]
    pub(crate) fn parking(key: usize) {
        let label = LABEL.with(|l| l.get());
        let kind = if label.is_null() {
            &raw const UNLABELLED
        } else {
            label
        };
        let since = u64::try_from(epoch().elapsed().as_nanos()).unwrap_or(u64::MAX);
        // A thread whose thread-locals are being destroyed simply goes
        // unrecorded.
        let _ = SLOT.try_with(|s| {
            let slot = s.0;
            slot.key.store(key, Relaxed);
            slot.since.store(since, Relaxed);
            // Release, paired with the reader's acquire of `kind`: a reader
            // that sees this park's kind sees its key and start too, never
            // an earlier park's (or a fresh slot's zeros). A plain store on
            // x86.
            slot.kind.store(kind.cast_mut(), Release);
        });
    }

    /// Records that this thread's park has returned.
    #[inline]
    pub(crate) fn unparked() {
        let _ = SLOT.try_with(|s| s.0.kind.store(ptr::null_mut(), Relaxed));
    }

    pub(crate) fn parked_threads() -> Vec<ParkedThread> {
        slots()
            .filter_map(|slot| {
                let kind = slot.kind.load(Acquire);
                if kind.is_null() {
                    return None;
                }
                // SAFETY: a non-null `kind` was stored by `parking` from a
                // `&'static WaitKind` (a label's kind or `UNLABELLED`), so it
                // points to a `WaitKind` that lives for the whole program.
                let kind: &'static WaitKind = unsafe { &*kind };
                let since = epoch() + Duration::from_nanos(slot.since.load(Relaxed));
                Some(ParkedThread {
                    thread_id: slot.thread_id.load(Relaxed),
                    kind: kind.name(),
                    key: slot.key.load(Relaxed),
                    since,
                })
            })
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::slots;

        #[test]
        fn an_exited_threads_slot_is_taken_again() {
            let flag = crate::sync::atomic::AtomicBool::new(false);
            // Each thread parks once (a timed park that times out), which
            // registers it, and exits before the next starts.
            let park_once = || {
                crate::park(
                    &flag,
                    || true,
                    || {},
                    |_, _| {},
                    crate::DEFAULT_PARK_TOKEN,
                    crate::Deadline::after(std::time::Duration::from_micros(1)),
                );
            };
            std::thread::scope(|s| s.spawn(park_once).join().unwrap());
            let before = slots().count();
            for _ in 0..50 {
                std::thread::scope(|s| s.spawn(park_once).join().unwrap());
            }
            // Other tests of this binary may register threads meanwhile, but
            // not fifty at once.
            assert!(
                slots().count() < before + 50,
                "{before} then {}",
                slots().count()
            );
        }
    }
}

#[cfg(bobbin_loom)]
mod imp {
    use super::ParkedThread;

    #[inline]
    pub(crate) fn parking(_key: usize) {}

    #[inline]
    pub(crate) fn unparked() {}

    pub(crate) fn parked_threads() -> Vec<ParkedThread> {
        Vec::new()
    }
}

pub(crate) use imp::{parking, unparked};

/// Every thread parked in bobbin's parking lot right now, with what it waits
/// for and since when (a snapshot; under `--cfg bobbin_loom`, always empty).
///
/// `bobbin-thread` joins this with its registry to name the threads.
///
/// # Examples
///
/// ```
/// use bobbin_park::sync::atomic::{AtomicBool, Ordering};
/// use bobbin_park::{park, parked_threads, unpark_all, Deadline, WaitKind, WaitLabel};
/// use bobbin_park::{DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN};
///
/// static FLAG_WAIT: WaitKind = WaitKind::new("Flag.wait");
/// let flag = AtomicBool::new(false);
/// std::thread::scope(|s| {
///     let waiter = s.spawn(|| {
///         let _label = WaitLabel::new(&FLAG_WAIT);
///         while !flag.load(Ordering::Acquire) {
///             let validate = || !flag.load(Ordering::Relaxed);
///             park(&flag, validate, || {}, |_, _| {}, DEFAULT_PARK_TOKEN, Deadline::never());
///         }
///     });
///     // Wait until the waiter shows up as parked, then release it.
///     while !parked_threads().iter().any(|t| t.kind == "Flag.wait") {
///         bobbin_park::thread::yield_now();
///     }
///     flag.store(true, Ordering::Release);
///     unpark_all(&flag, DEFAULT_UNPARK_TOKEN);
///     waiter.join().unwrap();
/// });
/// ```
#[must_use]
pub fn parked_threads() -> Vec<ParkedThread> {
    imp::parked_threads()
}
