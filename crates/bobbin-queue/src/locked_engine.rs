//! The engine of the queues whose items sit under a lock (`LifoQueue`,
//! `PriorityQueue`): CPython's monitor design (one mutex, conditions that
//! release it as they park, Python's `Lib/queue.py`), on bobbin's one-byte
//! `Lock` and parking lot.
//!
//! # The design
//!
//! Every change of the items already takes the storage lock, so this engine
//! does all its bookkeeping under that lock too, with plain loads and
//! stores: a put is the lock's acquire, a load of `state`, the push, two
//! stores and the lock's release, the two read-modify-writes that
//! `parking_lot::Mutex<Vec>` + `Condvar` pays; a get is the same without the
//! task count. The lock-free engine ([`Core`](crate::engine::Core)) pays
//! two read-modify-writes per put besides its storage's (the count of begun
//! puts and tasks, which shutdown waits on, and the end of the put, the
//! getters' handshake), which buy nothing when the storage is locked
//! anyway.
//!
//! - **Getters and putters wait as on a condition variable.** A getter that
//!   finds no item parks *while holding the storage lock*: its `validate`
//!   sets [`GET_PARKED`] in `state`, and its `before_sleep` releases the lock
//!   once it is queued (as parking_lot's `Condvar::wait` does). A put reads
//!   `state` under the same lock: if its critical section comes first, the
//!   getter finds the item; if it comes second, it sees `GET_PARKED` and, once
//!   it has released the lock, wakes a getter, which by then is queued (the
//!   parking lot's rule: every unpark takes the queue lock that `validate`
//!   ran under). Putters of a bounded queue wait for room the same way
//!   ([`PUT_PARKED`], read by gets).
//! - **Shutdown** sets [`CLOSED`] under the storage lock, so every put either
//!   pushed its item before (and a graceful shutdown leaves it to be
//!   drained, an immediate one takes it) or sees `CLOSED` and fails: no put
//!   is ever in flight, and no pending count is needed. A get that finds the
//!   storage empty reads `CLOSED` under the same lock.
//! - **Tasks** are two counts: `puts`, raised by every put under the lock (a
//!   plain store), and the finished tasks in [`Tasks`], raised by
//!   `task_done` with a compare-and-swap that never passes `puts`; the
//!   unfinished tasks are their difference (see [`crate::tasks`] for the
//!   joiners' handshake). A third, `taken`, raised by every get under the
//!   lock on a line of the getters' own, lets `task_done` after a get check
//!   its bound without reading `puts`.
//!
//! Items are never lost to a panic of an item's `Ord` (a `PriorityQueue`):
//! the storage keeps every item (see
//! [`PriorityStore`](crate::storage::PriorityStore)),
//! the task of an item that went in is counted before the push, the length
//! is stored when the push or pop ends, unwinding included, and a waiting
//! getter is woken as a put unwinds.

use crate::error::{GetError, PutError, TaskDoneError};
use crate::storage::{Collection, Drained};
use crate::tasks::{Counts, ONE, TASK_LIMIT, Tasks, count_between};
use crate::wait::{Backoff, Padded, QUEUE_GET, QUEUE_PUT, batch, wake_all, wake_one};
use bobbin_lock::{Lock, LockGuard};
use bobbin_park::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use bobbin_park::{DEFAULT_PARK_TOKEN, Deadline, Key, ParkResult, WaitKind, WaitLabel, park};
use core::cell::Cell;

/// `state`: `shutdown` or `shutdown_immediate` was called; puts fail.
const CLOSED: usize = 1 << 0;
/// `state`: getters may be parked on `state`.
const GET_PARKED: usize = 1 << 1;
/// `state`: putters may be parked on `putters`.
const PUT_PARKED: usize = 1 << 2;

