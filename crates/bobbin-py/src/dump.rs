//! `bobbin.thread_dump()`: bobbin-thread's hang report for Python threads.
//!
//! A Python thread registers with bobbin-thread the first time it waits in
//! bobbin (see [`crate::wait`]), so bobbin-thread's report knows it by its
//! native id; this module names it from `threading.enumerate()`.

use pyo3::prelude::*;

/// One thread in bobbin.thread_dump(): who it is and, if it is blocked in
/// a bobbin primitive, in which operation, on which object and for how
/// long. Its str() reads: worker-1 (ident 140245, native 4102): blocked in
/// Queue.get on 0x55d1c0ffee10 for 2.003s
#[cfg_attr(
    any(doc, doctest),
    doc = r##"

# Examples

`thread_dump()` is called from Python: `print(*bobbin.thread_dump(),
sep="\n")`. A line reads:

```text
worker-1 (ident 140245, native 4102): blocked in Queue.get on 0x55d1c0ffee10 for 2.003s
```
"##
)]
#[pyclass(frozen, module = "bobbin", get_all)]
#[derive(Debug, Clone)]
pub struct ThreadStatus {
    /// The thread's name (Python's, for a Python thread).
    name: String,
    /// `threading.get_ident()` for a Python thread; bobbin's ident for a
    /// Rust thread.
    ident: Option<u64>,
    /// The kernel's thread id (`threading.get_native_id()`).
    native_id: Option<u64>,
    /// Whether it is a thread of Python's `threading.enumerate()`.
    python: bool,
    /// The operation it is blocked in (`"Lock.acquire"`, `"Queue.get"`),
    /// or `None` if it is not blocked in bobbin.
    blocked_in: Option<&'static str>,
    /// The address of the object it waits on.
    address: Option<usize>,
    /// How long it has been blocked, in seconds.
    waited: Option<f64>,
}

#[pymethods]
impl ThreadStatus {
    fn __str__(&self) -> String {
        let ident = self.ident.map_or("?".into(), |i| i.to_string());
        let native = self.native_id.map_or("?".into(), |i| i.to_string());
        let what = match (self.blocked_in, self.address, self.waited) {
            (Some(kind), Some(address), Some(waited)) => {
                format!("blocked in {kind} on {address:#x} for {waited:.3}s")
            }
            _ => "running".to_owned(),
        };
        format!("{} (ident {ident}, native {native}): {what}", self.name)
    }

    fn __repr__(&self) -> String {
        format!("<bobbin.ThreadStatus {}>", self.__str__())
    }
}

/// What every thread is doing: Python's threads (from
/// `threading.enumerate()`) and then any other thread bobbin knows (Rust
/// threads), each as a `ThreadStatus` saying whether it is blocked in a
/// bobbin primitive, in which operation, on what, and for how long.
/// Threads blocked in anything else (a `threading.Lock`, I/O) show as
/// running.
#[pyfunction]
#[pyo3(text_signature = "()")]
pub(crate) fn thread_dump(py: Python<'_>) -> PyResult<Vec<ThreadStatus>> {
    let report = bobbin_thread::thread_dump();
    let mut used = vec![false; report.threads().len()];
    let mut out = Vec::new();
    for thread in py
        .import("threading")?
        .call_method0("enumerate")?
        .try_iter()?
    {
        let thread = thread?;
        let native: Option<u64> = thread.getattr("native_id")?.extract()?;
        let found = report
            .threads()
            .iter()
            .enumerate()
            .find(|(_, t)| native.is_some() && t.thread().map(|r| r.native_id()) == native);
        let blocked = found.and_then(|(i, t)| {
            used[i] = true;
            t.blocked()
        });
        out.push(ThreadStatus {
            name: thread.getattr("name")?.extract()?,
            ident: thread.getattr("ident")?.extract()?,
            native_id: native,
            python: true,
            blocked_in: blocked.map(|b| b.kind()),
            address: blocked.map(|b| b.address()),
            waited: blocked.map(|b| b.waited().as_secs_f64()),
        });
    }
    for (i, t) in report.threads().iter().enumerate() {
        if used[i] {
            continue;
        }
        let blocked = t.blocked();
        out.push(ThreadStatus {
            name: t.name().to_owned(),
            ident: t.thread().map(|r| r.ident()),
            native_id: t.thread().map(|r| r.native_id()),
            python: false,
            blocked_in: blocked.map(|b| b.kind()),
            address: blocked.map(|b| b.address()),
            waited: blocked.map(|b| b.waited().as_secs_f64()),
        });
    }
    Ok(out)
}
