#!/bin/sh
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
