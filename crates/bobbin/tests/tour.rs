//! The tour's order-sensitive claims, checked by running its examples as
//! subprocesses and reading their log lines.
//!
//! Each example orders what it claims with its own synchronisation (Events,
//! Barriers, a Condition's state), so these tests assert exact orders and
//! counts. The two claims that are about time itself (a daemon thread
//! abandoned mid-sleep, a timer cancelled before it is due) run at the
//! tutorial's own pace, where their margin is a whole second.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long an example may run before the test calls it hung.
const LIMIT: Duration = Duration::from_secs(120);

/// One log line: `2026-11-25 10:00:00,123 INFO [worker-1] message`.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    level: String,
    thread: String,
    message: String,
}

fn parse(line: &str) -> Option<Line> {
    // Date, time, level, then `[thread] message`.
    let mut fields = line.splitn(4, ' ');
    let date = fields.next()?;
    let time = fields.next()?;
    let level = fields.next()?;
    let rest = fields.next()?;
    let well_formed = date.len() == 10
        && date.as_bytes()[4] == b'-'
        && time.len() == 12
        && time.as_bytes()[8] == b',';
    if !well_formed {
        return None;
    }
    let rest = rest.strip_prefix('[')?;
    let close = rest.find("] ")?;
    Some(Line {
        level: level.to_owned(),
        thread: rest[..close].to_owned(),
        message: rest[close + 2..].to_owned(),
    })
}

/// The compiled example, built first if this test run did not build it.
fn example(name: &str) -> PathBuf {
    // An integration test runs from `<target>/<profile>/deps/`; the
    // examples are in `<target>/<profile>/examples/`.
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test lives in <target>/<profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.is_file() {
        // `cargo test --test tour` builds only this test; build the example
        // with the same profile into the same target directory.
        let mut build = Command::new(env!("CARGO"));
        build.args(["build", "--quiet", "-p", "bobbin", "--example", name]);
        if profile_dir.file_name().is_some_and(|p| p == "release") {
            build.arg("--release");
        }
        if let Some(target_dir) = profile_dir.parent() {
            build.env("CARGO_TARGET_DIR", target_dir);
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "building example {name} failed");
    }
    assert!(path.is_file(), "no example binary at {}", path.display());
    path
}

/// Runs an example to its end and returns its log lines; panics if it fails,
/// hangs, or writes anything that is not a log line.
fn run(name: &str, real_time: bool) -> Vec<Line> {
    let mut cmd = Command::new(example(name));
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    if real_time {
        cmd.env("BOBBIN_REAL_TIME", "1");
    } else {
        cmd.env_remove("BOBBIN_REAL_TIME");
    }
    let mut child = cmd.spawn().expect("start the example");
    // Drain both pipes on their own threads, so a chatty example never
    // blocks on a full pipe while this thread watches the clock.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text)
                .expect("read the example's output");
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped")));
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the example") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("example {name} still running after {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = stdout.join().expect("stdout reader");
    let stderr = stderr.join().expect("stderr reader");
    assert!(
        status.success(),
        "example {name} failed ({status}):\n{stderr}"
    );
    assert_eq!(stdout, "", "example {name} printed outside the logger");
    stderr
        .lines()
        .map(|l| parse(l).unwrap_or_else(|| panic!("{name}: not a log line: {l:?}")))
        .collect()
}

/// The index of the first line from `thread` whose message is `message`.
fn position(lines: &[Line], thread: &str, message: &str) -> Option<usize> {
    lines
        .iter()
        .position(|l| l.thread == thread && l.message == message)
}

/// The lines after the main thread's `--- {title}` line, up to its next
/// `--- ` line.
fn section<'a>(lines: &'a [Line], title: &str) -> &'a [Line] {
    let start = lines
        .iter()
        .position(|l| l.thread == "MainThread" && l.message == format!("--- {title}"))
        .unwrap_or_else(|| panic!("no section {title:?}"))
        + 1;
    let len = lines[start..]
        .iter()
        .position(|l| l.thread == "MainThread" && l.message.starts_with("--- "))
        .unwrap_or(lines.len() - start);
    &lines[start..start + len]
}

