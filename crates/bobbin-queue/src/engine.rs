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
//! do it: getters park on [`PutSide::state`], putters on
//! [`GetSide::taken`], joiners on a word of [`Tasks`]. A put or get that
//! does not have to wait touches only the storage and a few atomics, and
//! calls into the parking lot only when a flag says a waiter may be parked.
//!
//! Two words count what the handshakes need, each with its flags in the two
//! low bits and a count (modulo 2^62) above them: [`PutSide::state`], on the
//! putters' cache line, counts the puts that began (each one a task) and
//! holds [`CLOSED`] and the getters' parked flag; [`GetSide::taken`], on the
//! getters' line, counts the puts that are over for the getters (their item
//! was taken, or their push failed) and holds the putters' parked flag. A
//! tracked put is one read-modify-write of its own, made *before* its item
//! goes in, so that its barrier does not wait for the slot's cache line,
//! which the getter it feeds is reading (a barrier after the push did, and
//! cost a bounded queue a quarter of its time per item); a get is one, made
//! after its pop. `state`'s count minus `taken`'s is what the getters are
//! owed: items held, or on their way from a put that has begun.
//! [`Tasks`] counts the finished tasks; the unfinished ones are `state`'s
//! count minus its count.
//!
//! No wake-up is lost, by the parking lot's rule (`validate` runs with the
//! key's queue locked, and every unpark takes that lock) plus one handshake
//! per flag:
//!
//! - **Getters** set [`GET_PARKED`] with a read-modify-write of `state`,
//!   then read `taken`, and park only if they are owed nothing: every put
//!   counted in the `state` they read has been taken. A put begins with its
//!   read-modify-write of `state`, and wakes a getter once its item is in
//!   (or its push failed) if that RMW saw the flag. The two RMWs are
//!   ordered in `state`'s modification order: a put whose begin comes
//!   second wakes a getter (after the getter is queued, since the flag is
//!   set inside `validate`); a put whose begin comes first is counted in
//!   what the getter read, so the getter does not park until it is taken.
//!   A getter that reads a count of `taken` raised by puts that began after
//!   its flag was set may park while an earlier put is still on its way;
//!   each of those later puts saw the flag and wakes a getter, one for
//!   each, and a getter that wakes looks again. The loom models check this
//!   with two getters and two putters. A getter that is owed an item but
//!   finds none waits for it ([`Core::take_owed`]) instead of parking.
//!   `SimpleQueue`, which counts nothing, uses a fence handshake instead: a
//!   getter sets the flag, issues a `SeqCst` fence and looks at the storage;
//!   a put pushes, issues a `SeqCst` fence and reads the flag. Of the two
//!   fences one comes first in the single total order of `SeqCst`
//!   operations, so either the getter sees the item or the put the flag.
//! - **Putters** set [`PUT_PARKED`] with a read-modify-write of `taken`,
//!   then look at the storage; a get of a bounded queue pops, then does its
//!   read-modify-write of `taken` and reads the flag from it. If the get's
//!   RMW comes second it sees the flag and unparks; if it comes first, the
//!   putter's RMW acquires the get's release and the putter sees the free
//!   slot. This holds whatever orderings the storage uses inside.
//! - **Joiners**: see [`crate::tasks`], with `state` as the count of begun
//!   tasks and `taken` as the count `task_done` checks against first.
//!
//! # Waiting for room or for an item
//!
//! A put that finds the queue full, or a get that finds it empty, waits a
//! few microseconds before it looks again, and then parks
//! ([`Backoff`](crate::wait::Backoff)): polling at once would keep the two
//! ends of the queue on the same cache lines, in lockstep, one slow line
//! transfer per item.
//!
//! # Waiting for what is under way
//!
//! A get that is owed an item it cannot find yet, and a shutdown waiting
//! for the puts that beat it, wait for another thread to finish a few
//! instructions: a put between its begin and its push, or a get between its
//! pop and its count. They spin (yielding after a while) rather than park,
//! since those threads never look for waiters. One thread spins at a time,
//! holding [`GetSide::turn`]; the others wait for the turn parked, so that
//! spinners never crowd out the thread they wait for (on two cores, or
//! under the model checker, which would otherwise explore two spinners
//! taking turns forever). No thread holds the turn while it is under way in
//! that sense, so the spinner's wait always ends.
//!
//! # Shutdown
//!
//! A put begins with a compare-and-swap of `state` that counts it (and its
//! task) and fails once [`CLOSED`] is set, then pushes. `shutdown` sets
//! `CLOSED`, which freezes the count of begun puts, and then waits until
//! `taken`'s count plus the items held reaches it: every put that began has
//! put its item into the storage (a push claims its slot before it writes
//! the item, and a pop of a claimed slot waits for the item, in crossbeam's
//! queues as under the model checker's lock) or failed. So when it returns
//! every put that will ever succeed has its item in: a graceful shutdown
//! leaves them to be drained, an immediate one takes them all. A get that
//! finds the storage empty after a shutdown says `ShutDown` only once it is
//! owed nothing, so a get never fails while an item that beat the shutdown
//! is still on its way, and once one get has failed with `ShutDown` every
//! later one does too.
//!
//! A get that finds the storage empty first reads [`GetSide::closing`], a
//! copy of `CLOSED` that `shutdown` sets before `CLOSED` and that sits on
//! the getters' side of the queue: while it is clear the answer is `Empty`
//! without reading `state`, the word every put writes, so that a waiting
//! getter does not pull that cache line away from the putter it waits for.
//! Everything that learns of a shutdown through `CLOSED` (a put that fails,
//! `is_shutdown`) acquires it, so a get that comes after sees `closing`
//! too.

