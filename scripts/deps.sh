#!/bin/sh
# deps.sh - install the Debian packages newsmd needs, only those missing.
# Called by `make deps` (and so by `make test` and `make demo`).
set -eu

# pkg-config module -> Debian package
LIBS="gumbo:libgumbo-dev libcurl:libcurl4-openssl-dev yaml-0.1:libyaml-dev
sqlite3:libsqlite3-dev uchardet:libuchardet-dev libpcre2-8:libpcre2-dev
jansson:libjansson-dev libxml-2.0:libxml2-dev libpsl:libpsl-dev zlib:zlib1g-dev
icu-uc:libicu-dev libmicrohttpd:libmicrohttpd-dev
libcmark-gfm:libcmark-gfm-dev libpq:libpq-dev"
# command -> Debian package (build and test tools)
CMDS="cc:gcc make:make pkg-config:pkg-config bzcat:bzip2 python3:python3
cmark-gfm:cmark-gfm"
# files -> Debian package
FILES="/usr/share/unicode/Unihan_Readings.txt.bz2:unicode-data
/usr/include/cmark-gfm-core-extensions.h:libcmark-gfm-extensions-dev"

missing=""
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
for pair in $LIBS; do
	mod=${pair%%:*}; pkg=${pair#*:}
	pkg-config --exists "$mod" 2>/dev/null || missing="$missing $pkg"
done
for pair in $CMDS; do
	cmd=${pair%%:*}; pkg=${pair#*:}
	command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
for pair in $FILES; do
	f=${pair%%:*}; pkg=${pair#*:}
	[ -e "$f" ] || missing="$missing $pkg"
done
# the PostgreSQL server, for tests/pg (a throwaway cluster per test run)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
# Optional test tools: installed when possible, never required to build.
if [ "${NEWSMD_SKIP_OPTIONAL:-}" = "" ]; then
	command -v jekyll >/dev/null 2>&1 || missing="$missing jekyll"
	command -v hugo >/dev/null 2>&1 || missing="$missing hugo"
	# the studio's browser tests (tests/studio) drive Debian's Chromium
	command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
	# and a CJK font, so its screenshots of Chinese pages show text
	[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing="$missing fonts-wqy-zenhei"
fi

[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
