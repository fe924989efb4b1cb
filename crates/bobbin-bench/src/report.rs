//! `REPORT.md`: the machine, the run, a summary of every bobbin row against
//! its best Rust peer and CPython, and one table per workload.
//!
//! The ratio of a row is its median over the median of the workload's best
//! Rust peer (the lowest median among [`Kind::Peer`] rows); floors and
//! references are shown for scale but are never the yardstick. "CPython ÷
//! bobbin" is the fastest CPython row's median over the bobbin row's: how
//! many times faster bobbin is.

use crate::harness::{Kind, Plan, Row, Scale};
use crate::stats::Summary;
use std::fmt::Write as _;

/// The target of issue 8: bobbin at or below its best Rust peer.
pub(crate) const GOAL: f64 = 1.00;
/// The bound every workload must meet for the issue to be done.
pub(crate) const BOUND: f64 = 1.10;
/// The bound with the cores busy (`--hog`, issue 16).
pub(crate) const HOG_BOUND: f64 = 1.25;
/// How far above the best plain row (the same channel without a task count)
/// bobbin's tracked worker loop may be (issue 16).
pub(crate) const PLAIN_BOUND: f64 = 1.25;
/// How much faster than CPython bobbin must be.
pub(crate) const PYTHON_GOAL: f64 = 20.0;

/// Everything one run measured, and where.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    /// When the run started (`YYYY-MM-DD HH:MM UTC`).
    pub(crate) date: String,
    /// The CPU model.
    pub(crate) cpu: String,
    /// The cores available to the process.
    pub(crate) cores: usize,
    /// The kernel.
    pub(crate) os: String,
    /// `rustc --version`.
    pub(crate) rustc: String,
    /// CPython's version, or why it was skipped.
    pub(crate) python: Result<String, String>,
    /// The load averages when the run started and ended.
    pub(crate) load: (Option<String>, Option<String>),
    /// Repetitions and scale.
    pub(crate) plan: Plan,
    /// A quick pass (`--quick`)?
    pub(crate) quick: bool,
    /// Were the cores kept busy (`--hog`)?
    pub(crate) hog: bool,
    /// The workload filter, if any.
    pub(crate) filter: Vec<String>,
    /// One outcome per workload run.
    pub(crate) outcomes: Vec<Outcome>,
}

/// One workload's rows.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// The workload's name.
    pub(crate) name: &'static str,
    /// What one operation is.
    pub(crate) op: &'static str,
    /// Nanoseconds or microseconds.
    pub(crate) scale: Scale,
    /// The workload's description.
    pub(crate) about: &'static str,
    /// Operations per sample of the Rust rows.
    pub(crate) ops: u64,
    /// The Rust rows, then the CPython rows.
    pub(crate) rows: Vec<Row>,
}

/// A row with its summary and ratio.
#[derive(Debug, Clone)]
pub(crate) struct Line<'a> {
    /// The row.
    pub(crate) row: &'a Row,
    /// Its median and spread.
    pub(crate) summary: Summary,
    /// Its median over the best Rust peer's, if the workload has a peer.
    pub(crate) ratio: Option<f64>,
}

impl Outcome {
    /// Every row with a summary, with its ratio.
    pub(crate) fn lines(&self) -> Vec<Line<'_>> {
        let lines: Vec<(&Row, Summary)> = self
            .rows
            .iter()
            .filter_map(|r| Some((r, Summary::of(&r.samples)?)))
            .collect();
        let best = lines
            .iter()
            .filter(|(r, _)| r.kind == Kind::Peer)
            .map(|(_, s)| s.median)
            .min_by(f64::total_cmp);
        lines
            .into_iter()
            .map(|(row, summary)| Line {
                row,
                summary,
                ratio: best.map(|b| summary.median / b),
            })
            .collect()
    }

    /// The best Rust peer's row and median.
    pub(crate) fn best_peer(&self) -> Option<(&Row, f64)> {
        self.best_of(Kind::Peer)
    }

    /// The row of `kind` with the lowest median, and that median.
    fn best_of(&self, kind: Kind) -> Option<(&Row, f64)> {
        self.lines()
            .into_iter()
            .filter(|l| l.row.kind == kind)
            .min_by(|a, b| a.summary.median.total_cmp(&b.summary.median))
            .map(|l| (l.row, l.summary.median))
    }

    /// The CPython row `row` is compared with, and its median: the row it
    /// names, or the workload's first CPython row.
    pub(crate) fn python_for(&self, row: &Row) -> Option<(String, f64)> {
        let lines = self.lines();
        let mut python = lines.iter().filter(|l| l.row.kind == Kind::CPython);
        let line = match &row.python {
            Some(name) => python.find(|l| &l.row.name == name),
            None => python.next(),
        }?;
        Some((line.row.name.clone(), line.summary.median))
    }

    /// The speedups of `gil_cpu_scaling`: for each family of rows named
    /// `"<family>, 1 thread"` and `"<family>, N threads"`, the one-thread
    /// median over the N-thread median.
    pub(crate) fn speedups(&self) -> Vec<(String, f64)> {
        let lines = self.lines();
        let mut out = Vec::new();
        for one in &lines {
            let Some(family) = one.row.name.strip_suffix(", 1 thread") else {
                continue;
            };
            let all = lines.iter().find(|l| {
                l.row.name.starts_with(&format!("{family}, ")) && l.row.name.ends_with(" threads")
            });
            if let Some(all) = all {
                out.push((family.to_owned(), one.summary.median / all.summary.median));
            }
        }
        out
    }
}

