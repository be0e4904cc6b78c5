#!/bin/sh
# Every manual page is clean under mandoc -T lint.
cd "${SWS_TOP:-.}" || exit 1
for m in man/*.[1-9]; do
	out=$(mandoc -T lint -W warning "$m" 2>&1)
	if [ -z "$out" ]; then
		echo "ok - mandoc lint $m"
	else
		echo "not ok - mandoc lint $m"
		echo "$out"
	fi
done
