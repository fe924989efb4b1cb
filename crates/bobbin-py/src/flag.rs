//! [`Flag`]: a one-shot flag that threads wait on, and [`spin_until`], the
//! spinning that comes before a park: what a `Condition`'s waiter and a
//! `Barrier` generation's parties wait with.
//!
//! The flag is the parking lot's flag (as `bobbin_signal::Event`, without
//! `clear`): a state byte with a "set" bit and a "threads are parked" bit;
//! `set` wakes parked threads only when that bit says there are some.
//!
//! # Spinning, and why not `SpinWait`
//!
//! A Python hand-off (a notification, a barrier generation) is answered in
//! a microsecond or two, less than a futex sleep and wake-up, so a waiter
//! first looks at the flag in a loop, in up to three phases:
//!
//! 1. A few `pause`s.
//! 2. Yielding its time slice, for up to [`YIELD_FOR`]. When the thread that will set
//!    the flag runs on the other core, a yield with nothing else to run
//!    returns at once and polls the flag again. When it shares this core
//!    (the other core busy), a yield is a context switch straight to it,
//!    cheaper than a sleep and a wake-up: a `Condition` ping-pong then
//!    costs two context switches a round trip and no futex call
//!    (`perf stat -e 'syscalls:sys_enter_*'`).
//! 3. Only when yielding is held off (below): `pause`s for up to
//!    [`PAUSE_FOR`], unless that is held off too.
//!
//! Yielding is a bad bet when a CPU-bound thread of another process shares
//! the core: Linux's EEVDF scheduler pushes a yielding thread's deadline
//! back a whole slice, so a yield hands the core to that thread for up to a
//! slice (`bobbin_signal::Event`'s `SpinWait`, which yields up to seven
//! times, took 1.4 ms per ping-pong round trip with one busy loop running
//! on the 2-core machine). So a yield that took long ([`SLOW_YIELD`]) ends
//! the yielding, whether or not the flag was set meanwhile (the thread that
//! set it may well have run after the busy one's slice), and no thread of
//! the process yields for a while: 2 ms, doubling up to 200 ms while slow
//! yields keep coming soon after the last. Two Python threads pinned to
//! one core beside a busy loop took 640 µs a `Barrier` generation when
//! only a yield that left the flag clear held yielding off: every
//! generation's yield lost a slice and found the flag set.
//!
//! With yielding held off, the threads that set flags run beside busy
//! loops, on this core or another one. On another one, a waiter that
//! parks costs its setter a futex wake-up, and itself a wait for the busy
//! loop on its own core to be preempted: 35 µs a hand-off, more than
//! CPython's own `Condition` takes, where pausing finds the flag set in a
//! few microseconds. On this core, pausing only delays the setter, and
//! never finds the flag set. So a waiter pauses for up to [`PAUSE_FOR`],
//! and [`PAUSE_MISSES`] pause phases in a row that end with the flag clear
//! hold pausing off, as a slow yield holds yielding off. Waits then park
//! after the first `pause`s: a futex sleep and wake-up, but never a slice.

use bobbin_park::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use bobbin_park::{DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, Deadline, ParkResult};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The flag is set.
const SET: u8 = 0b01;
/// Threads may be parked on the flag (set with the queue locked; never
/// cleared: the flag is set once).
const PARKED: u8 = 0b10;

/// Rounds of `pause`s, doubling from one: 3 pauses, about 70 ns on the
/// 2-core machine (23 ns a pause). Few: when the other thread runs on the
/// other core the yields that follow poll as well, and when it shares
/// this core pausing only delays it.
const PAUSE_ROUNDS: u32 = 2;
/// How long a waiter goes on yielding, as long as each yield is quick: on
/// a core of its own, long enough for the other thread to be woken from a
/// park and answer (a futex wake-up of a thread on an idle core of the
/// 2-core virtual machine takes about 17 µs), so that one park does not
/// make both threads park from then on; on a shared core, a few switches
/// to the other thread and back.
const YIELD_FOR: Duration = Duration::from_micros(50);
/// A yield that took this long ran another thread for a while: a switch
/// to the thread that sets the flag and back takes a few microseconds, a
/// slice of another process hundreds.
const SLOW_YIELD: Duration = Duration::from_micros(100);
/// How long a waiter pauses when yielding is held off: less than a futex
/// wake-up of a thread whose core runs a busy loop (about 35 µs on the
/// 2-core machine), longer than a hand-off between two threads that run
/// on two cores (a few microseconds).
const PAUSE_FOR: Duration = Duration::from_micros(20);
/// Pause phases in a row that end with the flag clear before pausing is
/// held off: one such phase may only mean that the setter was preempted,
/// several that it waits for this core.
const PAUSE_MISSES: u32 = 3;
/// `pause`s between two looks at the flag and the clock in the pause phase
/// (about 200 ns).
const PAUSES_PER_LOOK: u32 = 8;

/// A flag set once, which threads wait on.
#[derive(Debug, Default)]
pub(crate) struct Flag {
    state: AtomicU8,
}

impl Flag {
    /// Whether the flag is set (an acquire: what its setter wrote before
    /// `set` is visible).
    pub(crate) fn is_set(&self) -> bool {
        self.state.load(Ordering::Acquire) & SET != 0
    }

    /// Sets the flag and wakes every thread waiting on it.
    pub(crate) fn set(&self) {
        if self.state.fetch_or(SET, Ordering::Release) & PARKED != 0 {
            bobbin_park::unpark_all(&self.state, DEFAULT_UNPARK_TOKEN);
        }
    }

