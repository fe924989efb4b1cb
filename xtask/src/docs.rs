//! `cargo xtask docs`: the API docs of every published crate, the guide
//! (the facade's crate docs), and one index page that links them.
//!
//! Only the crates a user depends on are documented: not the benchmarks
//! (`publish = false`) nor `xtask`. rustdoc merges its crate list and search
//! index with whatever an earlier run left in the same directory (`cargo xtask
//! ci` documents every crate, to check their docs), so these docs go to a
//! directory of their own, `target/user-docs/doc`. Stable rustdoc writes no
//! `index.html` there, so after `cargo doc` this task writes one: the
//! guide's chapters, then the crates, the facade first, each with its
//! description. Every page of one `cargo doc` run shares one search index, so
//! typing a Python name (`put_nowait`, `notify_all`) in any page's search
//! finds the Rust item that carries it as a `#[doc(alias)]`. The task checks
//! that: it collects every alias written in the crates' sources, adds the
//! Python names the guide promises, and fails if one is missing from the
//! index.

use crate::demo::Chapter;
use crate::util::{self, Result, Steps};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Python `threading` and `queue` names that a search of the docs must find,
/// whether an item has the name itself (`notify_all`) or carries it as an
/// alias (`put_nowait`): the names the guide and the README promise.
const PYTHON_NAMES: &[&str] = &[
    "active_count",
    "current_thread",
    "enumerate",
    "excepthook",
    "get_ident",
    "get_native_id",
    "main_thread",
    "stack_size",
    "is_alive",
    "native_id",
    "locked",
    "wait_for",
    "notify_all",
    "is_set",
    "n_waiting",
    "BrokenBarrierError",
    "BoundedSemaphore",
    "LifoQueue",
    "PriorityQueue",
    "SimpleQueue",
    "qsize",
    "put_nowait",
    "get_nowait",
    "task_done",
    "shutdown",
];

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return Err(format!("`cargo xtask docs` takes no arguments (got `{arg}`)").into());
    }
    let root = util::project_root();
    let target_dir = root.join("target").join("user-docs");
    let mut steps = Steps::new("docs", 1);
    let mut doc = util::cargo();
    doc.env("RUSTDOCFLAGS", "-D warnings")
        .args(["doc", "--workspace", "--no-deps", "--exclude", "xtask"])
        .arg("--target-dir")
        .arg(&target_dir);
    for (name, _) in unpublished_crates() {
        doc.args(["--exclude", &name]);
    }
    steps.run("doc", &mut doc)?;
    let doc_dir = target_dir.join("doc");
    let index = doc_dir.join("index.html");
    let chapters = crate::demo::chapters(&root)?;
    std::fs::write(&index, index_page(&chapters, &doc_dir))
        .map_err(|e| format!("cannot write {}: {e}", index.display()))?;
    steps.summary();

    let mut names = aliases();
    let alias_count = names.len();
    names.extend(PYTHON_NAMES.iter().map(|n| (*n).to_owned()));
    names.sort();
    names.dedup();
    let missing = missing_from_index(&doc_dir, &names)?;
    if !missing.is_empty() {
        return Err(format!(
            "these Python names are not in the docs' search index: {}",
            missing.join(", ")
        )
        .into());
    }
    println!(
        "\nsearch: {} Python names are in the search index ({alias_count} given as \
         #[doc(alias)], the rest as item names)",
        names.len()
    );
    println!("\nOpen the docs at:\n  {}", index.display());
    Ok(())
}

/// The workspace's crates whose manifest says `publish = false` (the
/// benchmarks): no user depends on them, so their pages stay out of the
/// docs.
fn unpublished_crates() -> Vec<(String, PathBuf)> {
    util::crates()
        .into_iter()
        .filter(|(_, dir)| !is_published(&dir.join("Cargo.toml")))
        .collect()
}

/// Whether a manifest lets its crate be published (no `publish = false`).
fn is_published(manifest: &Path) -> bool {
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    !text
        .lines()
        .any(|l| l.split_whitespace().collect::<String>() == "publish=false")
}

