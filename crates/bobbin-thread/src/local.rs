//! [`Local`]: Python's `threading.local`, a value per object and per thread.
//!
//! The design is RustPython's `_thread._local` and CPython's (a per-thread
//! table of values, with each `local` object knowing which threads hold one
//! of its values), in safe Rust:
//!
//! - each thread owns a *store*: a map from a `Local`'s id to that thread's
//!   value, behind a lock that only its own thread takes, except when a
//!   `Local` is dropped;
//! - each `Local` keeps weak references to the stores that hold one of its
//!   values, so that dropping it removes (and drops) them all;
//! - when a thread ends, its store is emptied and its values dropped: a
//!   bobbin thread does so at the end of its body, before it counts as
//!   finished, and any thread does so when its thread-locals are destroyed.
//!
//! A value is reachable only from its own thread, through `with`, which
//! holds a reference count on it for the call: no handle to a value ever
//! leaves the call, so none can outlive the value's thread.
//!
//! Its place: above the registry, which counts the `Local`s' ids; below
//! `builder`, whose threads drop their values at the end of their body.

use crate::registry;
use crate::sync::Lock;
use core::any::Any;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::hash::{BuildHasherDefault, Hasher};
use std::collections::HashMap;
// std's `Arc`, not the seam's: a store is shared through `Weak`s and holds
// values as `Arc<dyn Any>`, which loom's `Arc` (no `Weak`, no unsized
// coercion) cannot express. What races here is guarded by the seam's locks.
use std::sync::{Arc, Weak};

/// A value that may be shared with (and only dropped by) other threads.
pub(crate) type Value = Arc<dyn Any + Send + Sync>;

/// A thread's values, by the id of their `Local`.
struct Store {
    values: Lock<HashMap<u64, Value, BuildHasherDefault<IdHasher>>>,
    /// The ids whose values the thread's end has dropped: no new value is
    /// made for them, or a value whose drop reaches its own `Local` would
    /// make another without end. Empty until the thread's end.
    dropped: Lock<Vec<u64>>,
}

impl Store {
    /// Drops every value of this store through `drop_one`, one at a time,
    /// again and again while destructors make new ones (a value's
    /// destructor may use another `Local`).
    fn clear(&self, mut drop_one: impl FnMut(Value)) {
        loop {
            let values: Vec<(u64, Value)> = self.values.acquire().drain().collect();
            if values.is_empty() {
                return;
            }
            let values = {
                let mut dropped = self.dropped.acquire();
                dropped.extend(values.iter().map(|&(id, _)| id));
                values.into_iter().map(|(_, v)| v)
            };
            // Dropped here, without the store's lock held.
            values.for_each(&mut drop_one);
        }
    }
}

/// A hasher for ids that are already unique numbers.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        // Fibonacci hashing spreads consecutive ids over the buckets.
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = id;
    }
}

/// The calling thread's store; its values are dropped when the thread's
/// thread-locals are destroyed.
struct StoreSlot(RefCell<Option<Arc<Store>>>);

impl Drop for StoreSlot {
    fn drop(&mut self) {
        if let Some(store) = self.0.get_mut().take() {
            // A panic here is std's to handle: it aborts, as a panic in any
            // thread-local's destructor does.
            store.clear(drop);
        }
    }
}

crate::tls! {
    static STORE: StoreSlot = StoreSlot(RefCell::new(None));

    /// Whether this thread has made its store. No drop glue, so a thread
    /// that never uses a `Local` registers no thread-local destructor.
    static HAS_STORE: Cell<bool> = Cell::new(false);
}

/// The calling thread's store, made on first use; `None` while the thread's
/// thread-locals are being destroyed.
fn current_store() -> Option<Arc<Store>> {
    let store = STORE
        .try_with(|slot| {
            Arc::clone(slot.0.borrow_mut().get_or_insert_with(|| {
                Arc::new(Store {
                    values: Lock::new(HashMap::default()),
                    dropped: Lock::new(Vec::new()),
                })
            }))
        })
        .ok()?;
    let _ = HAS_STORE.try_with(|has| has.set(true));
    Some(store)
}

/// Drops the calling thread's values of every `Local` through `drop_one`,
/// one at a time: the end of a bobbin thread's body, where `drop_one`
/// reports a value whose drop panics and goes on with the others.
pub(crate) fn drop_thread_values(drop_one: impl FnMut(Value)) {
    if !HAS_STORE.try_with(Cell::get).unwrap_or(true) {
        return;
    }
    let store = STORE
        .try_with(|slot| slot.0.borrow().clone())
        .ok()
        .flatten();
    if let Some(store) = store {
        store.clear(drop_one);
    }
}

