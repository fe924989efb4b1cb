//! The engine of the FIFO queues (`Queue`, `SimpleQueue`): lock-free puts
//! and gets over a [`Storage`], parking on bobbin's parking core when there
//! is nothing to do, task tracking and Python 3.13's shutdown. The queues
//! whose storage is locked anyway (`LifoQueue`, `PriorityQueue`) run on
//! [`LockedCore`](crate::locked_engine::LockedCore), which does this
//! bookkeeping under that lock.
//!
//! # The design
//!
//! CPython's `Queue` is one mutex and three conditions (`not_empty`,
//! `not_full`, `all_tasks_done`). Here the storage is lock-free, and the
//! three conditions become three parking keys, as parking_lot's primitives
//! do it: getters park on [`Hot::ended`], putters on [`Cold::putters`],
//! joiners on a word of [`Tasks`]. A put or get that does
//! not have to wait touches only the storage and a few atomics, and calls
//! into the parking lot only when a flag says a waiter may be parked.
//!
//! Three words count what the handshakes need, each with its flags in the
//! two low bits and a count (modulo 2^62) above them: [`Hot::state`] counts
//! the puts that began and holds the shutdown flags, [`Hot::ended`] counts
//! the puts that ended and holds the waiters' flags, and [`Tasks`] counts
//! finished tasks and holds the joiners' flag. A tracked put is therefore
//! two read-modify-writes, one to begin and one to end; the unfinished
//! tasks are `state`'s count minus [`Tasks`]'s, and the puts still adding
//! their item are `state`'s count minus `ended`'s.
//!
//! No wake-up is lost, by the parking lot's rule (`validate` runs with the
//! key's queue locked, and every unpark takes that lock) plus one handshake
//! per flag, each between a change of the storage and a waiter's flag:
//!
//! - **Getters** set [`GET_PARKED`] with a read-modify-write of `ended`,
//!   then look at the storage; a put pushes, then does its read-modify-write
//!   of `ended` ([`Core::end_put`]) and reads the flag from it. The two RMWs
//!   are ordered in `ended`'s modification order: if the put's comes second
//!   it sees the flag and unparks (after the getter is queued, since the
//!   getter set the flag inside `validate`); if it comes first, the getter's
//!   RMW acquires the put's release and the getter sees the item.
//!   `SimpleQueue`, which has no such RMW on its put, uses the fence
//!   handshake below instead.
//! - **Putters** set [`Cold::putters`], issue a `SeqCst` fence and look at the
//!   storage; a get pops, issues a `SeqCst` fence and reads the flag. Of the
//!   two fences one comes first in the single total order of `SeqCst`
//!   operations, and whatever precedes it is seen by whatever follows the
//!   other: either the putter sees the free slot or the getter sees the flag.
//!   This holds whatever orderings the storage uses inside.
//! - **Joiners**: see [`crate::tasks`], with `state` as the count of begun
//!   tasks.
//!
//! # Shutdown
//!
//! A put begins with a compare-and-swap of `state` that counts it (and its
//! task) and fails once [`CLOSED`] is set, then pushes, then ends by
//! counting itself in `ended`. `shutdown` sets `CLOSED`, which freezes the
//! count of begun puts, and then waits until `ended` reaches it, so that
//! when it returns every put that will ever succeed has pushed its item: a
//! graceful shutdown leaves them to be drained, an immediate one takes them
//! all. A get that finds the storage empty and `CLOSED` set waits for the
//! puts still under way in the same way before it says `ShutDown`, so a get
//! never fails while an item that beat the shutdown is still on its way,
//! and once one get has failed with `ShutDown` every later one does too.
//!
//! A get that finds the storage empty first reads [`Cold::closing`], a copy
//! of `CLOSED` that `shutdown` sets before `CLOSED` and that sits on the
//! getters' side of the queue: while it is clear the answer is `Empty`
//! without reading `state`, the word every put writes, so that a waiting
//! getter does not pull that cache line away from the putter it waits for.
//! Everything that learns of a shutdown through `CLOSED` (a put that fails,
//! `is_shutdown`) acquires it, so a get that comes after sees `closing`
//! too.

