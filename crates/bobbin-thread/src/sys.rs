//! The three facts about the process that std does not give: the kernel's id
//! for the calling thread, whether it is the process's main thread, and a
//! hook that runs when the process exits.
//!
//! This module holds the crate's only `unsafe` code: two calls into the C
//! library, each a plain FFI call with no pointer arguments.

#![allow(unsafe_code)] // FFI: gettid and atexit, which std does not wrap.

/// The kernel's id for the calling thread (`gettid` on Linux), what `top -H`
/// and `/proc/self/task` show: Python's `threading.get_native_id()`.
#[cfg(target_os = "linux")]
pub(crate) fn native_id() -> u64 {
    // SAFETY: `gettid` takes no arguments, touches no memory of ours and
    // cannot fail (gettid(2)); the libc binding is `unsafe` only because every
    // foreign call is.
    let tid = unsafe { libc::gettid() };
    u64::try_from(tid).unwrap_or_default()
}

/// Without `gettid`, the process-unique ident stands in for the native id.
#[cfg(not(target_os = "linux"))]
pub(crate) fn native_id() -> u64 {
    crate::registry::get_ident()
}

/// The native id of the main thread, known from any thread: on Linux the
/// main thread's id is the process id.
#[cfg(target_os = "linux")]
pub(crate) fn main_native_id() -> u64 {
    u64::from(std::process::id())
}

/// Without `gettid`, the main thread's ident stands in for its native id.
#[cfg(not(target_os = "linux"))]
pub(crate) fn main_native_id() -> u64 {
    crate::registry::MAIN_IDENT
}

/// Whether the calling thread is the process's main thread: on Linux, the
/// thread whose kernel id is the process id.
#[cfg(target_os = "linux")]
pub(crate) fn is_main_thread() -> bool {
    native_id() == main_native_id()
}

/// Whether the calling thread is the process's main thread: elsewhere, the
/// thread std has named `main` (which a thread named so by hand fools).
#[cfg(not(target_os = "linux"))]
pub(crate) fn is_main_thread() -> bool {
    std::thread::current().name() == Some("main")
}

/// Arranges for `hook` to run when the process exits through the C
/// library's `exit`: when `main` returns, or on `std::process::exit`.
///
/// Returns false if the hook could not be registered (the C library's table
/// of exit handlers is full), or where there is no such hook: under Miri,
/// which does not run exit handlers, and under the loom model.
pub(crate) fn at_exit(hook: extern "C" fn()) -> bool {
    #[cfg(any(miri, bobbin_loom))]
    {
        let _ = hook;
        false
    }
    #[cfg(not(any(miri, bobbin_loom)))]
    {
        // SAFETY: `atexit` stores a function pointer to call at exit. `hook`
        // is a `'static` function with the C ABI and no arguments, as
        // atexit(3) requires, and it never unwinds into the C library (it
        // catches every panic and aborts).
        unsafe { libc::atexit(hook) == 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_thread_is_not_main() {
        // The test harness runs every test on a thread of its own.
        assert!(!is_main_thread());
    }

    #[test]
    fn native_ids_differ_between_threads() {
        let here = native_id();
        assert_ne!(here, 0);
        assert_eq!(native_id(), here);
        let there = std::thread::spawn(native_id).join().unwrap();
        assert_ne!(there, here);
    }
}
