//! The [`Collection`]s that
//! [`LockedCore`](crate::locked_engine::LockedCore) keeps under bobbin-lock's
//! one-byte `Lock` (CPython's `LifoQueue` and `PriorityQueue` are a list and
//! a heap under the queue's mutex): LIFO storage, a `Vec`, here, and the
//! priority storage in [`runs`](super::runs).

use super::Drained;

/// A collection that [`LockedCore`](crate::locked_engine::LockedCore)
/// keeps under its lock.
pub(crate) trait Collection: Default {
    /// The item type.
    type Item;

    /// Adds an item.
    fn add(&mut self, item: Self::Item);

    /// Takes the item the queue gives out next.
    fn take(&mut self) -> Option<Self::Item>;

    /// How many items it holds.
    fn count(&self) -> usize;

    /// Takes every item, in order (see [`Storage::drain`](super::Storage::drain)).
    fn take_all(&mut self) -> Drained<Self::Item> {
        Drained {
            items: core::iter::from_fn(|| self.take()).collect(),
            panic: None,
        }
    }
}

impl<T> Collection for Vec<T> {
    type Item = T;

    #[inline]
    fn add(&mut self, item: T) {
        self.push(item);
    }

    #[inline]
    fn take(&mut self) -> Option<T> {
        self.pop()
    }

    #[inline]
    fn count(&self) -> usize {
        self.len()
    }
}