/// The engine of `LifoQueue` and `PriorityQueue`: a [`Collection`] under a
/// `Lock`, with task tracking and shutdown.
pub(crate) struct LockedCore<C> {
    /// Everything a put or a get touches, on one cache line.
    shared: Padded<Shared<C>>,
    /// The items the gets took and `shutdown_immediate` drained, times
    /// [`ONE`] (wrapping, as `puts`), stored only under the storage lock: on
    /// a line of its own, so that `task_done` checks against it without
    /// reading `shared`, where every put writes (see [`crate::tasks`]).
    /// Never above `puts`.
    taken: Padded<AtomicU64>,
    /// The finished tasks (the begun ones are `puts`).
    tasks: Tasks,
    /// The bound, or 0 for an unbounded queue (Python's rule).
    maxsize: usize,
}

/// A [`LockedCore`]'s counts, for [`Tasks`]: no getter owns the gets (a
/// get already takes the storage lock), so every `task_done` raises the
/// shared count.
struct LockedCounts<'a> {
    /// [`Shared::puts`].
    puts: &'a AtomicU64,
    /// [`LockedCore::taken`].
    taken: &'a AtomicU64,
}

impl Counts for LockedCounts<'_> {
    const OWNED: bool = false;

    #[inline]
    fn began(&self) -> u64 {
        self.puts.load(Ordering::Acquire)
    }

    #[inline]
    fn taken(&self) -> u64 {
        self.taken.load(Ordering::Acquire)
    }

    #[inline]
    fn taken_shared(&self) -> u64 {
        self.taken()
    }

    #[inline]
    fn owner_taken(&self) -> Option<u64> {
        None
    }
}

/// The words of a [`LockedCore`] that puts and gets touch.
struct Shared<C> {
    /// The items.
    items: Lock<C>,
    /// [`CLOSED`], [`GET_PARKED`] and [`PUT_PARKED`]; also the key getters
    /// park on.
    ///
    /// # Invariants
    ///
    /// - `CLOSED` is set under the storage lock, and never cleared.
    /// - `GET_PARKED` is set by a getter's `validate` (holding the storage
    ///   lock) and cleared by an unpark or time-out callback, all with the
    ///   getters' queue locked; it is set whenever a getter is parked.
    /// - `PUT_PARKED` likewise for putters, on `putters`' queue.
    /// - Every change is a read-modify-write (the callbacks change it without
    ///   the storage lock).
    state: AtomicUsize,
    /// The collection's length, stored under the lock at the end of every
    /// change, so that `qsize` and friends never take the lock.
    len: AtomicUsize,
    /// Every task a put has counted, times [`ONE`] (wrapping, as `done`);
    /// stored only under the storage lock.
    puts: AtomicU64,
    /// A `done` value read by a put, stored under the storage lock: since
    /// `done` only grows, `puts - floor` bounds the unfinished tasks without
    /// reading `done` on every put.
    done_floor: AtomicU64,
    /// The key putters park on; never read.
    putters: AtomicU8,
}

/// Wakes a parked getter when dropped, if a put armed it: after the put has
/// released the storage lock, also when the push unwinds.
struct WakeGetter<'a, C>(&'a LockedCore<C>, bool);

impl<C> Drop for WakeGetter<'_, C> {
    #[inline]
    fn drop(&mut self) {
        if self.1 {
            self.0.wake_getter();
        }
    }
}

/// Wakes a parked putter when dropped, if a get armed it.
struct WakePutter<'a, C>(&'a LockedCore<C>, bool);

impl<C> Drop for WakePutter<'_, C> {
    #[inline]
    fn drop(&mut self) {
        if self.1 {
            self.0.wake_putter();
        }
    }
}

/// Stores a collection's length when dropped, at the end of a push, pop or
/// drain, also if an item's `Ord` panics in the middle of one.
struct Recount<'a, C: Collection> {
    items: &'a mut C,
    len: &'a AtomicUsize,
}

impl<C: Collection> Drop for Recount<'_, C> {
    #[inline]
    fn drop(&mut self) {
        self.len.store(self.items.count(), Ordering::Release);
    }
}

impl<C> LockedCore<C> {
    /// Wakes one parked getter, as Python's `not_empty.notify()`.
    #[cold]
    fn wake_getter(&self) {
        let state = &self.shared.0.state;
        wake_one(state, || {
            state.fetch_and(!GET_PARKED, Ordering::Relaxed);
        });
    }

