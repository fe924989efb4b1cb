//! `ratios.svg`: every bobbin row against its best Rust peer (left) and
//! against CPython (right), drawn with plotters' SVG backend.
//!
//! The left panel is a horizontal bar per bobbin row at its ratio (median
//! over the best Rust peer's median; for a series of runs, the median of
//! the runs' ratios, with a whisker to the worst run), with the goal (1.00)
//! and the bound (1.10, or 1.25 with the cores busy) drawn as vertical lines
//! and the bars coloured by which side of them they fall. The right panel
//! is how many times faster bobbin is than CPython 3.13, on a logarithmic
//! axis, with the 20× goal drawn.

use crate::report::{GOAL, PYTHON_GOAL, Run, Standing};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

/// What the chart draws: a title, the bound, and one bar per bobbin row.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    /// The title.
    pub(crate) title: String,
    /// The bound for done (drawn as a line, and the colour of the bars).
    pub(crate) bound: f64,
    /// One bar per bobbin row, from the top.
    pub(crate) bars: Vec<Bar>,
}

/// One bobbin row of the chart.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    /// `workload: row`.
    pub(crate) label: String,
    /// The ratio to the best Rust peer.
    pub(crate) ratio: Option<f64>,
    /// The worst run's ratio, for a series of runs.
    pub(crate) worst: Option<f64>,
    /// How many times faster than CPython.
    pub(crate) python_factor: Option<f64>,
}

impl Chart {
    /// The chart of one run.
    pub(crate) fn of_run(run: &Run) -> Chart {
        Chart {
            title: format!(
                "bobbin vs its best Rust peer and CPython 3.13 ({}, {} cores, {})",
                run.cpu, run.cores, run.date
            ),
            bound: run.bound(),
            bars: run
                .verdicts()
                .into_iter()
                .map(|v| Bar {
                    label: format!("{}: {}", v.workload, v.bobbin),
                    ratio: v.ratio,
                    worst: None,
                    python_factor: v.python_factor,
                })
                .collect(),
        }
    }
}

/// The size of labels (plotters' SVG backend writes 1/1.24 of it).
const LABEL: u32 = 15;
/// The colour of a bar that meets the goal.
const MET: RGBColor = RGBColor(46, 139, 87);
/// The colour of a bar within the bound but above the goal.
const NEAR: RGBColor = RGBColor(230, 159, 0);
/// The colour of a bar above the bound.
const MISSED: RGBColor = RGBColor(200, 40, 40);

/// Draws `chart` as an SVG document.
pub(crate) fn svg(chart: &Chart) -> Result<String, String> {
    let mut out = String::new();
    draw(chart, &mut out).map_err(|e| format!("cannot draw the chart: {e}"))?;
    Ok(out)
}

