//! `cargo xtask bench`: bobbin against its Rust peers and CPython 3.13.
//!
//! Builds `crates/bobbin-bench` in release mode and runs it, passing every
//! argument through (`--quick`, `--reps N`, `--scale F`, `--only TEXT`,
//! `--no-python`, `--hog`, `--runs N`, workload filters; `cargo xtask bench
//! --help` lists them). A run with no arguments is the series whose report
//! is committed: five full runs (`--runs 5`), each a process of its own,
//! written to `docs/bench/REPORT.md`, `ratios.svg` and `samples.tsv`. Any
//! other run writes them under `target/bench/`, so a quick or filtered pass
//! never overwrites the committed report (`--out DIR` chooses another
//! place).

use crate::util::{self, Result, Steps};

pub(crate) fn run(args: &[String]) -> Result {
    let root = util::project_root();
    let mut cmd = util::cargo();
    cmd.args(["run", "--release", "--quiet", "-p", "bobbin-bench", "--"]);
    cmd.args(args);
    if args.is_empty() {
        // The committed figures are medians of five runs, never one run.
        cmd.args(["--runs", "5"]);
    }
    let asks_help = args.iter().any(|a| a == "-h" || a == "--help");
    if !asks_help && !args.iter().any(|a| a == "--out") {
        let out = if args.is_empty() {
            root.join("docs").join("bench")
        } else {
            root.join("target").join("bench")
        };
        cmd.arg("--out").arg(out);
    }
    let mut steps = Steps::new("bench", 1);
    steps.run("bench", &mut cmd)?;
    steps.summary();
    Ok(())
}
