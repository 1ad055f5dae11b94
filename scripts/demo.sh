#!/bin/sh
# demo.sh BUILD - converts the bundled sample pages (examples/demo/pages.tsv)
# into demo/_posts/ with the demo config, then prints where they went.
set -eu
BUILD=${1:-build}
NEWSMD="$(pwd)/$BUILD/newsmd"
cd examples/demo
grep -v '^#' pages.tsv | while IFS="$(printf '\t')" read -r page url; do
	[ -n "$page" ] || continue
	"$NEWSMD" convert -c newsmd.yml --url "$url" "pages/$page"
done
cd ../..
echo "demo: posts are in $(pwd)/demo/_posts/"
ls -1 demo/_posts/
