//! Where the queues keep their items: the [`Storage`] trait the lock-free
//! core waits on and its FIFO storage on crossbeam-queue ([`Fifo`]), and
//! the [`Collection`]s that the locked core keeps under bobbin's `Lock`
//! (`Vec` for LIFO, [`PriorityStore`] for priority).

mod fifo;
mod locked;
mod runs;

pub(crate) use fifo::Fifo;
pub(crate) use locked::Collection;
pub(crate) use runs::PriorityStore;

use core::any::Any;

/// What [`Storage::drain`] took: every item, in order, and the panic an
/// item's `Ord` raised while they were ordered, if one did.
pub(crate) struct Drained<T> {
    pub(crate) items: Vec<T>,
    pub(crate) panic: Option<Box<dyn Any + Send>>,
}

/// The items of a queue, in the order the queue gives them out.
///
/// Every method must be linearizable. `push` and `pop` may take a lock, but
/// `len`, `is_empty` and `is_full` must never block or park: they run inside
/// the parking lot's `validate` callback, where parking aborts the process.
///
/// Two wake-up handshakes (see the engine's docs) need one thing of the
/// storage's orderings each, or that all four methods go through one lock:
///
/// - `SimpleQueue`'s getters: a `push` that `is_empty` can see claims its
///   place with a `SeqCst` read-modify-write, and `is_empty` reads with
///   `SeqCst` loads.
/// - A bounded queue's putters: a `pop` that `is_full` can see frees its
///   place with a `SeqCst` read-modify-write, and `is_full` reads with
///   `SeqCst` loads.
///
/// crossbeam-queue 0.3.14 does: `SegQueue`'s push claims with a
/// compare-and-swap of the tail index and `is_empty` loads both indices;
/// `ArrayQueue`'s pop claims with a compare-and-swap of the head and
/// `is_full` loads both indices, all `SeqCst`. The counted list frees its
/// slot count with a `SeqCst` subtraction that `is_full` loads `SeqCst`,
/// and the model checker's `VecDeque` is under one mutex.
pub(crate) trait Storage {
    /// The item type.
    type Item;

    /// Empty storage for at most `maxsize` items (0: no bound).
    fn with_maxsize(maxsize: usize) -> Self;

    /// Adds an item, or gives it back if the storage is full.
    fn push(&self, item: Self::Item) -> Result<(), Self::Item>;

    /// Takes the next item, or `None` if the storage is empty.
    fn pop(&self) -> Option<Self::Item>;

    /// Takes every item, in order (an immediate shutdown). It never unwinds
    /// with items taken: a panic in the items' `Ord` comes back in
    /// [`Drained::panic`], once every item is out, so that the shutdown can
    /// finish first.
    fn drain(&self) -> Drained<Self::Item> {
        Drained {
            items: core::iter::from_fn(|| self.pop()).collect(),
            panic: None,
        }
    }

    /// How many items the storage holds.
    fn len(&self) -> usize;

    /// Whether the storage holds no item.
    fn is_empty(&self) -> bool;

    /// Whether a push would fail now.
    fn is_full(&self) -> bool;
}
