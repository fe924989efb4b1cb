//! Event: one thread signals, others wait
//!
//! An `Event` is a flag threads can wait on: `set()` raises it and wakes
//! every waiter, `clear()` lowers it, `wait()` blocks until it is raised and
//! `wait_timeout(t)` gives up after `t`, returning whether the flag is set.
//!
//! Three scenes from the tutorial:
//!
//! 1. A boss and five workers. Each worker "sleeps" a random 1–5 seconds by
//!    waiting on the event with a timeout; the first to wake sets the event,
//!    and the boss and every other worker stop waiting at once.
//! 2. `wait_timeout` in a loop: "run run run" every three seconds until the
//!    event is set.
//! 3. A timer built on `Event::wait_timeout`, as the tutorial builds one. Its
//!    Python version calls the target while constructing the thread, so it
//!    blocks for the whole interval and cannot be cancelled; this one passes
//!    the function itself, so `start` returns at once and `cancel` works.

mod tour;

use bobbin::Event;
use bobbin::thread::{Builder, Thread};
use log::info;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn worker(event: &Event) {
    let s = tour::randint(1, 5);
    // Waiting on the event instead of sleeping lets the others cut it short.
    event.wait_timeout(tour::secs(s as f64));
    info!("sleep {s}");
    event.set();
}

fn boss(event: &Event) {
    let start = Instant::now();
    event.wait();
    info!("that boss exit takes {:?}", start.elapsed());
}

fn boss_and_workers() {
    let event = Arc::new(Event::new());
    let mut threads = Vec::new();
    let e = Arc::clone(&event);
    threads.push(
        Builder::new()
            .name("boss")
            .spawn(move || boss(&e))
            .expect("spawn"),
    );
    for i in 0..5 {
        let e = Arc::clone(&event);
        let t = Builder::new()
            .name(format!("worker-{i}"))
            .spawn(move || worker(&e))
            .expect("spawn");
        threads.push(t);
    }
    for t in threads {
        t.join().expect("a thread panicked");
    }
}

fn run_until_set() {
    let event = Arc::new(Event::new());
    let e = Arc::clone(&event);
    let t = bobbin::thread::spawn(move || {
        while !e.wait_timeout(tour::secs(3.0)) {
            info!("run run run");
        }
        info!("the event is set: stop");
    })
    .expect("spawn");
    tour::sleep(10.0);
    event.set();
    t.join().expect("the runner panicked");
}

/// The tutorial's hand-made timer, with the target passed rather than
/// called: the thread waits on the event, and runs the function only if the
/// wait timed out (nobody cancelled).
struct Timer {
    event: Arc<Event>,
    thread: Thread<()>,
}

impl Timer {
    fn start(name: &str, interval: Duration, function: impl FnOnce() + Send + 'static) -> Timer {
        let event = Arc::new(Event::new());
        let cancelled = Arc::clone(&event);
        let thread = Builder::new()
            .name(name)
            .spawn(move || {
                if !cancelled.wait_timeout(interval) {
                    function();
                }
            })
            .expect("spawn");
        Timer { event, thread }
    }

    fn cancel(&self) {
        self.event.set();
    }

    fn join(self) {
        self.thread.join().expect("the timer's function panicked");
    }
}

fn hand_made_timer() {
    let act = "hahaha";
    let begun = Instant::now();
    let fires = Timer::start("timer-1", tour::secs(5.0), move || info!("run-{act}"));
    let cancelled = Timer::start("timer-2", tour::secs(5.0), || info!("this never runs"));
    info!(
        "both timers started in {:?}: starting does not wait",
        begun.elapsed()
    );
    tour::sleep(1.0);
    info!("cancelling timer-2");
    cancelled.cancel();
    cancelled.join();
    fires.join();
}

fn main() {
    tour::init();
    info!("--- a boss and five workers");
    boss_and_workers();
    info!("--- wait_timeout in a loop");
    run_until_set();
    info!("--- a timer made from an Event");
    hand_made_timer();
}
