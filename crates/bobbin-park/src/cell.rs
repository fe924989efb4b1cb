//! [`UnsafeCell`] with loom's access API, so that a lock's guarded data is
//! checked for races under `--cfg bobbin_loom` and costs nothing otherwise.
//!
//! The production cell is a transparent wrapper over
//! [`core::cell::UnsafeCell`] that adds loom's `with`/`with_mut` methods (the
//! pattern loom's README calls "handling loom API differences", also used by
//! crossbeam and tokio). Under the model cfg it wraps `loom::cell::UnsafeCell`,
//! which records every access and reports two that race.

// This module is the seam: the one place allowed to name std's UnsafeCell.
#![allow(clippy::disallowed_types)]

use core::fmt;

/// A cell whose contents may be mutated through a shared reference, with
/// every access going through a closure (loom's API).
///
/// Code that reads or writes the contents of a lock through `with` and
/// `with_mut` is checked for data races by loom under `--cfg bobbin_loom`; the
/// same code compiles to plain pointer accesses otherwise.
///
/// # Examples
///
/// ```
/// use bobbin_park::cell::UnsafeCell;
///
/// let cell = UnsafeCell::new(1);
/// // SAFETY: no other reference to the contents exists.
/// cell.with_mut(|p| unsafe { *p += 1 });
/// // SAFETY: no mutable access is live.
/// assert_eq!(cell.with(|p| unsafe { *p }), 2);
/// assert_eq!(cell.into_inner(), 2);
/// ```
#[repr(transparent)]
pub struct UnsafeCell<T: ?Sized> {
    #[cfg(not(bobbin_loom))]
    inner: core::cell::UnsafeCell<T>,
    #[cfg(bobbin_loom)]
    inner: loom::cell::UnsafeCell<T>,
}

impl<T> UnsafeCell<T> {
    crate::const_fn! {
        /// Wraps a value.
        ///
        /// `const` except under `--cfg bobbin_loom`, where loom's cell is not.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_park::cell::UnsafeCell;
        ///
        /// let cell = UnsafeCell::new("data");
        /// assert_eq!(cell.into_inner(), "data");
        /// ```
        #[inline]
        pub const fn new(value: T) -> UnsafeCell<T> {
            UnsafeCell {
                #[cfg(not(bobbin_loom))]
                inner: core::cell::UnsafeCell::new(value),
                #[cfg(bobbin_loom)]
                inner: loom::cell::UnsafeCell::new(value),
            }
        }
    }

    /// Unwraps the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::cell::UnsafeCell;
    ///
    /// assert_eq!(UnsafeCell::new(7).into_inner(), 7);
    /// ```
    #[inline]
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> UnsafeCell<T> {
    /// Calls `f` with a shared pointer to the contents.
    ///
    /// Dereferencing the pointer is `unsafe`: the caller must ensure no
    /// mutable access to the contents is live at the same time. Under the model
    /// cfg, loom reports a read that races with a write.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::cell::UnsafeCell;
    ///
    /// let cell = UnsafeCell::new(5);
    /// // SAFETY: nothing writes to the cell.
    /// let five = cell.with(|p| unsafe { *p });
    /// assert_eq!(five, 5);
    /// ```
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        #[cfg(not(bobbin_loom))]
        {
            f(self.inner.get())
        }
        #[cfg(bobbin_loom)]
        {
            self.inner.with(f)
        }
    }

    /// Calls `f` with a mutable pointer to the contents.
    ///
    /// Dereferencing the pointer is `unsafe`: the caller must ensure no other
    /// access to the contents is live at the same time (for a lock: it holds
    /// the lock). Under the model cfg, loom reports two accesses that race.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::cell::UnsafeCell;
    ///
    /// let cell = UnsafeCell::new(vec![1]);
    /// // SAFETY: this is the only access to the cell.
    /// cell.with_mut(|p| unsafe { (*p).push(2) });
    /// assert_eq!(cell.into_inner(), [1, 2]);
    /// ```
    #[inline]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        #[cfg(not(bobbin_loom))]
        {
            f(self.inner.get())
        }
        #[cfg(bobbin_loom)]
        {
            self.inner.with_mut(f)
        }
    }

    /// A raw pointer to the contents, for guards that hand out references
    /// living as long as the guard (`Deref` cannot use a closure).
    ///
    /// Accesses through this pointer are not seen by loom's race detector;
    /// prefer [`with`](UnsafeCell::with)/[`with_mut`](UnsafeCell::with_mut)
    /// wherever a closure fits.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::cell::UnsafeCell;
    ///
    /// let cell = UnsafeCell::new(3);
    /// // SAFETY: no other access to the cell is live.
    /// let r: &i32 = unsafe { &*cell.get() };
    /// assert_eq!(*r, 3);
    /// ```
    #[inline]
    pub fn get(&self) -> *mut T {
        #[cfg(not(bobbin_loom))]
        {
            self.inner.get()
        }
        #[cfg(bobbin_loom)]
        {
            self.inner.with_mut(|p| p)
        }
    }

    /// A mutable reference to the contents, safe because `&mut self` proves
    /// that no other access exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::cell::UnsafeCell;
    ///
    /// let mut cell = UnsafeCell::new(1);
    /// *cell.get_mut() += 1;
    /// assert_eq!(cell.into_inner(), 2);
    /// ```
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        #[cfg(not(bobbin_loom))]
        {
            self.inner.get_mut()
        }
        #[cfg(bobbin_loom)]
        {
            // SAFETY: `&mut self` proves that no other reference to the
            // contents exists, and the returned borrow keeps `self` borrowed.
            self.inner.with_mut(|p| unsafe { &mut *p })
        }
    }
}

impl<T: Default> Default for UnsafeCell<T> {
    /// A cell holding `T::default()`.
    fn default() -> Self {
        UnsafeCell::new(T::default())
    }
}

impl<T: ?Sized> fmt::Debug for UnsafeCell<T> {
    /// The contents are not shown: reading them could race with a writer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsafeCell").finish_non_exhaustive()
    }
}
