//! Timer: run a function later
//!
//! A `Timer` is a thread that waits for an interval and then calls a
//! function, unless `cancel()` came first. Two timers of three seconds start
//! together; after two seconds the first is cancelled, so only the second
//! (`t2`) runs its function.
//!
//! `cancel()` returns whether it came in time, which Python's does not say.
//! The cancel comes a whole second (a tenth of one, at the tour's pace)
//! before t1 is due; a timer is about time, and that margin is the story.

mod tour;

use bobbin::thread::Builder;
use log::info;

fn worker() {
    info!("worker running");
}

fn main() {
    tour::init();
    info!("start");
    let t1 = Builder::new()
        .name("t1")
        .timer(tour::secs(3.0), worker)
        .expect("spawn");
    let t2 = Builder::new()
        .name("t2")
        .timer(tour::secs(3.0), worker)
        .expect("spawn");
    tour::sleep(2.0);
    info!("canceling {}", t1.name());
    let in_time = t1.cancel();
    info!("end (cancelled in time: {in_time})");
    t1.join().expect("t1 panicked");
    t2.join().expect("t2 panicked");
}
