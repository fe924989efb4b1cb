//! `cargo xtask stress`: the stress tests, which the normal run skips.
//!
//! A stress test is named `stress_*` and marked
//! `#[ignore = "stress test: run with cargo xtask stress"]`. This task runs
//! them in release mode, in two steps:
//!
//! 1. every crate's own `stress_*` tests, each time-boxed one for a twelfth
//!    of `--seconds` (at least 1 s; 5 s by default);
//! 2. the cross-primitive harness, `crates/bobbin/tests/stress.rs`: random
//!    operations on every primitive for `--seconds` (default 60), exact
//!    accounting at the end, and a watchdog that fails the run, printing
//!    the hang report, when a worker makes no progress for 10 s. It prints
//!    its seed; `--seed N` replays that run's random choices.
//!
//! The knobs reach the tests through the environment: `BOBBIN_STRESS`
//! multiplies their work (`--multiplier N`, default 1), `BOBBIN_STRESS_SECS`
//! bounds the time-boxed ones, `BOBBIN_STRESS_SEED` seeds the harness.

use crate::util::{self, Result, Steps};

/// The harness's test, which step 2 runs alone and step 1 skips.
const HARNESS: &str = "stress_every_primitive_with_a_watchdog";

pub(crate) fn run(args: &[String]) -> Result {
    let mut multiplier = 1;
    let mut seconds = 60;
    let mut seed = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |positive: bool| {
            it.next()
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|&n| n > 0 || !positive)
                .ok_or_else(|| format!("`{arg}` needs a whole number"))
        };
        match arg.as_str() {
            "--multiplier" => multiplier = value(true)?,
            "--seconds" => seconds = value(true)?,
            "--seed" => seed = Some(value(false)?),
            other => return Err(format!("`cargo xtask stress`: unknown argument `{other}`").into()),
        }
    }
    let per_test = (seconds / 12).max(1);

    let mut steps = Steps::new("stress", 2);
    let mut crates = util::cargo();
    crates
        .env("BOBBIN_STRESS", multiplier.to_string())
        .env("BOBBIN_STRESS_SECS", per_test.to_string())
        .args([
            "test",
            "--release",
            "--workspace",
            // The doctests hold no stress test.
            "--lib",
            "--bins",
            "--tests",
            "--",
            "--ignored",
            "stress_",
            "--skip",
            HARNESS,
        ]);
    steps.run("crates", &mut crates)?;

    let mut harness = util::cargo();
    harness
        .env("BOBBIN_STRESS", multiplier.to_string())
        .env("BOBBIN_STRESS_SECS", seconds.to_string())
        .args([
            "test",
            "--release",
            "-p",
            "bobbin",
            "--test",
            "stress",
            "--",
            "--ignored",
            "--exact",
            HARNESS,
            "--nocapture",
        ]);
    if let Some(seed) = seed {
        harness.env("BOBBIN_STRESS_SEED", seed.to_string());
    }
    steps.run("harness", &mut harness)?;
    steps.summary();
    Ok(())
}
