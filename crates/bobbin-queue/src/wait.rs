//! What both engines and the task count share to wait and to wake: the
//! cache-line padding of their counting words, how a parked thread shows
//! in a hang report, the two wake-ups that clear a parked flag under the
//! parking lot's queue lock, and the [`Backoff`] of a put that finds the
//! queue full or a get that finds it empty.
//!
//! The bottom layer of the crate: [`tasks`](crate::tasks), the lock-free
//! [`engine`](crate::engine) and the [`locked_engine`](crate::locked_engine)
//! build on it, and it imports none of them.

use bobbin_park::{DEFAULT_UNPARK_TOKEN, FilterOp, Key, WaitKind, unpark_filter, unpark_one};
use std::time::{Duration, Instant};

/// How long a put that finds the queue full, or a get that finds it empty,
/// waits before it looks again.
const WAIT: Duration = Duration::from_nanos(1_000);
/// How many waits before a thread that still finds nothing parks.
const WAITS: u32 = 8;
/// How many waits a thread that finds the other side running fast waits for
/// a batch before it takes what there is.
const BATCH_WAITS: u32 = 6;
/// The most items (or free slots) a waiting thread waits to accumulate.
const MAX_BATCH: usize = 512;
/// Fewer items (or slots) than this after the first wait mean the other side
/// trickles: waiting for a batch would only delay this thread.
const TRICKLE: usize = 8;
/// How many times a thread whose other side did nothing in the first wait
/// yields its time slice, looking after each, before it parks.
const YIELDS: u32 = 4;
/// Spin hints between two readings of the clock.
const HINTS_PER_READING: u32 = 16;

/// How a thread parked in a queue's operation shows in a hang report.
/// `LifoQueue` and `PriorityQueue` are `Queue`s in Python too.
pub(crate) static QUEUE_PUT: WaitKind = WaitKind::new("Queue.put");
pub(crate) static QUEUE_GET: WaitKind = WaitKind::new("Queue.get");
pub(crate) static SIMPLE_QUEUE_GET: WaitKind = WaitKind::new("SimpleQueue.get");
pub(crate) static QUEUE_JOIN: WaitKind = WaitKind::new("Queue.join");
pub(crate) static QUEUE_SHUTDOWN: WaitKind = WaitKind::new("Queue.shutdown");

/// A value on a cache line of its own, so that the words producers write on
/// every put do not slow down the words consumers read on every get.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct Padded<T>(pub(crate) T);

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

/// The waits of a put that found the queue full, or a get that found it
/// empty, before it parks: a microsecond at a time, touching no shared word
/// meanwhile, until the other side has made room for a batch.
///
/// Polling at once, as a spin lock does, is what makes a queue slow: the
/// thread that found the queue empty looks at the very slot (and the
/// counts) the other thread writes next, so from then on every item moves
/// a cache line from one core to the other and back, in lockstep, at
/// 100–300 ns an item on this machine, where a queue whose two ends are
/// apart moves items at 5–15 ns. So a waiting thread waits a microsecond at
/// a time, and once the other side proves fast (at least [`TRICKLE`] items
/// or slots in the first microsecond) it waits on until a batch of them is
/// there (up to [`MAX_BATCH`], half the queue's room when bounded): the two
/// ends then work far apart until the faster catches up again. std's
/// channels get that gap by parking at once, and pay a wake-up system call
/// each time. A thread whose other side trickles takes each item as it
/// comes, and one still short of a batch after 8 µs parks.
///
/// A thread whose other side did nothing in the first microsecond stops
/// spinning: that side is idle, or not running (preempted, or on this very
/// core when the cores are busy), and spinning would only take its time.
/// It yields its time slice [`YIELDS`] times, looking after each, and then
/// parks. The first microsecond is spun even on one CPU
/// ([`bobbin_park::single_cpu`]), where the other side cannot run
/// meanwhile: skipping it there, as `SpinWait` skips its spinning rounds,
/// made `queue_spsc_bounded` slower, not faster (the figures are in
/// `docs/bench/FINDINGS.md`, "One core, beside a busy thread"; how the
/// scheduler then interleaves the two sides was not traced). Parking at once cost more when the cores are busy: a parked
/// thread that is woken often waits for the next scheduler tick (4 ms on
/// this machine) before it runs again beside a busy thread, while a yield
/// hands the core to the other side when it shares this one, and comes
/// back at once when it does not (`queue_spsc_bounded` under `--hog`,
/// five quick runs each: 1.43 with parking at once, 0.95 with four yields;
/// two, eight and sixteen yields did no better, and yields on one side
/// only did far worse). The yields are guarded
/// ([`bobbin_park::yield_guarded`]): a yield that hands the core to a busy
/// thread for a slice ends them, and holds yielding off for a while. The
/// thread the yield waits for may share the core with that busy thread,
/// or wait for this one: unguarded, two threads passing items back and
/// forth through two queues, pinned to one core beside a busy loop, took
/// about 1.4 ms a round trip, a slice each.
///
/// Under `--cfg bobbin_loom` there is no waiting: the caller parks at once,
/// which is the interleaving the model must explore.
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    /// Waits done so far.
    waits: u32,
    /// Yields done so far, once the first wait found nothing.
    yields: u32,
    /// Whether the first wait found nothing: from then on each wait is a
    /// yield.
    idle: bool,
}

