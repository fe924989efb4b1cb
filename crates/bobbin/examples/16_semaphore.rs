//! Semaphore: a fixed number of slots
//!
//! A `Semaphore` counts free slots: `acquire()` takes one, waiting while
//! there is none, and returns a permit that gives it back when dropped. A
//! pool of two connections is shared by three workers: two get one at once,
//! the third waits until one is returned.
//!
//! The two first workers hold their connections for a random 1–3 seconds.
//! So that the third worker is certain to find the pool empty (rather than
//! arriving after someone has finished), the holders also wait until the
//! pool has turned someone away before they start their work.

mod tour;

use bobbin::thread::Builder;
use bobbin::{Event, Lock, Semaphore, SemaphoreGuard};
use log::info;
use std::sync::Arc;

struct Pool {
    conns: Lock<Vec<String>>,
    sem: Semaphore,
    /// Set when a worker found no free connection and has to wait.
    turned_away: Event,
}

/// A connection on loan, with the permit that reserves it.
struct Conn<'a> {
    name: String,
    _permit: SemaphoreGuard<'a>,
}

impl Pool {
    fn new(num: usize) -> Pool {
        Pool {
            conns: Lock::new((0..num).map(|i| format!("connect-{i}")).collect()),
            sem: Semaphore::new(num),
            turned_away: Event::new(),
        }
    }

    fn get_connect(&self) -> Conn<'_> {
        let permit = match self.sem.try_acquire() {
            Some(permit) => permit,
            None => {
                info!("no free connection: waiting");
                self.turned_away.set();
                self.sem.acquire()
            }
        };
        let name = self
            .conns
            .acquire()
            .pop()
            .expect("a permit means a free connection");
        Conn {
            name,
            _permit: permit,
        }
    }

    fn return_connect(&self, conn: Conn<'_>) {
        // Log before the permit goes back, so that this line comes before
        // the waiting worker's "get connect".
        info!("return connect {}", conn.name);
        self.conns.acquire().insert(0, conn.name);
        // Dropping the permit frees the slot and wakes the waiting worker.
    }
}

fn worker(pool: &Pool) {
    info!("starting");
    let conn = pool.get_connect();
    info!("get connect {}", conn.name);
    pool.turned_away.wait();
    let t = tour::randint(1, 3);
    tour::sleep(t as f64);
    info!("takes {t}s");
    pool.return_connect(conn);
}

fn main() {
    tour::init();
    let pool = Arc::new(Pool::new(2));
    let workers: Vec<_> = (0..3)
        .map(|i| {
            let p = Arc::clone(&pool);
            Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || worker(&p))
                .expect("spawn")
        })
        .collect();
    for t in workers {
        t.join().expect("a worker panicked");
    }
    info!("all connections back: {:?}", pool.conns.acquire());
}
