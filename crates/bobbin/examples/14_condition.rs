//! Condition: wait for a state, notify waiters
//!
//! A `Condition` is a waiting room attached to a lock: `wait(&mut guard)`
//! releases the lock while the thread waits and takes it back before
//! returning, and `notify(n)` / `notify_all()` wake waiters. One producer
//! makes four items; three consumers each log what they get.
//!
//! - With `notify_all()` every consumer sees every item.
//! - With `notify(1)` one consumer sees each item, in turn.
//!
//! The tutorial's version has two flaws, both fixed here:
//!
//! - Its consumers wait for the notification alone. A consumer that is not
//!   waiting yet when the producer notifies misses the item, so what it
//!   prints depends on timing. Here the shared state says what happened (a
//!   sequence number, or an item to take) and the consumers wait in a loop
//!   until the state changes; the producer also waits, on a second
//!   condition, until all three consumers are back in the waiting room
//!   before it publishes the next item.
//! - After its last item the producer sets a stop flag but notifies nobody,
//!   so the consumers sleep in `wait()` forever and the program never ends.
//!   Here the producer notifies after setting the flag.

mod tour;

use bobbin::thread::Builder;
use bobbin::{Condition, Event, Lock, LockGuard};
use log::info;
use std::sync::Arc;

const CONSUMERS: usize = 3;
const ITEMS: usize = 4;

/// What the producer and the consumers share, behind one lock.
#[derive(Default)]
struct State {
    /// The last item published (`notify_all`) or the item waiting to be
    /// taken (`notify(1)`).
    item: Option<u64>,
    /// How many items have been published.
    published: u64,
    /// The producer is done; the consumers should leave.
    done: bool,
    /// How many consumers are waiting for the next item.
    waiting: usize,
}

#[derive(Default)]
struct Model {
    state: Lock<State>,
    /// Consumers wait here for an item.
    item_ready: Condition,
    /// The producer waits here for every consumer to be waiting again.
    consumer_ready: Condition,
    /// Paces the producer, as the tutorial's `event.wait(1)` does.
    pace: Event,
}

#[derive(Copy, Clone)]
enum Notify {
    All,
    One,
}

impl Model {
    fn consumer(&self, notify: Notify) {
        let mut state = self.state.acquire();
        let mut seen = 0;
        loop {
            state.waiting += 1;
            self.consumer_ready.notify_all();
            match notify {
                // Each consumer looks at every item: wait for a new one.
                Notify::All => {
                    while state.published == seen && !state.done {
                        self.item_ready.wait(&mut state);
                    }
                }
                // One consumer takes each item: wait for one to take.
                Notify::One => {
                    while state.item.is_none() && !state.done {
                        self.item_ready.wait(&mut state);
                    }
                }
            }
            state.waiting -= 1;
            if state.done {
                return;
            }
            seen = state.published;
            let item = match notify {
                Notify::All => state.item,
                Notify::One => state.item.take(),
            };
            info!("{}", item.expect("an item was published"));
        }
    }

    /// The state, locked once every consumer is back in the waiting room
    /// (Python's `wait_for`, the loop on the state written for us).
    fn all_consumers_waiting(&self) -> LockGuard<'_, State> {
        let mut state = self.state.acquire();
        self.consumer_ready
            .wait_for(&mut state, |s| s.waiting == CONSUMERS, None);
        state
    }

    fn producer(&self, notify: Notify) {
        for _ in 0..ITEMS {
            let data = tour::randint(0, 100);
            info!("{data}");
            let mut state = self.all_consumers_waiting();
            state.item = Some(data);
            state.published += 1;
            match notify {
                Notify::All => self.item_ready.notify_all(),
                Notify::One => self.item_ready.notify(1),
            };
            drop(state);
            self.pace.wait_timeout(tour::secs(1.0));
        }
        // The fix: tell the consumers, who are all waiting, that it is over.
        let mut state = self.all_consumers_waiting();
        state.done = true;
        self.item_ready.notify_all();
    }
}

fn run(notify: Notify) {
    let model = Arc::new(Model::default());
    let mut threads = Vec::new();
    for i in 0..CONSUMERS {
        let m = Arc::clone(&model);
        let t = Builder::new()
            .name(format!("Consumer-{i}"))
            .spawn(move || m.consumer(notify))
            .expect("spawn");
        threads.push(t);
    }
    let m = Arc::clone(&model);
    let producer = Builder::new()
        .name("Producer")
        .spawn(move || m.producer(notify))
        .expect("spawn");
    threads.push(producer);
    for t in threads {
        t.join().expect("a thread panicked");
    }
}

fn main() {
    tour::init();
    info!("--- notify_all: every consumer sees every item");
    run(Notify::All);
    info!("--- notify(1): one consumer per item");
    run(Notify::One);
    info!("--- every consumer has left: the program ends");
}
