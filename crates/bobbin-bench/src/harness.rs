//! The harness: workloads, their implementations, and the loop that times
//! them.
//!
//! A workload is one question ("what does an uncontended acquire+release
//! cost?") answered by several implementations that do exactly the same
//! work: bobbin's, its Rust peers', and reference floors. Each
//! implementation is a function that runs `ops` operations, checks that the
//! work was really done (the counter reached its target, the sum received
//! equals the sum sent) and returns the time the operations took, excluding
//! thread spawning. Within a workload the harness alternates the
//! implementations (a different one starts each repetition), so that drift
//! of the machine's load hits all of them alike, and keeps every repetition
//! as a sample; [`crate::stats`] turns the samples into medians and spread.

use std::sync::Barrier;
use std::time::{Duration, Instant};

/// What an implementation is, for the ratios of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// One of bobbin's primitives: the rows the goal is about.
    Bobbin,
    /// A Rust peer, as its documentation recommends: the best (lowest
    /// median) of these is the yardstick of every ratio.
    Peer,
    /// A floor or other reference that is not a peer (a spin lock on one
    /// atomic, a bare `fetch_add`, one thread of a scaling job): shown for
    /// scale, never the yardstick.
    Reference,
    /// A peer without what the workload adds to it (a channel without the
    /// task count of Python's `task_done`/`join`): not the yardstick, but
    /// the best of these is a second bound bobbin must stay near
    /// ([`crate::report::PLAIN_BOUND`]).
    Plain,
    /// CPython 3.13 running the same workload (`python/bench.py`).
    CPython,
    /// bobbin's Python module (`crates/bobbin-py`) running the same
    /// workload in CPython 3.13 (`python/bench.py`'s `bobbin.<Type>`
    /// rows): compared with CPython's own type ([`crate::frompython`]).
    BobbinPy,
}

/// One implementation of a workload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Impl {
    /// Its name in the report, unique within its workload.
    pub(crate) name: &'static str,
    /// Bobbin's, a peer's, or a reference.
    pub(crate) kind: Kind,
    /// Runs the given number of operations, panics if the result is wrong,
    /// and returns the time they took.
    pub(crate) run: fn(u64) -> Duration,
    /// For a bobbin row, the CPython row it is compared with, when that is
    /// not the workload's first (`queue.SimpleQueue` for `SimpleQueue`).
    pub(crate) python: Option<&'static str>,
}

impl Impl {
    /// An implementation of bobbin.
    pub(crate) const fn bobbin(name: &'static str, run: fn(u64) -> Duration) -> Impl {
        Impl {
            name,
            kind: Kind::Bobbin,
            run,
            python: None,
        }
    }

    /// The same implementation, compared with the CPython row named
    /// `python` rather than the workload's first.
    pub(crate) const fn vs_python(self, python: &'static str) -> Impl {
        Impl {
            python: Some(python),
            ..self
        }
    }

    /// An implementation of a Rust peer.
    pub(crate) const fn peer(name: &'static str, run: fn(u64) -> Duration) -> Impl {
        Impl {
            name,
            kind: Kind::Peer,
            run,
            python: None,
        }
    }

    /// A peer without what the workload adds ([`Kind::Plain`]).
    pub(crate) const fn plain(name: &'static str, run: fn(u64) -> Duration) -> Impl {
        Impl {
            name,
            kind: Kind::Plain,
            run,
            python: None,
        }
    }

    /// A reference implementation (a floor), never the yardstick.
    pub(crate) const fn reference(name: &'static str, run: fn(u64) -> Duration) -> Impl {
        Impl {
            name,
            kind: Kind::Reference,
            run,
            python: None,
        }
    }
}

/// One workload: a question and the implementations that answer it.
#[derive(Debug, Clone)]
pub(crate) struct Workload {
    /// Its name, as in issue 8's table and the CPython script.
    pub(crate) name: &'static str,
    /// What one operation is ("acquire+release", "round trip").
    pub(crate) op: &'static str,
    /// How the report prints a time: in nanoseconds or microseconds.
    pub(crate) scale: Scale,
    /// What the workload does, in a sentence for the report.
    pub(crate) about: &'static str,
    /// Operations per sample in a full run (a quick pass runs a tenth).
    pub(crate) ops: u64,
    /// The implementations, bobbin's first.
    pub(crate) impls: Vec<Impl>,
}

/// The unit a workload's times are printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Nanoseconds.
    Nanos,
    /// Microseconds.
    Micros,
}

impl Scale {
    /// The unit's symbol.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Scale::Nanos => "ns",
            Scale::Micros => "µs",
        }
    }

    /// A time in nanoseconds, in this unit, with as many decimals as make
    /// sense for its size.
    pub(crate) fn format(self, nanos: f64) -> String {
        let v = match self {
            Scale::Nanos => nanos,
            Scale::Micros => nanos / 1_000.0,
        };
        if v >= 100.0 {
            format!("{v:.0}")
        } else if v >= 10.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.2}")
        }
    }
}

/// The samples of one implementation, in nanoseconds per operation.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The implementation's name.
    pub(crate) name: String,
    /// Bobbin's, a peer's, or a reference.
    pub(crate) kind: Kind,
    /// One value per repetition.
    pub(crate) samples: Vec<f64>,
    /// For a bobbin row, the CPython row it is compared with (`None`: the
    /// workload's first CPython row).
    pub(crate) python: Option<String>,
}

/// How much to run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Repetitions of every implementation.
    pub(crate) reps: usize,
    /// Multiplies every workload's operation count.
    pub(crate) scale: f64,
}