use crate::error::{GetError, PutError, TaskDoneError};
use crate::storage::{Drained, Storage};
use crate::tasks::{ONE, Tasks, count_between};
use bobbin_park::sync::atomic::{AtomicU8, AtomicU64, Ordering, fence};
use bobbin_park::{
    DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, Deadline, FilterOp, Key, ParkResult, SpinWait,
    WaitKind, WaitLabel, park, unpark_filter, unpark_one,
};

/// `state`: `shutdown` or `shutdown_immediate` was called; puts fail.
const CLOSED: u64 = 1 << 0;
/// `state`: `shutdown_immediate` was called; gets fail.
const IMMEDIATE: u64 = 1 << 1;
/// `ended`: getters may be parked on `ended`.
const GET_PARKED: u64 = 1 << 0;
/// `ended`: a shutdown may be parked on `close_key`, waiting for the puts
/// under way.
const CLOSE_PARKED: u64 = 1 << 1;
/// How many puts apart the limit is checked, so that a put reads `done`
/// (which consumers write) only once in a while; the count can pass the
/// limit by this much at most, far from 2^62.
const TASK_CHECK_EVERY: u64 = 1 << 16;

/// How a thread parked in a queue's operation shows in a hang report.
/// `LifoQueue` and `PriorityQueue` are `Queue`s in Python too.
pub(crate) static QUEUE_PUT: WaitKind = WaitKind::new("Queue.put");
pub(crate) static QUEUE_GET: WaitKind = WaitKind::new("Queue.get");
static SIMPLE_QUEUE_GET: WaitKind = WaitKind::new("SimpleQueue.get");
pub(crate) static QUEUE_JOIN: WaitKind = WaitKind::new("Queue.join");
static QUEUE_SHUTDOWN: WaitKind = WaitKind::new("Queue.shutdown");

/// Whether a get that finds nothing in a queue whose `state` and `ended`
/// are these must fail with `ShutDown` rather than wait: after an immediate
/// shutdown, or after a graceful one once no put is still adding its item
/// (with `CLOSED` set the count of begun puts is final, and `ended` never
/// passes it).
#[inline]
fn gets_fail(state: u64, ended: u64) -> bool {
    state & IMMEDIATE != 0 || (state & CLOSED != 0 && count_between(state, ended) == 0)
}

/// Wakes the first thread parked on `key`; `clear_flag` runs, with the
/// key's queue locked, if no thread is left parked there.
pub(crate) fn wake_one<K: Key>(key: &K, clear_flag: impl FnOnce()) {
    unpark_one(key, |result| {
        if !result.have_more_threads {
            clear_flag();
        }
        DEFAULT_UNPARK_TOKEN
    });
}

/// Wakes every thread parked on `key`; `clear_flag` runs with the key's
/// queue locked, so that no thread parks between the wake-up and the
/// clearing.
pub(crate) fn wake_all<K: Key>(key: &K, clear_flag: impl FnOnce()) {
    unpark_filter(
        key,
        |_| FilterOp::Unpark,
        |_| {
            clear_flag();
            DEFAULT_UNPARK_TOKEN
        },
    );
}

/// How a tracked queue's macro-made `new` builds its core, whichever engine
/// it runs on.
pub(crate) trait NewCore {
    /// An empty queue of at most `maxsize` items (0: no bound).
    fn with_maxsize(maxsize: usize) -> Self;
}

impl<S: Storage> NewCore for Core<S, true> {
    fn with_maxsize(maxsize: usize) -> Self {
        Core::new(S::with_maxsize(maxsize), maxsize)
    }
}

impl<C: crate::storage::Collection> NewCore for crate::locked_engine::LockedCore<C> {
    fn with_maxsize(maxsize: usize) -> Self {
        crate::locked_engine::LockedCore::with_maxsize(maxsize)
    }
}

/// A value on a cache line of its own, so that the words producers write on
/// every put do not slow down the words consumers read on every get.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct Padded<T>(pub(crate) T);

