//! What only a whole process can show: the wait for non-daemon threads when
//! `main` returns or `std::process::exit` is called, the main thread as seen
//! from itself and from others, and the excepthook's default report on
//! stderr next to std's panic hook.
//!
//! This is a `harness = false` test: its `main` runs on the process's real
//! main thread (libtest's test bodies never do). Each case runs this same
//! executable again as a child process, with `BOBBIN_THREAD_CHILD` naming the
//! scenario its `main` plays, and checks the child's output and exit status.
//! The harness understands the part of libtest's command line that
//! cargo-nextest uses (`--list --format terse`, `--ignored`, a name filter,
//! `--exact`).

use bobbin_signal::Event;
use bobbin_thread::{
    Builder, Timer, active_count, current_thread, enumerate, get_ident, get_native_id, main_thread,
    shutdown, spawn, thread_dump,
};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHILD: &str = "BOBBIN_THREAD_CHILD";

/// A line of the seed's log format, `[thread name] message`.
fn log(message: &str) {
    println!("[{}] {message}", current_thread().name());
}

// ---- the scenarios, each the `main` of a child process ----

/// The seed's daemon example. The non-daemon worker outlives `main`, which
/// the program waits for; the daemon worker would take a minute, and is
/// abandoned.
fn seed(end: fn()) {
    let main_stopping = Arc::new(Event::new());
    let daemon_started = Arc::new(Event::new());
    log("starting");
    let go = Arc::clone(&main_stopping);
    Builder::new()
        .name("worker1")
        .daemon(false)
        .spawn(move || {
            log("starting");
            go.wait();
            // Still running after `main` has returned.
            std::thread::sleep(Duration::from_millis(200));
            log("stopping");
        })
        .unwrap();
    let started = Arc::clone(&daemon_started);
    Builder::new()
        .name("worker2")
        .daemon(true)
        .spawn(move || {
            log("starting");
            started.set();
            std::thread::sleep(Duration::from_secs(60));
            log("stopping");
        })
        .unwrap();
    daemon_started.wait();
    log("stopping");
    main_stopping.set();
    end();
}

fn seed_return() {
    seed(|| ());
}

fn seed_process_exit() {
    seed(|| std::process::exit(0));
}

/// `shutdown()` waits for the non-daemon worker, on demand, before `main`
/// goes on.
fn explicit_shutdown() {
    Builder::new()
        .name("worker1")
        .daemon(false)
        .spawn(|| {
            std::thread::sleep(Duration::from_millis(100));
            log("stopping");
        })
        .unwrap();
    shutdown();
    log("after shutdown");
}

/// Non-daemon threads that spawn more non-daemon threads while the program
/// waits at exit are waited for too.
fn chained_non_daemon() {
    fn link(n: u32) {
        std::thread::sleep(Duration::from_millis(20));
        if n > 0 {
            Builder::new()
                .name(format!("link{n}"))
                .spawn(move || link(n - 1))
                .unwrap();
        } else {
            log("last link");
        }
    }
    Builder::new().name("link3").spawn(|| link(2)).unwrap();
}

/// The main thread seen from itself, from a spawned thread and from a dummy
/// thread, and the daemon defaults that follow from it. Panics (exit code
/// 101) on any mismatch.
fn main_thread_facts() {
    let main = main_thread();
    assert_eq!(current_thread(), main);
    assert_eq!(main.name(), "MainThread");
    assert!(!main.is_daemon());
    assert!(main.is_alive());
    assert_eq!(main.ident(), get_ident());
    assert_eq!(main.native_id(), get_native_id());
    assert_eq!(main.native_id(), u64::from(std::process::id()));
    assert_eq!(enumerate()[0], main);
    assert!(active_count() >= 1);

    // Spawned from main: not a daemon by default.
    let seen = spawn(move || (main_thread(), current_thread())).unwrap();
    assert!(!seen.is_daemon());
    let (their_main, them) = seen.join().unwrap();
    assert_eq!(their_main, main);
    assert_ne!(them, main);

    // A std thread is a dummy thread, a daemon, and so is what it spawns.
    let from_dummy = std::thread::spawn(|| {
        let me = current_thread();
        let child = spawn(|| ()).unwrap();
        let daemon = child.is_daemon();
        child.join().unwrap();
        (me.name().to_owned(), me.is_daemon(), daemon)
    })
    .join()
    .unwrap();
    assert!(from_dummy.0.starts_with("Dummy-"), "{from_dummy:?}");
    assert!(from_dummy.1 && from_dummy.2, "{from_dummy:?}");

    // A daemon's child inherits the flag; so does a non-daemon's.
    let nested = Builder::new()
        .daemon(true)
        .spawn(|| {
            let inner = spawn(|| ()).unwrap();
            let d = inner.is_daemon();
            inner.join().unwrap();
            d
        })
        .unwrap();
    assert!(nested.join().unwrap());

    // join on the main thread itself is refused, not a deadlock.
    let refused = std::panic::catch_unwind(|| main.join_timeout(Duration::ZERO));
    assert!(refused.is_err());

    // A hang report names the main thread when it is blocked.
    let go = Arc::new(Event::new());
    let watcher = {
        let go = Arc::clone(&go);
        spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(30);
            let seen = loop {
                let report = thread_dump();
                if let Some(b) = report.find("MainThread").and_then(|t| t.blocked()) {
                    break b.kind() == "Event.wait" && b.is_on(&*go);
                }
                if Instant::now() > deadline {
                    break false;
                }
                bobbin_park::thread::yield_now();
            };
            go.set();
            seen
        })
        .unwrap()
    };
    go.wait();
    assert!(
        watcher.join().unwrap(),
        "the report never showed MainThread blocked"
    );
    println!("main thread facts hold");
}

