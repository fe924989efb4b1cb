//! Subclassing Thread: the Rust way
//!
//! Python programs often subclass `Thread` and put the thread's logic in
//! `run`, with the arguments stored by `__init__`. The Rust equivalent is a
//! struct that holds the arguments and implements bobbin's `Run` trait;
//! `Builder::start` runs it on a new thread. Calling `run()` yourself runs it
//! on the calling thread, as calling `t.run()` does in Python.

mod tour;

use bobbin::thread::{Builder, Run};
use log::info;
use std::collections::BTreeMap;

/// `class MyThread(threading.Thread)` with `*args` and `**kwargs`.
struct MyThread {
    args: Vec<i32>,
    kwargs: BTreeMap<&'static str, &'static str>,
}

impl Run for MyThread {
    type Output = ();

    fn run(self) {
        info!("mythread run {:?} {:?}", self.args, self.kwargs);
    }
}

fn my_thread() -> MyThread {
    MyThread {
        args: vec![1, 2, 3],
        kwargs: BTreeMap::from([("a", "b")]),
    }
}

fn main() {
    tour::init();
    // t.run(): the logic runs here, on the main thread.
    my_thread().run();
    // t.start(): the same logic on a thread of its own.
    Builder::new()
        .name("mythread")
        .start(my_thread())
        .expect("spawn")
        .join()
        .expect("mythread panicked");
}
