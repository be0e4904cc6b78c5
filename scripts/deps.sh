#!/bin/sh
# Copyright (c) 2026 The sws authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

# Install the Debian packages the build and the tests need, when missing.
# Run as root on Debian 12; a no-op when everything is present.
#
#   sh scripts/deps.sh         what building and running need
#   sh scripts/deps.sh test    also what the tests need (browser, npm)
#   sh scripts/deps.sh bench   also what make bench needs (gnuplot for
#                              the sweep's plot; g++ and git for the
#                              uWebSockets peer relay)
set -e
cd "$(dirname "$0")/.."
PKGS="make gcc clang pkg-config byacc mandoc libevent-dev libsodium-dev
libbsd-dev libmd-dev libmsgpack-dev libjansson-dev libseccomp-dev
uthash-dev libclang-rt-14-dev libtls-dev libssl-dev libsystemd-dev python3 python3-websockets
python3-nacl python3-msgpack procps psmisc openssl"
[ "${1:-}" = test ] && PKGS="$PKGS chromium haproxy nginx libnginx-mod-stream
python3-cryptography prometheus debhelper dpkg-dev devscripts lintian
dnsmasq-base gnuplot-nox"
[ "${1:-}" = bench ] && PKGS="$PKGS gnuplot-nox g++ git"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q $missing >/dev/null 2>&1 || {
	apt-get update -q >/dev/null
	apt-get install -y -q $missing >/dev/null
}
fi
# node and npm for the JavaScript client's tests (Debian's, unless the
# machine already has them), and the npm packages the lock file pins.
if [ "${1:-}" = test ]; then
	if ! command -v npm >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm \
		    >/dev/null
	fi
	if [ -f package-lock.json ] && [ ! -f node_modules/.package-lock.json ] ||
	    [ package-lock.json -nt node_modules/.package-lock.json ]; then
		npm ci --no-audit --no-fund --loglevel=error >/dev/null
	fi
fi