/// A value per thread, made on each thread's first access by an initialiser:
/// Python's `threading.local`.
///
/// Each thread that touches a `Local` sees its own value, made by `init` on
/// its first access; there can be any number of `Local`s, made and dropped
/// at any time (unlike `thread_local!` statics). A thread's value is dropped
/// when the thread ends (for a bobbin thread: before its
/// [`join`](crate::Thread::join) returns, and a value whose drop panics
/// there is reported by the [excepthook](crate::set_excepthook) while the
/// thread's result stands), and the values of the threads still running
/// when the `Local` itself is dropped.
///
/// Values are reached through [`with`](Local::with), which lends the calling
/// thread's value for the length of a closure: no reference to a value can
/// outlive the call, so none can outlive its thread.
///
/// # Differences from Python
///
/// - Python's `local` is a bag of attributes, each missing until set; here a
///   `Local<T>` holds one value of type `T` (a struct for several fields),
///   made by `init` when first touched, as a subclass of `local` whose
///   `__init__` sets every attribute.
/// - `T` must be `Send`: a value may be dropped on the thread that drops the
///   `Local`.
///
/// # Panics
///
/// Reaching a `Local` on a thread that is already inside it panics with
/// `Local already borrowed on this thread`: from inside a
/// [`with`](Local::with) call on the same `Local` (that would be a second
/// `&mut` to the value), and from inside its own `init` by any accessor
/// (`get`, `with`, `set`, `take`), directly or through other code such as
/// another `Local`'s `init` (there is no value yet, and making one would
/// start `init` again, without end). CPython raises `AttributeError` when a
/// `local` subclass's `__init__` reads the attribute it is about to set.
/// The `Local` is left as it was: a failed `init` leaves no value, and the
/// next access runs `init` again.
///
/// At a thread's end, a value's drop that makes a new value of a `Local`
/// whose value that thread's end has already dropped (its own, say) panics
/// with `Local used after this thread's value was dropped at its end`:
/// the new value would be dropped in turn, and make another, without end.
/// On a bobbin thread the excepthook reports it and the thread's result
/// stands; on other threads it is a panic in a thread-local destructor,
/// which std turns into an abort. A drop that makes a value of a `Local`
/// not yet dropped is fine: that value is dropped too.
///
/// ```
/// use bobbin_thread::Local;
/// use std::panic::catch_unwind;
/// use std::sync::OnceLock;
///
/// static DEPTH: OnceLock<Local<u32>> = OnceLock::new();
/// let depth = DEPTH.get_or_init(|| Local::new(|| DEPTH.get().unwrap().get() + 1));
/// let err = catch_unwind(|| depth.get()).unwrap_err(); // a `Local` is unwind safe
/// assert_eq!(err.downcast_ref::<&str>(), Some(&"Local already borrowed on this thread"));
/// depth.set(1); // still usable
/// assert_eq!(depth.get(), 1);
/// ```
///
/// # Examples
///
/// The seed's example: `ctx.data` set on the main thread is not seen by
/// another thread, which gets its own value.
///
/// ```
/// use bobbin_thread::{spawn, Local};
///
/// let ctx = std::sync::Arc::new(Local::new(|| None::<i32>)); // ctx = threading.local()
/// ctx.set(Some(5)); // ctx.data = 5
/// assert_eq!(ctx.get(), Some(5));
/// let theirs = {
///     let ctx = ctx.clone();
///     spawn(move || ctx.get()).unwrap().join().unwrap()
/// };
/// assert_eq!(theirs, None); // Python: AttributeError, no `data` on this thread
/// assert_eq!(ctx.get(), Some(5));
/// ```
#[doc(alias = "local")]
pub struct Local<T: Send + 'static> {
    id: u64,
    init: Box<dyn Fn() -> T + Send + Sync + 'static>,
    /// The stores that may hold one of this `Local`'s values.
    stores: Lock<Vec<Weak<Store>>>,
    /// The threads running `init` now, by their parking-lot id: an access
    /// from one of them that finds no value comes from inside its `init`.
    /// Taken only when a thread has no value, never on the way to one.
    initialising: Lock<Vec<usize>>,
}

