#!/bin/sh
# eval.sh BUILD - measured quality of the generic extractor (`make eval`).
#
# Runs `newsmd extract --format jsonl` (one process per corpus, the batch
# path) over the shared corpus and scores it:
#   readability/  body token F1 against Readability's expected.html, title
#                 exact match and date agreement against expected-metadata.json
#                 (tests/eval/score_readability.py);
#   zh/           body character F1 and dates against the human ground truth
#                 (../shared/tools/score_zh.py);
#   trafilatura-eval/  must / must-not snippets in body_text, trafilatura's
#                 benchmark metric (../shared/tools/score_snippets.py).
# Each corpus ends with the published figures of peers on the same pages
# (from the corpus READMEs and issue 13), for context.
# Files are given without --url, so no site rule matches the zh pages and
# every page goes through the generic extractor.  EVAL_PER_PAGE=1 prints a
# line per page.  Needs python3; skips when the corpus is absent.
set -eu
BUILD=${1:-build}
CORPUS=${NEWSMD_CORPUS:-../shared/corpus}
TOOLS=${NEWSMD_TOOLS:-../shared/tools}
if [ ! -d "$CORPUS/readability" ] || [ ! -d "$CORPUS/zh" ]; then
	echo "eval: skipped ($CORPUS not found)"
	exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
per=""
[ "${EVAL_PER_PAGE:-0}" = 1 ] && per="--per-page"

ls "$CORPUS"/readability/*/source.html >"$out/rd.list"
# Exit status 1 (some pages hold no article) is expected.
xargs "$BUILD/newsmd" extract --format jsonl <"$out/rd.list" >"$out/rd.jsonl" 2>"$out/rd.err" || true
python3 tests/eval/score_readability.py --corpus "$CORPUS/readability" \
	--pred "$out/rd.jsonl" --files "$out/rd.list" $per
echo "  peers (published): readability.js 0.947 on held-out English news; trafilatura 2.2 0.956"

ls "$CORPUS"/zh/magic_html/*.html "$CORPUS"/zh/cwced/*.html >"$out/zh.list"
xargs "$BUILD/newsmd" extract --format jsonl <"$out/zh.list" >"$out/zh.jsonl" 2>"$out/zh.err" || true
python3 tests/eval/to_zh_pred.py "$out/zh.jsonl" "$out/zh.json" "$out/zh.list"
python3 "$TOOLS/score_zh.py" --gt "$CORPUS/zh/magic_html" --gt "$CORPUS/zh/cwced" \
	--pred "$out/zh.json" $per
echo "  peers (measured here): readability-lxml 0.919 held-out zh char F1; trafilatura 0.787"

TE="$CORPUS/trafilatura-eval"
if [ -f "$TE/cases.json" ]; then
	python3 -c 'import json,sys; [print(sys.argv[1] + "/html/" + c["file"]) for c in json.load(open(sys.argv[1] + "/cases.json"))]' \
		"$TE" >"$out/te.list"
	xargs "$BUILD/newsmd" extract --format jsonl <"$out/te.list" >"$out/te.jsonl" 2>"$out/te.err" || true
	python3 tests/eval/to_snippet_pred.py "$out/te.jsonl" "$out/te" "$out/te.list"
	printf 'trafilatura-eval  '
	python3 "$TOOLS/score_snippets.py" --cases "$TE/cases.json" --pred "$out/te" \
		${per:+--per-page -} | tr '\n' ' '
	echo
	echo "  peers (measured here, 436 pages): trafilatura 2.2 F1 0.935; readability-lxml 0.854"
	printf '  refused: %s of %s pages\n' "$(grep -c . "$out/te.err" || true)" "$(wc -l <"$out/te.list")"
else
	echo "trafilatura-eval: skipped ($TE not found)"
fi
