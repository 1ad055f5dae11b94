#!/bin/sh
# bench-md.sh BUILD - md_render's cost against gumbo's parse of the same
# page (issue 6: median <= 10%), over Readability's 130 test pages: the
# whole pages (source.html, rendered as `newsmd markdown` does) and the
# article bodies (expected.html).  Needs BUILD/bench/bench_md (make bench-bin) and the corpus.
set -eu
BUILD=${1:-build}
CORPUS=${NEWSMD_CORPUS:-../shared/corpus}
if [ ! -d "$CORPUS/readability" ]; then
	echo "md bench: skipped ($CORPUS/readability not found)"
	exit 0
fi
echo "== md_render vs gumbo, whole pages (source.html)"
"$BUILD/bench/bench_md" "$CORPUS"/readability/*/source.html
echo "== md_render vs gumbo, article bodies (expected.html)"
"$BUILD/bench/bench_md" "$CORPUS"/readability/*/expected.html
