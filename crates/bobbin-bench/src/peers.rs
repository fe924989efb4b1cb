//! The peers that are not a crate's own type: the textbook primitives a Rust
//! programmer writes from a mutex and a condition variable, once over std's
//! and once over parking_lot's, and the floors (a spin lock on one atomic).
//!
//! Each is written the way its documentation teaches (a predicate loop
//! around `wait`, a notification after every state change, as CPython's
//! `threading` and `queue` modules do) and none is slowed on purpose: the
//! best of the two families is the yardstick of the report.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::spin_loop;
use std::ops::DerefMut;
use std::sync::atomic::{AtomicBool, Ordering};

/// A mutex and a condition variable from one library, so that each textbook
/// primitive below is written once and built over std's and parking_lot's.
pub(crate) trait Sys: 'static {
    /// The mutex.
    type Mutex<T: Send>: Send + Sync;
    /// The mutex's guard.
    type Guard<'a, T: Send + 'a>: DerefMut<Target = T>;
    /// The condition variable.
    type Condvar: Send + Sync;

    /// A mutex holding `value`.
    fn mutex<T: Send>(value: T) -> Self::Mutex<T>;
    /// A condition variable.
    fn condvar() -> Self::Condvar;
    /// Locks `m`.
    fn lock<T: Send>(m: &Self::Mutex<T>) -> Self::Guard<'_, T>;
    /// Waits on `cv`, releasing the lock meanwhile.
    fn wait<'a, T: Send>(cv: &Self::Condvar, guard: Self::Guard<'a, T>) -> Self::Guard<'a, T>;
    /// Wakes one waiter.
    fn notify_one(cv: &Self::Condvar);
    /// Wakes every waiter.
    fn notify_all(cv: &Self::Condvar);
}

/// `std::sync::{Mutex, Condvar}`.
#[derive(Debug)]
pub(crate) enum Std {}

impl Sys for Std {
    type Mutex<T: Send> = std::sync::Mutex<T>;
    type Guard<'a, T: Send + 'a> = std::sync::MutexGuard<'a, T>;
    type Condvar = std::sync::Condvar;

    fn mutex<T: Send>(value: T) -> Self::Mutex<T> {
        std::sync::Mutex::new(value)
    }

    fn condvar() -> Self::Condvar {
        std::sync::Condvar::new()
    }

    #[inline]
    fn lock<T: Send>(m: &Self::Mutex<T>) -> Self::Guard<'_, T> {
        // A poisoned mutex means a check failed in another thread, whose
        // panic the harness reports; carry on rather than panic twice.
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[inline]
    fn wait<'a, T: Send>(cv: &Self::Condvar, guard: Self::Guard<'a, T>) -> Self::Guard<'a, T> {
        cv.wait(guard)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[inline]
    fn notify_one(cv: &Self::Condvar) {
        cv.notify_one();
    }

    #[inline]
    fn notify_all(cv: &Self::Condvar) {
        cv.notify_all();
    }
}

/// `parking_lot::{Mutex, Condvar}`.
#[derive(Debug)]
pub(crate) enum Pl {}

impl Sys for Pl {
    type Mutex<T: Send> = parking_lot::Mutex<T>;
    type Guard<'a, T: Send + 'a> = parking_lot::MutexGuard<'a, T>;
    type Condvar = parking_lot::Condvar;

    fn mutex<T: Send>(value: T) -> Self::Mutex<T> {
        parking_lot::Mutex::new(value)
    }

    fn condvar() -> Self::Condvar {
        parking_lot::Condvar::new()
    }

    #[inline]
    fn lock<T: Send>(m: &Self::Mutex<T>) -> Self::Guard<'_, T> {
        m.lock()
    }

    #[inline]
    fn wait<'a, T: Send>(cv: &Self::Condvar, mut guard: Self::Guard<'a, T>) -> Self::Guard<'a, T> {
        cv.wait(&mut guard);
        guard
    }

    #[inline]
    fn notify_one(cv: &Self::Condvar) {
        cv.notify_one();
    }

    #[inline]
    fn notify_all(cv: &Self::Condvar) {
        cv.notify_all();
    }
}

/// A test-and-test-and-set spin lock on one `AtomicBool`: the floor of an
/// uncontended acquire+release (one compare-and-swap and one store, with
/// nothing to check for waiters).
#[derive(Debug, Default)]
pub(crate) struct SpinLock {
    locked: AtomicBool,
}

