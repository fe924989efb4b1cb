//! Python's `task_done` and `join` for both engines: a count of finished
//! tasks beside each engine's own count of begun ones.
//!
//! A task begins with its put, which each engine counts its own way (the
//! lock-free engine when the put begins, the locked one under its storage
//! lock) in a word with the count above two flag
//! bits, modulo 2^62. [`Tasks`] counts the finished ones the same way and
//! holds the joiners' parked flag; the unfinished tasks are the difference.
//!
//! # `task_done` off the putters' cache line
//!
//! Python's `task_done` fails only when it is called more times than items
//! were put. The begun count that says so is on the putters' cache line,
//! which every put writes; reading it on every `task_done` pulled that line
//! to the consumer and back for every item. Each engine also counts the
//! items the getters took, on a line of their own, and never above the
//! begun count. So a `task_done` that is behind the items taken cannot be
//! one too many, and reads only the getters' counts.
//!
//! # The owner's count
//!
//! Even off the putters' line, a read-modify-write per `task_done` cost
//! Python's one-consumer worker loop about as much as the put and the get
//! together (its full barrier drains the store buffer on every item). So
//! the queue's first getter (the engine's *owner* of the gets, which counts
//! its gets with a load and a store) also counts its `task_done`s in a
//! word of its own, `owned`, with two plain stores and a light fence (see
//! below); everyone else raises the shared count `done` with a
//! compare-and-swap. The finished tasks are the
//! sum. (The locked engine has no owner: its gets take the storage lock
//! anyway, and every `task_done` there makes the exact check below.) Two
//! bounds keep the sum from ever passing the begun count without either
//! side reading the other's word:
//!
//! - the owner counts in `owned` only while it is behind its own gets, and
//! - the others count in `done` only while it is behind the items taken by
//!   threads other than the owner (and the puts counted over, which
//!   [`finish`](Tasks::finish) finishes).
//!
//! Every item is taken once and was put, so the two counts of items taken
//! add up to at most the begun count, and so do the two counts of tasks
//! done. Python's loops (one consumer, or several, each marking its own
//! items) stay within these bounds. A `task_done` outside them (for an item
//! another thread took, or one still in the queue) needs the exact sum:
//! it *freezes* the owner's count for good ([`FROZEN`]), after which every
//! `task_done` raises `done` with the exact check Python makes.
//!
//! # The owner's handshakes
//!
//! The owner publishes a store in progress ([`BUSY`] in `owned`), then
//! looks at `done`'s flags, then stores its new count (or its old one, if
//! it found the count frozen). Against it, a freezer sets [`FROZEN`] and a
//! joiner [`JOIN_PARKED`], each with a read-modify-write, then reads
//! `owned`: a store-buffering handshake, with the owner's half a light
//! fence and the other half a heavy one ([`bobbin_park::asymmetric`]).
//! Either the owner sees the flag, or the other side sees `BUSY` (and waits
//! the few instructions until the owner's final store) or the count after
//! it. So the count in `owned` only ever holds counted tasks, a freezer
//! learns the owner's last count (it publishes it in `folded`, which every
//! exact check then uses), and a joiner either counts the owner's last
//! task, or the owner sees the joiner and wakes it.
//!
//! Those waits take turns on a lock: the freezer holds it from its flag to
//! its `folded`, so a wait for `folded` is a wait for the lock, and a wait
//! for the owner's `BUSY` takes it too, so that one thread at a time spins.
//! The owner never waits while its `BUSY` is set, and a joiner does not
//! wait with the joiners' queue locked: it looks again once the owner's
//! store is over.
//!
//! A joiner waits for the last task: whoever finishes it must see the
//! joiner's flag and know that it is the last. The owner knows its own
//! count exactly and reads `done`, which the others may be raising at the
//! same moment; the others raise `done` and could not see the owner's
//! count without a heavy fence. When the last two tasks end at once, one
//! by the owner and one by another thread, each could miss the other. So
//! another thread that raises `done` while a joiner waits, and finds no
//! item taken by the others still unfinished (its task may be the last),
//! freezes the owner's count and checks exactly; the owner checks with the
//! `done` it read, and wakes the joiners if that is the end. If the owner's
//! check misses a concurrent raise of `done`, that raise found no item of
//! the others unfinished (the last task was among them), froze, and checks
//! exactly after the owner's count is known. ([`Tasks::finish`], rare, also
//! freezes when it finds a joiner waiting.)
//!
//! # The joiners' handshake
//!
//! A joiner sets [`JOIN_PARKED`] with a read-modify-write of `done`, then
//! reads the owner's count (above) and the begun count; a raise of `done`
//! reads the flag from its own read-modify-write, and only if the flag is
//! set reads the begun count, after it. The two read-modify-writes are
//! ordered in `done`'s modification order: either the joiner's comes second
//! and reads the raise, or the raise's does and sees the flag. A `task_done`
//! that finishes the last task has acquired, through the counts it checked
//! against, every put whose task it finishes, so the begun count it reads
//! after its raise is never below those puts.

