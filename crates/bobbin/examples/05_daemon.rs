//! Daemon and non-daemon threads
//!
//! When `main` returns, the program waits for its non-daemon threads and
//! abandons its daemon threads where they stand, as Python's interpreter
//! does. `worker1` (non-daemon) sleeps two seconds and its "stopping" line
//! appears after main's; `worker2` (daemon) starts a second later and is
//! still asleep when the program ends, so its "stopping" never appears.
//!
//! The tutorial relies on worker1's two seconds outlasting main's one. Here
//! worker1 also waits for an Event that main sets after its last line, so
//! main's "stopping" comes first however the threads are scheduled.
//! Worker2's fate is the one thing left to time, as it is in Python: it has
//! a full second of sleep left (a tenth of one, at the tour's pace) when the
//! program ends.

mod tour;

use bobbin::Event;
use bobbin::thread::Builder;
use log::info;
use std::sync::Arc;

fn worker(main_done: &Event) {
    info!("starting");
    tour::sleep(2.0);
    main_done.wait();
    info!("stopping");
}

fn main() {
    tour::init();
    let main_done = Arc::new(Event::new());

    info!("starting");
    let done = Arc::clone(&main_done);
    Builder::new()
        .name("worker1")
        .daemon(false)
        .spawn(move || worker(&done))
        .expect("spawn");
    tour::sleep(1.0);
    let done = Arc::clone(&main_done);
    Builder::new()
        .name("worker2")
        .daemon(true)
        .spawn(move || worker(&done))
        .expect("spawn");
    info!("stopping");
    main_done.set();
    // Returning waits for worker1 only; worker2 is abandoned mid-sleep.
}