use crate::error::{GetError, PutError, TaskDoneError};
use crate::storage::{Drained, Storage};
use crate::tasks::{ONE, Tasks, signed_between};
use crate::wait::{
    Backoff, Padded, QUEUE_GET, QUEUE_PUT, QUEUE_SHUTDOWN, SIMPLE_QUEUE_GET, batch, wake_all,
    wake_one,
};
use bobbin_lock::{Lock, LockGuard};
use bobbin_park::sync::atomic::{AtomicU8, AtomicU64, Ordering, fence};
use bobbin_park::{DEFAULT_PARK_TOKEN, Deadline, ParkResult, SpinWait, WaitLabel, park};

/// `state`: `shutdown` or `shutdown_immediate` was called; puts fail.
const CLOSED: u64 = 1 << 0;
/// `state`: getters may be parked on `state`.
const GET_PARKED: u64 = 1 << 1;
/// `taken`: putters may be parked on `taken`.
const PUT_PARKED: u64 = 1 << 0;
/// `closing`: `shutdown` or `shutdown_immediate` has begun.
const CLOSING: u8 = 1 << 0;
/// `closing`: `shutdown_immediate` has begun; gets fail.
const IMMEDIATE: u8 = 1 << 1;
/// How many puts apart the limit is checked, so that a put reads `done`
/// (which consumers write) only once in a while; the count can pass the
/// limit by this much at most, far from 2^62.
const TASK_CHECK_EVERY: u64 = 1 << 16;

/// How many items the getters are owed by a queue whose `state` and `taken`
/// are these: the puts that began and are not over for the getters (their
/// item is held, or on its way, or popped by a get that has not counted it
/// yet). Negative when `taken` was read after `state` and counts puts that
/// began in between. The true difference is never near 2^61: it is at most
/// the items held plus one put under way per thread.
#[inline]
fn owed(state: u64, taken: u64) -> i64 {
    signed_between(state, taken)
}

/// Whether a get that finds nothing in a queue whose `state`, `taken` and
/// `closing` are these must fail with `ShutDown` rather than wait: after an
/// immediate shutdown, or after a graceful one once it is owed nothing
/// (with `CLOSED` set the count of begun puts is final).
#[inline]
fn gets_fail(state: u64, taken: u64, closing: u8) -> bool {
    closing & IMMEDIATE != 0 || (state & CLOSED != 0 && owed(state, taken) <= 0)
}

/// The shared engine of the queues.
///
/// `TRACKED` queues (`Queue`, `LifoQueue`, `PriorityQueue`) count unfinished
/// tasks and can be shut down; an untracked one (`SimpleQueue`) does neither,
/// and its put is a push and a check for parked getters.
pub(crate) struct Core<S, const TRACKED: bool> {
    /// Written by every put.
    puts: Padded<PutSide>,
    /// The finished tasks (the begun ones are `state`'s count).
    tasks: Tasks,
    /// Written by every get of a tracked queue.
    gets: Padded<GetSide>,
    /// The items.
    storage: S,
    /// The bound, or 0 for an unbounded queue (Python's rule).
    maxsize: usize,
}