impl Plan {
    /// The operations per sample for `workload` (at least one).
    pub(crate) fn ops(&self, workload: &Workload) -> u64 {
        ((workload.ops as f64 * self.scale) as u64).max(1)
    }
}

/// Runs every implementation of `workload` (those `only` keeps) `plan.reps`
/// times, alternating them: repetition `r` starts with implementation `r`
/// (modulo their number) and goes round. One untimed warm-up run of each,
/// at a quarter of the operations, comes first.
pub(crate) fn measure(
    workload: &Workload,
    plan: Plan,
    only: &dyn Fn(&Impl) -> bool,
    progress: &mut dyn FnMut(&Impl, f64),
) -> Vec<Row> {
    let impls: Vec<&Impl> = workload.impls.iter().filter(|i| only(i)).collect();
    let ops = plan.ops(workload);
    for imp in &impls {
        (imp.run)((ops / 4).max(1));
    }
    let mut rows: Vec<Row> = impls
        .iter()
        .map(|i| Row {
            name: i.name.to_owned(),
            kind: i.kind,
            samples: Vec::with_capacity(plan.reps),
            python: i.python.map(str::to_owned),
        })
        .collect();
    for rep in 0..plan.reps {
        for k in 0..impls.len() {
            let i = (rep + k) % impls.len();
            let took = (impls[i].run)(ops);
            let per_op = took.as_nanos() as f64 / ops as f64;
            rows[i].samples.push(per_op);
            progress(impls[i], per_op);
        }
    }
    rows
}

/// Runs `f(0)`, …, `f(threads - 1)` on scoped threads that start together
/// and returns the time from their start to the end of the last one (see
/// [`timed_tasks`]).
pub(crate) fn timed_threads<F>(threads: usize, f: F) -> Duration
where
    F: Fn(usize) + Sync,
{
    let f = &f;
    timed_tasks((0..threads).map(|i| task(move || f(i))).collect())
}

/// A task for [`timed_tasks`].
pub(crate) type Task<'a> = Box<dyn FnOnce() + Send + 'a>;

/// Boxes a closure as a [`Task`].
pub(crate) fn task<'a>(f: impl FnOnce() + Send + 'a) -> Task<'a> {
    Box::new(f)
}

/// Runs each task on its own scoped thread, all starting together, and
/// returns the time from the first one's start to the last one's end.
///
/// The threads are spawned and held at a start line first, so spawning is
/// not timed. Each thread reads the clock itself when it leaves the start
/// line and when its task ends: on a machine with few cores the spawning
/// thread may not run again until the workers are done, so its own clock
/// would start late.
pub(crate) fn timed_tasks(tasks: Vec<Task<'_>>) -> Duration {
    let start_line = Barrier::new(tasks.len());
    let spans: Vec<(Instant, Instant)> = std::thread::scope(|s| {
        let threads: Vec<_> = tasks
            .into_iter()
            .map(|t| {
                let start_line = &start_line;
                s.spawn(move || {
                    start_line.wait();
                    let start = Instant::now();
                    t();
                    (start, Instant::now())
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| match t.join() {
                Ok(span) => span,
                // A failed check: report it as the task's own panic.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    let first = spans.iter().map(|s| s.0).min();
    let last = spans.iter().map(|s| s.1).max();
    match (first, last) {
        (Some(first), Some(last)) => last.duration_since(first),
        _ => Duration::ZERO,
    }
}

/// Times `f` on the current thread.
pub(crate) fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// Splits `total` operations among `parts` workers: worker `i` gets its
/// share, the first ones one more when it does not divide evenly.
pub(crate) fn share(total: u64, parts: usize, i: usize) -> u64 {
    let parts = parts as u64;
    let i = i as u64;
    total / parts + u64::from(i < total % parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn shares_add_up_to_the_total() {
        for total in [0, 1, 7, 100, 1001] {
            for parts in 1..6 {
                let sum: u64 = (0..parts).map(|i| share(total, parts, i)).sum();
                assert_eq!(sum, total, "total {total}, parts {parts}");
            }
        }
    }

    #[test]
    fn timed_threads_runs_every_worker_once() {
        let seen = AtomicU64::new(0);
        timed_threads(4, |i| {
            seen.fetch_add(1 << (8 * i), Ordering::Relaxed);
        });
        assert_eq!(seen.into_inner(), 0x0101_0101);
    }

    #[test]
    fn measure_alternates_and_keeps_every_sample() {
        static ORDER: AtomicU64 = AtomicU64::new(0);
        fn a(_: u64) -> Duration {
            ORDER.fetch_add(1, Ordering::Relaxed);
            Duration::from_nanos(10)
        }
        fn b(_: u64) -> Duration {
            ORDER.fetch_add(1 << 16, Ordering::Relaxed);
            Duration::from_nanos(30)
        }
        let workload = Workload {
            name: "w",
            op: "op",
            scale: Scale::Nanos,
            about: "",
            ops: 10,
            impls: vec![Impl::bobbin("a", a), Impl::peer("b", b)],
        };
        let mut order = Vec::new();
        let plan = Plan {
            reps: 3,
            scale: 1.0,
        };
        let rows = measure(&workload, plan, &|_| true, &mut |i, _| order.push(i.name));
        assert_eq!(order, ["a", "b", "b", "a", "a", "b"]);
        assert_eq!(rows[0].samples, [1.0; 3]);
        assert_eq!(rows[1].samples, [3.0; 3]);
        // One warm-up run each plus three timed ones.
        assert_eq!(ORDER.load(Ordering::Relaxed), 4 + (4 << 16));
    }
}