fn draw(spec: &Chart, out: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let verdicts = &spec.bars;
    let bound = spec.bound;
    let n = verdicts.len().max(1);
    let height = 120 + 26 * n as u32;
    let root = SVGBackend::with_string(out, (1100, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(&spec.title, ("sans-serif", 20))?;
    let (left, right) = root.split_horizontally(720);

    // Rows from the top: the first verdict is drawn at the highest segment.
    let label = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if *i < verdicts.len() => {
            verdicts[verdicts.len() - 1 - i].label.clone()
        }
        _ => String::new(),
    };
    let y_of = |i: usize| n - 1 - i;

    let max_ratio = verdicts
        .iter()
        .filter_map(|v| v.worst.or(v.ratio))
        .fold(1.5_f64, f64::max)
        * 1.1;
    let mut chart = ChartBuilder::on(&left)
        .caption(
            "median ÷ best Rust peer's median (lower is better)",
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(330)
        .build_cartesian_2d(0.0..max_ratio, (0..n - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&label)
        .label_style(("sans-serif", LABEL))
        .x_desc("ratio")
        .draw()?;
    chart.draw_series(verdicts.iter().enumerate().filter_map(|(i, v)| {
        let r = v.ratio?;
        let colour = match Standing::of(r, bound) {
            Standing::Met => MET,
            Standing::Near => NEAR,
            Standing::Missed => MISSED,
        };
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(y_of(i))),
                (r, SegmentValue::Exact(y_of(i) + 1)),
            ],
            colour.filled(),
        );
        bar.set_margin(4, 4, 0, 0);
        Some(bar)
    }))?;
    // A series' worst run: a whisker from the median to it.
    chart.draw_series(verdicts.iter().enumerate().filter_map(|(i, v)| {
        let (r, worst) = (v.ratio?, v.worst?);
        Some(PathElement::new(
            vec![
                (r, SegmentValue::CenterOf(y_of(i))),
                (worst, SegmentValue::CenterOf(y_of(i))),
            ],
            BLACK.stroke_width(2),
        ))
    }))?;
    chart.draw_series(verdicts.iter().enumerate().filter_map(|(i, v)| {
        let r = v.ratio?;
        let end = v.worst.map_or(r, |w| w.max(r));
        let text = match v.worst {
            Some(w) => format!("{r:.2} (worst {w:.2})"),
            None => format!("{r:.2}"),
        };
        Some(Text::new(
            text,
            (end + max_ratio * 0.01, SegmentValue::CenterOf(y_of(i))),
            ("sans-serif", LABEL),
        ))
    }))?;
    for (x, what) in [(GOAL, "goal"), (bound, "bound")] {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, SegmentValue::Exact(0)), (x, SegmentValue::Exact(n))],
            BLACK.stroke_width(if what == "goal" { 2 } else { 1 }),
        )))?;
    }

    let max_factor = verdicts
        .iter()
        .filter_map(|v| v.python_factor)
        .fold(PYTHON_GOAL * 5.0, f64::max)
        * 2.0;
    let mut chart = ChartBuilder::on(&right)
        .caption(
            "CPython's median ÷ bobbin's (higher is better)",
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(10)
        .build_cartesian_2d((1.0..max_factor).log_scale(), (0..n - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|_| String::new())
        .label_style(("sans-serif", LABEL))
        .x_desc("times faster than CPython (log)")
        .draw()?;
    chart.draw_series(verdicts.iter().enumerate().filter_map(|(i, v)| {
        let f = v.python_factor?;
        let colour = if f >= PYTHON_GOAL { MET } else { MISSED };
        let mut bar = Rectangle::new(
            [
                (1.0, SegmentValue::Exact(y_of(i))),
                (f.max(1.0), SegmentValue::Exact(y_of(i) + 1)),
            ],
            colour.filled(),
        );
        bar.set_margin(4, 4, 0, 0);
        Some(bar)
    }))?;
    chart.draw_series(verdicts.iter().enumerate().filter_map(|(i, v)| {
        let f = v.python_factor?;
        Some(Text::new(
            format!("{f:.0}×"),
            (f.max(1.0) * 1.05, SegmentValue::CenterOf(y_of(i))),
            ("sans-serif", LABEL),
        ))
    }))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![
            (PYTHON_GOAL, SegmentValue::Exact(0)),
            (PYTHON_GOAL, SegmentValue::Exact(n)),
        ],
        BLACK.stroke_width(2),
    )))?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::{Kind, Plan, Row, Scale};
    use crate::report::Outcome;

    #[test]
    fn draws_a_bar_per_bobbin_row() {
        let row = |name: &str, kind, m: f64| Row {
            name: name.to_owned(),
            kind,
            samples: vec![m],
            python: None,
        };
        let run = Run {
            date: "2026-05-20 03:08 UTC".to_owned(),
            cpu: "AMD EPYC".to_owned(),
            cores: 2,
            os: String::new(),
            rustc: String::new(),
            python: Ok("3.13.0".to_owned()),
            load: (None, None),
            plan: Plan {
                reps: 1,
                scale: 1.0,
            },
            quick: false,
            hog: false,
            filter: Vec::new(),
            outcomes: vec![Outcome {
                name: "lock_uncontended",
                op: "acquire+release",
                scale: Scale::Nanos,
                about: "",
                ops: 1,
                rows: vec![
                    row("bobbin Lock<()>", Kind::Bobbin, 9.0),
                    row("bobbin Lock<u64>", Kind::Bobbin, 12.0),
                    row("parking_lot Mutex<u64>", Kind::Peer, 10.0),
                    row("threading.Lock", Kind::CPython, 300.0),
                ],
            }],
        };
        let svg = svg(&Chart::of_run(&run)).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(
            svg.contains("lock_uncontended: bobbin Lock&lt;u64&gt;"),
            "{svg}"
        );
        // The ratios and factors are written next to their bars.
        for text in [">\n0.90\n<", ">\n1.20\n<", ">\n33×\n<", ">\n25×\n<"] {
            assert!(svg.contains(text), "missing {text} in {svg}");
        }
        // One green bar (0.90) and one red (1.20) on the left; two green
        // bars on the right.
        assert_eq!(svg.matches("fill=\"#2E8B57\"").count(), 3, "{svg}");
        assert_eq!(svg.matches("fill=\"#C82828\"").count(), 1, "{svg}");
    }
}
