//! The three facts about the process that std does not give: the kernel's id
//! for the calling thread, whether it is the process's main thread, and a
//! hook that runs when the process exits.
//!
//! Its place: the bottom of the crate. It asks the OS and nothing in the
//! crate; where the OS has no answer it says so (`None`), and the module
//! above (`ident`) decides what stands in.
//!
//! This module holds the crate's only `unsafe` code: two calls into the C
//! library, each a plain FFI call with no pointer arguments.

#![allow(unsafe_code)] // FFI: gettid and atexit, which std does not wrap.

/// The kernel's id for the calling thread (`gettid` on Linux), what `top -H`
/// and `/proc/self/task` show: Python's `threading.get_native_id()`.
#[cfg(target_os = "linux")]
pub(crate) fn native_id() -> Option<u64> {
    // SAFETY: `gettid` takes no arguments, touches no memory of ours and
    // cannot fail (gettid(2)); the libc binding is `unsafe` only because every
    // foreign call is.
    let tid = unsafe { libc::gettid() };
    u64::try_from(tid).ok()
}

/// Elsewhere bobbin knows no kernel id for a thread; the caller lets the
/// ident stand in.
#[cfg(not(target_os = "linux"))]
pub(crate) fn native_id() -> Option<u64> {
    None
}

/// The native id of the main thread, known from any thread: on Linux the
/// main thread's id is the process id.
#[cfg(target_os = "linux")]
pub(crate) fn main_native_id() -> Option<u64> {
    Some(u64::from(std::process::id()))
}

/// Elsewhere bobbin knows no kernel id for the main thread either.
#[cfg(not(target_os = "linux"))]
pub(crate) fn main_native_id() -> Option<u64> {
    None
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
        assert_ne!(here, Some(0));
        assert_eq!(native_id(), here);
        let there = std::thread::spawn(native_id).join().unwrap();
        if here.is_some() {
            assert_ne!(there, here);
        }
    }
}
