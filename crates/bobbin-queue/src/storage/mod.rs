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
/// `SimpleQueue`'s wake-up handshake (see the engine's docs) needs one
/// thing of the storage's orderings: a `push` that `is_empty` can see
/// claims its place with a `SeqCst` read-modify-write, and `is_empty` reads
/// with `SeqCst` loads, or both go through one lock. crossbeam-queue's
/// `SegQueue` (0.3.14: the tail index's compare-and-swap in `push`, the two
/// index loads in `is_empty`) and the model checker's mutex-held `VecDeque`
/// do.
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