use crate::error::TaskDoneError;
use crate::wait::{Padded, QUEUE_JOIN, wake_all};
use bobbin_lock::Lock;
use bobbin_park::sync::atomic::{AtomicU64, Ordering};
use bobbin_park::{DEFAULT_PARK_TOKEN, Deadline, ParkResult, SpinWait, WaitLabel, park};
use std::cell::Cell;

/// `done`: joiners may be parked on `done`.
const JOIN_PARKED: u64 = 1 << 0;
/// `done`: the owner's count is frozen; every `task_done` raises `done`
/// with the exact check (see the module docs). Set once, never cleared.
const FROZEN: u64 = 1 << 1;
/// `owned`: the owner is between its look at `done`'s flags and the store
/// of its count; the count beside it is the one before.
const BUSY: u64 = 1 << 0;
/// `folded` before a freezer has published the owner's last count (no
/// count has a flag bit set).
const NOT_FOLDED: u64 = 1;
/// One put or task: the counting words count in the bits above their two
/// flag bits, wrapping around, so that the difference of two counts is
/// exact while it stays below 2^62.
pub(crate) const ONE: u64 = 1 << 2;
/// The flag bits of a counting word.
const FLAGS: u64 = ONE - 1;
/// A put that finds this many unfinished tasks panics rather than let the
/// difference of the counts become ambiguous (2^61 tasks).
pub(crate) const TASK_LIMIT: u64 = 1 << 61;

/// How many puts or tasks `later`'s count is ahead of `earlier`'s.
#[inline]
pub(crate) fn count_between(later: u64, earlier: u64) -> u64 {
    (later & !FLAGS).wrapping_sub(earlier & !FLAGS) / ONE
}

/// [`count_between`] read as signed: negative when `later` is behind. Exact
/// while the true difference is within ±2^61, which holds for any two of
/// a queue's counts (they never drift apart by the unfinished tasks or the
/// items held, each below 2^61).
#[inline]
pub(crate) fn signed_between(later: u64, earlier: u64) -> i64 {
    // The count difference times `ONE` (4) modulo 2^64, read as signed.
    (count_between(later, earlier) << 2) as i64 >> 2
}

/// The sum of two counts, without flags.
#[inline]
fn sum(a: u64, b: u64) -> u64 {
    (a & !FLAGS).wrapping_add(b & !FLAGS)
}

/// What [`Tasks`] reads of its engine's counts. Each read acquires, so a
/// count that includes a put or a get sees what came before it.
pub(crate) trait Counts {
    /// Whether the engine has an owner of its gets that may count its
    /// `task_done`s in [`Tasks`]' `owned` (the lock-free engine).
    const OWNED: bool;
    /// The begun tasks (puts), times [`ONE`].
    fn began(&self) -> u64;
    /// The puts over for the getters (items taken, failed puts, items an
    /// immediate shutdown removed), times [`ONE`]; never above
    /// [`began`](Counts::began).
    fn taken(&self) -> u64;
    /// The part of [`taken`](Counts::taken) not counted by the owner of
    /// the gets.
    fn taken_shared(&self) -> u64;
    /// If the calling thread is the owner of the gets, its own count of the
    /// items it took (which it alone writes).
    fn owner_taken(&self) -> Option<u64>;
}

