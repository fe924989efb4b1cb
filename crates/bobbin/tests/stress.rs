//! The cross-primitive stress harness, with a watchdog (issue 9).
//!
//! Worker threads run random operations on shared primitives for a while:
//! locks and re-entrant locks around exact counters, semaphores whose
//! permits must balance, an event, a condition with producers and consumers,
//! a barrier that is also aborted and reset, the four queues (which are also
//! shut down, gracefully or at once, and replaced), timers that are
//! cancelled or fire, and short-lived threads that are joined. Most waits
//! have random timeouts, zero included. At the end the accounting must be
//! exact: every item put was got exactly once or came back, from its failed
//! put or from `shutdown_immediate`; every permit is back; every counter
//! under a lock has the sum of its increments; every barrier generation
//! passed whole; every timer either fired or was cancelled, never both.
//!
//! A watchdog thread fails the run (the process exits with status 1) when a
//! worker makes no progress for `BOBBIN_STRESS_STALL_SECS` (10 s), after
//! printing the seed and the hang report, `bobbin_thread::thread_dump()`:
//! every thread, and what it is blocked on.
//!
//! `cargo xtask stress` runs it (`--seconds S`, default 60; `--seed N`
//! replays a run's random choices: each worker's sequence of operations is
//! the seed's, though the threads interleave anew). The knobs, from the
//! environment: `BOBBIN_STRESS_SECS` (how long, default 10 here),
//! `BOBBIN_STRESS_SEED`, `BOBBIN_STRESS` (a multiplier of the workers),
//! `BOBBIN_STRESS_STALL_SECS`; and `BOBBIN_STRESS_PLANT_HANG=1`, which makes
//! the first two workers take two locks in opposite orders (a deadlock), to
//! see the watchdog catch it and what its report looks like.

use bobbin_lock::{BoundedSemaphore, Lock, RLock, Semaphore, SemaphoreGuard};
use bobbin_park::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use bobbin_queue::{GetError, LifoQueue, PriorityQueue, PutError, Queue, SimpleQueue};
use bobbin_signal::{Barrier, Condition, Event};
use bobbin_thread::{Builder, Thread, Timer, thread_dump};
use std::cell::Cell;
use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// Permits of the shared semaphore and of the bounded one.
const PERMITS: usize = 3;
/// Parties of the shared barrier.
const PARTIES: usize = 3;
/// A worker's progress count once it has left.
const DONE: u64 = u64::MAX;
/// Timers a worker keeps running at once before it joins the oldest.
const TIMERS_PER_WORKER: usize = 8;

/// How many workers are in a wait that only another worker can end (a
/// `Duration::MAX` timeout), and how many may be at once: one fewer than
/// the workers. Were every worker in such a wait (two at the barrier of
/// three, the rest on the clear event, say), none would be left to end
/// them: a deadlock of the workload, not of bobbin, which the watchdog would
/// report as a hang. With one worker always free, its random operations
/// (sets, puts, releases, arrivals, notifications) end every such wait.
static FOREVER: AtomicUsize = AtomicUsize::new(0);
static FOREVER_LIMIT: AtomicUsize = AtomicUsize::new(0);
/// Set when the run stops: no new wait without a bound from then on, so the
/// free workers can end the last ones and every worker can leave.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Takes one of the [`FOREVER`] places, if one is free and the run goes on.
fn take_forever_place() -> bool {
    let mut n = FOREVER.load(Ordering::SeqCst);
    loop {
        if STOPPING.load(Ordering::SeqCst) || n >= FOREVER_LIMIT.load(Ordering::SeqCst) {
            return false;
        }
        match FOREVER.compare_exchange(n, n + 1, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => return true,
            Err(now) => n = now,
        }
    }
}