/// The batch a waiting thread of a queue of `maxsize` items waits for.
pub(crate) fn batch(maxsize: usize) -> usize {
    if maxsize == 0 {
        MAX_BATCH
    } else {
        (maxsize / 2).clamp(1, MAX_BATCH)
    }
}

impl Backoff {
    /// A backoff that has not waited yet.
    pub(crate) const fn new() -> Backoff {
        Backoff {
            waits: 0,
            yields: 0,
            idle: false,
        }
    }

    /// Waits a microsecond, or yields the time slice once the other side
    /// has proved idle; `false` once the caller should park instead
    /// (without waiting, or after a yield that gave the core away).
    #[inline]
    pub(crate) fn wait(&mut self) -> bool {
        if cfg!(bobbin_loom) {
            return false;
        }
        if self.idle {
            if self.yields >= YIELDS {
                return false;
            }
            self.yields += 1;
            return bobbin_park::yield_guarded();
        }
        if self.waits >= WAITS {
            return false;
        }
        let until = Instant::now() + WAIT;
        self.waits += 1;
        while Instant::now() < until {
            for _ in 0..HINTS_PER_READING {
                bobbin_park::hint::spin_loop();
            }
        }
        true
    }

    /// Whether a thread that has just waited should look again, now that
    /// `available` items (or free slots) are there and it waits for
    /// `batch`: when the batch is there, when the other side trickles, or
    /// when it has waited for a batch long enough. If nothing came in the
    /// first wait, the other side is idle or not running (preempted, or on
    /// this very core when the cores are busy): the thread stops spinning
    /// and yields from then on, taking whatever comes, rather than burn the
    /// 8 µs its other side may need.
    #[inline]
    pub(crate) fn ready(&mut self, available: usize, batch: usize) -> bool {
        if available == 0 {
            if self.waits <= 1 {
                self.idle = true;
            }
            return false;
        }
        self.idle
            || available >= batch
            || (self.waits <= 1 && available < TRICKLE)
            || self.waits >= BATCH_WAITS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_looks_again_for_a_batch_a_trickle_or_after_long_enough() {
        let mut backoff = Backoff::new();
        backoff.waits = 1;
        // After the first microsecond: a trickle is taken at once, a fast
        // side is given time to make a batch.
        assert!(backoff.ready(TRICKLE - 1, 512));
        assert!(!backoff.ready(TRICKLE, 512));
        assert!(backoff.ready(512, 512));
        // Later, a batch or the end of the patience.
        backoff.waits = 2;
        assert!(!backoff.ready(1, 512));
        backoff.waits = BATCH_WAITS;
        assert!(backoff.ready(1, 512));
        assert!(!backoff.ready(0, 512));
    }

    #[test]
    fn nothing_in_the_first_wait_means_a_few_yields_then_park() {
        let mut backoff = Backoff::new();
        assert!(backoff.wait() || cfg!(bobbin_loom));
        assert!(!backoff.ready(0, 512));
        // From then on each wait is one yield, `true` unless that yield
        // gave the core away or yielding is held off (a busy machine):
        // at most `YIELDS` of them, then the caller parks.
        let mut yields = 0;
        while backoff.wait() {
            yields += 1;
            assert!(yields <= YIELDS, "more than {YIELDS} yields");
            assert!(!backoff.ready(0, 512));
        }
        assert!(!backoff.wait());
        // An idle side that comes back is taken at once, a trickle or not.
        let mut backoff = Backoff::new();
        backoff.waits = 1;
        assert!(!backoff.ready(0, 512));
        assert!(backoff.ready(TRICKLE, 512));
        // Later, an empty look waits on: the other side has shown life.
        let mut backoff = Backoff::new();
        backoff.waits = 2;
        assert!(!backoff.ready(0, 512));
        assert_eq!(backoff.waits, 2);
    }

    #[test]
    fn a_bounded_queue_waits_for_half_its_room_at_most() {
        assert_eq!(batch(0), MAX_BATCH);
        assert_eq!(batch(1), 1);
        assert_eq!(batch(10), 5);
        assert_eq!(batch(1 << 20), MAX_BATCH);
    }

    #[test]
    fn the_waits_run_out() {
        let mut backoff = Backoff::new();
        let waits = std::iter::from_fn(|| backoff.wait().then_some(())).count();
        assert_eq!(waits, if cfg!(bobbin_loom) { 0 } else { WAITS as usize });
    }
}
