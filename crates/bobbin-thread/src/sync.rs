//! The bobbin primitives this crate blocks on: bobbin-lock's `Lock` (the
//! registry, the `Local` stores) and bobbin-signal's `Event` (a thread's
//! start and end, a timer's cancellation).
//!
//! Its place: the bottom of the crate, beside `sys` and `error`.

pub(crate) use bobbin_lock::Lock;
pub(crate) use bobbin_signal::Event;
