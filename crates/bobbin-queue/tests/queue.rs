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
}
