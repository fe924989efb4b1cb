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
mod harness;
mod machine;
mod peers;
mod python;
mod report;
mod samples;
mod stats;
mod workloads;

use harness::{Kind, Plan};
use report::{Outcome, Run};
use stats::Summary;
use std::path::PathBuf;
use std::process::ExitCode;

const HELP: &str = "\
usage: bobbin-bench [options] [workload filter...]

Runs every workload whose name contains one of the filters (all without
one), alternating implementations, and prints medians and ratios.

options:
  --quick        a short pass: 3 repetitions of a tenth of the operations
  --reps N       repetitions of every implementation (default 11, 3 with --quick)
  --scale F      multiply every operation count by F (default 1, 0.1 with --quick)
  --only TEXT    run only the implementations whose name contains TEXT
                 (for profiling: no CPython rows, no report)
  --no-python    skip the CPython 3.13 rows
  --out DIR      write REPORT.md and ratios.svg into DIR (FINDINGS.md there,
                 if any, is included in the report)
  --list         list the workloads and their implementations
  --render DIR   run nothing: write REPORT.md and ratios.svg again from
                 DIR/samples.tsv (after editing DIR/FINDINGS.md, say)
";

/// The command line.
#[derive(Debug)]
struct Args {
    plan: Plan,
    quick: bool,
    only: Option<String>,
    python: bool,
    out: Option<PathBuf>,
    list: bool,
    render: Option<PathBuf>,
    filter: Vec<String>,
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
        only: None,
        python: true,
        out: None,
        list: false,
        render: None,
        filter: Vec::new(),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("`{arg}` needs a value"));
        match arg.as_str() {
            "--quick" => quick = true,
            "--reps" => {
                let v = value()?;
                reps = Some(
                    v.parse::<usize>()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| format!("`--reps {v}`: need a positive whole number"))?,
                );
            }
            "--scale" => {
                let v = value()?;
                scale = Some(
                    v.parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s > 0.0)
                        .ok_or_else(|| format!("`--scale {v}`: need a positive number"))?,
                );
            }
            "--only" => parsed.only = Some(value()?),
            "--no-python" => parsed.python = false,
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
    if parsed.only.is_some() {
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
        let run = samples::read(&text, &workloads::all())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        return write_report(&run, dir);
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
    let only = |i: &harness::Impl| args.only.as_ref().is_none_or(|o| i.name.contains(o));
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
        filter: args.filter.clone(),
        outcomes: Vec::new(),
    };
    println!(
        "{} on {} ({} cores); {} repetitions, operation counts × {}; load {}",
        run.date,
        run.cpu,
        run.cores,
        args.plan.reps,
        args.plan.scale,
        run.load.0.as_deref().unwrap_or("n/a")
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
    run.load.1 = machine::load_average();
    run.python = python_status;

    println!("\nbobbin against its best Rust peer:");
    for v in run.verdicts() {
        println!(
            "  {:<22} {:<28} ratio {:>5}  CPython ÷ bobbin {}",
            v.workload,
            v.bobbin,
            v.ratio
                .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}")),
            v.python_factor
                .map_or_else(|| "–".to_owned(), |f| format!("{f:.0}×")),
        );
    }
    if let Some(out) = &args.out {
        write_report(&run, out)?;
    }
    Ok(())
}

fn print_outcome(outcome: &Outcome) {
    let unit = outcome.scale.symbol();
    for line in outcome.lines() {
        let Summary { median, .. } = line.summary;
        let kind = match line.row.kind {
            Kind::Bobbin => "bobbin",
            Kind::Peer => "peer",
            Kind::Reference => "ref",
            Kind::CPython => "CPython",
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

fn write_report(run: &Run, out: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let findings = std::fs::read_to_string(out.join("FINDINGS.md")).ok();
    let report = out.join("REPORT.md");
    std::fs::write(&report, report::markdown(run, findings.as_deref()))
        .map_err(|e| format!("cannot write {}: {e}", report.display()))?;
    let samples = out.join("samples.tsv");
    std::fs::write(&samples, samples::write(run))
        .map_err(|e| format!("cannot write {}: {e}", samples.display()))?;
    let chart = out.join("ratios.svg");
    std::fs::write(&chart, chart::svg(run)?)
        .map_err(|e| format!("cannot write {}: {e}", chart.display()))?;
    println!(
        "\nwrote {}, {} and {}",
        report.display(),
        chart.display(),
        samples.display()
    );
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
        let a = parse(&["--out", "x", "--only", "bobbin"]).unwrap();
        assert!(!a.python && a.out.is_none());
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
