//! `cargo xtask stress`: the stress tests, which the normal run skips.
//!
//! A stress test is named `stress_*` and marked
//! `#[ignore = "stress test: run with cargo xtask stress"]`. This task runs
//! exactly those, in release mode, with two knobs the tests read from the
//! environment: `BOBBIN_STRESS` multiplies their iteration counts
//! (`--multiplier N`, default 1) and `BOBBIN_STRESS_SECS` bounds the
//! time-boxed ones (`--seconds S`, default 60).

use crate::util::{self, Result, Steps};

pub(crate) fn run(args: &[String]) -> Result {
    let mut multiplier = "1".to_owned();
    let mut seconds = "60".to_owned();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = |it: &mut std::slice::Iter<'_, String>| {
            it.next()
                .filter(|v| v.parse::<u64>().is_ok_and(|n| n > 0))
                .cloned()
                .ok_or_else(|| format!("`{arg}` needs a positive whole number"))
        };
        match arg.as_str() {
            "--multiplier" => multiplier = value(&mut it)?,
            "--seconds" => seconds = value(&mut it)?,
            other => return Err(format!("`cargo xtask stress`: unknown argument `{other}`").into()),
        }
    }
    let mut cmd = util::cargo();
    cmd.env("BOBBIN_STRESS", &multiplier)
        .env("BOBBIN_STRESS_SECS", &seconds)
        .args([
            "test",
            "--release",
            "--workspace",
            "--",
            "--ignored",
            "stress_",
        ]);
    let mut steps = Steps::new("stress", 1);
    steps.run("stress", &mut cmd)?;
    steps.summary();
    Ok(())
}
