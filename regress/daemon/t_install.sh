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

# make install into a DESTDIR puts every program and page in place with
# the right modes, and installs no key.
cd "${SWS_TOP:-.}" || exit 1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
if make -s install DESTDIR="$d" >"$d.log" 2>&1; then
	echo "ok - make install DESTDIR"
else
	echo "not ok - make install DESTDIR"; cat "$d.log"; exit 1
fi
rm -f "$d.log"
check() {	# path mode
	if [ -f "$d$1" ] && [ "$(stat -c %a "$d$1")" = "$2" ]; then
		echo "ok - $1 mode $2"
	else
		echo "not ok - $1 mode $2 (have: $(stat -c %a "$d$1" 2>&1))"
	fi
}
check /usr/local/sbin/relayd 555
check /usr/local/sbin/relayctl 555
check /usr/local/libexec/cryptod 555
check /usr/local/libexec/relayd-ca 555
check /usr/local/share/man/man8/relayd.8 444
check /usr/local/share/man/man8/cryptod.8 444
check /usr/local/share/man/man8/relayd-ca.8 444
check /usr/local/share/man/man8/relayctl.8 444
check /usr/local/share/man/man5/relayd.conf.5 444
check /etc/relayd.conf 644
if [ -d "$d/var/empty" ]; then echo "ok - chroot directory made"; else
	echo "not ok - chroot directory made"; fi
if find "$d" -name '*.key' | grep -q .; then echo "not ok - no key installed"
else echo "ok - no key installed"; fi
# the installed relayd checks the example configuration's syntax
if "$d/usr/local/sbin/relayd" -n -f "$d/etc/relayd.conf" 2>&1 |
    grep -q 'key file\|configuration OK'; then
	echo "ok - installed relayd runs -n"
else
	echo "not ok - installed relayd runs -n"
fi
