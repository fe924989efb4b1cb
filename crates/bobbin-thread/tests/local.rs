//! `Local<T>`: isolation between threads, the lazy initialiser, the drop of a
//! thread's value when the thread ends (bobbin threads and std threads), the
//! drop of the rest with the `Local`, many instances, and re-entrance (from
//! inside `with`, and from inside the initialiser by every accessor).

use bobbin_park::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use bobbin_signal::Event;
use bobbin_thread::{Local, spawn};
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock, Weak, mpsc};
use std::time::Duration;

const GENEROUS: Duration = Duration::from_secs(30);

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    // A `Local` of a `Send` but not `Sync` type is still shared freely: each
    // thread only ever touches its own value.
    assert_send_sync::<Local<Cell<u32>>>();
    assert_send_sync::<Local<Vec<String>>>();
};

/// A value that counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counted_local(drops: &Arc<AtomicUsize>) -> Arc<Local<Counted>> {
    let drops = Arc::clone(drops);
    Arc::new(Local::new(move || Counted(Arc::clone(&drops))))
}

#[test]
fn each_thread_sees_its_own_value() {
    let local = Arc::new(Local::new(|| 0_u32));
    local.set(100);
    let threads: Vec<_> = (1..=4)
        .map(|i| {
            let local = Arc::clone(&local);
            spawn(move || {
                let start = local.get();
                for _ in 0..i {
                    local.with(|n| *n += 1);
                }
                (start, local.get())
            })
            .unwrap()
        })
        .collect();
    for (i, t) in (1..=4).zip(threads) {
        assert_eq!(t.join().unwrap(), (0, i));
    }
    assert_eq!(local.get(), 100, "other threads never touched this value");
}

#[test]
fn the_initialiser_runs_once_per_thread_on_first_access() {
    let inits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&inits);
    let local = Arc::new(Local::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        String::from("fresh")
    }));
    assert_eq!(inits.load(Ordering::SeqCst), 0, "lazy: nothing made yet");
    assert_eq!(local.get(), "fresh");
    local.with(|s| s.push('!'));
    assert_eq!(local.get(), "fresh!");
    assert_eq!(inits.load(Ordering::SeqCst), 1);
    let theirs = Arc::clone(&local);
    assert_eq!(
        spawn(move || theirs.get()).unwrap().join().unwrap(),
        "fresh"
    );
    assert_eq!(inits.load(Ordering::SeqCst), 2);
    // A thread that never touches it makes none.
    let untouched = Arc::clone(&local);
    spawn(move || drop(untouched)).unwrap().join().unwrap();
    assert_eq!(inits.load(Ordering::SeqCst), 2);
    // `set` on a thread without a value does not run the initialiser.
    let theirs = Arc::clone(&local);
    let got = spawn(move || {
        theirs.set(String::from("given"));
        theirs.get()
    })
    .unwrap()
    .join()
    .unwrap();
    assert_eq!(got, "given");
    assert_eq!(inits.load(Ordering::SeqCst), 2);
}

#[test]
fn a_threads_value_is_dropped_when_the_thread_ends() {
    let drops = Arc::new(AtomicUsize::new(0));
    let local = counted_local(&drops);
    let release = Arc::new(Event::new());
    let (theirs, wait) = (Arc::clone(&local), Arc::clone(&release));
    let t = spawn(move || {
        theirs.with(|_| ());
        wait.wait();
    })
    .unwrap();
    assert!(!t.join_timeout(Duration::from_millis(10)));
    assert_eq!(drops.load(Ordering::SeqCst), 0, "alive: its value too");
    release.set();
    // Dropped before the thread counts as finished.
    assert!(t.join_timeout(GENEROUS));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    t.join().unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    drop(local);
    assert_eq!(drops.load(Ordering::SeqCst), 1, "no value left to drop");
}

