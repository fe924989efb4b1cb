//! A series of runs (`--runs N`): the whole comparison run N times, each in
//! a process of its own, and summarised per bobbin row.
//!
//! One run on this kind of machine is one draw: the two threads of a
//! producer and a consumer may land on cores that share a cache or not, and
//! the same build gave a queue row 0.9 in one run and 3 in the next. So a
//! figure worth quoting is the median of the runs' ratios, with the worst
//! run beside it, never the best. Each run's ratio is its bobbin median over
//! its best Rust peer's median (the alternation inside a run keeps those
//! two comparable); a row whose ratios spread over more than
//! [`SPREAD_LIMIT`] of their median is marked, and so is a run above
//! [`WORST_BOUND`].

use crate::chart::{Bar, Chart};
use crate::harness::Kind;
use crate::report::{
    Outcome, PYTHON_GOAL, Run, fmt_factor, goal_sentence, hog_line, mark, plain_mark,
};
use crate::stats::Summary;
use std::fmt::Write as _;

/// No single run's ratio may pass this (issue 16).
pub(crate) const WORST_BOUND: f64 = 1.5;
/// A row whose runs' ratios spread wider than this fraction of their median
/// is marked as unsteady.
pub(crate) const SPREAD_LIMIT: f64 = 0.25;

/// The runs of a series, in the order they ran.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    /// The runs.
    pub(crate) runs: Vec<Run>,
}

/// One bobbin row over every run of a series.
#[derive(Debug, Clone)]
pub(crate) struct RowVerdict {
    /// The workload.
    pub(crate) workload: &'static str,
    /// The bobbin row.
    pub(crate) bobbin: String,
    /// The best Rust peer of each run that had one, without repeats.
    pub(crate) peers: Vec<String>,
    /// The ratio to the best Rust peer in each run that had one.
    pub(crate) ratios: Vec<f64>,
    /// The ratio to the best plain row in each run that had one.
    pub(crate) plain_ratios: Vec<f64>,
    /// How many times faster than CPython, in each run that ran CPython.
    pub(crate) python_factors: Vec<f64>,
    /// The CPython row compared with.
    pub(crate) python: Option<String>,
}

/// The median of `values`, if there are any.
fn median(values: &[f64]) -> Option<f64> {
    Summary::of(values).map(|s| s.median)
}

/// The largest of `values`, if there are any.
fn largest(values: &[f64]) -> Option<f64> {
    values.iter().copied().max_by(f64::total_cmp)
}

impl RowVerdict {
    /// The median of the runs' ratios.
    pub(crate) fn ratio(&self) -> Option<f64> {
        median(&self.ratios)
    }

    /// The worst (highest) run's ratio.
    pub(crate) fn worst(&self) -> Option<f64> {
        largest(&self.ratios)
    }

    /// The runs' ratios' range over their median.
    pub(crate) fn spread(&self) -> Option<f64> {
        let summary = Summary::of(&self.ratios)?;
        (summary.median > 0.0).then(|| (summary.max - summary.min) / summary.median)
    }

    /// The median of the runs' ratios to the best plain row.
    pub(crate) fn plain_ratio(&self) -> Option<f64> {
        median(&self.plain_ratios)
    }

    /// The worst run's ratio to the best plain row.
    pub(crate) fn plain_worst(&self) -> Option<f64> {
        largest(&self.plain_ratios)
    }

    /// The median of the runs' CPython factors.
    pub(crate) fn python_factor(&self) -> Option<f64> {
        median(&self.python_factors)
    }
}

impl Series {
    /// Whether the cores were kept busy in any run.
    pub(crate) fn hog(&self) -> bool {
        self.runs.iter().any(|r| r.hog)
    }

    /// The bound for done: as for one of its runs.
    pub(crate) fn bound(&self) -> f64 {
        self.runs.first().map_or(crate::report::BOUND, Run::bound)
    }

    /// One verdict per bobbin row, in the order of the first run that has it.
    pub(crate) fn verdicts(&self) -> Vec<RowVerdict> {
        let mut out: Vec<RowVerdict> = Vec::new();
        for run in &self.runs {
            for v in run.verdicts() {
                let at = match out
                    .iter()
                    .position(|o| o.workload == v.workload && o.bobbin == v.bobbin)
                {
                    Some(at) => at,
                    None => {
                        out.push(RowVerdict {
                            workload: v.workload,
                            bobbin: v.bobbin.clone(),
                            peers: Vec::new(),
                            ratios: Vec::new(),
                            plain_ratios: Vec::new(),
                            python_factors: Vec::new(),
                            python: None,
                        });
                        out.len() - 1
                    }
                };
                let row = &mut out[at];
                if let Some((peer, _)) = &v.peer
                    && !row.peers.contains(peer)
                {
                    row.peers.push(peer.clone());
                }
                row.ratios.extend(v.ratio);
                row.plain_ratios.extend(v.plain_ratio);
                row.python_factors.extend(v.python_factor);
                if row.python.is_none() {
                    row.python = v.python;
                }
            }
        }
        out
    }

