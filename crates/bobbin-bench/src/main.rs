//! bobbin's benchmarks: every primitive against its best Rust peers (std,
//! parking_lot, crossbeam-channel, flume) and CPython 3.13, side by side in
//! one run. `cargo xtask bench` runs this binary in release mode.
//!
//! A small harness of its own ([`harness`]) rather than criterion or divan:
//! the workloads are multi-threaded (ping-pong between two threads, two
//! producers and two consumers) and must alternate implementations within a
//! workload, which neither does, and it keeps the crate's build light for
//! `cargo xtask ci`. Every workload of issue 8 is in [`workloads`], each
//! implementation checking its own result; [`python`] runs the same
//! workloads in CPython; [`report`] and [`chart`] write `REPORT.md` and
//! `ratios.svg`.

// The benchmarks name std's `Mutex`, `Condvar`, `Barrier` and atomics, and
// `std::hint::spin_loop`, because they are the peers and floors bobbin is
// measured against; clippy.toml bans them in the workspace to keep bobbin's
// crates on their model-checking seam, which a benchmark does not need (it
// never runs under `--cfg bobbin_loom`).
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

mod chart;
mod frompython;
mod harness;
mod hog;
mod machine;
mod peers;
mod python;
mod report;
mod samples;
mod series;
mod stats;
mod workloads;

use harness::{Kind, Plan};
use report::{Outcome, Run};
use series::Series;
use stats::Summary;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const HELP: &str = "\
usage: bobbin-bench [options] [workload filter...]

Runs every workload whose name contains one of the filters (all without
one), alternating implementations, and prints medians and ratios.

options:
  --quick        a short pass: 3 repetitions of a tenth of the operations
  --reps N       repetitions of every implementation (default 11, 3 with --quick)
  --scale F      multiply every operation count by F (default 1, 0.1 with --quick)
  --only TEXT    run only the implementations whose name contains TEXT
                 (repeatable: any of them; for profiling: no CPython rows,
                 no report)
  --no-python    skip the CPython 3.13 rows
  --hog          keep every core busy while the workloads run: one
                 CPU-bound thread per core, beside peers and bobbin alike
  --runs N       run the whole comparison N times, each in a process of its
                 own, and report per bobbin row the median of the runs'
                 ratios and the worst run (the committed report uses 5)
  --out DIR      write REPORT.md, ratios.svg and samples.tsv into DIR
                 (FINDINGS.md there, if any, is included in the report)
  --list         list the workloads and their implementations
  --render DIR   run nothing: write REPORT.md and ratios.svg again from
                 DIR/samples.tsv (after editing DIR/FINDINGS.md, say)
";

