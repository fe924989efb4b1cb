//! The guide: a Python threading tutorial, redone in Rust, chapter by chapter.
//!
//! Each chapter shows the Python, the Rust that does the same with bobbin, and
//! what it prints. Every Rust block in these pages is a doctest, and every
//! chapter but the two prose ones has a program under
//! `crates/bobbin/examples/` that `cargo xtask demo` runs in order.

#[doc = include_str!("../../../docs/guide/01_concurrency.md")]
pub mod ch01_concurrency {}