/// The shared engine of the queues.
///
/// `TRACKED` queues (`Queue`, `LifoQueue`, `PriorityQueue`) count unfinished
/// tasks and can be shut down; an untracked one (`SimpleQueue`) does neither,
/// and its put is a push and a check for parked getters.
pub(crate) struct Core<S, const TRACKED: bool> {
    /// Written by every put.
    hot: Padded<Hot>,
    /// The finished tasks (the begun ones are `state`'s count).
    tasks: Tasks,
    /// Read by gets, written only by parking putters and by shutdown.
    cold: Padded<Cold>,
    /// The items.
    storage: S,
    /// The bound, or 0 for an unbounded queue (Python's rule).
    maxsize: usize,
}

/// The words every put writes.
#[derive(Debug)]
struct Hot {
    /// The puts that began (each counts a task), times [`ONE`] (wrapping),
    /// and the shutdown flags.
    ///
    /// # Invariants
    ///
    /// - `CLOSED` and `IMMEDIATE` are only ever set, never cleared.
    /// - The count only rises while `CLOSED` is clear (a put's
    ///   compare-and-swap), so once `CLOSED` is set it is final.
    /// - Every change is a read-modify-write, so every value read continues
    ///   the release sequence of every earlier change.
    state: AtomicU64,
    /// The puts that ended, times [`ONE`] (wrapping), and the getters' and
    /// close waiters' parked flags; also the key getters park on.
    ///
    /// # Invariants
    ///
    /// - The count never passes `state`'s: a put ends after it began.
    /// - `GET_PARKED` is set by a getter's `validate` and cleared by an
    ///   unpark or time-out callback, both with the getters' queue locked; it
    ///   is set whenever a getter is parked (it may also be set with none).
    /// - `CLOSE_PARKED` likewise for shutdowns waiting on `close_key`, and
    ///   set only once `CLOSED` is.
    /// - Every change is a read-modify-write.
    ended: AtomicU64,
}

/// The words parking putters and shutdowns write, and gets read.
#[derive(Debug)]
struct Cold {
    /// Non-zero when putters may be parked; also the key putters park on.
    /// Changed only with the putters' queue locked.
    putters: AtomicU8,
    /// The key shutdowns park on while puts are under way; never read.
    close_key: AtomicU8,
    /// 1 while getters may be parked: a copy of [`GET_PARKED`], changed with
    /// it under the getters' queue lock, that a getter reads to decide
    /// whether to spin, so that it does not read `ended`, a word every put
    /// writes, each time it finds the queue empty.
    getters: AtomicU8,
    /// 1 once `shutdown` or `shutdown_immediate` has begun: a copy of
    /// [`CLOSED`] that getters read when they find the storage empty, so
    /// that a get on an open queue never reads `state` and `ended`, the
    /// words every put writes. Set before `CLOSED`, never cleared.
    closing: AtomicU8,
}

/// A put between [`Core::begin_put`] and [`Core::end_put`]: dropping it
/// ends the put, on every path out of `try_put`, unwinding included.
struct Pending<'a, S: Storage, const TRACKED: bool> {
    core: &'a Core<S, TRACKED>,
    /// Whether the item may have been pushed, so that a parked getter is
    /// woken; false only when the storage gave it back.
    pushed: bool,
}

impl<S: Storage, const TRACKED: bool> Drop for Pending<'_, S, TRACKED> {
    #[inline]
    fn drop(&mut self) {
        self.core.end_put(self.pushed);
    }
}

impl<S: Storage, const TRACKED: bool> Core<S, TRACKED> {
    /// A core around `storage`, which holds at most `maxsize` items (0: no
    /// bound).
    pub(crate) fn new(storage: S, maxsize: usize) -> Self {
        Core {
            hot: Padded(Hot {
                state: AtomicU64::new(0),
                ended: AtomicU64::new(0),
            }),
            tasks: Tasks::default(),
            cold: Padded(Cold {
                putters: AtomicU8::new(0),
                getters: AtomicU8::new(0),
                close_key: AtomicU8::new(0),
                closing: AtomicU8::new(0),
            }),
            storage,
            maxsize,
        }
    }

    // ---- put ----

