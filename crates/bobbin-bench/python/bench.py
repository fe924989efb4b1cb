"""bobbin's benchmark workloads in CPython 3.13, for the report's CPython rows.

Each function runs the same workload as the Rust harness
(crates/bobbin-bench/src/workloads), with fewer items, checks its own result
the same way (a counter reached its target, the sum received equals the sum
sent), and returns the nanoseconds the operations took, excluding thread
start-up. The harness runs this script once per workload and reads lines

    sample<TAB>workload<TAB>implementation<TAB>nanoseconds per operation

from its standard output, one per repetition and implementation; a line
"skip<TAB>reason" means the script did not run (wrong Python version).

Usage: python3 bench.py [--reps N] [--scale F] [workload ...]
"""

import os
import queue
import sys
import threading
import time

UNIT_ITERATIONS = 2_000  # as crates/bobbin-bench/src/workloads/thread.rs
MASK = (1 << 64) - 1
CAPACITY = 1024
CORES = os.cpu_count() or 1


def timed_threads(targets):
    """Runs each target on its own thread, all released together; returns
    the nanoseconds from the first one's start to the last one's end. Each
    thread reads the clock itself: the starting thread may not run again
    until the workers are done (as in the Rust harness)."""
    start_line = threading.Barrier(len(targets))
    spans = []

    def run(target):
        start_line.wait()
        start = time.perf_counter_ns()
        target()
        spans.append((start, time.perf_counter_ns()))

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(len(spans) == len(targets), "every thread must finish its work")
    return max(end for _, end in spans) - min(start for start, _ in spans)


def share(total, parts, i):
    return total // parts + (1 if i < total % parts else 0)


def check(ok, what):
    if not ok:
        raise AssertionError(what)


# lock_uncontended, lock_contended_2t/_4t, rlock_uncontended


def lock_uncontended(make):
    def workload(n):
        lock = make()
        count = 0
        start = time.perf_counter_ns()
        for _ in range(n):
            with lock:
                count += 1
        took = time.perf_counter_ns() - start
        check(count == n, "the counter must reach its target")
        return took
    return workload


def lock_contended(threads):
    def workload(n):
        lock = threading.Lock()
        counter = [0]

        def worker(i):
            def run():
                for _ in range(share(n, threads, i)):
                    with lock:
                        counter[0] += 1
            return run

        took = timed_threads([worker(i) for i in range(threads)])
        check(counter[0] == n, "the counter must reach its target")
        return took
    return workload


def rlock_uncontended(n):
    lock = threading.RLock()
    count = 0
    start = time.perf_counter_ns()
    for _ in range(n):
        with lock:
            with lock:
                count += 1
    took = time.perf_counter_ns() - start
    check(count == n, "the counter must reach its target")
    return took


# event_pingpong, condition_pingpong, semaphore_4t, barrier_2t


def event_pingpong(module):
    return lambda n: event_pingpong_with(module, n)


def event_pingpong_with(module, n):
    ping, pong = module.Event(), module.Event()
    served = [0]

    def a():
        for _ in range(n):
            ping.set()
            pong.wait()
            pong.clear()

    def b():
        count = 0
        for _ in range(n):
            ping.wait()
            ping.clear()
            count += 1
            pong.set()
        served[0] = count

    took = timed_threads([a, b])
    check(served[0] == n, "every round trip must be served")
    return took


def condition_pingpong(module):
    return lambda n: condition_pingpong_with(module, n)


def condition_pingpong_with(module, n):
    cond = module.Condition(module.Lock())
    counter = [0]

    def a():
        with cond:
            for r in range(n):
                counter[0] = 2 * r + 1
                cond.notify()
                while counter[0] != 2 * r + 2:
                    cond.wait()

    def b():
        with cond:
            for r in range(n):
                while counter[0] != 2 * r + 1:
                    cond.wait()
                counter[0] = 2 * r + 2
                cond.notify()

    took = timed_threads([a, b])
    check(counter[0] == 2 * n, "every round trip must be made")
    return took


def semaphore_4t(make):
    return lambda n: semaphore_4t_with(make, n)


