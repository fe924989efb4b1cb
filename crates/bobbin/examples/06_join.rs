//! Waiting for a thread: join
//!
//! `join()` waits until a thread has finished, daemon or not, so joining
//! worker2 makes the program wait for its "stopping" line too.
//! `join_timeout` is Python's `join(timeout)`: it gives up after the
//! timeout. Python's `join` returns `None` either way and leaves the question
//! to `is_alive()`; `join_timeout` returns whether the thread finished, and
//! keeps the handle, so the thread can still be joined later.
//!
//! Worker2 has a second and a half of its sleep left when main's half-second
//! join gives up. So that a busy machine cannot change that, the workers
//! also wait, before they stop, for an Event that main sets once it has
//! looked at worker2.

mod tour;

use bobbin::Event;
use bobbin::thread::Builder;
use log::info;
use std::sync::Arc;

fn worker(looked: &Event) {
    info!("starting");
    tour::sleep(2.0);
    looked.wait();
    info!("stopping");
}

fn main() {
    tour::init();
    let looked = Arc::new(Event::new());
    info!("starting");
    let l = Arc::clone(&looked);
    let t1 = Builder::new()
        .name("worker1")
        .daemon(false)
        .spawn(move || worker(&l))
        .expect("spawn");
    tour::sleep(1.0);
    let l = Arc::clone(&looked);
    let t2 = Builder::new()
        .name("worker2")
        .daemon(true)
        .spawn(move || worker(&l))
        .expect("spawn");

    // join(timeout=0.5): worker2 has more than a second to go.
    let finished = t2.join_timeout(tour::secs(0.5));
    info!(
        "join_timeout(0.5 s) on worker2: finished = {finished}, is_alive() = {}",
        t2.is_alive()
    );
    looked.set();

    info!("stopping");
    // `join` consumes its handle; these registry handles outlive it.
    let (r1, r2) = (t1.thread().clone(), t2.thread().clone());
    t1.join().expect("worker1 panicked");
    t2.join().expect("worker2 panicked");
    info!(
        "both joined: worker1 alive = {}, worker2 alive = {}",
        r1.is_alive(),
        r2.is_alive()
    );
}