/// One bobbin row against its yardsticks: a line of the summary and a bar
/// of the chart.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    /// The workload.
    pub(crate) workload: &'static str,
    /// The bobbin row.
    pub(crate) bobbin: String,
    /// Its median, in nanoseconds.
    pub(crate) median: f64,
    /// The unit of the workload.
    pub(crate) scale: Scale,
    /// The best Rust peer's name and median.
    pub(crate) peer: Option<(String, f64)>,
    /// bobbin's median over the best peer's.
    pub(crate) ratio: Option<f64>,
    /// The best plain row's name and median ([`Kind::Plain`]), if the
    /// workload has plain rows.
    pub(crate) plain: Option<(String, f64)>,
    /// bobbin's median over the best plain row's.
    pub(crate) plain_ratio: Option<f64>,
    /// The CPython row bobbin is compared with.
    pub(crate) python: Option<String>,
    /// That CPython row's median over bobbin's.
    pub(crate) python_factor: Option<f64>,
}

impl Run {
    /// One verdict per bobbin row, in the order of the report.
    pub(crate) fn verdicts(&self) -> Vec<Verdict> {
        let mut out = Vec::new();
        for outcome in &self.outcomes {
            let peer = outcome.best_peer().map(|(r, m)| (r.name.clone(), m));
            let plain = outcome
                .best_of(Kind::Plain)
                .map(|(r, m)| (r.name.clone(), m));
            for line in outcome.lines() {
                if line.row.kind != Kind::Bobbin {
                    continue;
                }
                out.push(Verdict {
                    workload: outcome.name,
                    bobbin: line.row.name.clone(),
                    median: line.summary.median,
                    scale: outcome.scale,
                    peer: peer.clone(),
                    ratio: line.ratio,
                    plain: plain.clone(),
                    plain_ratio: plain.as_ref().map(|p| line.summary.median / p.1),
                    python: outcome.python_for(line.row).map(|p| p.0),
                    python_factor: outcome
                        .python_for(line.row)
                        .map(|p| p.1 / line.summary.median),
                });
            }
        }
        out
    }

    /// A full, unfiltered run: the kind of run the committed report is.
    pub(crate) fn is_full(&self) -> bool {
        !self.quick && self.filter.is_empty()
    }

    /// The bound for done in this run: [`HOG_BOUND`] with the cores busy,
    /// else [`BOUND`].
    pub(crate) fn bound(&self) -> f64 {
        if self.hog { HOG_BOUND } else { BOUND }
    }
}

/// The mark of a ratio against the goal and the bound.
/// Where a ratio stands, judged at the two decimals the report prints (a
/// median 0.4% above its peer's is "1.00", within any run's noise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// At or below the best Rust peer.
    Met,
    /// Above it, within the bound.
    Near,
    /// Above the bound.
    Missed,
}

impl Standing {
    /// The standing of `ratio` against the goal and `bound`.
    pub(crate) fn of(ratio: f64, bound: f64) -> Standing {
        let shown = (ratio * 100.0).round() / 100.0;
        if shown <= GOAL {
            Standing::Met
        } else if shown <= bound {
            Standing::Near
        } else {
            Standing::Missed
        }
    }
}

/// The mark of `ratio` against the goal and `bound`.
pub(crate) fn mark(ratio: f64, bound: f64) -> &'static str {
    match Standing::of(ratio, bound) {
        Standing::Met => "✅",
        Standing::Near => "🟡",
        Standing::Missed => "❌",
    }
}

/// The mark of a ratio to the best plain row: within [`PLAIN_BOUND`] or
/// not.
pub(crate) fn plain_mark(ratio: f64) -> &'static str {
    if (ratio * 100.0).round() / 100.0 <= PLAIN_BOUND {
        "✅"
    } else {
        "❌"
    }
}

