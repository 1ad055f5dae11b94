#!/bin/sh
# URL resolution (issue 12): common/url.c against the libcurl-based
# resolver it replaced, over every href/src of the Readability corpus pages
# (base: their <base href> or http://fakehost/test/page.html): the
# differences by class with examples, then the time per link of each.
BUILD=${1:-build}
CORPUS=${NEWSMD_CORPUS:-../shared/corpus}
if [ -d "$CORPUS/readability" ]; then
	"$BUILD/bench/bench_url" --examples "${URL_EXAMPLES:-2}" "$CORPUS"/readability/*/source.html
else
	echo "url bench: skipped ($CORPUS/readability not found)"
fi