    /// Waits until the flag is set or `deadline` passes; whether it is set.
    pub(crate) fn wait(&self, deadline: Deadline) -> bool {
        if spin_until(|| self.is_set()) {
            return true;
        }
        let result = bobbin_park::park(
            &self.state,
            // With the queue locked: sleep only if the flag is clear, after
            // marking that a thread is parked, so that a `set` after this
            // look wakes it.
            || self.state.fetch_or(PARKED, Ordering::Relaxed) & SET == 0,
            || {},
            |_, _| {},
            DEFAULT_PARK_TOKEN,
            deadline,
        );
        match result {
            // Only `set` unparks a flag's threads, and `Invalid` means it
            // was set when we came to park.
            ParkResult::Unparked(_) | ParkResult::Invalid => {
                debug_assert!(self.is_set());
                self.is_set()
            }
            ParkResult::TimedOut => self.is_set(),
        }
    }
}

/// The shortest hold-off (2 ms).
const MIN_HOLD_OFF_NS: u64 = 2_000_000;
/// The longest (200 ms): one lost slice per 200 ms costs about 1%.
const MAX_HOLD_OFF_NS: u64 = 200_000_000;

/// A spin phase held off for a while after it proved a bad bet. Shared by
/// every thread of the process and updated with plain loads and stores: it
/// is a hint, and a lost update only costs a spin more or less.
struct HoldOff {
    /// The last hold-off: doubled when a bad bet comes soon after the last
    /// one (within four hold-offs), so it grows while the bets keep losing,
    /// and back to the shortest when one comes out of the blue.
    length_ns: AtomicU64,
    /// When the last bad bet was found: nanoseconds since [`epoch`].
    last_at: AtomicU64,
    /// Until when the phase is held off: nanoseconds since [`epoch`].
    until: AtomicU64,
}

impl HoldOff {
    const fn new() -> HoldOff {
        HoldOff {
            length_ns: AtomicU64::new(MIN_HOLD_OFF_NS),
            last_at: AtomicU64::new(0),
            until: AtomicU64::new(0),
        }
    }

    /// Whether the phase is held off at `now`.
    fn holds(&self, now: Instant) -> bool {
        ns_at(now) < self.until.load(Ordering::Relaxed)
    }

    /// Holds the phase off after a bad bet found at `now`.
    fn start(&self, now: Instant) {
        let now = ns_at(now);
        let last = self.length_ns.load(Ordering::Relaxed);
        let soon = now.saturating_sub(self.last_at.load(Ordering::Relaxed)) < 4 * last;
        let length = if soon {
            (last * 2).min(MAX_HOLD_OFF_NS)
        } else {
            MIN_HOLD_OFF_NS
        };
        self.length_ns.store(length, Ordering::Relaxed);
        self.last_at.store(now, Ordering::Relaxed);
        self.until
            .store(now.saturating_add(length), Ordering::Relaxed);
    }
}

/// Yielding, held off after a slow yield.
static YIELDS: HoldOff = HoldOff::new();
/// Pausing, held off after [`PAUSE_MISSES`] pause phases in a row ended
/// with the flag clear.
static PAUSES: HoldOff = HoldOff::new();
/// Pause phases in a row that ended with the flag clear.
static PAUSE_MISSED: AtomicU32 = AtomicU32::new(0);

/// The process's clock origin for the hold-offs.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Nanoseconds from [`epoch`] to `at` (saturating: 584 years).
fn ns_at(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(epoch()).as_nanos()).unwrap_or(u64::MAX)
}

/// Spins until `done()` holds, then returns true; false if the spin ended
/// first (the caller then parks). `done()` is not called again once it
/// has returned true, so it may take something (a lock). See the
/// [module docs](self) for the phases.
pub(crate) fn spin_until(done: impl Fn() -> bool) -> bool {
    for round in 0..PAUSE_ROUNDS {
        if done() {
            return true;
        }
        for _ in 0..1u32 << round {
            bobbin_park::hint::spin_loop();
        }
    }
    if done() {
        return true;
    }
    let mut before = Instant::now();
    if YIELDS.holds(before) {
        return pause_until(&done, before);
    }
    let start = before;
    loop {
        bobbin_park::thread::yield_now();
        let after = Instant::now();
        let slow = after - before >= SLOW_YIELD;
        if slow {
            // Another thread ran for long: yielding gives the core away,
            // even if the flag was set meanwhile.
            YIELDS.start(after);
        }
        if done() {
            return true;
        }
        if slow {
            return pause_until(&done, after);
        }
        if after - start >= YIELD_FOR {
            return false;
        }
        before = after;
    }
}

/// The pause phase of [`spin_until`], from `start`: whether `done()` held
/// within [`PAUSE_FOR`].
fn pause_until(done: &impl Fn() -> bool, start: Instant) -> bool {
    if PAUSES.holds(start) {
        return false;
    }
    loop {
        if done() {
            PAUSE_MISSED.store(0, Ordering::Relaxed);
            return true;
        }
        let now = Instant::now();
        if now - start >= PAUSE_FOR {
            let missed = PAUSE_MISSED.load(Ordering::Relaxed) + 1;
            if missed >= PAUSE_MISSES {
                PAUSE_MISSED.store(0, Ordering::Relaxed);
                PAUSES.start(now);
            } else {
                PAUSE_MISSED.store(missed, Ordering::Relaxed);
            }
            return false;
        }
        for _ in 0..PAUSES_PER_LOOK {
            bobbin_park::hint::spin_loop();
        }
    }
}
