//! `cargo xtask demo`: the seed tour, chapter by chapter.
//!
//! The tour is the Python threading tutorial bobbin started from, redone in
//! Rust. Its chapters are the guide's pages, `docs/guide/NN_topic.md`, in
//! file-name order. A chapter with a program (`crates/bobbin/examples/NN_*.rs`)
//! is run under a header with the chapter's title, the program's first `//!`
//! line; a prose chapter (1 and 18) prints its page's title and "In short"
//! section instead. The examples are built once, in
//! release mode, and then run directly, so that the tour's time is the
//! examples' own.
//!
//! The examples shorten the tutorial's sleeps and timers tenfold (keeping
//! their ratios); `--real-time` runs them at the tutorial's own pace (the
//! examples read `BOBBIN_REAL_TIME`). Any other argument keeps only the
//! chapters whose file name contains it (`cargo xtask demo 05 queue`). The
//! task fails if any chapter fails or outlives its time limit.

use crate::util::{self, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The environment variable the examples read to run at the tutorial's pace.
const REAL_TIME_VAR: &str = "BOBBIN_REAL_TIME";

/// How long one chapter may run before the tour calls it hung. The slowest
/// chapter takes a few seconds at the shortened pace and about twenty at
/// the tutorial's.
const CHAPTER_LIMIT: Duration = Duration::from_secs(30);
const CHAPTER_LIMIT_REAL_TIME: Duration = Duration::from_secs(120);

/// One chapter of the tour (and of the guide, which `cargo xtask docs`
/// lists from the same pages).
pub(crate) struct Chapter {
    /// The chapter's number, from its file name.
    pub(crate) number: u32,
    /// The file stem of the guide page, `05_daemon`.
    pub(crate) stem: String,
    /// The chapter's title: its program's first `//!` line, or for a prose
    /// chapter its page's first `# ` heading.
    pub(crate) title: String,
    /// The page itself.
    page: PathBuf,
    /// The example's name (its file stem), if the chapter has one.
    example: Option<String>,
}

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

    let root = util::project_root();
    let chapters: Vec<Chapter> = chapters(&root)?
        .into_iter()
        .filter(|c| filters.is_empty() || filters.iter().any(|f| c.stem.contains(f.as_str())))
        .collect();
    if chapters.is_empty() {
        return Err("no chapter matches the filter".into());
    }

    if chapters.iter().any(|c| c.example.is_some()) {
        let mut build = util::cargo();
        build.args(["build", "--release", "-p", "bobbin", "--examples"]);
        println!("==> building the tour: {}", util::describe(&build));
        let status = build.status()?;
        if !status.success() {
            return Err(format!("building the tour's examples failed ({status})").into());
        }
    }
    let examples_dir = target_dir()?.join("release").join("examples");
    let limit = if real_time {
        CHAPTER_LIMIT_REAL_TIME
    } else {
        CHAPTER_LIMIT
    };

    let start = Instant::now();
    let mut failed = Vec::new();
    for chapter in &chapters {
        println!("\n=== Chapter {}: {} ===", chapter.number, chapter.title);
        let Some(example) = &chapter.example else {
            print!("{}", in_short(&chapter.page)?);
            continue;
        };
        let mut cmd = Command::new(examples_dir.join(example));
        cmd.current_dir(&root);
        if real_time {
            cmd.env(REAL_TIME_VAR, "1");
        } else {
            cmd.env_remove(REAL_TIME_VAR);
        }
        let began = Instant::now();
        let outcome = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", examples_dir.join(example).display()))
            .and_then(|child| wait_with_limit(child, limit));
        match outcome {
            Ok(()) => println!("--- {example}: ok in {}", util::secs(began.elapsed())),
            Err(why) => {
                println!("!!! {example} FAILED: {why}");
                failed.push(example.clone());
            }
        }
    }

    let plural = if chapters.len() == 1 { "" } else { "s" };
    println!(
        "\n{} chapter{plural} in {}",
        chapters.len(),
        util::secs(start.elapsed())
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("chapters failed: {}", failed.join(", ")).into())
    }
}

