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

# Build the uWebSockets peer relay (an sws/1 relay on uWebSockets, kept
# outside this repository) for "make bench", into obj/peer/:
#
#   UWS_PEER=DIR UWS_SRC=DIR sh bench/peer.sh
#   UWS_PEER=DIR UWS_GIT=GITDIR USOCKETS_GIT=GITDIR sh bench/peer.sh
#
# UWS_PEER is the uWebSockets peer relay's directory (its relay.cpp,
# Makefile and setup.sh). The uWebSockets and uSockets sources come from
# UWS_SRC (a directory holding uWebSockets/ and uSockets/, as the peer's
# setup.sh lays them out), or from the git directories UWS_GIT and
# USOCKETS_GIT (commits UWS_REV and USOCKETS_REV, default HEAD), which
# the peer's setup.sh extracts into obj/peer/src; or from obj/peer/src
# when an earlier run extracted them. Nothing is fetched from a network.
#
# The peer's sources are copied to obj/peer/build and built there with
# its own Makefile, the uSockets objects in obj/peer/usockets: nothing is
# written into UWS_PEER or UWS_SRC. Prints the relay's path on stdout,
# and on stderr a line "bench: uws peer: DIR, uWebSockets COMMIT,
# uSockets COMMIT" (the commits when the sources say them).
# Exit status: 0 built, 77 skipped (what is missing is said on stderr),
# 1 the build failed.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
dir=$top/obj/peer

skip() {
	echo "bench: uws peer skipped: $*" >&2
	exit 77
}

peer=${UWS_PEER:-}
[ -n "$peer" ] || skip "UWS_PEER (the uWebSockets peer relay's" \
    "directory) is not set"
[ -f "$peer/relay.cpp" ] && [ -f "$peer/Makefile" ] ||
    skip "no relay.cpp and Makefile in UWS_PEER=$peer"
peer=$(cd "$peer" && pwd) || exit 1

has_src() {
	[ -f "$1/uWebSockets/src/App.h" ] && [ -d "$1/uSockets/src" ]
}

# The commit a git directory (bare or not) names for a revision.
commit_of() {
	g=$1
	[ -d "$g/.git" ] && g=$g/.git
	git --git-dir="$g" rev-parse --verify -q "$2^{commit}"
}

src=${UWS_SRC:-}
if [ -n "$src" ]; then
	has_src "$src" || skip "no uWebSockets/ and uSockets/ sources in" \
	    "UWS_SRC=$src"
	src=$(cd "$src" && pwd) || exit 1
elif [ -n "${UWS_GIT:-}" ] && [ -n "${USOCKETS_GIT:-}" ]; then
	[ -f "$peer/setup.sh" ] || skip "no setup.sh in UWS_PEER=$peer"
	command -v git >/dev/null 2>&1 || skip "git is not installed"
	u=$(commit_of "$UWS_GIT" "${UWS_REV:-HEAD}") ||
	    skip "no commit ${UWS_REV:-HEAD} in UWS_GIT=$UWS_GIT"
	s=$(commit_of "$USOCKETS_GIT" "${USOCKETS_REV:-HEAD}") ||
	    skip "no commit ${USOCKETS_REV:-HEAD} in USOCKETS_GIT=$USOCKETS_GIT"
	src=$dir/src
	want="uWebSockets $u
uSockets $s"
	# Extracted again only when the commits change (a new extraction
	# would rebuild every uSockets object).
	if [ "$(cat "$src/VERSIONS" 2>/dev/null)" != "$want" ] ||
	    ! has_src "$src"; then
		rm -rf "$src" "$dir/usockets"
		mkdir -p "$dir"
		UWS_SRC=$src UWS_GIT=$UWS_GIT USOCKETS_GIT=$USOCKETS_GIT \
		    UWS_REV=$u USOCKETS_REV=$s sh "$peer/setup.sh" >&2 ||
		    exit 1
	fi
elif has_src "$dir/src"; then
	src=$dir/src
else
	skip "no uWebSockets and uSockets sources: set UWS_SRC, or" \
	    "UWS_GIT and USOCKETS_GIT"
fi
command -v "${CXX:-g++}" >/dev/null 2>&1 ||
    skip "no C++ compiler (${CXX:-g++})"

# The peer's files, without a binary it may have built in its own
# directory; their times kept, so that make rebuilds what changed.
mkdir -p "$dir/build"
for f in "$peer"/*; do
	[ -f "$f" ] || continue
	case ${f##*/} in
	relay | *.o | *.a) continue ;;
	esac
	cp -p "$f" "$dir/build/" || exit 1
done
echo "bench: building the uws peer from $peer with $src" >&2
# Not the make flags of a calling make (its variables are not the
# peer's): a make of its own.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j2 -C "$dir/build" \
    UWS_SRC="$src" OBJ="$dir/usockets" relay >&2 || {
	echo "bench: the uws peer did not build" >&2
	exit 1
}
if [ -f "$src/VERSIONS" ]; then
	v=$(awk '{ printf "%s%s %.12s", (NR > 1 ? ", " : ""), $1, $2 }' \
	    "$src/VERSIONS")
else
	v="sources in $src"
fi
echo "bench: uws peer: $peer, $v" >&2
echo "$dir/build/relay"
