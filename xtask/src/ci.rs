//! `cargo xtask ci`: everything CI checks, in the order that fails fastest.
//!
//! `.ci/run` calls exactly this. The steps: `cargo fmt --check`, clippy with
//! `-D warnings` on every target, the tests (nextest when installed, else
//! `cargo test`), the doctests (which nextest does not run), the docs with
//! `-D warnings`, the loom models, building every example, and the Python
//! module's checks (`cargo xtask py`) when CPython 3.13 is there; without
//! it that step says it is skipped, and the rest needs only Rust.

use crate::util::{self, Result, Steps};

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return Err(format!("`cargo xtask ci` takes no arguments (got `{arg}`)").into());
    }
    let python = crate::py::find_python();
    // The Python step is four or five commands (a venv is made once).
    let mut steps = Steps::new("ci", if python.is_some() { 12 } else { 7 });

    steps.run("fmt", util::cargo().args(["fmt", "--all", "--check"]))?;
    steps.run(
        "clippy",
        util::cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    if util::has_nextest() {
        steps.run(
            "test",
            util::cargo().args(["nextest", "run", "--workspace", "--no-fail-fast"]),
        )?;
    } else {
        println!("\n(cargo-nextest is not installed: running the tests with `cargo test`)");
        steps.run(
            "test",
            util::cargo().args(["test", "--workspace", "--lib", "--bins", "--tests"]),
        )?;
    }
    steps.run(
        "doctest",
        util::cargo().args(["test", "--workspace", "--doc"]),
    )?;
    steps.run(
        "doc",
        util::cargo()
            .env("RUSTDOCFLAGS", "-D warnings")
            .args(["doc", "--workspace", "--no-deps"]),
    )?;
    steps.run_all("loom", crate::loom::commands())?;
    steps.run(
        "examples",
        util::cargo().args(["build", "--workspace", "--examples"]),
    )?;

    match &python {
        Some(python) => crate::py::check(&mut steps, python, 1)?,
        None => println!("\n{}", crate::py::NO_PYTHON),
    }

    steps.summary();
    println!("\nci: all checks passed");
    Ok(())
}