/// The command line.
#[derive(Debug)]
struct Args {
    plan: Plan,
    quick: bool,
    only: Vec<String>,
    python: bool,
    hog: bool,
    runs: usize,
    out: Option<PathBuf>,
    list: bool,
    render: Option<PathBuf>,
    filter: Vec<String>,
    /// The arguments each run of a series is given: all but `--runs` and
    /// `--out`.
    per_run: Vec<String>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut quick = false;
    let (mut reps, mut scale) = (None, None);
    let mut parsed = Args {
        plan: Plan {
            reps: 11,
            scale: 1.0,
        },
        quick: false,
        only: Vec::new(),
        python: true,
        hog: false,
        runs: 1,
        out: None,
        list: false,
        render: None,
        filter: Vec::new(),
        per_run: Vec::new(),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("`{arg}` needs a value"));
        // Each run of a series gets every argument but these two (the values
        // of the others are passed on where they are read, below).
        if arg != "--runs" && arg != "--out" {
            parsed.per_run.push(arg.clone());
        }
        match arg.as_str() {
            "--quick" => quick = true,
            "--reps" => {
                let v = value()?;
                parsed.per_run.push(v.clone());
                reps = Some(
                    v.parse::<usize>()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| format!("`--reps {v}`: need a positive whole number"))?,
                );
            }
            "--scale" => {
                let v = value()?;
                parsed.per_run.push(v.clone());
                scale = Some(
                    v.parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s > 0.0)
                        .ok_or_else(|| format!("`--scale {v}`: need a positive number"))?,
                );
            }
            "--only" => {
                let v = value()?;
                parsed.per_run.push(v.clone());
                parsed.only.push(v);
            }
            "--runs" => {
                let v = value()?;
                parsed.runs = v
                    .parse::<usize>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("`--runs {v}`: need a positive whole number"))?;
            }
            "--no-python" => parsed.python = false,
            "--hog" => parsed.hog = true,
            "--out" => parsed.out = Some(PathBuf::from(value()?)),
            "--list" => parsed.list = true,
            "--render" => parsed.render = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            _ => parsed.filter.push(arg),
        }
    }
    parsed.quick = quick;
    parsed.plan = Plan {
        reps: reps.unwrap_or(if quick { 3 } else { 11 }),
        scale: scale.unwrap_or(if quick { 0.1 } else { 1.0 }),
    };
    if !parsed.only.is_empty() {
        parsed.python = false;
        parsed.out = None;
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(msg) if msg.is_empty() => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("bobbin-bench: {msg}\n\n{HELP}");
            return ExitCode::FAILURE;
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("bobbin-bench: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    if let Some(dir) = &args.render {
        let path = dir.join("samples.tsv");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut runs = samples::read_all(&text, &workloads::all())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        return match runs.len() {
            1 => write_report(&runs.remove(0), dir),
            _ => write_series_report(&Series { runs }, dir),
        };
    }
    if args.runs > 1 && !args.list {
        return run_series(args);
    }
    let workloads: Vec<_> = workloads::all()
        .into_iter()
        .filter(|w| args.filter.is_empty() || args.filter.iter().any(|f| w.name.contains(f)))
        .collect();
    if workloads.is_empty() {
        return Err(format!("no workload matches `{}`", args.filter.join(" ")));
    }
    if args.list {
        for w in &workloads {
            println!("{} ({} per {})", w.name, w.scale.symbol(), w.op);
            for i in &w.impls {
                println!("    {:?}: {}", i.kind, i.name);
            }
        }
        return Ok(());
    }

    let load_start = machine::load_average();
    let python = if args.python {
        python::find()
    } else {
        Err("not asked for (--no-python)".to_owned())
    };
    match &python {
        Ok(p) => println!(
            "CPython {} found: its rows run after each workload's",
            p.version
        ),
        Err(why) => println!("CPython 3.13 rows skipped: {why}"),
    }
    let mut python_status = python
        .as_ref()
        .map(|p| p.version.clone())
        .map_err(Clone::clone);
    let only = |i: &harness::Impl| {
        args.only.is_empty() || args.only.iter().any(|o| i.name.contains(o.as_str()))
    };
    // Started before the first workload and stopped after the last, so that
    // every implementation shares the cores with it alike.
    let hog = args.hog.then(|| hog::Hog::start(workloads::cores()));
    let mut run = Run {
        date: machine::now_utc(),
        cpu: machine::cpu_model(),
        cores: workloads::cores(),
        os: machine::os(),
        rustc: machine::version_of("rustc"),
        python: Ok(String::new()),
        load: (load_start, None),
        plan: args.plan,
        quick: args.quick,
        hog: args.hog,
        filter: args.filter.clone(),
        outcomes: Vec::new(),
    };
    println!(
        "{} on {} ({} cores); {} repetitions, operation counts × {}; load {}{}",
        run.date,
        run.cpu,
        run.cores,
        args.plan.reps,
        args.plan.scale,
        run.load.0.as_deref().unwrap_or("n/a"),
        if args.hog { "; cores busy (--hog)" } else { "" }
    );

    for workload in &workloads {
        if !workload.impls.iter().any(only) {
            continue;
        }
        let ops = args.plan.ops(workload);
        println!(
            "\n{} ({} per {}, {ops} per sample)",
            workload.name,
            workload.scale.symbol(),
            workload.op
        );
        let mut rows = harness::measure(workload, args.plan, &only, &mut |_, _| {});
        if let (Ok(py), Ok(_)) = (&python, &python_status) {
            match python::run(py, workload.name, args.plan) {
                Ok(py_rows) => rows.extend(py_rows),
                Err(msg) if msg.starts_with("CPython skipped") => python_status = Err(msg),
                Err(msg) => return Err(msg),
            }
        }
        let outcome = Outcome {
            name: workload.name,
            op: workload.op,
            scale: workload.scale,
            about: workload.about,
            ops,
            rows,
        };
        print_outcome(&outcome);
        run.outcomes.push(outcome);
    }
    drop(hog);
    run.load.1 = machine::load_average();
    run.python = python_status;

    println!("\nbobbin against its best Rust peer:");
    for v in run.verdicts() {
        println!(
            "  {:<22} {:<28} ratio {:>5}  ÷ plain {:>5}  CPython ÷ bobbin {}",
            v.workload,
            v.bobbin,
            v.ratio
                .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}")),
            v.plain_ratio
                .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}")),
            v.python_factor
                .map_or_else(|| "–".to_owned(), |f| format!("{f:.0}×")),
        );
    }
    print_from_python(core::slice::from_ref(&run));
    if let Some(out) = &args.out {
        write_report(&run, out)?;
    }
    Ok(())
}

