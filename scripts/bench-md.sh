#!/bin/sh
# bench-md.sh BUILD - md_render's cost against gumbo's parse of the same
# page (issue 6: median <= 10%), over Readability's 130 test pages: the
# whole pages (source.html, rendered as `newsmd markdown` does) and the
# article bodies (expected.html).  Needs BUILD/libnewsmd.a and the corpus.
set -eu
BUILD=${1:-build}
CORPUS=${NEWSMD_CORPUS:-../shared/corpus}
if [ ! -d "$CORPUS/readability" ]; then
	echo "md bench: skipped ($CORPUS/readability not found)"
	exit 0
fi
PKGS="gumbo libcurl yaml-0.1 sqlite3 uchardet libpcre2-8 jansson libxml-2.0 libpsl"
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -O2 -D_GNU_SOURCE -I. $(pkg-config --cflags $PKGS) -o "$BUILD/md-bench" \
	tests/md/bench.c "$BUILD/libnewsmd.a" $(pkg-config --libs $PKGS) -lm
echo "== md_render vs gumbo, whole pages (source.html)"
"$BUILD/md-bench" "$CORPUS"/readability/*/source.html
echo "== md_render vs gumbo, article bodies (expected.html)"
"$BUILD/md-bench" "$CORPUS"/readability/*/expected.html
