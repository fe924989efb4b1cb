//! Passing arguments to a thread
//!
//! Python hands a thread its arguments as `args=(1, 2, 3)` and
//! `kwargs={'a': 'b'}`. A Rust thread runs a closure, and the closure's
//! captures are its arguments: a tuple for the positional ones, and a struct
//! (or a map, to print like Python) for the named ones.

mod tour;

use log::info;
use std::collections::BTreeMap;

/// Named arguments as a struct: the compiler checks every name and type.
#[derive(Debug)]
struct Options {
    a: &'static str,
}

fn worker(args: (i32, i32, i32), kwargs: BTreeMap<&'static str, &'static str>) {
    tour::sleep(1.0);
    info!("{args:?}");
    info!("{kwargs:?}");
}

fn worker_with_options(args: &[i32], options: Options) {
    info!("args {args:?}, options {options:?}, a = {}", options.a);
}

fn main() {
    tour::init();

    // threading.Thread(target=worker, args=(1, 2, 3), kwargs={'a': 'b'}).start()
    let args = (1, 2, 3);
    let kwargs = BTreeMap::from([("a", "b")]);
    let t = bobbin::thread::spawn(move || worker(args, kwargs)).expect("spawn");
    t.join().expect("the worker panicked");

    // The same call with the named arguments as a struct.
    let options = Options { a: "b" };
    bobbin::thread::spawn(move || worker_with_options(&[1, 2, 3], options))
        .expect("spawn")
        .join()
        .expect("the worker panicked");
}
