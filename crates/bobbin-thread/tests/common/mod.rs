//! Helpers the test binaries share.

#![allow(dead_code)] // Each test binary uses a different part.

use bobbin_signal::Event;
use bobbin_thread::{Builder, Thread};
use std::sync::Arc;

/// Spawns a thread that blocks until the returned Event is set: a thread
/// that is certainly alive for as long as the test wants.
pub(crate) fn spawn_blocked(builder: Builder) -> (Thread<()>, Arc<Event>) {
    let release = Arc::new(Event::new());
    let wait = Arc::clone(&release);
    let thread = builder
        .spawn(move || {
            wait.wait();
        })
        .unwrap();
    (thread, release)
}
