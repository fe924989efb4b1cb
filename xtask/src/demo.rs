//! `cargo xtask demo`: the seed tour, chapter by chapter.
//!
//! The tour is the Python threading tutorial bobbin started from, redone in
//! Rust: one example per chapter under `crates/bobbin/examples/`, named
//! `NN_topic.rs` and run in chapter order, each under a header taken from
//! its first `//!` line. The examples shorten the tutorial's sleeps and
//! timers (keeping their ratios); `--real-time` runs them at the tutorial's
//! own pace (the examples read `BOBBIN_REAL_TIME`). Any other argument
//! filters chapters by name. The task fails if any chapter fails.

use crate::util::{self, Result};
use std::time::Instant;

pub(crate) fn run(args: &[String]) -> Result {
    let mut real_time = false;
    let mut filters = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--real-time" => real_time = true,
            flag if flag.starts_with('-') => {
                return Err(format!("`cargo xtask demo`: unknown option `{flag}`").into());
            }
            filter => filters.push(filter.to_owned()),
        }
    }

    let examples_dir = util::project_root()
        .join("crates")
        .join("bobbin")
        .join("examples");
    let chapters: Vec<_> = util::rust_files(&examples_dir, "")
        .into_iter()
        .filter(|(stem, _)| stem.starts_with(|c: char| c.is_ascii_digit()))
        .filter(|(stem, _)| filters.is_empty() || filters.iter().any(|f| stem.contains(f.as_str())))
        .collect();
    if chapters.is_empty() {
        println!(
            "The tour has no chapters yet (no examples in {}).",
            examples_dir.display()
        );
        return Ok(());
    }

    println!("==> building the tour: cargo build --release -p bobbin --examples");
    let status = util::cargo()
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "bobbin",
            "--examples",
        ])
        .status()?;
    if !status.success() {
        return Err(format!("building the tour's examples failed ({status})").into());
    }

    let start = Instant::now();
    let mut failed = Vec::new();
    for (stem, path) in &chapters {
        let title = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("//!").map(|t| t.trim().to_owned()))
            })
            .unwrap_or_default();
        let number: String = stem.chars().take_while(char::is_ascii_digit).collect();
        println!(
            "\n=== Chapter {}: {title} ({stem}) ===",
            number.trim_start_matches('0')
        );
        let mut cmd = util::cargo();
        cmd.args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "bobbin",
            "--example",
            stem,
        ]);
        if real_time {
            cmd.env("BOBBIN_REAL_TIME", "1");
        }
        let ok = cmd.status().is_ok_and(|s| s.success());
        if !ok {
            println!("!!! chapter {stem} FAILED");
            failed.push(stem.clone());
        }
    }

    println!(
        "\n{} chapters run in {}",
        chapters.len(),
        util::secs(start.elapsed())
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("chapters failed: {}", failed.join(", ")).into())
    }
}