    /// Adds an item if there is room now.
    #[inline]
    pub(crate) fn try_put(&self, item: S::Item) -> Result<(), PutError<S::Item>> {
        if !TRACKED {
            return match self.storage.push(item) {
                Ok(()) => {
                    self.wake_getter_after_untracked_push();
                    Ok(())
                }
                Err(item) => Err(PutError::Full(item)),
            };
        }
        if !self.begin_put() {
            return Err(PutError::ShutDown(item));
        }
        // Ends the put however this call ends, also if the storage unwinds:
        // a put that never ended would make every later shutdown wait for
        // it forever.
        let mut pending = Pending {
            core: self,
            pushed: true,
        };
        match self.storage.push(item) {
            Ok(()) => Ok(()),
            Err(item) => {
                self.tasks.finish(&self.hot.0.state, 1);
                pending.pushed = false;
                Err(PutError::Full(item))
            }
        }
    }

    /// Adds an item, waiting for room until `deadline`.
    #[inline]
    pub(crate) fn put_until(
        &self,
        item: S::Item,
        deadline: Deadline,
    ) -> Result<(), PutError<S::Item>> {
        match self.try_put(item) {
            Err(PutError::Full(item)) => self.put_slow(item, deadline),
            done => done,
        }
    }

    /// The waiting part of a put: spin a little, then park until a get frees
    /// a slot, the queue shuts down or the deadline passes.
    #[cold]
    fn put_slow(&self, mut item: S::Item, deadline: Deadline) -> Result<(), PutError<S::Item>> {
        let putters = &self.cold.0.putters;
        let mut spin = SpinWait::new();
        loop {
            if deadline.has_passed() {
                return Err(PutError::Full(item));
            }
            if putters.load(Ordering::Relaxed) != 0 || !spin.spin() {
                let validate = || {
                    putters.store(1, Ordering::Relaxed);
                    // The fence handshake with `wake_putter_after_pop`.
                    fence(Ordering::SeqCst);
                    self.hot.0.state.load(Ordering::Relaxed) & CLOSED == 0 && self.storage.is_full()
                };
                let timed_out = |_, was_last: bool| {
                    if was_last {
                        putters.store(0, Ordering::Relaxed);
                    }
                };
                let _label = WaitLabel::unless_labelled(&QUEUE_PUT);
                let parked = park(
                    putters,
                    validate,
                    || {},
                    timed_out,
                    DEFAULT_PARK_TOKEN,
                    deadline,
                );
                if parked == ParkResult::TimedOut {
                    // One last try: a slot may have come free just now. A
                    // time-out is final, even where (under the model
                    // checker) the clock says otherwise.
                    return self.try_put(item);
                }
            }
            match self.try_put(item) {
                Err(PutError::Full(back)) => item = back,
                done => return done,
            }
        }
    }

    /// Counts a put as begun, and its task, unless the queue is shut down; a
    /// [`Pending`] ends it.
    ///
    /// # Panics
    ///
    /// If 2^61 tasks are unfinished (checked every [`TASK_CHECK_EVERY`]
    /// puts), before anything changes.
    #[inline]
    fn begin_put(&self) -> bool {
        let state = &self.hot.0.state;
        let mut current = state.load(Ordering::Relaxed);
        loop {
            if current & CLOSED != 0 {
                // Acquire: a put that fails because of a shutdown happens
                // after the shutdown's `closing` store, so a get that
                // follows it sees `closing` (see `try_get_empty`).
                fence(Ordering::Acquire);
                return false;
            }
            if current & ((TASK_CHECK_EVERY - 1) * ONE) == 0 {
                self.tasks.check_limit(current);
            }
            // Relaxed: the storage's push (release) and pop (acquire) carry
            // this count to the getter, before its `task_done`.
            match state.compare_exchange_weak(
                current,
                current.wrapping_add(ONE),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => current = now,
            }
        }
    }

    /// Ends a put, waking a getter if the put added an item and one may be
    /// parked, and a shutdown if it waits for this, the last put under way.
    /// The release publishes the item to getters and to shutdown.
    #[inline]
    fn end_put(&self, pushed: bool) {
        let before = self.hot.0.ended.fetch_add(ONE, Ordering::AcqRel);
        if before & (GET_PARKED | CLOSE_PARKED) != 0 {
            self.end_put_slow(before, pushed);
        }
    }