impl<T: Send + 'static> Local<T> {
    /// A `Local` whose value on each thread is made by `init` when that
    /// thread first touches it.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{spawn, Local};
    /// use std::sync::Arc;
    ///
    /// let visits = Arc::new(Local::new(|| 0_u32));
    /// visits.with(|n| *n += 1);
    /// visits.with(|n| *n += 1);
    /// assert_eq!(visits.get(), 2);
    /// let v = visits.clone();
    /// assert_eq!(spawn(move || v.get()).unwrap().join().unwrap(), 0);
    /// ```
    #[doc(alias = "local")]
    pub fn new(init: impl Fn() -> T + Send + Sync + 'static) -> Local<T> {
        let id = registry::next_local_id();
        Local {
            id,
            init: Box::new(init),
            stores: Lock::new(Vec::new()),
            initialising: Lock::new(Vec::new()),
        }
    }

    /// Calls `f` with the calling thread's value, made by `init` first if
    /// the thread has none, and returns what `f` returns.
    ///
    /// While the thread's thread-locals are being destroyed (in another
    /// thread-local's destructor), `f` gets a fresh value, dropped when it
    /// returns.
    ///
    /// # Panics
    ///
    /// Panics with `Local already borrowed on this thread` if the calling
    /// thread is already inside `with` (or [`get`](Local::get),
    /// [`set`](Local::set), [`take`](Local::take)) of this same `Local`, or
    /// inside its `init`, directly or through other code (see
    /// [`Local`](Local#panics)); and if `init` or `f` panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::Local;
    ///
    /// let log = Local::new(Vec::new);
    /// log.with(|lines| lines.push("first"));
    /// log.with(|lines| lines.push("second"));
    /// assert_eq!(log.with(|lines| lines.len()), 2);
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let Some(store) = current_store() else {
            return f(&mut self.make());
        };
        let cell = match self.value_in(&store) {
            Some(cell) => cell,
            None => {
                self.refuse_after_drop(&store);
                let cell = Arc::new(Lock::new(self.make()));
                self.insert(&store, Arc::clone(&cell));
                cell
            }
        };
        let Some(mut value) = cell.try_acquire() else {
            already_borrowed();
        };
        f(&mut value)
    }

    /// The calling thread's value, cloned (made by `init` first if needed).
    ///
    /// # Panics
    ///
    /// As [`with`](Local::with).
    ///
    /// # Examples
    ///
    /// ```
    /// let name = bobbin_thread::Local::new(|| String::from("unset"));
    /// assert_eq!(name.get(), "unset");
    /// ```
    #[must_use]
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.with(|value| value.clone())
    }

    /// Sets the calling thread's value (Python's `local.x = value`), without
    /// running `init`; the old value, if any, is dropped.
    ///
    /// # Panics
    ///
    /// As [`with`](Local::with).
    ///
    /// # Examples
    ///
    /// ```
    /// let n = bobbin_thread::Local::new(|| 0);
    /// n.set(5);
    /// assert_eq!(n.get(), 5);
    /// ```
    pub fn set(&self, value: T) {
        let Some(store) = current_store() else {
            self.refuse_inside_init();
            return;
        };
        match self.value_in(&store) {
            Some(cell) => {
                let Some(mut slot) = cell.try_acquire() else {
                    already_borrowed();
                };
                let old = core::mem::replace(&mut *slot, value);
                drop(slot);
                drop(old);
            }
            None => {
                self.refuse_inside_init();
                self.refuse_after_drop(&store);
                self.insert(&store, Arc::new(Lock::new(value)));
            }
        }
    }

    /// Removes the calling thread's value and returns it (Python's
    /// `del local.x`); the thread's next access makes a new one with
    /// `init`. `None` if the thread had no value.
    ///
    /// # Panics
    ///
    /// As [`with`](Local::with).
    ///
    /// # Examples
    ///
    /// ```
    /// let n = bobbin_thread::Local::new(|| 1);
    /// assert_eq!(n.take(), None);
    /// n.set(7);
    /// assert_eq!(n.take(), Some(7));
    /// assert_eq!(n.get(), 1); // made again by init
    /// ```
    pub fn take(&self) -> Option<T> {
        let removed = current_store().and_then(|store| {
            let value = store.values.acquire().remove(&self.id)?;
            Some((store, value))
        });
        let Some((store, value)) = removed else {
            self.refuse_inside_init();
            return None;
        };
        let cell = Self::downcast(value);
        match Arc::try_unwrap(cell) {
            Ok(lock) => Some(lock.into_inner()),
            Err(cell) => {
                // Only a `with` of this thread holds another count on it.
                store.values.acquire().insert(self.id, cell);
                already_borrowed();
            }
        }
    }

    /// Runs `init` for the calling thread, which has no value: refused if
    /// the thread is already inside `init` of this `Local`, which would
    /// recurse without end.
    fn make(&self) -> T {
        /// Takes the thread off the list however `init` ends.
        struct Made<'a> {
            initialising: &'a Lock<Vec<usize>>,
            thread: usize,
        }
        impl Drop for Made<'_> {
            fn drop(&mut self) {
                let mut threads = self.initialising.acquire();
                if let Some(i) = threads.iter().position(|&t| t == self.thread) {
                    threads.swap_remove(i);
                }
            }
        }

        let thread = bobbin_park::thread::current_id();
        {
            let mut threads = self.initialising.acquire();
            if threads.contains(&thread) {
                drop(threads);
                already_borrowed();
            }
            threads.push(thread);
        }
        let _made = Made {
            initialising: &self.initialising,
            thread,
        };
        (self.init)()
    }

    /// Panics if the calling thread, which has no value, is inside `init`
    /// of this `Local`: an access from there would find no value while
    /// `init` makes one.
    fn refuse_inside_init(&self) {
        let thread = bobbin_park::thread::current_id();
        let inside = self.initialising.acquire().contains(&thread);
        if inside {
            already_borrowed();
        }
    }

    /// Panics if the calling thread's end has already dropped its value of
    /// this `Local`: only a value's drop runs then, and a value made for it
    /// would be dropped in turn, again without end.
    fn refuse_after_drop(&self, store: &Store) {
        let dropped = store.dropped.acquire().contains(&self.id);
        if dropped {
            panic!("Local used after this thread's value was dropped at its end");
        }
    }

    fn value_in(&self, store: &Store) -> Option<Arc<Lock<T>>> {
        let value = store.values.acquire().get(&self.id).cloned()?;
        Some(Self::downcast(value))
    }

    fn downcast(value: Value) -> Arc<Lock<T>> {
        match value.downcast::<Lock<T>>() {
            Ok(cell) => cell,
            Err(_) => unreachable!("a Local's id only ever names values of its own type"),
        }
    }

    fn insert(&self, store: &Arc<Store>, cell: Arc<Lock<T>>) {
        let previous = store.values.acquire().insert(self.id, cell);
        // Only `init` could have made a value in between, and every access
        // from inside `init` is refused.
        debug_assert!(previous.is_none(), "a Local's value was made twice");
        let mut stores = self.stores.acquire();
        if stores.len() == stores.capacity() {
            // Forget the stores of threads that have ended before growing,
            // so a long-lived Local does not collect them.
            stores.retain(|s| s.strong_count() > 0);
        }
        stores.push(Arc::downgrade(store));
    }
}

