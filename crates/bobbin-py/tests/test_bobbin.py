"""bobbin's own promises beyond CPython's suites: waits release the GIL,
Ctrl-C interrupts them and leaves the primitive consistent, Rust threads
share a queue with Python threads, `Queue.join(timeout)`, `thread_dump()`,
PriorityQueue with a failing `<`, and drop-in use under the stdlib names
(fork hooks included).

Run: python test_bobbin.py [-v]  (cargo xtask py runs it).
"""

import _thread
import ast
import gc
import os
import pathlib
import queue
import random
import re
import signal
import sys
import threading
import time
import unittest
import warnings
import weakref

import bobbin

# A bound no healthy wait comes near on a loaded 2-core machine.
GENEROUS = 20.0


def spin_until(cond, what):
    deadline = time.monotonic() + GENEROUS
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.001)


class GilReleased(unittest.TestCase):
    """A thread blocked in bobbin lets other Python threads run."""

    def check_releases_gil(self, block, unblock):
        done = threading.Event()

        def blocked():
            block()
            done.set()

        t = threading.Thread(target=blocked)
        t.start()
        # While it waits, this thread counts: if the waiter held the GIL,
        # the count could not move (and `unblock` could not run).
        spin_until(lambda: any(s.blocked_in for s in bobbin.thread_dump()
                               if s.native_id == t.native_id), "the thread to block")
        n = 0
        for _ in range(100_000):
            n += 1
        self.assertEqual(n, 100_000)
        unblock()
        t.join(GENEROUS)
        self.assertTrue(done.is_set())

    def test_lock(self):
        lock = bobbin.Lock()
        lock.acquire()
        self.check_releases_gil(lambda: lock.acquire(), lock.release)

    def test_queue_get(self):
        q = bobbin.Queue()
        self.check_releases_gil(q.get, lambda: q.put(1))

    def test_simple_queue_get(self):
        q = bobbin.SimpleQueue()
        self.check_releases_gil(q.get, lambda: q.put(1))

    def test_event(self):
        e = bobbin.Event()
        self.check_releases_gil(e.wait, e.set)

    def test_condition(self):
        c = bobbin.Condition()

        def wait():
            with c:
                c.wait()

        def notify():
            with c:
                c.notify()

        self.check_releases_gil(wait, notify)


class Interrupts(unittest.TestCase):
    """Ctrl-C (SIGINT) on the main thread during a blocking call raises
    KeyboardInterrupt promptly and leaves the primitive consistent."""

    # The wait slices are 20 ms; the bound is generous for a loaded machine.
    BOUND = 1.0

    @classmethod
    def setUpClass(cls):
        # Started with SIGINT ignored (a shell's background job without job
        # control, `nohup`), Python installs no handler and the signal is
        # lost: the blocked call would never return. Install Python's own
        # for these tests.
        cls.ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        if cls.ignored:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    @classmethod
    def tearDownClass(cls):
        if cls.ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    def interrupt(self, call):
        """Runs `call` on the main thread, sends SIGINT from another thread
        once it blocks, and returns the seconds from signal to exception."""
        sent = []

        def sender():
            spin_until(lambda: any(
                s.blocked_in for s in bobbin.thread_dump()
                if s.native_id == threading.main_thread().native_id),
                "the main thread to block")
            sent.append(time.monotonic())
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

        t = threading.Thread(target=sender)
        t.start()
        try:
            with self.assertRaises(KeyboardInterrupt):
                call()
            latency = time.monotonic() - sent[0]
        finally:
            t.join()
        self.assertLess(latency, self.BOUND)
        LATENCIES.append(latency)
        return latency

    def test_lock_acquire(self):
        lock = bobbin.Lock()
        lock.acquire()
        self.interrupt(lock.acquire)
        self.assertTrue(lock.locked())   # still held by us, once
        lock.release()
        self.assertFalse(lock.locked())

    def test_rlock_acquire(self):
        rlock = bobbin.RLock()
        t = threading.Thread(target=rlock.acquire)
        t.start(); t.join()
        self.interrupt(rlock.acquire)
        self.assertFalse(rlock._is_owned())

    def test_semaphore_acquire(self):
        sem = bobbin.BoundedSemaphore(1)
        sem.acquire()
        self.interrupt(sem.acquire)
        sem.release()               # the one permit is back; no permit leaked
        self.assertRaises(ValueError, sem.release)

    def test_queue_get(self):
        q = bobbin.Queue()
        self.interrupt(q.get)
        q.put(1)
        self.assertEqual(q.get_nowait(), 1)
        self.assertEqual(q.qsize(), 0)

    def test_queue_put(self):
        q = bobbin.Queue(1)
        q.put("first")
        self.interrupt(lambda: q.put("second"))
        self.assertEqual(q.qsize(), 1)          # the second item is not in
        self.assertEqual(q.get(), "first")
        self.assertEqual(q.unfinished_tasks, 1)

    def test_priority_queue_get(self):
        q = bobbin.PriorityQueue()
        self.interrupt(q.get)
        q.put(2); q.put(1)
        self.assertEqual([q.get(), q.get()], [1, 2])

    def test_simple_queue_get(self):
        q = bobbin.SimpleQueue()
        self.interrupt(q.get)
        q.put(1)
        self.assertEqual(q.get_nowait(), 1)

    def test_queue_join(self):
        q = bobbin.Queue()
        q.put(1)
        self.interrupt(q.join)
        q.get(); q.task_done()
        self.assertTrue(q.join(timeout=GENEROUS))

    def test_event_wait(self):
        self.interrupt(bobbin.Event().wait)

    def test_condition_wait(self):
        c = bobbin.Condition()
        with c:
            self.interrupt(c.wait)
            self.assertTrue(c._is_owned())   # held again, as CPython leaves it
        self.assertFalse(c._is_owned())

    def test_condition_wait_over_a_foreign_lock(self):
        lock = threading.Lock()
        c = bobbin.Condition(lock)
        with c:
            self.interrupt(c.wait)
            self.assertTrue(lock.locked())
        self.assertFalse(lock.locked())

    def test_barrier_wait(self):
        b = bobbin.Barrier(2)
        self.interrupt(b.wait)
        # The interrupted party left; the barrier is not broken and passes.
        self.assertFalse(b.broken)
        self.assertEqual(b.n_waiting, 0)
        t = threading.Thread(target=b.wait)
        t.start()
        b.wait(GENEROUS)
        t.join()


LATENCIES = []


