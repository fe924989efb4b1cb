//! `cargo xtask miri`: the tests of the crates with `unsafe`, under Miri.
//!
//! Miri needs nightly with its `miri` and `rust-src` components; a fresh
//! machine has nightly without them, so this task installs them (rustup)
//! when they are missing and says so if it cannot. It stays out of
//! `cargo xtask ci`, which runs on stable.
//!
//! Flags, each with its reason:
//! - `-Zmiri-strict-provenance`: no integer-to-pointer casts anywhere (the
//!   parking lot's keys are addresses, and must stay plain integers).
//! - `-Zmiri-disable-isolation`: proptest looks up its failure-persistence
//!   file with `getcwd`, which isolation forbids.
//! - `PROPTEST_CASES=8`: each case is 10^5–10^6 times slower under Miri.

use crate::util::{self, Result, Steps};

/// The crates whose tests run under Miri when no crate is named.
const DEFAULT_CRATES: &[&str] = &["bobbin-park", "bobbin-lock", "bobbin-thread"];

pub(crate) fn run(args: &[String]) -> Result {
    util::ensure_nightly_components(&["miri", "rust-src"])?;
    let crates: Vec<&str> = if args.is_empty() {
        DEFAULT_CRATES.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    let mut steps = Steps::new("miri", crates.len());
    for name in crates {
        let mut cmd = util::nightly_cargo();
        cmd.env(
            "MIRIFLAGS",
            "-Zmiri-strict-provenance -Zmiri-disable-isolation",
        )
        .env("PROPTEST_CASES", "8")
        .args(["miri", "test", "-p", name]);
        steps.run(name, &mut cmd)?;
    }
    steps.summary();
    Ok(())
}