impl SpinLock {
    /// Acquires the lock, spinning while it is held.
    #[inline]
    pub(crate) fn lock(&self) -> SpinGuard<'_> {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            while self.locked.load(Ordering::Relaxed) {
                spin_loop();
            }
        }
        SpinGuard { lock: self }
    }

    /// Whether the lock is held.
    pub(crate) fn is_locked(&self) -> bool {
        self.locked.load(Ordering::Relaxed)
    }
}

/// Holds a [`SpinLock`] until dropped.
#[derive(Debug)]
#[must_use = "if unused the lock will immediately unlock"]
pub(crate) struct SpinGuard<'a> {
    lock: &'a SpinLock,
}

impl Drop for SpinGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
    }
}

/// Python's `threading.Event` as a Rust programmer writes it: a `bool`
/// under a mutex and a condition variable (CPython's own `Event` is exactly
/// this, over its `Condition`).
pub(crate) struct CondvarEvent<S: Sys> {
    flag: S::Mutex<bool>,
    changed: S::Condvar,
}

impl<S: Sys> CondvarEvent<S> {
    /// A clear event.
    pub(crate) fn new() -> Self {
        CondvarEvent {
            flag: S::mutex(false),
            changed: S::condvar(),
        }
    }

    /// Sets the flag and wakes every waiter.
    pub(crate) fn set(&self) {
        *S::lock(&self.flag) = true;
        S::notify_all(&self.changed);
    }

    /// Clears the flag.
    pub(crate) fn clear(&self) {
        *S::lock(&self.flag) = false;
    }

    /// Waits until the flag is set.
    pub(crate) fn wait(&self) {
        let mut flag = S::lock(&self.flag);
        while !*flag {
            flag = S::wait(&self.changed, flag);
        }
    }
}

/// A counting semaphore from a mutex and a condition variable (CPython's
/// `threading.Semaphore` is this, over its `Condition`).
pub(crate) struct CondvarSemaphore<S: Sys> {
    permits: S::Mutex<usize>,
    released: S::Condvar,
}

impl<S: Sys> CondvarSemaphore<S> {
    /// A semaphore with `permits` permits.
    pub(crate) fn new(permits: usize) -> Self {
        CondvarSemaphore {
            permits: S::mutex(permits),
            released: S::condvar(),
        }
    }

    /// Takes a permit, waiting until one is free.
    pub(crate) fn acquire(&self) {
        let mut permits = S::lock(&self.permits);
        while *permits == 0 {
            permits = S::wait(&self.released, permits);
        }
        *permits -= 1;
    }

    /// Returns a permit and wakes one waiter.
    pub(crate) fn release(&self) {
        *S::lock(&self.permits) += 1;
        S::notify_one(&self.released);
    }
}

/// The storage of a [`MonitorQueue`]: where items go and in which order
/// they leave.
pub(crate) trait Store<T>: Send {
    /// An empty store.
    fn new() -> Self;
    /// Adds an item.
    fn push(&mut self, item: T);
    /// Removes the next item, if any.
    fn pop(&mut self) -> Option<T>;
    /// How many items it holds.
    fn len(&self) -> usize;
}

impl<T: Send> Store<T> for VecDeque<T> {
    fn new() -> Self {
        VecDeque::new()
    }

    #[inline]
    fn push(&mut self, item: T) {
        self.push_back(item);
    }

    #[inline]
    fn pop(&mut self) -> Option<T> {
        self.pop_front()
    }

    #[inline]
    fn len(&self) -> usize {
        VecDeque::len(self)
    }
}

impl<T: Send> Store<T> for Vec<T> {
    fn new() -> Self {
        Vec::new()
    }

    #[inline]
    fn push(&mut self, item: T) {
        Vec::push(self, item);
    }

    #[inline]
    fn pop(&mut self) -> Option<T> {
        Vec::pop(self)
    }

    #[inline]
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

/// A min-heap: the smallest item leaves first, as from Python's
/// `PriorityQueue`.
impl<T: Ord + Send> Store<T> for BinaryHeap<Reverse<T>> {
    fn new() -> Self {
        BinaryHeap::new()
    }

    #[inline]
    fn push(&mut self, item: T) {
        BinaryHeap::push(self, Reverse(item));
    }

    #[inline]
    fn pop(&mut self) -> Option<T> {
        BinaryHeap::pop(self).map(|Reverse(item)| item)
    }