pub(crate) fn fmt_ratio(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}"))
}

pub(crate) fn fmt_factor(factor: Option<f64>) -> String {
    match factor {
        Some(f) if f >= 100.0 => format!("{f:.0}×"),
        Some(f) => format!("{f:.1}×"),
        None => "–".to_owned(),
    }
}

/// The report's line on the hog (`--hog`).
pub(crate) fn hog_line(hog: bool) -> &'static str {
    if hog {
        "yes (`--hog`): one CPU-bound thread per core ran beside every implementation"
    } else {
        "no (`--hog` was not given)"
    }
}

/// The summary's sentence on the goal and the bounds.
pub(crate) fn goal_sentence(bound: f64) -> String {
    format!(
        "The goal: every bobbin row at or below its best Rust peer (ratio ≤ {GOAL:.2}, ✅), \
         and at least {PYTHON_GOAL:.0}× faster than CPython 3.13 where CPython has the \
         primitive; the bound for done is {bound:.2} (🟡 between the two, ❌ above). Ratios \
         are judged at the two decimals shown. Where a workload has plain rows (the same \
         channel without Python's task count), \"÷ plain\" is bobbin's median over the best \
         of them, bounded by {PLAIN_BOUND:.2}."
    )
}

/// Writes the report. `findings` is the hand-written profile section
/// (`FINDINGS.md` next to the report), included as it is.
pub(crate) fn markdown(run: &Run, findings: Option<&str>) -> String {
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "# bobbin benchmarks\n");
    let _ = writeln!(
        w,
        "Written by `cargo xtask bench` (crate `bobbin-bench`); do not edit by hand. \
         Each workload runs every implementation {} times, alternating them (a different \
         one starts each repetition, so that drift of the machine's load hits all alike), \
         after one warm-up run each. A time is the median per operation; the spread is \
         half the interquartile range over the median. The ratio is the median over the \
         best Rust peer's median (lower is better; floors and references are shown for \
         scale, never as the yardstick). Every implementation checks its own result \
         (counters reach their target, the sum received equals the sum sent), so nothing \
         wins by doing less.\n",
        run.plan.reps
    );
    if !run.is_full() {
        let mut what = Vec::new();
        if run.quick {
            what.push("a quick pass (`--quick`)".to_owned());
        }
        if !run.filter.is_empty() {
            what.push(format!(
                "only the workloads matching `{}`",
                run.filter.join(" ")
            ));
        }
        let _ = writeln!(
            w,
            "> **Not a full run:** {}. The committed report is a full run.\n",
            what.join(", ")
        );
    }

    let _ = writeln!(w, "## Machine and run\n");
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| date | {} |", run.date);
    let _ = writeln!(w, "| CPU | {} |", run.cpu);
    let _ = writeln!(w, "| cores available | {} |", run.cores);
    let _ = writeln!(w, "| OS | {} |", run.os);
    let _ = writeln!(w, "| rustc | {} (release profile) |", run.rustc);
    match &run.python {
        Ok(v) => {
            let _ = writeln!(w, "| CPython | {v} |");
        }
        Err(why) => {
            let _ = writeln!(w, "| CPython | skipped: {why} |");
        }
    }
    let na = || "n/a".to_owned();
    let _ = writeln!(
        w,
        "| load average (1, 5, 15 min) | {} at the start, {} at the end (the end counts \
         the run's own threads) |",
        run.load.0.clone().unwrap_or_else(na),
        run.load.1.clone().unwrap_or_else(na)
    );
    let _ = writeln!(w, "| cores busy | {} |", hog_line(run.hog));
    let _ = writeln!(
        w,
        "| repetitions | {} per implementation; operation counts × {} |\n",
        run.plan.reps, run.plan.scale
    );

    let _ = writeln!(w, "## Summary\n");
    let _ = writeln!(w, "{}\n", goal_sentence(run.bound()));
    let _ = writeln!(
        w,
        "| workload | bobbin | median | best Rust peer | its median | ratio | ÷ plain | CPython ÷ bobbin |"
    );
    let _ = writeln!(w, "|---|---|---:|---|---:|---:|---:|---:|");
    for v in run.verdicts() {
        let unit = v.scale.symbol();
        let (peer, peer_median) = match &v.peer {
            Some((name, m)) => (
                format!("`{name}`"),
                format!("{} {unit}", v.scale.format(*m)),
            ),
            None => ("–".to_owned(), "–".to_owned()),
        };
        let ratio = match v.ratio {
            Some(r) => format!("{r:.2} {}", mark(r, run.bound())),
            None => "–".to_owned(),
        };
        let plain = match (v.plain_ratio, &v.plain) {
            (Some(r), Some((name, _))) => format!("{r:.2} {} (`{name}`)", plain_mark(r)),
            _ => "–".to_owned(),
        };
        let python = match (&v.python, v.python_factor) {
            (Some(name), Some(f)) => {
                let mark = if f >= PYTHON_GOAL { "✅" } else { "❌" };
                format!("{} {mark} (`{name}`)", fmt_factor(Some(f)))
            }
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            w,
            "| [{0}](#{0}) | `{1}` | {2} {unit} | {peer} | {peer_median} | {ratio} | {plain} | {python} |",
            v.workload,
            v.bobbin,
            v.scale.format(v.median),
        );
    }
    let missing: Vec<&str> = run
        .outcomes
        .iter()
        .filter(|o| !o.rows.iter().any(|r| r.kind == Kind::Bobbin))
        .map(|o| o.name)
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(
            w,
            "\nNo bobbin row yet (the crate has not landed): {}.",
            missing.join(", ")
        );
    }
    let _ = writeln!(
        w,
        "\n![bobbin against its best Rust peer and CPython](ratios.svg)\n"
    );

    if let Some(section) = crate::frompython::markdown(core::slice::from_ref(run)) {
        let _ = write!(w, "{section}");
    }

    if let Some(findings) = findings {
        let _ = writeln!(w, "{}\n", findings.trim_end());
    }

    let _ = writeln!(w, "## Workloads\n");
    for outcome in &run.outcomes {
        workload_section(w, outcome);
    }
    md
}

