//! `samples.tsv`: every sample of a run, so that the report and the chart
//! can be written again without running again (`--render DIR`), for
//! instance after `FINDINGS.md` changes.
//!
//! One record per line, tab-separated: `meta KEY VALUE` for the machine and
//! the run, `workload NAME OPS` for each workload run, and `row WORKLOAD
//! KIND NAME PYTHON SAMPLES` for each implementation (PYTHON is the CPython
//! row a bobbin row is compared with, or `-`; SAMPLES are nanoseconds per
//! operation, comma-separated). The workloads' descriptions come from the
//! binary, by name. A series of runs (`--runs N`) is the runs' files one
//! after the other, each beginning with its header line.

use crate::harness::{Kind, Plan, Row, Workload};
use crate::report::{Outcome, Run};
use std::fmt::Write as _;

/// The first line, naming the format.
const HEADER: &str = "# bobbin-bench samples, format 1";

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Bobbin => "bobbin",
        Kind::Peer => "peer",
        Kind::Reference => "reference",
        Kind::Plain => "plain",
        Kind::CPython => "cpython",
        Kind::BobbinPy => "bobbin-py",
    }
}

fn kind_of(name: &str) -> Option<Kind> {
    Some(match name {
        "bobbin" => Kind::Bobbin,
        "peer" => Kind::Peer,
        "reference" => Kind::Reference,
        "plain" => Kind::Plain,
        "cpython" => Kind::CPython,
        "bobbin-py" => Kind::BobbinPy,
        _ => return None,
    })
}

/// Tabs and line breaks would break a record; none of our values has one,
/// but a CPU model or an error message might.
fn clean(value: &str) -> String {
    value.replace(['\t', '\n', '\r'], " ")
}

/// Writes every sample of `run`.
pub(crate) fn write(run: &Run) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "{HEADER}");
    let mut meta = |key: &str, value: &str| {
        let _ = writeln!(w, "meta\t{key}\t{}", clean(value));
    };
    meta("date", &run.date);
    meta("cpu", &run.cpu);
    meta("cores", &run.cores.to_string());
    meta("os", &run.os);
    meta("rustc", &run.rustc);
    match &run.python {
        Ok(version) => meta("python", version),
        Err(why) => meta("python_skipped", why),
    }
    meta("load_start", run.load.0.as_deref().unwrap_or(""));
    meta("load_end", run.load.1.as_deref().unwrap_or(""));
    meta("reps", &run.plan.reps.to_string());
    meta("scale", &run.plan.scale.to_string());
    meta("quick", &run.quick.to_string());
    meta("hog", &run.hog.to_string());
    meta("filter", &run.filter.join(" "));
    for outcome in &run.outcomes {
        let _ = writeln!(w, "workload\t{}\t{}", outcome.name, outcome.ops);
        for row in &outcome.rows {
            let samples: Vec<String> = row.samples.iter().map(f64::to_string).collect();
            let _ = writeln!(
                w,
                "row\t{}\t{}\t{}\t{}\t{}",
                outcome.name,
                kind_name(row.kind),
                clean(&row.name),
                row.python.as_deref().map_or("-".to_owned(), clean),
                samples.join(",")
            );
        }
    }
    out
}

/// Writes every sample of a series of runs: each run's file in turn.
pub(crate) fn write_all(runs: &[Run]) -> String {
    runs.iter().map(write).collect()
}

/// Reads what [`write_all`] (or, for one run, [`write()`]) wrote: one run
/// per header line.
pub(crate) fn read_all(text: &str, workloads: &[Workload]) -> Result<Vec<Run>, String> {
    let mut runs = Vec::new();
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == HEADER {
            if let Some(begin) = start {
                runs.push(read(&text[begin..offset], workloads)?);
            }
            start = Some(offset);
        }
        offset += line.len();
    }
    match start {
        Some(begin) => runs.push(read(&text[begin..], workloads)?),
        None => {
            return Err(format!("not a samples file (no line is {HEADER:?})"));
        }
    }
    Ok(runs)
}

