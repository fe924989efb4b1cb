//! [`SpinWait`]: adaptive spinning before parking.
//!
//! A lock held for a few dozen nanoseconds is cheaper to wait for by spinning
//! than by parking (two syscalls and a context switch). parking_lot_core's
//! `SpinWait` spins with exponential back-off (1, 2, 4 … 8 `pause`
//! instructions), then yields the time slice, and after ten rounds gives up so
//! that the caller parks. This is the same schedule; under
//! `--cfg bobbin_loom` spinning only multiplies the interleavings a model must
//! explore, so there the spinner gives up at once.
//!
//! [`SpinWait::spin_guarded`] is the spin for waits on another thread's
//! signal: its yields stop when they give the core away to a busy thread
//! (see [`yield_guarded`]).
//!
//! On a process that may use one CPU only ([`single_cpu`]) the spinning
//! rounds are skipped: the thread waited for cannot run while the waiter
//! spins, so only the yields (which let it run) are left.

use crate::hold_off::yield_guarded;

/// Whether this process may run on one CPU only, so that a spinning thread
/// can never see another thread make progress meanwhile: the thread it
/// waits for is not running, and gets the CPU only when the spinner yields
/// or sleeps.
///
/// What [`std::thread::available_parallelism`] says (the threads' CPU
/// affinity, and a cgroup's CPU quota), asked once, on the first call, and
/// kept: a process pinned to one CPU with `taskset -c 0`, run in a
/// container with one CPU, or on a machine with one. A process whose
/// affinity changes later keeps the first answer (with a wider affinity
/// it then parks sooner than it would have to; with a narrower one it
/// spins in vain, as a spinner that never asks does). Go's runtime makes
/// the same decision at start-up (it never spins on one CPU). Under
/// `--cfg bobbin_loom`, `false`.
///
/// [`SpinWait`] skips its spinning rounds when it is `true`; primitives with
/// spin phases of their own should too.
///
/// # Examples
///
/// ```
/// let parallel = std::thread::available_parallelism().map_or(1, |n| n.get());
/// assert_eq!(bobbin_park::single_cpu(), parallel == 1 && !cfg!(bobbin_loom));
/// ```
#[inline]
#[must_use]
pub fn single_cpu() -> bool {
    // Outside the model-checking seam: a fact about the machine, read once.
    #[allow(clippy::disallowed_types)]
    static SINGLE: core::sync::atomic::AtomicU8 = core::sync::atomic::AtomicU8::new(UNKNOWN);
    const UNKNOWN: u8 = 0;
    const YES: u8 = 1;
    const NO: u8 = 2;
    if cfg!(bobbin_loom) {
        return false;
    }
    match SINGLE.load(core::sync::atomic::Ordering::Relaxed) {
        YES => true,
        NO => false,
        _ => {
            // Racing first callers compute the same answer.
            let single = std::thread::available_parallelism().is_ok_and(|n| n.get() == 1);
            let answer = if single { YES } else { NO };
            SINGLE.store(answer, core::sync::atomic::Ordering::Relaxed);
            single
        }
    }
}

/// A counter for spin loops that back off exponentially and then tell the
/// caller to park.
///
/// Primitives spin only while no thread is parked on them: once one is, a
/// newcomer parks at once rather than competing with the thread that is
/// about to be woken.
///
/// # Examples
///
/// ```
/// use bobbin_park::SpinWait;
/// use bobbin_park::sync::atomic::{AtomicBool, Ordering};
///
/// let flag = AtomicBool::new(false);
/// let mut spin = SpinWait::new();
/// while !flag.load(Ordering::Acquire) {
///     if !spin.spin() {
///         // Spinning has not paid off: a real primitive would park here.
///         flag.store(true, Ordering::Release);
///     }
/// }
/// ```
#[derive(Debug, Default)]
pub struct SpinWait {
    /// Rounds spun since the last reset, at most [`SPIN_LIMIT`].
    counter: u32,
}

