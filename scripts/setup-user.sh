#!/bin/sh
# Create the unprivileged user _relayd and the empty chroot directory
# /var/empty when missing (run as root; DESTDIR installs skip the user).
set -e
destdir=${1:-}
if [ -n "$destdir" ]; then
	install -d -m 0755 "$destdir/var/empty"
	exit 0
fi
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
