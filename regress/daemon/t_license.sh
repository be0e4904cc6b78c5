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

# LICENSE is the ISC license, and every source file the project wrote
# starts with its copyright line and both paragraphs (after a "#!" line,
# above the file's own top comment): C, headers, the grammar, Python,
# shell, JavaScript, the Makefile and its fragments, the extensionless
# scripts.  Not checked: the seed corpora and vectors (data), relayd/parse.c
# (byacc writes it), node_modules.  The files are git's tracked ones; out
# of a checkout (a release tarball), the tree less obj/ and node_modules/.
cd "${SWS_TOP:-.}" || exit 1

first='Copyright (c) 2026 The sws authors'
para1='copyright notice and this permission notice appear in all copies.'
para2='OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.'

if [ -f LICENSE ] && grep -qF "$first" LICENSE &&
    grep -qF 'Permission to use, copy, modify, and distribute' LICENSE &&
    grep -qF "$para2" LICENSE; then
	echo "ok - LICENSE is the ISC license of The sws authors"
else
	echo "not ok - LICENSE is the ISC license of The sws authors"
fi

sources() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -- '*.c' '*.h' '*.y' '*.py' '*.sh' '*.mjs' '*.js' \
		    '*.mk' Makefile regress/run .ci/run
	else
		find . \( -path ./obj -o -path ./node_modules -o \
		    -path ./regress/node_modules \) -prune -o -type f \
		    \( -name '*.[chy]' -o -name '*.py' -o -name '*.sh' -o \
		    -name '*.mjs' -o -name '*.js' -o -name '*.mk' -o \
		    -name Makefile -o -path ./regress/run -o -path ./.ci/run \) \
		    -print | sed 's|^\./||'
	fi | grep -v -e '^regress/fuzz/corpus/' -e '^relayd/parse\.c$' \
	    -e '/node_modules/' -e '^node_modules/'
}

n=0; bad=""
for f in $(sources); do
	[ -f "$f" ] || continue	# deleted in the work tree, not yet in git
	n=$((n + 1))
	# the header within the first 20 lines: the copyright, both paragraphs
	top=$(head -n 20 "$f")
	case "$top" in
	*"$first"*"$para1"*"$para2"*) ;;
	*) bad="$bad $f" ;;
	esac
done
if [ -z "$bad" ] && [ "$n" -gt 100 ]; then
	echo "ok - $n source files carry the copyright and ISC license header"
else
	echo "not ok - every source file carries the copyright and ISC license header ($n checked)"
	for f in $bad; do echo "#   missing: $f"; done
fi
