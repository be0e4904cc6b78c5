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

# CI's bounded slice of fuzzing: each libFuzzer target runs for
# FUZZ_SMOKE_SECONDS (default 5) over its seed corpus; any crash, leak or
# sanitizer report fails it.  `make fuzz` runs them for longer.
top=${SWS_TOP:-.}
secs=${FUZZ_SMOKE_SECONDS:-5}
n=0
for t in "$top"/obj/fuzz/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	corpus=$top/regress/fuzz/corpus/$name
	work=$(mktemp -d)
	if [ -d "$corpus" ]; then
		"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		    "$work" "$corpus" >"$work.log" 2>&1
	else
		"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		    "$work" >"$work.log" 2>&1
	fi
	rc=$?
	if [ $rc = 0 ]; then
		echo "ok - fuzz $name ${secs}s: $(grep -o 'Done [0-9]* runs' "$work.log" | tail -1)"
	else
		echo "not ok - fuzz $name exited $rc"
		tail -n 30 "$work.log"
	fi
	rm -rf "$work" "$work.log"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "not ok - no fuzz targets built"; exit 1; }