#[test]
fn a_std_threads_value_is_dropped_when_it_ends() {
    let drops = Arc::new(AtomicUsize::new(0));
    let local = counted_local(&drops);
    let theirs = Arc::clone(&local);
    std::thread::spawn(move || theirs.with(|_| ()))
        .join()
        .unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn the_remaining_values_are_dropped_with_the_local() {
    let drops = Arc::new(AtomicUsize::new(0));
    let local = counted_local(&drops);
    local.with(|_| ()); // this thread's value
    let release = Arc::new(Event::new());
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let (theirs, wait) = (Arc::clone(&local), Arc::clone(&release));
            let made = Arc::new(Event::new());
            let signal = Arc::clone(&made);
            let t = spawn(move || {
                theirs.with(|_| ());
                drop(theirs);
                signal.set();
                wait.wait();
            })
            .unwrap();
            made.wait();
            t
        })
        .collect();
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    // The last handle: every thread's value goes now, the threads still run.
    let local = Arc::try_unwrap(local).unwrap_or_else(|_| panic!("the threads dropped theirs"));
    drop(local);
    assert_eq!(drops.load(Ordering::SeqCst), 4);
    assert!(threads.iter().all(|t| t.is_alive()));
    release.set();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(drops.load(Ordering::SeqCst), 4, "each value dropped once");
}

#[test]
fn many_locals_are_independent() {
    let locals: Vec<Local<usize>> = (0..100).map(|i| Local::new(move || i)).collect();
    for (i, local) in locals.iter().enumerate() {
        assert_eq!(local.get(), i);
        local.with(|v| *v *= 2);
    }
    for (i, local) in locals.iter().enumerate() {
        assert_eq!(local.get(), 2 * i);
    }
    // Made and dropped in a loop: a dropped Local's values are gone.
    let drops = Arc::new(AtomicUsize::new(0));
    for _ in 0..50 {
        let local = counted_local(&drops);
        local.with(|_| ());
    }
    assert_eq!(drops.load(Ordering::SeqCst), 50);
}

#[test]
fn set_get_and_take() {
    let local = Local::new(|| 1);
    assert_eq!(local.take(), None, "nothing made yet");
    local.set(5);
    assert_eq!(local.get(), 5);
    local.set(6);
    assert_eq!(local.take(), Some(6));
    assert_eq!(local.get(), 1, "made again by the initialiser");
    let d: Local<Vec<u8>> = Local::default();
    assert!(d.get().is_empty());
}

#[test]
fn reaching_the_same_local_inside_with_panics() {
    let local = Local::new(|| 0);
    let nested = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        local.with(|_| local.with(|_| ()));
    }));
    let message = nested.unwrap_err();
    assert_eq!(
        message.downcast_ref::<&str>(),
        Some(&"Local already borrowed on this thread")
    );
    // The value is intact and reachable afterwards.
    local.with(|n| *n += 1);
    assert_eq!(local.get(), 1);
    // Another Local inside `with` is fine.
    let other = Local::new(|| 10);
    assert_eq!(local.with(|a| other.with(|b| *a + *b)), 11);
}

/// A value that counts how many of its kind are alive.
struct Tracked {
    value: u32,
    live: Arc<AtomicUsize>,
}

