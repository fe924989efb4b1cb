//! bobbin: the whole of Python's `threading` and `queue` model for Rust.
//!
//! This crate is the facade. It will re-export every bobbin crate
//! (`bobbin-lock`, `bobbin-signal`, `bobbin-queue`, `bobbin-thread`) under
//! one roof, and its documentation will be the guide: the chapters of the
//! Python threading tutorial bobbin started from, rewritten in Rust, whose
//! code blocks run as doctests.
//!
//! Its content comes with the facade and tour issue; for now it is empty.

#![forbid(unsafe_code)]
