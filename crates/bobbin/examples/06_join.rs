//! Waiting for a thread: join
//!
//! `join()` waits until a thread has finished, daemon or not, so joining
//! worker2 makes the program wait for its "stopping" line too.
//! `join_timeout` is Python's `join(timeout)`: it gives up after the
//! timeout. Python's `join` returns `None` either way and leaves the question
//! to `is_alive()`; `join_timeout` returns whether the thread finished, and
//! keeps the handle, so the thread can still be joined later.

mod tour;

use bobbin::thread::Builder;
use log::info;

fn worker() {
    info!("starting");
    tour::sleep(2.0);
    info!("stopping");
}

fn main() {
    tour::init();
    info!("starting");
    let t1 = Builder::new()
        .name("worker1")
        .daemon(false)
        .spawn(worker)
        .expect("spawn");
    tour::sleep(1.0);
    let t2 = Builder::new()
        .name("worker2")
        .daemon(true)
        .spawn(worker)
        .expect("spawn");

    // join(timeout=0.5): worker2 has more than a second to go.
    let finished = t2.join_timeout(tour::secs(0.5));
    info!(
        "join_timeout(0.5 s) on worker2: finished = {finished}, is_alive() = {}",
        t2.is_alive()
    );

    info!("stopping");
    t1.join().expect("worker1 panicked");
    t2.join().expect("worker2 panicked");
    info!("both joined: worker1 alive = false, worker2 alive = false");
}