    #[cold]
    fn end_put_slow(&self, before: u64, pushed: bool) {
        if pushed && before & GET_PARKED != 0 {
            self.wake_getter();
        }
        // `CLOSE_PARKED` is set after `CLOSED` (and acquired with `before`),
        // so this reads the final count of begun puts.
        if before & CLOSE_PARKED != 0
            && count_between(
                self.hot.0.state.load(Ordering::Acquire),
                before.wrapping_add(ONE),
            ) == 0
        {
            let ended = &self.hot.0.ended;
            wake_all(&self.cold.0.close_key, || {
                ended.fetch_and(!CLOSE_PARKED, Ordering::Relaxed);
            });
        }
    }

    /// A `SimpleQueue` put's half of the getters' handshake: the fence pairs
    /// with the one in the getters' `validate`.
    #[inline]
    fn wake_getter_after_untracked_push(&self) {
        fence(Ordering::SeqCst);
        if self.hot.0.ended.load(Ordering::Relaxed) & GET_PARKED != 0 {
            self.wake_getter();
        }
    }

    /// Wakes one parked getter, as Python's `not_empty.notify()`.
    #[cold]
    fn wake_getter(&self) {
        let ended = &self.hot.0.ended;
        wake_one(ended, || self.clear_get_parked());
    }

    /// Clears [`GET_PARKED`] and its copy, with the getters' queue locked,
    /// once no getter is left parked.
    fn clear_get_parked(&self) {
        self.hot.0.ended.fetch_and(!GET_PARKED, Ordering::Relaxed);
        self.cold.0.getters.store(0, Ordering::Relaxed);
    }

    // ---- get ----

    /// Takes an item if there is one now.
    #[inline]
    pub(crate) fn try_get(&self) -> Result<S::Item, GetError> {
        match self.storage.pop() {
            Some(item) => {
                self.wake_putter_after_pop();
                Ok(item)
            }
            None => self.try_get_empty(),
        }
    }

    /// A try that found the storage empty: decide between `Empty` and
    /// `ShutDown`, waiting out any put that began before a shutdown.
    #[cold]
    fn try_get_empty(&self) -> Result<S::Item, GetError> {
        // No shutdown has begun: the queue was open and empty at the pop.
        // Reading the cold copy of `CLOSED` rather than `state` keeps a
        // waiting getter off the cache line that every put writes. Whoever
        // saw the queue shut down (a failed put, `is_shutdown`) did so after
        // the `closing` store, so a get that comes after them sees it too.
        if self.cold.0.closing.load(Ordering::Acquire) == 0 {
            return Err(GetError::Empty);
        }
        let mut spin = SpinWait::new();
        loop {
            // Read the counts before looking again: if they show a shutdown
            // (whose count of begun puts is final) and `ended` has reached
            // that count, every item that will ever be pushed has been, and
            // the acquire makes them visible to the pop below.
            let state = self.hot.0.state.load(Ordering::Acquire);
            if state & IMMEDIATE != 0 {
                return Err(GetError::ShutDown);
            }
            let ended = self.hot.0.ended.load(Ordering::Acquire);
            if let Some(item) = self.storage.pop() {
                self.wake_putter_after_pop();
                return Ok(item);
            }
            if state & CLOSED == 0 {
                return Err(GetError::Empty);
            }
            if count_between(state, ended) == 0 {
                return Err(GetError::ShutDown);
            }
            // A put that beat the shutdown is still adding its item: a few
            // instructions, unless its thread was preempted.
            if !spin.spin() {
                bobbin_park::thread::yield_now();
            }
        }
    }

    /// Takes an item, waiting for one until `deadline`.
    #[inline]
    pub(crate) fn get_until(&self, deadline: Deadline) -> Result<S::Item, GetError> {
        match self.try_get() {
            Err(GetError::Empty) => self.get_slow(deadline),
            done => done,
        }
    }

