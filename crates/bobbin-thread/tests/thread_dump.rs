//! The hang report, `thread_dump`: a lock cycle is reported with both
//! threads' names and the lock each waits for; a thread blocked in each
//! primitive's blocking operations is reported with the operation's name and
//! an address inside the primitive; joins name the thread they join; threads
//! bobbin never saw are reported too; running threads are reported as
//! running; `Display` prints one line per thread.
//!
//! Other tests of this binary run at the same time, so every check looks
//! for the threads this test made (by name or ident), never at the whole
//! report.

use bobbin_lock::{BoundedSemaphore, Lock, LockGuard, RLock, Semaphore};
use bobbin_park::{WaitKind, WaitLabel};
use bobbin_queue::{LifoQueue, PriorityQueue, Queue, SimpleQueue};
use bobbin_signal::{Barrier, Condition, Event};
use bobbin_thread::{BlockedOn, Builder, ThreadDump, Timer, current_thread, thread_dump};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

mod common;
use common::spawn_blocked;

/// How long a test waits for threads to show up blocked before it fails:
/// generous, for a loaded two-core machine.
const GENEROUS: Duration = Duration::from_secs(30);

/// Takes reports until `ready` accepts one; fails, printing the last one,
/// after [`GENEROUS`].
fn report_when(what: &str, ready: impl Fn(&ThreadDump) -> bool) -> ThreadDump {
    let deadline = Instant::now() + GENEROUS;
    loop {
        let report = thread_dump();
        if ready(&report) {
            return report;
        }
        assert!(
            Instant::now() < deadline,
            "{what} never showed in the report:\n{report}"
        );
        bobbin_park::thread::yield_now();
    }
}

/// What the registered thread named `name` is blocked on, if it is.
fn blocked<'a>(report: &'a ThreadDump, name: &str) -> Option<&'a BlockedOn> {
    report.find(name).and_then(|t| t.blocked())
}

#[test]
fn a_lock_cycle_is_reported_with_both_threads_and_the_lock_each_waits_for() {
    let a = Arc::new(Lock::new(()));
    let b = Arc::new(Lock::new(()));
    let both_hold = Arc::new(Barrier::new(2));
    // The escape, should the test fail before it breaks the cycle: each
    // wait gives up after a while, so no thread outlives the test for long.
    let escape = Duration::from_secs(30);

    let cycle_a = {
        let (a, b, both_hold) = (Arc::clone(&a), Arc::clone(&b), Arc::clone(&both_hold));
        Builder::new()
            .name("cycle-a")
            .spawn(move || {
                // Held without a guard, so that the test can release it from
                // its own thread (Python's Lock allows that) to end the cycle.
                let _: &mut () = LockGuard::leak(a.acquire());
                both_hold.wait().unwrap();
                b.acquire_timeout(escape).is_some()
            })
            .unwrap()
    };
    let cycle_b = {
        let (a, b, both_hold) = (Arc::clone(&a), Arc::clone(&b), Arc::clone(&both_hold));
        Builder::new()
            .name("cycle-b")
            .spawn(move || {
                let _b = b.acquire();
                both_hold.wait().unwrap();
                a.acquire_timeout(escape).is_some()
            })
            .unwrap()
    };

    // (Each may first show blocked in the barrier.)
    let in_acquire =
        |r: &ThreadDump, name| blocked(r, name).is_some_and(|b| b.kind() == "Lock.acquire");
    let report = report_when("the lock cycle", |r| {
        in_acquire(r, "cycle-a") && in_acquire(r, "cycle-b")
    });
    let waits_a = blocked(&report, "cycle-a").unwrap();
    let waits_b = blocked(&report, "cycle-b").unwrap();
    assert_eq!(waits_a.kind(), "Lock.acquire");
    assert_eq!(waits_b.kind(), "Lock.acquire");
    // Each waits for the lock the other holds, and not for its own.
    assert!(waits_a.is_on(&*b) && !waits_a.is_on(&*a), "{report}");
    assert!(waits_b.is_on(&*a) && !waits_b.is_on(&*b), "{report}");
    assert!(waits_a.since() <= report.taken());
    assert_eq!(waits_a.waited(), report.taken() - waits_a.since());

    // The printed report names both threads, the operation and the address
    // of the lock each waits for, one line each.
    let text = report.to_string();
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} (")))
            .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"))
            .to_owned()
    };
    let (line_a, line_b) = (line("cycle-a"), line("cycle-b"));
    assert!(
        line_a.contains(&format!(
            "blocked in Lock.acquire on {:#x} for ",
            waits_a.address()
        )),
        "{line_a}"
    );
    assert!(
        line_b.contains(&format!(
            "blocked in Lock.acquire on {:#x} for ",
            waits_b.address()
        )),
        "{line_b}"
    );
    assert_eq!(text.lines().count(), report.threads().len());

    // Break the cycle: cycle-b gets `a`, finishes and frees `b` for cycle-a.
    a.release().unwrap();
    assert!(cycle_b.join().unwrap());
    assert!(cycle_a.join().unwrap());
    // Neither is blocked any more (both have left the registry).
    let after = thread_dump();
    assert!(after.find("cycle-a").is_none() && after.find("cycle-b").is_none());
}

