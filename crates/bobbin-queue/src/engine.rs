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
//! [`GetSide::putters`], joiners on a word of [`Tasks`]. A put or get that
//! does not have to wait touches only the storage and a few atomics, and
//! calls into the parking lot only when a flag says a waiter may be parked.
//!
//! Two counts, each modulo 2^62 in the bits above two flag bits, tell what
//! the handshakes need. On the putters' cache line, [`PutSide`] counts the
//! puts that began (each one a task) and [`PutSide::state`] holds
//! [`CLOSED`] and the getters' parked flag; on the getters' line,
//! [`GetSide`] counts the puts that are over for the getters (their item
//! was taken, or their push failed). Each side counts the way
//! [`GetSide`]'s getters do: the queue's first putter (its *owner*) with a
//! load and a store of a word no other thread writes
//! ([`PutSide::owned`]), the others with a read-modify-write. So Python's
//! one-producer, one-consumer pipeline pays no barrier beyond the storage's
//! own: a put is its push, a get its pop. The begun count minus the
//! getters' is what the getters are owed: items held, or on their way from
//! a put that has begun. [`Tasks`] counts the finished tasks; the
//! unfinished ones are the begun count minus its count.
//!
//! A put counts itself *before* its item goes in (the push cannot be taken
//! back), then checks for [`CLOSED`]; `close` sets `CLOSED`, then reads the
//! count. That is a store and a load against a store and a load, which only
//! a full fence on each side orders. The owner's side pays a light fence
//! and `close` (once per queue) a heavy one ([`bobbin_park::asymmetric`]:
//! `membarrier` on Linux), so either the put sees `CLOSED` and counts
//! itself over, or `close` counts it and waits for its item. Other putters
//! count with a compare-and-swap that fails once `CLOSED` is set, as
//! crossbeam-channel and std's channels check for disconnection in the
//! compare-and-swap that claims their slot (crossbeam-queue's push has no
//! such hook).
//!
//! No wake-up is lost, by the parking lot's rule (`validate` runs with the
//! key's queue locked, and every unpark takes that lock) plus one handshake
//! per flag:
//!
//! - **Getters** set [`GET_PARKED`] with a `SeqCst` read-modify-write of
//!   `state`, then look at the storage with `is_empty`; a put pushes, then
//!   reads the flag with a `SeqCst` load. The storage's push claims its
//!   slot with a `SeqCst` read-modify-write and its `is_empty` reads with
//!   `SeqCst` loads (a requirement of [`Storage`]), so the four are in the
//!   single total order of `SeqCst` operations: if the put's load comes
//!   before the getter's flag, its claim does too, and the getter's
//!   `is_empty` sees it (a claimed slot is not empty, and a pop of it waits
//!   for the item); otherwise the put sees the flag. (A fence on each side
//!   did the same at the price of one more full barrier per put.) A getter
//!   parks only while no shutdown has begun.
//! - **Putters** set [`PUT_PARKED`] with a `SeqCst` read-modify-write of
//!   [`GetSide::putters`], then look at the storage with `is_full`; a get
//!   of a bounded queue pops, then reads the flag with a `SeqCst` load. The
//!   storage's pop claims its slot with a `SeqCst` read-modify-write and
//!   `is_full` reads with `SeqCst` loads (a requirement of [`Storage`]), so
//!   the four are in the single total order of `SeqCst` operations: if the
//!   get's load comes before the putter's flag, its pop does too, and the
//!   putter's `is_full` sees the free slot; otherwise the get sees the flag
//!   and unparks. (The get's count did this as a read-modify-write of the
//!   flag's word before the owner's count made it a store.)
//! - **Joiners**: see [`crate::tasks`], with [`Core::began`] as the count
//!   of begun tasks and the getters' counts as the ones `task_done` checks
//!   against first: the owner of the gets against its own (`owned`), and
//!   counts its `task_done`s on its own too; the others against `taken`.
//!
//! # Waiting for room or for an item
//!
//! A put that finds the queue full, or a get that finds it empty, waits a
//! few microseconds before it looks again, and then parks
//! ([`Backoff`]): polling at once would keep the two
//! ends of the queue on the same cache lines, in lockstep, one slow line
//! transfer per item.
//!
//! # Shutdown
//!
//! `shutdown` sets `CLOSED`, which freezes `state`'s count and makes every
//! later owner's put see it (above), reads the count of begun puts and
//! waits until the getters' count plus the items held reaches it: every
//! put that began has put its item into the storage (a push claims its
//! slot before it writes the item, and a pop of a claimed slot waits for
//! the item, in crossbeam's queues as under the model checker's lock) or
//! failed. Then it sets [`SETTLED`]: every put that will ever succeed has
//! its item in. A graceful shutdown leaves them to be drained, an immediate
//! one takes them all. A get that finds the storage empty after a shutdown
//! has begun says `ShutDown` only once the shutdown has settled, and until
//! then waits for it (a few instructions of each put under way, unless a
//! thread was preempted): so a get never fails while an item that beat the
//! shutdown is still on its way, and once one get has failed with
//! `ShutDown` every later one does too. One such waiter spins at a time,
//! holding [`GetSide::turn`]; the others wait for the turn parked, so that
//! spinners never crowd out the threads they wait for (on two cores, or
//! under the model checker, which would otherwise explore two spinners
//! taking turns forever).
//!
//! A get that finds the storage empty first reads [`GetSide::closing`], a
//! copy of `CLOSED` that `shutdown` sets before `CLOSED` and that sits on
//! the getters' side of the queue: while it is clear the answer is `Empty`
//! without reading `state`, the word putters write, so that a waiting
//! getter does not pull that cache line away from the putter it waits for.
//! Everything that learns of a shutdown through `CLOSED` (a put that fails,
//! `is_shutdown`) acquires it, so a get that comes after sees `closing`
//! too.