/// Prints the rows of bobbin's Python module against CPython's types, if
/// any run measured them.
fn print_from_python(runs: &[Run]) {
    let verdicts = frompython::verdicts(runs);
    if verdicts.is_empty() {
        return;
    }
    println!("\nbobbin from CPython 3.13, CPython ÷ bobbin (median, worst):");
    let fmt = |f: Option<f64>| f.map_or_else(|| "–".to_owned(), |f| format!("{f:.2}×"));
    for v in verdicts {
        let t = v.target;
        println!(
            "  {:<22} {:<24} vs {:<26} {:>7}  worst {:>7}  must be {}",
            t.workload,
            t.bobbin,
            t.cpython,
            fmt(v.median()),
            fmt(v.worst()),
            t.must,
        );
    }
}

fn print_outcome(outcome: &Outcome) {
    let unit = outcome.scale.symbol();
    for line in outcome.lines() {
        let Summary { median, .. } = line.summary;
        let kind = match line.row.kind {
            Kind::Bobbin => "bobbin",
            Kind::Peer => "peer",
            Kind::Reference => "ref",
            Kind::Plain => "plain",
            Kind::CPython => "CPython",
            Kind::BobbinPy => "bobbin-py",
        };
        println!(
            "  {kind:<7} {:<42} {:>9} {unit} ±{:>4.1}%  ratio {}",
            line.row.name,
            outcome.scale.format(median),
            line.summary.spread_percent(),
            line.ratio
                .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}")),
        );
    }
    for (family, s) in outcome.speedups() {
        println!("  speedup of all cores over one thread, {family}: {s:.2}×");
    }
}

/// Runs the whole comparison `args.runs` times, each a process of its own
/// (this binary again, with the same arguments but `--runs` and `--out`),
/// and reports the series.
fn run_series(args: &Args) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let dir = std::env::temp_dir().join(format!("bobbin-bench-series-{}", std::process::id()));
    let mut runs = Vec::new();
    for k in 1..=args.runs {
        println!("\n=== run {k} of {} ===", args.runs);
        let out = dir.join(k.to_string());
        let status = Command::new(&exe)
            .args(&args.per_run)
            .arg("--out")
            .arg(&out)
            .status()
            .map_err(|e| format!("cannot start run {k}: {e}"))?;
        if !status.success() {
            return Err(format!("run {k} failed ({status})"));
        }
        let path = out.join("samples.tsv");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        runs.push(samples::read(&text, &workloads::all())?);
    }
    // Best effort: the samples are in memory, and written below.
    let _ = std::fs::remove_dir_all(&dir);
    let series = Series { runs };
    println!(
        "\nbobbin against its best Rust peer, {} runs (median, worst, every run):",
        args.runs
    );
    let fmt = |r: Option<f64>| r.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}"));
    for v in series.verdicts() {
        let every: Vec<String> = v.ratios.iter().map(|r| format!("{r:.2}")).collect();
        println!(
            "  {:<22} {:<28} ratio {:>5}  worst {:>5}  [{}]  ÷ plain {:>5} (worst {})",
            v.workload,
            v.bobbin,
            fmt(v.ratio()),
            fmt(v.worst()),
            every.join(" "),
            fmt(v.plain_ratio()),
            fmt(v.plain_worst()),
        );
    }
    print_from_python(&series.runs);
    if let Some(out) = &args.out {
        write_series_report(&series, out)?;
    }
    Ok(())
}

