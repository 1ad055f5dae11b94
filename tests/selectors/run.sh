#!/bin/sh
# run.sh - the selector differential suite: newsmd's selector engine against
# jsdom's querySelectorAll on every Readability corpus page (see
# differential.mjs).  NEWSMD names the binary (default build/newsmd).
# Installs jsdom from the npm registry on first use (`npm ci`, pinned by
# package-lock.json); skips with a clear message, as one skipped test, when
# the corpus, node (>= 20.19) or the registry is not available.
set -u
here=$(dirname "$0")
NEWSMD=${NEWSMD:-build/newsmd}
CORPUS=${NEWSMD_CORPUS:-../shared/corpus}

skip() {
	echo "selectors: differential skipped: $1"
	echo "selectors: 0 passed, 0 failed, 1 skipped"
	exit 0
}

[ -d "$CORPUS/readability" ] || skip "no corpus at $CORPUS/readability"
command -v node >/dev/null 2>&1 || skip "node is not installed"
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
	process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a >= 24 ? 0 : 1)' ||
	skip "jsdom 28 needs node >= 20.19 (found $(node --version))"
if [ ! -d "$here/node_modules/jsdom" ]; then
	command -v npm >/dev/null 2>&1 || skip "npm is not installed"
	echo "selectors: installing jsdom (npm ci --prefix $here)"
	npm ci --prefix "$here" --no-audit --no-fund >/dev/null 2>&1 ||
		skip "npm ci failed (no access to the npm registry?)"
fi
exec node "$here/differential.mjs" "$NEWSMD" "$CORPUS/readability"
