//! Log lines in Python's `logging` format, with the thread names of bobbin's
//! registry: the Rust side of
//! `logging.basicConfig(format='%(asctime)s %(levelname)s [%(threadName)s] %(message)s')`.
//!
//! Python's tutorials log every line with the name of the thread that wrote
//! it, and so do the examples of the guide. This module is a small logger for
//! the [`log`] facade that writes exactly the line Python writes with that
//! format:
//!
//! ```text
//! 2026-11-25 10:00:00,123 INFO [worker-1] message
//! ```
//!
//! The thread name comes from bobbin's thread registry
//! ([`current_thread()`](crate::thread::current_thread)), so it is the name
//! given to [`Builder::name`](crate::thread::Builder::name), `MainThread` on
//! the main thread, `Thread-N` for an unnamed bobbin thread and `Dummy-N`
//! for a thread bobbin did not start: the names Python would print.
//!
//! Each line is formatted first and then written with one call while the
//! stream is locked, so lines from different threads never mix, unlike the
//! tutorial's `print` calls in chapter 2.
//!
//! # Differences from Python
//!
//! - The time is UTC. Python prints local time; bobbin reads no time-zone
//!   database, and the line format is otherwise the same.
//! - [`basic_config`] takes a [`log::LevelFilter`]. `log`'s `Warn` prints as
//!   Python's `WARNING`; Python's `CRITICAL` has no `log` counterpart
//!   (`ERROR` is the highest level), and `log`'s `Trace`, below `DEBUG`,
//!   prints as `TRACE`.
//! - Like Python's `basicConfig`, a second call does nothing: the `log`
//!   facade takes one logger per process. [`basic_config`] says whether it
//!   installed this one.
//!
//! # Examples
//!
//! ```
//! use bobbin::logging;
//! use log::{info, LevelFilter};
//!
//! logging::basic_config(LevelFilter::Debug);
//! info!("starting");
//! bobbin::thread::Builder::new()
//!     .name("worker-1")
//!     .spawn(|| info!("hello from a named thread"))
//!     .unwrap()
//!     .join()
//!     .unwrap();
//! ```

use log::{Level, LevelFilter, Log, Metadata, Record};
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where a [`Logger`] writes its lines.
///
/// Python's `basicConfig` writes to `sys.stderr` unless given a `stream`;
/// so does [`Logger::new`].
///
/// # Examples
///
/// ```
/// use bobbin::logging::{Logger, Stream};
/// use log::LevelFilter;
///
/// let logger = Logger::new(LevelFilter::Info).stream(Stream::Stdout);
/// assert_eq!(logger.target(), Stream::Stdout);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stream {
    /// Standard error, Python's default.
    #[default]
    Stderr,
    /// Standard output (`basicConfig(stream=sys.stdout)`).
    Stdout,
}

/// A [`log::Log`] implementation that writes Python-style lines.
///
/// [`basic_config`] installs one; build one yourself to choose the stream or
/// to install it with [`log::set_boxed_logger`].
///
/// # Examples
///
/// ```
/// use bobbin::logging::Logger;
/// use log::{LevelFilter, Log};
///
/// let logger = Logger::new(LevelFilter::Warn);
/// let info = log::Metadata::builder().level(log::Level::Info).build();
/// let error = log::Metadata::builder().level(log::Level::Error).build();
/// assert!(!logger.enabled(&info));
/// assert!(logger.enabled(&error));
/// ```
#[derive(Debug, Clone)]
pub struct Logger {
    level: LevelFilter,
    stream: Stream,
}

impl Logger {
    /// A logger that writes records at `level` and above to standard error.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin::logging::Logger;
    /// use log::LevelFilter;
    ///
    /// assert_eq!(Logger::new(LevelFilter::Debug).level(), LevelFilter::Debug);
    /// ```
    #[must_use]
    pub const fn new(level: LevelFilter) -> Logger {
        Logger {
            level,
            stream: Stream::Stderr,
        }
    }

