//! Lock: one thread at a time
//!
//! A `Lock` lets one thread at a time into the code it guards. In bobbin the
//! lock owns the data it protects (`Lock<i64>` here), `acquire()` returns a
//! guard that derefs to it, and dropping the guard releases the lock, on
//! every path, panics included: the `try`/`finally` of the tutorial is
//! built in.
//!
//! Three scenes:
//!
//! 1. The tutorial's Counter, incremented by two threads and decremented by
//!    three, each after a random pause: the updates never interfere.
//! 2. The tutorial's second Counter takes the lock with `acquire()` and then
//!    again with `with self.lock:`. A `Lock` is not reentrant, so in Python
//!    the first update waits for itself forever. The same mistake here fails
//!    fast: `try_acquire()` returns `None` and `acquire_timeout` gives up.
//! 3. Python's `acquire(blocking=False)` and `acquire(timeout=…)` are
//!    `try_acquire()` and `acquire_timeout(…)`, tried from a second thread
//!    while the main thread holds the lock.

mod tour;

use bobbin::thread::Builder;
use bobbin::{Event, Lock};
use log::info;
use std::sync::Arc;

#[derive(Default)]
struct Counter {
    value: Lock<i64>,
}

impl Counter {
    fn inc(&self) -> i64 {
        let mut value = self.value.acquire();
        *value += 1;
        *value
    }

    fn dec(&self) -> i64 {
        let mut value = self.value.acquire();
        *value -= 1;
        *value
    }

    /// The tutorial's mistake: the lock is taken, then taken again. With
    /// `acquire()` the second take would never return; the non-blocking and
    /// timed forms report it instead.
    fn inc_taking_the_lock_twice(&self) {
        let mut value = self.value.acquire();
        match self.value.try_acquire() {
            Some(_) => unreachable!("a Lock is not reentrant"),
            None => info!("second acquire, blocking=False: None (acquire() would wait forever)"),
        }
        match self.value.acquire_timeout(tour::secs(0.5)) {
            Some(_) => unreachable!("a Lock is not reentrant"),
            None => info!("second acquire, timeout=0.5: gave up"),
        }
        // The fix is to take it once.
        *value += 1;
        info!("taken once, updated: {}", *value);
    }
}

fn counter() {
    let c = Arc::new(Counter::default());
    let mut threads = Vec::new();
    for (name, inc) in [
        ("inc_worker-0", true),
        ("inc_worker-1", true),
        ("dec_worker-0", false),
        ("dec_worker-1", false),
        ("dec_worker-2", false),
    ] {
        let c = Arc::clone(&c);
        let t = Builder::new()
            .name(name)
            .spawn(move || {
                let pause = tour::random();
                info!("sleeping-{pause}");
                tour::sleep(pause);
                let now = if inc { c.inc() } else { c.dec() };
                info!("cur_value:{now}");
            })
            .expect("spawn");
        threads.push(t);
    }
    for t in threads {
        t.join().expect("a worker panicked");
    }
    info!(
        "final value: {} (two increments, three decrements)",
        *c.value.acquire()
    );
}

fn blocking_false_and_timeout() {
    let lock = Arc::new(Lock::new(()));
    let gave_up = Arc::new(Event::new());
    let held = lock.acquire();
    let (l, g) = (Arc::clone(&lock), Arc::clone(&gave_up));
    let t = Builder::new()
        .name("other")
        .spawn(move || {
            info!(
                "try_acquire() while main holds it: {:?}",
                l.try_acquire().map(|_| "acquired")
            );
            let timed = l.acquire_timeout(tour::secs(1.0));
            info!("acquire_timeout(1 s): {:?}", timed.map(|_| "acquired"));
            g.set();
            let later = l.acquire_timeout(tour::secs(10.0));
            info!(
                "acquire_timeout(10 s) after main let go: {:?}",
                later.map(|_| "acquired")
            );
        })
        .expect("spawn");
    gave_up.wait();
    info!("releasing");
    drop(held);
    t.join().expect("the other thread panicked");
}

fn main() {
    tour::init();
    info!("--- the Counter");
    counter();
    info!("--- the Counter that takes its lock twice");
    Counter::default().inc_taking_the_lock_twice();
    info!("--- blocking=False and timeout");
    blocking_false_and_timeout();
}
