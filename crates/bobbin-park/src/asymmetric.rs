//! Asymmetric fences: a nearly free [`light`] fence for a hot path, paired
//! with a costly [`heavy`] one for a rare path.
//!
//! Two threads that each store to one word and then load the other's (the
//! store-buffering pattern: a put that counts itself and then checks for a
//! shutdown, a shutdown that sets its flag and then reads the count) need a
//! full fence on both sides, or both loads may miss both stores. A full
//! fence costs a hot path as much as a read-modify-write. When one side is
//! rare, Linux's `membarrier(2)` moves the whole cost there: the heavy side
//! makes every running thread of the process execute a full fence, so the
//! light side only has to keep the compiler from reordering.
//!
//! The guarantee is that of `fence(SeqCst)` on both sides: if one thread
//! runs `A; light(); B` and another `C; heavy(); D`, where `A` and `C` are
//! stores and `B` and `D` loads, then `B` sees `C` or `D` sees `A` (or
//! both).
//!
//! # How it is done
//!
//! The fast form needs the process registered for expedited
//! `membarrier`, and registering a process that already has several threads
//! waits for an RCU grace period (12–20 ms measured here). So [`prepare`]
//! registers once per process, on a short-lived thread of its own, and
//! until that has succeeded [`light`] is a full fence. [`heavy`] waits for
//! a registration under way to end, so that it never runs the slow form
//! while a light fence may already be the fast one. Where `membarrier` is
//! missing (not Linux, an old kernel, a sandbox that forbids it), or under
//! Miri or the model cfg, both sides are full fences and the guarantee is
//! the same. A `fork` keeps the registration, as Linux keeps it in the
//! child; a child forked while the registration was under way never
//! completes it, and both its sides stay full fences (its heavy fences do
//! not wait for a registering thread that the fork did not copy).
//!
//! # Examples
//!
//! ```
//! use bobbin_park::asymmetric;
//! use bobbin_park::sync::atomic::{AtomicBool, Ordering};
//!
//! static FLAG: AtomicBool = AtomicBool::new(false);
//! static COUNT: AtomicBool = AtomicBool::new(false);
//!
//! asymmetric::prepare();
//! // The hot side: store, light fence, load.
//! COUNT.store(true, Ordering::Relaxed);
//! asymmetric::light();
//! let flag_seen = FLAG.load(Ordering::Relaxed);
//! // The rare side: store, heavy fence, load.
//! FLAG.store(true, Ordering::Relaxed);
//! asymmetric::heavy();
//! assert!(flag_seen || COUNT.load(Ordering::Relaxed));
//! ```

pub use imp::{heavy, light, prepare};

#[cfg(all(target_os = "linux", not(bobbin_loom), not(miri)))]
mod imp {
    use crate::sync::atomic::{AtomicU8, AtomicU32, Ordering, fence};
    use std::sync::atomic::compiler_fence;
    use std::time::Duration;

    /// [`STATE`]: no registration begun yet.
    const UNTRIED: u8 = 0;
    /// [`STATE`]: a registration is under way (or was attempted and will
    /// end in [`READY`] or [`UNAVAILABLE`]).
    const PENDING: u8 = 1;
    /// [`STATE`]: the process is registered; light fences are compiler
    /// fences and heavy ones call `membarrier`.
    const READY: u8 = 2;
    /// [`STATE`]: `membarrier` cannot be used here; both sides are full
    /// fences.
    const UNAVAILABLE: u8 = 3;

    /// Where the process's registration stands. Moves only forward:
    /// `UNTRIED` → `PENDING` → `READY` or `UNAVAILABLE`.
    static STATE: AtomicU8 = AtomicU8::new(UNTRIED);
    /// The process that began the registration (`std::process::id`). A
    /// child forked while it was under way keeps `PENDING` for good, with
    /// no thread to end it: there no light fence is ever the fast one, and
    /// a heavy fence must not wait.
    static REGISTRAR: AtomicU32 = AtomicU32::new(0);

    // From linux/membarrier.h.
    const MEMBARRIER_CMD_QUERY: libc::c_int = 0;
    const MEMBARRIER_CMD_PRIVATE_EXPEDITED: libc::c_int = 1 << 3;
    const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_int = 1 << 4;

    /// `membarrier(cmd, 0, 0)`: the kernel's result, or -1.
    fn membarrier(cmd: libc::c_int) -> libc::c_long {
        // SAFETY: membarrier(2) takes three integer arguments and touches no
        // memory of the caller's; any command the kernel does not know, or
        // one it refuses, returns -1 with errno set, never undefined
        // behaviour.
        unsafe {
            libc::syscall(
                libc::SYS_membarrier,
                cmd,
                0 as libc::c_uint,
                0 as libc::c_int,
            )
        }
    }

