#!/bin/sh
# Rule loading and URL -> rule lookup (issue 4): 2,000 generated rules.
BUILD=${1:-build}
"$BUILD/bench/bench_rules" 2000