    /// Parks on `key` holding the storage lock, as on a condition variable:
    /// `validate` sets `flag` in `state` (the lock keeps the storage as the
    /// caller found it), and `before_sleep` releases the lock once this
    /// thread is queued; a time-out clears `flag` if no thread is left
    /// parked on `key`.
    fn park_holding<K: Key>(
        &self,
        key: &K,
        flag: usize,
        items: LockGuard<'_, C>,
        kind: &'static WaitKind,
        deadline: Deadline,
    ) -> ParkResult {
        let state = &self.shared.0.state;
        // Released in `before_sleep`, or here if the park did not happen.
        let items = Cell::new(Some(items));
        let _label = WaitLabel::unless_labelled(kind);
        let parked = park(
            key,
            || {
                state.fetch_or(flag, Ordering::Relaxed);
                true
            },
            || drop(items.take()),
            |_, was_last: bool| {
                if was_last {
                    state.fetch_and(!flag, Ordering::Relaxed);
                }
            },
            DEFAULT_PARK_TOKEN,
            deadline,
        );
        drop(items.take());
        parked
    }

    /// Wakes one parked putter, as Python's `not_full.notify()`.
    #[cold]
    fn wake_putter(&self) {
        let state = &self.shared.0.state;
        wake_one(&self.shared.0.putters, || {
            state.fetch_and(!PUT_PARKED, Ordering::Relaxed);
        });
    }
}

impl<C: Collection> LockedCore<C> {
    /// An empty queue of at most `maxsize` items (0: no bound).
    pub(crate) fn with_maxsize(maxsize: usize) -> Self {
        LockedCore {
            shared: Padded(Shared {
                items: Lock::new(C::default()),
                state: AtomicUsize::new(0),
                len: AtomicUsize::new(0),
                puts: AtomicU64::new(0),
                done_floor: AtomicU64::new(0),
                putters: AtomicU8::new(0),
            }),
            taken: Padded(AtomicU64::new(0)),
            tasks: Tasks::default(),
            maxsize,
        }
    }

    // ---- put ----

    /// Adds an item if there is room now.
    #[inline]
    pub(crate) fn try_put(&self, item: C::Item) -> Result<(), PutError<C::Item>> {
        // Declared before the guard, so dropped after it: the getter wakes
        // once the lock is free.
        let mut wake = WakeGetter(self, false);
        let mut items = self.shared.0.items.acquire();
        self.put_locked(&mut items, item, &mut wake)
    }

    /// A put's work under the storage lock: refuse the item if the queue is
    /// shut down or full, else count its task and push it; `wake` learns
    /// whether a getter may be parked.
    #[inline]
    fn put_locked(
        &self,
        items: &mut C,
        item: C::Item,
        wake: &mut WakeGetter<'_, C>,
    ) -> Result<(), PutError<C::Item>> {
        let shared = &self.shared.0;
        // Relaxed: `CLOSED` and `GET_PARKED` are set under the lock, which
        // orders them with this load.
        let state = shared.state.load(Ordering::Relaxed);
        if state & CLOSED != 0 {
            return Err(PutError::ShutDown(item));
        }
        if self.maxsize != 0 && items.count() >= self.maxsize {
            return Err(PutError::Full(item));
        }
        // Only the lock's holder stores `puts`, so a load and a store do.
        let puts = shared.puts.load(Ordering::Relaxed);
        if count_between(puts, shared.done_floor.load(Ordering::Relaxed)) >= TASK_LIMIT {
            self.check_task_limit(puts);
        }
        // Release: `task_done` and joiners that read the count see the put.
        shared.puts.store(puts.wrapping_add(ONE), Ordering::Release);
        wake.1 = state & GET_PARKED != 0;
        // The task is counted before the item goes in: a push whose `Ord`
        // panics leaves the item in the heap, with its task.
        let items = Recount {
            items,
            len: &shared.len,
        };
        items.items.add(item);
        Ok(())
    }

    /// Reads the finished tasks again for a put that may find too many
    /// unfinished, and panics if it does, before anything has changed.
    #[cold]
    fn check_task_limit(&self, puts: u64) {
        // `puts` is read under the storage lock, where every put raises it:
        // it is the latest count, never older than what `done` counts.
        let done = self.tasks.check_limit(|| puts);
        self.shared.0.done_floor.store(done, Ordering::Relaxed);
    }

