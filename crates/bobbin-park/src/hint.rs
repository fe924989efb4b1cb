//! Spin hints, from std or (under `--cfg bobbin_loom`) from loom, where a
//! spin is a yield to the model's scheduler.
//!
//! # Examples
//!
//! ```
//! bobbin_park::hint::spin_loop();
//! ```

/// Tells the processor that this thread is in a spin-wait loop.
///
/// Under `--cfg bobbin_loom` this yields to the model's scheduler, so a spin
/// loop cannot starve the thread it waits for.
///
/// # Examples
///
/// ```
/// use bobbin_park::hint::spin_loop;
/// use bobbin_park::sync::atomic::{AtomicBool, Ordering};
///
/// let ready = AtomicBool::new(true);
/// while !ready.load(Ordering::Acquire) {
///     spin_loop();
/// }
/// ```
#[inline]
pub fn spin_loop() {
    #[cfg(not(bobbin_loom))]
    #[allow(clippy::disallowed_methods)] // This is the seam.
    core::hint::spin_loop();
    #[cfg(bobbin_loom)]
    loom::hint::spin_loop();
}
