//! [`epoch`]: the process's clock origin, set without a lock.

// Outside the model-checking seam on purpose: the clock is real time, which
// loom has no model of, so its atomic is std's even under `--cfg bobbin_loom`.
#![allow(clippy::disallowed_types)]

use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};
use std::time::{Duration, Instant};

/// The process's clock origin: a day before the first caller asked for it
/// (or, where the clock cannot go back that far, that moment itself).
///
/// Times that must fit in an atomic (when a thread parked, until when a
/// [`HoldOff`](crate::HoldOff) holds, a lock waiter's due time) are kept as
/// durations since this instant. It lies in the past so that an instant a
/// caller took before the first call (say, before a first
/// [`HoldOff::start`](crate::HoldOff::start)) still counts from it exactly,
/// rather than being rounded up to the origin. It is set without a lock, by a
/// compare-and-swap (a caller that loses the race drops its own instant and
/// takes the winner's): a `std::sync::OnceLock` would block every caller
/// while one sets it, and a `fork` in that moment would leave the child's
/// copy set by no thread, so that the child's first caller waited forever.
///
/// # Examples
///
/// ```
/// use bobbin_park::epoch;
/// use std::time::Instant;
///
/// let before = Instant::now();
/// let origin = epoch();
/// // An instant taken before the first call still counts from the origin.
/// assert!(origin <= before);
/// assert_eq!(epoch(), origin);
/// ```
#[must_use]
pub fn epoch() -> Instant {
    /// How far before the first call the origin lies.
    const BACKDATE: Duration = Duration::from_secs(24 * 60 * 60);
    static EPOCH: AtomicPtr<Instant> = AtomicPtr::new(ptr::null_mut());
    let mut origin = EPOCH.load(Ordering::Acquire);
    if origin.is_null() {
        let now = Instant::now();
        let fresh = Box::into_raw(Box::new(now.checked_sub(BACKDATE).unwrap_or(now)));
        origin = match EPOCH.compare_exchange(
            ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` came from `Box::into_raw` above and the
                // failed exchange did not publish it: no one else has it.
                drop(unsafe { Box::from_raw(fresh) });
                winner
            }
        };
    }
    // SAFETY: a non-null `EPOCH` is a `Box<Instant>` leaked by the exchange
    // that published it (acquired above), never freed nor written again.
    unsafe { *origin }
}

#[cfg(test)]
mod tests {
    use super::epoch;
    use std::time::Instant;

    #[test]
    fn an_instant_taken_before_the_first_call_counts_from_the_origin() {
        let before = Instant::now();
        let origin = epoch();
        // Later than `before` if it were the first call's own moment.
        assert!(origin <= before);
    }

    #[test]
    fn every_thread_gets_the_same_origin() {
        let origins: Vec<_> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..8).map(|_| s.spawn(epoch)).collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        assert!(origins.iter().all(|&o| o == epoch()));
    }
}