/// A reproducible random stream (xorshift64*), one per worker, which also
/// remembers whether its worker holds a [`FOREVER`] place.
struct Rng {
    state: u64,
    forever: bool,
}

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mixed = (seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1;
        Rng {
            state: mixed,
            forever: false,
        }
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Gives back the [`FOREVER`] place of the operation that just ended.
    fn end_of_operation(&mut self) {
        if self.forever {
            self.forever = false;
            FOREVER.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    /// A timeout for a blocking call: zero, a few microseconds or
    /// milliseconds, or none at all: `None` (an untimed call) when the
    /// caller says it is safe (a lock whose holder always lets go), else
    /// `Duration::MAX` when a [`FOREVER`] place is free (a wait only another
    /// worker can end), else a few milliseconds.
    fn timeout(&mut self, untimed_ok: bool) -> Option<Duration> {
        match self.below(10) {
            0 => Some(Duration::ZERO),
            1..=3 => Some(Duration::from_micros(self.below(200))),
            4..=8 => Some(Duration::from_micros(200 + self.below(3000))),
            _ if untimed_ok => None,
            _ if !self.forever && take_forever_place() => {
                self.forever = true;
                Some(Duration::MAX)
            }
            _ => Some(Duration::from_millis(3)),
        }
    }
}

/// An item of the queues: its id says which worker made it and when.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Item(u64);

/// Where every item went, per worker (merged at the end).
#[derive(Default)]
struct Ledger {
    /// Items whose put succeeded.
    put: Vec<u64>,
    /// Items a failed put gave back.
    returned: Vec<u64>,
    /// Items a get took.
    got: Vec<u64>,
    /// Items `shutdown_immediate` took.
    drained: Vec<u64>,
}

/// A queue behind a slot that a shutdown replaces with a fresh one; the
/// shut-down ones are kept for the final drain.
struct Slot<Q> {
    current: Lock<Arc<Q>>,
    retired: Lock<Vec<Arc<Q>>>,
}

impl<Q> Slot<Q> {
    fn new(q: Q) -> Slot<Q> {
        Slot {
            current: Lock::new(Arc::new(q)),
            retired: Lock::new(Vec::new()),
        }
    }

    fn get(&self) -> Arc<Q> {
        Arc::clone(&self.current.acquire())
    }

    /// Puts `fresh` in place of the current queue and returns the old one,
    /// which is kept for the final drain.
    fn replace(&self, fresh: Q) -> Arc<Q> {
        let old = std::mem::replace(&mut *self.current.acquire(), Arc::new(fresh));
        self.retired.acquire().push(Arc::clone(&old));
        old
    }

    fn all(&self) -> Vec<Arc<Q>> {
        let mut all = self.retired.acquire().clone();
        all.push(self.get());
        all
    }
}

/// Tokens under the condition's lock.
#[derive(Default)]
struct Tokens {
    tokens: u64,
}

/// Everything the workers share.
struct World {
    stop: AtomicBool,
    counter: Lock<u64>,
    rcounter: RLock<Cell<u64>>,
    sem: Semaphore,
    sem_in_use: AtomicUsize,
    bounded: BoundedSemaphore,
    bounded_in_use: AtomicUsize,
    event: Event,
    tokens: Lock<Tokens>,
    cond: Condition,
    barrier: Barrier,
    /// How many barrier waits returned each index.
    passes: [AtomicU64; PARTIES],
    /// How many times the barrier's action ran.
    actions: Arc<AtomicU64>,
    fifo: Slot<Queue<Item>>,
    lifo: Slot<LifoQueue<Item>>,
    priority: Slot<PriorityQueue<Item>>,
    simple: SimpleQueue<Item>,
    /// One count of finished operations per worker, for the watchdog.
    progress: Vec<AtomicU64>,
}

/// What one worker did, for the final accounting.
#[derive(Default)]
struct Tally {
    counter: u64,
    rcounter: u64,
    produced: u64,
    consumed: u64,
    ledger: Ledger,
    timers_fired: u64,
    timers_cancelled: u64,
    ops: u64,
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Writes to the real stderr, past the test harness's capture, so that the
/// seed and a hang report are seen even when the process exits.
fn say(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
    let _ = err.flush();
}

#[test]
#[ignore = "stress test: run with cargo xtask stress"]
fn stress_every_primitive_with_a_watchdog() {
    let seconds = env_u64("BOBBIN_STRESS_SECS").unwrap_or(10);
    let stall = Duration::from_secs(env_u64("BOBBIN_STRESS_STALL_SECS").unwrap_or(10));
    let workers = 8 * usize::try_from(env_u64("BOBBIN_STRESS").unwrap_or(1).max(1)).unwrap();
    FOREVER_LIMIT.store(workers - 1, Ordering::SeqCst);
    let seed = env_u64("BOBBIN_STRESS_SEED").unwrap_or_else(|| {
        let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
        now.map_or(1, |d| d.as_nanos() as u64)
    });
    say(&format!(
        "stress: seed {seed}, {workers} workers, {seconds} s \
         (replay with `cargo xtask stress --seed {seed}`)"
    ));

    let actions = Arc::new(AtomicU64::new(0));
    let world = Arc::new(World {
        stop: AtomicBool::new(false),
        counter: Lock::new(0),
        rcounter: RLock::new(Cell::new(0)),
        sem: Semaphore::new(PERMITS),
        sem_in_use: AtomicUsize::new(0),
        bounded: BoundedSemaphore::new(PERMITS),
        bounded_in_use: AtomicUsize::new(0),
        event: Event::new(),
        tokens: Lock::new(Tokens::default()),
        cond: Condition::new(),
        barrier: {
            let actions = Arc::clone(&actions);
            Barrier::new(PARTIES).with_action(move || {
                actions.fetch_add(1, Ordering::Relaxed);
            })
        },
        passes: Default::default(),
        actions,
        fifo: Slot::new(Queue::new(8)),
        lifo: Slot::new(LifoQueue::new(16)),
        priority: Slot::new(PriorityQueue::new(0)),
        simple: SimpleQueue::new(),
        progress: (0..workers).map(|_| AtomicU64::new(0)).collect(),
    });

    let watchdog = {
        let world = Arc::clone(&world);
        Builder::new()
            .name("stress-watchdog")
            .daemon(true)
            .spawn(move || watch(&world, stall, seed))
            .unwrap()
    };
    let handles: Vec<Thread<Tally>> = (0..workers)
        .map(|i| {
            let world = Arc::clone(&world);
            Builder::new()
                .name(format!("stress-worker-{i}"))
                .spawn(move || work(&world, i, Rng::new(seed, i as u64)))
                .unwrap()
        })
        .collect();

    let end = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50).min(end - Instant::now()));
    }
    STOPPING.store(true, Ordering::SeqCst);
    world.stop.store(true, Ordering::SeqCst);
    let tallies: Vec<Tally> = handles
        .into_iter()
        .map(|h| h.join().expect("a worker panicked (its report is above)"))
        .collect();
    // The watchdog sees the stop and ends.
    watchdog.join().unwrap();
    check(&world, tallies, seed);
}

