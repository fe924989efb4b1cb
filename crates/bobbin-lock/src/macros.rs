//! The trait implementations [`Lock`](crate::Lock) and
//! [`RLock`](crate::RLock) share: the same code for both, but for the
//! types' names and the docs.

/// Implements, for a data-carrying lock `$Lock<T>` with the guard
/// `$Guard<'_, T>`:
///
/// - `Default` (a free lock owning `T::default()`) and `From<T>` (same as
///   `new`);
/// - `Debug`, which shows the data through a guard taken for the moment with
///   `try_acquire`, or `<locked>`;
/// - the guard's `Debug` and `Display`, which forward to the data.
///
/// The docs of `Default::default` and `Debug::fmt`, which say what the
/// lock type makes of them, are written where the macro is called.
macro_rules! data_lock_impls {
    (
        $Lock:ident, $Guard:ident;
        $(#[$default:meta])*
        fn default;
        $(#[$debug:meta])*
        fn fmt;
    ) => {
        impl<T: Default> Default for $Lock<T> {
            $(#[$default])*
            fn default() -> Self {
                $Lock::new(T::default())
            }
        }

        impl<T> From<T> for $Lock<T> {
            #[doc = concat!("Same as [`", stringify!($Lock), "::new`].")]
            fn from(value: T) -> Self {
                $Lock::new(value)
            }
        }

        impl<T: ?Sized + ::core::fmt::Debug> ::core::fmt::Debug for $Lock<T> {
            $(#[$debug])*
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut d = f.debug_struct(stringify!($Lock));
                match self.try_acquire() {
                    Some(guard) => d.field("data", &&*guard),
                    None => d.field("data", &format_args!("<locked>")),
                };
                d.finish()
            }
        }

        impl<T: ?Sized + ::core::fmt::Debug> ::core::fmt::Debug for $Guard<'_, T> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(&**self, f)
            }
        }

        impl<T: ?Sized + ::core::fmt::Display> ::core::fmt::Display for $Guard<'_, T> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&**self, f)
            }
        }
    };
}
