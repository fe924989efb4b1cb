//! `cargo xtask tsan`: the tests under ThreadSanitizer.
//!
//! Needs nightly and its `rust-src` component (std is rebuilt with the
//! sanitizer, `-Zbuild-std`); the component is installed when missing. The
//! build has its own target directory (`target/tsan`) because every
//! RUSTFLAGS change rebuilds std. RUSTDOCFLAGS carries the sanitizer too, or
//! the doctests fail with an ABI mismatch. Outside CI, like `miri`.

use crate::util::{self, Result, Steps};
use std::process::Command;

pub(crate) fn run(args: &[String]) -> Result {
    util::ensure_nightly_components(&["rust-src"])?;
    let host = host_triple()?;
    let mut cmd = util::nightly_cargo();
    cmd.env("RUSTFLAGS", "-Zsanitizer=thread")
        .env("RUSTDOCFLAGS", "-Zsanitizer=thread")
        .args(["test", "-Zbuild-std", "--target", &host, "--target-dir"])
        .arg(util::project_root().join("target").join("tsan"));
    if args.is_empty() {
        // bobbin-py's behaviour runs only inside CPython (`cargo xtask py`),
        // whose interpreter is not built with ThreadSanitizer.
        cmd.args(["--workspace", "--exclude", "bobbin-py"]);
    } else {
        let crates = util::crates();
        for name in args {
            if !crates.iter().any(|(c, _)| c == name) {
                return Err(format!("`cargo xtask tsan`: no crate `{name}`").into());
            }
            cmd.args(["-p", name]);
        }
    }
    let mut steps = Steps::new("tsan", 1);
    steps.run("tsan", &mut cmd)?;
    steps.summary();
    Ok(())
}

/// The host's target triple, from `rustc +nightly -vV`.
fn host_triple() -> Result<String> {
    let out = Command::new("rustup")
        .args(["run", "nightly", "rustc", "-vV"])
        .output()
        .map_err(|e| format!("cannot run nightly rustc: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .ok_or_else(|| "cannot read the host triple from `rustc -vV`".into())
}