/// The watchdog: fails the run if a worker's progress count stays the same
/// for `stall`, printing the seed and the hang report.
fn watch(world: &World, stall: Duration, seed: u64) {
    let mut last: Vec<(u64, Instant)> = world
        .progress
        .iter()
        .map(|p| (p.load(Ordering::Relaxed), Instant::now()))
        .collect();
    // Until every worker has left, the drain after the stop included.
    while world
        .progress
        .iter()
        .any(|p| p.load(Ordering::SeqCst) != DONE)
    {
        std::thread::sleep(Duration::from_millis(100));
        let now = Instant::now();
        for (i, (count, since)) in last.iter_mut().enumerate() {
            let current = world.progress[i].load(Ordering::SeqCst);
            if current != *count {
                (*count, *since) = (current, now);
            } else if current != DONE && now - *since > stall {
                say(&format!(
                    "\nstress: HANG: stress-worker-{i} made no progress for {:?} \
                     (seed {seed}; replay with `cargo xtask stress --seed {seed}`)\n\
                     workers in a wait without a bound: {} of at most {}; \
                     the event is {}; the barrier has {} waiting{}\n\
                     hang report (bobbin_thread::thread_dump):\n{}",
                    now - *since,
                    FOREVER.load(Ordering::SeqCst),
                    FOREVER_LIMIT.load(Ordering::SeqCst),
                    if world.event.is_set() { "set" } else { "clear" },
                    world.barrier.n_waiting(),
                    if world.barrier.is_broken() {
                        " and is broken"
                    } else {
                        ""
                    },
                    thread_dump()
                ));
                std::process::exit(1);
            }
        }
    }
}

