//! The production parking lot: parking_lot_core 0.10, behind a run-time
//! check that keeps its "no re-entry from callbacks" rule.
//!
//! Every function here wraps each user callback in a [`Phase`] guard that
//! records, in a thread-local, what the thread may do while the callback
//! runs. Every function first checks that record, and aborts (with a
//! message) where parking_lot_core would otherwise corrupt its queues.

// This module is the seam: the one place allowed to call parking_lot_core.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use super::{FilterOp, ParkResult, ParkToken, RequeueOp, UnparkResult, UnparkToken, WaitKey};
use crate::Deadline;
use core::cell::Cell;

/// What the calling thread is doing inside the parking lot.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Phase {
    /// Outside any callback: every call is allowed.
    Free,
    /// In `before_sleep`: the thread is queued but its queue is unlocked.
    /// Unparking is allowed; parking would queue the thread twice.
    BeforeSleep,
    /// In a callback run with a queue locked: no call into the parking lot
    /// is allowed (it would lock a bucket lock the thread may hold).
    QueueLocked,
}

std::thread_local! {
    // `const` and without drop glue: readable even while the thread's other
    // thread-locals are destroyed, where parking stays possible.
    static PHASE: Cell<Phase> = const { Cell::new(Phase::Free) };
}

/// Restores the previous phase when a callback returns.
struct PhaseGuard(Phase);

impl Drop for PhaseGuard {
    fn drop(&mut self) {
        PHASE.with(|p| p.set(self.0));
    }
}

#[inline]
fn enter(phase: Phase) -> PhaseGuard {
    PhaseGuard(PHASE.with(|p| p.replace(phase)))
}

/// Aborts unless the thread may make a call that parks (`parks`) or only
/// unparks.
#[inline]
fn check(parks: bool, what: &str) {
    let phase = PHASE.with(Cell::get);
    let allowed = match phase {
        Phase::Free => true,
        Phase::BeforeSleep => !parks,
        Phase::QueueLocked => false,
    };
    if !allowed {
        reentry(what, phase);
    }
}

#[cold]
#[inline(never)]
fn reentry(what: &str, phase: Phase) -> ! {
    let from = match phase {
        Phase::BeforeSleep => "a before_sleep callback",
        _ => "a callback that runs with a parking queue locked",
    };
    // A panic would be turned into an abort by parking_lot_core anyway, and
    // cannot be allowed to unwind through its queues; say why, then abort.
    eprintln!("bobbin-park: {what} called from {from}; aborting");
    std::process::abort();
}

#[inline]
fn to_plc_park(token: ParkToken) -> parking_lot_core::ParkToken {
    parking_lot_core::ParkToken(token.0)
}

#[inline]
fn to_plc_unpark(token: UnparkToken) -> parking_lot_core::UnparkToken {
    parking_lot_core::UnparkToken(token.0)
}

#[inline]
fn from_plc_result(r: parking_lot_core::UnparkResult) -> UnparkResult {
    UnparkResult {
        unparked_threads: r.unparked_threads,
        requeued_threads: r.requeued_threads,
        have_more_threads: r.have_more_threads,
    }
}

#[inline]
fn to_plc_filter(op: FilterOp) -> parking_lot_core::FilterOp {
    match op {
        FilterOp::Unpark => parking_lot_core::FilterOp::Unpark,
        FilterOp::Skip => parking_lot_core::FilterOp::Skip,
        FilterOp::Stop => parking_lot_core::FilterOp::Stop,
    }
}

#[inline]
fn to_plc_requeue(op: RequeueOp) -> parking_lot_core::RequeueOp {
    match op {
        RequeueOp::Abort => parking_lot_core::RequeueOp::Abort,
        RequeueOp::UnparkOneRequeueRest => parking_lot_core::RequeueOp::UnparkOneRequeueRest,
        RequeueOp::RequeueAll => parking_lot_core::RequeueOp::RequeueAll,
        RequeueOp::UnparkOne => parking_lot_core::RequeueOp::UnparkOne,
        RequeueOp::RequeueOne => parking_lot_core::RequeueOp::RequeueOne,
    }
}

#[inline]
fn from_plc_requeue(op: parking_lot_core::RequeueOp) -> RequeueOp {
    match op {
        parking_lot_core::RequeueOp::Abort => RequeueOp::Abort,
        parking_lot_core::RequeueOp::UnparkOneRequeueRest => RequeueOp::UnparkOneRequeueRest,
        parking_lot_core::RequeueOp::RequeueAll => RequeueOp::RequeueAll,
        parking_lot_core::RequeueOp::UnparkOne => RequeueOp::UnparkOne,
        parking_lot_core::RequeueOp::RequeueOne => RequeueOp::RequeueOne,
    }
}

