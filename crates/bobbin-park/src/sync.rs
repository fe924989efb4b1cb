//! Atomics and shared ownership, from std or (under `--cfg bobbin_loom`)
//! from loom.
//!
//! Every crate above bobbin-park takes its atomics from here, never from
//! `std::sync::atomic`, so that a loom model sees every atomic operation of
//! every primitive. The atomics are transparent newtypes (same size, same
//! code once inlined), which lets clippy's `disallowed-types` reject std's
//! atomics everywhere else while accepting these, and makes them the only
//! types the parking lot accepts as keys ([`Key`](crate::Key)).
//!
//! # Examples
//!
//! ```
//! use bobbin_park::sync::atomic::{AtomicUsize, Ordering};
//! use bobbin_park::sync::Arc;
//!
//! let count = Arc::new(AtomicUsize::new(0));
//! count.fetch_add(1, Ordering::Relaxed);
//! assert_eq!(count.load(Ordering::Relaxed), 1);
//! ```

#[cfg(not(bobbin_loom))]
pub use std::sync::Arc;

#[cfg(bobbin_loom)]
pub use loom::sync::Arc;

/// Atomic types and memory orderings: std's, or loom's under the model cfg,
/// behind newtypes with the same methods.
///
/// # Examples
///
/// ```
/// use bobbin_park::sync::atomic::{AtomicU8, Ordering};
///
/// let state = AtomicU8::new(0);
/// assert_eq!(state.compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed), Ok(0));
/// assert_eq!(std::mem::size_of::<AtomicU8>(), 1);
/// ```
pub mod atomic {
    // This module is the seam: the one place allowed to name std's atomics.
    #![allow(clippy::disallowed_types, clippy::disallowed_methods)]

    use core::fmt;

    pub use core::sync::atomic::Ordering;

    #[cfg(not(bobbin_loom))]
    use core::sync::atomic as imp;
    #[cfg(bobbin_loom)]
    use loom::sync::atomic as imp;

    /// A memory fence (std's `fence`, or loom's under the model cfg).
    ///
    /// # Panics
    ///
    /// Panics if `order` is [`Ordering::Relaxed`], as std's does.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::sync::atomic::{fence, Ordering};
    ///
    /// fence(Ordering::SeqCst);
    /// ```
    #[inline]
    pub fn fence(order: Ordering) {
        imp::fence(order);
    }