    /// The waiting part of a get: spin a little, then park until a put adds
    /// an item, the queue shuts down or the deadline passes.
    #[cold]
    fn get_slow(&self, deadline: Deadline) -> Result<S::Item, GetError> {
        let ended = &self.hot.0.ended;
        let mut spin = SpinWait::new();
        // Spin only if no getter is parked yet (one that is was here first).
        // The copy on the getters' side: `ended` is a word every put
        // writes, and a getter that read it would slow the putter it waits
        // for.
        let mut spinning = self.cold.0.getters.load(Ordering::Relaxed) == 0;
        loop {
            if deadline.has_passed() {
                return Err(GetError::Empty);
            }
            spinning = spinning && spin.spin();
            if !spinning {
                let validate = || {
                    let now = ended.fetch_or(GET_PARKED, Ordering::AcqRel);
                    self.cold.0.getters.store(1, Ordering::Relaxed);
                    // `SimpleQueue`'s half of the handshake (a tracked put
                    // synchronizes through the RMW above instead).
                    fence(Ordering::SeqCst);
                    let state = self.hot.0.state.load(Ordering::Acquire);
                    !gets_fail(state, now) && self.storage.is_empty()
                };
                let timed_out = |_, was_last: bool| {
                    if was_last {
                        self.clear_get_parked();
                    }
                };
                let _label = WaitLabel::unless_labelled(if TRACKED {
                    &QUEUE_GET
                } else {
                    &SIMPLE_QUEUE_GET
                });
                let parked = park(
                    ended,
                    validate,
                    || {},
                    timed_out,
                    DEFAULT_PARK_TOKEN,
                    deadline,
                );
                if parked == ParkResult::TimedOut {
                    return self.try_get();
                }
            }
            match self.try_get() {
                Err(GetError::Empty) => {}
                done => return done,
            }
        }
    }

    /// A get's half of the putters' handshake: after a pop from a bounded
    /// queue, wake a parked putter if there may be one.
    #[inline]
    fn wake_putter_after_pop(&self) {
        if self.maxsize != 0 {
            fence(Ordering::SeqCst);
            if self.cold.0.putters.load(Ordering::Relaxed) != 0 {
                self.wake_putter();
            }
        }
    }

    /// Wakes one parked putter, as Python's `not_full.notify()`.
    #[cold]
    fn wake_putter(&self) {
        let putters = &self.cold.0.putters;
        wake_one(putters, || putters.store(0, Ordering::Relaxed));
    }

    // ---- sizes ----

    /// The number of items in the queue.
    #[inline]
    pub(crate) fn qsize(&self) -> usize {
        self.storage.len()
    }

    /// Whether the queue holds no item.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.storage.is_empty()
    }

    /// Whether the queue holds `maxsize` items (never for an unbounded one).
    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        self.maxsize != 0 && self.storage.len() >= self.maxsize
    }

    /// The bound, or 0 for an unbounded queue.
    #[inline]
    pub(crate) fn maxsize(&self) -> usize {
        self.maxsize
    }

    // ---- tasks ----

    /// Marks one task done.
    pub(crate) fn task_done(&self) -> Result<(), TaskDoneError> {
        self.tasks.task_done(&self.hot.0.state)
    }

    /// The count of unfinished tasks.
    #[inline]
    pub(crate) fn unfinished_tasks(&self) -> usize {
        self.tasks.unfinished(&self.hot.0.state)
    }

    /// Waits until every task is done or `deadline` passes; true if every
    /// task is done.
    #[inline]
    pub(crate) fn join_until(&self, deadline: Deadline) -> bool {
        self.tasks.join_until(&self.hot.0.state, deadline)
    }

    // ---- shutdown ----

    /// Whether `shutdown` or `shutdown_immediate` was called.
    #[inline]
    pub(crate) fn is_shutdown(&self) -> bool {
        self.hot.0.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Python's `shutdown(immediate=False)`: puts fail from now on, gets
    /// drain what is left and then fail; every blocked putter and getter
    /// wakes.
    pub(crate) fn shutdown(&self) {
        self.close(CLOSED);
        self.wake_all_getters_and_putters();
    }

    /// Python's `shutdown(immediate=True)`, returning the items it removes.
    ///
    /// The shutdown always completes (every item removed and its task
    /// finished, every waiter woken) before a panic of an item's `Ord`
    /// (a `PriorityQueue` ordering what it returns) reaches the caller; the
    /// items then go with it, dropped, as Python's shutdown discards them.
    pub(crate) fn shutdown_immediate(&self) -> Vec<S::Item> {
        self.close(CLOSED | IMMEDIATE);
        let Drained { items, panic } = self.storage.drain();
        self.tasks.finish(&self.hot.0.state, items.len());
        self.wake_all_getters_and_putters();
        if let Some(payload) = panic {
            drop(items);
            std::panic::resume_unwind(payload);
        }
        items
    }

    /// Sets the shutdown flags, then waits until every put that began has
    /// ended: from then on no item is added.
    fn close(&self, flags: u64) {
        let ended = &self.hot.0.ended;
        self.cold.0.closing.store(1, Ordering::Relaxed);
        // Release: also publishes the `closing` store above. The count of
        // begun puts is final from here on.
        let state = self.hot.0.state.fetch_or(flags, Ordering::AcqRel);
        let mut spin = SpinWait::new();
        // Acquire: the items of the puts that were under way are visible.
        while count_between(state, ended.load(Ordering::Acquire)) != 0 {
            if spin.spin() {
                continue;
            }
            let _label = WaitLabel::unless_labelled(&QUEUE_SHUTDOWN);
            park(
                &self.cold.0.close_key,
                || count_between(state, ended.fetch_or(CLOSE_PARKED, Ordering::AcqRel)) != 0,
                || {},
                |_, _| {},
                DEFAULT_PARK_TOKEN,
                Deadline::never(),
            );
        }
    }

    /// Wakes every parked getter and putter, which then see the shutdown.
    fn wake_all_getters_and_putters(&self) {
        wake_all(&self.hot.0.ended, || self.clear_get_parked());
        let putters = &self.cold.0.putters;
        wake_all(putters, || putters.store(0, Ordering::Relaxed));
    }
}