#[test]
fn log_lines_parse() {
    let line = parse("2026-11-25 10:00:00,123 INFO [worker-1] sleep 3").unwrap();
    assert_eq!(line.level, "INFO");
    assert_eq!(line.thread, "worker-1");
    assert_eq!(line.message, "sleep 3");
    assert_eq!(parse("worker-0worker-1"), None);
}

#[test]
fn ch05_main_stops_first_and_the_daemon_never_does() {
    let lines = run("05_daemon", true);
    let main_stopping = position(&lines, "MainThread", "stopping").expect("main stops");
    let worker1_stopping = position(&lines, "worker1", "stopping").expect("worker1 stops");
    assert!(
        main_stopping < worker1_stopping,
        "main's stopping must come first: {lines:#?}"
    );
    assert!(
        position(&lines, "worker2", "starting").is_some(),
        "{lines:#?}"
    );
    assert_eq!(
        position(&lines, "worker2", "stopping"),
        None,
        "the daemon was abandoned: {lines:#?}"
    );
}

#[test]
fn ch10_only_the_uncancelled_timer_fires() {
    let lines = run("10_timer", true);
    let fired: Vec<&Line> = lines
        .iter()
        .filter(|l| l.message == "worker running")
        .collect();
    assert_eq!(fired.len(), 1, "{lines:#?}");
    assert_eq!(fired[0].thread, "t2");
    assert!(position(&lines, "MainThread", "canceling t1").is_some());
    assert!(
        position(&lines, "MainThread", "end (cancelled in time: true)").is_some(),
        "{lines:#?}"
    );
}

/// The consumers' lines of one notify section, grouped by the producer's
/// item they follow: `(item, consumers that logged it)`.
fn deliveries(lines: &[Line]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in lines {
        if line.thread == "Producer" {
            out.push((line.message.clone(), Vec::new()));
        } else if line.thread.starts_with("Consumer-") {
            let (item, consumers) = out.last_mut().expect("a consumer line before any item");
            assert_eq!(&line.message, item, "a consumer logged another item");
            consumers.push(line.thread.clone());
        }
    }
    out
}

#[test]
fn ch14_notify_all_reaches_everyone_and_notify_one_reaches_one() {
    let lines = run("14_condition", false);

    let all = deliveries(section(
        &lines,
        "notify_all: every consumer sees every item",
    ));
    assert_eq!(all.len(), 4, "four items: {lines:#?}");
    for (item, mut consumers) in all {
        consumers.sort();
        assert_eq!(
            consumers,
            ["Consumer-0", "Consumer-1", "Consumer-2"],
            "item {item} with notify_all"
        );
    }

    let one = deliveries(section(&lines, "notify(1): one consumer per item"));
    assert_eq!(one.len(), 4, "four items: {lines:#?}");
    for (item, consumers) in one {
        assert_eq!(
            consumers.len(),
            1,
            "item {item} with notify(1): {consumers:?}"
        );
    }
    // The program ended: the consumers were told to leave.
    assert!(
        position(
            &lines,
            "MainThread",
            "--- every consumer has left: the program ends"
        )
        .is_some()
    );
}

/// The workers of a barrier section, each with what it logged on arriving:
/// `worker-i` must see `i` others already waiting.
fn arrivals_in_order(lines: &[Line]) {
    for i in 0..3 {
        let thread = format!("worker-{i}");
        let message = format!("waiting for barrier with {i} others");
        assert!(
            position(lines, &thread, &message).is_some(),
            "no [{thread}] {message}: {lines:#?}"
        );
    }
}