/// One worker: random operations until the stop, then its tally.
fn work(world: &World, me: usize, mut rng: Rng) -> Tally {
    let mut tally = Tally::default();
    let mut next_item = (me as u64) << 40;
    let mut timers: Vec<(Timer, Arc<AtomicBool>, bool)> = Vec::new();
    if me < 2 && env_u64("BOBBIN_STRESS_PLANT_HANG") == Some(1) {
        plant_hang(world, me);
    }
    // After the stop, the workers go on until no worker is left in a wait
    // without a bound: theirs are what end those.
    while !(world.stop.load(Ordering::SeqCst) && FOREVER.load(Ordering::SeqCst) == 0) {
        match rng.below(100) {
            0..=9 => lock_op(world, &mut rng, &mut tally),
            10..=14 => rlock_op(world, &mut rng, &mut tally),
            15..=22 => semaphore_op(world, &mut rng),
            23..=27 => bounded_op(world, &mut rng),
            28..=33 => event_op(world, &mut rng),
            34..=43 => condition_op(world, &mut rng, &mut tally),
            44..=51 => barrier_op(world, &mut rng),
            52..=85 => queue_op(world, &mut rng, &mut tally, &mut next_item),
            86..=94 => timer_op(&mut rng, &mut tally, &mut timers),
            _ => thread_op(world, &mut rng, &mut tally),
        }
        rng.end_of_operation();
        tally.ops += 1;
        world.progress[me].fetch_add(1, Ordering::Relaxed);
    }
    world.progress[me].store(DONE, Ordering::SeqCst);
    for (timer, fired, cancelled) in timers {
        finish_timer(timer, &fired, cancelled, &mut tally);
    }
    tally
}

/// The planted bug: workers 0 and 1 take the counter's lock and the
/// re-entrant one in opposite orders, and meet at a barrier in between so
/// that the deadlock is certain.
fn plant_hang(world: &World, me: usize) {
    static BOTH_HOLD: Barrier = Barrier::new(2);
    if me == 0 {
        let _counter = world.counter.acquire();
        let _ = BOTH_HOLD.wait();
        let _rcounter = world.rcounter.acquire();
    } else {
        let _rcounter = world.rcounter.acquire();
        let _ = BOTH_HOLD.wait();
        let _counter = world.counter.acquire();
    }
}

fn lock_op(world: &World, rng: &mut Rng, tally: &mut Tally) {
    let guard = match rng.timeout(true) {
        None => Some(world.counter.acquire()),
        Some(t) => world.counter.acquire_timeout(t),
    };
    if let Some(mut guard) = guard {
        *guard += 1;
        tally.counter += 1;
        if rng.one_in(8) {
            bobbin_park::thread::yield_now();
        }
    }
}

fn rlock_op(world: &World, rng: &mut Rng, tally: &mut Tally) {
    let outer = match rng.timeout(true) {
        None => Some(world.rcounter.acquire()),
        Some(t) => world.rcounter.acquire_timeout(t),
    };
    if let Some(outer) = outer {
        outer.set(outer.get() + 1);
        // Re-entering never waits, whatever the timeout.
        let inner = world.rcounter.acquire_timeout(Duration::ZERO).unwrap();
        assert_eq!(world.rcounter.recursion_count(), 2);
        inner.set(inner.get() + 1);
        tally.rcounter += 2;
    }
}

