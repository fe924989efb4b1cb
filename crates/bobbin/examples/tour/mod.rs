//! What every chapter of the tour shares: the logger and the tour's clock.
//!
//! The tutorial's sleeps and timers are seconds long. The tour runs them ten
//! times faster (3 s becomes 0.3 s), keeping their ratios, so that the whole
//! demo takes seconds; with `BOBBIN_REAL_TIME=1` in the environment
//! (`cargo xtask demo --real-time`) it runs at the tutorial's own pace.
//!
//! Each example uses only part of this module.
#![allow(dead_code)]

use std::time::Duration;

/// The environment variable that switches the tour to the tutorial's times.
pub(crate) const REAL_TIME_VAR: &str = "BOBBIN_REAL_TIME";

/// Installs the Python-style logger (`logging.basicConfig(level=DEBUG,
/// format='%(asctime)s %(levelname)s [%(threadName)s] %(message)s')`).
pub(crate) fn init() {
    bobbin::logging::basic_config(log::LevelFilter::Debug);
}

/// Whether the tour runs at the tutorial's own pace.
pub(crate) fn real_time() -> bool {
    std::env::var_os(REAL_TIME_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// A span of the tutorial's time, given in the tutorial's seconds: the same
/// span with `BOBBIN_REAL_TIME=1`, a tenth of it otherwise.
pub(crate) fn secs(tutorial_secs: f64) -> Duration {
    let scale = if real_time() { 1.0 } else { 0.1 };
    Duration::from_secs_f64(tutorial_secs * scale)
}

/// Sleeps for a span of the tutorial's time (see [`secs`]).
pub(crate) fn sleep(tutorial_secs: f64) {
    std::thread::sleep(secs(tutorial_secs));
}

/// A pseudo-random whole number in `lo..=hi` (Python's
/// `random.randint(lo, hi)`), from std's randomly keyed hasher: the tour
/// needs no better randomness than that and no dependency for it.
pub(crate) fn randint(lo: u64, hi: u64) -> u64 {
    lo + random_u64() % (hi - lo + 1)
}

/// A pseudo-random number in `0.0..1.0` (Python's `random.random()`).
pub(crate) fn random() -> f64 {
    // The top 53 bits, the precision of an f64's mantissa.
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn random_u64() -> u64 {
    use std::hash::BuildHasher;
    // Each `RandomState` has fresh keys, so hashing a constant yields a new
    // number each time.
    std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64)
}