def semaphore_4t_with(make, n):
    threads, permits = 4, 2
    sem = make(permits)
    holders = []  # list.append/pop are atomic in CPython
    taken = []

    def worker(i):
        def run():
            count = 0
            for _ in range(share(n, threads, i)):
                with sem:
                    holders.append(i)
                    check(len(holders) <= permits, "at most two permit holders")
                    holders.pop()
                count += 1
            taken.append(count)
        return run

    took = timed_threads([worker(i) for i in range(threads)])
    check(sum(taken) == n, "every permit must be taken")
    return took


def barrier_2t(make):
    return lambda n: barrier_2t_with(make, n)


def barrier_2t_with(make, n):
    barrier = make(2)
    indices = []

    def worker():
        total = 0
        for _ in range(n):
            total += barrier.wait()
        indices.append(total)

    took = timed_threads([worker, worker])
    # Arrival indices 0 and 1 in every generation.
    check(sum(indices) == n, "one index 0 and one index 1 per generation")
    return took


# the queues


def spsc(make):
    def workload(n):
        q = make()
        received = [0]

        def producer():
            for item in range(1, n + 1):
                q.put(item)

        def consumer():
            total = 0
            for _ in range(n):
                total += q.get()
            received[0] = total

        took = timed_threads([producer, consumer])
        check(received[0] == n * (n + 1) // 2, "the sum received must equal the sum sent")
        return took
    return workload


def worker(make):
    """Python's worker loop: get, then task_done, per item; the producer
    waits in join once every item is put."""
    def workload(n):
        q = make()
        received = [0]

        def producer():
            for item in range(1, n + 1):
                q.put(item)
            q.join()

        def consumer():
            total = 0
            for _ in range(n):
                total += q.get()
                q.task_done()
            received[0] = total

        took = timed_threads([producer, consumer])
        check(received[0] == n * (n + 1) // 2, "the sum received must equal the sum sent")
        return took
    return workload


def mpmc(n):
    q = queue.Queue(CAPACITY)
    sent, received = [], []

    def producer(p):
        def run():
            first = p * n + 1
            total = 0
            for item in range(first, first + share(n, 2, p)):
                q.put(item)
                total += item
            sent.append(total)
        return run

    def consumer(c):
        def run():
            total = 0
            for _ in range(share(n, 2, c)):
                total += q.get()
            received.append(total)
        return run

    took = timed_threads([producer(0), producer(1), consumer(0), consumer(1)])
    check(sum(received) == sum(sent), "the sum received must equal the sum sent")
    return took


# spawn_join, gil_cpu_scaling


def spawn_join(n):
    results = []
    start = time.perf_counter_ns()
    for i in range(n):
        t = threading.Thread(target=results.append, args=(i,))
        t.start()
        t.join()
    took = time.perf_counter_ns() - start
    check(sum(results) == n * (n - 1) // 2, "every thread must run")
    return took


def unit(seed):
    x = seed | 1
    for _ in range(UNIT_ITERATIONS):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
    return x


def scaling(threads):
    def workload(n):
        done = []

        def worker(t):
            def run():
                count = share(n, threads, t)
                for i in range(count):
                    unit(i)
                done.append(count)
            return run

        start = time.perf_counter_ns()
        workers = [threading.Thread(target=worker(t)) for t in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        took = time.perf_counter_ns() - start
        check(sum(done) == n, "every unit must be done")
        return took
    return workload


# workload -> (operations per sample in a full run, [(implementation, function)])
WORKLOADS = {
    "lock_uncontended": (1_000_000, [("threading.Lock", lock_uncontended(threading.Lock))]),
    "lock_contended_2t": (200_000, [("threading.Lock", lock_contended(2))]),
    "lock_contended_4t": (200_000, [("threading.Lock", lock_contended(4))]),
    "rlock_uncontended": (500_000, [("threading.RLock", rlock_uncontended)]),
    "event_pingpong": (5_000, [("threading.Event", event_pingpong(threading))]),
    "condition_pingpong": (5_000, [("threading.Condition", condition_pingpong(threading))]),
    "semaphore_4t": (
        50_000,
        [
            ("threading.Semaphore", semaphore_4t(threading.Semaphore)),
            ("threading.BoundedSemaphore", semaphore_4t(threading.BoundedSemaphore)),
        ],
    ),
    "barrier_2t": (5_000, [("threading.Barrier", barrier_2t(threading.Barrier))]),
    "queue_spsc_bounded": (50_000, [("queue.Queue", spsc(lambda: queue.Queue(CAPACITY)))]),
    "queue_mpmc_2p2c": (50_000, [("queue.Queue", mpmc)]),
    "queue_spsc_unbounded": (
        50_000,
        [("queue.Queue", spsc(queue.Queue)), ("queue.SimpleQueue", spsc(queue.SimpleQueue))],
    ),
    "lifo_spsc": (50_000, [("queue.LifoQueue", spsc(queue.LifoQueue))]),
    "priority_spsc": (50_000, [("queue.PriorityQueue", spsc(queue.PriorityQueue))]),
    "worker_bounded": (50_000, [("queue.Queue", worker(lambda: queue.Queue(CAPACITY)))]),
    "worker_unbounded": (50_000, [("queue.Queue", worker(queue.Queue))]),
    "worker_lifo": (50_000, [("queue.LifoQueue", worker(queue.LifoQueue))]),
    "worker_priority": (50_000, [("queue.PriorityQueue", worker(queue.PriorityQueue))]),
    "spawn_join": (1_000, [("threading.Thread", spawn_join)]),
    "gil_cpu_scaling": (
        200,
        [(f"CPython, {CORES} threads", scaling(CORES)), ("CPython, 1 thread", scaling(1))],
    ),
}


def add_bobbin_module():
    """The rows of bobbin's Python module (crates/bobbin-py), if this
    interpreter has it installed (`cargo xtask bench` installs it into the
    venv it runs this script with): the same workloads, with bobbin's types
    in place of threading's and queue's, named `bobbin.<Type>`."""
    try:
        import bobbin
    except ImportError:
        return
    rows = {
        "lock_uncontended": [("bobbin.Lock", lock_uncontended(bobbin.Lock))],
        "event_pingpong": [("bobbin.Event", event_pingpong(bobbin))],
        "condition_pingpong": [("bobbin.Condition", condition_pingpong(bobbin))],
        "semaphore_4t": [
            ("bobbin.Semaphore", semaphore_4t(bobbin.Semaphore)),
            ("bobbin.BoundedSemaphore", semaphore_4t(bobbin.BoundedSemaphore)),
        ],
        "barrier_2t": [("bobbin.Barrier", barrier_2t(bobbin.Barrier))],
        "queue_spsc_bounded": [("bobbin.Queue", spsc(lambda: bobbin.Queue(CAPACITY)))],
        "queue_spsc_unbounded": [
            ("bobbin.Queue", spsc(bobbin.Queue)),
            ("bobbin.SimpleQueue", spsc(bobbin.SimpleQueue)),
        ],
    }
    for name, impls in rows.items():
        WORKLOADS[name][1].extend(impls)


def main(argv):
    reps, scale, names = 5, 1.0, []
    args = iter(argv)
    for arg in args:
        if arg == "--reps":
            reps = int(next(args))
        elif arg == "--scale":
            scale = float(next(args))
        elif arg in WORKLOADS:
            names.append(arg)
        else:
            sys.exit(f"bench.py: unknown argument or workload {arg!r}")
    if sys.version_info[:2] != (3, 13):
        print(f"skip\tPython {sys.version.split()[0]} is not 3.13", flush=True)
        return
    add_bobbin_module()
    for name in names or list(WORKLOADS):
        base, impls = WORKLOADS[name]
        n = max(1, int(base * scale))
        for impl_name, run in impls:
            run(max(1, n // 4))  # warm-up, as the Rust harness does
        for rep in range(reps):
            # Alternate the implementations, as the Rust harness does.
            for k in range(len(impls)):
                impl_name, run = impls[(rep + k) % len(impls)]
                print(f"sample\t{name}\t{impl_name}\t{run(n) / n:.3f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