/// The word every put writes.
#[derive(Debug)]
struct PutSide {
    /// The puts that began (each counts a task), times [`ONE`] (wrapping),
    /// [`CLOSED`] and [`GET_PARKED`]; also the key getters park on.
    ///
    /// # Invariants
    ///
    /// - `CLOSED` is only ever set, never cleared.
    /// - The count only rises while `CLOSED` is clear (a put's
    ///   compare-and-swap), so once `CLOSED` is set it is final.
    /// - `GET_PARKED` is set by a getter's `validate` and cleared by an
    ///   unpark or time-out callback, both with the getters' queue locked; it
    ///   is set whenever a getter is parked (it may also be set with none).
    /// - Every change is a read-modify-write, so every value read continues
    ///   the release sequence of every earlier change.
    state: AtomicU64,
}

/// The words every get of a tracked queue writes or reads.
#[derive(Debug)]
struct GetSide {
    /// The puts that are over for the getters (their item was taken by a
    /// get or by `shutdown_immediate`, or their push failed), times [`ONE`]
    /// (wrapping), and [`PUT_PARKED`]; also the key putters park on.
    /// `SimpleQueue` counts nothing here.
    ///
    /// # Invariants
    ///
    /// - Each put is counted at most once, after it began, so the count
    ///   never passes `state`'s as it was when the last counted put began.
    /// - `PUT_PARKED` is changed only with the putters' queue locked, and
    ///   is set whenever a putter is parked.
    /// - Every change is a read-modify-write.
    taken: AtomicU64,
    /// 1 while getters may be parked: a copy of [`GET_PARKED`], changed with
    /// it under the getters' queue lock, that a getter reads to decide
    /// whether to wait before parking, so that it does not read `state`, a
    /// word every put writes, each time it finds the queue empty.
    getters: AtomicU8,
    /// [`CLOSING`] once `shutdown` or `shutdown_immediate` has begun, and
    /// [`IMMEDIATE`] once the latter has: a copy of [`CLOSED`] that getters
    /// read when they find the storage empty, so that a get on an open queue
    /// never reads `state`. Set before `CLOSED`, never cleared.
    closing: AtomicU8,
    /// The turn to spin waiting for a put or get under way (see
    /// [`Core::take_owed`]): one thread at a time, so that waiters do not
    /// crowd out the thread they wait for.
    turn: Lock<()>,
}

/// What a getter found when it looked again ([`Core::look_again`]).
enum Look<T> {
    /// An item, or `ShutDown`.
    Answer(Result<T, GetError>),
    /// No item yet: whether `CLOSED` was set, and what the getters were owed
    /// ([`owed`]), by the counts read before the storage.
    Nothing { closed: bool, owed: i64 },
}

/// A tracked put between [`Core::begin_put`] and its push: dropping it
/// finishes the put, on every path out of `try_put`, unwinding included.
struct Pending<'a, S: Storage, const TRACKED: bool> {
    core: &'a Core<S, TRACKED>,
    /// Whether the begin saw [`GET_PARKED`]: a getter must be woken, even if
    /// the push fails (the getter may count this put's failure as taken).
    wake: bool,
    /// Whether the item went in; if not, the put is counted in `taken`, as
    /// over for the getters, and its task as done.
    pushed: bool,
}

impl<S: Storage, const TRACKED: bool> Drop for Pending<'_, S, TRACKED> {
    #[inline]
    fn drop(&mut self) {
        if !self.pushed {
            self.core.abandon_put();
        }
        if self.wake {
            self.core.wake_getter();
        }
    }
}