fn semaphore_op(world: &World, rng: &mut Rng) {
    let timeout = rng.timeout(false).unwrap();
    let Some(first) = world.sem.acquire_timeout(timeout) else {
        return;
    };
    let held = world.sem_in_use.fetch_add(1, Ordering::SeqCst) + 1;
    assert!(held <= PERMITS, "{held} permits held of {PERMITS}");
    if rng.one_in(2) {
        // A second permit, and both given back at once with release(2).
        if let Some(second) = world.sem.try_acquire() {
            let held = world.sem_in_use.fetch_add(1, Ordering::SeqCst) + 1;
            assert!(held <= PERMITS, "{held} permits held of {PERMITS}");
            SemaphoreGuard::forget(first);
            SemaphoreGuard::forget(second);
            world.sem_in_use.fetch_sub(2, Ordering::SeqCst);
            world.sem.release(2).unwrap();
            return;
        }
    }
    world.sem_in_use.fetch_sub(1, Ordering::SeqCst);
    drop(first);
}

fn bounded_op(world: &World, rng: &mut Rng) {
    let timeout = rng.timeout(false).unwrap();
    if let Some(permit) = world.bounded.acquire_timeout(timeout) {
        let held = world.bounded_in_use.fetch_add(1, Ordering::SeqCst) + 1;
        assert!(held <= PERMITS, "{held} bounded permits held of {PERMITS}");
        world.bounded_in_use.fetch_sub(1, Ordering::SeqCst);
        if rng.one_in(2) {
            drop(permit);
        } else {
            // Given back by hand (Python's any-thread release).
            SemaphoreGuard::forget(permit);
            world.bounded.release(1).unwrap();
        }
    }
}

fn event_op(world: &World, rng: &mut Rng) {
    match rng.below(4) {
        0 => world.event.set(),
        1 => world.event.clear(),
        _ => {
            let timeout = rng.timeout(false).unwrap();
            let start = Instant::now();
            if !world.event.wait_timeout(timeout) {
                assert!(start.elapsed() >= timeout.min(Duration::from_secs(3600)));
            }
        }
    }
}

fn condition_op(world: &World, rng: &mut Rng, tally: &mut Tally) {
    if rng.one_in(2) {
        let mut tokens = world.tokens.acquire();
        tokens.tokens += 1;
        tally.produced += 1;
        match rng.below(3) {
            0 => {
                world.cond.notify_one();
            }
            1 => {
                world.cond.notify(usize::try_from(rng.below(3)).unwrap());
            }
            _ => {
                world.cond.notify_all();
            }
        }
    } else {
        let timeout = rng.timeout(false).unwrap();
        let mut tokens = world.tokens.acquire();
        if world
            .cond
            .wait_for(&mut tokens, |t| t.tokens > 0, Some(timeout))
        {
            tokens.tokens -= 1;
            tally.consumed += 1;
        }
    }
}