#[inline]
pub(crate) fn park(
    key: usize,
    validate: impl FnOnce() -> bool,
    before_sleep: impl FnOnce(),
    timed_out: impl FnOnce(WaitKey, bool),
    token: ParkToken,
    deadline: Deadline,
) -> ParkResult {
    check(true, "park");
    // SAFETY: parking_lot_core's `park` asks three things of its caller.
    //   * `key` is an address the caller controls: it is the address of one
    //     of this crate's atomics, borrowed by the caller for the whole call
    //     (`Key` is sealed to those types, see `super::Key`).
    //   * `validate` and `timed_out` run with the queue locked and must not
    //     unwind or call into the parking lot: each runs inside a
    //     `QueueLocked` phase, where every function of this module aborts
    //     before reaching parking_lot_core, and a panic in them is turned
    //     into an abort by parking_lot_core's own guard, so neither can
    //     unwind through its queues.
    //   * `before_sleep` may unpark but must not park or unwind: it runs in
    //     the `BeforeSleep` phase, in which `park` aborts, and a panic in it
    //     aborts as above.
    let result = unsafe {
        parking_lot_core::park(
            key,
            || {
                let _phase = enter(Phase::QueueLocked);
                validate()
            },
            || {
                let _phase = enter(Phase::BeforeSleep);
                before_sleep();
            },
            |current_key, was_last| {
                let _phase = enter(Phase::QueueLocked);
                timed_out(WaitKey(current_key), was_last);
            },
            to_plc_park(token),
            deadline.instant(),
        )
    };
    match result {
        parking_lot_core::ParkResult::Unparked(t) => ParkResult::Unparked(UnparkToken(t.0)),
        parking_lot_core::ParkResult::Invalid => ParkResult::Invalid,
        parking_lot_core::ParkResult::TimedOut => ParkResult::TimedOut,
    }
}

#[inline]
pub(crate) fn unpark_one(
    key: usize,
    callback: impl FnOnce(UnparkResult) -> UnparkToken,
) -> UnparkResult {
    check(false, "unpark_one");
    // SAFETY:
    //   * `key` is the address of one of this crate's atomics, borrowed by
    //     the caller for the whole call (see `super::Key`).
    //   * `callback` runs with the queue locked and must not unwind or call
    //     into the parking lot: it runs in the `QueueLocked` phase, in which
    //     every function of this module aborts, and parking_lot_core aborts
    //     if it panics.
    let result = unsafe {
        parking_lot_core::unpark_one(key, |r| {
            let _phase = enter(Phase::QueueLocked);
            to_plc_unpark(callback(from_plc_result(r)))
        })
    };
    from_plc_result(result)
}

#[inline]
pub(crate) fn unpark_all(key: usize, token: UnparkToken) -> usize {
    check(false, "unpark_all");
    // SAFETY:
    //   * `key` is the address of one of this crate's atomics, borrowed by
    //     the caller for the whole call (see `super::Key`).
    //   * There is no callback, and `check` has made sure that this call is
    //     not made from inside a callback that holds a queue lock.
    unsafe { parking_lot_core::unpark_all(key, to_plc_unpark(token)) }
}

#[inline]
pub(crate) fn unpark_filter(
    key: usize,
    mut filter: impl FnMut(ParkToken) -> FilterOp,
    callback: impl FnOnce(UnparkResult) -> UnparkToken,
) -> UnparkResult {
    check(false, "unpark_filter");
    // SAFETY:
    //   * `key` is the address of one of this crate's atomics, borrowed by
    //     the caller for the whole call (see `super::Key`).
    //   * `filter` and `callback` run with the queue locked and must not
    //     unwind or call into the parking lot: both run in the `QueueLocked`
    //     phase, in which every function of this module aborts, and
    //     parking_lot_core aborts if either panics.
    let result = unsafe {
        parking_lot_core::unpark_filter(
            key,
            |t| {
                let _phase = enter(Phase::QueueLocked);
                to_plc_filter(filter(ParkToken(t.0)))
            },
            |r| {
                let _phase = enter(Phase::QueueLocked);
                to_plc_unpark(callback(from_plc_result(r)))
            },
        )
    };
    from_plc_result(result)
}

#[inline]
pub(crate) fn unpark_requeue(
    from: usize,
    to: usize,
    validate: impl FnOnce() -> RequeueOp,
    callback: impl FnOnce(RequeueOp, UnparkResult) -> UnparkToken,
) -> UnparkResult {
    check(false, "unpark_requeue");
    // SAFETY:
    //   * `from` and `to` are addresses of this crate's atomics, both
    //     borrowed by the caller for the whole call (see `super::Key`).
    //   * `validate` and `callback` run with both queues locked and must not
    //     unwind or call into the parking lot: both run in the `QueueLocked`
    //     phase, in which every function of this module aborts, and
    //     parking_lot_core aborts if either panics.
    let result = unsafe {
        parking_lot_core::unpark_requeue(
            from,
            to,
            || {
                let _phase = enter(Phase::QueueLocked);
                to_plc_requeue(validate())
            },
            |op, r| {
                let _phase = enter(Phase::QueueLocked);
                to_plc_unpark(callback(from_plc_requeue(op), from_plc_result(r)))
            },
        )
    };
    from_plc_result(result)
}