fn write_report(run: &Run, out: &Path) -> Result<(), String> {
    let findings = std::fs::read_to_string(out.join("FINDINGS.md")).ok();
    let runs = core::slice::from_ref(run);
    write_files(
        out,
        &report::markdown(run, findings.as_deref()),
        &chart::svg(&chart::Chart::of_run(run))?,
        frompython::svg(runs)?.as_deref(),
        &samples::write(run),
    )
}

fn write_series_report(series: &Series, out: &Path) -> Result<(), String> {
    let findings = std::fs::read_to_string(out.join("FINDINGS.md")).ok();
    write_files(
        out,
        &series::markdown(series, findings.as_deref()),
        &chart::svg(&series.chart())?,
        frompython::svg(&series.runs)?.as_deref(),
        &samples::write_all(&series.runs),
    )
}

/// Writes `REPORT.md`, `ratios.svg`, `python.svg` (if bobbin's Python
/// module was measured) and `samples.tsv` into `out`.
fn write_files(
    out: &Path,
    report: &str,
    chart: &str,
    python_chart: Option<&str>,
    samples: &str,
) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut written = Vec::new();
    let files = [
        ("REPORT.md", Some(report)),
        ("ratios.svg", Some(chart)),
        ("python.svg", python_chart),
        ("samples.tsv", Some(samples)),
    ];
    for (name, text) in files {
        let Some(text) = text else { continue };
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path.display().to_string());
    }
    println!("\nwrote {}", written.join(", "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        parse_args(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn quick_sets_the_defaults_that_flags_override() {
        let a = parse(&["--quick"]).unwrap();
        assert_eq!((a.plan.reps, a.plan.scale, a.quick), (3, 0.1, true));
        let a = parse(&["--quick", "--reps", "5", "lock"]).unwrap();
        assert_eq!((a.plan.reps, a.plan.scale), (5, 0.1));
        assert_eq!(a.filter, ["lock"]);
        let a = parse(&[]).unwrap();
        assert_eq!((a.plan.reps, a.plan.scale, a.quick), (11, 1.0, false));
    }

    #[test]
    fn only_turns_off_cpython_and_the_report() {
        let a = parse(&["--out", "x", "--only", "bobbin", "--only", "std"]).unwrap();
        assert!(!a.python && a.out.is_none());
        assert_eq!(a.only, ["bobbin", "std"]);
    }

    #[test]
    fn each_run_of_a_series_gets_every_argument_but_runs_and_out() {
        let a = parse(&[
            "--runs",
            "5",
            "--hog",
            "--reps",
            "3",
            "--out",
            "x",
            "queue",
            "--no-python",
        ])
        .unwrap();
        assert_eq!((a.runs, a.hog), (5, true));
        assert_eq!(a.out, Some(PathBuf::from("x")));
        assert_eq!(a.per_run, ["--hog", "--reps", "3", "queue", "--no-python"]);
        assert!(parse(&["--runs", "0"]).is_err());
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(parse(&["--reps", "0"]).is_err());
        assert!(parse(&["--scale", "-1"]).is_err());
        assert!(parse(&["--reps"]).is_err());
        assert!(parse(&["--fast"]).is_err());
        assert_eq!(parse(&["--help"]).unwrap_err(), "");
    }
}
