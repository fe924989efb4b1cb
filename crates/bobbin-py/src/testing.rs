//! `bobbin._testing`: Rust threads for the test suite to drive from
//! Python, through the public Rust API (a Rust test must not need Python,
//! so the cross-language test is a Python test that calls these).

use crate::queue::{Queue, SharedQueue};
use crate::semaphore::Event;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::Arc;

/// How many items a producer makes per hold of the GIL.
const BATCH: usize = 1000;

/// Starts `threads` Rust threads that put the ints `0..count` into `queue`
/// (thread `i` the ones equal to `i` modulo `threads`) through
/// [`SharedQueue`], making each batch of ints under the GIL and putting
/// them without it. Once every producer is done, another Rust thread calls
/// `join()` on the queue (waiting for Python's `task_done`s) and then sets
/// the returned event.
#[pyfunction]
#[pyo3(text_signature = "(queue, count, threads)")]
fn produce(queue: &Bound<'_, Queue>, count: usize, threads: usize) -> PyResult<Event> {
    let shared: Arc<SharedQueue> = queue
        .get()
        .shared()
        .ok_or_else(|| PyValueError::new_err("a PriorityQueue has no Rust side"))?;
    let threads = threads.max(1);
    let done = Event::new();
    let joined = done.shared();
    let producers: Vec<_> = (0..threads)
        .map(|first| {
            let shared = Arc::clone(&shared);
            bobbin_thread::Builder::new()
                .name(format!("rust-producer-{first}"))
                .daemon(true)
                .spawn(move || {
                    let mine: Vec<usize> = (first..count).step_by(threads).collect();
                    for chunk in mine.chunks(BATCH) {
                        let items: Vec<Py<PyAny>> = Python::attach(|py| {
                            chunk
                                .iter()
                                .map(|n| n.into_pyobject(py).expect("an int").into_any().unbind())
                                .collect()
                        });
                        for item in items {
                            shared.put(item).expect("the queue is not shut down");
                        }
                    }
                })
        })
        .collect::<Result<_, _>>()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    bobbin_thread::Builder::new()
        .name("rust-joiner")
        .daemon(true)
        .spawn(move || {
            for producer in producers {
                producer.join().expect("a producer panicked");
            }
            shared.join();
            joined.set();
        })
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(done)
}

/// Starts a Rust thread that holds the Rust sides of `source` and `sink`
/// and, once the returned event is set, moves one item from `source` to
/// `sink`: so a test can check what the garbage collector leaves of an
/// item that only Rust will get.
#[pyfunction]
#[pyo3(text_signature = "(source, sink)")]
fn forward_later(source: &Bound<'_, Queue>, sink: &Bound<'_, Queue>) -> PyResult<Event> {
    let no_rust_side = || PyValueError::new_err("a PriorityQueue has no Rust side");
    let source = source.get().shared().ok_or_else(no_rust_side)?;
    let sink = sink.get().shared().ok_or_else(no_rust_side)?;
    let go = Event::new();
    let started = go.shared();
    bobbin_thread::Builder::new()
        .name("rust-forwarder")
        .daemon(true)
        .spawn(move || {
            started.wait();
            let item = source.get().expect("the source is not shut down");
            sink.put(item).expect("the sink is not shut down");
        })
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(go)
}

/// Adds `bobbin._testing` to `parent`.
pub(crate) fn register(parent: &Bound<'_, PyModule>) -> PyResult<()> {
    let module = PyModule::new(parent.py(), "_testing")?;
    module.add_function(wrap_pyfunction!(produce, &module)?)?;
    module.add_function(wrap_pyfunction!(forward_later, &module)?)?;
    parent.add_submodule(&module)?;
    Ok(())
}
