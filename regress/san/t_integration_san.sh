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

# The integration tests again, against the sanitizer build of the daemon
# (ASan and UBSan; seccomp traps and logs instead of killing, since the
# sanitizer runtime needs calls the real filter refuses).  Any sanitizer
# report aborts a child, which ends the daemon and fails the checks.
top=${SWS_TOP:-.}
cd "$top" || exit 1
[ -x obj/san/relayd/relayd ] && [ -x obj/san/cryptod/cryptod ] &&
    [ -x obj/san/ca/relayd-ca ] || {
	echo "not ok - sanitizer build missing (make san)"; exit 1; }
export SWS_RELAYD=$top/obj/san/relayd/relayd
export SWS_CRYPTOD=$top/obj/san/cryptod/cryptod
export SWS_CA=$top/obj/san/ca/relayd-ca
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1:quarantine_size_mb=1:thread_local_quarantine_size_kb=64
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
rc=0
for t in regress/relayd/t_handshake.py regress/relayd/t_frames.py \
    regress/relayd/t_register.py regress/relayd/t_route.py \
    regress/ca/t_ca.py regress/daemon/t_metrics.py \
    regress/daemon/t_relayctl.py regress/relayd/t_logs.py; do
	/usr/bin/python3 "$t" | sed "s|^ok - |ok - [san] |; s|^not ok - |not ok - [san] |" || rc=1
done
exit $rc
