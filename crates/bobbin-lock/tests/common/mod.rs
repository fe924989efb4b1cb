//! What the integration tests share: a bounded wait for a handshake between
//! threads.

use bobbin_park::thread::yield_now;
use std::time::{Duration, Instant};

/// Spins (yielding) until `done` holds; panics after ten seconds, so a
/// broken handshake fails instead of hanging.
pub(crate) fn wait_for(what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(10), "never: {what}");
        yield_now();
    }
}

/// How long a time-boxed stress test runs: `BOBBIN_STRESS_SECS` (set by
/// `cargo xtask stress`), or five seconds.
#[allow(dead_code)] // Only the stress tests use it.
pub(crate) fn stress_duration() -> Duration {
    let secs = std::env::var("BOBBIN_STRESS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    Duration::from_secs(secs)
}