/// Reads what [`write()`] wrote; `workloads` supplies each workload's
/// description by name.
pub(crate) fn read(text: &str, workloads: &[Workload]) -> Result<Run, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, HEADER)) => {}
        _ => {
            return Err(format!(
                "not a samples file (its first line is not {HEADER:?})"
            ));
        }
    }
    let mut run = Run {
        date: String::new(),
        cpu: String::new(),
        cores: 0,
        os: String::new(),
        rustc: String::new(),
        python: Err("not recorded".to_owned()),
        load: (None, None),
        plan: Plan {
            reps: 0,
            scale: 1.0,
        },
        quick: false,
        hog: false,
        filter: Vec::new(),
        outcomes: Vec::new(),
    };
    for (i, line) in lines {
        let bad = || format!("line {}: cannot read {line:?}", i + 1);
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["meta", key, value] => {
                let value = (*value).to_owned();
                let some = |v: String| (!v.is_empty()).then_some(v);
                match *key {
                    "date" => run.date = value,
                    "cpu" => run.cpu = value,
                    "cores" => run.cores = value.parse().map_err(|_| bad())?,
                    "os" => run.os = value,
                    "rustc" => run.rustc = value,
                    "python" => run.python = Ok(value),
                    "python_skipped" => run.python = Err(value),
                    "load_start" => run.load.0 = some(value),
                    "load_end" => run.load.1 = some(value),
                    "reps" => run.plan.reps = value.parse().map_err(|_| bad())?,
                    "scale" => run.plan.scale = value.parse().map_err(|_| bad())?,
                    "quick" => run.quick = value == "true",
                    "hog" => run.hog = value == "true",
                    "filter" => {
                        run.filter = value.split_whitespace().map(str::to_owned).collect();
                    }
                    _ => return Err(bad()),
                }
            }
            ["workload", name, ops] => {
                let w = workloads
                    .iter()
                    .find(|w| w.name == *name)
                    .ok_or_else(|| format!("line {}: no workload named {name}", i + 1))?;
                run.outcomes.push(Outcome {
                    name: w.name,
                    op: w.op,
                    scale: w.scale,
                    about: w.about,
                    ops: ops.parse().map_err(|_| bad())?,
                    rows: Vec::new(),
                });
            }
            ["row", workload, kind, name, python, samples] => {
                let outcome = run
                    .outcomes
                    .last_mut()
                    .filter(|o| o.name == *workload)
                    .ok_or_else(bad)?;
                let samples = samples
                    .split(',')
                    .map(|s| s.parse::<f64>().map_err(|_| bad()))
                    .collect::<Result<Vec<f64>, String>>()?;
                outcome.rows.push(Row {
                    name: (*name).to_owned(),
                    kind: kind_of(kind).ok_or_else(bad)?,
                    samples,
                    python: (*python != "-").then(|| (*python).to_owned()),
                });
            }
            _ => return Err(bad()),
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report;

    #[test]
    fn a_run_reads_back_as_it_was_written() {
        let mut run = report::tests::sample_run();
        run.outcomes[0].rows[0].python = Some("threading.Lock".to_owned());
        run.filter = vec!["lock".to_owned(), "gil".to_owned()];
        let text = write(&run);
        let back = read(&text, &crate::workloads::all()).unwrap();
        assert_eq!(write(&back), text);
        assert_eq!(back.outcomes.len(), 2);
        assert_eq!(
            back.outcomes[0].rows[0].samples,
            run.outcomes[0].rows[0].samples
        );
        assert_eq!(back.verdicts()[0].ratio, run.verdicts()[0].ratio);
    }

    #[test]
    fn a_series_reads_back_run_by_run() {
        let first = report::tests::sample_run();
        let mut second = report::tests::sample_run();
        second.hog = true;
        second.outcomes[0].rows[0].samples = vec![1.0, 2.0];
        let text = write_all(&[first.clone(), second]);
        let back = read_all(&text, &crate::workloads::all()).unwrap();
        assert_eq!(back.len(), 2);
        assert!(!back[0].hog && back[1].hog);
        assert_eq!(back[1].outcomes[0].rows[0].samples, [1.0, 2.0]);
        assert_eq!(write_all(&back), text);
        // One run's file is a series of one.
        assert_eq!(
            read_all(&write(&first), &crate::workloads::all())
                .unwrap()
                .len(),
            1
        );
        assert!(read_all("hello", &crate::workloads::all()).is_err());
    }

    #[test]
    fn a_bad_file_is_an_error() {
        let workloads = crate::workloads::all();
        assert!(read("hello", &workloads).is_err());
        let bad_row = format!("{HEADER}\nrow\tx\tpeer\ta\t-\t1");
        assert!(read(&bad_row, &workloads).is_err());
        let bad_workload = format!("{HEADER}\nworkload\tno_such_workload\t1");
        assert!(read(&bad_workload, &workloads).is_err());
    }
}
