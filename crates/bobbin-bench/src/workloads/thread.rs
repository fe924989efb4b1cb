//! The thread workloads: `spawn_join` and `gil_cpu_scaling`.

use crate::harness::{Impl, Scale, Workload, share, timed};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Spawn a thread and join it, one after another.
pub(crate) fn spawn_join() -> Workload {
    Workload {
        name: "spawn_join",
        op: "thread",
        scale: Scale::Micros,
        about: "Spawn a thread that returns a number, join it, add the result; one \
                thread at a time. The sum must match.",
        ops: 5_000,
        impls: vec![
            Impl::bobbin("bobbin_thread::spawn + join", bobbin_spawn_join),
            Impl::peer("std::thread::spawn + join", std_spawn_join),
        ],
    }
}

/// The xorshift iterations in one unit of the CPU-bound job; the CPython
/// script runs the same job.
pub(crate) const UNIT_ITERATIONS: u64 = 2_000;

/// The number of threads the scaling job runs on: one per core.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// A CPU-bound job split across one thread per core, against one thread.
pub(crate) fn gil_cpu_scaling() -> Workload {
    let all = |family: &str| -> &'static str {
        Box::leak(format!("{family}, {} threads", cores()).into_boxed_str())
    };
    Workload {
        name: "gil_cpu_scaling",
        op: "unit of work",
        scale: Scale::Nanos,
        about: "n units of a CPU-bound job (2,000 xorshift steps each) split across one \
                thread per core, against the same job on one thread; the speedup is the \
                one-thread time over the all-cores time. Every unit must be counted.",
        ops: 20_000,
        impls: vec![
            Impl::bobbin(all("bobbin"), bobbin_scaling_all),
            Impl::peer(all("std"), std_scaling_all),
            Impl::reference("bobbin, 1 thread", bobbin_scaling_one),
            Impl::reference("std, 1 thread", std_scaling_one),
        ],
    }
}

/// Runs `spawn_join(i)` (start a thread returning `i`, join it) for every
/// `i` below `ops`, one after another, and checks the sum of the results.
fn spawn_join_each(ops: u64, spawn_join: impl Fn(u64) -> u64) -> Duration {
    let mut sum = 0;
    let took = timed(|| {
        for i in 0..ops {
            sum += spawn_join(i);
        }
    });
    assert_eq!(
        sum,
        ops * ops.saturating_sub(1) / 2,
        "every thread must run"
    );
    took
}

fn bobbin_spawn_join(ops: u64) -> Duration {
    spawn_join_each(ops, |i| {
        bobbin_thread::spawn(move || black_box(i))
            .expect("the thread starts")
            .join()
            .expect("the thread does not panic")
    })
}

fn std_spawn_join(ops: u64) -> Duration {
    spawn_join_each(ops, |i| {
        std::thread::spawn(move || black_box(i))
            .join()
            .expect("the thread does not panic")
    })
}

/// One unit of the CPU-bound job: `UNIT_ITERATIONS` steps of xorshift64
/// from `seed`.
pub(crate) fn unit(seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..UNIT_ITERATIONS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// Runs `ops` units on `threads` threads started by `spawn`, counting the
/// units done.
pub(crate) fn scaling(
    ops: u64,
    threads: usize,
    spawn: impl Fn(Box<dyn FnOnce() + Send>) -> Box<dyn FnOnce()>,
) -> Duration {
    let done = std::sync::Arc::new(AtomicU64::new(0));
    let took = timed(|| {
        let joins: Vec<_> = (0..threads)
            .map(|t| {
                let done = std::sync::Arc::clone(&done);
                spawn(Box::new(move || {
                    let n = share(ops, threads, t);
                    for i in 0..n {
                        black_box(unit(black_box(i)));
                    }
                    done.fetch_add(n, Ordering::Relaxed);
                }))
            })
            .collect();
        for join in joins {
            join();
        }
    });
    assert_eq!(done.load(Ordering::Relaxed), ops, "every unit must be done");
    took
}

fn bobbin_spawn(f: Box<dyn FnOnce() + Send>) -> Box<dyn FnOnce()> {
    let thread = bobbin_thread::spawn(f).expect("the thread starts");
    Box::new(move || thread.join().expect("the job does not panic"))
}

fn bobbin_scaling_all(ops: u64) -> Duration {
    scaling(ops, cores(), bobbin_spawn)
}

fn bobbin_scaling_one(ops: u64) -> Duration {
    scaling(ops, 1, bobbin_spawn)
}

fn std_spawn(f: Box<dyn FnOnce() + Send>) -> Box<dyn FnOnce()> {
    let handle = std::thread::spawn(f);
    Box::new(move || handle.join().expect("the job does not panic"))
}

fn std_scaling_all(ops: u64) -> Duration {
    scaling(ops, cores(), std_spawn)
}

fn std_scaling_one(ops: u64) -> Duration {
    scaling(ops, 1, std_spawn)
}
