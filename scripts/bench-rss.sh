#!/bin/sh
# bench-rss.sh BUILD - is the batch path's memory flat?  Runs
# `newsmd extract --format jsonl` (one process) over 100, 500 and 1,000
# pages and prints the peak RSS of each run and the growth per page,
# (peak1000 - peak100) / 900.  FAIL (exit 1) when the 1,000-page peak is more
# than 10% above the 100-page one: a batch must not keep anything of the
# pages it has finished.
#
# The pages are Readability's 130 test pages and the Chinese pages under
# corpus/zh, repeated round-robin to reach each count.  They are taken
# largest first, so the 100-page run already holds the biggest pages and
# the larger runs only add more of the same: what grows is accumulation,
# not a bigger page.  Peak RSS comes from /usr/bin/time -v when present,
# else from getrusage in a python3 wrapper.
set -eu
BUILD=${1:-build}
CORPUS=${NEWSMD_CORPUS:-../shared/corpus}
# The flatness bound: 10% of the 100-page peak.
MAX_GROWTH_PCT=10

if [ ! -d "$CORPUS/readability" ] && [ ! -d "$CORPUS/zh" ]; then
	echo "rss bench: skipped ($CORPUS/readability and $CORPUS/zh not found)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
	ls "$CORPUS"/readability/*/source.html 2>/dev/null || true
	[ -d "$CORPUS/zh" ] && find "$CORPUS/zh" -name '*.html' -type f
} | while IFS= read -r f; do
	# size<TAB>path, to sort largest first
	printf '%s\t%s\n' "$(wc -c <"$f")" "$f"
done | sort -k1,1nr -k2 | cut -f2- >"$tmp/pages"
distinct=$(wc -l <"$tmp/pages")
if [ "$distinct" -eq 0 ]; then
	echo "rss bench: skipped (no pages under $CORPUS)"
	exit 0
fi
if grep -q '[[:space:]]' "$tmp/pages"; then
	echo "rss bench: skipped (page paths with white space under $CORPUS)"
	exit 0
fi

# peak N: peak RSS in KB of one extract run over N pages (round-robin).
peak() {
	awk -v n="$1" '{ p[NR] = $0 } END { for (i = 0; i < n; i++) print p[i % NR + 1] }' \
		"$tmp/pages" >"$tmp/list"
	# shellcheck disable=SC2046
	set -- $(cat "$tmp/list")
	rc=0
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v -o "$tmp/time" "$BUILD/newsmd" extract --format jsonl "$@" \
			>/dev/null 2>"$tmp/err" || rc=$?
		kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tmp/time")
	else
		python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1], "w"))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$tmp/err" "$BUILD/newsmd" extract --format jsonl "$@" >"$tmp/time" || rc=$?
		kb=$(tail -n 1 "$tmp/time")
	fi
	# 1 = some pages failed, which is fine here; a signal or usage error is not.
	if [ "$rc" -gt 1 ]; then
		echo "rss bench: newsmd extract over $1 pages exited $rc:" >&2
		tail -n 5 "$tmp/err" >&2
		exit 1
	fi
	echo "$kb"
}

p100=$(peak 100)
p500=$(peak 500)
p1000=$(peak 1000)
awk -v a="$p100" -v b="$p500" -v c="$p1000" -v d="$distinct" -v max="$MAX_GROWTH_PCT" 'BEGIN {
	printf "newsmd extract --format jsonl, one process, %d distinct pages round-robin:\n", d
	printf "  peak RSS: 100 pages %.1f MB, 500 pages %.1f MB, 1000 pages %.1f MB\n",
		a / 1024, b / 1024, c / 1024
	growth = (c - a) / 900
	pct = (c - a) * 100 / a
	printf "  growth (peak1000 - peak100) / 900: %.2f KB/page (%+.1f%%, bound +%d%%): %s\n",
		growth, pct, max, (pct > max ? "FAIL" : "ok")
	exit (pct > max ? 1 : 0)
}'
