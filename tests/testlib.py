"""The runner shared by newsmd's end-to-end test scripts (stdlib only).

A script registers functions with @test (each gets a fresh temp folder),
raises Skip('why') to skip, and ends with `sys.exit(run_tests('name'))`,
which prints "name: N passed, N failed, N skipped".  argv[1], when given,
keeps only the tests whose names contain it.
"""
import shutil
import sys
import tempfile
import traceback

TESTS = []


class Skip(Exception):
    pass


def test(fn):
    TESTS.append(fn)
    return fn


def run_tests(suite):
    only = sys.argv[1] if len(sys.argv) > 1 else None
    passed = failed = skipped = 0
    for fn in TESTS:
        if only and only not in fn.__name__:
            continue
        tmp = tempfile.mkdtemp(prefix='newsmd-%s-' % suite)
        try:
            fn(tmp)
            passed += 1
        except Skip as s:
            print('  skip %s: %s' % (fn.__name__, s))
            skipped += 1
        except Exception:
            print('not ok %s' % fn.__name__)
            traceback.print_exc(limit=3, file=sys.stdout)
            failed += 1
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print('%s: %d passed, %d failed, %d skipped' % (suite, passed, failed, skipped))
    return 1 if failed else 0