/// The words of [`Tasks`], on one cache line (its lock too: taken only
/// on the rare paths, and it keeps [`Tasks`] one line long).
#[derive(Debug)]
struct Words {
    /// The tasks finished by threads other than the owner (and by
    /// [`Tasks::finish`], and every task once [`FROZEN`]), times [`ONE`]
    /// (wrapping), with [`JOIN_PARKED`] and [`FROZEN`]; also the key
    /// joiners park on.
    done: AtomicU64,
    /// The tasks the owner of the gets finished, times [`ONE`] (wrapping),
    /// with [`BUSY`]. Written only by that thread, and no longer once
    /// [`FROZEN`] is set.
    owned: AtomicU64,
    /// The owner's last count once frozen, or [`NOT_FOLDED`] until the
    /// freezer has published it.
    folded: AtomicU64,
    /// Taken by a freezer until it has published the owner's count, and by
    /// those who wait for the owner's store in progress (one spins at a
    /// time).
    turn: Lock<()>,
}

impl Default for Words {
    fn default() -> Self {
        Words {
            done: AtomicU64::new(0),
            owned: AtomicU64::new(0),
            folded: AtomicU64::new(NOT_FOLDED),
            turn: Lock::new(()),
        }
    }
}

/// The finished tasks of a queue (see the module docs), on a cache line of
/// their own, so that consumers' `task_done` does not write the putters'
/// line.
///
/// # Invariants
///
/// - `owned` (without [`BUSY`]) never passes the owner's count of items
///   taken, and, until [`FROZEN`], `done` never passes the other counts of
///   puts over; so the sum never passes the begun count. Once frozen, every
///   raise of `done` checks the exact sum (with `folded`) against the begun
///   count, read after acquiring `done`.
/// - `owned` holds a count without [`BUSY`] only after the tasks it counts
///   are done: `BUSY` marks a store in progress, never a count that may be
///   taken back.
/// - `JOIN_PARKED` is set whenever a joiner is parked, and changed only with
///   the joiners' queue locked.
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    /// The counts, on a line of their own.
    words: Padded<Words>,
}

impl Tasks {
    /// The shared word itself, for tests that start it near the wrap.
    #[cfg(test)]
    pub(crate) fn word(&self) -> &AtomicU64 {
        &self.words.0.done
    }

    /// The finished tasks: `done`'s count plus the owner's last count
    /// (published or not; a count there is never taken back). May miss a
    /// `task_done` that is finishing on another thread.
    #[inline]
    fn finished(&self) -> u64 {
        let words = &self.words.0;
        // `done` first: the owner's count read after it counts no fewer
        // tasks than any freeze that `done` shows.
        let done = words.done.load(Ordering::Acquire);
        sum(done, words.owned.load(Ordering::Acquire))
    }

    /// The count of unfinished tasks.
    #[inline]
    pub(crate) fn unfinished(&self, counts: &impl Counts) -> usize {
        let finished = self.finished();
        // Read after the finished tasks (acquired): see the invariants.
        let count = count_between(counts.began(), finished);
        usize::try_from(count).unwrap_or(usize::MAX)
    }

    /// Panics if a put finds too many tasks unfinished; else returns the
    /// finished tasks it read (never more than are finished). `began` reads
    /// the begun count, and is called after the finished tasks are read: a
    /// count of begun tasks read before could be older than the tasks they
    /// count as finished, and the difference would wrap around to look like
    /// 2^62 unfinished tasks.
    #[cold]
    pub(crate) fn check_limit(&self, began: impl FnOnce() -> u64) -> u64 {
        let finished = self.finished();
        if count_between(began(), finished) >= TASK_LIMIT {
            panic!("bobbin-queue: more than 2^61 unfinished tasks (task_done is never called?)");
        }
        finished
    }

    /// Marks one task done.
    #[inline]
    pub(crate) fn task_done<C: Counts>(&self, counts: &C) -> Result<(), TaskDoneError> {
        if C::OWNED
            && let Some(taken) = counts.owner_taken()
            && self.owner_task_done(counts, taken)
        {
            return Ok(());
        }
        self.shared_task_done(counts)
    }

    /// The owner's `task_done` while it is behind its own gets: true if it
    /// counted the task in `owned`; false if it must raise `done` instead
    /// (no get of its own unfinished, or the count frozen).
    #[inline]
    fn owner_task_done<C: Counts>(&self, counts: &C, taken: u64) -> bool {
        let words = &self.words.0;
        // The owner alone writes `owned`: this is its own last store.
        let owned = words.owned.load(Ordering::Relaxed);
        if count_between(taken, owned) == 0 {
            return false;
        }
        // The handshake with a freezer or a joiner (see the module docs):
        // `BUSY`, then the flags.
        words.owned.store(owned | BUSY, Ordering::Relaxed);
        bobbin_park::asymmetric::light();
        let done = words.done.load(Ordering::Acquire);
        if done & FROZEN != 0 {
            // Frozen before this count: it stays as it was, and the task is
            // counted in `done` with the exact check. Release: a waiter for
            // `BUSY` acquires the count.
            words.owned.store(owned, Ordering::Release);
            return false;
        }
        let now = owned.wrapping_add(ONE);
        // Release: what the owner did before `task_done` happens before the
        // return of the `join` that acquires this count.
        words.owned.store(now, Ordering::Release);
        if done & JOIN_PARKED != 0 {
            self.owner_wakes_joiners(counts, done, now);
        }
        true
    }

