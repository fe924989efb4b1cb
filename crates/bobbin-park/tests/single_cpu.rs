//! `single_cpu`: a thread pinned to one CPU before the first call sees a
//! single CPU, and spinning then stops at once. A file of its own: the
//! answer is kept for the whole process from the first call on.

#![cfg(all(target_os = "linux", not(bobbin_loom), not(miri)))]

use bobbin_park::{SpinWait, single_cpu};

/// Pins the calling thread to the CPU it runs on; false if the system
/// refused.
fn pin_to_this_cpu() -> bool {
    // SAFETY: `sched_getcpu` takes no arguments and only reads the CPU.
    let Ok(cpu) = usize::try_from(unsafe { libc::sched_getcpu() }) else {
        return false;
    };
    // SAFETY: `cpu_set_t` is a plain bit array, valid all zeros.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid, exclusively borrowed `cpu_set_t`, and
    // `CPU_SET` ignores a CPU number beyond its size.
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: pid 0 is the calling thread; `set` is a valid `cpu_set_t` of
    // the size passed, which the call only reads.
    unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &raw const set) == 0 }
}

#[test]
fn a_thread_pinned_to_one_cpu_sees_a_single_cpu_and_does_not_spin() {
    assert!(pin_to_this_cpu(), "sched_setaffinity failed");
    assert!(single_cpu());
    // The other thread cannot finish while this one spins: no spinning.
    let mut spin = SpinWait::new();
    assert!(!spin.spin_no_yield());
    // `spin` only yields, and still gives up after its usual rounds.
    let mut spin = SpinWait::new();
    let mut rounds = 0;
    while spin.spin() {
        rounds += 1;
    }
    assert!(rounds < 10, "{rounds} rounds");
}