    /// The same logger, writing to `stream` instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin::logging::{Logger, Stream};
    /// use log::LevelFilter;
    ///
    /// let logger = Logger::new(LevelFilter::Info).stream(Stream::Stdout);
    /// assert_eq!(logger.target(), Stream::Stdout);
    /// ```
    #[must_use]
    pub const fn stream(self, stream: Stream) -> Logger {
        Logger { stream, ..self }
    }

    /// The lowest level this logger writes.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin::logging::Logger;
    /// use log::LevelFilter;
    ///
    /// assert_eq!(Logger::new(LevelFilter::Info).level(), LevelFilter::Info);
    /// ```
    #[must_use]
    pub const fn level(&self) -> LevelFilter {
        self.level
    }

    /// The stream this logger writes to.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin::logging::{Logger, Stream};
    /// use log::LevelFilter;
    ///
    /// assert_eq!(Logger::new(LevelFilter::Info).target(), Stream::Stderr);
    /// ```
    #[must_use]
    pub const fn target(&self) -> Stream {
        self.stream
    }

    /// Installs this logger as the `log` facade's logger and sets the
    /// facade's maximum level to this logger's.
    ///
    /// # Errors
    ///
    /// [`log::SetLoggerError`] if a logger is already installed (this one,
    /// another, or one from another crate); the installed one stays.
    ///
    /// # Examples
    ///
    /// ```
    /// use bobbin::logging::Logger;
    /// use log::LevelFilter;
    ///
    /// let first = Logger::new(LevelFilter::Info).init();
    /// // The facade keeps the first logger of the process.
    /// assert!(Logger::new(LevelFilter::Debug).init().is_err());
    /// # let _ = first;
    /// ```
    pub fn init(self) -> Result<(), log::SetLoggerError> {
        let level = self.level;
        log::set_boxed_logger(Box::new(self))?;
        log::set_max_level(level);
        Ok(())
    }
}

impl Default for Logger {
    /// Python's default level, `WARNING`, on standard error.
    fn default() -> Logger {
        Logger::new(LevelFilter::Warn)
    }
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let thread = current_thread_name();
        let line = format_line(SystemTime::now(), record.level(), &thread, record.args());
        // One write of the whole line under the stream's lock: lines from
        // different threads never interleave. A logger has nowhere to report
        // its own failure (a closed pipe), so a failed write is dropped, as
        // Python's `logging` drops it after printing to stderr.
        let _ = match self.stream {
            Stream::Stderr => std::io::stderr().lock().write_all(line.as_bytes()),
            Stream::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(line.as_bytes()).and_then(|()| out.flush())
            }
        };
    }

    fn flush(&self) {
        let _ = match self.stream {
            Stream::Stderr => std::io::stderr().flush(),
            Stream::Stdout => std::io::stdout().flush(),
        };
    }
}

/// Installs a [`Logger`] for records at `level` and above, on standard
/// error: Python's `logging.basicConfig(level=…, format=…)` with the format
/// `%(asctime)s %(levelname)s [%(threadName)s] %(message)s`.
///
/// Returns whether it installed the logger. As Python's `basicConfig` does
/// nothing once the root logger has a handler, this does nothing (and
/// returns `false`) once the process has a `log` logger.
///
/// # Examples
///
/// ```
/// use log::{info, LevelFilter};
///
/// bobbin::logging::basic_config(LevelFilter::Info);
/// info!("logged as `… INFO [<this thread's name>] logged as …`");
/// assert!(!bobbin::logging::basic_config(LevelFilter::Debug));
/// ```
#[doc(alias = "basicConfig")]
pub fn basic_config(level: LevelFilter) -> bool {
    Logger::new(level).init().is_ok()
}

