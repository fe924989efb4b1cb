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
//! to the consumer and back for every item (Python's worker loop,
//! `get` then `task_done`, cost more than the put and the get together).
//! Each engine also counts the items the getters took, on a line of their
//! own, and never above the begun count. So while fewer tasks are done than
//! items were taken (the worker loop's case), one more `task_done` cannot be
//! one too many, and it reads only the getters' count. Only a `task_done`
//! that is not behind the taken count (called for an item still in the
//! queue, or one too many) reads the begun count.
//!
//! # The joiners' handshake
//!
//! A joiner sets [`JOIN_PARKED`] with a read-modify-write of `done`, then
//! reads the begun count; `task_done` raises `done` with a read-modify-write
//! that reads the flag from it, and only if the flag is set reads the begun
//! count, after that RMW. The two RMWs are ordered in `done`'s modification
//! order: either the joiner's comes second and reads the last task done, or
//! `task_done`'s does and sees the flag. A `task_done` that finishes the
//! last task has acquired, through `done` and the count it checked against,
//! every put whose task it finishes, so the begun count it reads after its
//! RMW is never below those puts.

use crate::error::TaskDoneError;
use crate::wait::{Padded, QUEUE_JOIN, wake_all};
use bobbin_park::sync::atomic::{AtomicU64, Ordering};
use bobbin_park::{DEFAULT_PARK_TOKEN, Deadline, ParkResult, WaitLabel, park};

/// `done`: joiners may be parked on `done`.
const JOIN_PARKED: u64 = 1 << 0;
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

/// The finished tasks of a queue, times [`ONE`] (wrapping), and
/// [`JOIN_PARKED`]; also the key joiners park on. On a cache line of its
/// own, so that consumers' `task_done` does not write the putters' line.
///
/// Every method takes `began`, which reads the engine's count of begun
/// tasks (acquiring it); `task_done` also takes `taken`, which reads the
/// getters' count of items taken (acquiring it), never above `began`'s.
///
/// # Invariants
///
/// - The count never passes `began`'s: every raise checks against `began`
///   read after acquiring `done`, or against `taken` (never above `began`),
///   so that it reads no older a count than the raise it follows did.
/// - `JOIN_PARKED` is set whenever a joiner is parked, and changed only with
///   the joiners' queue locked.
#[derive(Debug, Default)]
pub(crate) struct Tasks(Padded<AtomicU64>);

impl Tasks {
    /// The word itself, for tests that start it near the wrap.
    #[cfg(test)]
    pub(crate) fn word(&self) -> &AtomicU64 {
        &self.0.0
    }

    /// The count of unfinished tasks.
    #[inline]
    pub(crate) fn unfinished(&self, began: impl Fn() -> u64) -> usize {
        // `done` first: `began` read after it counts no fewer tasks.
        let done = self.0.0.load(Ordering::Acquire);
        let count = count_between(began(), done);
        usize::try_from(count).unwrap_or(usize::MAX)
    }

    /// Panics if a put finds too many tasks unfinished; else returns the
    /// `done` value it read. `began` reads the begun count, and is called
    /// after `done` is read: a count of begun tasks read before it could be
    /// older than the tasks that `done` counts as finished (another put
    /// began, was taken and was marked done in between), and the difference
    /// would wrap around to look like 2^62 unfinished tasks.
    #[cold]
    pub(crate) fn check_limit(&self, began: impl FnOnce() -> u64) -> u64 {
        let done = self.0.0.load(Ordering::Acquire);
        // Read after `done` (acquired), `began` counts no fewer tasks than
        // `done`: see the invariants above.
        if count_between(began(), done) >= TASK_LIMIT {
            panic!("bobbin-queue: more than 2^61 unfinished tasks (task_done is never called?)");
        }
        done
    }

    /// Lowers the count of unfinished tasks by up to `n` (not below zero, as
    /// CPython's immediate shutdown does), waking joiners if it reaches zero.
    pub(crate) fn finish(&self, began: impl Fn() -> u64, n: usize) {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        let done = &self.0.0;
        // Acquire, here and on failure: the `began` read below is then no
        // older than the one behind the `done` value it raises.
        let mut before = done.load(Ordering::Acquire);
        loop {
            let left = count_between(began(), before);
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
                    if finished == left && before & JOIN_PARKED != 0 {
                        self.wake_joiners();
                    }
                    return;
                }
                Err(now) => before = now,
            }
        }
    }

    /// Marks one task done. `taken` reads the count of items the getters
    /// took, with `Acquire`, and never passes `began`'s count.
    #[inline]
    pub(crate) fn task_done(
        &self,
        began: impl Fn() -> u64,
        taken: impl Fn() -> u64,
    ) -> Result<(), TaskDoneError> {
        let done = &self.0.0;
        let mut before = done.load(Ordering::Acquire);
        loop {
            // Behind the items taken (never more than the puts begun), this
            // task cannot be one too many, and `began`, on the putters' line,
            // is not read. Else it may be: an item still in the queue, or
            // none left. Acquire, both: the puts counted happen before the
            // wake-up check below (a gotten item's task is counted before
            // its push, and its get before the count of taken items). The
            // counts only grow, so a task seen unfinished here is still
            // unfinished at the swap, unless the swap fails.
            if signed_between(taken(), before) <= 0 && count_between(began(), before) == 0 {
                return Err(TaskDoneError);
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
                        self.wake_joiners_if_finished(&began, before.wrapping_add(ONE));
                    }
                    return Ok(());
                }
                Err(now) => before = now,
            }
        }
    }

    /// After a `task_done` that raised `done` to `now` and saw a joiner's
    /// flag: wakes the joiners if no task is left. `began` is read after the
    /// raise, so it counts every put whose task this one finished.
    #[cold]
    fn wake_joiners_if_finished(&self, began: impl Fn() -> u64, now: u64) {
        if count_between(began(), now) == 0 {
            self.wake_joiners();
        }
    }

    /// Wakes every parked joiner, as Python's `all_tasks_done.notify_all()`.
    #[cold]
    fn wake_joiners(&self) {
        let done = &self.0.0;
        wake_all(done, || {
            done.fetch_and(!JOIN_PARKED, Ordering::Relaxed);
        });
    }

    /// Waits until every task is done or `deadline` passes; true if every
    /// task is done.
    #[inline]
    pub(crate) fn join_until(&self, began: impl Fn() -> u64, deadline: Deadline) -> bool {
        self.unfinished(&began) == 0 || self.join_slow(began, deadline)
    }

    #[cold]
    fn join_slow(&self, began: impl Fn() -> u64, deadline: Deadline) -> bool {
        let done = &self.0.0;
        loop {
            if deadline.has_passed() {
                return false;
            }
            // The flag first, then `began`: a `task_done` that finishes the
            // last task either comes before the flag (and this reads its
            // `done`) or after it (and sees the flag).
            let validate = || {
                let before = done.fetch_or(JOIN_PARKED, Ordering::AcqRel);
                count_between(began(), before) != 0
            };
            let timed_out = |_, was_last: bool| {
                if was_last {
                    done.fetch_and(!JOIN_PARKED, Ordering::Relaxed);
                }
            };
            let _label = WaitLabel::unless_labelled(&QUEUE_JOIN);
            let parked = park(
                done,
                validate,
                || {},
                timed_out,
                DEFAULT_PARK_TOKEN,
                deadline,
            );
            if self.unfinished(&began) == 0 {
                return true;
            }
            if parked == ParkResult::TimedOut {
                return false;
            }
        }
    }
}