/// Names, the counter, `enumerate` and `active_count`, exactly, in a
/// process where nothing else runs.
fn registry_counts() {
    let names = || -> Vec<String> { enumerate().iter().map(|t| t.name().to_owned()).collect() };
    assert_eq!(active_count(), 1);
    assert_eq!(names(), ["MainThread"]);
    let release = Arc::new(Event::new());
    let blocked = |builder: Builder| {
        let wait = Arc::clone(&release);
        builder
            .spawn(move || {
                wait.wait();
            })
            .unwrap()
    };
    let mut threads: Vec<_> = (0..3).map(|_| blocked(Builder::new())).collect();
    assert_eq!(
        threads.iter().map(|t| t.name()).collect::<Vec<_>>(),
        ["Thread-1", "Thread-2", "Thread-3"]
    );
    assert_eq!(active_count(), 4);
    assert_eq!(names(), ["MainThread", "Thread-1", "Thread-2", "Thread-3"]);
    // A named thread takes no number; a dummy thread takes the next one.
    threads.push(blocked(Builder::new().name("named")));
    let (dummy, count) =
        std::thread::spawn(|| (current_thread().name().to_owned(), active_count()))
            .join()
            .unwrap();
    assert_eq!((dummy.as_str(), count), ("Dummy-4", 6));
    assert_eq!(active_count(), 5, "the dummy left when its thread ended");
    threads.push(blocked(Builder::new()));
    assert_eq!(threads[4].name(), "Thread-5");
    // A timer's thread is a thread like any other.
    let timer = Timer::start(Duration::from_secs(3600), || ()).unwrap();
    assert_eq!(timer.name(), "Thread-6");
    assert_eq!(active_count(), 7);
    assert!(timer.cancel());
    timer.join().unwrap();
    // Numbers are drawn as threads are made, not as they start (CPython's
    // `test_name`), from the counter timers share; the name can be read
    // before the start, and a thread named as it is made takes none.
    let a = Builder::new();
    let unstarted_timer = Timer::new(Duration::from_secs(3600), || ());
    let named = Builder::new().name("named-too");
    let b = Builder::new();
    assert_eq!(
        [
            a.thread_name(),
            unstarted_timer.thread_name(),
            named.thread_name(),
            b.thread_name()
        ],
        ["Thread-7", "Thread-8", "named-too", "Thread-9"]
    );
    threads.push(blocked(b));
    threads.push(blocked(named));
    let timer = unstarted_timer.start().unwrap();
    threads.push(blocked(a));
    assert_eq!(
        [
            threads[5].name(),
            threads[6].name(),
            timer.name(),
            threads[7].name()
        ],
        ["Thread-9", "named-too", "Thread-8", "Thread-7"]
    );
    let last = spawn(|| ()).unwrap();
    assert_eq!(last.name(), "Thread-10");
    last.join().unwrap();
    assert!(timer.cancel());
    timer.join().unwrap();
    release.set();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(active_count(), 1);
    assert_eq!(names(), ["MainThread"]);
    println!("counts hold");
}

