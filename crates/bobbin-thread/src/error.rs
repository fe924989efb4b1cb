//! The errors of bobbin-thread: a thread that panicked ([`Panicked`]) and a
//! stack size that Python's `threading.stack_size` would refuse
//! ([`StackSizeError`]).
//!
//! Its place: the bottom of the crate, beside `sys` and `sync`.

use core::any::Any;
use core::fmt;

/// The error [`Thread::join`](crate::Thread::join) returns when the thread's
/// function panicked: the panic's payload, with its message and the thread's
/// name.
///
/// By the time `join` hands it over, the panic has already been reported
/// once, by the [excepthook](crate::set_excepthook), on the dying thread.
///
/// # Differences from Python
///
/// Python's `join` returns `None` whatever happened; the exception is seen
/// only by `threading.excepthook`. Here the payload also travels to the
/// joiner, which can inspect it ([`message`](Panicked::message),
/// [`payload`](Panicked::payload)) or re-raise it on its own thread
/// ([`Panicked::resume`]).
///
/// # Examples
///
/// ```
/// use bobbin_thread::{set_excepthook, take_excepthook, Builder};
///
/// set_excepthook(|_| {}); // keep the doctest's stderr quiet
/// let t = Builder::new().name("doomed").spawn(|| panic!("out of cheese")).unwrap();
/// let err = t.join().unwrap_err();
/// assert_eq!(err.message(), Some("out of cheese"));
/// assert_eq!(err.thread_name(), "doomed");
/// assert_eq!(err.to_string(), "thread 'doomed' panicked: out of cheese");
/// take_excepthook();
/// ```
pub struct Panicked {
    name: Box<str>,
    payload: Box<dyn Any + Send + 'static>,
}

impl Panicked {
    pub(crate) fn new(name: Box<str>, payload: Box<dyn Any + Send + 'static>) -> Self {
        Panicked { name, payload }
    }

    /// The panic's message, if its payload is a string (`panic!("...")` with
    /// or without formatting arguments); `None` for `panic_any` with another
    /// type.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{set_excepthook, spawn, take_excepthook};
    ///
    /// set_excepthook(|_| {});
    /// let err = spawn(|| panic!("{} apples", 3)).unwrap().join().unwrap_err();
    /// assert_eq!(err.message(), Some("3 apples"));
    /// let err = spawn(|| std::panic::panic_any(7_u8)).unwrap().join().unwrap_err();
    /// assert_eq!(err.message(), None);
    /// take_excepthook();
    /// ```
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        payload_message(&*self.payload)
    }

    /// The name of the thread that panicked.
    ///
    /// # Examples
    ///
    /// See [`Panicked`].
    #[must_use]
    pub fn thread_name(&self) -> &str {
        &self.name
    }

    /// The panic's payload, as `std::thread::JoinHandle::join` gives it.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{set_excepthook, spawn, take_excepthook};
    ///
    /// set_excepthook(|_| {});
    /// let err = spawn(|| std::panic::panic_any(7_u8)).unwrap().join().unwrap_err();
    /// assert_eq!(err.payload().downcast_ref::<u8>(), Some(&7));
    /// take_excepthook();
    /// ```
    #[must_use]
    pub fn payload(&self) -> &(dyn Any + Send + 'static) {
        &*self.payload
    }

    /// Gives the payload back, to re-raise it or hand it to code that expects
    /// std's `thread::Result`.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{set_excepthook, spawn, take_excepthook};
    ///
    /// set_excepthook(|_| {});
    /// let err = spawn(|| panic!("boom")).unwrap().join().unwrap_err();
    /// let payload = err.into_payload();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// take_excepthook();
    /// ```
    #[must_use]
    pub fn into_payload(self) -> Box<dyn Any + Send + 'static> {
        self.payload
    }

    /// Continues the panic on the calling thread, with the same payload
    /// (`std::panic::resume_unwind`): the way to make a worker's panic fail
    /// its joiner too.
    ///
    /// # Panics
    ///
    /// Always, by design.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin_thread::{set_excepthook, spawn, take_excepthook, Panicked};
    ///
    /// set_excepthook(|_| {});
    /// let err = spawn(|| panic!("boom")).unwrap().join().unwrap_err();
    /// let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || Panicked::resume(err))).unwrap_err();
    /// assert_eq!(again.downcast_ref::<&str>(), Some(&"boom"));
    /// take_excepthook();
    /// ```
    pub fn resume(this: Panicked) -> ! {
        std::panic::resume_unwind(this.payload)
    }
}

impl fmt::Debug for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Panicked")
            .field("thread", &self.name)
            .field("message", &self.message())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            Some(message) => write!(f, "thread '{}' panicked: {message}", self.name),
            None => write!(f, "thread '{}' panicked", self.name),
        }
    }
}

impl std::error::Error for Panicked {}

/// The message of a panic payload: what `panic!` carries (`&'static str`
/// without arguments, `String` with them).
pub(crate) fn payload_message(payload: &(dyn Any + Send)) -> Option<&str> {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        Some(s)
    } else {
        payload.downcast_ref::<String>().map(String::as_str)
    }
}

/// The error of [`set_stack_size`](crate::set_stack_size).
///
/// # Examples
///
/// ```
/// use bobbin_thread::{set_stack_size, StackSizeError};
///
/// assert_eq!(set_stack_size(1024), Err(StackSizeError::TooSmall(1024)));
/// assert_eq!(
///     StackSizeError::TooSmall(1024).to_string(),
///     "size not valid: 1024 bytes (0 or at least 32768)"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StackSizeError {
    /// The size is neither 0 (the platform's default) nor at least
    /// [`MIN_STACK_SIZE`](crate::MIN_STACK_SIZE) bytes: Python's
    /// `ValueError`.
    #[error("size not valid: {0} bytes (0 or at least 32768)")]
    TooSmall(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_of_str_and_string_payloads() {
        let p = Panicked::new("t".into(), Box::new("static"));
        assert_eq!(p.message(), Some("static"));
        let p = Panicked::new("t".into(), Box::new(String::from("owned")));
        assert_eq!(p.message(), Some("owned"));
        let p = Panicked::new("t".into(), Box::new(5_i32));
        assert_eq!(p.message(), None);
        assert_eq!(p.to_string(), "thread 't' panicked");
        assert_eq!(
            format!("{p:?}"),
            "Panicked { thread: \"t\", message: None, .. }"
        );
    }

    #[test]
    fn panicked_is_send_error() {
        fn is_send_error<E: std::error::Error + Send + 'static>() {}
        is_send_error::<Panicked>();
        is_send_error::<StackSizeError>();
    }
}