    /// After the owner counted a task and saw a joiner's flag: wakes the
    /// joiners if no task is left by the `done` it read. A raise of `done`
    /// that this misses found its own task possibly the last, froze and
    /// checks exactly (see the module docs).
    #[cold]
    fn owner_wakes_joiners<C: Counts>(&self, counts: &C, done: u64, owned: u64) {
        if count_between(counts.began(), sum(done, owned)) == 0 {
            self.wake_joiners();
        }
    }

    /// A `task_done` that raises `done`: within the items taken by the
    /// others while the owner's count is not frozen, else with the exact
    /// check once it is. An engine without an owner makes the exact check
    /// always (its `owned` stays 0), and never freezes for it.
    #[inline]
    fn shared_task_done<C: Counts>(&self, counts: &C) -> Result<(), TaskDoneError> {
        let done = &self.words.0.done;
        let mut before = done.load(Ordering::Acquire);
        if !C::OWNED {
            return self.exact_task_done(counts, before, 0);
        }
        loop {
            if before & FROZEN != 0 {
                // Acquired with `before`: the freeze is published or under
                // way, and `folded` waits for it.
                return self.exact_task_done(counts, before, self.folded());
            }
            // Acquire (in `taken_shared`): the puts of the items counted
            // happen before the wake-up check below. The count only grows,
            // so a task seen within it here still is at the swap, unless
            // the swap fails.
            if signed_between(counts.taken_shared(), before) <= 0 {
                // Not behind the others' items: the task may be one the
                // owner took, or one still in the queue, or none.
                self.freeze();
                let before = done.load(Ordering::Acquire);
                return self.exact_task_done(counts, before, self.folded());
            }
            // Release: what the consumer did before `task_done` happens
            // before the return of the `join` this releases.
            match done.compare_exchange_weak(
                before,
                before.wrapping_add(ONE),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if before & JOIN_PARKED != 0 {
                        self.shared_wakes_joiners(counts, before.wrapping_add(ONE));
                    }
                    return Ok(());
                }
                Err(now) => before = now,
            }
        }
    }

    /// After a raise of `done` to `now` within the others' items that saw
    /// a joiner's flag: if no item of the others is left unfinished, this
    /// task may be the last, and only the exact sum can tell: freeze, then
    /// check exactly.
    #[cold]
    fn shared_wakes_joiners<C: Counts>(&self, counts: &C, now: u64) {
        if signed_between(counts.taken_shared(), now) > 0 {
            // An item of the others is unfinished: its `task_done` comes
            // later and checks again.
            return;
        }
        self.wake_joiners_if_finished(counts, self.exact_finished::<C>());
    }

    /// A `task_done` with the exact check against the begun count, as
    /// before the owner's count existed: once the owner's count is frozen
    /// at `owned`, or with `owned` 0 in an engine without an owner.
    /// `before` is `done` as last read (acquired).
    fn exact_task_done<C: Counts>(
        &self,
        counts: &C,
        mut before: u64,
        owned: u64,
    ) -> Result<(), TaskDoneError> {
        let done = &self.words.0.done;
        loop {
            let finished = sum(before, owned);
            // Behind the items taken (never more than the puts begun), this
            // task cannot be one too many, and `began`, on the putters'
            // line, is not read. Else it may be: an item still in the
            // queue, or none left.
            if signed_between(counts.taken(), finished) <= 0
                && count_between(counts.began(), finished) == 0
            {
                return Err(TaskDoneError);
            }
            match done.compare_exchange_weak(
                before,
                before.wrapping_add(ONE),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if before & JOIN_PARKED != 0 {
                        // The sum after this raise; a later raise sees the
                        // flag too and checks its own.
                        let finished = sum(before.wrapping_add(ONE), owned);
                        self.wake_joiners_if_finished(counts, finished);
                    }
                    return Ok(());
                }
                Err(now) => before = now,
            }
        }
    }

    /// Freezes the owner's count, if it is not yet: sets [`FROZEN`], then
    /// (the heavy half of the owner's handshake) waits for a store the
    /// owner has in progress and publishes its last count in `folded`, all
    /// holding the turn, which those who wait for `folded` then take. Only
    /// an engine with an owner has a count to freeze.
    #[cold]
    fn freeze(&self) {
        let words = &self.words.0;
        if words.done.load(Ordering::Acquire) & FROZEN != 0 {
            return;
        }
        let _turn = words.turn.acquire();
        if words.done.fetch_or(FROZEN, Ordering::AcqRel) & FROZEN != 0 {
            return;
        }
        bobbin_park::asymmetric::heavy();
        let owned = Self::spin_until_settled(&words.owned);
        words.folded.store(owned, Ordering::Release);
    }

    /// `owned` once no store of the owner is in progress. Waiters take
    /// turns, so that one at a time spins.
    fn settled(&self) -> u64 {
        let owned = &self.words.0.owned;
        let value = owned.load(Ordering::Acquire);
        if value & BUSY == 0 {
            return value;
        }
        let _turn = self.words.0.turn.acquire();
        Self::spin_until_settled(owned)
    }

    /// [`Tasks::settled`]'s wait, holding the turn. The owner is a few
    /// instructions from its final store; the wait yields after a few
    /// rounds, in case it was preempted there.
    fn spin_until_settled(owned: &AtomicU64) -> u64 {
        let mut spin = SpinWait::new();
        loop {
            let value = owned.load(Ordering::Acquire);
            if value & BUSY == 0 {
                return value;
            }
            if !spin.spin() {
                bobbin_park::thread::yield_now();
            }
        }
    }

    /// The owner's last count once frozen. The freezer holds the turn until
    /// it has published it, so a wait for it is a wait for the turn.
    ///
    /// # Panics
    ///
    /// If the freeze was cut short by a panic (it never publishes).
    #[inline]
    fn folded(&self) -> u64 {
        let value = self.words.0.folded.load(Ordering::Acquire);
        if value != NOT_FOLDED {
            return value;
        }
        self.folded_slow()
    }

    /// [`Tasks::folded`] while the freeze is under way.
    #[cold]
    fn folded_slow(&self) -> u64 {
        let folded = &self.words.0.folded;
        drop(self.words.0.turn.acquire());
        let value = folded.load(Ordering::Acquire);
        assert!(
            value != NOT_FOLDED,
            "bobbin-queue: a freeze of the task count was cut short by a panic"
        );
        value
    }

    /// The finished tasks exactly (as far as raises of `done` up to this
    /// read go): the owner's count frozen first, if the engine has an
    /// owner; one without has nothing to freeze (its `owned` stays 0).
    fn exact_finished<C: Counts>(&self) -> u64 {
        let owned = if C::OWNED {
            self.freeze();
            self.folded()
        } else {
            0
        };
        // Read after the freeze: it counts every raise the freeze saw.
        let done = self.words.0.done.load(Ordering::Acquire);
        sum(done, owned)
    }

    /// Once frozen, after a raise of `done` that saw a joiner's flag: wakes
    /// the joiners if `finished` (the finished tasks after the raise,
    /// exactly) leaves no task. `began` is read after the raise, so it
    /// counts every put whose task the raise finished.
    #[cold]
    fn wake_joiners_if_finished<C: Counts>(&self, counts: &C, finished: u64) {
        if count_between(counts.began(), finished) == 0 {
            self.wake_joiners();
        }
    }

    /// Lowers the count of unfinished tasks by up to `n` (not below zero, as
    /// CPython's immediate shutdown does), waking joiners if it reaches
    /// zero: the tasks of `n` puts that the engine has just counted over in
    /// [`Counts::taken`] (failed puts, or items an immediate shutdown
    /// removed), so that, until frozen, `done` stays within the others'
    /// items.
    pub(crate) fn finish<C: Counts>(&self, counts: &C, n: usize) {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        let done = &self.words.0.done;
        // Acquire, here and on failure: the counts read below are then no
        // older than the ones behind the `done` value it raises.
        let mut before = done.load(Ordering::Acquire);
        loop {
            let left = if before & FROZEN != 0 {
                count_between(counts.began(), sum(before, self.folded()))
            } else {
                // Within the others' items; all `n` are there unless a
                // `task_done` took one of them first (for a put that never
                // came, as Python's count would not have it).
                u64::try_from(signed_between(counts.taken_shared(), before)).unwrap_or(0)
            };
            let finished = left.min(n);
            if finished == 0 {
                return;
            }
            match done.compare_exchange_weak(
                before,
                before.wrapping_add(finished * ONE),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if before & JOIN_PARKED != 0 {
                        // Rare (a failed put or a shutdown while a joiner
                        // waits): check exactly.
                        self.wake_joiners_if_finished(counts, self.exact_finished::<C>());
                    }
                    return;
                }
                Err(now) => before = now,
            }
        }
    }

    /// Wakes every parked joiner, as Python's `all_tasks_done.notify_all()`.
    #[cold]
    fn wake_joiners(&self) {
        let done = &self.words.0.done;
        wake_all(done, || {
            done.fetch_and(!JOIN_PARKED, Ordering::Relaxed);
        });
    }

    /// Waits until every task is done or `deadline` passes; true if every
    /// task is done.
    #[inline]
    pub(crate) fn join_until<C: Counts>(&self, counts: &C, deadline: Deadline) -> bool {
        self.unfinished(counts) == 0 || self.join_slow(counts, deadline)
    }

    #[cold]
    fn join_slow<C: Counts>(&self, counts: &C, deadline: Deadline) -> bool {
        let words = &self.words.0;
        loop {
            if deadline.has_passed() {
                return false;
            }
            // What the last check found (`validate` runs on this thread):
            // no task left, or the owner's count not known yet.
            let finished = Cell::new(false);
            let unknown = Cell::new(false);
            // The flag first, then the owner's count and `began`: a
            // `task_done` that finishes the last task either comes before
            // the flag (and this reads its count) or after it (and sees the
            // flag); see the module docs. With the joiners' queue locked,
            // it does not wait for the owner's count: it looks again after.
            let validate = || {
                let before = words.done.fetch_or(JOIN_PARKED, Ordering::AcqRel);
                match self.owner_count::<C>(before) {
                    Some(owned) => {
                        finished.set(count_between(counts.began(), sum(before, owned)) == 0);
                        !finished.get()
                    }
                    None => {
                        unknown.set(true);
                        false
                    }
                }
            };
            let timed_out = |_, was_last: bool| {
                if was_last {
                    words.done.fetch_and(!JOIN_PARKED, Ordering::Relaxed);
                }
            };
            let _label = WaitLabel::unless_labelled(&QUEUE_JOIN);
            let parked = park(
                &words.done,
                validate,
                || {},
                timed_out,
                DEFAULT_PARK_TOKEN,
                deadline,
            );
            if finished.get() {
                return true;
            }
            if unknown.get() {
                // A few instructions of the owner or of a freezer.
                self.settled();
                self.folded_if_frozen();
                continue;
            }
            if parked == ParkResult::TimedOut {
                // One last look, exact as the one before parking.
                let before = words.done.load(Ordering::Acquire);
                self.settled();
                self.folded_if_frozen();
                return self
                    .owner_count::<C>(before)
                    .is_some_and(|owned| count_between(counts.began(), sum(before, owned)) == 0);
            }
            // Woken: look again.
        }
    }

    /// The owner's exact count, by `done`'s value `before` (read with a
    /// read-modify-write, or after one): the published one if frozen, else
    /// the one read after the heavy half of the owner's handshake. `None`
    /// while a store of the owner is in progress, or a freeze is not yet
    /// published.
    fn owner_count<C: Counts>(&self, before: u64) -> Option<u64> {
        let words = &self.words.0;
        if before & FROZEN != 0 {
            let folded = words.folded.load(Ordering::Acquire);
            return (folded != NOT_FOLDED).then_some(folded);
        }
        if C::OWNED {
            bobbin_park::asymmetric::heavy();
        }
        let owned = words.owned.load(Ordering::Acquire);
        (owned & BUSY == 0).then_some(owned)
    }

    /// Waits for a freeze under way to be published, if `done` shows one.
    fn folded_if_frozen(&self) {
        if self.words.0.done.load(Ordering::Acquire) & FROZEN != 0 {
            self.folded();
        }
    }
}