    /// The chart: every row at its median ratio, with its worst run.
    pub(crate) fn chart(&self) -> Chart {
        let first = self.runs.first();
        Chart {
            title: format!(
                "bobbin vs its best Rust peer and CPython 3.13, median of {} runs{} ({}, {} cores)",
                self.runs.len(),
                if self.hog() { ", cores busy" } else { "" },
                first.map_or("", |r| r.cpu.as_str()),
                first.map_or(0, |r| r.cores),
            ),
            bound: self.bound(),
            bars: self
                .verdicts()
                .into_iter()
                .map(|v| Bar {
                    label: format!("{}: {}", v.workload, v.bobbin),
                    ratio: v.ratio(),
                    worst: v.worst(),
                    python_factor: v.python_factor(),
                })
                .collect(),
        }
    }
}

/// The ratios of the runs, as the summary lists them.
fn list(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|r| format!("{r:.2}")).collect();
    items.join(" ")
}

/// Writes the report of a series. `findings` is the hand-written profile
/// section (`FINDINGS.md` next to the report), included as it is.
pub(crate) fn markdown(series: &Series, findings: Option<&str>) -> String {
    let mut md = String::new();
    let w = &mut md;
    let n = series.runs.len();
    let bound = series.bound();
    let reps = series.runs.first().map_or(0, |r| r.plan.reps);
    let _ = writeln!(w, "# bobbin benchmarks\n");
    let _ = writeln!(
        w,
        "Written by `cargo xtask bench --runs {n}` (crate `bobbin-bench`); do not edit by \
         hand. The whole comparison ran {n} times, each run a process of its own. Within a \
         run each workload runs every implementation {reps} times, alternating them (a \
         different one starts each repetition, so that drift of the machine's load hits all \
         alike), after one warm-up run each; a run's ratio is bobbin's median over the best \
         Rust peer's median in that run (lower is better; floors and references are shown \
         for scale, never as the yardstick). The figures quoted are **the median of the \
         {n} runs' ratios, with the worst run beside it**, never the best run. A run above \
         {WORST_BOUND:.2} is marked ❌, and a row whose ratios spread (highest minus lowest, \
         over their median) by more than {:.0}% is marked ⚠. Every implementation checks its \
         own result (counters reach their target, the sum received equals the sum sent), so \
         nothing wins by doing less.\n",
        SPREAD_LIMIT * 100.0
    );
    let partial: Vec<String> = series
        .runs
        .first()
        .map(|r| {
            let mut what = Vec::new();
            if r.quick {
                what.push("a quick pass (`--quick`)".to_owned());
            }
            if !r.filter.is_empty() {
                what.push(format!(
                    "only the workloads matching `{}`",
                    r.filter.join(" ")
                ));
            }
            what
        })
        .unwrap_or_default();
    if !partial.is_empty() {
        let _ = writeln!(
            w,
            "> **Not a full run:** {}. The committed report is a full run.\n",
            partial.join(", ")
        );
    }

    let _ = writeln!(w, "## Machine and runs\n");
    let _ = writeln!(w, "| | |\n|---|---|");
    if let Some(first) = series.runs.first() {
        let _ = writeln!(w, "| CPU | {} |", first.cpu);
        let _ = writeln!(w, "| cores available | {} |", first.cores);
        let _ = writeln!(w, "| OS | {} |", first.os);
        let _ = writeln!(w, "| rustc | {} (release profile) |", first.rustc);
        match &first.python {
            Ok(v) => {
                let _ = writeln!(w, "| CPython | {v} |");
            }
            Err(why) => {
                let _ = writeln!(w, "| CPython | skipped: {why} |");
            }
        }
        let _ = writeln!(w, "| cores busy | {} |", hog_line(series.hog()));
        let _ = writeln!(
            w,
            "| repetitions | {} per implementation in each run; operation counts × {} |",
            first.plan.reps, first.plan.scale
        );
    }
    for (k, run) in series.runs.iter().enumerate() {
        let na = || "n/a".to_owned();
        let _ = writeln!(
            w,
            "| run {} | {}; load average (1, 5, 15 min) {} at the start, {} at the end |",
            k + 1,
            run.date,
            run.load.0.clone().unwrap_or_else(na),
            run.load.1.clone().unwrap_or_else(na)
        );
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "## Summary\n");
    let _ = writeln!(w, "{}\n", goal_sentence(bound));
    let _ = writeln!(
        w,
        "| workload | bobbin | best Rust peer | ratio, median of {n} runs | worst run | every run | ÷ plain, median (worst) | CPython ÷ bobbin |"
    );
    let _ = writeln!(w, "|---|---|---|---:|---:|---|---:|---:|");
    for v in series.verdicts() {
        let peers = if v.peers.is_empty() {
            "–".to_owned()
        } else {
            let names: Vec<String> = v.peers.iter().map(|p| format!("`{p}`")).collect();
            names.join(" or ")
        };
        let ratio = v
            .ratio()
            .map_or_else(|| "–".to_owned(), |r| format!("{r:.2} {}", mark(r, bound)));
        let worst = v.worst().map_or_else(
            || "–".to_owned(),
            |r| {
                let flag = if (r * 100.0).round() / 100.0 > WORST_BOUND {
                    " ❌"
                } else {
                    ""
                };
                format!("{r:.2}{flag}")
            },
        );
        let every = match v.spread() {
            Some(s) if s > SPREAD_LIMIT => {
                format!("{} ⚠ spread {:.0}%", list(&v.ratios), s * 100.0)
            }
            _ => list(&v.ratios),
        };
        let plain = match (v.plain_ratio(), v.plain_worst()) {
            (Some(m), Some(worst)) => format!(
                "{m:.2} {} ({worst:.2}{})",
                plain_mark(m),
                if plain_mark(worst) == "✅" {
                    ""
                } else {
                    " ❌"
                }
            ),
            _ => "–".to_owned(),
        };
        let python = match (&v.python, v.python_factor()) {
            (Some(name), Some(f)) => {
                let mark = if f >= PYTHON_GOAL { "✅" } else { "❌" };
                format!("{} {mark} (`{name}`)", fmt_factor(Some(f)))
            }
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            w,
            "| [{0}](#{0}) | `{1}` | {peers} | {ratio} | {worst} | {every} | {plain} | {python} |",
            v.workload, v.bobbin,
        );
    }
    let _ = writeln!(
        w,
        "\n![bobbin against its best Rust peer and CPython](ratios.svg)\n"
    );

    if let Some(section) = crate::frompython::markdown(&series.runs) {
        let _ = write!(w, "{section}");
    }

    if let Some(findings) = findings {
        let _ = writeln!(w, "{}\n", findings.trim_end());
    }

    let _ = writeln!(w, "## Workloads\n");
    let mut names: Vec<&'static str> = Vec::new();
    for run in &series.runs {
        for o in &run.outcomes {
            if !names.contains(&o.name) {
                names.push(o.name);
            }
        }
    }
    for name in names {
        let outcomes: Vec<Option<&Outcome>> = series
            .runs
            .iter()
            .map(|r| r.outcomes.iter().find(|o| o.name == name))
            .collect();
        workload_section(w, &outcomes);
    }
    md
}

