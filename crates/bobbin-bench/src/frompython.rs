//! The rows of bobbin's Python module (`crates/bobbin-py`), measured from
//! CPython 3.13 beside CPython's own types (issue 17, point 8): a table of
//! the report and `python.svg`.
//!
//! `python/bench.py` runs them when its interpreter can `import bobbin`
//! (`cargo xtask bench` installs the module into the venv it runs the
//! script with), as `bobbin.<Type>` rows of the same workloads, alternating
//! with CPython's rows. Each target compares one such row with the CPython
//! type it replaces, within one run: the factor is CPython's median over
//! bobbin's (how many times faster bobbin is), and a series reports the
//! median of its runs' factors with the worst (lowest) run beside it.

use crate::harness::Kind;
use crate::report::{Outcome, Run, fmt_factor};
use crate::stats::Summary;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use std::fmt::Write as _;

/// One comparison the issue asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    /// The workload both rows run.
    pub(crate) workload: &'static str,
    /// bobbin's row (`bench.py`'s implementation name).
    pub(crate) bobbin: &'static str,
    /// CPython's row.
    pub(crate) cpython: &'static str,
    /// The least factor (CPython's median over bobbin's) that meets it.
    pub(crate) at_least: f64,
    /// The target in words.
    pub(crate) must: &'static str,
}

/// The comparisons of issue 17, point 8, and the `Event` ping-pong, which
/// the issue does not list, held to the bound of the other pure-Python
/// types.
pub(crate) const TARGETS: &[Target] = &[
    Target {
        workload: "queue_spsc_bounded",
        bobbin: "bobbin.Queue",
        cpython: "queue.Queue",
        at_least: 8.0,
        must: "at least 8× faster",
    },
    Target {
        workload: "queue_spsc_unbounded",
        bobbin: "bobbin.Queue",
        cpython: "queue.Queue",
        at_least: 8.0,
        must: "at least 8× faster",
    },
    Target {
        workload: "queue_spsc_unbounded",
        bobbin: "bobbin.SimpleQueue",
        cpython: "queue.SimpleQueue",
        at_least: 1.0,
        must: "at least as fast (C's type)",
    },
    Target {
        workload: "lock_uncontended",
        bobbin: "bobbin.Lock",
        cpython: "threading.Lock",
        at_least: 1.0 / 1.3,
        must: "within 1.3× (C's type)",
    },
    Target {
        workload: "semaphore_4t",
        bobbin: "bobbin.Semaphore",
        cpython: "threading.Semaphore",
        at_least: 3.0,
        must: "at least 3× faster",
    },
    Target {
        workload: "semaphore_4t",
        bobbin: "bobbin.BoundedSemaphore",
        cpython: "threading.BoundedSemaphore",
        at_least: 3.0,
        must: "at least 3× faster",
    },
    Target {
        workload: "event_pingpong",
        bobbin: "bobbin.Event",
        cpython: "threading.Event",
        at_least: 3.0,
        must: "at least 3× faster (not in issue 17; as the other pure-Python types)",
    },
    Target {
        workload: "condition_pingpong",
        bobbin: "bobbin.Condition",
        cpython: "threading.Condition",
        at_least: 3.0,
        must: "at least 3× faster",
    },
    Target {
        workload: "barrier_2t",
        bobbin: "bobbin.Barrier",
        cpython: "threading.Barrier",
        at_least: 3.0,
        must: "at least 3× faster",
    },
];

impl Target {
    /// The factor in one run: CPython's median over bobbin's, if the run
    /// has both rows.
    pub(crate) fn factor(&self, run: &Run) -> Option<f64> {
        let outcome = run.outcomes.iter().find(|o| o.name == self.workload)?;
        let cpython = median_of(outcome, self.cpython, Kind::CPython)?;
        let bobbin = median_of(outcome, self.bobbin, Kind::BobbinPy)?;
        Some(cpython / bobbin)
    }

    /// Whether `factor` meets the target, judged at the two decimals shown.
    pub(crate) fn met(&self, factor: f64) -> bool {
        (factor * 100.0).round() / 100.0 >= (self.at_least * 100.0).round() / 100.0
    }
}

/// The median of the row named `name` of `kind`.
fn median_of(outcome: &Outcome, name: &str, kind: Kind) -> Option<f64> {
    let row = outcome
        .rows
        .iter()
        .find(|r| r.kind == kind && r.name == name)?;
    Summary::of(&row.samples).map(|s| s.median)
}

