"""bobbin as a drop-in: CPython 3.13's own suites for threading, queue and
concurrent.futures' thread pool, run with threading's and queue's names
bound to bobbin's types, as a program that does `threading.Lock =
bobbin.Lock` (before importing what uses it) runs.

`test.test_threading`, `test.test_queue`,
`test.test_concurrent_futures.test_thread_pool`,
`test.test_concurrent_futures.test_future` and `test.test_logging` come
from the interpreter's installed standard library, unmodified. The names are
rebound before they are imported, so their test classes (`LockTests`'s
`locktype = threading.Lock`), the `Thread` objects' own `Event`s, the
thread pool's locks, conditions and `SimpleQueue`, the `Condition` of
every `Future`, the locks of logging's handlers, and the locks and
conditions of the pure-Python `queue.Queue` that `test_queue` imports
afresh are bobbin's; tests that run a child interpreter run it without
the rebinding. Usage:

    python dropin.py [--repeat N] [-v] [unittest name filters...]

It prints `N passed, N failed, N skipped` (per run, and the total over
every run) and exits non-zero if anything failed.
"""

import queue
import signal
import sys
import threading
import unittest

import bobbin
import runner

THREADING = ["Lock", "RLock", "Condition", "Semaphore", "BoundedSemaphore", "Event", "Barrier"]
QUEUE = ["Queue", "LifoQueue", "PriorityQueue", "SimpleQueue"]
for name in THREADING:
    setattr(threading, name, getattr(bobbin, name))
for name in QUEUE:
    setattr(queue, name, getattr(bobbin, name))

# Quiet, as under CPython's test runner (its default prints progress).
from test import support  # noqa: E402

support.verbose = 0

# Imported after the names are rebound.
from test import test_queue, test_threading  # noqa: E402
from test import test_logging  # noqa: E402
from test.test_concurrent_futures import test_future, test_thread_pool  # noqa: E402

MODULES = [test_threading, test_queue, test_thread_pool, test_future, test_logging]

# Each skip names what the test checks that is not the type's behaviour.
SKIPS = {
    (test_threading.EventTests, "test_at_fork_reinit"):
        "checks Event._cond, the Condition inside CPython's pure-Python Event",
    (test_threading.MiscTestCase, "test__all__"):
        "checks that threading's public names are defined in threading, "
        "which the rebinding makes untrue",
}
for (cls, method), reason in SKIPS.items():
    setattr(cls, method, unittest.skip(reason)(getattr(cls, method)))


def suite(filters):
    loader = unittest.TestLoader()
    return runner.tests_of((loader.loadTestsFromModule(m) for m in MODULES), filters)


if __name__ == "__main__":
    # Started with SIGINT ignored (a shell's background job without job
    # control, `nohup`), Python installs no handler, and test_threading's
    # interrupt tests (here and in the interpreters they start, which
    # inherit the disposition) would wait for a KeyboardInterrupt that never
    # comes. Python's own handler is what they expect.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(runner.main(__doc__.splitlines()[0], suite))
