#!/bin/sh
# Install the Debian packages the build and the tests need, when missing.
# Run as root on Debian 12; a no-op when everything is present.
set -e
PKGS="make gcc clang pkg-config byacc mandoc libevent-dev libsodium-dev
libbsd-dev libmd-dev libmsgpack-dev libjansson-dev libseccomp-dev
uthash-dev libclang-rt-14-dev python3 python3-websockets python3-nacl
python3-msgpack procps psmisc"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
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