#[cfg(all(test, not(bobbin_loom)))]
mod tests {
    use super::*;
    use crate::storage::Fifo;
    use crate::tasks::TASK_LIMIT;

    /// The flag bits of the counting words.
    const FLAGS: u64 = ONE - 1;

    fn queue() -> Core<Fifo<i32>, true> {
        Core::new(Fifo::new(0), 0)
    }

    #[test]
    fn the_counts_may_wrap_around_without_changing_their_differences() {
        // Every count just below the wrap: puts, gets, task_done, join and
        // shutdown carry them past it and stay exact.
        let q = queue();
        let near = u64::MAX - FLAGS;
        q.hot.0.state.store(near, Ordering::Relaxed);
        q.hot.0.ended.store(near, Ordering::Relaxed);
        q.tasks.word().store(near, Ordering::Relaxed);
        assert_eq!(q.unfinished_tasks(), 0);
        for i in 0..3 {
            q.try_put(i).unwrap();
        }
        assert_eq!(q.unfinished_tasks(), 3);
        assert_eq!(q.try_get(), Ok(0));
        q.task_done().unwrap();
        assert_eq!(q.unfinished_tasks(), 2);
        q.shutdown();
        assert_eq!(q.try_get(), Ok(1));
        assert_eq!(q.try_get(), Ok(2));
        assert_eq!(q.try_get(), Err(GetError::ShutDown));
        q.task_done().unwrap();
        q.task_done().unwrap();
        assert!(q.task_done().is_err());
        assert!(q.join_until(Deadline::never()));
    }

    #[test]
    fn a_put_past_the_task_limit_panics_and_changes_nothing() {
        let q = queue();
        // The next put is one where the limit is checked.
        q.hot.0.state.store(TASK_LIMIT * ONE, Ordering::Relaxed);
        q.hot.0.ended.store(TASK_LIMIT * ONE, Ordering::Relaxed);
        let put = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| q.try_put(1)));
        assert!(put.is_err());
        assert_eq!(q.qsize(), 0);
        assert_eq!(q.unfinished_tasks() as u64, TASK_LIMIT);
        // A shutdown does not wait for the refused put.
        q.task_done().unwrap();
        assert_eq!(q.try_put(1), Ok(()));
        q.shutdown();
        assert_eq!(q.try_get(), Ok(1));
        assert_eq!(q.try_get(), Err(GetError::ShutDown));
    }
}
