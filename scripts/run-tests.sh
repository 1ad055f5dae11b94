#!/bin/sh
# run-tests.sh BUILD - runs every test suite against BUILD/ and prints one
# closing line "N passed, N failed[, N skipped]" summing them all.
set -u
BUILD=${1:-build}
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

add() { # parse "...: P passed, F failed[, S skipped]" from the last line of $log
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	[ -n "$line" ] || { p=0; f=1; }
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + ${s:-0}))
}

echo "== unit tests"
"$BUILD/unit" >"$log" 2>&1; rc=$?
cat "$log"; add
[ $rc -ne 0 ] && [ -z "$(grep -E 'passed, [0-9]+ failed' "$log")" ] && echo "unit runner crashed (exit $rc)"

SUITES="
	scripts/check-layout.py
	tests/cli/run.py
	tests/cli/test_images.py
	tests/md/run.py
	tests/md/turndown.py
	tests/md/roundtrip.py
	tests/crawl/run.py
	tests/selectors/run.sh
	tests/studio/security.py
	tests/studio/run.sh
	tests/pathological/run.py
	tests/sites/run.py
	tests/site/run.py
	tests/ftr/run.py
	tests/rules/run.py
	tests/pg/run.sh
	tests/survival/run.py
"
for suite in $SUITES; do
	[ -f "$suite" ] || continue
	echo "== $suite"
	case $suite in
	*.sh) NEWSMD="$BUILD/newsmd" sh "$suite" >"$log" 2>&1 ;;
	*) NEWSMD="$BUILD/newsmd" python3 "$suite" >"$log" 2>&1 ;;
	esac
	cat "$log"; add
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
