//! The guide: a Python threading tutorial, redone in Rust, chapter by chapter.
//!
//! bobbin started from a Python threading tutorial (a Chinese blog post from
//! 2017, walking `threading` from `Thread` to `Queue` and ending on the
//! GIL). Each chapter here shows its Python, the Rust that does the same with
//! bobbin, and what the program prints. Every Rust block in these pages is a
//! doctest, and every chapter but the two prose ones has a program under
//! `crates/bobbin/examples/`, named after the chapter, that
//! `cargo xtask demo` runs in order.
//!
//! 1. [Concurrency and parallelism](ch01_concurrency)
//! 2. [Starting threads](ch02_start)
//! 3. [Passing arguments to a thread](ch03_arguments)
//! 4. [Naming threads](ch04_names)
//! 5. [Daemon and non-daemon threads](ch05_daemon)
//! 6. [Waiting for a thread: join](ch06_join)
//! 7. [Listing live threads: enumerate](ch07_enumerate)
//! 8. [Thread-local data: local](ch08_local)
//! 9. [Subclassing Thread: the Rust way](ch09_subclass)
//! 10. [Timer: run a function later](ch10_timer)
//! 11. [Event: one thread signals, others wait](ch11_event)
//! 12. [Lock: one thread at a time](ch12_lock)
//! 13. [RLock: a lock its owner may take again](ch13_rlock)
//! 14. [Condition: wait for a state, notify waiters](ch14_condition)
//! 15. [Barrier: meet, then go on together](ch15_barrier)
//! 16. [Semaphore: a fixed number of slots](ch16_semaphore)
//! 17. [Queue: hand items between threads](ch17_queue)
//! 18. [Which primitive when](ch18_summary)
//! 19. [The GIL: threads and CPU-bound work](ch19_gil)
//!
//! Chapters 11, 12, 14 and 17 also say where the tutorial's Python does not
//! work as printed, and how the Rust version avoids the mistake.

#[doc = include_str!("../guide/01_concurrency.md")]
pub mod ch01_concurrency {}

#[doc = include_str!("../guide/02_start.md")]
pub mod ch02_start {}

#[doc = include_str!("../guide/03_arguments.md")]
pub mod ch03_arguments {}

#[doc = include_str!("../guide/04_names.md")]
pub mod ch04_names {}

#[doc = include_str!("../guide/05_daemon.md")]
pub mod ch05_daemon {}

#[doc = include_str!("../guide/06_join.md")]
pub mod ch06_join {}

#[doc = include_str!("../guide/07_enumerate.md")]
pub mod ch07_enumerate {}

#[doc = include_str!("../guide/08_local.md")]
pub mod ch08_local {}

#[doc = include_str!("../guide/09_subclass.md")]
pub mod ch09_subclass {}

#[doc = include_str!("../guide/10_timer.md")]
pub mod ch10_timer {}

#[doc = include_str!("../guide/11_event.md")]
pub mod ch11_event {}

#[doc = include_str!("../guide/12_lock.md")]
pub mod ch12_lock {}

#[doc = include_str!("../guide/13_rlock.md")]
pub mod ch13_rlock {}

#[doc = include_str!("../guide/14_condition.md")]
pub mod ch14_condition {}

#[doc = include_str!("../guide/15_barrier.md")]
pub mod ch15_barrier {}

#[doc = include_str!("../guide/16_semaphore.md")]
pub mod ch16_semaphore {}

#[doc = include_str!("../guide/17_queue.md")]
pub mod ch17_queue {}

#[doc = include_str!("../guide/18_summary.md")]
pub mod ch18_summary {}

#[doc = include_str!("../guide/19_gil.md")]
pub mod ch19_gil {}