use crate::error::{GetError, PutError, TaskDoneError};
use crate::storage::{Drained, Storage};
use crate::tasks::{Counts, ONE, Tasks, signed_between};
use crate::wait::{
    Backoff, Padded, QUEUE_GET, QUEUE_PUT, QUEUE_SHUTDOWN, SIMPLE_QUEUE_GET, batch, wake_all,
    wake_one,
};
use bobbin_lock::{Lock, LockGuard};
use bobbin_park::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering, fence};
use bobbin_park::{DEFAULT_PARK_TOKEN, Deadline, ParkResult, SpinWait, WaitLabel, park};

/// `state`: `shutdown` or `shutdown_immediate` was called; puts fail.
const CLOSED: u64 = 1 << 0;
/// `state`: getters may be parked on `state`.
const GET_PARKED: u64 = 1 << 1;
/// `putters`: putters may be parked on `putters`.
const PUT_PARKED: u8 = 1 << 0;
/// `closing`: `shutdown` or `shutdown_immediate` has begun.
const CLOSING: u8 = 1 << 0;
/// `closing`: `shutdown_immediate` has begun; gets fail.
const IMMEDIATE: u8 = 1 << 1;
/// `closing`: a shutdown has settled: every put that beat it has its item
/// in the storage or has failed, so no item will ever be added.
const SETTLED: u8 = 1 << 2;
/// How many puts apart the limit is checked, so that a put reads `done`
/// (which consumers write) only once in a while; the count can pass the
/// limit by this much at most, far from 2^62.
const TASK_CHECK_EVERY: u64 = 1 << 16;

/// How many items the getters are owed by a queue whose count of begun
/// puts ([`Core::began`]) and count of takes ([`Core::taken`]) are these:
/// the puts that began and are not over for the getters (their item is
/// held, or on its way, or popped by a get that has not counted it yet).
/// Negative when the takes were read after the begun puts and count puts
/// that began in between. The true difference is never near 2^61: it is at
/// most the items held plus one put under way per thread.
#[inline]
fn owed(began: u64, taken: u64) -> i64 {
    signed_between(began, taken)
}