/// The tour's chapters: the guide's `NN_*.md` pages in order, each with its
/// example when there is one.
pub(crate) fn chapters(root: &Path) -> Result<Vec<Chapter>> {
    let guide = root.join("docs").join("guide");
    let examples = util::rust_files(&root.join("crates").join("bobbin").join("examples"), "");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&guide)
        .map_err(|e| format!("cannot read {}: {e}", guide.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    let mut chapters = Vec::new();
    for page in pages {
        let Some(stem) = page.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
            continue;
        };
        let digits: String = stem.chars().take_while(char::is_ascii_digit).collect();
        let Ok(number) = digits.parse::<u32>() else {
            continue; // the guide's index, not a chapter
        };
        let text = std::fs::read_to_string(&page)
            .map_err(|e| format!("cannot read {}: {e}", page.display()))?;
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .ok_or_else(|| format!("{} has no `# ` title", page.display()))?
            .trim()
            .to_owned();
        let prefix = format!("{digits}_");
        let example = examples.iter().find(|(name, _)| name.starts_with(&prefix));
        // A chapter with a program is titled by the program's first `//!`
        // line (the tour's tests check that it is the page's title too).
        let title = example
            .and_then(|(_, path)| std::fs::read_to_string(path).ok())
            .and_then(|source| {
                let first = source
                    .lines()
                    .next()?
                    .strip_prefix("//!")?
                    .trim()
                    .to_owned();
                (!first.is_empty()).then_some(first)
            })
            .unwrap_or(title);
        let example = example.map(|(name, _)| name.clone());
        chapters.push(Chapter {
            number,
            stem,
            title,
            page,
            example,
        });
    }
    Ok(chapters)
}

/// A prose chapter's "In short" section, as plain text: its lines up to the
/// next heading, with Markdown links reduced to their text and tables
/// aligned in columns.
fn in_short(page: &Path) -> Result<String> {
    let text = std::fs::read_to_string(page)?;
    let mut lines = text.lines().skip_while(|l| l.trim() != "## In short");
    if lines.next().is_none() {
        return Err(format!("{} has no `## In short` section", page.display()).into());
    }
    let mut out = String::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    for line in lines.take_while(|l| !l.starts_with('#')) {
        let line = plain(line);
        if line.starts_with('|') {
            table.push(cells(&line));
            continue;
        }
        out.push_str(&align(&std::mem::take(&mut table)));
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&align(&table));
    Ok(out.trim_matches('\n').to_owned() + "\n")
}

/// The cells of a Markdown table row, trimmed.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

/// A Markdown table's rows as text in aligned columns; the `|---|` row
/// becomes a rule under the header.
fn align(rows: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().count();
    let is_rule = |row: &Vec<String>| {
        row.iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
    };
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows.iter().filter(|r| !is_rule(r)) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, w) in widths.iter().enumerate() {
            let cell = row.get(i).map(String::as_str).unwrap_or("");
            if is_rule(row) {
                line.push_str(&"-".repeat(*w));
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(w - width(cell)));
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A Markdown line as plain text: `[text](target)` becomes `text`, and
/// `**bold**` loses its stars.
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|close| {
            let target = &after[close + 2..];
            target.find(')').map(|end| (close, close + 2 + end + 1))
        });
        match link {
            Some((close, consumed)) => {
                out.push_str(&rest[..open]);
                out.push_str(&after[..close]);
                rest = &after[consumed..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("**", "")
}

/// Waits for a chapter's process, killing it if it outlives `limit`.
fn wait_with_limit(mut child: Child, limit: Duration) -> std::result::Result<(), String> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("it exited with {status}")),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("still running after {}", util::secs(limit)));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("cannot wait for it: {e}")),
        }
    }
}

/// The workspace's target directory, as cargo reports it (it honours
/// `CARGO_TARGET_DIR` and `build.target-dir`).
fn target_dir() -> Result<PathBuf> {
    let out = util::cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()?;
    if !out.status.success() {
        return Err("`cargo metadata` failed".into());
    }
    let json = String::from_utf8_lossy(&out.stdout);
    let key = "\"target_directory\":\"";
    let start = json
        .find(key)
        .ok_or("`cargo metadata` printed no target directory")?
        + key.len();
    let end = json[start..]
        .find('"')
        .ok_or("`cargo metadata` printed a malformed target directory")?;
    // JSON escapes a backslash (Windows paths) as two.
    Ok(PathBuf::from(
        json[start..start + end].replace("\\\\", "\\"),
    ))
}

#[cfg(test)]
mod tests {
    use super::{align, cells, plain};

    #[test]
    fn tables_line_up() {
        let rows: Vec<_> = ["| a | long header |", "|---|---|", "| wide cell | b |"]
            .iter()
            .map(|r| cells(r))
            .collect();
        assert_eq!(
            align(&rows),
            "a          long header\n---------  -----------\nwide cell  b\n"
        );
    }

    #[test]
    fn links_become_their_text() {
        assert_eq!(
            plain("| Event | [`Event`](crate::Event) | [11](super::ch11_event) |"),
            "| Event | `Event` | 11 |"
        );
        assert_eq!(plain("a [b] c"), "a [b] c");
        assert_eq!(plain("**bold** [x](y"), "bold [x](y");
    }
}