impl Tracked {
    fn new(value: u32, live: &Arc<AtomicUsize>) -> Tracked {
        live.fetch_add(1, Ordering::SeqCst);
        Tracked {
            value,
            live: Arc::clone(live),
        }
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Tracked {
        Tracked::new(self.value, &self.live)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How an initialiser reaches its own `Local`.
#[derive(Clone, Copy, Debug)]
enum Reach {
    Get,
    With,
    Set,
    Take,
}

/// A `Local` whose initialiser, while `armed` is set, reaches the same
/// `Local` by `reach` before it makes its value (7).
fn reaching_itself(
    reach: Reach,
    armed: &Arc<AtomicBool>,
    live: &Arc<AtomicUsize>,
) -> Arc<Local<Tracked>> {
    let (armed, live) = (Arc::clone(armed), Arc::clone(live));
    Arc::new_cyclic(|me: &Weak<Local<Tracked>>| {
        let me = Weak::clone(me);
        Local::new(move || {
            if armed.load(Ordering::SeqCst) {
                let local = me.upgrade().expect("the Local is alive while it is used");
                match reach {
                    Reach::Get => drop(local.get()),
                    Reach::With => local.with(|_| ()),
                    Reach::Set => local.set(Tracked::new(1, &live)),
                    Reach::Take => drop(local.take()),
                }
            }
            Tracked::new(7, &live)
        })
    })
}

/// The message every re-entry panics with.
const BORROWED: &str = "Local already borrowed on this thread";

fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// An initialiser that reaches its own `Local` by `reach` makes the first
/// access (by `get` and by `with`) panic with the documented message, not
/// recurse until the stack overflows; the failed access leaves no value,
/// nothing leaks, and the `Local` works afterwards on this thread and on
/// others. CPython raises `AttributeError` for a `local` subclass whose
/// `__init__` reads the attribute it is about to set.
fn an_initialiser_reaching_its_own_local_panics(reach: Reach) {
    let (armed, live) = (
        Arc::new(AtomicBool::new(true)),
        Arc::new(AtomicUsize::new(0)),
    );
    let local = reaching_itself(reach, &armed, &live);
    let by_get = catch_unwind(AssertUnwindSafe(|| local.get().value)).unwrap_err();
    assert_eq!(
        panic_message(&*by_get),
        Some(BORROWED),
        "{reach:?} from get"
    );
    let by_with = catch_unwind(AssertUnwindSafe(|| local.with(|v| v.value))).unwrap_err();
    assert_eq!(
        panic_message(&*by_with),
        Some(BORROWED),
        "{reach:?} from with"
    );
    assert!(
        local.take().is_none(),
        "{reach:?}: a failed init leaves no value"
    );
    assert_eq!(
        live.load(Ordering::SeqCst),
        0,
        "{reach:?}: every value made was dropped"
    );

    // Still usable: the initialiser runs again, and set and take work.
    armed.store(false, Ordering::SeqCst);
    assert_eq!(local.get().value, 7);
    local.set(Tracked::new(3, &live));
    assert_eq!(local.with(|v| v.value), 3);
    assert_eq!(local.take().map(|v| v.value), Some(3));
    let theirs = Arc::clone(&local);
    assert_eq!(
        spawn(move || theirs.get().value).unwrap().join().unwrap(),
        7
    );
    // This thread's value (made again by `with`) goes with the Local.
    local.with(|_| ());
    drop(local);
    assert_eq!(live.load(Ordering::SeqCst), 0, "{reach:?}: nothing leaked");
}

#[test]
fn a_local_is_unwind_safe_and_a_panic_in_with_keeps_its_value() {
    const fn assert_unwind_safe<T: std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
    // Whatever the value type, as std's `LocalKey`.
    const _: () = assert_unwind_safe::<Local<RefCell<Vec<u8>>>>();
    let local = Local::new(|| 1u32);
    local.set(7);
    // No `AssertUnwindSafe` needed.
    let err = catch_unwind(|| local.with(|_| panic!("inside with"))).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"inside with"));
    assert_eq!(local.get(), 7, "the value stays, the Local usable");
}

#[test]
fn an_initialiser_that_gets_its_own_local_panics() {
    an_initialiser_reaching_its_own_local_panics(Reach::Get);
}

#[test]
fn an_initialiser_that_calls_with_on_its_own_local_panics() {
    an_initialiser_reaching_its_own_local_panics(Reach::With);
}

#[test]
fn an_initialiser_that_sets_its_own_local_panics() {
    an_initialiser_reaching_its_own_local_panics(Reach::Set);
}

#[test]
fn an_initialiser_that_takes_from_its_own_local_panics() {
    an_initialiser_reaching_its_own_local_panics(Reach::Take);
}

#[test]
fn two_initialisers_that_reach_each_others_local_panic() {
    // a's initialiser reads b, whose initialiser reads a: a is reached from
    // inside its own initialiser, one step removed.
    type Pair = (Weak<Local<u32>>, Weak<Local<u32>>);
    let cell: Arc<OnceLock<Pair>> = Arc::new(OnceLock::new());
    let (for_a, for_b) = (Arc::clone(&cell), Arc::clone(&cell));
    let a = Arc::new(Local::new(move || {
        for_a.get().unwrap().1.upgrade().unwrap().get() + 1
    }));
    let b = Arc::new(Local::new(move || {
        for_b.get().unwrap().0.upgrade().unwrap().get() + 1
    }));
    cell.set((Arc::downgrade(&a), Arc::downgrade(&b))).unwrap();
    let err = catch_unwind(AssertUnwindSafe(|| a.get())).unwrap_err();
    assert_eq!(panic_message(&*err), Some(BORROWED));
    // Neither was left half made: a value set without the initialisers works.
    b.set(10);
    assert_eq!(a.get(), 11);
}

#[test]
fn an_initialiser_may_catch_the_panic_of_reaching_its_own_local() {
    // The inner access panics; an initialiser that catches it still makes
    // the value, which is then this thread's.
    let inits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&inits);
    let local = Arc::new_cyclic(|me: &Weak<Local<u32>>| {
        let me = Weak::clone(me);
        Local::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let local = me.upgrade().unwrap();
            let inner = catch_unwind(AssertUnwindSafe(|| local.get()));
            if inner.is_err() { 5 } else { 0 }
        })
    });
    assert_eq!(local.get(), 5);
    assert_eq!(local.get(), 5, "made once");
    assert_eq!(inits.load(Ordering::SeqCst), 1);
}

