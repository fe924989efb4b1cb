//! Naming threads
//!
//! `Builder::name` is Python's `name=` argument. The logger prints each
//! line with the name of the thread that wrote it, as Python's
//! `%(threadName)s` does; bobbin also gives the name to the operating
//! system's thread, so debuggers and `top -H` show it (Linux keeps the
//! first 15 bytes).
//!
//! Names need not be unique; a thread's `ident()` is. A thread made
//! without a name is `Thread-N`, numbered when it is made (Python's
//! `Thread()`), so its name can be read before it starts; the main thread
//! is `MainThread`.

mod tour;

use bobbin::thread::Builder;
use log::info;

fn worker(num: usize) {
    tour::sleep(1.0);
    info!("worker-{num}");
}

fn main() {
    tour::init();
    info!(
        "the main thread is called {}",
        bobbin::thread::current_thread().name()
    );
    for i in 0..5 {
        Builder::new()
            .name(format!("workerthread-{i}"))
            .spawn(move || worker(i))
            .expect("spawn");
    }
    let unnamed = Builder::new();
    info!(
        "made without a name, before it starts: {}",
        unnamed.thread_name()
    );
    let unnamed = unnamed.spawn(|| info!("no name given")).expect("spawn");
    info!("an unnamed thread is called {}", unnamed.name());
}
