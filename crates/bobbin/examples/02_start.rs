//! Starting threads
//!
//! The tutorial starts five threads that each sleep a second and print
//! `worker-N`, and never joins them. In Python the program still waits for
//! them: the interpreter joins every non-daemon thread when the main module
//! ends. bobbin does the same when `main` returns, so this program needs no
//! `join` either.
//!
//! Python's `print` writes the text and the newline as two writes, so the
//! tutorial's output came out tangled (`worker-0worker-1…`). Every line here
//! is written by the logger in one piece, so lines never mix; which worker
//! wakes first still changes from run to run.

mod tour;

use log::info;

fn worker(num: usize) {
    tour::sleep(1.0);
    info!("worker-{num}");
}

fn main() {
    tour::init();
    for i in 0..5 {
        // `move` copies `i` into the closure: the thread's `args=(i,)`.
        bobbin::thread::spawn(move || worker(i)).expect("the OS refused a thread");
    }
    // No join: returning from main waits for the five non-daemon workers.
}
