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

# One version, set in the file VERSION: relayd -V, sws -V and relayctl -V
# print it ("relayd 0.2.0", exit 0, nothing on stderr), package.json and
# package-lock.json (the test harness's manifest), js/package.json (the
# JavaScript client's, the package sws-js) and the lock file's entry for
# it say the same, and NEWS.md has a section for it.
cd "${SWS_TOP:-.}" || exit 1
v=$(cat VERSION)
case "$v" in
[0-9]*.[0-9]*.[0-9]*) echo "ok - VERSION is one version number ($v)" ;;
*) echo "not ok - VERSION is one version number (have: $v)" ;;
esac
for p in relayd/relayd client/sws relayctl/relayctl; do
	n=${p##*/}
	e=$(mktemp); out=$("$p" -V 2>"$e"); rc=$?
	err=$(cat "$e"); rm -f "$e"
	if [ "$rc" = 0 ] && [ "$out" = "$n $v" ] && [ -z "$err" ]; then
		echo "ok - $n -V prints \"$n $v\" and exits 0"
	else
		echo "not ok - $n -V prints \"$n $v\" and exits 0 (rc $rc: $out $err)"
	fi
	if grep -q "^\.It Fl V$" "man/$(ls man | grep "^$n\.[18]$")"; then
		echo "ok - $n -V in its manual page"
	else
		echo "not ok - $n -V in its manual page"
	fi
done
for j in package.json package-lock.json js/package.json; do
	jv=$(/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["version"])' "$j")
	if [ "$jv" = "$v" ]; then
		echo "ok - $j version $jv is VERSION's"
	else
		echo "not ok - $j version $jv is VERSION's ($v)"
	fi
done
jv=$(/usr/bin/python3 -c 'import json
print(json.load(open("package-lock.json"))["packages"][""]["version"])')
if [ "$jv" = "$v" ]; then echo "ok - package-lock.json's own package is $v"
else echo "not ok - package-lock.json's own package is $v (have: $jv)"; fi
jv=$(/usr/bin/python3 -c 'import json
print(json.load(open("package-lock.json"))["packages"].get("js", {}).get("version"))')
if [ "$jv" = "$v" ]; then echo "ok - package-lock.json's sws-js (js/) is $v"
else echo "not ok - package-lock.json's sws-js (js/) is $v (have: $jv)"; fi
jv=$(node --input-type=module -e "import { VERSION } from 'sws-js';
console.log(VERSION)" 2>&1)
if [ "$jv" = "$v" ]; then echo "ok - sws-js exports VERSION $v"
else echo "not ok - sws-js exports VERSION $v (have: $jv)"; fi
if grep -q "^## $v\b" NEWS.md 2>/dev/null; then
	echo "ok - NEWS.md has a section for $v"
else
	echo "not ok - NEWS.md has a section for $v"
fi
