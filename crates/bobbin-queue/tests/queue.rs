//! `Queue`: CPython 3.13's `test_queue.py` cases and the shared suite
//! (timeouts, tasks, shutdown, accounting, drops), first in, first out, plus
//! a model test against a `VecDeque`-like reference.

#[macro_use]
mod common;

use bobbin_queue::Queue;
use common::Order;
use proptest::prelude::*;

tracked_suite!(Queue, Order::Fifo);

proptest! {
    #![proptest_config(common::model_config("tests/queue.proptest-regressions"))]

    #[test]
    fn agrees_with_a_model(maxsize in 0usize..5, ops in common::ops()) {
        common::check_model::<Queue<u8>>(Order::Fifo, maxsize, &ops)?;
    }

    #[test]
    fn agrees_with_a_model_with_ops_on_two_threads(
        maxsize in 0usize..5,
        ops in common::two_threads_ops(),
    ) {
        // The first getter counts its gets and task_dones on its own; the
        // other thread's (for items either took, or still queued) must
        // count the same as Python's.
        common::check_model_on_two_threads::<Queue<u8>>(Order::Fifo, maxsize, &ops)?;
    }
}

/// A bound whose ring would take more than 4 MiB gets linked blocks and a
/// slot count instead; it must bound, block and wake exactly like a ring.
#[test]
fn a_bound_too_large_to_preallocate_bounds_blocks_and_wakes() {
    type Big = [u64; 1024]; // 8 KiB: 600 slots are more than 4 MiB
    const BOUND: usize = 600;
    let q: Queue<Big> = Queue::bounded(BOUND);
    for i in 0..BOUND as u64 {
        q.try_put([i; 1024]).unwrap();
    }
    assert!(q.is_full());
    assert!(q.try_put([0; 1024]).unwrap_err().is_full());
    assert!(
        q.put_timeout([0; 1024], std::time::Duration::from_millis(5))
            .unwrap_err()
            .is_full()
    );
    let per_producer: u64 = if cfg!(miri) { 20 } else { 2000 };
    let received: Vec<u64> = std::thread::scope(|s| {
        let producers: Vec<_> = (0..2u64)
            .map(|p| {
                let q = &q;
                s.spawn(move || {
                    for i in 0..per_producer {
                        q.put([BOUND as u64 + p * per_producer + i; 1024]).unwrap();
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut got = Vec::new();
                    for item in &q {
                        assert!(item.iter().all(|&x| x == item[0]));
                        got.push(item[0]);
                    }
                    got
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        q.shutdown();
        consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    });
    let mut received = received;
    received.sort_unstable();
    assert_eq!(
        received,
        (0..BOUND as u64 + 2 * per_producer).collect::<Vec<_>>()
    );
}