/// One target over the runs that measured it.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    /// The target.
    pub(crate) target: Target,
    /// The factor of each run that has both rows.
    pub(crate) factors: Vec<f64>,
}

impl Verdict {
    /// The median of the runs' factors.
    pub(crate) fn median(&self) -> Option<f64> {
        Summary::of(&self.factors).map(|s| s.median)
    }

    /// The worst (lowest) run's factor.
    pub(crate) fn worst(&self) -> Option<f64> {
        self.factors.iter().copied().min_by(f64::total_cmp)
    }
}

/// One verdict per target that some run measured.
pub(crate) fn verdicts(runs: &[Run]) -> Vec<Verdict> {
    TARGETS
        .iter()
        .map(|&target| Verdict {
            target,
            factors: runs.iter().filter_map(|r| target.factor(r)).collect(),
        })
        .filter(|v| !v.factors.is_empty())
        .collect()
}

/// The report's section, or `None` if no run measured bobbin's module.
pub(crate) fn markdown(runs: &[Run]) -> Option<String> {
    let verdicts = verdicts(runs);
    if verdicts.is_empty() {
        return None;
    }
    let n = runs.len();
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "## From Python\n");
    let _ = writeln!(
        w,
        "bobbin's Python module (`crates/bobbin-py`) against CPython 3.13's own types, \
         each pair measured by `python/bench.py` in the same CPython process, alternating \
         (the same workloads as the Rust rows, between Python threads). The factor is \
         CPython's median over bobbin's: how many times faster bobbin is (higher is \
         better). {} ✅ where the median meets the target, ❌ where it does not.\n",
        if n > 1 {
            format!("The figure is the median of the {n} runs' factors, the worst run beside it.")
        } else {
            "One run.".to_owned()
        }
    );
    let _ = writeln!(
        w,
        "| bobbin | against | workload | CPython ÷ bobbin{} | worst run | every run | must be |",
        if n > 1 {
            format!(", median of {n} runs")
        } else {
            String::new()
        }
    );
    let _ = writeln!(w, "|---|---|---|---:|---:|---|---|");
    for v in &verdicts {
        let t = v.target;
        let median = v.median().map_or_else(
            || "–".to_owned(),
            |f| {
                let mark = if t.met(f) { "✅" } else { "❌" };
                format!("{} {mark}", factor_text(f))
            },
        );
        let every: Vec<String> = v.factors.iter().map(|&f| factor_text(f)).collect();
        let worst = v.worst().map_or_else(|| "–".to_owned(), factor_text);
        let _ = writeln!(
            w,
            "| `{bobbin}` | `{cpython}` | [{workload}](#{workload}) | {median} | {worst} | {every} | {must} |",
            bobbin = t.bobbin,
            cpython = t.cpython,
            workload = t.workload,
            every = every.join(" "),
            must = t.must,
        );
    }
    let _ = writeln!(
        w,
        "\n![bobbin's Python module against CPython's own types](python.svg)\n"
    );
    Some(md)
}

/// A factor as the report prints it: two decimals below 10, one above.
fn factor_text(f: f64) -> String {
    if f < 10.0 {
        format!("{f:.2}×")
    } else {
        fmt_factor(Some(f))
    }
}

/// The colour of a bar that meets its target.
const MET: RGBColor = RGBColor(46, 139, 87);
/// The colour of a bar that misses it.
const MISSED: RGBColor = RGBColor(200, 40, 40);

/// `python.svg`: one bar per target at its median factor (logarithmic
/// axis), a whisker to the worst run, and the target as a black tick; or
/// `None` if no run measured bobbin's module.
pub(crate) fn svg(runs: &[Run]) -> Result<Option<String>, String> {
    let verdicts = verdicts(runs);
    if verdicts.is_empty() {
        return Ok(None);
    }
    let mut out = String::new();
    draw(&verdicts, runs.len(), &mut out).map_err(|e| format!("cannot draw python.svg: {e}"))?;
    Ok(Some(out))
}