#[test]
fn ch15_every_waiter_sees_the_broken_barrier() {
    let lines = run("15_barrier", false);

    let met = section(&lines, "three workers, a barrier for three");
    arrivals_in_order(met);
    let mut indices: Vec<&str> = met
        .iter()
        .filter_map(|l| l.message.strip_prefix("after barrier "))
        .collect();
    indices.sort_unstable();
    assert_eq!(indices, ["0", "1", "2"], "{lines:#?}");

    let aborted = section(&lines, "three workers, a barrier for four, aborted");
    arrivals_in_order(aborted);
    let mut broken: Vec<&str> = aborted
        .iter()
        .filter(|l| l.message.starts_with("aborting"))
        .map(|l| l.thread.as_str())
        .collect();
    broken.sort_unstable();
    assert_eq!(broken, ["worker-0", "worker-1", "worker-2"], "{lines:#?}");
    assert!(
        !aborted
            .iter()
            .any(|l| l.message.starts_with("after barrier")),
        "{lines:#?}"
    );
    assert!(position(aborted, "MainThread", "broken = true").is_some());
}

#[test]
fn ch16_the_third_worker_waits_for_a_returned_connection() {
    let lines = run("16_semaphore", false);
    let waiting: Vec<&Line> = lines
        .iter()
        .filter(|l| l.message == "no free connection: waiting")
        .collect();
    assert_eq!(waiting.len(), 1, "exactly one worker waits: {lines:#?}");
    let third = &waiting[0].thread;

    let first_return = lines
        .iter()
        .position(|l| l.message.starts_with("return connect "))
        .expect("a connection is returned");
    let gets: Vec<(usize, &Line)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.message.starts_with("get connect "))
        .collect();
    assert_eq!(gets.len(), 3, "{lines:#?}");
    for (i, line) in gets {
        if &line.thread == third {
            assert!(
                i > first_return,
                "the third got a connection before any was returned"
            );
        } else {
            assert!(i < first_return, "{} got its connection late", line.thread);
        }
    }
    let third_starts = position(&lines, third, "starting").expect("the third starts");
    assert!(third_starts < first_return, "{lines:#?}");
}