#[test]
fn running_threads_are_reported_as_running() {
    let me = current_thread();
    let report = thread_dump();
    let mine = report
        .threads()
        .iter()
        .find(|t| t.thread() == Some(&me))
        .expect("the calling thread registered itself");
    assert!(!mine.is_blocked());
    assert!(mine.to_string().ends_with(": running"), "{mine}");
    assert!(
        mine.to_string()
            .starts_with(&format!("{} (ident {}, native ", me.name(), me.ident()))
    );
    // The main thread is always listed.
    assert!(report.find("MainThread").is_some());
}

#[test]
fn a_join_names_the_thread_it_joins() {
    let (sleeper, release) = spawn_blocked(Builder::new().name("dump-sleeper"));
    let target = sleeper.thread().clone();
    let joiner = Builder::new()
        .name("dump-joiner")
        .spawn(move || target.join())
        .unwrap();

    let report = report_when("the join", |r| {
        blocked(r, "dump-joiner").is_some() && blocked(r, "dump-sleeper").is_some()
    });
    let join = blocked(&report, "dump-joiner").unwrap();
    assert_eq!(join.kind(), "Thread.join");
    assert_eq!(join.joining(), Some(sleeper.thread()));
    let line = report.find("dump-joiner").unwrap().to_string();
    assert!(line.contains("(joining dump-sleeper)"), "{line}");
    // The sleeper waits on its Event.
    let sleep = blocked(&report, "dump-sleeper").unwrap();
    assert_eq!(sleep.kind(), "Event.wait");
    assert!(sleep.is_on(&*release));
    assert_eq!(sleep.joining(), None);

    release.set();
    joiner.join().unwrap();
    sleeper.join().unwrap();
}

#[test]
fn a_join_through_the_handle_is_reported_too() {
    // `Thread::join` (which returns the result) waits where a report sees
    // it, not only inside std's join.
    let (sleeper, release) = spawn_blocked(Builder::new().name("dump-handle-sleeper"));
    let joiner = Builder::new()
        .name("dump-handle-joiner")
        .spawn(move || sleeper.join().is_ok())
        .unwrap();
    let report = report_when("the handle's join", |r| {
        blocked(r, "dump-handle-joiner").is_some()
    });
    let join = blocked(&report, "dump-handle-joiner").unwrap();
    assert_eq!(join.kind(), "Thread.join");
    assert_eq!(
        join.joining().map(|t| t.name()),
        Some("dump-handle-sleeper")
    );
    release.set();
    assert!(joiner.join().unwrap());
}

#[test]
fn a_waiting_timer_is_reported_as_such() {
    let timer = Timer::start(Duration::from_secs(3600), || ()).unwrap();
    let ident = timer.ident();
    let report = report_when("the timer", |r| {
        r.blocked()
            .any(|t| t.thread().map(|t| t.ident()) == Some(ident))
    });
    let status = report
        .blocked()
        .find(|t| t.thread().map(|t| t.ident()) == Some(ident))
        .unwrap();
    assert_eq!(status.blocked().unwrap().kind(), "Timer.wait");
    assert!(timer.cancel());
    timer.join().unwrap();
}

