//! `--hog`: the cores kept busy while the benchmarks run.
//!
//! Python programs routinely run more threads than there are cores (the
//! tour runs five workers on two), so a waiting strategy that spins well on
//! an idle machine must not lose when every core is taken. A [`Hog`] runs one
//! CPU-bound thread per core, at the benchmarks' own priority, from before
//! the first workload to after the last: every implementation, bobbin's and
//! the peers' alike, shares the cores with it, so ratios stay comparable.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// Busy threads, one per core, until dropped.
#[derive(Debug)]
pub(crate) struct Hog {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<u64>>,
}

impl Hog {
    /// Starts `threads` busy threads.
    pub(crate) fn start(threads: usize) -> Hog {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..threads)
            .map(|i| {
                let stop = Arc::clone(&stop);
                std::thread::Builder::new()
                    .name(format!("hog-{i}"))
                    .spawn(move || spin(&stop, i as u64))
                    .expect("cannot start a hog thread")
            })
            .collect();
        Hog { stop, threads }
    }
}

impl Drop for Hog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            // A hog thread only computes; it cannot panic.
            let _ = thread.join();
        }
    }
}

/// Computes (a linear congruential generator) until `stop` is set, looking
/// at the flag every few thousand steps, and returns the last value so that
/// the work is not optimised away.
fn spin(stop: &AtomicBool, seed: u64) -> u64 {
    let mut x = seed | 1;
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..4096 {
            x = black_box(
                x.wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407),
            );
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hog_runs_its_threads_until_dropped() {
        let hog = Hog::start(2);
        assert_eq!(hog.threads.len(), 2);
        assert!(hog.threads.iter().all(|t| !t.is_finished()));
        drop(hog);
    }
}
