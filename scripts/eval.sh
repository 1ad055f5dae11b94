#!/bin/sh
# eval.sh BUILD - measured quality of the generic extractor (`make eval`).
#
# Runs `newsmd extract --format jsonl` (one process per corpus, the batch
# path) over the shared corpus and scores it:
#   readability/  body token F1 against Readability's expected.html, title
#                 exact match and date agreement against expected-metadata.json
#                 (tests/eval/score_readability.py);
#   zh/           body character F1 and dates against the human ground truth
#                 (../shared/tools/score_zh.py).
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

ls "$CORPUS"/zh/magic_html/*.html "$CORPUS"/zh/cwced/*.html >"$out/zh.list"
xargs "$BUILD/newsmd" extract --format jsonl <"$out/zh.list" >"$out/zh.jsonl" 2>"$out/zh.err" || true
python3 tests/eval/to_zh_pred.py "$out/zh.jsonl" "$out/zh.json" "$out/zh.list"
python3 "$TOOLS/score_zh.py" --gt "$CORPUS/zh/magic_html" --gt "$CORPUS/zh/cwced" \
	--pred "$out/zh.json" $per