/// Python's idiom: a non-daemon worker that polls `main_thread().is_alive()`
/// ends once `main` has returned, since the exit marks the main thread done
/// before it waits.
fn worker_polls_main() {
    Builder::new()
        .name("poller")
        .spawn(|| {
            let start = Instant::now();
            while main_thread().is_alive() {
                assert!(
                    start.elapsed() < Duration::from_secs(30),
                    "main never ended"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            log("main is gone");
            assert!(!enumerate().contains(&main_thread()));
        })
        .unwrap();
    log("returning");
}

/// A panic in a bobbin thread with the default excepthook, a panic in a
/// timer, and a panic in a plain std thread (std's hook reports it).
fn default_report() {
    let t = Builder::new()
        .name("doomed")
        .spawn(|| panic!("out of cheese"))
        .unwrap();
    let err = t.join().unwrap_err();
    assert_eq!(err.message(), Some("out of cheese"));
    let timer = Builder::new()
        .name("t1")
        .timer(Duration::ZERO, || panic!("timer broke"))
        .unwrap();
    assert!(timer.join().is_err());
    let std_thread = std::thread::Builder::new()
        .name("plain".into())
        .spawn(|| panic!("plain panic"))
        .unwrap();
    assert!(std_thread.join().is_err());
    // A panic caught inside a bobbin thread ends nothing and is not reported.
    let caught = spawn(|| std::panic::catch_unwind(|| panic!("caught")).is_err()).unwrap();
    assert!(caught.join().unwrap());
    println!("reported");
}

/// A panic in the excepthook itself.
fn hook_panics() {
    bobbin_thread::set_excepthook(|_| panic!("hook broke"));
    let t = Builder::new()
        .name("doomed")
        .spawn(|| panic!("first"))
        .unwrap();
    assert_eq!(t.join().unwrap_err().message(), Some("first"));
    println!("survived");
}

const SCENARIOS: &[(&str, fn())] = &[
    ("seed_return", seed_return),
    ("seed_process_exit", seed_process_exit),
    ("explicit_shutdown", explicit_shutdown),
    ("chained_non_daemon", chained_non_daemon),
    ("main_thread_facts", main_thread_facts),
    ("registry_counts", registry_counts),
    ("worker_polls_main", worker_polls_main),
    ("default_report", default_report),
    ("hook_panics", hook_panics),
];

// ---- the tests, run in the parent ----

fn run_child(scenario: &str) -> (Output, Duration) {
    let start = Instant::now();
    let output = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, scenario)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    (output, start.elapsed())
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn assert_success(scenario: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{scenario}: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn check_seed(scenario: &str) {
    let (output, elapsed) = run_child(scenario);
    assert_success(scenario, &output);
    let lines = stdout_lines(&output);
    let expected = [
        "[MainThread] starting",
        "[MainThread] stopping",
        "[worker1] stopping",
    ];
    let positions: Vec<usize> = expected
        .iter()
        .map(|line| {
            lines
                .iter()
                .position(|l| l == line)
                .unwrap_or_else(|| panic!("{scenario}: no {line:?} in {lines:?}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{scenario}: out of order: {lines:?}"
    );
    assert!(
        lines.contains(&"[worker1] starting".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"[worker2] starting".to_owned()),
        "{lines:?}"
    );
    assert!(
        !lines.contains(&"[worker2] stopping".to_owned()),
        "{scenario}: the daemon thread was waited for: {lines:?}"
    );
    assert!(elapsed < Duration::from_secs(30), "{scenario}: {elapsed:?}");
}

fn exit_waits_for_non_daemon_threads_when_main_returns() {
    check_seed("seed_return");
}

fn exit_waits_for_non_daemon_threads_on_process_exit() {
    check_seed("seed_process_exit");
}

fn shutdown_waits_on_demand() {
    let (output, _) = run_child("explicit_shutdown");
    assert_success("explicit_shutdown", &output);
    assert_eq!(
        stdout_lines(&output),
        ["[worker1] stopping", "[MainThread] after shutdown"]
    );
}

fn exit_waits_for_threads_started_while_waiting() {
    let (output, _) = run_child("chained_non_daemon");
    assert_success("chained_non_daemon", &output);
    assert_eq!(stdout_lines(&output), ["[link1] last link"]);
}

fn main_thread_is_the_process_main_thread() {
    let (output, _) = run_child("main_thread_facts");
    assert_success("main_thread_facts", &output);
    assert_eq!(stdout_lines(&output), ["main thread facts hold"]);
}

fn names_and_counts_are_exact_in_a_quiet_process() {
    let (output, _) = run_child("registry_counts");
    assert_success("registry_counts", &output);
    assert_eq!(stdout_lines(&output), ["counts hold"]);
}

fn main_thread_is_not_alive_once_main_returns() {
    let (output, _) = run_child("worker_polls_main");
    assert_success("worker_polls_main", &output);
    assert_eq!(
        stdout_lines(&output),
        ["[MainThread] returning", "[poller] main is gone"]
    );
}

fn a_panic_is_reported_once_on_stderr() {
    let (output, _) = run_child("default_report");
    assert_success("default_report", &output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Python's first line, then std's words for the panic.
    let doomed = "Exception in thread doomed:\npanicked at ";
    assert_eq!(stderr.matches(doomed).count(), 1, "{stderr}");
    assert!(stderr.contains("exit.rs:"), "{stderr}");
    assert!(stderr.contains(":\nout of cheese\n"), "{stderr}");
    assert_eq!(stderr.matches("out of cheese").count(), 1, "{stderr}");
    // std's own report of it is replaced, not added.
    assert!(!stderr.contains("thread 'doomed' panicked"), "{stderr}");
    // A timer's panic is reported the same way.
    assert_eq!(
        stderr.matches("Exception in thread t1:\n").count(),
        1,
        "{stderr}"
    );
    assert_eq!(stderr.matches("timer broke").count(), 1, "{stderr}");
    // A std thread's panic still goes to std's hook.
    assert!(stderr.contains("thread 'plain'"), "{stderr}");
    assert!(stderr.contains("plain panic"), "{stderr}");
    assert!(!stderr.contains("Exception in thread plain"), "{stderr}");
    // A panic caught inside the thread is not reported.
    assert!(!stderr.contains("caught"), "{stderr}");
    assert_eq!(stdout_lines(&output), ["reported"]);
}

fn a_panicking_excepthook_is_reported() {
    let (output, _) = run_child("hook_panics");
    assert_success("hook_panics", &output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Exception in threading.excepthook:\nhook broke"),
        "{stderr}"
    );
    assert_eq!(stdout_lines(&output), ["survived"]);
}

/// Timers spawned on the main thread are non-daemon: the program waits for
/// one that has not fired.
fn timer_scenario() {
    Timer::start(Duration::from_millis(100), || log("fired")).unwrap();
}

fn exit_waits_for_a_pending_non_daemon_timer() {
    let (output, elapsed) = run_child("timer");
    assert_success("timer", &output);
    assert_eq!(stdout_lines(&output), ["[Thread-1] fired"]);
    assert!(elapsed >= Duration::from_millis(100));
}

const TESTS: &[(&str, fn())] = &[
    (
        "exit_waits_for_non_daemon_threads_when_main_returns",
        exit_waits_for_non_daemon_threads_when_main_returns,
    ),
    (
        "exit_waits_for_non_daemon_threads_on_process_exit",
        exit_waits_for_non_daemon_threads_on_process_exit,
    ),
    ("shutdown_waits_on_demand", shutdown_waits_on_demand),
    (
        "exit_waits_for_threads_started_while_waiting",
        exit_waits_for_threads_started_while_waiting,
    ),
    (
        "main_thread_is_the_process_main_thread",
        main_thread_is_the_process_main_thread,
    ),
    (
        "names_and_counts_are_exact_in_a_quiet_process",
        names_and_counts_are_exact_in_a_quiet_process,
    ),
    (
        "main_thread_is_not_alive_once_main_returns",
        main_thread_is_not_alive_once_main_returns,
    ),
    (
        "a_panic_is_reported_once_on_stderr",
        a_panic_is_reported_once_on_stderr,
    ),
    (
        "a_panicking_excepthook_is_reported",
        a_panicking_excepthook_is_reported,
    ),
    (
        "exit_waits_for_a_pending_non_daemon_timer",
        exit_waits_for_a_pending_non_daemon_timer,
    ),
];

fn main() {
    // Every case runs a child process, which Miri cannot start.
    if cfg!(miri) {
        return;
    }
    if let Ok(scenario) = std::env::var(CHILD) {
        let play = SCENARIOS
            .iter()
            .chain(&[("timer", timer_scenario as fn())])
            .find(|(name, _)| *name == scenario)
            .map(|(_, f)| *f)
            .unwrap_or_else(|| panic!("no scenario {scenario}"));
        play();
        return;
    }

    // A libtest-shaped command line, as cargo test and cargo nextest give it.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    // Positional arguments are name filters; these options take a value.
    let with_value = [
        "--format",
        "--color",
        "--test-threads",
        "--skip",
        "--logfile",
        "-Z",
    ];
    let mut filters = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if with_value.contains(&arg.as_str()) {
            rest.next();
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    let selected = |name: &str| {
        filters.is_empty()
            || filters.iter().any(|f| {
                if flag("--exact") {
                    name == f.as_str()
                } else {
                    name.contains(f.as_str())
                }
            })
    };
    if flag("--list") {
        // No test here is ignored.
        if !flag("--ignored") {
            for (name, _) in TESTS.iter().filter(|(name, _)| selected(name)) {
                println!("{name}: test");
            }
        }
        return;
    }
    if flag("--ignored") {
        return;
    }
    let mut failed = Vec::new();
    let chosen: Vec<_> = TESTS.iter().filter(|(name, _)| selected(name)).collect();
    println!("\nrunning {} tests", chosen.len());
    for (name, test) in chosen {
        let ok = std::panic::catch_unwind(test).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(*name);
        }
    }
    if failed.is_empty() {
        println!("\ntest result: ok");
    } else {
        println!("\ntest result: FAILED ({})", failed.join(", "));
        std::process::exit(101);
    }
}
