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

# Create the unprivileged user _relayd and the empty chroot directory
# /var/empty when missing (run as root; make install runs it when there is
# no DESTDIR, make run, make test and the benchmarks always).  Installed,
# the sysusers.d and tmpfiles.d entries of etc/ make the same at boot.
set -e
if [ "$(id -u)" != 0 ]; then
	echo "setup-user: not root: skipping _relayd and /var/empty" >&2
	exit 0
fi
if [ ! -d /var/empty ]; then
	install -d -m 0755 -o root -g root /var/empty
fi
chown root:root /var/empty
chmod 0755 /var/empty
if ! getent passwd _relayd >/dev/null; then
	useradd --system --home-dir /var/empty --no-create-home \
	    --shell /usr/sbin/nologin --user-group _relayd
fi
