//! What the integration tests share: a bounded wait for a handshake between
//! threads, a count of concurrent holders, and the proptest configuration.

use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
use bobbin_park::thread::yield_now;
use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence};
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

/// Runs `threads` threads that each take a permit `rounds` times through
/// `acquire`, counting themselves in while they hold it; returns the most
/// holders seen at once.
#[allow(dead_code)] // Only the semaphore tests use it.
pub(crate) fn most_holders_at_once<G>(
    threads: usize,
    rounds: usize,
    acquire: impl Fn() -> G + Sync,
) -> usize {
    let inside = AtomicUsize::new(0);
    let most = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..rounds {
                    let _held = acquire();
                    let now = inside.fetch_add(1, Ordering::AcqRel) + 1;
                    most.fetch_max(now, Ordering::Relaxed);
                    inside.fetch_sub(1, Ordering::AcqRel);
                }
            });
        }
    });
    most.load(Ordering::Relaxed)
}

/// proptest's default configuration, but recording failing cases in `path`
/// (next to the test file), so that every later run replays them.
#[allow(dead_code)] // Only the proptest models use it.
pub(crate) fn persisted_in(path: &'static str) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(path))),
        ..ProptestConfig::default()
    }
}
