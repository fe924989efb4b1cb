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

/// Adds `bobbin._testing` to `parent`.
pub(crate) fn register(parent: &Bound<'_, PyModule>) -> PyResult<()> {
    let module = PyModule::new(parent.py(), "_testing")?;
    module.add_function(wrap_pyfunction!(produce, &module)?)?;
    parent.add_submodule(&module)?;
    Ok(())
}
