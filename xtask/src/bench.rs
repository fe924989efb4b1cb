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
//!
//! When CPython 3.13 is there (and the run wants CPython rows), bobbin's
//! Python module is built and installed first into the venv of `cargo
//! xtask py` (`target/py/venv-3.13`), and the CPython rows run with that
//! interpreter, so `python/bench.py` also measures bobbin's module against
//! CPython's own types (issue 17's rows, `python.svg`).

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
    let no_python = [
        "--no-python",
        "--only",
        "--list",
        "--render",
        "-h",
        "--help",
    ];
    let python = if args.iter().any(|a| no_python.contains(&a.as_str())) {
        None
    } else {
        let found = crate::py::find_python();
        if found.is_none() {
            println!(
                "bench: no CPython 3.13 found: the CPython rows and bobbin's Python module are skipped"
            );
        }
        found
    };
    // The venv may need making, then the install, then the bench itself.
    let mut steps = Steps::new("bench", if python.is_some() { 3 } else { 1 });
    if let Some(python) = python {
        let venv_python = crate::py::install(&mut steps, &python)?;
        cmd.env("BOBBIN_BENCH_PYTHON", venv_python);
    }
    steps.run("bench", &mut cmd)?;
    steps.summary();
    Ok(())
}
