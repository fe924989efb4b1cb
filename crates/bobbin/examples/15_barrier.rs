//! Barrier: meet, then go on together
//!
//! A `Barrier` for n parties holds every thread that calls `wait()` until
//! the n-th arrives, then releases them all; each gets a distinct arrival
//! index in `0..n`. Three workers meet at a barrier for three.
//!
//! `abort()` breaks a barrier: every thread waiting on it, and every thread
//! that arrives later, gets `BrokenBarrierError` instead of an index. With a
//! barrier for four and only three workers, the main thread gives up and
//! aborts it, and all three workers see it broken.
//!
//! In the tutorial the workers happen to arrive one after another, and main
//! happens to abort while all three wait. Here main starts each worker only
//! once the previous one is waiting, and aborts once all three are, by
//! watching `n_waiting()`, which is exact: a Barrier has no "someone arrived"
//! signal to wait on, so main checks every millisecond.

mod tour;

use bobbin::Barrier;
use bobbin::thread::Builder;
use log::info;
use std::sync::Arc;
use std::time::Duration;

fn worker(barrier: &Barrier) {
    info!("waiting for barrier with {} others", barrier.n_waiting());
    match barrier.wait() {
        Ok(index) => info!("after barrier {index}"),
        Err(broken) => info!("aborting ({broken})"),
    }
}

/// Returns once `n` threads are waiting at the barrier.
fn until_waiting(barrier: &Barrier, n: usize) {
    while barrier.n_waiting() < n {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Starts `count` workers, each once the previous one waits at the barrier
/// (the last one may pass it at once, when it completes the party).
fn start_workers(barrier: &Arc<Barrier>, count: usize) -> Vec<bobbin::thread::Thread<()>> {
    (0..count)
        .map(|i| {
            until_waiting(barrier, i);
            let b = Arc::clone(barrier);
            Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || worker(&b))
                .expect("spawn")
        })
        .collect()
}

fn main() {
    tour::init();
    info!("--- three workers, a barrier for three");
    let barrier = Arc::new(Barrier::new(3));
    for t in start_workers(&barrier, 3) {
        t.join().expect("a worker panicked");
    }

    info!("--- three workers, a barrier for four, aborted");
    let barrier = Arc::new(Barrier::new(4));
    let workers = start_workers(&barrier, 3);
    // The fourth party will never come: give up once the three wait.
    until_waiting(&barrier, 3);
    barrier.abort();
    for t in workers {
        t.join().expect("a worker panicked");
    }
    info!("broken = {}", barrier.is_broken());
}