    /// Counts `n` items taken out, under the storage lock (the only place
    /// the count changes, so a load and a store do). Release: a `task_done`
    /// that acquires the count also sees the puts of those items.
    #[inline]
    fn count_taken(&self, n: usize) {
        let taken = &self.taken.0;
        // Usize to u64 never truncates on the platforms bobbin supports.
        let add = (n as u64).wrapping_mul(ONE);
        taken.store(
            taken.load(Ordering::Relaxed).wrapping_add(add),
            Ordering::Release,
        );
    }

    /// Adds an item, waiting for room until `deadline`.
    #[inline]
    pub(crate) fn put_until(
        &self,
        item: C::Item,
        deadline: Deadline,
    ) -> Result<(), PutError<C::Item>> {
        match self.try_put(item) {
            Err(PutError::Full(item)) => self.put_slow(item, deadline),
            done => done,
        }
    }

    /// The waiting part of a put: wait a few microseconds (the getters run
    /// ahead meanwhile, see [`Backoff`]), then park (releasing the storage
    /// lock once queued) until a get frees a slot, the queue shuts down or
    /// the deadline passes.
    #[cold]
    fn put_slow(&self, mut item: C::Item, deadline: Deadline) -> Result<(), PutError<C::Item>> {
        let shared = &self.shared.0;
        let mut backoff = Backoff::new();
        // Wait before parking only if no putter is parked yet (one that is
        // was here first).
        let mut waiting = shared.state.load(Ordering::Relaxed) & PUT_PARKED == 0;
        loop {
            if deadline.has_passed() {
                // One last look: a waiter for a batch may have let room
                // come and go unused.
                return self.try_put(item);
            }
            waiting = waiting && backoff.wait();
            if !waiting {
                let mut wake = WakeGetter(self, false);
                let mut items = shared.items.acquire();
                match self.put_locked(&mut items, item, &mut wake) {
                    Err(PutError::Full(back)) => item = back,
                    done => return done,
                }
                // Full, with the lock held: no get can free a slot before
                // this putter is queued with `PUT_PARKED` set.
                let parked =
                    self.park_holding(&shared.putters, PUT_PARKED, items, &QUEUE_PUT, deadline);
                if parked == ParkResult::TimedOut {
                    // One last try: a slot may have come free just now. A
                    // time-out is final, even where (under the model
                    // checker) the clock says otherwise.
                    return self.try_put(item);
                }
            } else if shared.state.load(Ordering::Relaxed) & CLOSED == 0
                && !backoff.ready(
                    self.maxsize
                        .saturating_sub(shared.len.load(Ordering::Relaxed)),
                    batch(self.maxsize),
                )
            {
                // No batch of room yet (see `Backoff`): read the length, not
                // the lock the getter this waits for needs.
                continue;
            }
            match self.try_put(item) {
                Err(PutError::Full(back)) => item = back,
                done => return done,
            }
        }
    }

    // ---- get ----

    /// Takes an item if there is one now.
    #[inline]
    pub(crate) fn try_get(&self) -> Result<C::Item, GetError> {
        let mut wake = WakePutter(self, false);
        let mut items = self.shared.0.items.acquire();
        self.get_locked(&mut items, &mut wake)
    }

    /// A get's work under the storage lock: take the next item, or say
    /// whether the queue is empty or shut down; `wake` learns whether a
    /// putter may be parked.
    #[inline]
    fn get_locked(&self, items: &mut C, wake: &mut WakePutter<'_, C>) -> Result<C::Item, GetError> {
        let shared = &self.shared.0;
        let taken = {
            let items = Recount {
                items,
                len: &shared.len,
            };
            items.items.take()
        };
        match taken {
            Some(item) => {
                self.count_taken(1);
                if self.maxsize != 0 {
                    wake.1 = shared.state.load(Ordering::Relaxed) & PUT_PARKED != 0;
                }
                Ok(item)
            }
            // After an immediate shutdown the storage is empty for good.
            None if shared.state.load(Ordering::Relaxed) & CLOSED != 0 => Err(GetError::ShutDown),
            None => Err(GetError::Empty),
        }
    }

