//! bobbin's build tasks, run as `cargo xtask <task>`.
//!
//! See <https://github.com/matklad/cargo-xtask/>: one plain-Rust binary in
//! the workspace, one module per task, std's `Command` for every step, so a
//! fresh machine needs nothing beyond the Rust toolchain. Each step prints
//! the command it runs and how long it took; the first failing step stops the
//! task with a non-zero exit.

mod bench;
mod ci;
mod demo;
mod docs;
mod loom;
mod miri;
mod py;
mod stress;
mod tsan;
mod util;

use std::process::ExitCode;

const HELP: &str = "\
usage: cargo xtask <task> [options]

tasks:
  bench     bobbin against its Rust peers and CPython 3.13; a run with no
            options is five runs (--runs 5) written to docs/bench/REPORT.md
            [--quick] [--reps N] [--scale F] [--only TEXT] [--no-python]
            [--hog] [--runs N] [workload filter...] (`--help` for all)
  ci        everything CI checks: fmt, clippy, tests, doctests, docs, loom, examples,
            and the Python module (when CPython 3.13 is there)
  demo      run the seed tour, chapter by chapter [--real-time] [chapter filter]
  docs      build the API docs and the guide, and print the page to open
  loom      run the loom models (tests/loom_*.rs) under --cfg bobbin_loom
  py        build the Python module `bobbin` into a venv under target/ and
            run CPython 3.13's lock_tests and test_queue on it, then its own
            Python tests; skips (in one line) without CPython 3.13 [--repeat N]
  miri      run every crate's tests under Miri (nightly), several schedules
            for the crates with `unsafe` [--seeds N (4)] [crate...]
  tsan      run the whole test suite under ThreadSanitizer (nightly) [crate...]
  stress    run the stress tests (`stress_*`, ignored by default), then the
            cross-primitive harness with its hang watchdog for S seconds
            [--seconds S (60)] [--seed N (replay a run)] [--multiplier N]
";

/// The lines of [`HELP`] that describe `task`: its own line and the
/// indented ones after it.
fn task_help(task: &str) -> Option<String> {
    let mut lines = HELP.lines().skip_while(|l| {
        l.strip_prefix("  ")
            .and_then(|l| l.split_whitespace().next())
            != Some(task)
    });
    let first = lines.next()?;
    let mut text = format!("{first}\n");
    for line in lines.take_while(|l| l.starts_with("            ")) {
        text.push_str(line);
        text.push('\n');
    }
    Some(text)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    // `bench` passes `--help` on to its binary, which has more to say; any
    // other task answers it with its own lines of the summary.
    let asks_help = rest.iter().any(|a| a == "--help" || a == "-h");
    if let Some(task) = task.as_deref().filter(|&t| asks_help && t != "bench")
        && let Some(lines) = task_help(task)
    {
        print!("usage: cargo xtask {task} [options]\n\n{lines}");
        return ExitCode::SUCCESS;
    }
    let result = match task.as_deref() {
        Some("bench") => bench::run(&rest),
        Some("ci") => ci::run(&rest),
        Some("demo") => demo::run(&rest),
        Some("docs") => docs::run(&rest),
        Some("loom") => loom::run(&rest),
        Some("miri") => miri::run(&rest),
        Some("py") => py::run(&rest),
        Some("tsan") => tsan::run(&rest),
        Some("stress") => stress::run(&rest),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{HELP}").into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::FAILURE
        }
    }
}
