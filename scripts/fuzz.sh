#!/bin/sh
# fuzz.sh BUILD TARGET SECONDS - runs one libFuzzer target (built by
# `make fuzz`) for SECONDS, seeded from the project's own fixtures and
# tests/fuzz/corpus/NAME (for TARGET fuzz_NAME), with the target's
# dictionary when tests/fuzz/TARGET.dict exists.  New inputs go to
# BUILD/fuzz/corpus/TARGET; crashes to BUILD/fuzz/crashes/ (each must become
# a named regression test).
set -eu
BUILD=${1:-build}; T=${2:?target}; SECS=${3:-60}
BIN="$BUILD/fuzz/$T"
SEEDS="$BUILD/fuzz/seeds/$T"; CORPUS="$BUILD/fuzz/corpus/$T"; CRASH="$BUILD/fuzz/crashes"
mkdir -p "$SEEDS" "$CORPUS" "$CRASH"
seed() { for f in "$@"; do [ -f "$f" ] && cp "$f" "$SEEDS/" 2>/dev/null || true; done; }
case "$T" in
fuzz_rules) seed examples/*/rules/*.yml rules/sites/*.yml ;;
fuzz_html) for f in tests/fixtures/*/*.html examples/demo/pages/*.html; do
		[ -f "$f" ] && { printf '\000'; cat "$f"; } > "$SEEDS/$(echo "$f" | tr / _)"; done ;;
fuzz_jpath) for f in tests/fixtures/json/*.json; do { echo 'data.authors[*].name'; cat "$f"; } > "$SEEDS/$(basename "$f")"; done ;;
fuzz_date) printf '%%Y年%%m月%%d日 %%H:%%M\n2022年04月13日 12:11' > "$SEEDS/zh"
	printf '%%a, %%d %%b %%Y %%H:%%M:%%S %%z\nWed, 13 Apr 2022 12:11:23 +0800' > "$SEEDS/rfc"
	printf '%%s\n3小时前' > "$SEEDS/rel" ;;
fuzz_charset) seed tests/fixtures/charset/* ;;
fuzz_bounds) seed tests/fixtures/*/*.html ;;
esac
# Every target also starts from its checked-in corpus, when it has one
# (tests/fuzz/corpus/NAME for fuzz_NAME).
C="tests/fuzz/corpus/${T#fuzz_}"
if [ -d "$C" ]; then seed "$C"/*; fi
DICT=""
[ -f "tests/fuzz/$T.dict" ] && DICT="-dict=tests/fuzz/$T.dict"
exec "$BIN" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$CRASH/$T-" $DICT "$CORPUS" "$SEEDS"
