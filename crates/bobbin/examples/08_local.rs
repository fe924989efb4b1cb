//! Thread-local data: local
//!
//! A `Local<T>` holds one value per thread. Python's `threading.local()` is
//! an object whose attributes each thread sets for itself; reading one a
//! thread never set raises `AttributeError`, which is what the tutorial's
//! worker thread hits. In Rust every thread's value starts from the
//! initialiser given to `Local::new`, here `None`: "not set in this thread"
//! is a value to match on, not an exception.
//!
//! A plain variable captured by the worker, by contrast, is the same for
//! every thread.

mod tour;

use bobbin::thread::Local;
use log::info;
use std::sync::Arc;

fn worker(data: &str, ctx: &Local<Option<i32>>) {
    info!("{data}");
    match ctx.get() {
        Some(value) => info!("{value}"),
        None => info!("ctx has no value in this thread (Python: AttributeError)"),
    }
}

fn main() {
    tour::init();
    let ctx = Arc::new(Local::new(|| None));
    ctx.set(Some(5));
    let data = "a";

    worker(data, &ctx);
    let shared = Arc::clone(&ctx);
    bobbin::thread::spawn(move || worker(data, &shared))
        .expect("spawn")
        .join()
        .expect("the worker panicked");
}