/// The panic of every access to a `Local` from inside itself on the same
/// thread.
#[cold]
#[track_caller]
fn already_borrowed() -> ! {
    panic!("Local already borrowed on this thread");
}

impl<T: Send + Default + 'static> Default for Local<T> {
    /// A `Local` whose value on each thread starts as `T::default()`.
    fn default() -> Self {
        Local::new(T::default)
    }
}

impl<T: Send + 'static> Drop for Local<T> {
    /// Drops the values of every thread that still holds one, on the calling
    /// thread.
    fn drop(&mut self) {
        let stores = core::mem::take(&mut *self.stores.acquire());
        for store in stores.iter().filter_map(Weak::upgrade) {
            let value = store.values.acquire().remove(&self.id);
            // Dropped here, without the store's lock held.
            drop(value);
        }
    }
}

// A panic in `init`, in a closure given the value or in a value's drop
// leaves the `Local` as consistent as before it (no value, or the one
// there was, and usable: `tests/local.rs`, from
// `an_initialiser_that_gets_its_own_local_panics` on), so `catch_unwind`
// may take one by reference, as it takes std's `LocalKey` whatever its
// value type.
impl<T: Send + 'static> std::panic::UnwindSafe for Local<T> {}
impl<T: Send + 'static> std::panic::RefUnwindSafe for Local<T> {}

impl<T: Send + 'static> fmt::Debug for Local<T> {
    /// The values are not shown: all but the calling thread's are out of
    /// reach.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Local")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
