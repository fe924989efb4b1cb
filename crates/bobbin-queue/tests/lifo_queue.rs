//! `LifoQueue`: CPython 3.13's `test_queue.py` cases and the shared suite
//! (timeouts, tasks, shutdown, accounting, drops), last in, first out, plus
//! a model test against a stack.

#[macro_use]
mod common;

use bobbin_queue::LifoQueue;
use common::Order;
use proptest::prelude::*;

tracked_suite!(LifoQueue, Order::Lifo);

proptest! {
    #![proptest_config(common::model_config("tests/lifo_queue.proptest-regressions"))]

    #[test]
    fn agrees_with_a_model(maxsize in 0usize..5, ops in common::ops()) {
        common::check_model::<LifoQueue<u8>>(Order::Lifo, maxsize, &ops)?;
    }
}
