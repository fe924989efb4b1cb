//! Queue: hand items between threads
//!
//! A `Queue` carries items from producers to consumers with the locking
//! built in: `put` adds an item, `get` takes the oldest, waiting while the
//! queue is empty. Four scenes:
//!
//! 1. The tutorial's producer and consumer. Its consumer loops on
//!    `q.get()` until an event is set, but a consumer blocked in `get()`
//!    never looks at the event again, so the Python program never ends (and
//!    the snippet also forgets to import `logging`). Here the producer calls
//!    `shutdown()` when it stops, which wakes the consumer with
//!    `GetError::ShutDown` once the queue is drained.
//! 2. `LifoQueue` gives the newest item first, `PriorityQueue` the smallest.
//! 3. `task_done()` and `join()`: the main thread waits until every item
//!    put has been processed.
//! 4. `shutdown_immediate()` hands back the items nobody took, and a `put`
//!    after a shutdown gives its item back in the error.

mod tour;

use bobbin::Event;
use bobbin::queue::{GetError, LifoQueue, PriorityQueue, Queue};
use bobbin::thread::Builder;
use log::info;
use std::sync::Arc;

fn producer_consumer() {
    let q = Arc::new(Queue::new(0));
    let stop = Arc::new(Event::new());

    let (cq, pq, ps) = (Arc::clone(&q), Arc::clone(&q), Arc::clone(&stop));
    let consumer = Builder::new()
        .name("Consumer")
        .spawn(move || {
            loop {
                match cq.get() {
                    Ok(data) => info!("{data}"),
                    Err(GetError::ShutDown) => break,
                    Err(other) => panic!("unexpected {other}"),
                }
            }
            info!("the queue is shut down and empty: done");
        })
        .expect("spawn");
    let producer = Builder::new()
        .name("Producer")
        .spawn(move || {
            while !ps.wait_timeout(tour::secs(3.0)) {
                let data = tour::randint(1, 100);
                info!("{data}");
                pq.put(data).expect("the queue is open");
            }
            pq.shutdown();
        })
        .expect("spawn");

    tour::sleep(10.0);
    stop.set();
    producer.join().expect("the producer panicked");
    consumer.join().expect("the consumer panicked");
}

fn orders() {
    let lifo = LifoQueue::new(0);
    let prio = PriorityQueue::new(0);
    for (rank, word) in [(3, "low"), (1, "high"), (2, "middle")] {
        lifo.put(word).expect("open");
        prio.put((rank, word)).expect("open");
    }
    let lifo_order: Vec<_> = (0..3).map(|_| lifo.get().expect("an item")).collect();
    let prio_order: Vec<_> = (0..3).map(|_| prio.get().expect("an item")).collect();
    info!("put low, high, middle; LifoQueue gives {lifo_order:?}");
    info!("PriorityQueue gives {prio_order:?}");
}

fn task_done_and_join() {
    let q = Arc::new(Queue::new(0));
    for job in 1..=6 {
        q.put(job).expect("open");
    }
    let workers: Vec<_> = (0..2)
        .map(|i| {
            let q = Arc::clone(&q);
            Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    while let Ok(job) = q.get() {
                        tour::sleep(0.5);
                        info!("job {job} done");
                        q.task_done().expect("one task_done per get");
                    }
                })
                .expect("spawn")
        })
        .collect();
    q.join();
    info!("join() returned: every job is done");
    q.shutdown();
    for t in workers {
        t.join().expect("a worker panicked");
    }
}

fn shutdown_immediate() {
    let q = Queue::new(0);
    for item in ["a", "b", "c"] {
        q.put(item).expect("open");
    }
    let left = q.shutdown_immediate();
    info!("shutdown_immediate() handed back {left:?}");
    match q.put("d") {
        Ok(()) => unreachable!("the queue is shut down"),
        Err(err) => {
            let why = err.to_string();
            info!(
                "put after shutdown: {why}, item {:?} handed back",
                err.into_inner()
            );
        }
    }
    info!("get after shutdown: {:?}", q.get());
}

fn main() {
    tour::init();
    info!("--- producer and consumer");
    producer_consumer();
    info!("--- LIFO and priority order");
    orders();
    info!("--- task_done and join");
    task_done_and_join();
    info!("--- shutdown");
    shutdown_immediate();
}
