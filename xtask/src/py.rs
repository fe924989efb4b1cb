//! `cargo xtask py`: build the Python module `bobbin` and run CPython 3.13's
//! own `lock_tests` and `test_queue` on it, then bobbin's Python tests,
//! then CPython's `test_threading`, `test_queue` and thread-pool tests with
//! threading's and queue's names bound to bobbin's types (the drop-in).
//!
//! The module is installed with pip (which builds it with maturin, fetched
//! from PyPI into pip's build environment) into a venv under
//! `target/py/venv-3.13`, as a user's `pip install crates/bobbin-py` does.
//! CPython's test suites are imported from that interpreter's installed
//! standard library (`crates/bobbin-py/tests/conformance.py` subclasses
//! them). Without CPython 3.13 the task says so in one line and succeeds,
//! so `cargo xtask ci` runs on a machine with only the Rust toolchain.

use crate::util::{self, Result, Steps};
use std::path::PathBuf;
use std::process::Command;

/// The interpreters tried, in order: `$BOBBIN_PYTHON`, `python3.13`, the
/// same through pyenv, and `python3`. The first that is CPython 3.13 with
/// its `test` package is used.
fn candidates() -> Vec<Command> {
    let mut cmds = Vec::new();
    if let Some(python) = std::env::var_os("BOBBIN_PYTHON") {
        cmds.push(Command::new(python));
    }
    cmds.push(Command::new("python3.13"));
    let mut pyenv = Command::new("python3.13");
    pyenv.env("PYENV_VERSION", "3.13");
    cmds.push(pyenv);
    cmds.push(Command::new("python3"));
    cmds
}

/// The path of a CPython 3.13 interpreter that has the `test` package, if
/// there is one.
pub(crate) fn find_python() -> Option<PathBuf> {
    const PROBE: &str = "import sys, platform; \
        assert sys.version_info[:2] == (3, 13) and platform.python_implementation() == 'CPython'; \
        import test.lock_tests, test.test_queue; print(sys.executable)";
    candidates().into_iter().find_map(|mut cmd| {
        let out = cmd.args(["-c", PROBE]).output().ok()?;
        if !out.status.success() {
            return None;
        }
        let path = String::from_utf8(out.stdout).ok()?;
        Some(PathBuf::from(path.trim()))
    })
}

/// Builds the module and installs it, with pip, into the venv under
/// `target/py/venv-3.13` (made with `python` if missing), as a user's
/// `pip install crates/bobbin-py` does; returns the venv's interpreter.
/// `cargo xtask bench` runs its CPython rows with that interpreter.
pub(crate) fn install(steps: &mut Steps, python: &PathBuf) -> Result<PathBuf> {
    let root = util::project_root();
    let venv = root.join("target").join("py").join("venv-3.13");
    let venv_python = venv.join("bin").join("python");
    if !venv_python.is_file() {
        steps.run(
            "venv",
            Command::new(python).arg("-m").arg("venv").arg(&venv),
        )?;
    }
    steps.run(
        "install",
        Command::new(&venv_python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(root.join("crates").join("bobbin-py"))
            .current_dir(&root),
    )?;
    Ok(venv_python)
}

/// The steps of the Python check, for `cargo xtask py` and the Python step
/// of `cargo xtask ci`: build and install the module, the conformance
/// suite (`repeat` times), bobbin's own Python tests, the drop-in suite
/// (`repeat` times).
pub(crate) fn check(steps: &mut Steps, python: &PathBuf, repeat: usize) -> Result {
    let root = util::project_root();
    let venv_python = install(steps, python)?;
    let tests = root.join("crates").join("bobbin-py").join("tests");
    // Each suite is a script in `tests/`, run from there; the repeated
    // ones take `--repeat`.
    let mut suite = |name: &str, script: &str, repeat: Option<usize>| {
        let mut cmd = Command::new(&venv_python);
        cmd.arg(tests.join(script)).current_dir(&tests);
        if let Some(repeat) = repeat {
            cmd.args(["--repeat", &repeat.to_string()]);
        }
        steps.run(name, &mut cmd)
    };
    suite("conformance", "conformance.py", Some(repeat))?;
    suite("pytests", "test_bobbin.py", None)?;
    suite("dropin", "dropin.py", Some(repeat))
}

/// The one line printed when there is no CPython 3.13.
pub(crate) const NO_PYTHON: &str = "py: no CPython 3.13 with its `test` package found \
    (tried $BOBBIN_PYTHON, python3.13, python3): skipping the Python module's checks";

pub(crate) fn run(args: &[String]) -> Result {
    let mut repeat = 1;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--repeat" => {
                repeat = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("`--repeat` takes a positive number")?;
            }
            other => return Err(format!("`cargo xtask py`: unknown argument `{other}`").into()),
        }
    }
    let Some(python) = find_python() else {
        println!("{NO_PYTHON}");
        return Ok(());
    };
    println!("py: using {}", python.display());
    let mut steps = Steps::new("py", 5);
    check(&mut steps, &python, repeat)?;
    steps.summary();
    Ok(())
}
