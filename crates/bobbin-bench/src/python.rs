//! The CPython rows: runs `python/bench.py` under CPython 3.13 and reads
//! its samples.
//!
//! The script is embedded in the binary and fed to the interpreter on
//! standard input (`python3 - ARGS`), so the binary runs from anywhere. The
//! interpreter is `$BOBBIN_BENCH_PYTHON`, or `python3` with
//! `PYENV_VERSION=3.13.0` unless `PYENV_VERSION` is already set (this
//! machine's pyenv holds several versions). Any other version than 3.13
//! makes the script print a `skip` line, and the report says CPython was
//! skipped and why.

use crate::harness::{Kind, Plan, Row};
use std::io::Write as _;
use std::process::{Command, Stdio};

/// The script, as in `crates/bobbin-bench/python/bench.py`.
const SCRIPT: &str = include_str!("../python/bench.py");

/// A CPython that runs the script.
#[derive(Debug, Clone)]
pub(crate) struct Python {
    program: String,
    /// Its version, as `sys.version` starts (`3.13.0`).
    pub(crate) version: String,
}

fn command(program: &str) -> Command {
    let mut cmd = Command::new(program);
    if std::env::var_os("PYENV_VERSION").is_none() {
        cmd.env("PYENV_VERSION", "3.13.0");
    }
    cmd
}

/// Finds CPython 3.13, or says why there is none.
pub(crate) fn find() -> Result<Python, String> {
    let program = std::env::var("BOBBIN_BENCH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let output = command(&program)
        .args([
            "-c",
            "import sys, platform; print(platform.python_implementation(), sys.version.split()[0])",
        ])
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    if !output.status.success() {
        return Err(format!("`{program}` failed ({})", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let (implementation, version) = text
        .trim()
        .split_once(' ')
        .ok_or_else(|| format!("`{program}` printed {text:?}, not a version"))?;
    if implementation != "CPython" || !version.starts_with("3.13.") {
        return Err(format!(
            "`{program}` is {implementation} {version}, not CPython 3.13"
        ));
    }
    Ok(Python {
        program,
        version: version.to_owned(),
    })
}

/// Runs the script's version of `workload` and returns one row per
/// implementation, or an error with the script's output (a failed check
/// is an error, as in the Rust rows).
pub(crate) fn run(python: &Python, workload: &str, plan: Plan) -> Result<Vec<Row>, String> {
    let mut child = command(&python.program)
        .args(["-", "--reps", &plan.reps.to_string()])
        .args(["--scale", &plan.scale.to_string(), workload])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", python.program))?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(SCRIPT.as_bytes())
        .map_err(|e| format!("cannot send the script to `{}`: {e}", python.program))?;
    let output = child
        .wait_with_output()
        .map_err(|e| format!("`{}` did not finish: {e}", python.program))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "the CPython script failed on {workload} ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    parse(&stdout, workload)
}

/// Reads the script's `sample` lines for `workload` into rows, in the order
/// their implementations first appear.
fn parse(stdout: &str, workload: &str) -> Result<Vec<Row>, String> {
    let mut rows: Vec<Row> = Vec::new();
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["sample", w, name, value] if *w == workload => {
                let value: f64 = value
                    .parse()
                    .map_err(|_| format!("bad sample line from the CPython script: {line:?}"))?;
                match rows.iter_mut().find(|r| r.name == *name) {
                    Some(row) => row.samples.push(value),
                    None => rows.push(Row {
                        name: (*name).to_owned(),
                        kind: if name.starts_with("bobbin.") {
                            Kind::BobbinPy
                        } else {
                            Kind::CPython
                        },
                        samples: vec![value],
                        python: None,
                    }),
                }
            }
            ["skip", reason] => return Err(format!("CPython skipped: {reason}")),
            _ => return Err(format!("unexpected line from the CPython script: {line:?}")),
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_samples_by_implementation() {
        let out = "sample\tw\tqueue.Queue\t10.5\nsample\tw\tqueue.SimpleQueue\t2\n\
                   sample\tw\tqueue.Queue\t11.5\n";
        let rows = parse(out, "w").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "queue.Queue");
        assert_eq!(rows[0].samples, [10.5, 11.5]);
        assert_eq!(rows[1].samples, [2.0]);
        assert_eq!(rows[0].kind, Kind::CPython);
        let rows = parse("sample\tw\tbobbin.Queue\t1.5\n", "w").unwrap();
        assert_eq!(rows[0].kind, Kind::BobbinPy);
    }

    #[test]
    fn a_skip_or_a_stray_line_is_an_error() {
        assert!(parse("skip\tPython 3.12.1 is not 3.13\n", "w").is_err());
        assert!(parse("Traceback\n", "w").is_err());
        assert!(parse("sample\tw\tx\tfast\n", "w").is_err());
    }

    #[test]
    fn the_script_knows_every_workload() {
        for workload in crate::workloads::all() {
            assert!(
                SCRIPT.contains(&format!("\"{}\": (", workload.name)),
                "bench.py has no {}",
                workload.name
            );
        }
    }
}