fn workload_section(w: &mut String, outcome: &Outcome) {
    let unit = outcome.scale.symbol();
    let _ = writeln!(w, "### {}\n", outcome.name);
    let _ = writeln!(
        w,
        "{} per {}. {} ({} operations per sample.)\n",
        unit, outcome.op, outcome.about, outcome.ops
    );
    let _ = writeln!(
        w,
        "| implementation | median ({unit}) | spread | min–max ({unit}) | ratio to best Rust peer |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|");
    let best = outcome.best_peer().map(|(r, _)| r.name.clone());
    for line in outcome.lines() {
        let s = &line.summary;
        let name = &line.row.name;
        let label = match line.row.kind {
            Kind::Bobbin => format!("**`{name}`**"),
            Kind::Peer if Some(name) == best.as_ref() => format!("`{name}` (best peer)"),
            Kind::Peer => format!("`{name}`"),
            Kind::Reference => format!("`{name}` (reference)"),
            Kind::Plain => format!("`{name}` (plain, no task count)"),
            Kind::CPython if name.starts_with("CPython") => format!("`{name}`"),
            Kind::CPython => format!("CPython `{name}`"),
            Kind::BobbinPy => format!("**`{name}`** (from CPython)"),
        };
        let _ = writeln!(
            w,
            "| {label} | {} | ±{:.1}% | {}–{} | {} |",
            outcome.scale.format(s.median),
            s.spread_percent(),
            outcome.scale.format(s.min),
            outcome.scale.format(s.max),
            fmt_ratio(line.ratio),
        );
    }
    let speedups = outcome.speedups();
    if !speedups.is_empty() {
        let list: Vec<String> = speedups
            .iter()
            .map(|(family, s)| format!("{family} {s:.2}×"))
            .collect();
        let _ = writeln!(
            w,
            "\nSpeedup of all cores over one thread: {}.",
            list.join(", ")
        );
    }
    let _ = writeln!(w);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn row(name: &str, kind: Kind, samples: &[f64]) -> Row {
        Row {
            name: name.to_owned(),
            kind,
            samples: samples.to_vec(),
            python: None,
        }
    }

    pub(crate) fn sample_run() -> Run {
        Run {
            date: "2026-05-20 03:08 UTC".to_owned(),
            cpu: "AMD EPYC".to_owned(),
            cores: 2,
            os: "linux 6.1".to_owned(),
            rustc: "rustc 1.95.0".to_owned(),
            python: Ok("3.13.0".to_owned()),
            load: (Some("0.10 0.20 0.30".to_owned()), None),
            plan: Plan {
                reps: 3,
                scale: 1.0,
            },
            quick: false,
            hog: false,
            filter: Vec::new(),
            outcomes: vec![
                Outcome {
                    name: "lock_uncontended",
                    op: "acquire+release",
                    scale: Scale::Nanos,
                    about: "About.",
                    ops: 1000,
                    rows: vec![
                        row("bobbin Lock<u64>", Kind::Bobbin, &[9.0, 10.0, 11.0]),
                        row("std Mutex<u64>", Kind::Peer, &[12.0, 12.5, 13.0]),
                        row("parking_lot Mutex<u64>", Kind::Peer, &[8.0, 8.0, 8.0]),
                        row("spin (floor)", Kind::Reference, &[4.0, 4.0, 4.0]),
                        row("threading.Lock", Kind::CPython, &[200.0, 250.0, 300.0]),
                    ],
                },
                Outcome {
                    name: "gil_cpu_scaling",
                    op: "unit of work",
                    scale: Scale::Micros,
                    about: "About.",
                    ops: 10,
                    rows: vec![
                        row("std, 2 threads", Kind::Peer, &[1000.0]),
                        row("std, 1 thread", Kind::Reference, &[2000.0]),
                        row("CPython, 2 threads", Kind::CPython, &[90_000.0]),
                        row("CPython, 1 thread", Kind::CPython, &[90_000.0]),
                    ],
                },
            ],
        }
    }

    #[test]
    fn ratios_are_against_the_best_peer_only() {
        let run = sample_run();
        let lines = run.outcomes[0].lines();
        // The floor (4 ns) is faster, but the best peer is parking_lot (8 ns).
        assert_eq!(lines[0].ratio, Some(10.0 / 8.0));
        assert_eq!(lines[2].ratio, Some(1.0));
        let v = &run.verdicts()[0];
        assert_eq!(v.peer.as_ref().unwrap().0, "parking_lot Mutex<u64>");
        assert_eq!(v.python_factor, Some(25.0));
    }

    #[test]
    fn a_bobbin_row_meets_the_cpython_row_it_names() {
        let mut run = sample_run();
        let rows = &mut run.outcomes[0].rows;
        rows.push(row("queue.SimpleQueue", Kind::CPython, &[20.0]));
        rows[0].python = Some("queue.SimpleQueue".to_owned());
        let v = &run.verdicts()[0];
        assert_eq!(v.python.as_deref(), Some("queue.SimpleQueue"));
        assert_eq!(v.python_factor, Some(2.0));
        // Without a name, the first CPython row.
        run.outcomes[0].rows[0].python = None;
        assert_eq!(run.verdicts()[0].python.as_deref(), Some("threading.Lock"));
    }

    #[test]
    fn speedups_pair_one_thread_with_all_cores() {
        let run = sample_run();
        let speedups = run.outcomes[1].speedups();
        assert_eq!(
            speedups,
            [("std".to_owned(), 2.0), ("CPython".to_owned(), 1.0)]
        );
    }

    #[test]
    fn the_report_has_every_part() {
        let run = sample_run();
        let md = markdown(&run, Some("## Profile findings\n\nA finding."));
        for part in [
            "| CPU | AMD EPYC |",
            "| cores available | 2 |",
            "2026-05-20 03:08 UTC",
            "| [lock_uncontended](#lock_uncontended) | `bobbin Lock<u64>` | 10.0 ns | `parking_lot Mutex<u64>` | 8.00 ns | 1.25 ❌ | – | 25.0× ✅ (`threading.Lock`) |",
            "| **`bobbin Lock<u64>`** | 10.0 | ±5.0% | 9.00–11.0 | 1.25 |",
            "| `parking_lot Mutex<u64>` (best peer) |",
            "| CPython `threading.Lock` | 250 |",
            "No bobbin row yet (the crate has not landed): gil_cpu_scaling.",
            "Speedup of all cores over one thread: std 2.00×, CPython 1.00×.",
            "## Profile findings\n\nA finding.",
            "![bobbin against its best Rust peer and CPython](ratios.svg)",
        ] {
            assert!(md.contains(part), "missing {part:?} in:\n{md}");
        }
        assert!(!md.contains("Not a full run"));
    }

    #[test]
    fn ratios_are_judged_at_the_decimals_shown() {
        assert_eq!(Standing::of(1.004, BOUND), Standing::Met);
        assert_eq!(Standing::of(1.006, BOUND), Standing::Near);
        assert_eq!(Standing::of(1.104, BOUND), Standing::Near);
        assert_eq!(Standing::of(1.106, BOUND), Standing::Missed);
        assert_eq!(Standing::of(1.2, HOG_BOUND), Standing::Near);
        assert_eq!(plain_mark(1.25), "✅");
        assert_eq!(plain_mark(1.26), "❌");
    }

    #[test]
    fn a_quick_run_says_so() {
        let mut run = sample_run();
        run.quick = true;
        assert!(markdown(&run, None).contains("**Not a full run:** a quick pass"));
    }
}
