//! The parking lot under `--cfg bobbin_loom`: parking_lot_core's algorithm
//! with a single bucket, built from loom's `Mutex` and `Condvar` so that loom
//! sees (and explores) every park and unpark.
//!
//! One loom mutex guards one FIFO of waiters, each tagged with its key, as a
//! parking_lot_core bucket guards its queue; every callback runs with that
//! mutex held, as parking_lot_core runs it with the bucket locked. A woken
//! waiter finds its unpark token in the table; sleepers wait on one shared
//! condition variable and re-check their own entry.
//!
//! Loom has no clock. A timed park therefore yields once to the scheduler
//! after being queued and then times out unless it was unparked meanwhile:
//! the model explores both orders, and callers treat a time-out as final.

use super::{FilterOp, ParkResult, ParkToken, RequeueOp, UnparkResult, UnparkToken, WaitKey};
use crate::Deadline;
use loom::sync::{Condvar, Mutex, MutexGuard};
use std::collections::VecDeque;

/// One parked thread.
struct Waiter {
    /// The key it is parked on (changed by a requeue).
    key: usize,
    /// What it left for `unpark_filter`.
    token: ParkToken,
    /// Its ticket, to find its entry and its wake-up.
    id: u64,
}

/// The single bucket.
#[derive(Default)]
struct Table {
    /// Parked threads, in the order they parked (requeued ones at the tail).
    queue: VecDeque<Waiter>,
    /// Tickets of woken threads that have not yet noticed, with their tokens.
    woken: Vec<(u64, UnparkToken)>,
    /// The next ticket.
    next_id: u64,
}

impl Table {
    fn take_wakeup(&mut self, id: u64) -> Option<UnparkToken> {
        let pos = self.woken.iter().position(|&(w, _)| w == id)?;
        Some(self.woken.swap_remove(pos).1)
    }

    fn has_key(&self, key: usize) -> bool {
        self.queue.iter().any(|w| w.key == key)
    }

    fn wake(&mut self, waiters: Vec<Waiter>, token: UnparkToken) {
        self.woken
            .extend(waiters.into_iter().map(|w| (w.id, token)));
        WAKE.notify_all();
    }
}

loom::lazy_static! {
    static ref TABLE: Mutex<Table> = Mutex::new(Table::default());
    static ref WAKE: Condvar = Condvar::new();
}

fn lock() -> MutexGuard<'static, Table> {
    // No code runs with this mutex held that can panic (callbacks must not),
    // so the mutex cannot be poisoned except by a bug in a callback, which
    // should fail the model loudly.
    TABLE.lock().expect("a parking callback panicked")
}

pub(crate) fn park(
    key: usize,
    validate: impl FnOnce() -> bool,
    before_sleep: impl FnOnce(),
    timed_out: impl FnOnce(WaitKey, bool),
    token: ParkToken,
    deadline: Deadline,
) -> ParkResult {
    let mut table = lock();
    if !validate() {
        return ParkResult::Invalid;
    }
    let id = table.next_id;
    table.next_id += 1;
    table.queue.push_back(Waiter { key, token, id });
    drop(table);

    before_sleep();

    let mut table = lock();
    if deadline.is_never() {
        loop {
            if let Some(token) = table.take_wakeup(id) {
                return ParkResult::Unparked(token);
            }
            table = WAKE.wait(table).expect("a parking callback panicked");
        }
    }

    if let Some(token) = table.take_wakeup(id) {
        return ParkResult::Unparked(token);
    }
    // Let the model run other threads before the "deadline" passes.
    drop(table);
    loom::thread::yield_now();
    let mut table = lock();
    if let Some(token) = table.take_wakeup(id) {
        return ParkResult::Unparked(token);
    }
    let pos = table
        .queue
        .iter()
        .position(|w| w.id == id)
        .expect("a parked thread that was not woken is still queued");
    let me = table.queue.remove(pos).expect("position is in range");
    let was_last = !table.has_key(me.key);
    timed_out(WaitKey(me.key), was_last);
    ParkResult::TimedOut
}

pub(crate) fn unpark_one(
    key: usize,
    callback: impl FnOnce(UnparkResult) -> UnparkToken,
) -> UnparkResult {
    let mut table = lock();
    let mut result = UnparkResult::default();
    match table.queue.iter().position(|w| w.key == key) {
        Some(pos) => {
            let waiter = table.queue.remove(pos).expect("position is in range");
            result.unparked_threads = 1;
            result.have_more_threads = table.has_key(key);
            let token = callback(result);
            table.wake(vec![waiter], token);
        }
        None => {
            callback(result);
        }
    }
    result
}

pub(crate) fn unpark_all(key: usize, token: UnparkToken) -> usize {
    let mut table = lock();
    let (woken, kept): (VecDeque<Waiter>, VecDeque<Waiter>) =
        table.queue.drain(..).partition(|w| w.key == key);
    table.queue = kept;
    let count = woken.len();
    table.wake(woken.into(), token);
    count
}

pub(crate) fn unpark_filter(
    key: usize,
    mut filter: impl FnMut(ParkToken) -> FilterOp,
    callback: impl FnOnce(UnparkResult) -> UnparkToken,
) -> UnparkResult {
    let mut table = lock();
    let mut result = UnparkResult::default();
    let mut woken = Vec::new();
    let mut kept = VecDeque::with_capacity(table.queue.len());
    let mut stopped = false;
    for waiter in table.queue.drain(..) {
        if stopped || waiter.key != key {
            kept.push_back(waiter);
            continue;
        }
        match filter(waiter.token) {
            FilterOp::Unpark => woken.push(waiter),
            FilterOp::Skip => {
                result.have_more_threads = true;
                kept.push_back(waiter);
            }
            FilterOp::Stop => {
                result.have_more_threads = true;
                stopped = true;
                kept.push_back(waiter);
            }
        }
    }
    table.queue = kept;
    result.unparked_threads = woken.len();
    let token = callback(result);
    table.wake(woken, token);
    result
}

pub(crate) fn unpark_requeue(
    from: usize,
    to: usize,
    validate: impl FnOnce() -> RequeueOp,
    callback: impl FnOnce(RequeueOp, UnparkResult) -> UnparkToken,
) -> UnparkResult {
    let mut table = lock();
    let mut result = UnparkResult::default();
    let op = validate();
    if op == RequeueOp::Abort {
        return result;
    }
    let wakes_one = matches!(op, RequeueOp::UnparkOneRequeueRest | RequeueOp::UnparkOne);
    let only_one = matches!(op, RequeueOp::UnparkOne | RequeueOp::RequeueOne);

    let mut woken = Vec::new();
    let mut requeued = Vec::new();
    let mut kept = VecDeque::with_capacity(table.queue.len());
    let mut done = false;
    for mut waiter in table.queue.drain(..) {
        if waiter.key != from {
            kept.push_back(waiter);
        } else if done {
            result.have_more_threads = true;
            kept.push_back(waiter);
        } else {
            if wakes_one && woken.is_empty() {
                woken.push(waiter);
                result.unparked_threads = 1;
            } else {
                waiter.key = to;
                requeued.push(waiter);
                result.requeued_threads += 1;
            }
            done = only_one;
        }
    }
    // Requeued threads join the tail of the target queue, in order.
    kept.extend(requeued);
    table.queue = kept;
    let token = callback(op, result);
    table.wake(woken, token);
    result
}