/// Makes the calling thread the owner of one side's `owned` count if no
/// thread is yet ([`PutSide::owner`], [`GetSide::owner`]); true if it did.
/// The owner is set once and never changes, so the load first keeps every
/// later caller off a read-modify-write. Relaxed: the owner word orders
/// nothing; the counts carry their own orderings.
#[inline]
fn claim_owner(owner: &AtomicUsize) -> bool {
    owner.load(Ordering::Relaxed) == 0
        && owner
            .compare_exchange(
                0,
                bobbin_park::thread::current_id(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
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

/// The words every put writes or reads.
///
/// The puts that began (each one a task) are counted in two words, times
/// [`ONE`] (wrapping): `owned`, which only the queue's first putter ever
/// writes, and `state`'s count, for everyone else. Their sum is the count
/// ([`Core::began`]).
#[derive(Debug)]
struct PutSide {
    /// The puts begun by threads other than the owner, times [`ONE`]
    /// (wrapping), [`CLOSED`] and [`GET_PARKED`]; also the key getters park
    /// on.
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
    /// The puts begun by the owner, times [`ONE`] (wrapping). Written only
    /// by the thread whose identifier is in `owner` (identifiers are never
    /// reused), so a load and a store count exactly. It may rise after
    /// `CLOSED` is set, but only by puts that then see `CLOSED` and are
    /// counted over at once (see [`Core::begin_owned_put`]).
    owned: AtomicU64,
    /// The thread that counts its puts in `owned` (bobbin-park's
    /// identifier), or 0 until the queue's first put claims it. Set once,
    /// never changed after.
    owner: AtomicUsize,
}

/// The words every get of a tracked queue writes or reads.
///
/// The puts that are over for the getters (their item was taken by a get
/// or by `shutdown_immediate`, or their push failed) are counted in two
/// words, times [`ONE`] (wrapping): `owned`, which only the queue's
/// first getter ever writes, and `taken`, for everyone else. Their sum is
/// the count ([`Core::taken`]). `SimpleQueue` counts nothing here.
///
/// # Invariants
///
/// - Each put is counted at most once, after it began, so the sum never
///   passes the begun count ([`Core::began`]) as it was when the last
///   counted put began.
/// - `owned` is written only by the thread whose identifier is in `owner`
///   (identifiers are never reused), so a load and a store count exactly;
///   every change of `taken` is a read-modify-write.
/// - `PUT_PARKED` is changed only with the putters' queue locked, and is
///   set whenever a putter is parked.
#[derive(Debug)]
struct GetSide {
    /// The puts over for the getters counted by threads other than the
    /// owner, by `shutdown_immediate` and by failed pushes.
    taken: AtomicU64,
    /// The puts over for the getters counted by the owner, its gets.
    owned: AtomicU64,
    /// The thread that counts its gets in `owned` (bobbin-park's
    /// identifier), or 0 until the queue's first counted get claims it.
    /// Set once, never changed after. It also counts its `task_done`s on
    /// its own (see [`crate::tasks`]).
    owner: AtomicUsize,
    /// [`PUT_PARKED`]; also the key putters park on. On the getters' line,
    /// which only a putter about to park writes, since every get of a
    /// bounded queue reads it.
    putters: AtomicU8,
    /// 1 while getters may be parked: a copy of [`GET_PARKED`], changed with
    /// it under the getters' queue lock, that a getter reads to decide
    /// whether to wait before parking, so that it does not read `state`, a
    /// word every put writes, each time it finds the queue empty.
    getters: AtomicU8,
    /// [`CLOSING`] once `shutdown` or `shutdown_immediate` has begun,
    /// [`IMMEDIATE`] once the latter has, and [`SETTLED`] once the
    /// shutdown's wait for the puts that beat it is over: a copy of
    /// [`CLOSED`] that getters read when they find the storage empty, so
    /// that a get on an open queue never reads `state`. Set before
    /// `CLOSED`, never cleared.
    closing: AtomicU8,
    /// The turn to spin waiting for a shutdown to settle (see
    /// [`Core::get_after_close`]): one thread at a time, so that waiters do
    /// not crowd out the threads they wait for.
    turn: Lock<()>,
}

/// A tracked put between [`Core::begin_put`] and its push: dropping it
/// before the push has succeeded counts the put over (in
/// [`GetSide::taken`], and its task done), on every path out of `try_put`,
/// unwinding included.
struct Pending<'a, S: Storage, const TRACKED: bool> {
    core: &'a Core<S, TRACKED>,
    /// Whether the item went in.
    pushed: bool,
}

impl<S: Storage, const TRACKED: bool> Drop for Pending<'_, S, TRACKED> {
    #[inline]
    fn drop(&mut self) {
        if !self.pushed {
            self.core.abandon_put();
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
                owned: AtomicU64::new(0),
                owner: AtomicUsize::new(0),
            }),
            tasks: Tasks::default(),
            gets: Padded(GetSide {
                taken: AtomicU64::new(0),
                owned: AtomicU64::new(0),
                owner: AtomicUsize::new(0),
                putters: AtomicU8::new(0),
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
                    self.wake_getter_after_push();
                    Ok(())
                }
                Err(item) => Err(PutError::Full(item)),
            };
        }
        if !self.begin_put() {
            return Err(PutError::ShutDown(item));
        }
        // Counts the put over if the push fails, also if the storage
        // unwinds: a put never counted as over would make every later
        // shutdown wait for it forever.
        let mut pending = Pending {
            core: self,
            pushed: false,
        };
        match self.storage.push(item) {
            Ok(()) => {
                pending.pushed = true;
                self.wake_getter_after_push();
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
        let putters = &self.gets.0.putters;
        let state = &self.puts.0.state;
        let mut backoff = Backoff::new();
        // Wait before parking only if no putter is parked yet (one that is
        // was here first). Read once, not on every round: it is on the
        // line every get writes.
        let mut waiting = putters.load(Ordering::Relaxed) & PUT_PARKED == 0;
        loop {
            if deadline.has_passed() {
                // One last look: a waiter for a batch may have let room
                // come and go unused.
                return self.try_put(item);
            }
            waiting = waiting && backoff.wait();
            if !waiting {
                let validate = || {
                    // The handshake with a get (`count_taken`): the flag,
                    // then `is_full`'s `SeqCst` loads.
                    putters.fetch_or(PUT_PARKED, Ordering::SeqCst);
                    state.load(Ordering::Relaxed) & CLOSED == 0 && self.storage.is_full()
                };
                let timed_out = |_, was_last: bool| {
                    if was_last {
                        putters.fetch_and(!PUT_PARKED, Ordering::Relaxed);
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
    /// true if it did. A [`Pending`] finishes the put.
    ///
    /// The queue's first putter (its *owner*) counts in `owned`, which no
    /// other thread writes, with a load and a store; the others with a
    /// compare-and-swap of `state` that fails once [`CLOSED`] is set.
    ///
    /// # Panics
    ///
    /// If 2^61 tasks are unfinished (checked every [`TASK_CHECK_EVERY`]
    /// puts of each kind), before anything changes.
    #[inline]
    fn begin_put(&self) -> bool {
        if self.puts.0.owner.load(Ordering::Relaxed) == bobbin_park::thread::current_id() {
            self.begin_owned_put()
        } else {
            self.begin_shared_put()
        }
    }

    /// The owner's begin: a load and a store of `owned`, then a look at
    /// [`CLOSED`].
    ///
    /// The count and `close` are a store-buffering handshake: the count,
    /// then `CLOSED`; `close` sets `CLOSED`, then reads the count. A light
    /// fence here and a heavy one in `close` ([`bobbin_park::asymmetric`])
    /// make either this put see `CLOSED`, or `close` count it (or both),
    /// without a barrier on this path once the process is registered for
    /// `membarrier`. A put that sees `CLOSED` is counted over at once, so
    /// the count `close` waits for is reached either way.
    #[inline]
    fn begin_owned_put(&self) -> bool {
        let puts = &self.puts.0;
        let owned = puts.owned.load(Ordering::Relaxed);
        if owned & ((TASK_CHECK_EVERY - 1) * ONE) == 0 {
            self.tasks.check_limit(|| self.began());
        }
        // Relaxed: the storage's push (release) and pop (acquire) carry this
        // count to the getter, before its `task_done`.
        puts.owned.store(owned.wrapping_add(ONE), Ordering::Relaxed);
        bobbin_park::asymmetric::light();
        if puts.state.load(Ordering::Relaxed) & CLOSED != 0 {
            // Acquire: as in `begin_shared_put`.
            fence(Ordering::Acquire);
            self.abandon_put();
            return false;
        }
        true
    }

    /// The begin of a put by a thread that is not the owner: it claims the
    /// ownership if no thread has, else counts in `state` with a
    /// compare-and-swap that fails once the queue is shut down.
    #[inline(never)]
    fn begin_shared_put(&self) -> bool {
        let puts = &self.puts.0;
        if claim_owner(&puts.owner) {
            // Makes the owner's light fence cheap from now on (once per
            // process; it returns at once).
            bobbin_park::asymmetric::prepare();
            return self.begin_owned_put();
        }
        let state = &puts.state;
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
                self.tasks.check_limit(|| self.began());
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

    /// The puts that began: `state` (with its flags) plus the owner's count.
    /// Each read acquires, so a count that includes a put sees what came
    /// before it.
    #[inline]
    fn began(&self) -> u64 {
        let puts = &self.puts.0;
        let state = puts.state.load(Ordering::Acquire);
        state.wrapping_add(puts.owned.load(Ordering::Acquire))
    }

    /// A tracked put whose push failed (or unwound), or an owner's put that
    /// saw the queue shut down after counting itself: its task is done, and
    /// it is over for the getters (and for `close`, which may count it).
    #[cold]
    fn abandon_put(&self) {
        // Over for the getters first: `finish` finishes tasks within the
        // puts counted over (see `Tasks::finish`).
        self.gets.0.taken.fetch_add(ONE, Ordering::AcqRel);
        self.tasks.finish(self, 1);
    }

    /// A put's half of the getters' handshake: `SeqCst`, after the push's
    /// `SeqCst` claim, against the getters' `SeqCst` flag and `is_empty`
    /// (see the module docs).
    #[inline]
    fn wake_getter_after_push(&self) {
        if self.puts.0.state.load(Ordering::SeqCst) & GET_PARKED != 0 {
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

    /// Takes an item if there is one now. While a shutdown is settling
    /// (see [`Core::get_after_close`]) it waits for the answer.
    #[inline]
    pub(crate) fn try_get(&self) -> Result<S::Item, GetError> {
        self.try_get_by(Deadline::never())
    }

    /// [`Core::try_get`], waiting for a settling shutdown only until
    /// `deadline`.
    #[inline]
    fn try_get_by(&self, deadline: Deadline) -> Result<S::Item, GetError> {
        match self.storage.pop() {
            Some(item) => {
                self.count_taken();
                Ok(item)
            }
            None => self.try_get_empty(deadline),
        }
    }

    /// A tracked get's count of the item it took, then its half of the
    /// putters' handshake: wake a parked putter if there may be one.
    ///
    /// The queue's first getter counts in `owned`, which no other thread
    /// writes, with a load and a store: Python's one-consumer loop then
    /// pays no read-modify-write beyond the storage's own. The flag is read
    /// with a `SeqCst` load after the pop's `SeqCst` claim, against the
    /// putter's `SeqCst` flag and `is_full` (see the module docs).
    #[inline]
    fn count_taken(&self) {
        if TRACKED {
            let gets = &self.gets.0;
            if gets.owner.load(Ordering::Relaxed) == bobbin_park::thread::current_id() {
                // Release, as the read-modify-write of `taken`: whoever
                // reads the count sees the get (see `Tasks::task_done`).
                let owned = gets.owned.load(Ordering::Relaxed);
                gets.owned.store(owned.wrapping_add(ONE), Ordering::Release);
            } else {
                self.count_taken_shared();
            }
            if self.maxsize != 0 && gets.putters.load(Ordering::SeqCst) & PUT_PARKED != 0 {
                self.wake_putter();
            }
        }
    }

    /// The count of a get by a thread that is not the owner: it claims the
    /// ownership if no thread has, else counts in `taken`.
    fn count_taken_shared(&self) {
        let gets = &self.gets.0;
        if claim_owner(&gets.owner) {
            // Makes the light fence of the owner's `task_done` cheap from
            // now on (once per process; it returns at once).
            bobbin_park::asymmetric::prepare();
            let owned = gets.owned.load(Ordering::Relaxed);
            gets.owned.store(owned.wrapping_add(ONE), Ordering::Release);
        } else {
            gets.taken.fetch_add(ONE, Ordering::Release);
        }
    }

    /// The puts that are over for the getters: `taken` plus `owned`. Each
    /// read acquires, so a count that includes a get or a failed push sees
    /// what came before it; a get still between its pop and its count is
    /// in neither the count nor the storage.
    #[inline]
    fn taken(&self) -> u64 {
        let gets = &self.gets.0;
        let taken = gets.taken.load(Ordering::Acquire);
        taken.wrapping_add(gets.owned.load(Ordering::Acquire))
    }

    /// A try that found the storage empty: `Empty` while no shutdown has
    /// begun; else see [`Core::get_after_close`].
    #[inline]
    fn try_get_empty(&self, deadline: Deadline) -> Result<S::Item, GetError> {
        // No shutdown has begun: the queue was open and empty at the pop.
        // Reading the copy of `CLOSED` on the getters' line rather than
        // `state` keeps a waiting getter off the line that every put
        // writes. Whoever saw the queue shut down (a failed put,
        // `is_shutdown`) did so after the `closing` store, so a get that
        // comes after them sees it too.
        if self.gets.0.closing.load(Ordering::Acquire) == 0 {
            return Err(GetError::Empty);
        }
        self.get_after_close(deadline)
    }

    /// A get that found the storage empty once a shutdown has begun:
    /// `ShutDown` at once after an immediate one; else an item if one is
    /// there, `ShutDown` once the shutdown has settled (no item will come),
    /// and until then it waits for the shutdown to settle (a few
    /// instructions of each put that beat it, unless a thread was
    /// preempted), returning `Empty` if `deadline` passes first.
    ///
    /// One waiter spins at a time, holding the turn; the others wait for it
    /// parked, so that spinners do not crowd out the shutdown they wait for.
    #[cold]
    fn get_after_close(&self, deadline: Deadline) -> Result<S::Item, GetError> {
        // Once without the turn: most gets after a shutdown find an item or
        // the end at once.
        if let Some(answer) = self.look_after_close() {
            return answer;
        }
        let _label = WaitLabel::unless_labelled(&QUEUE_GET);
        let Some(_turn) = self.turn(deadline) else {
            return Err(GetError::Empty);
        };
        let mut spin = SpinWait::new();
        loop {
            if let Some(answer) = self.look_after_close() {
                return answer;
            }
            if deadline.has_passed() {
                return Err(GetError::Empty);
            }
            if !spin.spin() {
                bobbin_park::thread::yield_now();
            }
        }
    }

    /// Reads `closing`, then looks at the storage: `ShutDown` after an
    /// immediate shutdown, an item, or `ShutDown` if the shutdown had
    /// settled before the look (so that no item can come after it); `None`
    /// if neither yet.
    fn look_after_close(&self) -> Option<Result<S::Item, GetError>> {
        // Acquire: a settled shutdown saw every put that beat it in the
        // storage or over, and the pop below sees those items.
        let closing = self.gets.0.closing.load(Ordering::Acquire);
        if closing & IMMEDIATE != 0 {
            return Some(Err(GetError::ShutDown));
        }
        if let Some(item) = self.storage.pop() {
            self.count_taken();
            return Some(Ok(item));
        }
        (closing & SETTLED != 0).then_some(Err(GetError::ShutDown))
    }

    /// The turn to spin waiting for a shutdown to settle, or `None` if
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
                    // The handshake with a put: the flag, then `is_empty`'s
                    // `SeqCst` loads (see the module docs). A shutdown that
                    // has begun is waited out rather than parked on.
                    state.fetch_or(GET_PARKED, Ordering::SeqCst);
                    self.gets.0.getters.store(1, Ordering::Relaxed);
                    self.gets.0.closing.load(Ordering::Relaxed) == 0 && self.storage.is_empty()
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
                    // Woken, an item came or a shutdown began: look again.
                    ParkResult::Invalid | ParkResult::Unparked(_) => {}
                }
            } else if self.gets.0.closing.load(Ordering::Relaxed) == 0
                && !backoff.ready(self.storage.len(), batch(self.maxsize))
            {
                // No batch of items yet (see `Backoff`): wait on rather than
                // take the item a put is still writing.
                continue;
            }
            match self.try_get_by(deadline) {
                Err(GetError::Empty) => {}
                done => return done,
            }
        }
    }

    /// Wakes one parked putter, as Python's `not_full.notify()`.
    #[cold]
    fn wake_putter(&self) {
        let putters = &self.gets.0.putters;
        wake_one(putters, || {
            putters.fetch_and(!PUT_PARKED, Ordering::Relaxed);
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
        self.tasks.task_done(self)
    }

    /// The count of unfinished tasks.
    #[inline]
    pub(crate) fn unfinished_tasks(&self) -> usize {
        self.tasks.unfinished(self)
    }

    /// Waits until every task is done or `deadline` passes; true if every
    /// task is done.
    #[inline]
    pub(crate) fn join_until(&self, deadline: Deadline) -> bool {
        self.tasks.join_until(self, deadline)
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
        // Over for the getters first, as in `abandon_put`. Usize to u64
        // never truncates on the platforms bobbin supports.
        self.gets
            .0
            .taken
            .fetch_add((items.len() as u64).wrapping_mul(ONE), Ordering::AcqRel);
        self.tasks.finish(self, items.len());
        self.wake_all_getters_and_putters();
        if let Some(payload) = panic {
            drop(items);
            std::panic::resume_unwind(payload);
        }
        items
    }

    /// Sets the shutdown flags, then waits until every put that began is in
    /// the storage or has failed, and says so ([`SETTLED`]): from then on no
    /// item is added.
    fn close(&self, closing: u8) {
        self.gets.0.closing.fetch_or(closing, Ordering::Relaxed);
        // Release: also publishes the `closing` change above. The count of
        // `state` is final from here on.
        self.puts.0.state.fetch_or(CLOSED, Ordering::AcqRel);
        // The heavy half of the owner's handshake (`begin_owned_put`): an
        // owner's put that this count misses sees `CLOSED`, and is counted
        // over on its own.
        bobbin_park::asymmetric::heavy();
        // The count of takes first, the items held second: a get between the
        // two reads leaves its item out of both, so the sum never counts a
        // put twice, and only delays the end of the wait. The begun puts
        // last, read again each time: an owner's put that this shutdown
        // would not have counted, but that saw `CLOSED` and counted itself
        // over in the takes, is then counted in both (its count comes before
        // its take), never in the takes alone, where it would stand in for
        // a put still adding its item.
        let done = || {
            let taken = self.taken();
            let held = self.storage.len() as i64;
            owed(self.began(), taken) <= held
        };
        if !done() {
            // A put that beat the shutdown is still adding its item: a few
            // instructions, unless its thread was preempted.
            let _label = WaitLabel::unless_labelled(&QUEUE_SHUTDOWN);
            let mut spin = SpinWait::new();
            while !done() {
                if !spin.spin() {
                    bobbin_park::thread::yield_now();
                }
            }
        }
        // Release: a get that reads this sees every item counted above.
        self.gets.0.closing.fetch_or(SETTLED, Ordering::Release);
    }

    /// Wakes every parked getter and putter, which then see the shutdown.
    fn wake_all_getters_and_putters(&self) {
        wake_all(&self.puts.0.state, || self.clear_get_parked());
        let putters = &self.gets.0.putters;
        wake_all(putters, || {
            putters.fetch_and(!PUT_PARKED, Ordering::Relaxed);
        });
    }
}

/// The lock-free engine's counts, for [`Tasks`]: its first getter owns
/// the gets and may count its `task_done`s on its own.
impl<S: Storage, const TRACKED: bool> Counts for Core<S, TRACKED> {
    const OWNED: bool = true;

    #[inline]
    fn began(&self) -> u64 {
        Core::began(self)
    }

    #[inline]
    fn taken(&self) -> u64 {
        Core::taken(self)
    }

    #[inline]
    fn taken_shared(&self) -> u64 {
        self.gets.0.taken.load(Ordering::Acquire)
    }

    #[inline]
    fn owner_taken(&self) -> Option<u64> {
        let gets = &self.gets.0;
        // The owner's own count, which it alone writes.
        (gets.owner.load(Ordering::Relaxed) == bobbin_park::thread::current_id())
            .then(|| gets.owned.load(Ordering::Relaxed))
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
    fn the_first_getter_owns_its_count_and_the_others_share_one() {
        let q = queue();
        for i in 0..3 {
            q.try_put(i).unwrap();
        }
        assert_eq!(q.try_get(), Ok(0));
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(q.try_get(), Ok(1)));
        });
        assert_eq!(q.try_get(), Ok(2));
        assert_eq!(
            q.gets.0.owner.load(Ordering::Relaxed),
            bobbin_park::thread::current_id()
        );
        assert_eq!(q.gets.0.owned.load(Ordering::Relaxed), 2 * ONE);
        assert_eq!(q.gets.0.taken.load(Ordering::Relaxed), ONE);
        assert_eq!(q.taken(), 3 * ONE);
    }

    #[test]
    fn the_first_putter_owns_its_count_and_the_others_share_one() {
        let q = queue();
        q.try_put(0).unwrap();
        std::thread::scope(|s| {
            s.spawn(|| q.try_put(1).unwrap());
        });
        q.try_put(2).unwrap();
        assert_eq!(
            q.puts.0.owner.load(Ordering::Relaxed),
            bobbin_park::thread::current_id()
        );
        assert_eq!(q.puts.0.owned.load(Ordering::Relaxed), 2 * ONE);
        assert_eq!(q.puts.0.state.load(Ordering::Relaxed) & !FLAGS, ONE);
        assert_eq!(q.unfinished_tasks(), 3);
        q.shutdown();
        // The owner's put counts itself, sees the shutdown and counts
        // itself over: its task is done and nothing waits for its item.
        assert_eq!(q.try_put(3), Err(PutError::ShutDown(3)));
        assert_eq!(q.puts.0.owned.load(Ordering::Relaxed), 3 * ONE);
        assert_eq!(q.unfinished_tasks(), 3);
        for i in 0..3 {
            assert_eq!(q.try_get(), Ok(i));
        }
        assert_eq!(q.try_get(), Err(GetError::ShutDown));
        for _ in 0..3 {
            q.task_done().unwrap();
        }
        assert!(q.task_done().is_err());
        assert!(q.join_until(Deadline::never()));
    }

    #[test]
    fn what_the_getters_are_owed_is_signed_and_wraps() {
        assert_eq!(owed(5 * ONE, 3 * ONE), 2);
        assert_eq!(owed((3 * ONE) | CLOSED | GET_PARKED, 5 * ONE), -2);
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
