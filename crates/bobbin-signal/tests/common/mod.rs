//! What the integration tests share: their time bounds, a yielding wait for
//! a condition, and the stress multiplier.

#![allow(dead_code)] // Each test binary uses a different part.

use std::time::{Duration, Instant};

/// A short timeout for waits that must time out.
pub(crate) const SHORT: Duration = Duration::from_millis(50);

/// An upper bound no healthy wait comes near, even on a busy 2-core machine.
pub(crate) const GENEROUS: Duration = Duration::from_secs(20);

/// Spins (yielding) until `cond` holds; fails the test after [`GENEROUS`].
pub(crate) fn until(cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < GENEROUS, "gave up waiting");
        bobbin_park::thread::yield_now();
    }
}

/// How many times more work the stress tests do (`BOBBIN_STRESS`, default 1,
/// set by `cargo xtask stress --multiplier N`).
pub(crate) fn stress_multiplier() -> usize {
    std::env::var("BOBBIN_STRESS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}