/// One workload's table: every implementation's median in each run, the
/// median of those, and its ratio to the run's best peer in each run.
fn workload_section(w: &mut String, outcomes: &[Option<&Outcome>]) {
    let Some(first) = outcomes.iter().flatten().next() else {
        return;
    };
    let unit = first.scale.symbol();
    let _ = writeln!(w, "### {}\n", first.name);
    let _ = writeln!(
        w,
        "{} per {}. {} ({} operations per sample.)\n",
        unit, first.op, first.about, first.ops
    );
    let runs: Vec<String> = (1..=outcomes.len()).map(|k| format!("run {k}")).collect();
    let _ = writeln!(
        w,
        "| implementation | {} | median of the runs ({unit}) | ratio to the run's best Rust peer, each run |",
        runs.join(" | ")
    );
    let _ = writeln!(w, "|---|{}---:|---|", "---:|".repeat(outcomes.len()));
    let mut rows: Vec<(String, Kind)> = Vec::new();
    for outcome in outcomes.iter().flatten() {
        for row in &outcome.rows {
            if !rows.iter().any(|(n, _)| n == &row.name) {
                rows.push((row.name.clone(), row.kind));
            }
        }
    }
    for (name, kind) in rows {
        let mut medians = Vec::new();
        let mut cells = Vec::new();
        let mut ratios = Vec::new();
        for outcome in outcomes {
            let line = outcome.and_then(|o| {
                o.lines()
                    .into_iter()
                    .find(|l| l.row.name == name)
                    .map(|l| (l.summary.median, l.ratio))
            });
            match line {
                Some((m, ratio)) => {
                    medians.push(m);
                    cells.push(first.scale.format(m));
                    ratios.extend(ratio);
                }
                None => cells.push("–".to_owned()),
            }
        }
        let label = match kind {
            Kind::Bobbin => format!("**`{name}`**"),
            Kind::Peer => format!("`{name}`"),
            Kind::Reference => format!("`{name}` (reference)"),
            Kind::Plain => format!("`{name}` (plain, no task count)"),
            Kind::CPython if name.starts_with("CPython") => format!("`{name}`"),
            Kind::CPython => format!("CPython `{name}`"),
            Kind::BobbinPy => format!("**`{name}`** (from CPython)"),
        };
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {} |",
            cells.join(" | "),
            median(&medians).map_or_else(|| "–".to_owned(), |m| first.scale.format(m)),
            list(&ratios),
        );
    }
    let _ = writeln!(w);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::Scale;
    use crate::report::tests::row;

    /// Three runs of the sample run, bobbin's lock at 9, 10 and 16 ns against
    /// parking_lot's 8, and a worker workload with plain rows.
    fn series() -> Series {
        let runs = [9.0, 10.0, 16.0]
            .into_iter()
            .map(|bobbin| {
                let mut run = crate::report::tests::sample_run();
                run.outcomes[0].rows[0].samples = vec![bobbin];
                run.outcomes.push(Outcome {
                    name: "worker_bounded",
                    op: "item",
                    scale: Scale::Nanos,
                    about: "About.",
                    ops: 10,
                    rows: vec![
                        row("bobbin Queue::bounded", Kind::Bobbin, &[12.0]),
                        row("std sync_channel + task count", Kind::Peer, &[24.0]),
                        row("std sync_channel", Kind::Plain, &[10.0]),
                    ],
                });
                run
            })
            .collect();
        Series { runs }
    }

    #[test]
    fn a_row_is_the_median_of_its_runs_with_the_worst_beside_it() {
        let verdicts = series().verdicts();
        let lock = &verdicts[0];
        assert_eq!(lock.ratios, [9.0 / 8.0, 10.0 / 8.0, 16.0 / 8.0]);
        assert_eq!(lock.ratio(), Some(10.0 / 8.0));
        assert_eq!(lock.worst(), Some(2.0));
        assert_eq!(lock.spread(), Some((16.0 - 9.0) / 10.0));
        assert_eq!(lock.peers, ["parking_lot Mutex<u64>"]);
        let worker = &verdicts[1];
        assert_eq!(worker.ratio(), Some(0.5));
        assert_eq!(worker.plain_ratio(), Some(1.2));
        assert_eq!(worker.plain_worst(), Some(1.2));
    }

    #[test]
    fn the_report_quotes_medians_and_marks_the_worst_run_and_the_spread() {
        let md = markdown(&series(), Some("## Profile findings\n\nA finding."));
        for part in [
            "The whole comparison ran 3 times",
            "| [lock_uncontended](#lock_uncontended) | `bobbin Lock<u64>` | `parking_lot Mutex<u64>` | 1.25 ❌ | 2.00 ❌ | 1.12 1.25 2.00 ⚠ spread 70% |",
            "| [worker_bounded](#worker_bounded) | `bobbin Queue::bounded` | `std sync_channel + task count` | 0.50 ✅ | 0.50 | 0.50 0.50 0.50 | 1.20 ✅ (1.20) |",
            "| **`bobbin Lock<u64>`** | 9.00 | 10.0 | 16.0 | 10.0 | 1.12 1.25 2.00 |",
            "| `std sync_channel` (plain, no task count) | 10.0 | 10.0 | 10.0 | 10.0 | 0.42 0.42 0.42 |",
            "| run 3 | 2026-05-20 03:08 UTC;",
            "## Profile findings\n\nA finding.",
        ] {
            assert!(md.contains(part), "missing {part:?} in:\n{md}");
        }
    }

    #[test]
    fn the_chart_draws_the_median_and_the_worst_run() {
        let chart = series().chart();
        assert_eq!(chart.bars[0].ratio, Some(1.25));
        assert_eq!(chart.bars[0].worst, Some(2.0));
        let svg = crate::chart::svg(&chart).unwrap();
        assert!(svg.contains("1.25 (worst 2.00)"), "{svg}");
    }
}
