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
//! 2. Yielding its time slice, for up to [`YIELD_FOR`]. When the thread
//!    that will set the flag runs on the other core, a yield with nothing
//!    else to run returns at once and polls the flag again. When it shares
//!    this core (the other core busy), a yield is a context switch
//!    straight to it, cheaper than a sleep and a wake-up: a `Condition`
//!    ping-pong then costs two context switches a round trip and no futex
//!    call (`perf stat -e 'syscalls:sys_enter_*'`).
//! 3. Only when yielding is held off (below): `pause`s for up to
//!    [`PAUSE_FOR`], unless that is held off too.
//!
//! On one CPU ([`bobbin_park::single_cpu`]) only the yields are left: the
//! thread that sets the flag cannot run while the waiter pauses.
//!
//! Yielding is a bad bet when a CPU-bound thread of another process shares
//! the core: the yield hands the core to that thread for up to a slice.
//! The yields are [`bobbin_park::yield_guarded`]: one that took long ends
//! the yielding, whether or not the flag was set meanwhile (the thread that
//! set it may well have run after the busy one's slice), and no thread of
//! the process yields for a while (2 ms, doubling up to 200 ms). Two
//! Python threads pinned to one core beside a busy loop took about 640 µs a
//! `Barrier` generation when only a yield that left the flag clear held
//! yielding off: every generation's yield lost a slice and found the flag
//! set.
//!
//! With yielding held off, the threads that set flags run beside busy
//! loops, on this core or another one. On another one, a waiter that
//! parks costs its setter a futex wake-up, and itself a wait for the busy
//! loop on its own core to be preempted: 35 µs a hand-off, more than
//! CPython's own `Condition` takes, where pausing finds the flag set in a
//! few microseconds. On this core, pausing only delays the setter, and
//! never finds the flag set. So a waiter pauses for up to [`PAUSE_FOR`],
//! and [`PAUSE_MISSES`] pause phases in a row that end with the flag clear
//! hold pausing off (a [`HoldOff`] as yielding's). Waits then park
//! after the first `pause`s: a futex sleep and wake-up, but never a slice.

use bobbin_park::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use bobbin_park::{DEFAULT_PARK_TOKEN, DEFAULT_UNPARK_TOKEN, Deadline, HoldOff, ParkResult};
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

/// Pausing, held off after [`PAUSE_MISSES`] pause phases in a row ended
/// with the flag clear.
static PAUSES: HoldOff = HoldOff::new();
/// Pause phases in a row that ended with the flag clear.
static PAUSE_MISSED: AtomicU32 = AtomicU32::new(0);

/// Spins until `done()` holds, then returns true; false if the spin ended
/// first (the caller then parks). `done()` is not called again once it
/// has returned true, so it may take something (a lock). See the
/// [module docs](self) for the phases.
pub(crate) fn spin_until(done: impl Fn() -> bool) -> bool {
    let single_cpu = bobbin_park::single_cpu();
    if !single_cpu {
        for round in 0..PAUSE_ROUNDS {
            if done() {
                return true;
            }
            for _ in 0..1u32 << round {
                bobbin_park::hint::spin_loop();
            }
        }
    }
    if done() {
        return true;
    }
    let start = Instant::now();
    loop {
        // False when yielding is held off, or this yield gave the core
        // away (and then holds it off): whether or not the flag was set
        // meanwhile, the pauses take over.
        let quick = bobbin_park::yield_guarded();
        if done() {
            return true;
        }
        let now = Instant::now();
        if !quick {
            return !single_cpu && pause_until(done, now);
        }
        if now - start >= YIELD_FOR {
            return false;
        }
    }
}

/// The pause phase of [`spin_until`], from `start`: whether `done()` held
/// within [`PAUSE_FOR`].
fn pause_until(done: impl Fn() -> bool, start: Instant) -> bool {
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
