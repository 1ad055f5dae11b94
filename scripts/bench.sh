#!/bin/sh
# bench.sh BUILD - runs every benchmark section (scripts/bench-*.sh, in name
# order); each prints its own figures.  `make bench` calls it.
set -u
BUILD=${1:-build}
status=0
for s in scripts/bench-*.sh; do
	[ -f "$s" ] || continue
	echo "== $s"
	sh "$s" "$BUILD" || status=1
done
exit $status
