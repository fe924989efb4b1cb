"""What conformance.py and dropin.py share: running a suite `--repeat`
times and printing `N passed, N failed, N skipped` (per run, and the total
over every run), with each skipped test's reason."""

import argparse
import sys
import time
import unittest


def main(description, build_suite):
    """Parses `[--repeat N] [-v] [filters...]`, runs `build_suite(filters)`
    that many times and returns the exit status: 1 if anything failed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("filters", nargs="*")
    args = parser.parse_args()

    totals = [0, 0, 0]
    skips = {}
    for run in range(1, args.repeat + 1):
        start = time.monotonic()
        result = unittest.TextTestRunner(
            verbosity=2 if args.verbose else 1, stream=sys.stderr
        ).run(build_suite(args.filters))
        failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
        skipped = len(result.skipped)
        passed = result.testsRun - failed - skipped
        for test, reason in result.skipped:
            skips[test.id().removeprefix("__main__.")] = reason
        totals = [totals[0] + passed, totals[1] + failed, totals[2] + skipped]
        if args.repeat > 1:
            print(f"run {run}: {passed} passed, {failed} failed, {skipped} skipped"
                  f" in {time.monotonic() - start:.1f}s", flush=True)
    for name, reason in sorted(skips.items()):
        print(f"skipped {name}: {reason}")
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if totals[1] else 0


def tests_of(cases, filters):
    """The tests of `cases` (test cases or suites, nested), those whose id
    contains one of `filters` if any are given, as one suite."""
    tests = unittest.TestSuite()
    for test in _flatten(cases):
        if not filters or any(f in test.id() for f in filters):
            tests.addTest(test)
    return tests


def _flatten(tests):
    for test in tests:
        if isinstance(test, unittest.TestSuite):
            yield from _flatten(test)
        else:
            yield test