class SignalHandlerPulse(unittest.TestCase):
    """A signal handler that sets and at once clears an Event the main
    thread waits on: the handler runs between two of the wait's slices
    (bobbin's main thread waits in 20 ms slices and runs handlers between
    them), and CPython's waiter, queued for the whole call, is released by
    the pulse, so the wait returns True."""

    def pulse_in_handler(self, event):
        def handler(signum, frame):
            event.set()
            event.clear()

        def sender():
            spin_until(lambda: any(
                s.blocked_in for s in bobbin.thread_dump()
                if s.native_id == threading.main_thread().native_id),
                "the main thread to block")
            signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)

        old = signal.signal(signal.SIGUSR1, handler)
        t = threading.Thread(target=sender)
        t.start()
        try:
            start = time.monotonic()
            # A wait that missed the pulse would return False after 5 s.
            self.assertTrue(event.wait(5.0))
            self.assertFalse(event.is_set())
            self.assertLess(time.monotonic() - start, 4.0)
        finally:
            t.join()
            signal.signal(signal.SIGUSR1, old)

    def test_bobbin_event(self):
        self.pulse_in_handler(bobbin.Event())

    def test_a_subclass_of_bobbin_event(self):
        class Flag(bobbin.Event):
            pass
        self.pulse_in_handler(Flag())


class Conditions(unittest.TestCase):
    def test_notify_reaches_a_waiter_over_a_bare_held_lock(self):
        lock = bobbin.Lock()
        c = bobbin.Condition(lock)
        got = []

        def waiter():
            lock.acquire()         # bare, not `with`
            got.append(c.wait(GENEROUS))
            got.append(lock.locked())
            lock.release()

        t = threading.Thread(target=waiter)
        t.start()
        spin_until(lambda: "1)>" in repr(c), "the waiter to wait")
        with c:
            c.notify()
        t.join()
        self.assertEqual(got, [True, True])

    def test_rlock_levels_are_released_and_restored(self):
        c = bobbin.Condition()
        c.acquire(); c.acquire()
        seen = []
        t = threading.Thread(target=lambda: (c.acquire(), seen.append(True),
                                             c.notify(), c.release()))
        t.start()
        self.assertTrue(c.wait(GENEROUS))
        t.join()
        self.assertEqual(seen, [True])
        c.release(); c.release()
        self.assertRaises(RuntimeError, c.release)

    def test_wait_for_runs_the_predicate_holding_the_lock(self):
        c = bobbin.Condition(bobbin.Lock())
        state = []

        def pred():
            self.assertTrue(c._is_owned())
            return len(state) == 3

        def adder():
            for _ in range(3):
                with c:
                    state.append(1)
                    c.notify()

        t = threading.Thread(target=adder)
        with c:
            t.start()
            self.assertTrue(c.wait_for(pred, GENEROUS))
        t.join()

    def test_a_foreign_lock_gets_the_calls_as_made(self):
        # CPython's Condition binds the lock's own acquire and release and
        # hands __enter__/__exit__ to the lock's: arguments go through as
        # given, results come back, and an __exit__ that returns True
        # suppresses the exception.
        def run(condition_type):
            calls = []

            class Recording:
                def acquire(self, *args, **kwargs):
                    calls.append(("acquire", args, kwargs))
                    return "taken"

                def release(self, *args, **kwargs):
                    calls.append(("release", args, kwargs))
                    return "released"

                def __enter__(self):
                    calls.append(("enter",))
                    return self

                def __exit__(self, *args):
                    calls.append(("exit", len(args), args[0]))
                    return True

            lock = Recording()
            cond = condition_type(lock)
            results = [cond.acquire(), cond.acquire(False), cond.acquire(timeout=5),
                       cond.release(), cond.release(1, n=2)]
            with cond as entered:
                raise ValueError("suppressed")
            results.append(entered is lock)
            return results, calls

        self.assertEqual(run(bobbin.Condition), run(threading.Condition))

    def test_a_condition_over_a_semaphore_waits_for_it(self):
        # A bare acquire() of a threading.Semaphore blocks: it must not be
        # given a timeout the caller did not give.
        sem = threading.Semaphore(1)
        cond = bobbin.Condition(sem)
        cond.acquire()
        released = threading.Event()

        def releaser():
            released.wait()
            sem.release()

        t = threading.Thread(target=releaser)
        t.start()
        released.set()
        self.assertIs(cond.acquire(), True)
        t.join()

    def test_notify_counts_as_python_does(self):
        # CPython's `while waiters and n > 0: ...; n -= 1` takes any
        # number, and with no waiter never looks at n.
        for condition_type in (threading.Condition, bobbin.Condition):
            for n, woken in ((1.5, 2), (0.5, 1), (10**30, 3), (-10**30, 0), (True, 1)):
                with self.subTest(condition_type=condition_type, n=n):
                    c = condition_type()
                    threads = [threading.Thread(target=lambda: (c.acquire(),
                                                                c.wait(GENEROUS),
                                                                c.release()))
                               for _ in range(3)]
                    for t in threads:
                        t.start()
                    spin_until(lambda: repr(c).endswith(", 3)>"), "three waiters")
                    with c:
                        c.notify(n)
                        self.assertTrue(repr(c).endswith(f", {3 - woken})>"), repr(c))
                        c.notify_all()
                    for t in threads:
                        t.join()
            c = condition_type()
            with c:
                c.notify(None)  # no waiter: n is never looked at
                c.notify("x")

    def test_notify_compares_n_with_no_lock_of_bobbins_held(self):
        # `notify(n)` with an n that is not an int counts it down with
        # Python's `>` and `-`, which may run any code: here code that
        # reads the condition's waiter queue (its repr does). Holding
        # that queue's lock across `>` would deadlock.
        c = bobbin.Condition()

        class Count:
            def __init__(self, n):
                self.n = n

            def __gt__(self, other):
                repr(c)
                return self.n > other

            def __sub__(self, k):
                return Count(self.n - k)

        woken = []
        # Daemons both: a deadlocked notifier would hold the lock for good.
        waiter = threading.Thread(target=lambda: (c.acquire(), woken.append(c.wait(GENEROUS)),
                                                  c.release()), daemon=True)
        waiter.start()
        spin_until(lambda: repr(c).endswith(", 1)>"), "the waiter to wait")

        def notifier():
            with c:
                c.notify(Count(1))

        t = threading.Thread(target=notifier, daemon=True)
        t.start()
        t.join(GENEROUS)
        self.assertFalse(t.is_alive(), "notify(n) deadlocked on its own lock")
        waiter.join()
        self.assertEqual(woken, [True])


