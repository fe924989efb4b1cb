//! Listing live threads: enumerate
//!
//! `enumerate()` lists the threads alive at the moment of the call: the main
//! thread, every bobbin thread from its start until its body returns, and
//! any thread bobbin did not start that has asked for its `current_thread()`
//! (a "dummy" thread, as Python calls it). `active_count()` is its length.

mod tour;

use bobbin::Event;
use bobbin::thread::Builder;
use log::info;
use std::sync::Arc;

fn main() {
    tour::init();
    let release = Arc::new(Event::new());

    let mut workers = Vec::new();
    for (name, daemon) in [("worker1", false), ("worker2", true)] {
        let release = Arc::clone(&release);
        let t = Builder::new()
            .name(name)
            .daemon(daemon)
            .spawn(move || {
                release.wait();
            })
            .expect("spawn");
        workers.push(t);
    }

    for t in bobbin::thread::enumerate() {
        info!(
            "{} ident={} daemon={} alive={}",
            t.name(),
            t.ident(),
            t.is_daemon(),
            t.is_alive()
        );
    }
    info!("active_count() = {}", bobbin::thread::active_count());

    release.set();
    for t in workers {
        t.join().expect("a worker panicked");
    }
    let names: Vec<String> = bobbin::thread::enumerate()
        .iter()
        .map(|t| t.name().to_owned())
        .collect();
    info!("after both joined: {names:?}");
}
