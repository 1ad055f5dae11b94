#!/bin/sh
# run.sh - the studio's browser tests (browser.mjs): `newsmd studio` on the
# finews fixture, driven in Debian's Chromium (headless) by puppeteer-core.
# NEWSMD names the binary (default build/newsmd); STUDIO_SHOTS=DIR also
# writes the screenshots (docs/studio-*.png are made this way).
# Installs puppeteer-core from the npm registry on first use (`npm ci`,
# pinned by package-lock.json, into tests/studio/node_modules); skips with
# a clear message, as one skipped test, without Chromium, node or npm.
set -u
here=$(dirname "$0")
NEWSMD=${NEWSMD:-build/newsmd}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

skip() {
	echo "studio-browser: skipped: $1"
	echo "studio-browser: 0 passed, 0 failed, 1 skipped"
	exit 0
}

[ -x "$CHROMIUM" ] || skip "no Chromium at $CHROMIUM (apt-get install -y chromium)"
command -v node >/dev/null 2>&1 || skip "node is not installed"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
	skip "puppeteer-core 24 needs node >= 18 (found $(node --version))"
if [ ! -d "$here/node_modules/puppeteer-core" ]; then
	command -v npm >/dev/null 2>&1 || skip "npm is not installed"
	echo "studio-browser: installing puppeteer-core (npm ci --prefix $here)"
	npm ci --prefix "$here" --no-audit --no-fund >/dev/null 2>&1 ||
		skip "npm ci failed (no access to the npm registry?)"
fi
export CHROMIUM
exec node "$here/browser.mjs" "$NEWSMD" ${STUDIO_SHOTS:+"$STUDIO_SHOTS"}