class ConditionTimeouts(unittest.TestCase):
    def test_waiters_timing_out_together_leave_the_lock_free(self):
        for lock in (None, bobbin.Lock()):
            for _ in range(20):
                c = bobbin.Condition(lock)
                got = []

                def waiter():
                    with c:
                        got.append(c.wait(0.01))

                threads = [threading.Thread(target=waiter) for _ in range(5)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(GENEROUS)
                self.assertEqual(got, [False] * 5)
                self.assertTrue(c.acquire(False))    # nobody kept it
                c.release()


class Barriers(unittest.TestCase):
    """bobbin's barrier counts generations: each party learns its own
    generation's outcome, however late it wakes."""

    def test_more_threads_than_parties(self):
        b = bobbin.Barrier(2)
        got = []                            # list.append is atomic

        def run():
            try:
                while True:
                    got.append(b.wait(GENEROUS))
            except threading.BrokenBarrierError:
                pass

        threads = [threading.Thread(target=run) for _ in range(6)]
        for t in threads:
            t.start()
        spin_until(lambda: len(got) >= 2_000, "1,000 generations")
        b.abort()
        for t in threads:
            t.join()
        # Every generation that passed gave out one index 0 and one 1.
        self.assertEqual(sorted(set(got)), [0, 1])
        self.assertEqual(got.count(0), got.count(1))

    def test_a_reset_generation_stays_reset(self):
        b = bobbin.Barrier(2)
        got = []

        def waiter():
            try:
                b.wait(GENEROUS)
                got.append("passed")
            except threading.BrokenBarrierError:
                got.append("reset")

        t = threading.Thread(target=waiter)
        t.start()
        spin_until(lambda: b.n_waiting == 1, "the waiter to wait")
        b.reset()
        # Later generations pass, whenever the reset party wakes.
        helper = threading.Thread(target=lambda: [b.wait(GENEROUS) for _ in range(50)])
        helper.start()
        for _ in range(50):
            b.wait(GENEROUS)
        helper.join()
        t.join()
        self.assertEqual(got, ["reset"])
        self.assertFalse(b.broken)

    def check_action(self, action):
        """Two parties, `action` run by the last; returns what each got."""
        b = bobbin.Barrier(2, action=lambda: action(b))
        got = {}

        def party(name):
            try:
                got[name] = b.wait(GENEROUS)
            except Exception as e:
                got[name] = type(e)

        t = threading.Thread(target=party, args=("first",))
        t.start()
        spin_until(lambda: b.n_waiting == 1, "the first party to wait")
        party("last")
        t.join()
        return b, got

    def test_action_that_raises_breaks_the_barrier(self):
        def action(b):
            raise ValueError("action")
        b, got = self.check_action(action)
        self.assertEqual(got, {"first": threading.BrokenBarrierError, "last": ValueError})
        self.assertTrue(b.broken)

    def test_reset_from_the_action(self):
        resets = []

        def action(b):
            if not resets:                  # the first generation only
                resets.append(b.reset())
        b, got = self.check_action(action)
        self.assertEqual(got, {"first": threading.BrokenBarrierError, "last": 1})
        self.assertFalse(b.broken)
        t = threading.Thread(target=b.wait)     # and usable
        t.start()
        spin_until(lambda: b.n_waiting == 1, "the thread to wait")
        self.assertEqual(b.wait(GENEROUS), 1)
        t.join()

    def test_abort_from_the_action(self):
        b, got = self.check_action(lambda b: b.abort())
        self.assertEqual(got, {"first": threading.BrokenBarrierError, "last": 1})
        self.assertTrue(b.broken)

    def test_a_timeout_during_the_action_waits_for_its_outcome(self):
        b = bobbin.Barrier(2, action=lambda: time.sleep(0.3))
        got = []
        t = threading.Thread(target=lambda: got.append(b.wait(0.1)))
        t.start()
        spin_until(lambda: b.n_waiting == 1, "the first party to wait")
        self.assertEqual(b.wait(), 1)
        t.join()
        self.assertEqual(got, [0])
        self.assertFalse(b.broken)


class PriorityErrors(unittest.TestCase):
    def test_an_incomparable_put_raises_and_changes_nothing(self):
        q = bobbin.PriorityQueue()
        for x in (3, 1, 2):
            q.put(x)
        with self.assertRaises(TypeError):
            q.put("a string")
        self.assertEqual(q.qsize(), 3)
        self.assertEqual(q.unfinished_tasks, 3)
        self.assertEqual([q.get() for _ in range(3)], [1, 2, 3])

    def test_a_failing_lt_on_get_keeps_the_item(self):
        class Item:
            fail = False

            def __init__(self, n):
                self.n = n

            def __lt__(self, other):
                if Item.fail:
                    raise ValueError("no")
                return self.n < other.n

        q = bobbin.PriorityQueue()
        for n in (5, 1, 4, 2, 3):
            q.put(Item(n))
        Item.fail = True
        with self.assertRaises(ValueError):
            q.get()
        Item.fail = False
        self.assertEqual([q.get().n for _ in range(5)], [1, 2, 3, 4, 5])

    def test_order_with_python_lt_under_threads(self):
        # __lt__ in Python can lose the GIL mid-comparison; puts and gets
        # from several threads must still give a valid heap.
        class Slow:
            def __init__(self, n):
                self.n = n

            def __lt__(self, other):
                return self.n < other.n

        q = bobbin.PriorityQueue()
        N, T = 2000, 4

        def put(k):
            for n in range(k, N, T):
                q.put(Slow(n))

        threads = [threading.Thread(target=put, args=(k,)) for k in range(T)]
        old = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            for t in threads: t.start()
            for t in threads: t.join()
        finally:
            sys.setswitchinterval(old)
        self.assertEqual([q.get().n for _ in range(N)], list(range(N)))


class Queues(unittest.TestCase):
    def test_join_with_a_timeout_returns_a_bool(self):
        q = bobbin.Queue()
        self.assertTrue(q.join(timeout=0))
        q.put(1)
        t0 = time.monotonic()
        self.assertFalse(q.join(timeout=0.05))
        self.assertGreaterEqual(time.monotonic() - t0, 0.05)
        q.get(); q.task_done()
        self.assertTrue(q.join())

    def test_exceptions_are_the_stdlib_classes(self):
        self.assertIs(bobbin.Empty, queue.Empty)
        self.assertIs(bobbin.Full, queue.Full)
        self.assertIs(bobbin.ShutDown, queue.ShutDown)
        self.assertIs(bobbin.BrokenBarrierError, threading.BrokenBarrierError)
        with self.assertRaises(queue.Empty):
            bobbin.Queue().get_nowait()

    def test_immediate_shutdown_drops_items_outside_the_lock(self):
        q = bobbin.Queue()
        dropped = []

        class Reentrant:
            def __del__(self):
                # Runs when shutdown drops the item: the queue must be usable.
                dropped.append(q.qsize())

        q.put(Reentrant())
        q.shutdown(immediate=True)
        gc.collect()
        self.assertEqual(dropped, [0])

    def test_subclass_init_may_call_super(self):
        class MyQueue(bobbin.Queue):
            def __init__(self, maxsize, name):
                super().__init__(maxsize)
                self.name = name

        q = MyQueue(2, "jobs")
        self.assertEqual((q.maxsize, q.name), (2, "jobs"))
        self.assertIsInstance(bobbin.LifoQueue(), bobbin.Queue)

    def test_growing_maxsize_wakes_a_blocked_putter(self):
        q = bobbin.Queue(1)
        q.put(1)
        t = threading.Thread(target=q.put, args=(2,))
        t.start()
        spin_until(lambda: any(s.blocked_in for s in bobbin.thread_dump()
                               if s.native_id == t.native_id), "the putter to block")
        q.maxsize = 2
        t.join(GENEROUS)
        self.assertEqual(q.qsize(), 2)

    def test_put_checks_its_timeout_only_where_it_could_wait(self):
        # CPython's put reads the timeout only in a bounded queue that is
        # open, with block true; an unbounded queue takes the item whatever
        # the timeout, and a shut-down one raises ShutDown first.
        def outcome(module, maxsize, shut, block, timeout):
            q = module.Queue(maxsize)
            if shut:
                q.shutdown()
            try:
                q.put(1, block, timeout)
            except Exception as e:
                return type(e)
            return q.qsize()

        for maxsize in (0, -1, 2):
            for shut in (False, True):
                for block in (True, False):
                    for timeout in (None, 0, 0.01, -1, "x"):
                        case = (maxsize, shut, block, timeout)
                        with self.subTest(case):
                            self.assertEqual(outcome(bobbin, *case),
                                             outcome(queue, *case))


class SameAsCPython(unittest.TestCase):
    """Random sequences of calls that never block, made on one of CPython's
    objects and on bobbin's twin side by side: every call must return the
    same value or raise the same exception (type and message), as a user
    switching modules would see. Seeded, so a failure replays."""

    SEEDS = range(5)
    STEPS = 25

    @staticmethod
    def outcome(call):
        try:
            return ("returned", call())
        except Exception as e:
            return ("raised", type(e), str(e))

    def compare(self, seed, make, calls, trials):
        rng = random.Random(seed)
        for trial in range(trials):
            kind = rng.choice(sorted(make))
            theirs, ours = make[kind]()
            done = []
            for _ in range(self.STEPS):
                name = rng.choice(sorted(calls[kind]))
                arg = rng.randrange(100)
                expected = self.outcome(lambda: calls[kind][name](theirs, arg))
                got = self.outcome(lambda: calls[kind][name](ours, arg))
                done.append((name, arg))
                self.assertEqual(got, expected, f"seed {seed}, {kind}, after {done}")

    def test_queues(self):
        queue_calls = {
            "put": lambda q, x: q.put(x, block=False),
            "put_timeout_0": lambda q, x: q.put(x, timeout=0),
            "put_nowait": lambda q, x: q.put_nowait(x),
            "get": lambda q, x: q.get(block=False),
            "get_timeout_0": lambda q, x: q.get(timeout=0),
            "get_nowait": lambda q, x: q.get_nowait(),
            "task_done": lambda q, x: q.task_done(),
            "qsize": lambda q, x: q.qsize(),
            "empty": lambda q, x: q.empty(),
            "full": lambda q, x: q.full(),
            "unfinished_tasks": lambda q, x: q.unfinished_tasks,
            "set_maxsize": lambda q, x: setattr(q, "maxsize", x % 4 - 1),
            "maxsize": lambda q, x: q.maxsize,
            "is_shutdown": lambda q, x: q.is_shutdown,
            # Rare, as it ends what the sequence can do.
            "shutdown": lambda q, x: x < 3 and q.shutdown(immediate=x % 2 == 0),
        }
        simple_calls = {
            name: queue_calls[name]
            for name in ("put", "put_timeout_0", "put_nowait", "get", "get_timeout_0",
                         "get_nowait", "qsize", "empty")
        }
        make = {
            kind: (lambda kind=kind, size=size: (getattr(queue, kind)(size),
                                                 getattr(bobbin, kind)(size)))
            for kind in ("Queue", "LifoQueue", "PriorityQueue")
            for size in (0,)
        }
        make["bounded Queue"] = lambda: (queue.Queue(2), bobbin.Queue(2))
        make["SimpleQueue"] = lambda: (queue.SimpleQueue(), bobbin.SimpleQueue())
        calls = {kind: queue_calls for kind in make}
        calls["SimpleQueue"] = simple_calls
        for seed in self.SEEDS:
            self.compare(seed, make, calls, trials=300)

    def test_wait_for_edges(self):
        # CPython's wait_for calls the predicate first and then waits at
        # least once, whatever the timeout: the wait checks the lock.
        for held in (False, True):
            for value in (0, 7):
                for timeout in (0, -1, 0.001, float("nan")):
                    if held and not value and timeout != timeout:
                        # CPython spins forever there (its waits take NaN
                        # as "do not block"); bobbin raises ValueError.
                        continue
                    case = (held, value, timeout)
                    with self.subTest(case):
                        results = []
                        for cond in (threading.Condition(), bobbin.Condition()):
                            if held:
                                cond.acquire()
                            results.append(self.outcome(
                                lambda: cond.wait_for(lambda: value, timeout)))
                            if held:
                                cond.release()
                        self.assertEqual(results[1], results[0])

    def test_timeouts_are_read_only_where_a_call_waits(self):
        # CPython's pure-Python types (and C's SimpleQueue.get) look at a
        # timeout only when they are about to wait: a call that does not
        # wait ignores even one of the wrong type.
        def held(cond):
            cond.acquire()
            return cond

        def recorded_first_wait(condition_type):
            seen = []

            class Recording(condition_type):
                def wait(self, timeout=None):
                    seen.append(timeout)
                    return super().wait(timeout)

            cond = Recording()
            with cond:
                calls = iter([False, True])
                cond.wait_for(lambda: next(calls), 1)
            return [type(t).__name__ for t in seen]

        def filled(q):
            q.put("item")
            return q

        cases = {
            "Event set": lambda t, q: (lambda e: (e.set(), e.wait("x"))[1])(t.Event()),
            "Event unset": lambda t, q: t.Event().wait("x"),
            "Semaphore free": lambda t, q: t.Semaphore(1).acquire(True, "x"),
            "Semaphore free, NaN": lambda t, q: t.Semaphore(1).acquire(True, float("nan")),
            "Semaphore taken": lambda t, q: t.Semaphore(0).acquire(True, "x"),
            "Semaphore non-blocking": lambda t, q: t.Semaphore(1).acquire(False, "x"),
            "Barrier last party": lambda t, q: t.Barrier(1).wait("x"),
            "wait_for true": lambda t, q: held(t.Condition()).wait_for(lambda: 5, "x"),
            "wait_for false": lambda t, q: held(t.Condition()).wait_for(lambda: 0, "x"),
            "wait_for first wait": lambda t, q: recorded_first_wait(t.Condition),
            "Queue get non-blocking": lambda t, q: filled(q.Queue()).get(False, "x"),
            "Queue get non-blocking, empty": lambda t, q: q.Queue().get(False, "x"),
            "Queue get blocking": lambda t, q: filled(q.Queue()).get(True, "x"),
            "SimpleQueue get non-blocking": lambda t, q: filled(q.SimpleQueue()).get(False, "x"),
            "SimpleQueue get non-blocking, empty": lambda t, q: q.SimpleQueue().get(False, "x"),
            "SimpleQueue get blocking": lambda t, q: filled(q.SimpleQueue()).get(True, "x"),
        }
        for name, case in cases.items():
            with self.subTest(name):
                # The messages of a wrong type differ (CPython's come from
                # the arithmetic it does with the timeout): types only.
                expected = self.outcome(lambda: case(threading, queue))[:2]
                got = self.outcome(lambda: case(bobbin, bobbin))[:2]
                self.assertEqual(got, expected)

    def test_locks_events_and_conditions(self):
        lock_calls = {
            "acquire_nonblocking": lambda o, x: o.acquire(False),
            "acquire_timeout_0": lambda o, x: o.acquire(timeout=0),
            "release": lambda o, x: o.release(),
            "exit": lambda o, x: o.__exit__(None, None, None),
        }
        # __enter__ takes acquire's arguments; __exit__ takes up to three
        # (Lock, RLock: CPython's takes any number) or exactly three (the
        # semaphores).
        entering_calls = dict(lock_calls,
                              enter_nonblocking=lambda o, x: o.__enter__(False),
                              enter_timeout_0=lambda o, x: o.__enter__(timeout=0),
                              exit_bare=lambda o, x: o.__exit__(),
                              exit_many=lambda o, x: o.__exit__(*range(x % 4)))
        semaphore_calls = dict(entering_calls, release_n=lambda o, x: o.release(x % 3),
                               value=lambda o, x: o._value)
        reentrant_calls = dict(lock_calls, enter=lambda o, x: o.__enter__(),
                               is_owned=lambda o, x: o._is_owned())
        make = {
            "Lock": lambda: (threading.Lock(), bobbin.Lock()),
            "RLock": lambda: (threading.RLock(), bobbin.RLock()),
            "Semaphore": lambda: (threading.Semaphore(2), bobbin.Semaphore(2)),
            "BoundedSemaphore": lambda: (threading.BoundedSemaphore(2),
                                         bobbin.BoundedSemaphore(2)),
            "Event": lambda: (threading.Event(), bobbin.Event()),
            "Condition": lambda: (threading.Condition(), bobbin.Condition()),
        }
        calls = {
            "Lock": dict(entering_calls, locked=lambda o, x: o.locked()),
            "RLock": dict(reentrant_calls, **entering_calls),
            "Semaphore": semaphore_calls,
            "BoundedSemaphore": semaphore_calls,
            "Event": {
                "set": lambda o, x: o.set(),
                "clear": lambda o, x: o.clear(),
                "is_set": lambda o, x: o.is_set(),
                "wait_0": lambda o, x: o.wait(0),
            },
            "Condition": dict(reentrant_calls,
                              notify=lambda o, x: o.notify(x % 3),
                              notify_all=lambda o, x: o.notify_all(),
                              wait_0=lambda o, x: o.wait(0),
                              wait_for_0=lambda o, x: o.wait_for(lambda: x % 2, 0)),
        }
        for seed in self.SEEDS:
            self.compare(seed, make, calls, trials=300)


class Collection(unittest.TestCase):
    """Reference cycles through bobbin's objects are garbage collected as
    through CPython's: an item that refers to its queue, a barrier action or
    a condition's lock that refers back."""

    class Node:
        pass

    def cycles(self, threading_mod, queue_mod):
        Node = self.Node

        def through_queue(cls):
            def build():
                q, item = cls(), Node()
                item.q = q
                q.put(item)
                return item
            return build

        def barrier():
            node = Node()
            node.barrier = threading_mod.Barrier(2, action=lambda: node)
            return node

        def condition():
            lock = Node()
            lock.acquire = lambda *args: True
            lock.release = lambda: None
            lock.cond = threading_mod.Condition(lock)
            return lock

        def queue_in_itself():
            q = queue_mod.Queue()
            q.put(q)
            return q

        def bound_action():
            class Tripping(threading_mod.Barrier):
                def __init__(self):
                    super().__init__(2, action=self.tripped)

                def tripped(self):
                    pass
            return Tripping()

        def subclass_attribute():
            class Mine(threading_mod.Semaphore):
                pass
            sem = Mine()
            sem.me = sem
            return sem

        def own_attribute(make):
            # CPython's pure-Python types take attributes of their own.
            def build():
                obj = make()
                obj.me = obj
                return obj
            return build

        builds = {cls: through_queue(getattr(queue_mod, cls))
                  for cls in ("Queue", "LifoQueue", "PriorityQueue")}
        builds.update({
            f"{name} attribute": own_attribute(make) for name, make in {
                "Condition": threading_mod.Condition,
                "Semaphore": threading_mod.Semaphore,
                "BoundedSemaphore": threading_mod.BoundedSemaphore,
                "Event": threading_mod.Event,
                "Barrier": lambda: threading_mod.Barrier(2),
                "Queue": queue_mod.Queue,
                "LifoQueue": queue_mod.LifoQueue,
                "PriorityQueue": queue_mod.PriorityQueue,
            }.items()})
        builds.update(barrier=barrier, bound_action=bound_action, condition=condition,
                      queue_in_itself=queue_in_itself,
                      subclass_attribute=subclass_attribute)
        return builds

    def collected(self, build):
        ref = weakref.ref(build())
        gc.collect()
        return ref() is None

    def test_cycles_are_collected_as_in_cpython(self):
        theirs = self.cycles(threading, queue)
        for name, build in self.cycles(bobbin, bobbin).items():
            with self.subTest(name):
                self.assertTrue(self.collected(theirs[name]))
                self.assertTrue(self.collected(build))

    def test_items_rust_will_get_are_left_whole(self):
        # A queue Rust threads hold is not the collector's: the cycle stays
        # (as if Rust held a reference to the item) and the item reaches
        # Rust intact.
        source, sink = bobbin.Queue(), bobbin.Queue()
        go = bobbin._testing.forward_later(source, sink)
        item = self.Node()
        item.q, item.payload = source, "intact"
        source.put(item)
        ref = weakref.ref(item)
        del item, source
        gc.collect()
        self.assertIsNotNone(ref())
        go.set()
        got = sink.get(timeout=GENEROUS)
        self.assertEqual(got.payload, "intact")
        self.assertEqual(got.q.qsize(), 0)


class SharedWithRust(unittest.TestCase):
    def test_a_million_items_from_rust_threads_to_python_threads(self):
        N, PRODUCERS, CONSUMERS = 1_000_000, 2, 2
        q = bobbin.Queue(1000)
        seen = bytearray(N)

        def consume():
            while True:
                x = q.get()
                if x is None:
                    q.task_done()
                    return
                seen[x] += 1
                q.task_done()

        consumers = [threading.Thread(target=consume) for _ in range(CONSUMERS)]
        for t in consumers: t.start()
        # Rust threads put 0..N; a Rust thread joins the queue and then sets
        # `done`, once every item had its task_done() from Python.
        done = bobbin._testing.produce(q, N, PRODUCERS)
        self.assertTrue(done.wait(300))
        self.assertTrue(q.join(timeout=GENEROUS))   # Python's join agrees
        for _ in consumers:
            q.put(None)
        for t in consumers: t.join()
        self.assertTrue(q.join(timeout=GENEROUS))
        self.assertEqual(seen.count(1), N, "every item arrives exactly once")


class ThreadDump(unittest.TestCase):
    def test_names_a_blocked_python_thread_and_what_it_waits_for(self):
        lock = bobbin.Lock()
        lock.acquire()
        t = threading.Thread(target=lock.acquire, name="stuck-worker")
        t.start()
        spin_until(lambda: any(s.name == "stuck-worker" and s.blocked_in
                               for s in bobbin.thread_dump()), "the worker to block")
        time.sleep(0.05)
        (me,) = [s for s in bobbin.thread_dump() if s.name == "stuck-worker"]
        self.assertTrue(me.python)
        self.assertEqual(me.blocked_in, "Lock.acquire")
        self.assertEqual(me.native_id, t.native_id)
        self.assertGreaterEqual(me.waited, 0.05)
        self.assertIn("stuck-worker", str(me))
        self.assertIn("blocked in Lock.acquire", str(me))
        lock.release()
        t.join()
        main = [s for s in bobbin.thread_dump() if s.name == "MainThread"]
        self.assertEqual(len(main), 1)
        self.assertIsNone(main[0].blocked_in)


class Stubs(unittest.TestCase):
    """The installed package carries type stubs (`__init__.pyi`, from
    `bobbin.pyi`) and a `py.typed` marker, and the stubs name exactly what
    the module has: every public name, and every class's own methods and
    attributes."""

    def test_the_stubs_name_what_the_module_has(self):
        package = pathlib.Path(bobbin.__file__).parent
        self.assertTrue((package / "py.typed").is_file())
        tree = ast.parse((package / "__init__.pyi").read_text())

        top, classes = set(), {}
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                top.add(node.name)
                bases = [b.value.id if isinstance(b, ast.Subscript) else getattr(b, "id", None)
                         for b in node.bases]
                members = {n.name for n in node.body
                           if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
                members |= {n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
                classes[node.name] = (bases, members)
            elif isinstance(node, ast.FunctionDef):
                top.add(node.name)
            elif isinstance(node, ast.AnnAssign):
                top.add(node.target.id)
            elif isinstance(node, ast.ImportFrom) and node.module in ("queue", "threading"):
                top |= {a.asname for a in node.names if a.asname}
            elif isinstance(node, ast.If):  # ShutDown, by Python version
                for n in node.body + node.orelse:
                    if isinstance(n, ast.ImportFrom):
                        top |= {a.asname for a in n.names if a.asname}
                    elif isinstance(n, ast.ClassDef):
                        top.add(n.name)

        public = {n for n in bobbin.__all__ if not n.startswith("_")}
        self.assertEqual(public - top, set(), "missing from the stubs")
        self.assertEqual({n for n in top if not n.startswith("_")} - public, set(),
                         "in the stubs but not in the module")

        def stub_members(name):
            bases, members = classes[name]
            for base in bases:
                if base in classes:
                    members = members | stub_members(base)
            return members

        for name in public:
            cls = getattr(bobbin, name)
            if not isinstance(cls, type) or issubclass(cls, BaseException):
                continue
            with self.subTest(name):
                runtime = {m for m in vars(cls)
                           if not (m.startswith("__") and m.endswith("__"))}
                runtime |= {m for m in ("__enter__", "__exit__") if m in vars(cls)}
                self.assertEqual(runtime - stub_members(name), set(), "missing from the stub")
                stubbed = stub_members(name) - {"__init__", "__class_getitem__"}
                self.assertEqual({m for m in stubbed if not hasattr(cls, m)}, set(),
                                 "in the stub but not in the class")


class DropIn(unittest.TestCase):
    def test_code_written_for_threading_runs_on_bobbin(self):
        # A producer/consumer pipeline written against the stdlib names.
        def pipeline(threading_mod, queue_mod):
            q = queue_mod.Queue(4)
            results = []
            lock = threading_mod.Lock()
            ready = threading_mod.Event()
            barrier = threading_mod.Barrier(3)

            def worker():
                barrier.wait()
                while True:
                    try:
                        item = q.get(timeout=GENEROUS)
                    except queue_mod.ShutDown:
                        return
                    with lock:
                        results.append(item * 2)
                    q.task_done()

            ts = [threading.Thread(target=worker) for _ in range(2)]
            for t in ts: t.start()
            barrier.wait()
            ready.set()
            for i in range(50):
                q.put(i)
            q.join()
            q.shutdown()
            for t in ts: t.join()
            return sorted(results)

        class ThreadingNames:
            Lock, Event, Barrier = bobbin.Lock, bobbin.Event, bobbin.Barrier

        class QueueNames:
            Queue, ShutDown = bobbin.Queue, bobbin.ShutDown

        self.assertEqual(pipeline(ThreadingNames, QueueNames),
                         pipeline(threading, queue))

    def test_public_names_match_cpythons(self):
        # Every public name CPython 3.13's types have, bobbin's have too
        # (bobbin may have more: RLock.locked, Queue.join's timeout).
        pairs = [
            (threading.Lock(), bobbin.Lock()),
            (threading.RLock(), bobbin.RLock()),
            (threading.Condition(), bobbin.Condition()),
            (threading.Semaphore(), bobbin.Semaphore()),
            (threading.BoundedSemaphore(), bobbin.BoundedSemaphore()),
            (threading.Event(), bobbin.Event()),
            (threading.Barrier(2), bobbin.Barrier(2)),
            (queue.SimpleQueue(), bobbin.SimpleQueue()),
        ]
        # queue.Queue's public attributes include its pure-Python internals
        # (`mutex`, `queue`, the conditions), which bobbin does not have.
        internals = {"mutex", "queue", "not_empty", "not_full", "all_tasks_done"}
        for cls in ("Queue", "LifoQueue", "PriorityQueue"):
            pairs.append((getattr(queue, cls)(), getattr(bobbin, cls)()))
        for theirs, ours in pairs:
            public = {n for n in dir(theirs) if not n.startswith("_")} - internals
            with self.subTest(type(ours).__name__):
                self.assertEqual(public - set(dir(ours)), set())
                # An object takes attributes of its own where CPython's does
                # (the pure-Python types), and not where it does not.
                self.assertEqual(hasattr(ours, "__dict__"), hasattr(theirs, "__dict__"))

    def test_subclasses_behave_as_cpythons(self):
        # Every type CPython lets Python code subclass (all but Lock), with
        # an __init__ of its own that takes other arguments than its base's
        # and passes its base's to super().__init__: what each call returns
        # or raises, and the reprs, must match CPython's.
        def run(threading_mod, queue_mod, rlock_type):
            class Sem(threading_mod.Semaphore):
                def __init__(self, name):
                    super().__init__(2)
                    self.name = name

            class BSem(threading_mod.BoundedSemaphore):
                def __init__(self, *, size):
                    super().__init__(value=size)

            class Flag(threading_mod.Event):
                def __init__(self, name):
                    super().__init__()
                    self.name = name

            class Cond(threading_mod.Condition):
                def __init__(self, name):
                    super().__init__(threading_mod.Lock())
                    self.name = name

            class Gate(threading_mod.Barrier):
                def __init__(self):
                    super().__init__(1, action=lambda: seen.append("action"))

            class Reentrant(rlock_type):
                def __init__(self, a, *, b):
                    super().__init__()

            class Simple(queue_mod.SimpleQueue):
                def __init__(self, first):
                    self.put(first)

            class Bare(threading_mod.Semaphore):
                def __init__(self):
                    pass

            # CPython's pure-Python methods that call another method of self:
            # put_nowait, get_nowait and a semaphore's __exit__.
            log = []

            class Logged(queue_mod.Queue):
                def put(self, item, block=True, timeout=None):
                    log.append(("put", item, block))
                    return super().put(item, block, timeout)

                def get(self, block=True, timeout=None):
                    log.append(("get", block))
                    return super().get(block, timeout)

            class Counted(threading_mod.BoundedSemaphore):
                def release(self, n=1):
                    log.append(("release", n))
                    return super().release(n)

            # Condition.wait_for calls self.wait, notify_all self.notify,
            # notifyAll self.notify_all; Event.isSet calls self.is_set.
            class Watched(threading_mod.Condition):
                def wait(self, timeout=None):
                    log.append(("wait", timeout))
                    return super().wait(timeout)

                def notify(self, n=1):
                    log.append(("notify", n))
                    return super().notify(n)

            class Flagged(threading_mod.Event):
                def is_set(self):
                    log.append("is_set")
                    return super().is_set()

            seen = []
            sem, bsem, flag = Sem("pool"), BSem(size=1), Flag("done")
            cond, gate, rlock, simple = Cond("c"), Gate(), Reentrant(1, b=2), Simple("x")
            calls = [
                lambda: (sem.name, sem.acquire(), sem.acquire(False), repr(sem)),
                lambda: (bsem.acquire(), bsem.release(), repr(bsem)),
                lambda: bsem.release(),
                lambda: (flag.name, flag.is_set(), flag.set(), repr(flag)),
                lambda: (flag.__init__(), flag.is_set()),
                lambda: (cond.name, cond.acquire(), cond.wait(0), cond.notify_all(), cond.release()),
                lambda: cond.notify(),
                lambda: (gate.wait(), gate.parties, repr(gate)),
                lambda: (rlock.acquire(), rlock.acquire(), rlock._is_owned(), rlock.release(),
                         rlock.release(), isinstance(rlock, rlock_type)),
                lambda: re.sub(r"owner=\d+ count=\d+ ", "", repr(rlock)),
                lambda: (simple.get(False), simple.empty(), repr(simple)),
                lambda: Bare().acquire(),
                lambda: (Logged().put_nowait(1), list(log)),
                lambda: (Logged().get_nowait(), list(log)),
                lambda: (lambda q: (q.put(2), q.get_nowait(), list(log)))(Logged()),
                lambda: (lambda c: (c.__enter__(), c.__exit__(None, None, None), list(log)))(Counted()),
                lambda: (lambda c: (c.acquire(), c.wait_for(lambda: False, 0.0), c.notify_all(),
                                    c.release(), list(log)))(Watched()),
                lambda: Watched().notify_all(),
                lambda: (Flagged().isSet(), list(log)),
                lambda: [isinstance(x, base) for x, base in [
                    (sem, threading_mod.Semaphore), (bsem, threading_mod.Semaphore),
                    (bsem, threading_mod.BoundedSemaphore), (sem, threading_mod.BoundedSemaphore),
                    (flag, threading_mod.Event), (cond, threading_mod.Condition),
                    (gate, threading_mod.Barrier), (simple, queue_mod.SimpleQueue)]],
                lambda: (BSem.release.__doc__ == threading_mod.Semaphore.release.__doc__,
                         BSem.acquire is threading_mod.Semaphore.acquire),
                lambda: seen,
            ]
            outcomes = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # isSet
                for call in calls:
                    try:
                        outcomes.append(("returned", call()))
                    except Exception as e:
                        outcomes.append(("raised", type(e)))
            return re.sub(r"0x[0-9a-f]+", "0x", repr(outcomes))

        self.assertEqual(run(bobbin, bobbin, bobbin.RLock),
                         run(threading, queue, _thread.RLock))
        with self.assertRaises(TypeError):
            class _(bobbin.Lock):  # as CPython's Lock: not a base type
                pass

    def test_constructor_arguments_as_cpythons(self):
        for args, kwargs in [((1,), {}), ((), {"a": 1})]:
            with self.subTest(args=args, kwargs=kwargs):
                with self.assertWarnsRegex(DeprecationWarning, "arguments to RLock"):
                    bobbin.RLock(*args, **kwargs)
                for threading_mod, queue_mod in [(threading, queue), (bobbin, bobbin)]:
                    with self.assertRaisesRegex(TypeError, "SimpleQueue\\(\\) takes no"):
                        queue_mod.SimpleQueue(*args, **kwargs)
                    with self.assertRaises(TypeError):
                        threading_mod.Event(*args, **kwargs)

    def test_a_second_init_raises(self):
        # CPython's pure-Python types start afresh; a native object that
        # other threads may hold refuses (the README lists the difference).
        sem = bobbin.Semaphore(1)
        with self.assertRaisesRegex(RuntimeError, "__init__ was called twice"):
            sem.__init__(5)
        self.assertEqual(sem._value, 1)

    def test_docstrings_are_pythons_not_rusts(self):
        # The Rust side's docs (examples in Rust, `bobbin_lock::...`) are
        # rustdoc's only; help() shows Python text, as CPython's does.
        self.assertIn("GIL", bobbin.__doc__)
        for name in dir(bobbin):
            obj = getattr(bobbin, name)
            members = vars(obj).items() if isinstance(obj, type) else []
            for where, doc in [(name, obj.__doc__)] + [
                    (f"{name}.{m}", getattr(v, "__doc__", None)) for m, v in members]:
                with self.subTest(where):
                    for rust in ("```", "bobbin_", "# Examples", "::"):
                        self.assertNotIn(rust, doc or "")

    def test_at_fork_reinit_frees_what_a_gone_thread_held(self):
        # CPython's C RLock, Condition and Event have `_at_fork_reinit`
        # (logging's and threading's fork hooks call it): the lock is left
        # unlocked whichever thread held it, every level.
        def held_by_a_thread_that_ended(acquire):
            t = threading.Thread(target=acquire)
            t.start()
            t.join()

        rlock = bobbin.RLock()
        held_by_a_thread_that_ended(lambda: (rlock.acquire(), rlock.acquire()))
        self.assertFalse(rlock.acquire(False))
        rlock._at_fork_reinit()
        self.assertTrue(rlock.acquire(False))
        self.assertEqual(rlock._recursion_count(), 1)
        rlock.release()
        rlock._at_fork_reinit()  # an unlocked lock stays so
        self.assertFalse(rlock.locked())

        foreign = threading.Lock()
        for cond in (bobbin.Condition(), bobbin.Condition(bobbin.Lock()),
                     bobbin.Condition(bobbin.RLock()), bobbin.Condition(foreign)):
            with self.subTest(cond=cond):
                held_by_a_thread_that_ended(cond.acquire)
                self.assertFalse(cond.acquire(False))
                cond._at_fork_reinit()
                self.assertTrue(cond.acquire(False))
                cond.release()
        with self.assertRaises(AttributeError):  # as CPython's, over a lock without it
            bobbin.Condition(threading.Semaphore())._at_fork_reinit()

        event = bobbin.Event()
        event.set()
        event._at_fork_reinit()  # keeps the flag, as CPython's
        self.assertTrue(event.wait(0))

    def test_at_fork_reinit_forgets_the_parents_waiters(self):
        # A parent thread parked on the lock at the fork is not in the
        # child. The reset must not hand the lock to it (a waiter parked
        # for more than a millisecond is handed the lock by a release), or
        # the child's lock stays held for good (concurrent.futures' exit
        # hung this way with threading.Lock patched to bobbin's).
        if not hasattr(os, "fork"):
            self.skipTest("needs os.fork")
        for make in (bobbin.Lock, bobbin.RLock, bobbin.Condition):
            with self.subTest(make.__name__):
                lock = make()
                lock.acquire()
                t = threading.Thread(target=lambda: (lock.acquire(), lock.release()),
                                     name="parked-at-fork")
                t.start()
                spin_until(lambda: any(s.name == "parked-at-fork" and s.blocked_in
                                       for s in bobbin.thread_dump()),
                           "the waiter parked")
                time.sleep(0.005)  # not ordering: it makes the waiter due a hand-off
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
                    pid = os.fork()
                if pid == 0:
                    code = 1
                    try:
                        lock._at_fork_reinit()
                        code = 0 if lock.acquire(timeout=GENEROUS) else 2
                    finally:
                        os._exit(code)
                _, status = os.waitpid(pid, 0)
                lock.release()
                t.join()
                self.assertEqual(os.waitstatus_to_exitcode(status), 0)

    def test_fork_with_the_stdlib_names_patched(self):
        # A program that makes bobbin's types threading's (before logging
        # creates its locks) and forks while another thread holds a logging
        # handler's lock and waits on a condition: the child's fork hooks
        # (logging's, threading's on each Thread's `_started` Event) run
        # without error, and the child can log and use the condition.
        if not hasattr(os, "fork") or not os.path.exists("/proc/self/task"):
            self.skipTest("needs os.fork and /proc")
        script = r"""
import os, signal, sys, threading, bobbin
threading.RLock, threading.Event = bobbin.RLock, bobbin.Event
import logging
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
handler = logging.getLogger().handlers[0]
assert type(handler.lock) is bobbin.RLock, handler.lock
cond = bobbin.Condition()
done = threading.Event()

def holder():
    handler.lock.acquire()
    with cond:
        cond.wait(60)
    done.wait(60)
    handler.lock.release()

t = threading.Thread(target=holder)
t.start()
while True:  # until the holder waits on cond (its wait released the lock)
    with cond:
        if "1)>" in repr(cond):
            break
# ... and sleeps in the kernel: a thread that is still spinning may be
# inside the parking lot, holding one of its internal locks, when the fork
# copies the process, and the child would then block on that lock for ever
# (see the crate README's differences: the parking lot has no fork hook).
stat = f"/proc/self/task/{t.native_id}/stat"
while open(stat).read().rsplit(")", 1)[1].split()[0] != "S":
    pass
pid = os.fork()
if pid == 0:
    signal.alarm(20)  # a deadlock kills the child rather than the test
    assert repr(cond).endswith(", 1)>"), repr(cond)  # the parent's waiter
    cond._at_fork_reinit()
    assert repr(cond).endswith(", 0)>"), repr(cond)
    with cond:
        cond.notify()
        assert not cond.wait(0.01)
    logging.info("child logged")
    sys.stdout.flush()
    os._exit(0)
_, status = os.waitpid(pid, 0)
with cond:
    cond.notify()
done.set()
t.join()
logging.info("parent logged, child status %d", status)
"""
        import subprocess
        out = subprocess.run(
            [sys.executable, "-W", "ignore::DeprecationWarning", "-c", script],
            capture_output=True, text=True, timeout=GENEROUS * 3)
        self.assertEqual(out.stderr, "")
        self.assertEqual(out.stdout, "child logged\nparent logged, child status 0\n")
        self.assertEqual(out.returncode, 0)

    def test_deprecated_and_obsolete_synonyms(self):
        event = bobbin.Event()
        with self.assertWarnsRegex(DeprecationWarning, r"isSet\(\) is deprecated"):
            self.assertFalse(event.isSet())
        event.set()
        with self.assertWarns(DeprecationWarning):
            self.assertTrue(event.isSet())
        cond = bobbin.Condition()
        with cond, self.assertWarnsRegex(DeprecationWarning, r"notifyAll\(\) is deprecated"):
            cond.notifyAll()
        lock = bobbin.Lock()
        self.assertTrue(lock.acquire_lock())
        self.assertTrue(lock.locked_lock())
        self.assertFalse(lock.acquire_lock(False))
        self.assertFalse(lock.acquire_lock(timeout=0.01))
        self.assertIsNone(lock.release_lock())
        self.assertFalse(lock.locked_lock())
        with self.assertRaises(RuntimeError):
            lock.release_lock()


if __name__ == "__main__":
    program = unittest.main(exit=False)
    if LATENCIES:
        ms = sorted(1000 * x for x in LATENCIES)
        print(f"SIGINT to KeyboardInterrupt: median {ms[len(ms) // 2]:.1f} ms, "
              f"worst {ms[-1]:.1f} ms over {len(ms)} blocking calls")
    sys.exit(not program.result.wasSuccessful())