    /// Registers the process (run once, by the thread whose `prepare` moved
    /// `STATE` to `PENDING`): `READY` if the kernel offers private expedited
    /// `membarrier` and accepted the registration, else `UNAVAILABLE`.
    fn register() {
        let offered = membarrier(MEMBARRIER_CMD_QUERY);
        let ready = offered >= 0
            && offered & libc::c_long::from(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0
            && membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
        STATE.store(if ready { READY } else { UNAVAILABLE }, Ordering::Release);
    }

    /// Starts the process's registration for fast light fences, if no call
    /// has yet, on a thread of its own (it may take milliseconds); returns
    /// at once. Light fences are full fences until it has succeeded.
    ///
    /// # Examples
    ///
    /// See [the module](crate::asymmetric).
    pub fn prepare() {
        if STATE.load(Ordering::Relaxed) != UNTRIED {
            return;
        }
        REGISTRAR.store(std::process::id(), Ordering::Relaxed);
        // Acquire: a heavy fence that found no registration begun (see
        // `heavy`) happens before this one, and so before any light fence
        // that this registration makes fast. Release: a heavy fence that
        // reads `PENDING` sees `REGISTRAR`.
        if STATE
            .compare_exchange(UNTRIED, PENDING, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("bobbin-membarrier".into())
            .spawn(register);
        if spawned.is_err() {
            // No thread to spare: register on this one rather than never.
            register();
        }
    }

    /// The hot side's fence: keeps the compiler from moving memory accesses
    /// across it, and once the process is registered, nothing more; until
    /// then a full fence.
    ///
    /// # Examples
    ///
    /// See [the module](crate::asymmetric).
    #[inline]
    pub fn light() {
        // Acquire: see `heavy`.
        if STATE.load(Ordering::Acquire) == READY {
            compiler_fence(Ordering::SeqCst);
        } else {
            fence(Ordering::SeqCst);
        }
    }

    /// The rare side's fence: a full fence here and, once the process is
    /// registered, on every thread of the process that is running (one
    /// that is not has passed through the kernel, a full fence too). Waits
    /// for a registration under way to end first (milliseconds, once per
    /// process at most).
    ///
    /// # Panics
    ///
    /// If `membarrier` fails once the process is registered, which
    /// membarrier(2) rules out (it fails with `EPERM` only before
    /// registration): the pairing's guarantee would be lost.
    ///
    /// # Examples
    ///
    /// See [the module](crate::asymmetric).
    pub fn heavy() {
        fence(Ordering::SeqCst);
        // A read-modify-write reads the latest state. If no registration has
        // begun, the one that begins later reads this (release), and every
        // light fence it makes fast reads `READY` (acquire) after it: what
        // came before this fence happens before what follows those, and no
        // `membarrier` is needed. Otherwise wait for the registration to
        // end, so that every light fence that may be fast is met by a
        // `membarrier`; in a child forked while it was under way nothing
        // will end it, and no light fence is fast.
        let mut state = STATE.fetch_or(0, Ordering::AcqRel);
        while state == PENDING && REGISTRAR.load(Ordering::Relaxed) == std::process::id() {
            std::thread::sleep(Duration::from_micros(100));
            state = STATE.load(Ordering::Acquire);
        }
        if state == READY {
            let done = membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
            // Registered, the command cannot fail (membarrier(2): EPERM
            // only before registration).
            assert!(
                done == 0,
                "bobbin-park: membarrier failed after registration"
            );
        }
        fence(Ordering::SeqCst);
    }
}

#[cfg(not(all(target_os = "linux", not(bobbin_loom), not(miri))))]
mod imp {
    use crate::sync::atomic::{Ordering, fence};

    /// Nothing to prepare without `membarrier`.
    ///
    /// # Examples
    ///
    /// See [the module](crate::asymmetric).
    #[inline]
    pub fn prepare() {}

    /// A full fence, without `membarrier`.
    ///
    /// # Examples
    ///
    /// See [the module](crate::asymmetric).
    #[inline]
    pub fn light() {
        fence(Ordering::SeqCst);
    }

    /// A full fence, without `membarrier`.
    ///
    /// # Examples
    ///
    /// See [the module](crate::asymmetric).
    #[inline]
    pub fn heavy() {
        fence(Ordering::SeqCst);
    }
}
