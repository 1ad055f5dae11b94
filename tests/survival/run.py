#!/usr/bin/env python3
"""survival: every command survives every real page.

Runs `newsmd extract --format jsonl` (in batches, the batch path) and
`newsmd rules suggest` (one page at a time) over every page of the shared
corpus (../shared/corpus: readability/, zh/, trafilatura-eval/) and fails on
any crash: a process killed by a signal, a sanitizer report (ASan, UBSan,
LeakSanitizer) on stderr, or a timeout.  Refusing a page is not a crash
(exit 1 with a one-line error is fine); the per-page exit status is not
checked here, only survival.  Two pages the test writes itself make sure a
page html_parse refuses (nesting past the pre-scan's limit) and an empty page
are survived too.

Skips the corpus part, saying so, when ../shared/corpus is absent.
NEWSMD names the binary (default build/newsmd); NEWSMD_JOBS the number of
parallel processes (default 2); NEWSMD_TIME_SCALE stretches the per-process
timeout (sanitizer builds).  stdlib only.  Last line:
"survival: N passed, N failed, N skipped".
"""
import glob
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEWSMD = os.environ.get("NEWSMD", os.path.join(ROOT, "build", "newsmd"))
CORPUS = os.environ.get("NEWSMD_CORPUS", os.path.join(ROOT, "..", "shared", "corpus"))
JOBS = int(os.environ.get("NEWSMD_JOBS", "2"))
SCALE = float(os.environ.get("NEWSMD_TIME_SCALE", "1"))
TIMEOUT = 60 * SCALE
BATCH = 20
SAN_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
             "ERROR: UndefinedBehaviorSanitizer", "AddressSanitizer:DEADLYSIGNAL")


def run(args):
    """None when the process survived, else a one-line reason."""
    try:
        p = subprocess.run([NEWSMD] + args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "timed out after %gs" % TIMEOUT
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0:
        return "killed by signal %d" % -p.returncode
    for m in SAN_MARKS:
        if m in err:
            line = next((l for l in err.splitlines() if m in l), m)
            return "sanitizer: " + line.strip()[:200]
    if p.returncode > 2:
        return "exit status %d: %s" % (p.returncode, err.strip()[:200])
    return None


def extract_batch(files):
    """Failures as (file, reason); a failing batch is re-run page by page."""
    why = run(["extract", "--format", "jsonl"] + files)
    if why is None:
        return []
    if len(files) == 1:
        return [(files[0], why)]
    out = []
    for f in files:
        w = run(["extract", "--format", "jsonl", f])
        if w:
            out.append((f, w))
    return out or [(files[0] + " (batch)", why)]


def suggest(f, tmp):
    why = run(["rules", "suggest", "-o", os.path.join(tmp, "draft-%d.yml" % os.getpid()), f])
    return [(f, why)] if why else []


def corpora():
    sets = [("readability", sorted(glob.glob(os.path.join(CORPUS, "readability", "*", "source.html")))),
            ("zh", sorted(glob.glob(os.path.join(CORPUS, "zh", "*", "*.html")))),
            ("trafilatura-eval", sorted(glob.glob(os.path.join(CORPUS, "trafilatura-eval", "html", "*"))))]
    return [(n, fs) for n, fs in sets if fs]


def main():
    passed = failed = skipped = 0
    if not os.access(NEWSMD, os.X_OK):
        print("survival: %s not built" % NEWSMD)
        print("survival: 0 passed, 1 failed, 0 skipped")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        # pages written here: one the pre-scan refuses, one empty
        deep = os.path.join(tmp, "deep.html")
        with open(deep, "w") as f:
            f.write("<title>Deep</title>" + "<div>" * 3000 + "<p>text</p>")
        empty = os.path.join(tmp, "empty.html")
        open(empty, "w").close()
        sets = [("refused and empty pages", [deep, empty])]
        found = corpora()
        if not found:
            print("survival: corpus part skipped (%s not found)" % CORPUS)
            skipped += 2
        sets += found
        with ThreadPoolExecutor(max_workers=JOBS) as pool:
            for name, files in sets:
                for cmd in ("extract", "rules suggest"):
                    if cmd == "extract":
                        jobs = [pool.submit(extract_batch, files[i:i + BATCH])
                                for i in range(0, len(files), BATCH)]
                    else:
                        jobs = [pool.submit(suggest, f, tmp) for f in files]
                    bad = [x for j in jobs for x in j.result()]
                    label = "%s: %s on %d pages" % (name, cmd, len(files))
                    if bad:
                        failed += 1
                        print("FAIL %s: %d crashed" % (label, len(bad)))
                        for f, why in bad[:20]:
                            print("  %s: %s" % (os.path.relpath(f, CORPUS) if f.startswith(CORPUS) else f, why))
                    else:
                        passed += 1
                        print("ok   %s" % label)
                    sys.stdout.flush()
    print("survival: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
