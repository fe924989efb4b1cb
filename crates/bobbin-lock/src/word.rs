//! The steps of a wait on a state word that [`RawLock`](crate::RawLock) and
//! the semaphores' raw core share: take the word by compare-and-swap, spin
//! while no one is parked, mark the word "parked", and park on it (the loop
//! of parking_lot's `RawMutex::lock_slow`).
//!
//! Each primitive keeps its own `#[cold]` loop, which says what taking means
//! for it and what a wake-up brings; these helpers are the steps that do not
//! depend on what the word counts, generic over its width (the lock's
//! `AtomicU8`, the semaphore's `AtomicUsize`). They are `#[inline]`, so each
//! primitive's code is what it was when it spelled them out.

use bobbin_park::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use bobbin_park::{Deadline, Key, ParkResult, ParkToken, SpinWait, park};
use core::ops::{BitAnd, BitOr, Not};

/// A state word from bobbin-park's seam, with the operations the steps use
/// (the seam's own methods, under one name for both widths).
pub(crate) trait StateWord: Key {
    /// The value the word holds.
    type State: Copy
        + Eq
        + From<u8>
        + BitAnd<Output = Self::State>
        + BitOr<Output = Self::State>
        + Not<Output = Self::State>;

    /// The seam's `load`.
    fn load(&self, order: Ordering) -> Self::State;

    /// The seam's `compare_exchange_weak`.
    fn compare_exchange_weak(
        &self,
        current: Self::State,
        new: Self::State,
        success: Ordering,
        failure: Ordering,
    ) -> Result<Self::State, Self::State>;

    /// The seam's `fetch_and`.
    fn fetch_and(&self, value: Self::State, order: Ordering) -> Self::State;
}

/// Implements [`StateWord`] for a seam atomic by forwarding to its inherent
/// methods.
macro_rules! state_word {
    ($($atomic:ty => $state:ty),* $(,)?) => {$(
        impl StateWord for $atomic {
            type State = $state;

            #[inline]
            fn load(&self, order: Ordering) -> $state {
                <$atomic>::load(self, order)
            }

            #[inline]
            fn compare_exchange_weak(
                &self,
                current: $state,
                new: $state,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$state, $state> {
                <$atomic>::compare_exchange_weak(self, current, new, success, failure)
            }

            #[inline]
            fn fetch_and(&self, value: $state, order: Ordering) -> $state {
                <$atomic>::fetch_and(self, value, order)
            }
        }
    )*};
}

state_word!(AtomicU8 => u8, AtomicUsize => usize);

/// Moves the word from `*state` to `next(*state)` by compare-and-swap, with
/// acquire ordering, for as long as `next` allows a move; returns whether a
/// move succeeded.
///
/// Never fails spuriously: a weak exchange that fails is retried on the value
/// it found. On `false`, `*state` is the latest value seen, one that `next`
/// refused.
#[inline]
pub(crate) fn take<W: StateWord>(
    word: &W,
    state: &mut W::State,
    next: impl Fn(W::State) -> Option<W::State>,
) -> bool {
    while let Some(new) = next(*state) {
        match word.compare_exchange_weak(*state, new, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => return true,
            Err(current) => *state = current,
        }
    }
    false
}

/// The steps between a failed [`take`] and parking. While the `parked` bit
/// is clear in `*state`, the holder may be about to release, and spinning a
/// little is cheaper than parking; once spinning is over, the bit is set, to
/// announce that a thread is about to park, so the next release takes its
/// slow path.
///
/// Returns `true` when the word is marked and the caller should park;
/// `false` when `*state` has been read again (after a spin or a failed
/// exchange) and the caller should look at it afresh.
#[inline]
pub(crate) fn spin_or_mark<W: StateWord>(
    word: &W,
    state: &mut W::State,
    parked: W::State,
    spin: &mut SpinWait,
) -> bool {
    let clear = W::State::from(0);
    if *state & parked == clear && spin.spin() {
        *state = word.load(Ordering::Relaxed);
        return false;
    }
    if *state & parked == clear
        && let Err(current) = word.compare_exchange_weak(
            *state,
            *state | parked,
            Ordering::Relaxed,
            Ordering::Relaxed,
        )
    {
        *state = current;
        return false;
    }
    true
}

/// Parks on the word, leaving `token`, until woken or `deadline`.
///
/// The thread sleeps only if the word still reads `sleep_while`, which is
/// checked with the queue locked, so a release between the caller's last
/// look and the sleep is never missed. A thread that times out as the last
/// one parked clears the `parked` bit (the queue is locked), so the next
/// release takes its fast path.
#[inline]
pub(crate) fn park_marked<W: StateWord>(
    word: &W,
    sleep_while: W::State,
    parked: W::State,
    token: ParkToken,
    deadline: Deadline,
) -> ParkResult {
    park(
        word,
        || word.load(Ordering::Relaxed) == sleep_while,
        || {},
        |_, was_last| {
            if was_last {
                word.fetch_and(!parked, Ordering::Relaxed);
            }
        },
        token,
        deadline,
    )
}