    /// Takes an item, waiting for one until `deadline`.
    #[inline]
    pub(crate) fn get_until(&self, deadline: Deadline) -> Result<C::Item, GetError> {
        match self.try_get() {
            Err(GetError::Empty) => self.get_slow(deadline),
            done => done,
        }
    }

    /// The waiting part of a get: wait a few microseconds (the putters run
    /// ahead meanwhile, see [`Backoff`]), then park (releasing the storage
    /// lock once queued) until a put adds an item, the queue shuts down or
    /// the deadline passes.
    #[cold]
    fn get_slow(&self, deadline: Deadline) -> Result<C::Item, GetError> {
        let shared = &self.shared.0;
        let mut backoff = Backoff::new();
        // Wait before parking only if no getter is parked yet (one that is
        // was here first).
        let mut waiting = shared.state.load(Ordering::Relaxed) & GET_PARKED == 0;
        loop {
            if deadline.has_passed() {
                // One last look: a waiter for a batch may have left items
                // there untaken.
                return self.try_get();
            }
            waiting = waiting && backoff.wait();
            if !waiting {
                let mut wake = WakePutter(self, false);
                let mut items = shared.items.acquire();
                match self.get_locked(&mut items, &mut wake) {
                    Err(GetError::Empty) => {}
                    done => return done,
                }
                // Empty, with the lock held: no put can add an item before
                // this getter is queued with `GET_PARKED` set.
                let parked =
                    self.park_holding(&shared.state, GET_PARKED, items, &QUEUE_GET, deadline);
                if parked == ParkResult::TimedOut {
                    return self.try_get();
                }
            } else if shared.state.load(Ordering::Relaxed) & CLOSED == 0
                && !backoff.ready(shared.len.load(Ordering::Relaxed), batch(self.maxsize))
            {
                // No batch of items yet (see `Backoff`): read the length, not
                // the lock the putter this waits for needs.
                continue;
            }
            match self.try_get() {
                Err(GetError::Empty) => {}
                done => return done,
            }
        }
    }

    // ---- sizes ----

    /// The number of items in the queue.
    #[inline]
    pub(crate) fn qsize(&self) -> usize {
        self.shared.0.len.load(Ordering::Acquire)
    }

