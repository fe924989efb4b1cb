//! `cargo xtask docs`: the API docs of every crate, the guide (the facade's
//! crate docs), and one index page that links them.
//!
//! Stable rustdoc writes no `target/doc/index.html`, so after `cargo doc`
//! this task writes one: a list of the workspace's crates, the facade first,
//! each with its description. Every page shares one search index, so typing a
//! Python name (`put_nowait`, `notify_all`) in any page's search finds the
//! Rust item that carries it as a `#[doc(alias)]`.

use crate::util::{self, Result, Steps};
use std::fmt::Write as _;
use std::path::Path;

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return Err(format!("`cargo xtask docs` takes no arguments (got `{arg}`)").into());
    }
    let mut steps = Steps::new("docs", 1);
    steps.run(
        "doc",
        util::cargo()
            .env("RUSTDOCFLAGS", "-D warnings")
            .args(["doc", "--workspace", "--no-deps"]),
    )?;
    let doc_dir = util::project_root().join("target").join("doc");
    let index = doc_dir.join("index.html");
    std::fs::write(&index, index_page(&doc_dir))
        .map_err(|e| format!("cannot write {}: {e}", index.display()))?;
    steps.summary();
    println!("\nOpen the docs at:\n  {}", index.display());
    Ok(())
}

/// The index page: a link to every crate that rustdoc documented.
fn index_page(doc_dir: &Path) -> String {
    let mut crates = util::crates();
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

    let mut items = String::new();
    for (name, dir) in &crates {
        let ident = name.replace('-', "_");
        if !doc_dir.join(&ident).join("index.html").is_file() {
            continue;
        }
        let description = description(&dir.join("Cargo.toml")).unwrap_or_default();
        let _ = writeln!(
            items,
            "    <li><a href=\"{ident}/index.html\"><code>{name}</code></a> — {}</li>",
            escape(&description)
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
    li {{ margin: 0.4em 0; }}
  </style>
</head>
<body>
  <h1>bobbin</h1>
  <p>Python's <code>threading</code> and <code>queue</code> for Rust.
  The guide (the seed tour, chapter by chapter) is the documentation of the
  <a href=\"bobbin/index.html\"><code>bobbin</code></a> facade. Every item with
  a Python counterpart carries its Python name as a search alias: search for
  <code>put_nowait</code> or <code>notify_all</code> in any crate's page.</p>
  <ul>
{items}  </ul>
</body>
</html>
"
    )
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