/// One log line, newline included, as the logger writes it:
/// `YYYY-MM-DD HH:MM:SS,mmm LEVEL [thread] message`, with Python's level
/// names (`WARNING`, not `WARN`).
///
/// The time is printed in UTC with milliseconds after a comma, as Python's
/// `asctime` prints them; a time before 1970 prints as 1970-01-01 00:00:00,000.
///
/// # Examples
///
/// ```
/// use bobbin::logging::format_line;
/// use log::Level;
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let when = UNIX_EPOCH + Duration::from_millis(1_795_600_800_123);
/// assert_eq!(
///     format_line(when, Level::Info, "worker-1", format_args!("sleep {}", 3)),
///     "2026-11-25 10:00:00,123 INFO [worker-1] sleep 3\n",
/// );
/// ```
#[must_use]
pub fn format_line(
    when: SystemTime,
    level: Level,
    thread_name: &str,
    message: impl fmt::Display,
) -> String {
    let since_epoch = when.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since_epoch.as_secs();
    let millis = since_epoch.subsec_millis();
    let (year, month, day) = civil_from_days(secs / 86_400);
    let in_day = secs % 86_400;
    let mut line = String::with_capacity(64);
    // Writing to a `String` cannot fail.
    let _ = writeln!(
        line,
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02},{millis:03} {} [{thread_name}] {message}",
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60,
        level_name(level),
    );
    line
}

/// Python's name for a level: `log`'s `Warn` is Python's `WARNING`.
fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "ERROR",
        Level::Warn => "WARNING",
        Level::Info => "INFO",
        Level::Debug => "DEBUG",
        Level::Trace => "TRACE",
    }
}

/// The name of the calling thread in bobbin's registry.
fn current_thread_name() -> String {
    crate::thread::current_thread().name().to_owned()
}

/// The proleptic Gregorian date of a day counted from 1970-01-01: Howard
/// Hinnant's `civil_from_days` algorithm
/// (<https://howardhinnant.github.io/date_algorithms.html>), for days on or
/// after the epoch.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01, so that a leap day is the last day of
    // its year, then split into 400-year eras of 146 097 days.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // Months counted from March: 0 is March, 11 is February.
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64, millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis)
    }

    #[test]
    fn epoch_and_leap_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        // 2000-02-29: a leap day in a year divisible by 400.
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        // 2100 is not a leap year: 2100-02-28 is followed by 2100-03-01.
        assert_eq!(civil_from_days(47_540), (2100, 2, 28));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
        assert_eq!(civil_from_days(20_782), (2026, 11, 25));
        assert_eq!(civil_from_days(20_818), (2026, 12, 31));
        assert_eq!(civil_from_days(20_819), (2027, 1, 1));
    }

    #[test]
    fn every_day_follows_the_previous_one() {
        // Walk forty years day by day: each date is the next of the last.
        let mut prev = civil_from_days(0);
        for days in 1..(40 * 366) {
            let next = civil_from_days(days);
            let (y, m, d) = prev;
            let expected_same_month = (y, m, d + 1);
            let expected_next_month = if m == 12 {
                (y + 1, 1, 1)
            } else {
                (y, m + 1, 1)
            };
            assert!(
                next == expected_same_month || next == expected_next_month,
                "{prev:?} -> {next:?}"
            );
            prev = next;
        }
    }

    #[test]
    fn line_format_is_pythons() {
        let line = format_line(at(1_795_600_800, 123), Level::Info, "worker-1", "message");
        assert_eq!(line, "2026-11-25 10:00:00,123 INFO [worker-1] message\n");
        let line = format_line(at(59, 7), Level::Warn, "MainThread", 42);
        assert_eq!(line, "1970-01-01 00:00:59,007 WARNING [MainThread] 42\n");
    }

    #[test]
    fn times_before_the_epoch_print_as_the_epoch() {
        let before = UNIX_EPOCH - Duration::from_secs(5);
        let line = format_line(before, Level::Error, "t", "x");
        assert_eq!(line, "1970-01-01 00:00:00,000 ERROR [t] x\n");
    }

    #[test]
    fn levels_filter() {
        let logger = Logger::new(LevelFilter::Info);
        let debug = Metadata::builder().level(Level::Debug).build();
        let info = Metadata::builder().level(Level::Info).build();
        assert!(!logger.enabled(&debug));
        assert!(logger.enabled(&info));
        assert!(!Logger::new(LevelFilter::Off).enabled(&info));
    }
}