/// Rounds after which spinning stops paying.
const SPIN_LIMIT: u32 = 10;

/// Rounds that only spin the CPU; later rounds yield the time slice.
const RELAX_ROUNDS: u32 = 3;

/// Executes `iterations` spin-loop hints.
#[inline]
fn cpu_relax(iterations: u32) {
    for _ in 0..iterations {
        crate::hint::spin_loop();
    }
}

impl SpinWait {
    /// A spinner that has not spun yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut spin = bobbin_park::SpinWait::new();
    /// assert!(spin.spin() || cfg!(bobbin_loom));
    /// ```
    #[inline]
    #[must_use]
    pub const fn new() -> Self {
        SpinWait { counter: 0 }
    }

    /// Starts the back-off again from the shortest spin, after progress.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut spin = bobbin_park::SpinWait::new();
    /// while spin.spin() {}
    /// spin.reset();
    /// assert!(spin.spin() || cfg!(bobbin_loom));
    /// ```
    #[inline]
    pub fn reset(&mut self) {
        self.counter = 0;
    }

    /// Spins (or yields) once, longer each time, and returns `false` once
    /// spinning no longer pays and the caller should park instead. On one
    /// CPU ([`single_cpu`]) it only yields.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut spin = bobbin_park::SpinWait::new();
    /// let mut rounds = 0;
    /// while spin.spin() {
    ///     rounds += 1;
    /// }
    /// assert!(rounds < 100);
    /// ```
    #[inline]
    pub fn spin(&mut self) -> bool {
        self.round(|| {
            crate::thread::yield_now();
            true
        })
    }

    /// As [`spin`](SpinWait::spin), but its yields are [`yield_guarded`]:
    /// `false` also when a yield gave the core away, or yielding is held
    /// off. For waits on another thread's signal (an event, a queue's
    /// item), where a lost yield costs a slice on every hand-off; see
    /// [`yield_guarded`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut spin = bobbin_park::SpinWait::new();
    /// let mut rounds = 0;
    /// while spin.spin_guarded() {
    ///     rounds += 1;
    /// }
    /// assert!(rounds < 100);
    /// ```
    #[inline]
    pub fn spin_guarded(&mut self) -> bool {
        self.round(yield_guarded)
    }

    /// One round of [`spin`](SpinWait::spin)'s schedule, with `yield_once`
    /// for the yielding rounds (whether to go on).
    #[inline]
    fn round(&mut self, yield_once: impl FnOnce() -> bool) -> bool {
        if cfg!(bobbin_loom) || self.counter >= SPIN_LIMIT {
            return false;
        }
        self.counter += 1;
        if self.counter <= RELAX_ROUNDS {
            // Asked on the first round only: it skips the others.
            if self.counter == 1 && single_cpu() {
                // Spinning cannot pay: on to the yields.
                self.counter = RELAX_ROUNDS + 1;
                return yield_once();
            }
            cpu_relax(1 << (self.counter - 1));
            true
        } else {
            yield_once()
        }
    }

    /// Spins once without ever yielding the time slice, for loops that only
    /// wait for another thread to finish a few instructions (a state word in
    /// the middle of an update). Returns `false` once the caller should stop,
    /// and at once on one CPU ([`single_cpu`]), where the other thread
    /// cannot finish while this one spins.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut spin = bobbin_park::SpinWait::new();
    /// let mut rounds = 0;
    /// while spin.spin_no_yield() {
    ///     rounds += 1;
    /// }
    /// assert!(rounds < 100);
    /// ```
    #[inline]
    pub fn spin_no_yield(&mut self) -> bool {
        if cfg!(bobbin_loom) || self.counter >= SPIN_LIMIT || (self.counter == 0 && single_cpu()) {
            return false;
        }
        self.counter += 1;
        cpu_relax(1 << self.counter.min(RELAX_ROUNDS + 3));
        true
    }
}
