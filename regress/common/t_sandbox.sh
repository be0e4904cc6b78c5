#!/bin/sh
# Runs the seccomp filter test binary (built without sanitizers).
t=${SWS_TOP:-.}/obj/sandbox-test
[ -x "$t" ] || { echo "not ok - $t not built"; exit 1; }
exec "$t"