    #[inline]
    fn len(&self) -> usize {
        BinaryHeap::len(self)
    }
}

/// A min-heap that also keeps equal items in put order, the promise of
/// bobbin's `PriorityQueue` (and not of `BinaryHeap`): each item is stored
/// with the number of its put, which breaks ties.
pub(crate) struct StableHeap<T> {
    heap: BinaryHeap<Reverse<(T, u64)>>,
    puts: u64,
}

impl<T: Ord + Send> Store<T> for StableHeap<T> {
    fn new() -> Self {
        StableHeap {
            heap: BinaryHeap::new(),
            puts: 0,
        }
    }

    #[inline]
    fn push(&mut self, item: T) {
        self.heap.push(Reverse((item, self.puts)));
        self.puts += 1;
    }

    #[inline]
    fn pop(&mut self) -> Option<T> {
        self.heap.pop().map(|Reverse((item, _))| item)
    }

    #[inline]
    fn len(&self) -> usize {
        self.heap.len()
    }
}

/// A blocking queue from a mutex and condition variables: CPython's
/// `queue.Queue` design (`not_empty`, and `not_full` when bounded), as a
/// Rust programmer writes it without a channel crate.
pub(crate) struct MonitorQueue<S: Sys, Q: Send> {
    items: S::Mutex<Q>,
    not_empty: S::Condvar,
    not_full: S::Condvar,
    capacity: Option<usize>,
}

impl<S: Sys, Q: Send> MonitorQueue<S, Q> {
    /// A queue holding at most `capacity` items, or any number for `None`.
    pub(crate) fn new<T>(capacity: Option<usize>) -> Self
    where
        Q: Store<T>,
    {
        MonitorQueue {
            items: S::mutex(Q::new()),
            not_empty: S::condvar(),
            not_full: S::condvar(),
            capacity,
        }
    }

    /// Adds an item, waiting while the queue is full.
    pub(crate) fn put<T>(&self, item: T)
    where
        Q: Store<T>,
    {
        let mut items = S::lock(&self.items);
        if let Some(capacity) = self.capacity {
            while items.len() >= capacity {
                items = S::wait(&self.not_full, items);
            }
        }
        items.push(item);
        drop(items);
        S::notify_one(&self.not_empty);
    }

    /// Removes an item, waiting while the queue is empty.
    pub(crate) fn get<T>(&self) -> T
    where
        Q: Store<T>,
    {
        let mut items = S::lock(&self.items);
        let item = loop {
            if let Some(item) = items.pop() {
                break item;
            }
            items = S::wait(&self.not_empty, items);
        };
        drop(items);
        if self.capacity.is_some() {
            S::notify_one(&self.not_full);
        }
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue_order<S: Sys>() {
        let fifo = MonitorQueue::<S, VecDeque<u64>>::new(Some(4));
        let lifo = MonitorQueue::<S, Vec<u64>>::new(None);
        let heap = MonitorQueue::<S, BinaryHeap<Reverse<u64>>>::new(None);
        for v in [3, 1, 2] {
            fifo.put(v);
            lifo.put(v);
            heap.put(v);
        }
        assert_eq!([fifo.get(), fifo.get(), fifo.get()], [3, 1, 2]);
        assert_eq!([lifo.get(), lifo.get(), lifo.get()], [2, 1, 3]);
        assert_eq!([heap.get(), heap.get(), heap.get()], [1, 2, 3]);
    }

    #[test]
    fn monitor_queues_keep_their_order() {
        queue_order::<Std>();
        queue_order::<Pl>();
    }

    fn event_and_semaphore<S: Sys>() {
        let event = CondvarEvent::<S>::new();
        event.set();
        event.wait();
        event.clear();
        let sem = CondvarSemaphore::<S>::new(1);
        std::thread::scope(|s| {
            s.spawn(|| event.wait());
            sem.acquire();
            s.spawn(|| {
                sem.acquire();
                sem.release();
            });
            sem.release();
            event.set();
        });
        assert_eq!(*S::lock(&sem.permits), 1);
    }

    #[test]
    fn condvar_event_and_semaphore_work() {
        event_and_semaphore::<Std>();
        event_and_semaphore::<Pl>();
    }

    #[test]
    fn spin_lock_excludes() {
        let lock = SpinLock::default();
        let guard = lock.lock();
        assert!(lock.is_locked());
        drop(guard);
        assert!(!lock.is_locked());
    }
}