/// The guide's chapter pages, `(stem, title)`, and the examples' stems.
fn chapters_and_examples() -> (Vec<(String, String)>, Vec<String>) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stems = |dir: &Path, ext: &str| -> Vec<String> {
        let mut stems: Vec<String> = std::fs::read_dir(dir)
            .expect("read the directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == ext))
            .filter_map(|p| p.file_stem()?.to_str().map(str::to_owned))
            .filter(|s| s.starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        stems.sort();
        stems
    };
    let guide = manifest.join("../../docs/guide");
    let pages = stems(&guide, "md")
        .into_iter()
        .map(|stem| {
            let text = std::fs::read_to_string(guide.join(format!("{stem}.md"))).unwrap();
            let title = text
                .lines()
                .find_map(|l| l.strip_prefix("# "))
                .unwrap()
                .to_owned();
            (stem, title)
        })
        .collect();
    (pages, stems(&manifest.join("examples"), "rs"))
}

#[test]
fn every_chapter_has_its_example_under_its_title() {
    let (pages, examples) = chapters_and_examples();
    let numbers: Vec<&str> = pages.iter().map(|(stem, _)| &stem[..2]).collect();
    let expected: Vec<String> = (1..=19).map(|n| format!("{n:02}")).collect();
    assert_eq!(numbers, expected, "one page per chapter, 1 to 19");

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (stem, title) in &pages {
        let number = &stem[..2];
        let mine: Vec<&String> = examples.iter().filter(|e| e.starts_with(number)).collect();
        if number == "01" || number == "18" {
            assert!(mine.is_empty(), "chapter {number} is prose only");
            continue;
        }
        assert_eq!(mine.len(), 1, "chapter {number} has one example: {mine:?}");
        let source = std::fs::read_to_string(manifest.join(format!("examples/{}.rs", mine[0])))
            .expect("read the example");
        let first = source.lines().next().unwrap_or_default();
        assert_eq!(
            first.strip_prefix("//! "),
            Some(title.as_str()),
            "example {} opens with its chapter's title",
            mine[0]
        );
    }
}

/// What each example not tested above must log, by thread: a line that
/// says the chapter did what it shows.
const CLAIMS: &[(&str, &[(&str, &str)])] = &[
    (
        "02_start",
        &[("Thread-1", "worker-0"), ("Thread-5", "worker-4")],
    ),
    (
        "03_arguments",
        &[("Thread-1", "(1, 2, 3)"), ("Thread-1", r#"{"a": "b"}"#)],
    ),
    (
        "04_names",
        &[
            ("MainThread", "the main thread is called MainThread"),
            ("workerthread-0", "worker-0"),
            ("workerthread-4", "worker-4"),
            (
                "MainThread",
                "made without a name, before it starts: Thread-1",
            ),
            ("Thread-1", "no name given"),
        ],
    ),
    (
        "06_join",
        &[
            (
                "MainThread",
                "join_timeout(0.5 s) on worker2: finished = false, is_alive() = true",
            ),
            ("worker2", "stopping"),
        ],
    ),
    ("07_enumerate", &[("MainThread", "active_count() = 3")]),
    (
        "08_local",
        &[
            ("MainThread", "5"),
            (
                "Thread-1",
                "ctx has no value in this thread (Python: AttributeError)",
            ),
        ],
    ),
    (
        "09_subclass",
        &[("mythread", r#"mythread run [1, 2, 3] {"a": "b"}"#)],
    ),
    (
        "11_event",
        &[
            ("Thread-1", "the event is set: stop"),
            ("timer-1", "run-hahaha"),
        ],
    ),
    (
        "12_lock",
        &[
            (
                "MainThread",
                "final value: -1 (two increments, three decrements)",
            ),
            (
                "MainThread",
                "second acquire, blocking=False: None (acquire() would wait forever)",
            ),
            ("MainThread", "second acquire, timeout=0.5: gave up"),
            ("other", "try_acquire() while main holds it: None"),
            ("other", "acquire_timeout(1 s): None"),
        ],
    ),
    (
        "13_rlock",
        &[
            (
                "MainThread",
                "acquired twice: recursion_count = 2, is_owned = true",
            ),
            (
                "Thread-1",
                "another thread: locked = true, is_owned = false, try_acquire = None",
            ),
            ("MainThread", "released twice: locked = false"),
        ],
    ),
    (
        "17_queue",
        &[
            ("Consumer", "the queue is shut down and empty: done"),
            (
                "MainThread",
                r#"put low, high, middle; LifoQueue gives ["middle", "high", "low"]"#,
            ),
            (
                "MainThread",
                r#"PriorityQueue gives [(1, "high"), (2, "middle"), (3, "low")]"#,
            ),
            ("MainThread", "join() returned: every job is done"),
            (
                "MainThread",
                r#"shutdown_immediate() handed back ["a", "b", "c"]"#,
            ),
        ],
    ),
    ("19_gil", &[("MainThread", "1 thread(s): ")]),
];

#[test]
fn every_other_example_runs_and_logs_its_claims() {
    let (_, examples) = chapters_and_examples();
    // The examples with a test of their own above.
    let covered = [
        "05_daemon",
        "10_timer",
        "14_condition",
        "15_barrier",
        "16_semaphore",
    ];
    let rest: Vec<&String> = examples
        .iter()
        .filter(|e| !covered.contains(&e.as_str()))
        .collect();
    for name in &rest {
        assert!(
            CLAIMS.iter().any(|(example, _)| example == name),
            "example {name} has no claims to check"
        );
    }
    std::thread::scope(|s| {
        for name in rest {
            s.spawn(move || {
                let lines = run(name, false);
                let (_, claims) = CLAIMS.iter().find(|(e, _)| e == name).expect("listed");
                for (thread, message) in *claims {
                    assert!(
                        lines
                            .iter()
                            .any(|l| &l.thread == thread && l.message.starts_with(message)),
                        "{name}: no line [{thread}] {message}: {lines:#?}"
                    );
                }
            });
        }
    });
}
