//! Where the queues keep their items: the [`Storage`] trait the shared core
//! waits on, the FIFO storage on crossbeam-queue ([`Fifo`]), and the LIFO
//! and priority storage under bobbin's `Lock` ([`Stack`], [`Heap`]).

mod fifo;
mod locked;

pub(crate) use fifo::Fifo;
pub(crate) use locked::{Heap, Stack};

/// The items of a queue, in the order the queue gives them out.
///
/// Every method must be linearizable. `push` and `pop` may take a lock, but
/// `len`, `is_empty` and `is_full` must never block or park: they run inside
/// the parking lot's `validate` callback, where parking aborts the process.
pub(crate) trait Storage {
    /// The item type.
    type Item;

    /// Empty storage for at most `maxsize` items (0: no bound).
    fn with_maxsize(maxsize: usize) -> Self;

    /// Adds an item, or gives it back if the storage is full.
    fn push(&self, item: Self::Item) -> Result<(), Self::Item>;

    /// Takes the next item, or `None` if the storage is empty.
    fn pop(&self) -> Option<Self::Item>;

    /// How many items the storage holds.
    fn len(&self) -> usize;

    /// Whether the storage holds no item.
    fn is_empty(&self) -> bool;

    /// Whether a push would fail now.
    fn is_full(&self) -> bool;
}