fn barrier_op(world: &World, rng: &mut Rng) {
    match rng.below(40) {
        0 => world.barrier.abort(),
        1 | 2 => world.barrier.reset(),
        _ => {
            if world.barrier.is_broken() && rng.one_in(2) {
                world.barrier.reset();
            }
            let timeout = rng.timeout(false).unwrap();
            if let Ok(index) = world.barrier.wait_timeout(timeout) {
                world.passes[index].fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

/// A new item's id.
fn fresh(next_item: &mut u64) -> u64 {
    *next_item += 1;
    *next_item
}

/// Puts, gets, task_done, joins and shutdowns on one of the four queues.
macro_rules! tracked_queue_op {
    ($slot:expr, $new:expr, $rng:expr, $tally:expr, $next_item:expr) => {{
        let q = $slot.get();
        match $rng.below(100) {
            0..=44 => {
                let id = fresh($next_item);
                let put = match $rng.timeout(false).unwrap() {
                    t if t == Duration::ZERO => q.try_put(Item(id)),
                    t => q.put_timeout(Item(id), t),
                };
                match put {
                    Ok(()) => $tally.ledger.put.push(id),
                    Err(PutError::Full(item) | PutError::ShutDown(item)) => {
                        assert_eq!(item.0, id, "a failed put gives its own item back");
                        $tally.ledger.returned.push(id);
                    }
                    Err(other) => panic!("unexpected put error {other:?}"),
                }
            }
            45..=89 => {
                let got = match $rng.timeout(false).unwrap() {
                    t if t == Duration::ZERO => q.try_get(),
                    t => q.get_timeout(t),
                };
                match got {
                    Ok(item) => {
                        $tally.ledger.got.push(item.0);
                        q.task_done().expect("a gotten item's task is open");
                    }
                    Err(GetError::Empty | GetError::ShutDown) => {}
                    Err(other) => panic!("unexpected get error {other:?}"),
                }
            }
            90..=98 => {
                let _ = q.join_timeout($rng.timeout(false).unwrap().min(Duration::from_millis(2)));
            }
            _ => {
                // Replace the queue, then shut the old one down; workers
                // still holding it drain it or see the shutdown.
                let old = $slot.replace($new);
                if $rng.one_in(2) {
                    old.shutdown();
                } else {
                    for item in old.shutdown_immediate() {
                        $tally.ledger.drained.push(item.0);
                    }
                }
            }
        }
    }};
}

fn queue_op(world: &World, rng: &mut Rng, tally: &mut Tally, next_item: &mut u64) {
    match rng.below(4) {
        0 => tracked_queue_op!(world.fifo, Queue::new(8), rng, tally, next_item),
        1 => tracked_queue_op!(world.lifo, LifoQueue::new(16), rng, tally, next_item),
        2 => tracked_queue_op!(world.priority, PriorityQueue::new(0), rng, tally, next_item),
        _ => {
            if rng.one_in(2) {
                let id = fresh(next_item);
                world.simple.put(Item(id)).unwrap();
                tally.ledger.put.push(id);
            } else {
                let got = match rng.timeout(false).unwrap() {
                    t if t == Duration::ZERO => world.simple.try_get(),
                    t => world.simple.get_timeout(t),
                };
                if let Ok(item) = got {
                    tally.ledger.got.push(item.0);
                }
            }
        }
    }
}

fn timer_op(rng: &mut Rng, tally: &mut Tally, timers: &mut Vec<(Timer, Arc<AtomicBool>, bool)>) {
    if timers.len() >= TIMERS_PER_WORKER || (!timers.is_empty() && rng.one_in(3)) {
        let at = usize::try_from(rng.below(timers.len() as u64)).unwrap();
        let (timer, fired, cancelled) = timers.swap_remove(at);
        finish_timer(timer, &fired, cancelled, tally);
        return;
    }
    let fired = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&fired);
    let interval = Duration::from_micros(rng.below(3000));
    let timer = Timer::start(interval, move || {
        assert!(!flag.swap(true, Ordering::SeqCst), "a timer fired twice");
    })
    .unwrap();
    let cancelled = rng.one_in(2) && timer.cancel();
    timers.push((timer, fired, cancelled));
}

/// Cancels a timer (maybe) and joins it: exactly one of "it fired" and "a
/// cancel won" holds.
fn finish_timer(timer: Timer, fired: &AtomicBool, cancelled: bool, tally: &mut Tally) {
    let cancelled = cancelled || timer.cancel();
    timer.join().expect("timer functions do not panic");
    let ran = fired.load(Ordering::SeqCst);
    assert_ne!(
        ran, cancelled,
        "a timer fired and was cancelled, or neither"
    );
    if ran {
        tally.timers_fired += 1;
    } else {
        tally.timers_cancelled += 1;
    }
}

/// Spawns a bobbin thread and joins it (first with a short timed join,
/// which may find it still running); what it returns goes into the counter.
fn thread_op(world: &World, rng: &mut Rng, tally: &mut Tally) {
    let bump = rng.below(4) + 1;
    let seen = Arc::new(AtomicU64::new(0));
    let out = Arc::clone(&seen);
    let t = Builder::new()
        .spawn(move || {
            out.store(bump, Ordering::SeqCst);
            bump
        })
        .unwrap();
    let _ = t.join_timeout(Duration::from_micros(rng.below(100)));
    let returned = t.join().expect("the thread does not panic");
    // Everything the thread did is visible after its join.
    assert_eq!(returned, seen.load(Ordering::SeqCst));
    *world.counter.acquire() += returned;
    tally.counter += returned;
}

/// The final accounting.
fn check(world: &World, tallies: Vec<Tally>, seed: u64) {
    let sum = |f: fn(&Tally) -> u64| tallies.iter().map(f).sum::<u64>();
    let ops = sum(|t| t.ops);
    say(&format!(
        "stress: seed {seed}: {ops} operations, checking the accounting"
    ));

    // Counters under locks are exact.
    assert_eq!(*world.counter.acquire(), sum(|t| t.counter));
    assert_eq!(world.rcounter.acquire().get(), sum(|t| t.rcounter));
    assert!(!world.counter.locked() && !world.rcounter.locked());

    // Permits balance.
    assert_eq!(world.sem.available(), PERMITS);
    assert_eq!(world.bounded.available(), PERMITS);
    assert_eq!(world.sem_in_use.load(Ordering::SeqCst), 0);

    // Tokens: produced = consumed + left.
    let left = world.tokens.acquire().tokens;
    assert_eq!(sum(|t| t.produced), sum(|t| t.consumed) + left);
    assert_eq!(world.cond.notify_all(), 0, "no waiter is left behind");

    // Barrier: generations pass whole (each index as often as the others),
    // and the action ran once per generation. Then it still works.
    let passes: Vec<u64> = world
        .passes
        .iter()
        .map(|p| p.load(Ordering::SeqCst))
        .collect();
    assert!(passes.iter().all(|&p| p == passes[0]), "{passes:?}");
    assert_eq!(world.actions.load(Ordering::SeqCst), passes[0]);
    world.barrier.reset();
    std::thread::scope(|s| {
        for _ in 0..PARTIES {
            s.spawn(|| world.barrier.wait().unwrap());
        }
    });

    // The event still works.
    world.event.set();
    assert!(world.event.wait_timeout(Duration::ZERO));

    // Queues: drain what is left, then every item is accounted for once.
    let mut drained: Vec<u64> = Vec::new();
    macro_rules! drain_all {
        ($slot:expr) => {
            for q in $slot.all() {
                drained.extend(q.shutdown_immediate().into_iter().map(|i| i.0));
                assert_eq!(q.unfinished_tasks(), 0);
                assert!(q.join_timeout(Duration::ZERO));
            }
        };
    }
    drain_all!(world.fifo);
    drain_all!(world.lifo);
    drain_all!(world.priority);
    drained.extend(world.simple.try_iter().map(|i| i.0));
    let mut put: HashSet<u64> = HashSet::new();
    let mut returned: HashSet<u64> = HashSet::new();
    let mut out: HashSet<u64> = HashSet::new();
    for t in &tallies {
        for &id in &t.ledger.put {
            assert!(put.insert(id), "item {id} put twice");
        }
        for &id in &t.ledger.returned {
            assert!(returned.insert(id), "item {id} given back twice");
            assert!(!put.contains(&id), "item {id} both put and given back");
        }
    }
    for &id in tallies
        .iter()
        .flat_map(|t| t.ledger.got.iter().chain(&t.ledger.drained))
        .chain(&drained)
    {
        assert!(put.contains(&id), "item {id} came out but was never put");
        assert!(out.insert(id), "item {id} came out twice");
    }
    let lost: Vec<_> = put.difference(&out).take(10).collect();
    assert!(lost.is_empty(), "items put and never seen again: {lost:?}");
    assert!(returned.is_disjoint(&put));

    say(&format!(
        "stress: seed {seed}: ok: {} items put and got or drained, {} given back; \
         {} barrier generations; {} timers fired, {} cancelled; {} tokens",
        put.len(),
        returned.len(),
        passes[0],
        sum(|t| t.timers_fired),
        sum(|t| t.timers_cancelled),
        sum(|t| t.produced),
    ));
}