impl<S: Storage, const TRACKED: bool> Core<S, TRACKED> {
    /// A core around `storage`, which holds at most `maxsize` items (0: no
    /// bound).
    pub(crate) fn new(storage: S, maxsize: usize) -> Self {
        Core {
            puts: Padded(PutSide {
                state: AtomicU64::new(0),
            }),
            tasks: Tasks::default(),
            gets: Padded(GetSide {
                taken: AtomicU64::new(0),
                getters: AtomicU8::new(0),
                closing: AtomicU8::new(0),
                turn: Lock::new(()),
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
        let Some(before) = self.begin_put() else {
            return Err(PutError::ShutDown(item));
        };
        // Finishes the put however this call ends, also if the storage
        // unwinds: a put never counted as over would make every later
        // shutdown wait for it forever.
        let mut pending = Pending {
            core: self,
            wake: before & GET_PARKED != 0,
            pushed: false,
        };
        match self.storage.push(item) {
            Ok(()) => {
                pending.pushed = true;
                Ok(())
            }
            Err(item) => Err(PutError::Full(item)),
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

    /// The waiting part of a put: wait a few microseconds (the getters run
    /// ahead meanwhile, see [`Backoff`]), then park until a get frees a slot,
    /// the queue shuts down or the deadline passes.
    #[cold]
    fn put_slow(&self, mut item: S::Item, deadline: Deadline) -> Result<(), PutError<S::Item>> {
        let taken = &self.gets.0.taken;
        let state = &self.puts.0.state;
        let mut backoff = Backoff::new();
        // Wait before parking only if no putter is parked yet (one that is
        // was here first). `taken` is read once, not on every round: it is
        // the word every get writes.
        let mut waiting = taken.load(Ordering::Relaxed) & PUT_PARKED == 0;
        loop {
            if deadline.has_passed() {
                // One last look: a waiter for a batch may have let room
                // come and go unused.
                return self.try_put(item);
            }
            waiting = waiting && backoff.wait();
            if !waiting {
                let validate = || {
                    // The handshake with a get's count (`count_taken`).
                    taken.fetch_or(PUT_PARKED, Ordering::AcqRel);
                    state.load(Ordering::Relaxed) & CLOSED == 0 && self.storage.is_full()
                };
                let timed_out = |_, was_last: bool| {
                    if was_last {
                        taken.fetch_and(!PUT_PARKED, Ordering::Relaxed);
                    }
                };
                let _label = WaitLabel::unless_labelled(&QUEUE_PUT);
                let parked = park(
                    taken,
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
            } else if state.load(Ordering::Relaxed) & CLOSED == 0
                && !backoff.ready(
                    self.maxsize.saturating_sub(self.storage.len()),
                    batch(self.maxsize),
                )
            {
                // No batch of room yet (see `Backoff`): wait on rather than
                // pay for a put, or put into the slot a get is freeing.
                continue;
            }
            match self.try_put(item) {
                Err(PutError::Full(back)) => item = back,
                done => return done,
            }
        }
    }

    /// Counts a put as begun, and its task, unless the queue is shut down;
    /// returns the `state` it replaced. A [`Pending`] finishes the put.
    ///
    /// # Panics
    ///
    /// If 2^61 tasks are unfinished (checked every [`TASK_CHECK_EVERY`]
    /// puts), before anything changes.
    #[inline]
    fn begin_put(&self) -> Option<u64> {
        let state = &self.puts.0.state;
        let mut current = state.load(Ordering::Relaxed);
        loop {
            if current & CLOSED != 0 {
                // Acquire: a put that fails because of a shutdown happens
                // after the shutdown's `closing` store, so a get that
                // follows it sees `closing` (see `try_get_empty`).
                fence(Ordering::Acquire);
                return None;
            }
            if current & ((TASK_CHECK_EVERY - 1) * ONE) == 0 {
                self.tasks.check_limit(|| state.load(Ordering::Acquire));
            }
            // Relaxed: the storage's push (release) and pop (acquire) carry
            // this count to the getter, before its `task_done`; a getter
            // that parks acquires it with its own read-modify-write.
            match state.compare_exchange_weak(
                current,
                current.wrapping_add(ONE),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(current),
                Err(now) => current = now,
            }
        }
    }

    /// A tracked put whose push failed (or unwound): its task is done, and
    /// it is over for the getters, who may have counted it as owed.
    #[cold]
    fn abandon_put(&self) {
        self.tasks.finish(&self.puts.0.state, 1);
        self.gets.0.taken.fetch_add(ONE, Ordering::AcqRel);
    }

    /// A `SimpleQueue` put's half of the getters' handshake: the fence pairs
    /// with the one in the getters' `validate`.
    #[inline]
    fn wake_getter_after_untracked_push(&self) {
        fence(Ordering::SeqCst);
        if self.puts.0.state.load(Ordering::Relaxed) & GET_PARKED != 0 {
            self.wake_getter();
        }
    }

    /// Wakes one parked getter, as Python's `not_empty.notify()`.
    #[cold]
    fn wake_getter(&self) {
        wake_one(&self.puts.0.state, || self.clear_get_parked());
    }

    /// Clears [`GET_PARKED`] and its copy, with the getters' queue locked,
    /// once no getter is left parked.
    fn clear_get_parked(&self) {
        self.puts.0.state.fetch_and(!GET_PARKED, Ordering::Relaxed);
        self.gets.0.getters.store(0, Ordering::Relaxed);
    }

    // ---- get ----

    /// Takes an item if there is one now.
    #[inline]
    pub(crate) fn try_get(&self) -> Result<S::Item, GetError> {
        match self.storage.pop() {
            Some(item) => {
                self.count_taken();
                Ok(item)
            }
            None => self.try_get_empty(),
        }
    }

    /// A tracked get's count of the item it took, which is also its half of
    /// the putters' handshake: wake a parked putter if there may be one.
    #[inline]
    fn count_taken(&self) {
        if TRACKED {
            let before = self.gets.0.taken.fetch_add(ONE, Ordering::AcqRel);
            if before & PUT_PARKED != 0 {
                self.wake_putter();
            }
        }
    }

    /// A try that found the storage empty: decide between `Empty` and
    /// `ShutDown`, waiting out any put that began before a shutdown.
    #[cold]
    fn try_get_empty(&self) -> Result<S::Item, GetError> {
        // No shutdown has begun: the queue was open and empty at the pop.
        // Reading the copy of `CLOSED` on the getters' line rather than
        // `state` keeps a waiting getter off the line that every put
        // writes. Whoever saw the queue shut down (a failed put,
        // `is_shutdown`) did so after the `closing` store, so a get that
        // comes after them sees it too.
        if self.gets.0.closing.load(Ordering::Acquire) == 0 {
            return Err(GetError::Empty);
        }
        // Once without the turn: most gets after a shutdown find an item or
        // the end at once.
        match self.look_again() {
            Look::Answer(answer) => answer,
            Look::Nothing { closed: false, .. } => Err(GetError::Empty),
            Look::Nothing { closed: true, .. } => self.take_owed(Deadline::never()),
        }
    }

    /// Reads the counts, then looks at the storage: an item, or `ShutDown`
    /// if gets fail; else nothing yet, with what the counts said.
    fn look_again(&self) -> Look<S::Item> {
        // The counts first: if they show a shutdown (whose count of begun
        // puts is final) and every begun put is over for the getters, no
        // item will ever come.
        let state = self.puts.0.state.load(Ordering::Acquire);
        let taken = self.gets.0.taken.load(Ordering::Acquire);
        let closing = self.gets.0.closing.load(Ordering::Acquire);
        if closing & IMMEDIATE != 0 {
            return Look::Answer(Err(GetError::ShutDown));
        }
        if let Some(item) = self.storage.pop() {
            self.count_taken();
            return Look::Answer(Ok(item));
        }
        if gets_fail(state, taken, closing) {
            return Look::Answer(Err(GetError::ShutDown));
        }
        Look::Nothing {
            closed: state & CLOSED != 0,
            owed: owed(state, taken),
        }
    }

    /// Waits for an item the getters are owed, from a put still adding it
    /// (or, briefly, for a get still counting the one it took): a few
    /// instructions, unless that thread was preempted. Returns the item,
    /// `ShutDown` if gets fail, or `Empty` once nothing is owed any more or
    /// `deadline` has passed.
    ///
    /// One waiter spins at a time, holding the turn; the others wait for it
    /// parked. What a spinner waits for (a put between its begin and its
    /// push, a get between its pop and its count) never takes the turn.
    #[cold]
    fn take_owed(&self, deadline: Deadline) -> Result<S::Item, GetError> {
        let _label = WaitLabel::unless_labelled(&QUEUE_GET);
        let Some(_turn) = self.turn(deadline) else {
            return Err(GetError::Empty);
        };
        let mut spin = SpinWait::new();
        loop {
            match self.look_again() {
                Look::Answer(answer) => return answer,
                Look::Nothing { owed, .. } if owed > 0 && !deadline.has_passed() => {}
                Look::Nothing { .. } => return Err(GetError::Empty),
            }
            if !spin.spin() {
                bobbin_park::thread::yield_now();
            }
        }
    }

    /// The turn to spin waiting for operations under way, or `None` if
    /// `deadline` passes first.
    fn turn(&self, deadline: Deadline) -> Option<LockGuard<'_, ()>> {
        match deadline.instant() {
            None => Some(self.gets.0.turn.acquire()),
            Some(instant) => self.gets.0.turn.acquire_until(instant),
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

    /// The waiting part of a get: wait a few microseconds (the putters run
    /// ahead meanwhile, see [`Backoff`]), then park until a put adds an
    /// item, the queue shuts down or the deadline passes.
    #[cold]
    fn get_slow(&self, deadline: Deadline) -> Result<S::Item, GetError> {
        let state = &self.puts.0.state;
        let mut backoff = Backoff::new();
        // Wait before parking only if no getter is parked yet (one that is
        // was here first). The copy on the getters' side: `state` is a word
        // every put writes, and a getter that read it would slow the putter
        // it waits for.
        let mut waiting = self.gets.0.getters.load(Ordering::Relaxed) == 0;
        loop {
            if deadline.has_passed() {
                // One last look: a waiter for a batch may have left items
                // there untaken.
                return self.try_get();
            }
            waiting = waiting && backoff.wait();
            if !waiting {
                let validate = || {
                    let now = state.fetch_or(GET_PARKED, Ordering::AcqRel);
                    self.gets.0.getters.store(1, Ordering::Relaxed);
                    if TRACKED {
                        // Park only if owed nothing (see the module docs).
                        let taken = self.gets.0.taken.load(Ordering::Acquire);
                        let closing = self.gets.0.closing.load(Ordering::Acquire);
                        !gets_fail(now, taken, closing) && owed(now, taken) <= 0
                    } else {
                        // `SimpleQueue`'s half of the fence handshake.
                        fence(Ordering::SeqCst);
                        self.storage.is_empty()
                    }
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
                match park(
                    state,
                    validate,
                    || {},
                    timed_out,
                    DEFAULT_PARK_TOKEN,
                    deadline,
                ) {
                    ParkResult::TimedOut => return self.try_get(),
                    // Owed an item that may still be on its way, or shut
                    // down: wait for the item (or see the end) without
                    // coming back to the putters' line each time round.
                    ParkResult::Invalid if TRACKED => match self.take_owed(deadline) {
                        Err(GetError::Empty) => continue,
                        done => return done,
                    },
                    // Woken, or (`SimpleQueue`) an item came: look again.
                    ParkResult::Invalid | ParkResult::Unparked(_) => {}
                }
            } else if self.gets.0.closing.load(Ordering::Relaxed) == 0
                && !backoff.ready(self.storage.len(), batch(self.maxsize))
            {
                // No batch of items yet (see `Backoff`): wait on rather than
                // take the item a put is still writing.
                continue;
            }
            match self.try_get() {
                Err(GetError::Empty) => {}
                done => return done,
            }
        }
    }

    /// Wakes one parked putter, as Python's `not_full.notify()`.
    #[cold]
    fn wake_putter(&self) {
        let taken = &self.gets.0.taken;
        wake_one(taken, || {
            taken.fetch_and(!PUT_PARKED, Ordering::Relaxed);
        });
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
        self.tasks.task_done(&self.puts.0.state, &self.gets.0.taken)
    }

    /// The count of unfinished tasks.
    #[inline]
    pub(crate) fn unfinished_tasks(&self) -> usize {
        self.tasks.unfinished(&self.puts.0.state)
    }

    /// Waits until every task is done or `deadline` passes; true if every
    /// task is done.
    #[inline]
    pub(crate) fn join_until(&self, deadline: Deadline) -> bool {
        self.tasks.join_until(&self.puts.0.state, deadline)
    }

    // ---- shutdown ----

    /// Whether `shutdown` or `shutdown_immediate` was called.
    #[inline]
    pub(crate) fn is_shutdown(&self) -> bool {
        self.puts.0.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Python's `shutdown(immediate=False)`: puts fail from now on, gets
    /// drain what is left and then fail; every blocked putter and getter
    /// wakes.
    pub(crate) fn shutdown(&self) {
        self.close(CLOSING);
        self.wake_all_getters_and_putters();
    }

    /// Python's `shutdown(immediate=True)`, returning the items it removes.
    ///
    /// The shutdown always completes (every item removed and its task
    /// finished, every waiter woken) before a panic of an item's `Ord`
    /// (a `PriorityQueue` ordering what it returns) reaches the caller; the
    /// items then go with it, dropped, as Python's shutdown discards them.
    pub(crate) fn shutdown_immediate(&self) -> Vec<S::Item> {
        self.close(CLOSING | IMMEDIATE);
        let Drained { items, panic } = self.storage.drain();
        self.tasks.finish(&self.puts.0.state, items.len());
        // Usize to u64 never truncates on the platforms bobbin supports.
        self.gets
            .0
            .taken
            .fetch_add((items.len() as u64).wrapping_mul(ONE), Ordering::AcqRel);
        self.wake_all_getters_and_putters();
        if let Some(payload) = panic {
            drop(items);
            std::panic::resume_unwind(payload);
        }
        items
    }

    /// Sets the shutdown flags, then waits until every put that began is in
    /// the storage or has failed: from then on no item is added.
    fn close(&self, closing: u8) {
        self.gets.0.closing.fetch_or(closing, Ordering::Relaxed);
        // Release: also publishes the `closing` change above. The count of
        // begun puts is final from here on.
        let state = self.puts.0.state.fetch_or(CLOSED, Ordering::AcqRel);
        let taken = &self.gets.0.taken;
        // `taken` first, the items held second: a get between the two reads
        // leaves its item out of both, so the sum never counts a put twice,
        // and only delays the end of the wait.
        let done = || owed(state, taken.load(Ordering::Acquire)) <= self.storage.len() as i64;
        if done() {
            return;
        }
        // A put that beat the shutdown is still adding its item: a few
        // instructions, unless its thread was preempted. Spin holding the
        // turn, as a get waiting for an item does.
        let _label = WaitLabel::unless_labelled(&QUEUE_SHUTDOWN);
        let _turn = self.turn(Deadline::never());
        let mut spin = SpinWait::new();
        while !done() {
            if !spin.spin() {
                bobbin_park::thread::yield_now();
            }
        }
    }

    /// Wakes every parked getter and putter, which then see the shutdown.
    fn wake_all_getters_and_putters(&self) {
        wake_all(&self.puts.0.state, || self.clear_get_parked());
        let taken = &self.gets.0.taken;
        wake_all(taken, || {
            taken.fetch_and(!PUT_PARKED, Ordering::Relaxed);
        });
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
        q.puts.0.state.store(near, Ordering::Relaxed);
        q.gets.0.taken.store(near, Ordering::Relaxed);
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
        q.puts.0.state.store(TASK_LIMIT * ONE, Ordering::Relaxed);
        q.gets.0.taken.store(TASK_LIMIT * ONE, Ordering::Relaxed);
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

    #[test]
    fn what_the_getters_are_owed_is_signed_and_wraps() {
        assert_eq!(owed(5 * ONE, 3 * ONE), 2);
        assert_eq!(
            owed((3 * ONE) | CLOSED | GET_PARKED, (5 * ONE) | PUT_PARKED),
            -2
        );
        // Across the wrap of the 62-bit counts.
        assert_eq!(owed(ONE, 0u64.wrapping_sub(ONE)), 2);
        assert_eq!(owed(0u64.wrapping_sub(ONE), ONE), -2);
    }

    #[test]
    fn a_put_refused_by_a_full_queue_is_not_owed_to_the_getters() {
        let q: Core<Fifo<i32>, true> = Core::new(Fifo::new(1), 1);
        q.try_put(1).unwrap();
        assert_eq!(q.try_put(2), Err(PutError::Full(2)));
        assert_eq!(q.unfinished_tasks(), 1);
        // The refused put began and was counted over: the shutdown does not
        // wait for it, and the get after the last item says ShutDown.
        q.shutdown();
        assert_eq!(q.try_get(), Ok(1));
        assert_eq!(q.try_get(), Err(GetError::ShutDown));
        assert_eq!(q.get_until(Deadline::never()), Err(GetError::ShutDown));
    }
}
