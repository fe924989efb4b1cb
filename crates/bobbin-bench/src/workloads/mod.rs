//! Every workload of issue 8's table, in its order, and Python's worker
//! loop (`get` + `task_done`, issue 16) for every tracked queue.
//!
//! Each implementation checks its own result (a counter reached its target,
//! the sum received equals the sum sent, one leader per generation) and
//! panics otherwise, so that no implementation can win by doing less.

mod lock;
mod queue;
mod signal;
mod thread;
mod worker;

pub(crate) use thread::cores;

use crate::harness::Workload;

/// Every workload, in the order of the report.
pub(crate) fn all() -> Vec<Workload> {
    vec![
        lock::lock_uncontended(),
        lock::lock_contended(2),
        lock::lock_contended(4),
        lock::rlock_uncontended(),
        signal::event_pingpong(),
        signal::condition_pingpong(),
        signal::semaphore_4t(),
        signal::barrier_2t(),
        queue::queue_spsc_bounded(),
        queue::queue_mpmc_2p2c(),
        queue::queue_spsc_unbounded(),
        queue::lifo_spsc(),
        queue::priority_spsc(),
        worker::worker_bounded(),
        worker::worker_unbounded(),
        worker::worker_lifo(),
        worker::worker_priority(),
        thread::spawn_join(),
        thread::gil_cpu_scaling(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::Kind;

    /// Runs every implementation once with a few operations, so that each
    /// one's self-check runs (and a wrong count or sum fails here).
    #[test]
    fn every_implementation_does_all_its_work() {
        for workload in all() {
            let ops = (workload.ops / 2_000).clamp(10, 2_000);
            for imp in &workload.impls {
                let took = (imp.run)(ops);
                assert!(
                    took > std::time::Duration::ZERO,
                    "{}: {}",
                    workload.name,
                    imp.name
                );
            }
        }
    }

    #[test]
    fn names_are_unique_and_every_workload_has_a_peer() {
        let workloads = all();
        for (i, w) in workloads.iter().enumerate() {
            assert!(
                workloads[..i].iter().all(|o| o.name != w.name),
                "{}",
                w.name
            );
            for (j, imp) in w.impls.iter().enumerate() {
                assert!(
                    w.impls[..j].iter().all(|o| o.name != imp.name),
                    "{}",
                    imp.name
                );
            }
            assert!(w.impls.iter().any(|i| i.kind == Kind::Peer), "{}", w.name);
        }
    }
}
