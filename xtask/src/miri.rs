//! `cargo xtask miri`: every crate's tests (unit, integration and doc
//! tests) under Miri, one crate after another.
//!
//! Miri needs nightly with its `miri` and `rust-src` components; a fresh
//! machine has nightly without them, so this task installs them (rustup)
//! when they are missing and says so if it cannot. It stays out of
//! `cargo xtask ci`, which runs on stable (and Miri takes minutes).
//!
//! Flags, each with its reason:
//! - `-Zmiri-strict-provenance`: no integer-to-pointer casts anywhere (the
//!   parking lot's keys are addresses, and must stay plain integers).
//! - `-Zmiri-disable-isolation`: proptest looks up its failure-persistence
//!   file with `getcwd`, which isolation forbids.
//! - `-Zmiri-many-seeds=0..N` (`--seeds N`, default 4) on the crates with
//!   `unsafe` code or that drive it most (bobbin-park, bobbin-lock,
//!   bobbin-thread): each test binary runs once per seed, each seed a
//!   different schedule of its threads and a different choice among the
//!   values a weak memory model allows, which is what finds a missing
//!   ordering or a lost wake-up. The other crates run with one seed, since
//!   they have no `unsafe` of their own (`#![forbid(unsafe_code)]`).
//! - `--no-fail-fast`: a failure in one test binary does not hide the
//!   others'.
//! - `PROPTEST_CASES=8`: each case is 10^5–10^6 times slower under Miri.
//!
//! Exclusions:
//! - `bobbin-bench`: benchmarks that time bobbin against its peers and
//!   CPython; nothing in them checks behaviour, and Miri's clock and speed
//!   make them meaningless.
//! - `bobbin-py`: the Python module. Its behaviour is only reachable from
//!   a CPython interpreter (`cargo xtask py` runs CPython's own suites on
//!   it), which Miri cannot run; its Rust doctests only build its classes.
//! - The facade's `tests/tour.rs`: it runs the tour's example programs as
//!   child processes and checks the order of their output in real time;
//!   Miri cannot start a process (`posix_spawn` is unsupported).
//! - Two chapters of the guide (the facade's doctests): chapter 5 abandons
//!   a daemon thread when `main` returns, which is its point and which Miri
//!   reports as an error (it lets no thread outlive `main`); chapter 11
//!   asserts that a loop on a 5 ms `wait_timeout` ran at least once during
//!   a 30 ms sleep, which Miri, 10^5 times slower, cannot meet.
//!
//! The tests themselves shrink their loop counts under `cfg!(miri)`, and
//! the ones Miri cannot run at all (a child process, the process's real
//! exit) return early there, each saying why.

use crate::util::{self, Result, Steps};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Crates whose tests run under several Miri seeds.
const MANY_SEEDS: &[&str] = &["bobbin-park", "bobbin-lock", "bobbin-thread"];

/// Crates that are not run: see the module docs for why.
const EXCLUDED: &[&str] = &["bobbin-bench", "bobbin-py"];

/// Test targets (files under `tests/`) not run in one crate: see the module
/// docs for why.
const EXCLUDED_TARGETS: &[(&str, &[&str])] = &[("bobbin", &["tour"])];

/// Tests skipped in one crate (test-name filters): see the module docs for
/// why.
const SKIPPED: &[(&str, &[&str])] = &[("bobbin", &["guide::ch05_daemon", "guide::ch11_event"])];

/// The `cargo miri test` commands for one crate: one for everything, or,
/// when some of its test targets are excluded, one for the library and the
/// other targets and one for the doctests.
fn commands(name: &str, dir: &Path, flags: &str) -> Vec<Command> {
    let base = || {
        let mut cmd = util::nightly_cargo();
        cmd.env("MIRIFLAGS", flags)
            .env("PROPTEST_CASES", "8")
            .args(["miri", "test", "--no-fail-fast", "-p", name]);
        cmd
    };
    let skip = |cmd: &mut Command| {
        if let Some((_, skipped)) = SKIPPED.iter().find(|(c, _)| *c == name) {
            cmd.arg("--");
            for test in *skipped {
                cmd.args(["--skip", test]);
            }
        }
    };
    let Some((_, excluded)) = EXCLUDED_TARGETS.iter().find(|(c, _)| *c == name) else {
        let mut all = base();
        skip(&mut all);
        return vec![all];
    };
    let mut targets = base();
    targets.arg("--lib");
    for (stem, _) in util::rust_files(&dir.join("tests"), "") {
        if !excluded.contains(&stem.as_str()) {
            targets.args(["--test", &stem]);
        }
    }
    let mut docs = base();
    docs.arg("--doc");
    skip(&mut docs);
    vec![targets, docs]
}

pub(crate) fn run(args: &[String]) -> Result {
    let mut seeds: u32 = 4;
    let mut named = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seeds" => {
                seeds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("`--seeds` needs a positive whole number")?;
            }
            name => named.push(name.to_owned()),
        }
    }
    util::ensure_nightly_components(&["miri", "rust-src"])?;
    let crates: Vec<(String, PathBuf)> = util::crates()
        .into_iter()
        .filter(|(name, _)| {
            if named.is_empty() {
                !EXCLUDED.contains(&name.as_str())
            } else {
                named.contains(name)
            }
        })
        .collect();
    if let Some(unknown) = named.iter().find(|n| !crates.iter().any(|(c, _)| c == *n)) {
        return Err(format!("`cargo xtask miri`: no crate `{unknown}`").into());
    }
    let mut steps = Steps::new("miri", crates.len());
    for (name, dir) in &crates {
        let mut flags = String::from("-Zmiri-strict-provenance -Zmiri-disable-isolation");
        if MANY_SEEDS.contains(&name.as_str()) {
            flags.push_str(&format!(" -Zmiri-many-seeds=0..{seeds}"));
        }
        steps.run_all(name, commands(name, dir, &flags))?;
    }
    steps.summary();
    Ok(())
}