fn draw(
    verdicts: &[Verdict],
    runs: usize,
    out: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = verdicts.len();
    let root = SVGBackend::with_string(out, (900, 110 + 30 * n as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let title = if runs > 1 {
        format!("bobbin from CPython 3.13 vs CPython's own types, median of {runs} runs")
    } else {
        "bobbin from CPython 3.13 vs CPython's own types".to_owned()
    };
    let root = root.titled(&title, ("sans-serif", 20))?;
    let label = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if *i < n => {
            let t = verdicts[n - 1 - i].target;
            format!("{} ({})", t.bobbin, t.workload)
        }
        _ => String::new(),
    };
    let top = verdicts
        .iter()
        .flat_map(|v| v.factors.iter().copied().chain([v.target.at_least]))
        .fold(10.0_f64, f64::max)
        * 1.5;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "CPython's median ÷ bobbin's (times faster; higher is better); tick: the target",
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(300)
        .build_cartesian_2d((0.1..top).log_scale(), (0..n - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&label)
        .label_style(("sans-serif", 14))
        .x_desc("CPython ÷ bobbin")
        .draw()?;
    let y = |i: usize| n - 1 - i;
    chart.draw_series(verdicts.iter().enumerate().filter_map(|(i, v)| {
        let f = v.median()?;
        let colour = if v.target.met(f) { MET } else { MISSED };
        Some(Rectangle::new(
            [
                (0.1, SegmentValue::Exact(y(i))),
                (f, SegmentValue::Exact(y(i) + 1)),
            ],
            colour.mix(0.8).filled(),
        ))
    }))?;
    chart.draw_series(verdicts.iter().enumerate().map(|(i, v)| {
        PathElement::new(
            vec![
                (v.target.at_least, SegmentValue::Exact(y(i))),
                (v.target.at_least, SegmentValue::Exact(y(i) + 1)),
            ],
            BLACK.stroke_width(3),
        )
    }))?;
    chart.draw_series(verdicts.iter().enumerate().filter_map(|(i, v)| {
        let (median, worst) = (v.median()?, v.worst()?);
        (runs > 1).then(|| {
            PathElement::new(
                vec![
                    (worst, SegmentValue::CenterOf(y(i))),
                    (median, SegmentValue::CenterOf(y(i))),
                ],
                BLACK.stroke_width(1),
            )
        })
    }))?;
    chart.draw_series(verdicts.iter().enumerate().filter_map(|(i, v)| {
        let f = v.median()?;
        Some(Text::new(
            factor_text(f),
            (f * 1.05, SegmentValue::CenterOf(y(i))),
            ("sans-serif", 13),
        ))
    }))?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::Scale;
    use crate::report::tests::row;

    /// A run whose queue row is `queue` ns against CPython's 1000.
    fn run(queue: f64) -> Run {
        let mut run = crate::report::tests::sample_run();
        run.outcomes.push(Outcome {
            name: "queue_spsc_bounded",
            op: "item",
            scale: Scale::Nanos,
            about: "About.",
            ops: 10,
            rows: vec![
                row("queue.Queue", Kind::CPython, &[1000.0]),
                row("bobbin.Queue", Kind::BobbinPy, &[queue]),
            ],
        });
        run
    }

    #[test]
    fn the_factor_is_cpythons_median_over_bobbins_and_the_series_its_median() {
        let runs = [run(100.0), run(125.0), run(200.0)];
        let verdicts = verdicts(&runs);
        assert_eq!(verdicts.len(), 1, "only the measured targets");
        assert_eq!(verdicts[0].factors, [10.0, 8.0, 5.0]);
        assert_eq!(verdicts[0].median(), Some(8.0));
        assert_eq!(verdicts[0].worst(), Some(5.0));
        assert!(verdicts[0].target.met(8.0));
        assert!(!verdicts[0].target.met(7.99));
    }

    #[test]
    fn the_section_quotes_the_median_with_the_worst_run_and_the_chart_draws() {
        let runs = [run(100.0), run(125.0), run(200.0)];
        let md = markdown(&runs).unwrap();
        assert!(
            md.contains("| `bobbin.Queue` | `queue.Queue` | [queue_spsc_bounded](#queue_spsc_bounded) | 8.00× ✅ | 5.00× | 10.0× 8.00× 5.00× | at least 8× faster |"),
            "{md}"
        );
        let svg = svg(&runs).unwrap().unwrap();
        assert!(svg.contains("8.00×"), "{svg}");
    }

    #[test]
    fn runs_without_the_module_have_no_section() {
        let runs = [crate::report::tests::sample_run()];
        assert!(markdown(&runs).is_none());
        assert!(svg(&runs).unwrap().is_none());
    }

    #[test]
    fn every_target_names_a_workload_the_script_runs_with_both_rows() {
        let script = include_str!("../python/bench.py");
        for t in TARGETS {
            assert!(crate::workloads::all().iter().any(|w| w.name == t.workload));
            for name in [t.bobbin, t.cpython] {
                assert!(
                    script.contains(&format!("\"{name}\"")),
                    "bench.py has no {name}"
                );
            }
        }
    }
}
