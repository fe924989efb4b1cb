"""CPython 3.13's own tests of its threading and queue primitives, run on
bobbin's.

`test.lock_tests` and `test.test_queue` come from the interpreter's
installed standard library, unmodified; this file subclasses their classes
with bobbin's types, as CPython's `test_threading.py` and `test_queue.py`
subclass them with CPython's own (and, for RLock, subclasses
`test_threading`'s own class, which adds a test). Usage:

    python conformance.py [--repeat N] [-v] [unittest name filters...]

It prints `N passed, N failed, N skipped` (per run, and the total over
every run) and exits non-zero if anything failed.
"""

import sys
import unittest

import bobbin
import runner
from test import lock_tests, test_queue, test_threading

# Each skip names the CPython implementation detail the test checks.
EVENT_COND = "checks Event._cond, the Condition inside CPython's pure-Python Event"
RECURSION_COUNT = "Condition does not expose _recursion_count() (CPython skips it too)"
FAILING_QUEUE = ("overrides the pure-Python Queue's _put/_get hooks, which "
                 "bobbin's Queue (like any C implementation) does not call")


class LockTests(lock_tests.LockTests):
    locktype = staticmethod(bobbin.Lock)


class RLockTests(test_threading.CRLockTests):
    # CPython's tests of its C RLock: lock_tests' plus test_signature (the
    # constructor's DeprecationWarning, and a subclass with an __init__ of
    # its own).
    locktype = staticmethod(bobbin.RLock)


class EventTests(lock_tests.EventTests):
    eventtype = staticmethod(bobbin.Event)

    @unittest.skip(EVENT_COND)
    def test_at_fork_reinit(self):
        pass


class ConditionAsRLockTests(lock_tests.RLockTests):
    # Condition uses an RLock by default and exports its API.
    locktype = staticmethod(bobbin.Condition)

    @unittest.skip(RECURSION_COUNT)
    def test_recursion_count(self):
        pass


class ConditionTests(lock_tests.ConditionTests):
    condtype = staticmethod(bobbin.Condition)


class SemaphoreTests(lock_tests.SemaphoreTests):
    semtype = staticmethod(bobbin.Semaphore)


class BoundedSemaphoreTests(lock_tests.BoundedSemaphoreTests):
    semtype = staticmethod(bobbin.BoundedSemaphore)


class BarrierTests(lock_tests.BarrierTests):
    barriertype = staticmethod(bobbin.Barrier)


class QueueTest(test_queue.QueueTest, unittest.TestCase):
    queue = bobbin


class LifoQueueTest(test_queue.LifoQueueTest, unittest.TestCase):
    queue = bobbin


class PriorityQueueTest(test_queue.PriorityQueueTest, unittest.TestCase):
    queue = bobbin


@unittest.skip(FAILING_QUEUE)
class FailingQueueTest(test_queue.FailingQueueTest, unittest.TestCase):
    queue = bobbin


class SimpleQueueTest(test_queue.CSimpleQueueTest):
    # CPython's tests of its C SimpleQueue: the common ones plus
    # test_is_default and test_reentrancy.
    queue = bobbin


CLASSES = [
    LockTests, RLockTests, EventTests, ConditionTests, ConditionAsRLockTests,
    SemaphoreTests, BoundedSemaphoreTests, BarrierTests,
    QueueTest, LifoQueueTest, PriorityQueueTest, FailingQueueTest,
    SimpleQueueTest,
]


def suite(filters):
    loader = unittest.TestLoader()
    return runner.tests_of((loader.loadTestsFromTestCase(cls) for cls in CLASSES), filters)


if __name__ == "__main__":
    sys.exit(runner.main(__doc__.splitlines()[0], suite))
