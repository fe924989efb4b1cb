//! `cargo xtask loom`: the loom models, under `--cfg bobbin_loom`.
//!
//! Every `crates/<crate>/tests/loom_<type>.rs` is built in release mode (loom
//! is slow in debug) in its own target directory (`target/loom`), so that the
//! cfg change does not rebuild the normal one, with loom's preemption bound
//! at 2 unless `LOOM_MAX_PREEMPTIONS` says otherwise. Each model writes its
//! expected run time next to it.

use crate::util::{self, Result, Steps};
use std::process::Command;

/// The commands that run every loom model: one `cargo test` per crate that
/// has any.
pub(crate) fn commands() -> Vec<Command> {
    let root = util::project_root();
    let preemptions = std::env::var("LOOM_MAX_PREEMPTIONS").unwrap_or_else(|_| "2".to_owned());
    let mut cmds = Vec::new();
    for (name, dir) in util::crates() {
        let models = util::rust_files(&dir.join("tests"), "loom_");
        if models.is_empty() {
            continue;
        }
        let mut cmd = util::cargo();
        cmd.env("RUSTFLAGS", "--cfg bobbin_loom")
            .env("LOOM_MAX_PREEMPTIONS", &preemptions)
            .args(["test", "--release", "--target-dir"])
            .arg(root.join("target").join("loom"))
            .args(["-p", &name]);
        for (stem, _) in &models {
            cmd.args(["--test", stem]);
        }
        cmds.push(cmd);
    }
    cmds
}

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return Err(format!("`cargo xtask loom` takes no arguments (got `{arg}`)").into());
    }
    let mut steps = Steps::new("loom", 1);
    steps.run_all("loom", commands())?;
    steps.summary();
    Ok(())
}