#[test]
fn a_thread_bobbin_never_saw_is_reported_unregistered() {
    let event = Arc::new(Event::new());
    let id = Arc::new(std::sync::OnceLock::new());
    let waiter = {
        let (event, id) = (Arc::clone(&event), Arc::clone(&id));
        // A plain std thread that never calls into bobbin-thread.
        std::thread::spawn(move || {
            id.set(bobbin_park::thread::current_id()).unwrap();
            event.wait();
        })
    };
    let report = report_when("the std thread", |r| {
        r.blocked()
            .any(|t| t.thread().is_none() && t.blocked().is_some_and(|b| b.is_on(&*event)))
    });
    let status = report
        .blocked()
        .find(|t| t.thread().is_none() && t.blocked().unwrap().is_on(&*event))
        .unwrap();
    assert_eq!(status.name(), "unregistered thread");
    assert_eq!(status.blocked().unwrap().kind(), "Event.wait");
    let id = *id.get().unwrap();
    assert!(
        status.to_string().starts_with(&format!(
            "unregistered thread (park id {id}): blocked in Event.wait on "
        )),
        "{status}"
    );
    event.set();
    waiter.join().unwrap();
}

#[test]
fn is_on_is_true_only_for_the_object_waited_on() {
    let lock = Lock::new([0_u64; 4]);
    let neighbour = Lock::new(0_u8);
    let held = lock.acquire();
    std::thread::scope(|s| {
        s.spawn(|| drop(lock.acquire()));
        let report = report_when("the scoped waiter", |r| {
            r.blocked()
                .any(|t| t.blocked().is_some_and(|b| b.is_on(&lock)))
        });
        let b = report
            .blocked()
            .find_map(|t| t.blocked().filter(|b| b.is_on(&lock)))
            .unwrap();
        let start = std::ptr::from_ref(&lock).addr();
        assert!((start..start + size_of_val(&lock)).contains(&b.address()));
        assert!(!b.is_on(&neighbour));
        drop(held);
    });
}

#[test]
fn reports_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<ThreadDump>();
    send_sync::<bobbin_thread::ThreadStatus>();
    send_sync::<BlockedOn>();
}

/// Runs `block` on a new (registered) thread, waits until the report shows
/// that thread blocked, runs `release` (which must let `block` return) and
/// returns what the thread was blocked on.
fn blocked_in(block: impl FnOnce() + Send, release: impl FnOnce()) -> BlockedOn {
    let ident = OnceLock::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            ident.set(current_thread().ident()).unwrap();
            block();
        });
        let deadline = Instant::now() + GENEROUS;
        let found = loop {
            let report = thread_dump();
            let mine = report
                .threads()
                .iter()
                .filter(|t| {
                    ident.get().is_some() && t.thread().map(|r| r.ident()) == ident.get().copied()
                })
                .find_map(|t| t.blocked().cloned());
            if mine.is_some() || Instant::now() > deadline {
                break mine;
            }
            bobbin_park::thread::yield_now();
        };
        // Released whatever was found, so that a failure cannot hang.
        release();
        found.expect("the thread never showed blocked")
    })
}

#[test]
fn blocked_lock_acquires_are_named_and_placed() {
    let lock = Lock::new(7_u64);
    let held = lock.acquire();
    let b = blocked_in(|| drop(lock.acquire()), || drop(held));
    assert_eq!(b.kind(), "Lock.acquire");
    assert!(b.is_on(&lock));

    let rlock = RLock::new(());
    let held = rlock.acquire();
    let b = blocked_in(|| drop(rlock.acquire()), || drop(held));
    assert_eq!(b.kind(), "RLock.acquire");
    assert!(b.is_on(&rlock));
}

#[test]
fn blocked_semaphore_acquires_are_named_and_placed() {
    let sem = Semaphore::new(0);
    let b = blocked_in(|| drop(sem.acquire()), || sem.release(1).unwrap());
    assert_eq!(b.kind(), "Semaphore.acquire");
    assert!(b.is_on(&sem));

    // A BoundedSemaphore is a Semaphore in Python too.
    let bounded = BoundedSemaphore::new(1);
    let held = bounded.acquire();
    let b = blocked_in(|| drop(bounded.acquire()), || drop(held));
    assert_eq!(b.kind(), "Semaphore.acquire");
    assert!(b.is_on(&bounded));
}

