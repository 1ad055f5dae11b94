#!/bin/sh
# bench-extract.sh BUILD - the generic extraction path (issue 5, part 6)
# over Readability's 130 test pages:
#   - throughput of decode + parse + DOM + meta/auto/clean + Markdown against
#     gumbo's parse alone, same pages, one process (target >= 70%);
#   - peak RSS of the batch path, `newsmd extract --format jsonl` over all
#     130 pages in one process (target < 60 MB).
set -eu
BUILD=${1:-build}
CORPUS=${NEWSMD_CORPUS:-../shared/corpus}
if [ ! -d "$CORPUS/readability" ]; then
	echo "extract bench: skipped ($CORPUS/readability not found)"
	exit 0
fi
# One core, so the figures compare like with like.
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
# shellcheck disable=SC2086
$pin "$BUILD/bench/bench_extract" "$CORPUS"/readability/*/source.html
if [ -x /usr/bin/time ]; then
	log=$(mktemp)
	# shellcheck disable=SC2086
	/usr/bin/time -o "$log" -f '%M' $pin "$BUILD/newsmd" extract --format jsonl \
		"$CORPUS"/readability/*/source.html >/dev/null 2>&1 || true
	rss=$(tail -n 1 "$log")
	rm -f "$log"
	echo "newsmd extract --format jsonl, 130 pages in one process: peak RSS $((rss / 1024)) MB (target < 60 MB)"
fi
