//! RLock: a lock its owner may take again
//!
//! A plain `Lock` taken twice by one thread waits for itself (chapter 12).
//! An `RLock` remembers its owner and counts: the owner may acquire it again
//! at once, and it is free when every acquisition has been released. Other
//! threads wait as for a plain lock.
//!
//! The typical use is a method that holds the lock and calls another method
//! that takes it too. An `RLock<T>`'s guards share the data (several of
//! them may be alive in one thread), so the data goes in a `RefCell` to be
//! changed.

mod tour;

use bobbin::RLock;
use log::info;
use std::cell::RefCell;
use std::sync::Arc;

#[derive(Default)]
struct Inventory {
    items: RLock<RefCell<Vec<String>>>,
}

impl Inventory {
    fn add(&self, item: &str) {
        let items = self.items.acquire();
        items.borrow_mut().push(item.to_owned());
        info!(
            "add {item}: recursion_count = {}",
            self.items.recursion_count()
        );
    }

    /// Holds the lock across several `add` calls, each of which takes it
    /// again: with a plain Lock this would wait forever.
    fn add_all(&self, items: &[&str]) {
        let _all = self.items.acquire();
        for item in items {
            self.add(item);
        }
    }
}

fn main() {
    tour::init();
    let rlock = Arc::new(RLock::new(()));
    let first = rlock.acquire();
    let second = rlock.acquire();
    info!(
        "acquired twice: recursion_count = {}, is_owned = {}",
        rlock.recursion_count(),
        rlock.is_owned()
    );

    let other = Arc::clone(&rlock);
    bobbin::thread::spawn(move || {
        info!(
            "another thread: locked = {}, is_owned = {}, try_acquire = {:?}",
            other.locked(),
            other.is_owned(),
            other.try_acquire().map(|_| "acquired")
        );
    })
    .expect("spawn")
    .join()
    .expect("the other thread panicked");

    drop(second);
    info!(
        "released once: recursion_count = {}",
        rlock.recursion_count()
    );
    drop(first);
    info!("released twice: locked = {}", rlock.locked());

    let inventory = Inventory::default();
    inventory.add_all(&["needle", "thread", "bobbin"]);
    info!("inventory: {:?}", inventory.items.acquire().borrow());
}
