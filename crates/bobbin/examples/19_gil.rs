//! The GIL: threads and CPU-bound work
//!
//! CPython runs one thread's bytecode at a time (the global interpreter
//! lock), so splitting a CPU-bound job over threads does not make it finish
//! sooner. Rust threads run on every core at once. This program splits one
//! job (summing `k * k % 7` for `k` below a bound) over 1, 2, … N threads,
//! N being the machine's cores, and prints each run's time and speedup over
//! one thread.
//!
//! The job's size is calibrated so that one thread takes about two seconds
//! at the tutorial's pace (a fifth of one at the tour's), whatever the
//! machine and build; each configuration runs three times and the best time
//! counts. Threads can only run in parallel on cores that are free: on a
//! machine busy with other work the speedup shrinks, so the program also
//! prints the load average where the system reports one.

mod tour;

use log::info;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The job on one slice of the range: what each thread runs.
fn partial_sum(lo: u64, hi: u64) -> u64 {
    let mut sum = 0u64;
    // `black_box` keeps the optimiser from replacing the loop by a formula,
    // which would leave nothing to measure.
    for k in black_box(lo)..black_box(hi) {
        sum = sum.wrapping_add(k.wrapping_mul(k) % 7);
    }
    sum
}

/// Runs the job over `0..n` on `threads` bobbin threads; returns the sum
/// and the wall time.
fn run(n: u64, threads: u64) -> (u64, Duration) {
    let step = n / threads;
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|i| {
            let lo = i * step;
            let hi = if i == threads - 1 { n } else { lo + step };
            bobbin::thread::Builder::new()
                .name(format!("cpu-{i}"))
                .spawn(move || partial_sum(lo, hi))
                .expect("spawn")
        })
        .collect();
    let sum = workers
        .into_iter()
        .map(|t| t.join().expect("a worker panicked"))
        .fold(0u64, u64::wrapping_add);
    (sum, start.elapsed())
}

/// The job size that one thread finishes in about `target`.
fn calibrate(target: Duration) -> u64 {
    let mut n = 1u64 << 16;
    loop {
        let (_, took) = run(n, 1);
        if took >= Duration::from_millis(20) || n >= 1 << 40 {
            let per_item = took.as_secs_f64() / n as f64;
            return ((target.as_secs_f64() / per_item) as u64).max(n);
        }
        n *= 4;
    }
}

/// The one-minute load average, on systems that publish it in
/// `/proc/loadavg` (Linux).
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

fn main() {
    tour::init();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let n = calibrate(tour::secs(2.0));
    info!("summing k * k % 7 for k below {n}, on 1 to {cores} threads");
    if let Some(load) = load_average() {
        info!("load average {load} on {cores} cores (other work shares them)");
    }

    let mut one_thread = None;
    let mut expected = None;
    for threads in 1..=cores {
        let (sum, best) = (0..3)
            .map(|_| run(n, threads))
            .min_by_key(|&(_, took)| took)
            .expect("three runs");
        assert_eq!(*expected.get_or_insert(sum), sum, "every split must agree");
        let base = *one_thread.get_or_insert(best);
        info!(
            "{threads} thread(s): {:.3} s, speedup {:.2}x",
            best.as_secs_f64(),
            base.as_secs_f64() / best.as_secs_f64()
        );
    }
    info!("CPython 3.13 with its GIL, the same job on 2 threads: 0.95x (see the guide)");
}