    /// Whether the queue holds no item.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether the queue holds `maxsize` items (never for an unbounded one).
    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        self.maxsize != 0 && self.qsize() >= self.maxsize
    }

    /// The bound, or 0 for an unbounded queue.
    #[inline]
    pub(crate) fn maxsize(&self) -> usize {
        self.maxsize
    }

    // ---- tasks ----

    /// The counts [`Tasks`] checks against.
    #[inline]
    fn counts(&self) -> LockedCounts<'_> {
        LockedCounts {
            puts: &self.shared.0.puts,
            taken: &self.taken.0,
        }
    }

    /// The count of unfinished tasks.
    #[inline]
    pub(crate) fn unfinished_tasks(&self) -> usize {
        self.tasks.unfinished(&self.counts())
    }

    /// Marks one task done.
    pub(crate) fn task_done(&self) -> Result<(), TaskDoneError> {
        self.tasks.task_done(&self.counts())
    }

    /// Waits until every task is done or `deadline` passes; true if every
    /// task is done.
    #[inline]
    pub(crate) fn join_until(&self, deadline: Deadline) -> bool {
        self.tasks.join_until(&self.counts(), deadline)
    }

    // ---- shutdown ----

    /// Whether `shutdown` or `shutdown_immediate` was called.
    #[inline]
    pub(crate) fn is_shutdown(&self) -> bool {
        self.shared.0.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Python's `shutdown(immediate=False)`: puts fail from now on, gets
    /// drain what is left and then fail; every blocked putter and getter
    /// wakes.
    pub(crate) fn shutdown(&self) {
        drop(self.close());
        self.wake_all_getters_and_putters();
    }

    /// Python's `shutdown(immediate=True)`, returning the items it removes.
    ///
    /// The shutdown always completes (every item removed and its task
    /// finished, every waiter woken) before a panic of an item's `Ord`
    /// (a `PriorityQueue` ordering what it returns) reaches the caller; the
    /// items then go with it, dropped, as Python's shutdown discards them.
    pub(crate) fn shutdown_immediate(&self) -> Vec<C::Item> {
        let Drained { items, panic } = {
            let mut guard = self.close();
            let drained = Recount {
                items: &mut *guard,
                len: &self.shared.0.len,
            }
            .items
            .take_all();
            // Under the lock, so that `puts` stands still.
            self.count_taken(drained.items.len());
            self.tasks.finish(&self.counts(), drained.items.len());
            drained
        };
        self.wake_all_getters_and_putters();
        if let Some(payload) = panic {
            drop(items);
            std::panic::resume_unwind(payload);
        }
        items
    }

    /// Sets `CLOSED` under the storage lock, and returns the lock: from then
    /// on no item is added.
    fn close(&self) -> LockGuard<'_, C> {
        let items = self.shared.0.items.acquire();
        // Release: a thread that sees `is_shutdown` and then gets sees the
        // shutdown under the lock (it does anyway, through the lock).
        self.shared.0.state.fetch_or(CLOSED, Ordering::Release);
        items
    }

    /// Wakes every parked getter and putter, which then see the shutdown.
    fn wake_all_getters_and_putters(&self) {
        let state = &self.shared.0.state;
        wake_all(state, || {
            state.fetch_and(!GET_PARKED, Ordering::Relaxed);
        });
        wake_all(&self.shared.0.putters, || {
            state.fetch_and(!PUT_PARKED, Ordering::Relaxed);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_stack_pops_the_last_pushed_and_keeps_its_bound() {
        let stack = LockedCore::<Vec<i32>>::with_maxsize(2);
        assert_eq!(stack.try_put(1), Ok(()));
        assert_eq!(stack.try_put(2), Ok(()));
        assert!(stack.is_full());
        assert_eq!(stack.try_put(3), Err(PutError::Full(3)));
        assert_eq!(stack.qsize(), 2);
        assert_eq!(stack.unfinished_tasks(), 2);
        assert_eq!(stack.try_get(), Ok(2));
        assert_eq!(stack.try_get(), Ok(1));
        assert_eq!(stack.try_get(), Err(GetError::Empty));
        assert!(stack.is_empty());
        assert_eq!(stack.unfinished_tasks(), 2);
    }

    #[test]
    fn the_task_counts_may_wrap_around_without_changing_the_difference() {
        // Both counts just below the wrap: puts and task_dones carry them
        // past it, and the unfinished tasks stay exact.
        let q = LockedCore::<Vec<i32>>::with_maxsize(0);
        let near = u64::MAX - ONE + 1;
        q.shared.0.puts.store(near, Ordering::Relaxed);
        q.shared.0.done_floor.store(near, Ordering::Relaxed);
        q.taken.0.store(near, Ordering::Relaxed);
        q.tasks.word().store(near, Ordering::Relaxed);
        assert_eq!(q.unfinished_tasks(), 0);
        for i in 0..3 {
            q.try_put(i).unwrap();
        }
        assert_eq!(q.unfinished_tasks(), 3);
        for _ in 0..3 {
            q.try_get().unwrap();
            q.task_done().unwrap();
        }
        assert_eq!(q.unfinished_tasks(), 0);
        assert!(q.task_done().is_err());
        assert!(q.join_until(Deadline::never()));
    }

    #[test]
    fn a_put_past_the_task_limit_panics_and_changes_nothing() {
        let q = LockedCore::<Vec<i32>>::with_maxsize(0);
        q.shared.0.puts.store(TASK_LIMIT * ONE, Ordering::Relaxed);
        let put = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| q.try_put(1)));
        assert!(put.is_err());
        assert_eq!(q.qsize(), 0);
        assert_eq!(q.unfinished_tasks() as u64, TASK_LIMIT);
        // The lock was released as the panic unwound, and a `task_done`
        // makes room again.
        q.task_done().unwrap();
        assert_eq!(q.try_put(1), Ok(()));
        assert_eq!(q.try_get(), Ok(1));
    }
}