#[test]
fn an_initialiser_reaching_its_own_local_while_thread_locals_are_destroyed_panics() {
    // A thread-local whose destructor touches a Local after the thread's
    // store of Local values is gone (thread-locals are destroyed in the
    // reverse order of their first use on Linux, and this one is used
    // first): the access makes a fresh value with the initialiser, which
    // reaches the same Local. It must panic, not recurse.
    /// The Local to touch, and where to say how the touch ended.
    type Job = (Arc<Local<u32>>, mpsc::Sender<Option<String>>);
    struct Touch(RefCell<Option<Job>>);
    impl Drop for Touch {
        fn drop(&mut self) {
            if let Some((local, report)) = self.0.borrow_mut().take() {
                let outcome = catch_unwind(AssertUnwindSafe(|| local.get()));
                let message = outcome
                    .err()
                    .and_then(|p| panic_message(&*p).map(str::to_owned));
                let _ = report.send(message);
            }
        }
    }
    std::thread_local! {
        static TOUCH: Touch = const { Touch(RefCell::new(None)) };
    }
    let local = Arc::new_cyclic(|me: &Weak<Local<u32>>| {
        let me = Weak::clone(me);
        Local::new(move || me.upgrade().map_or(0, |local| local.get() + 1))
    });
    let (tx, rx) = mpsc::channel();
    let theirs = Arc::clone(&local);
    std::thread::spawn(move || {
        TOUCH.with(|t| *t.0.borrow_mut() = Some((Arc::clone(&theirs), tx)));
        // Makes this thread's store of values, after TOUCH.
        theirs.set(1);
    })
    .join()
    .unwrap();
    assert_eq!(rx.recv().unwrap().as_deref(), Some(BORROWED));
}

#[test]
fn a_values_destructor_may_use_another_local() {
    // At thread exit, dropping `outer`'s value touches `inner`, which makes
    // a new value mid-cleanup; that one is dropped too.
    struct UsesOther {
        other: Arc<Local<Counted>>,
    }
    impl Drop for UsesOther {
        fn drop(&mut self) {
            self.other.with(|_| ());
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let inner = counted_local(&drops);
    let for_outer = Arc::clone(&inner);
    let outer = Arc::new(Local::new(move || UsesOther {
        other: Arc::clone(&for_outer),
    }));
    let theirs = Arc::clone(&outer);
    spawn(move || theirs.with(|_| ())).unwrap().join().unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let theirs = Arc::clone(&outer);
    std::thread::spawn(move || theirs.with(|_| ()))
        .join()
        .unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn a_values_destructor_that_uses_its_own_local_at_the_thread_end_is_reported_once() {
    // The drop of the thread's value reaches the same `Local`: making a new
    // value there would be dropped in turn and make another, without end.
    // It panics instead; the excepthook reports it and the result stands.
    struct UsesItself {
        me: Arc<OnceLock<Local<UsesItself>>>,
        drops: Arc<AtomicUsize>,
    }
    impl Drop for UsesItself {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::SeqCst);
            self.me.get().unwrap().with(|_| ());
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let me = Arc::new(OnceLock::new());
    // Weak: the `Local` holds its initialiser, which must not keep the
    // `Local` alive in turn (a cycle Miri reports as a leak).
    let (for_init, drops_for_init) = (Arc::downgrade(&me), Arc::clone(&drops));
    me.set(Local::new(move || UsesItself {
        me: for_init.upgrade().expect("the test holds the Local"),
        drops: Arc::clone(&drops_for_init),
    }))
    .ok()
    .unwrap();
    let theirs = Arc::clone(&me);
    let result = spawn(move || {
        theirs.get().unwrap().with(|_| ());
        7
    })
    .unwrap()
    .join();
    assert_eq!(result.ok(), Some(7));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn debug_does_not_show_values() {
    let local = Local::new(|| "secret");
    local.with(|_| ());
    let text = format!("{local:?}");
    assert!(text.starts_with("Local"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}
