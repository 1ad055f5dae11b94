#!/bin/sh
# Selector engine (issue 3): for each Readability corpus page, html_parse
# time against the time to run a realistic rule's 20 selectors (target: the
# median match cost <= 10% of the median parse), then every selector form
# on synthetic pages of growing size (cost must grow linearly; :has() is
# bounded by the searched subtree and reported apart).
BUILD=${1:-build}
CORPUS=${NEWSMD_CORPUS:-../shared/corpus}
if [ -d "$CORPUS/readability" ]; then
	"$BUILD/bench/bench_sel" "$CORPUS"/readability/*/source.html
else
	echo "sel bench: pages skipped ($CORPUS/readability not found)"
fi
"$BUILD/bench/bench_sel" --scaling
