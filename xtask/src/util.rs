//! What every task shares: the project root, the `cargo` to call, and a
//! step runner that prints each command and its wall time.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A task's error: a message for the user.
pub(crate) type Error = Box<dyn std::error::Error>;

/// A task's result.
pub(crate) type Result<T = ()> = std::result::Result<T, Error>;

/// The workspace root: the parent of this crate's manifest directory.
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The `cargo` that runs this task (`$CARGO`), or `cargo` from `PATH`.
pub(crate) fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(project_root());
    cmd
}

/// `cargo +nightly`, through rustup, for the tasks that need nightly (Miri,
/// ThreadSanitizer). The stable toolchain's overrides are removed so that
/// rustup picks nightly's cargo and rustc.
pub(crate) fn nightly_cargo() -> Command {
    let mut cmd = Command::new("rustup");
    cmd.args(["run", "nightly", "cargo"]);
    for var in [
        "CARGO",
        "RUSTC",
        "RUSTDOC",
        "RUSTUP_TOOLCHAIN",
        "RUSTC_WRAPPER",
    ] {
        cmd.env_remove(var);
    }
    cmd.current_dir(project_root());
    cmd
}

/// Whether a command can be run and exits with success (its output hidden).
pub(crate) fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// How a command line reads in a header: its environment overrides, the
/// program and its arguments.
pub(crate) fn describe(cmd: &Command) -> String {
    let mut line = String::new();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            let _ = write!(line, "{}={} ", key.to_string_lossy(), quote(value));
        }
    }
    let program = Path::new(cmd.get_program());
    let name = program.file_name().unwrap_or(program.as_os_str());
    line.push_str(&name.to_string_lossy());
    for arg in cmd.get_args() {
        line.push(' ');
        line.push_str(&quote(arg));
    }
    line
}

fn quote(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    if s.is_empty() || s.contains([' ', '\'', '"', '*']) {
        format!("'{s}'")
    } else {
        s.into_owned()
    }
}

/// Formats a duration as seconds with one decimal.
pub(crate) fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Runs a sequence of named steps, printing a header before each and its
/// time after, and stops at the first failure.
pub(crate) struct Steps {
    task: &'static str,
    total: usize,
    done: Vec<(String, Duration)>,
    start: Instant,
}

impl Steps {
    /// A runner for `total` steps of `task` (used for the `[task i/n]`
    /// counter).
    pub(crate) fn new(task: &'static str, total: usize) -> Steps {
        Steps {
            task,
            total,
            done: Vec::new(),
            start: Instant::now(),
        }
    }

    /// Runs one step: `name` is its short label, `cmd` the command.
    pub(crate) fn run(&mut self, name: &str, cmd: &mut Command) -> Result {
        let n = self.done.len() + 1;
        println!(
            "\n==> [{} {n}/{}] {name}: {}",
            self.task,
            self.total,
            describe(cmd)
        );
        let start = Instant::now();
        let status = cmd
            .status()
            .map_err(|e| format!("{name}: cannot run `{}`: {e}", describe(cmd)))?;
        let took = start.elapsed();
        if !status.success() {
            println!("<== {name} FAILED after {} ({status})", secs(took));
            return Err(format!("step `{name}` failed ({status})").into());
        }
        println!("<== {name} ok in {}", secs(took));
        self.done.push((name.to_owned(), took));
        Ok(())
    }

    /// Runs a step made of several commands (or none), timed as one.
    pub(crate) fn run_all(&mut self, name: &str, cmds: Vec<Command>) -> Result {
        let start = Instant::now();
        let n = self.done.len() + 1;
        println!("\n==> [{} {n}/{}] {name}", self.task, self.total);
        for mut cmd in cmds {
            println!("    $ {}", describe(&cmd));
            let status = cmd
                .status()
                .map_err(|e| format!("{name}: cannot run `{}`: {e}", describe(&cmd)))?;
            if !status.success() {
                println!(
                    "<== {name} FAILED after {} ({status})",
                    secs(start.elapsed())
                );
                return Err(format!("step `{name}` failed ({status})").into());
            }
        }
        let took = start.elapsed();
        println!("<== {name} ok in {}", secs(took));
        self.done.push((name.to_owned(), took));
        Ok(())
    }

    /// Prints the time of every step and the total.
    pub(crate) fn summary(&self) {
        println!("\n{} summary:", self.task);
        for (name, took) in &self.done {
            println!("  {:<10} {:>8}", name, secs(*took));
        }
        println!("  {:<10} {:>8}", "total", secs(self.start.elapsed()));
    }
}

/// Files in `dir` whose names start with `prefix` and end with `.rs`, sorted,
/// as `(stem, path)`.
pub(crate) fn rust_files(dir: &Path, prefix: &str) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.to_owned();
            stem.starts_with(prefix).then_some((stem, p))
        })
        .collect();
    files.sort();
    files
}

/// The workspace's crates: the directories under `crates/` with a manifest,
/// as `(package name, directory)`, sorted by name.
pub(crate) fn crates() -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(project_root().join("crates")) else {
        return Vec::new();
    };
    let mut crates: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .filter_map(|p| Some((p.file_name()?.to_str()?.to_owned(), p)))
        .collect();
    crates.sort();
    crates
}

/// Makes sure the nightly toolchain has the given components, installing the
/// missing ones with rustup; an error says what failed and what to run.
pub(crate) fn ensure_nightly_components(components: &[&str]) -> Result {
    let output = Command::new("rustup")
        .args(["component", "list", "--toolchain", "nightly", "--installed"])
        .output()
        .map_err(|e| format!("cannot run rustup: {e}; install rustup and the nightly toolchain"))?;
    if !output.status.success() {
        return Err(
            "the nightly toolchain is not installed (`rustup toolchain install nightly`)".into(),
        );
    }
    let installed = String::from_utf8_lossy(&output.stdout);
    let missing: Vec<&str> = components
        .iter()
        .copied()
        .filter(|c| {
            !installed
                .lines()
                .any(|l| l == *c || l.starts_with(&format!("{c}-")))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut cmd = Command::new("rustup");
    cmd.args(["component", "add", "--toolchain", "nightly"])
        .args(&missing);
    println!("==> installing nightly components: {}", describe(&cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run rustup: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "could not install {} for nightly ({status}); run `{}` by hand",
            missing.join(", "),
            describe(&cmd)
        )
        .into())
    }
}

/// Whether `cargo nextest` is installed.
pub(crate) fn has_nextest() -> bool {
    succeeds(cargo().args(["nextest", "--version"]))
}