/// The index page: the guide's chapters and every published crate rustdoc
/// documented.
fn index_page(chapters: &[Chapter], doc_dir: &Path) -> String {
    let mut crates: Vec<(String, PathBuf)> = util::crates()
        .into_iter()
        .filter(|(_, dir)| is_published(&dir.join("Cargo.toml")))
        .collect();
    // The facade (and its guide) first, then the crates in layer order.
    let order = [
        "bobbin",
        "bobbin-thread",
        "bobbin-queue",
        "bobbin-signal",
        "bobbin-lock",
        "bobbin-park",
    ];
    crates.sort_by_key(|(name, _)| order.iter().position(|o| o == name).unwrap_or(order.len()));

    let mut crate_items = String::new();
    for (name, dir) in &crates {
        let ident = name.replace('-', "_");
        if !doc_dir.join(&ident).join("index.html").is_file() {
            continue;
        }
        let description = description(&dir.join("Cargo.toml")).unwrap_or_default();
        let _ = writeln!(
            crate_items,
            "    <li><a href=\"{ident}/index.html\"><code>{name}</code></a> — {}</li>",
            escape(&description)
        );
    }

    let mut chapter_items = String::new();
    for chapter in chapters {
        let page = format!("bobbin/guide/ch{}/index.html", chapter.stem);
        if !doc_dir.join(&page).is_file() {
            continue;
        }
        let _ = writeln!(
            chapter_items,
            "    <li value=\"{}\"><a href=\"{page}\">{}</a></li>",
            chapter.number,
            escape(&chapter.title)
        );
    }

    format!(
        "<!DOCTYPE html>
<html lang=\"en\">
<head>
  <meta charset=\"utf-8\">
  <title>bobbin — API docs and guide</title>
  <style>
    body {{ font-family: sans-serif; max-width: 50em; margin: 2em auto; line-height: 1.5; }}
    li {{ margin: 0.3em 0; }}
  </style>
</head>
<body>
  <h1>bobbin</h1>
  <p>Python's <code>threading</code> and <code>queue</code> for Rust. Every
  item with a Python counterpart carries its Python name as a search alias:
  type <code>put_nowait</code> or <code>notify_all</code> in the search box of
  any crate's page.</p>
  <h2>The guide</h2>
  <p>A Python threading tutorial redone in Rust, chapter by chapter (the
  documentation of the <a href=\"bobbin/index.html\"><code>bobbin</code></a>
  facade; <code>cargo xtask demo</code> runs its programs). Start at
  <a href=\"bobbin/guide/index.html\">the guide's contents</a>.</p>
  <ol>
{chapter_items}  </ol>
  <h2>The crates</h2>
  <ul>
{crate_items}  </ul>
</body>
</html>
"
    )
}

/// Every name given as `#[doc(alias = "…")]` or `#[doc(alias("…", …))]` in
/// the sources of the workspace's crates, sorted, once each.
fn aliases() -> Vec<String> {
    let mut files = Vec::new();
    for (_, dir) in util::crates() {
        collect_files(&dir.join("src"), &mut files);
    }
    let mut names = Vec::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|x| x == "rs"))
    {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in text.lines() {
            let line = line.trim();
            // Attributes only, not doc comments that mention them.
            let Some(rest) = line.strip_prefix("#[doc(alias") else {
                continue;
            };
            names.extend(quoted(rest));
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The `"…"` strings of an attribute's tail.
fn quoted(s: &str) -> Vec<String> {
    s.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

/// The names that appear nowhere in the search index's name tables.
///
/// Recent rustdoc writes the index as a directory, `search.index/`, with the
/// item and alias names in files apart from the descriptions (`desc/`), which
/// are skipped so that a name merely mentioned in a doc comment does not
/// count. Older rustdoc writes one `search-index*.js`, searched whole.
fn missing_from_index(doc_dir: &Path, names: &[String]) -> Result<Vec<String>> {
    let mut files = Vec::new();
    let index_dir = doc_dir.join("search.index");
    if index_dir.is_dir() {
        for entry in std::fs::read_dir(&index_dir)?.filter_map(|e| e.ok()) {
            let path = entry.path();
            if path.file_name().is_some_and(|n| n == "desc") {
                continue;
            }
            if path.is_dir() {
                collect_files(&path, &mut files);
            } else {
                files.push(path);
            }
        }
    }
    for entry in std::fs::read_dir(doc_dir)?.filter_map(|e| e.ok()) {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with("search-index") {
            files.push(entry.path());
        }
    }
    if files.is_empty() {
        return Err(format!("no search index under {}", doc_dir.display()).into());
    }
    let mut text = String::new();
    for file in files {
        text.push_str(&std::fs::read_to_string(&file).unwrap_or_default());
    }
    Ok(names
        .iter()
        .filter(|name| !text.contains(name.as_str()))
        .cloned()
        .collect())
}

/// Every file under `dir`, recursively.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The `description = "…"` line of a manifest.
fn description(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("description = \""))
        .map(|rest| rest.trim_end_matches('"').to_owned())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::{is_published, missing_from_index, quoted, unpublished_crates};

    #[test]
    fn the_benchmarks_are_the_unpublished_crate() {
        let names: Vec<String> = unpublished_crates().into_iter().map(|c| c.0).collect();
        assert_eq!(names, ["bobbin-bench"]);
        let dir = std::env::temp_dir().join(format!("xtask-publish-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = dir.join("Cargo.toml");
        std::fs::write(&manifest, "[package]\nname = \"x\"\npublish = false\n").unwrap();
        assert!(!is_published(&manifest));
        std::fs::write(&manifest, "[package]\nname = \"x\"\n").unwrap();
        assert!(is_published(&manifest));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_name_only_in_descriptions_is_missing() {
        let dir = std::env::temp_dir().join(format!("xtask-docs-{}", std::process::id()));
        let index = dir.join("search.index");
        std::fs::create_dir_all(index.join("name")).unwrap();
        std::fs::create_dir_all(index.join("desc")).unwrap();
        std::fs::write(index.join("name").join("a.js"), "rd_(\"jput_nowait\")").unwrap();
        std::fs::write(index.join("desc").join("b.js"), "rd_(\"mentions ghost\")").unwrap();
        let names = ["put_nowait".to_owned(), "ghost".to_owned()];
        let missing = missing_from_index(&dir, &names).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(missing, ["ghost"]);
    }

    #[test]
    fn aliases_in_both_spellings() {
        assert_eq!(quoted(r#" = "put_nowait")]"#), ["put_nowait"]);
        assert_eq!(
            quoted(r#"("notify_all", "notifyAll"))]"#),
            ["notify_all", "notifyAll"]
        );
    }
}
