#!/bin/sh
# bench-crawl.sh BUILD - crawler throughput (5,000 small pages from a loopback
# server, concurrency 32, politeness off: pages/s, CPU per page, peak RSS) and
# politeness (how closely the per-host delay is kept).  See tests/crawl/bench.py.
set -eu
BUILD=${1:-build}
python3 tests/crawl/bench.py "$BUILD/newsmd" 5000
