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

# libsws as an installed library: make install into a temporary DESTDIR
# (the shared library with its soname and symlinks, libsws.a, sws.h,
# sws.pc), the exported symbols (exactly those of sws.h), then
# client/examples/echo.c built with cc and pkg-config against the
# installation, once with the shared library and once statically, each
# run against the real daemon (regress/lib/swstest.py): it registers,
# sends a message to its own key and receives it.
#
#	sh regress/client/t_pkgconfig.sh	everything (77: no daemon, no
#						pkg-config or no cc)

top=${SWS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 1
PY=/usr/bin/python3

if [ "$1" = run ]; then
	# under swstest.py run: SWS_URL and SWS_SERVER_KEY are set
	shift
	out=$("$@" "$SWS_URL" "$SWS_SERVER_KEY" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	[ $rc = 0 ] && printf '%s\n' "$out" | grep -qx "received: hello, me"
	exit $?
fi

if [ ! -x relayd/relayd ] || [ ! -x cryptod/cryptod ] ||
    ! command -v pkg-config >/dev/null || ! command -v cc >/dev/null; then
	exit 77
fi

tmp=$(mktemp -d /tmp/t_pkgconfig.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

t() {
	desc=$1
	shift
	if "$@"; then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		failed=1
	fi
}

# show FILE: its lines as TAP comments, for a failure
show() {
	sed 's/^/#   /' "$1"
	return 1
}

# staged under DESTDIR as a package would be, then moved where PREFIX
# says, the place sws.pc names
dest=$tmp/dest
inst=$tmp/prefix
lib=$inst/lib
t "make install DESTDIR=... succeeds" sh -c \
    "make -s install DESTDIR='$dest' PREFIX='$inst' >'$tmp/install.out' 2>&1 ||
    { sed 's/^/#   /' '$tmp/install.out'; exit 1; }"
t "the library and sws.pc are under DESTDIR" sh -c \
    "[ -f '$dest$lib/libsws.a' ] && [ -f '$dest$lib/pkgconfig/sws.pc' ]"
mv "$dest$inst" "$inst"
ver=$(sed -n 's/^Version: //p' "$lib/pkgconfig/sws.pc")
t "sws.pc installed, with a version" [ -n "$ver" ]
t "the header is installed" [ -f "$inst/include/sws.h" ]
t "sws(3) is installed" [ -f "$inst/share/man/man3/sws.3" ]
t "libsws.a is installed" [ -f "$lib/libsws.a" ]
t "libsws.so.$ver is installed" [ -f "$lib/libsws.so.$ver" ]
t "libsws.so.0 -> libsws.so.$ver" \
    [ "$(readlink "$lib/libsws.so.0")" = "libsws.so.$ver" ]
t "libsws.so -> libsws.so.0" [ "$(readlink "$lib/libsws.so")" = libsws.so.0 ]
t "the soname is libsws.so.0" sh -c \
    "readelf -d '$lib/libsws.so.$ver' | grep -q 'SONAME.*\\[libsws.so.0\\]'"

# the exported functions are exactly the SWS_EXPORT ones of sws.h
sed -n 's/^SWS_EXPORT .*[[:space:]*]\(sws_[a-z_]*\)(.*/\1/p' client/sws.h |
    sort >"$tmp/api"
nm -D --defined-only "$lib/libsws.so.$ver" | awk '$2 == "T" { print $3 }' |
    sed 's/@.*//' | sort >"$tmp/dynsym"
t "sws.h declares the functions (found $(wc -l <"$tmp/api"))" \
    [ "$(wc -l <"$tmp/api")" -ge 13 ]
t "the shared library exports exactly sws.h's functions" sh -c \
    "cmp -s '$tmp/api' '$tmp/dynsym' || { diff '$tmp/api' '$tmp/dynsym' |
    sed 's/^/#   /'; exit 1; }"
nm -D --defined-only "$lib/libsws.so.$ver" | awk '$2 != "T" && $2 != "A"' \
    >"$tmp/other"
t "and no data or other symbols" sh -c "[ ! -s '$tmp/other' ] ||
    { sed 's/^/#   /' '$tmp/other'; exit 1; }"
nm -g --defined-only "$lib/libsws.a" | awk 'NF == 3 { print $3 }' | sort \
    >"$tmp/static"
t "libsws.a defines only sws.h's functions globally" cmp -s "$tmp/api" \
    "$tmp/static"

pc() {
	PKG_CONFIG_PATH=$lib/pkgconfig pkg-config "$@" sws
}
t "pkg-config --modversion sws" [ "$(pc --modversion)" = "$ver" ]
cflags=$(pc --cflags)
libs=$(pc --libs)
slibs=$(pc --static --libs)
echo "# cflags: $cflags"
echo "# libs: $libs"
echo "# static: $slibs"
t "pkg-config names the installed header and library" sh -c \
    "echo '$cflags' | grep -q -- '-I$inst/include' &&
    echo '$libs' | grep -q -- '-L$lib -lsws'"

# the example, against the shared library
t "echo.c builds against the installed shared library" sh -c \
    "cc -Wall -Werror -o '$tmp/echo' client/examples/echo.c $cflags $libs \
    >'$tmp/cc.out' 2>&1 || { sed 's/^/#   /' '$tmp/cc.out'; exit 1; }"
t "it needs libsws.so.0" sh -c \
    "readelf -d '$tmp/echo' | grep -q 'NEEDED.*\\[libsws.so.0\\]'"
t "which resolves to the installed one" sh -c \
    "LD_LIBRARY_PATH='$lib' ldd '$tmp/echo' |
    grep -q 'libsws.so.0 => $lib/libsws.so.0'"
t "echo (shared): registers, sends to itself, receives" \
    env LD_LIBRARY_PATH="$lib" $PY regress/lib/swstest.py run -- \
    sh "$0" run "$tmp/echo"

# statically: libsws.a by name, the rest as pkg-config --static says
static=$(echo "$slibs" | sed 's/-lsws\( \|$\)/-l:libsws.a /')
t "echo.c links statically with libsws.a" sh -c \
    "cc -Wall -Werror -o '$tmp/echo-static' client/examples/echo.c \
    $cflags $static >'$tmp/cc2.out' 2>&1 ||
    { sed 's/^/#   /' '$tmp/cc2.out'; exit 1; }"
t "it does not need libsws.so" sh -c \
    "! readelf -d '$tmp/echo-static' | grep -q 'NEEDED.*libsws'"
t "echo (static): registers, sends to itself, receives" \
    $PY regress/lib/swstest.py run -- sh "$0" run "$tmp/echo-static"
exit $failed