#[test]
fn an_enclosing_operation_keeps_its_name() {
    static OUTER: WaitKind = WaitKind::new("Outer.operation");
    let lock = Lock::new(());
    let held = lock.acquire();
    let b = blocked_in(
        || {
            let _label = WaitLabel::unless_labelled(&OUTER);
            drop(lock.acquire());
        },
        || drop(held),
    );
    assert_eq!(b.kind(), "Outer.operation");
    assert!(b.is_on(&lock));
}

#[test]
fn blocked_event_and_barrier_waits_are_named_and_placed() {
    let event = Event::new();
    let b = blocked_in(|| assert!(event.wait()), || event.set());
    assert_eq!(b.kind(), "Event.wait");
    assert!(b.is_on(&event));

    let barrier = Barrier::new(2);
    let b = blocked_in(
        || assert!(barrier.wait().is_ok()),
        || assert!(barrier.wait().is_ok()),
    );
    assert_eq!(b.kind(), "Barrier.wait");
    assert!(b.is_on(&barrier));
}

#[test]
fn a_condition_wait_is_named_before_and_after_its_notification() {
    let ready = Lock::new(false);
    let cond = Condition::new();
    let waiter = || {
        let mut guard = ready.acquire();
        while !*guard {
            cond.wait(&mut guard);
        }
    };
    let b = blocked_in(waiter, || {
        // Notified while the lock is held, the waiter is moved to the
        // lock's queue, not woken: still blocked, still in its condition
        // wait, which names it.
        let mut guard = ready.acquire();
        *guard = true;
        cond.notify_all();
        let ident = current_thread().ident();
        let others_blocked: Vec<&'static str> = thread_dump()
            .blocked()
            .filter(|t| t.thread().map(|r| r.ident()) != Some(ident))
            .filter(|t| t.blocked().is_some_and(|b| b.is_on(&cond)))
            .map(|t| t.blocked().unwrap().kind())
            .collect();
        assert_eq!(others_blocked, ["Condition.wait"]);
        drop(guard);
    });
    assert_eq!(b.kind(), "Condition.wait");
    assert!(b.is_on(&cond));
}

#[test]
fn blocked_queue_operations_are_named_and_placed() {
    let q = Queue::new(0);
    let b = blocked_in(|| assert_eq!(q.get(), Ok(1)), || q.put(1).unwrap());
    assert_eq!(b.kind(), "Queue.get");
    assert!(b.is_on(&q));
    // LifoQueue and PriorityQueue are Queues in Python too.
    let q = LifoQueue::new(0);
    let b = blocked_in(|| assert_eq!(q.get(), Ok(1)), || q.put(1).unwrap());
    assert_eq!((b.kind(), b.is_on(&q)), ("Queue.get", true));
    let q = PriorityQueue::new(0);
    let b = blocked_in(|| assert_eq!(q.get(), Ok(1)), || q.put(1).unwrap());
    assert_eq!((b.kind(), b.is_on(&q)), ("Queue.get", true));
    let q = SimpleQueue::new();
    let b = blocked_in(|| assert_eq!(q.get(), Ok(1)), || q.put(1).unwrap());
    assert_eq!((b.kind(), b.is_on(&q)), ("SimpleQueue.get", true));

    let q = Queue::new(1);
    q.put(0).unwrap();
    let b = blocked_in(|| q.put(1).unwrap(), || assert_eq!(q.get(), Ok(0)));
    assert_eq!((b.kind(), b.is_on(&q)), ("Queue.put", true));

    let b = blocked_in(
        || q.join(),
        || {
            // Item 1 is left; items 0 and 1 are both unfinished.
            assert_eq!(q.get(), Ok(1));
            q.task_done().unwrap();
            q.task_done().unwrap();
        },
    );
    assert_eq!((b.kind(), b.is_on(&q)), ("Queue.join", true));
}