    /// Methods every atomic has, forwarded to the inner atomic.
    macro_rules! common_methods {
        ($name:ident, $value:ty, $example:expr) => {
            crate::const_fn! {
                #[doc = concat!("A new `", stringify!($name), "` holding `value`.")]
                ///
                /// `const` except under `--cfg bobbin_loom`.
                ///
                /// # Examples
                ///
                /// ```
                #[doc = concat!("use bobbin_park::sync::atomic::{", stringify!($name), ", Ordering};")]
                #[doc = concat!("let a = ", stringify!($name), "::new(", $example, ");")]
                #[doc = concat!("assert_eq!(a.load(Ordering::Relaxed), ", $example, ");")]
                /// ```
                #[inline]
                #[must_use]
                pub const fn new(value: $value) -> Self {
                    $name(imp::$name::new(value))
                }
            }

            /// Loads the value.
            ///
            /// # Panics
            ///
            /// Panics if `order` is `Release` or `AcqRel`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_park::sync::atomic::{", stringify!($name), ", Ordering};")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::new(", $example, ").load(Ordering::Acquire), ", $example, ");")]
            /// ```
            #[inline]
            pub fn load(&self, order: Ordering) -> $value {
                self.0.load(order)
            }

            /// Stores a value.
            ///
            /// # Panics
            ///
            /// Panics if `order` is `Acquire` or `AcqRel`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_park::sync::atomic::{", stringify!($name), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($name), "::default();")]
            #[doc = concat!("a.store(", $example, ", Ordering::Release);")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Acquire), ", $example, ");")]
            /// ```
            #[inline]
            pub fn store(&self, value: $value, order: Ordering) {
                self.0.store(value, order);
            }

            /// Stores a value and returns the previous one.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_park::sync::atomic::{", stringify!($name), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($name), "::default();")]
            #[doc = concat!("a.swap(", $example, ", Ordering::AcqRel);")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Acquire), ", $example, ");")]
            /// ```
            #[inline]
            pub fn swap(&self, value: $value, order: Ordering) -> $value {
                self.0.swap(value, order)
            }

            /// Stores `new` if the value is `current`; returns the previous
            /// value, as `Ok` if it was `current`.
            ///
            /// # Panics
            ///
            /// Panics if `failure` is `Release` or `AcqRel`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_park::sync::atomic::{", stringify!($name), ", Ordering::*};")]
            #[doc = concat!("let a = ", stringify!($name), "::default();")]
            #[doc = concat!("let old = a.load(Relaxed);")]
            #[doc = concat!("assert!(a.compare_exchange(old, ", $example, ", AcqRel, Relaxed).is_ok());")]
            /// ```
            #[inline]
            pub fn compare_exchange(
                &self,
                current: $value,
                new: $value,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$value, $value> {
                self.0.compare_exchange(current, new, success, failure)
            }

            /// Like [`compare_exchange`](Self::compare_exchange), but may fail
            /// spuriously; for loops.
            ///
            /// # Panics
            ///
            /// Panics if `failure` is `Release` or `AcqRel`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_park::sync::atomic::{", stringify!($name), ", Ordering::*};")]
            #[doc = concat!("let a = ", stringify!($name), "::default();")]
            /// let mut old = a.load(Relaxed);
            #[doc = concat!("while let Err(now) = a.compare_exchange_weak(old, ", $example, ", AcqRel, Relaxed) {")]
            ///     old = now;
            /// }
            /// ```
            #[inline]
            pub fn compare_exchange_weak(
                &self,
                current: $value,
                new: $value,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$value, $value> {
                self.0.compare_exchange_weak(current, new, success, failure)
            }

            /// Applies `f` in a compare-exchange loop until it returns `None`
            /// or the exchange succeeds; returns the previous value, as `Ok`
            /// if `f` produced a new one.
            ///
            /// # Panics
            ///
            /// Panics if `fetch_order` is `Release` or `AcqRel`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_park::sync::atomic::{", stringify!($name), ", Ordering::*};")]
            #[doc = concat!("let a = ", stringify!($name), "::default();")]
            #[doc = concat!("assert!(a.fetch_update(AcqRel, Relaxed, |_| Some(", $example, ")).is_ok());")]
            /// ```
            #[inline]
            pub fn fetch_update<F>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                f: F,
            ) -> Result<$value, $value>
            where
                F: FnMut($value) -> Option<$value>,
            {
                self.0.fetch_update(set_order, fetch_order, f)
            }

            /// Consumes the atomic and returns its value.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_park::sync::atomic::", stringify!($name), ";")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::new(", $example, ").into_inner(), ", $example, ");")]
            /// ```
            #[inline]
            pub fn into_inner(self) -> $value {
                self.0.into_inner()
            }
        };
    }

    /// Read-modify-write methods of the integer atomics.
    macro_rules! integer_methods {
        ($name:ident, $value:ty) => {
            integer_methods!(@one $name, $value, fetch_add, "Adds to the value (wrapping)", 2, 3);
            integer_methods!(@one $name, $value, fetch_sub, "Subtracts from the value (wrapping)", 1, 0);
            integer_methods!(@one $name, $value, fetch_and, "Bitwise-ands the value", 1, 1);
            integer_methods!(@one $name, $value, fetch_nand, "Bitwise-nands the value", 1, !1);
            integer_methods!(@one $name, $value, fetch_or, "Bitwise-ors the value", 2, 3);
            integer_methods!(@one $name, $value, fetch_xor, "Bitwise-xors the value", 1, 0);
            integer_methods!(@one $name, $value, fetch_max, "Stores the maximum of the value and", 5, 5);
            integer_methods!(@one $name, $value, fetch_min, "Stores the minimum of the value and", 0, 0);
        };
        (@one $name:ident, $value:ty, $method:ident, $what:literal, $arg:expr, $after:expr) => {
            #[doc = concat!($what, " `value`, and returns the previous value.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_park::sync::atomic::{", stringify!($name), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($name), "::new(1);")]
            #[doc = concat!("assert_eq!(a.", stringify!($method), "(", stringify!($arg), ", Ordering::AcqRel), 1);")]
            #[doc = concat!("assert_eq!(a.load(Ordering::Acquire), ", stringify!($after), ");")]
            /// ```
            #[inline]
            pub fn $method(&self, value: $value, order: Ordering) -> $value {
                self.0.$method(value, order)
            }
        };
    }

    /// Formatting and conversions every atomic shares.
    macro_rules! common_impls {
        ($name:ident, $value:ty) => {
            impl fmt::Debug for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    fmt::Debug::fmt(&self.load(Ordering::Relaxed), f)
                }
            }

            impl From<$value> for $name {
                fn from(value: $value) -> Self {
                    $name::new(value)
                }
            }
        };
    }

    macro_rules! integer_atomic {
        ($($name:ident($value:ty)),* $(,)?) => {$(
            #[doc = concat!("An integer shared between threads: std's `", stringify!($name), "`, or loom's under the model cfg.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use bobbin_park::sync::atomic::{", stringify!($name), ", Ordering};")]
            #[doc = concat!("let a = ", stringify!($name), "::new(1);")]
            /// a.fetch_add(1, Ordering::Relaxed);
            /// assert_eq!(a.load(Ordering::Relaxed), 2);
            /// ```
            #[repr(transparent)]
            pub struct $name(imp::$name);

            impl $name {
                common_methods!($name, $value, "7");
                integer_methods!($name, $value);
            }

            impl Default for $name {
                /// An atomic holding zero.
                fn default() -> Self {
                    $name::new(0)
                }
            }

            common_impls!($name, $value);
        )*};
    }

    integer_atomic!(
        AtomicU8(u8),
        AtomicU16(u16),
        AtomicU32(u32),
        AtomicU64(u64),
        AtomicUsize(usize),
        AtomicI32(i32),
        AtomicI64(i64),
        AtomicIsize(isize),
    );

    /// A boolean shared between threads: std's `AtomicBool`, or loom's under
    /// the model cfg.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::sync::atomic::{AtomicBool, Ordering};
    ///
    /// let flag = AtomicBool::new(false);
    /// assert!(!flag.fetch_or(true, Ordering::AcqRel));
    /// assert!(flag.load(Ordering::Acquire));
    /// ```
    #[repr(transparent)]
    pub struct AtomicBool(imp::AtomicBool);

    impl AtomicBool {
        common_methods!(AtomicBool, bool, "true");

        /// Logical "and" with `value`; returns the previous value.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_park::sync::atomic::{AtomicBool, Ordering};
        ///
        /// let flag = AtomicBool::new(true);
        /// assert!(flag.fetch_and(false, Ordering::AcqRel));
        /// assert!(!flag.load(Ordering::Acquire));
        /// ```
        #[inline]
        pub fn fetch_and(&self, value: bool, order: Ordering) -> bool {
            self.0.fetch_and(value, order)
        }

        /// Logical "or" with `value`; returns the previous value.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_park::sync::atomic::{AtomicBool, Ordering};
        ///
        /// let flag = AtomicBool::new(false);
        /// assert!(!flag.fetch_or(true, Ordering::AcqRel));
        /// ```
        #[inline]
        pub fn fetch_or(&self, value: bool, order: Ordering) -> bool {
            self.0.fetch_or(value, order)
        }

        /// Logical "xor" with `value`; returns the previous value.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_park::sync::atomic::{AtomicBool, Ordering};
        ///
        /// let flag = AtomicBool::new(true);
        /// assert!(flag.fetch_xor(true, Ordering::AcqRel));
        /// assert!(!flag.load(Ordering::Acquire));
        /// ```
        #[inline]
        pub fn fetch_xor(&self, value: bool, order: Ordering) -> bool {
            self.0.fetch_xor(value, order)
        }
    }

    impl Default for AtomicBool {
        /// A flag holding `false`.
        fn default() -> Self {
            AtomicBool::new(false)
        }
    }

    common_impls!(AtomicBool, bool);

    /// A raw pointer shared between threads: std's `AtomicPtr`, or loom's
    /// under the model cfg.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_park::sync::atomic::{AtomicPtr, Ordering};
    ///
    /// let mut x = 5;
    /// let p = AtomicPtr::new(std::ptr::null_mut());
    /// p.store(&mut x, Ordering::Release);
    /// assert!(!p.load(Ordering::Acquire).is_null());
    /// ```
    #[repr(transparent)]
    pub struct AtomicPtr<T>(imp::AtomicPtr<T>);

    impl<T> AtomicPtr<T> {
        crate::const_fn! {
            /// A new atomic pointer holding `value`.
            ///
            /// `const` except under `--cfg bobbin_loom`.
            ///
            /// # Examples
            ///
            /// ```
            /// use bobbin_park::sync::atomic::{AtomicPtr, Ordering};
            ///
            /// let p = AtomicPtr::<u8>::new(std::ptr::null_mut());
            /// assert!(p.load(Ordering::Relaxed).is_null());
            /// ```
            #[inline]
            #[must_use]
            pub const fn new(value: *mut T) -> Self {
                AtomicPtr(imp::AtomicPtr::new(value))
            }
        }

        /// Loads the pointer.
        ///
        /// # Panics
        ///
        /// Panics if `order` is `Release` or `AcqRel`.
        ///
        /// # Examples
        ///
        /// See [`AtomicPtr`].
        #[inline]
        pub fn load(&self, order: Ordering) -> *mut T {
            self.0.load(order)
        }

        /// Stores a pointer.
        ///
        /// # Panics
        ///
        /// Panics if `order` is `Acquire` or `AcqRel`.
        ///
        /// # Examples
        ///
        /// See [`AtomicPtr`].
        #[inline]
        pub fn store(&self, value: *mut T, order: Ordering) {
            self.0.store(value, order);
        }

        /// Stores a pointer and returns the previous one.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_park::sync::atomic::{AtomicPtr, Ordering};
        ///
        /// let p = AtomicPtr::<u8>::new(std::ptr::null_mut());
        /// assert!(p.swap(std::ptr::null_mut(), Ordering::AcqRel).is_null());
        /// ```
        #[inline]
        pub fn swap(&self, value: *mut T, order: Ordering) -> *mut T {
            self.0.swap(value, order)
        }

        /// Stores `new` if the pointer is `current`; returns the previous
        /// pointer, as `Ok` if it was `current`.
        ///
        /// # Panics
        ///
        /// Panics if `failure` is `Release` or `AcqRel`.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_park::sync::atomic::{AtomicPtr, Ordering::*};
        ///
        /// let mut x = 1;
        /// let p = AtomicPtr::new(std::ptr::null_mut());
        /// assert!(p.compare_exchange(std::ptr::null_mut(), &mut x, AcqRel, Relaxed).is_ok());
        /// ```
        #[inline]
        pub fn compare_exchange(
            &self,
            current: *mut T,
            new: *mut T,
            success: Ordering,
            failure: Ordering,
        ) -> Result<*mut T, *mut T> {
            self.0.compare_exchange(current, new, success, failure)
        }

        /// Like [`compare_exchange`](Self::compare_exchange), but may fail
        /// spuriously; for loops.
        ///
        /// # Panics
        ///
        /// Panics if `failure` is `Release` or `AcqRel`.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_park::sync::atomic::{AtomicPtr, Ordering::*};
        ///
        /// let p = AtomicPtr::<u8>::new(std::ptr::null_mut());
        /// while p.compare_exchange_weak(std::ptr::null_mut(), std::ptr::null_mut(), AcqRel, Relaxed).is_err() {}
        /// ```
        #[inline]
        pub fn compare_exchange_weak(
            &self,
            current: *mut T,
            new: *mut T,
            success: Ordering,
            failure: Ordering,
        ) -> Result<*mut T, *mut T> {
            self.0.compare_exchange_weak(current, new, success, failure)
        }

        /// Consumes the atomic and returns its pointer.
        ///
        /// # Examples
        ///
        /// ```
        /// use bobbin_park::sync::atomic::AtomicPtr;
        ///
        /// assert!(AtomicPtr::<u8>::new(std::ptr::null_mut()).into_inner().is_null());
        /// ```
        #[inline]
        pub fn into_inner(self) -> *mut T {
            self.0.into_inner()
        }
    }

    impl<T> Default for AtomicPtr<T> {
        /// A null pointer.
        fn default() -> Self {
            AtomicPtr::new(core::ptr::null_mut())
        }
    }

    impl<T> fmt::Debug for AtomicPtr<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt::Debug::fmt(&self.load(Ordering::Relaxed), f)
        }
    }
}
