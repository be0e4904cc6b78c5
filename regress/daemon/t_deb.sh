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

# make deb builds the Debian packages, lintian finds no error in them, and
# they install and purge on this machine (root only; skipped otherwise).
# The build runs in a copy of the tree (DEB_BUILD_OPTIONS=nocheck, -j2).
# Installed: the files of each package, the user and the chroot made by
# the postinst, no key and no relayd started; relayd -n passes once the
# installed cryptod made the key, and the installed relayd, run in the
# foreground on a loopback port, carries a message between two installed
# sws clients.  Purged: no file of the packages is left, nor the
# configuration, the key or the unit's enablement.  A configuration of
# the machine's own (/etc/relayd.conf, /etc/relayd) is set aside and put
# back.
[ "$(id -u)" = 0 ] || exit 77
cd "${SWS_TOP:-.}" || exit 1
top=$(pwd)
V=$(cat VERSION)
PKGS="relayd sws-client libsws0 libsws-dev"
w=$(mktemp -d)
chmod 0755 "$w"
relay=""; bob=""

ok() {	# condition-status description
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}
wait_line() {	# file line
	i=0
	while [ $i -lt 50 ]; do
		grep -qxF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# $1 has no line: $2"
	sed 's/^/#   /' "$1"
	return 1
}
installed_pids() {	# processes running the installed relayd
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = /usr/sbin/relayd ] &&
		    echo "${p#/proc/}"
	done
}
purge() {
	dpkg --purge $PKGS >"$w/purge.log" 2>&1
}
cleanup() {
	for p in $bob $relay; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for p in $PKGS; do
		if dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'installed\|config-files'; then
			purge; break
		fi
	done
	[ -e "$w/saved/relayd.conf" ] && mv "$w/saved/relayd.conf" /etc/
	[ -e "$w/saved/relayd" ] && rm -rf /etc/relayd &&
	    mv "$w/saved/relayd" /etc/
	rm -rf "$w"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# what the build needs beyond the project's own build dependencies
need=""
command -v dpkg-buildpackage >/dev/null || need="$need dpkg-dev"
command -v dh >/dev/null || need="$need debhelper"
command -v lintian >/dev/null || need="$need lintian"
if [ -n "$need" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need \
	    >"$w/apt.log" 2>&1
	ok $? "installed$need"
fi

# nothing of an earlier run, and the machine's own configuration aside
purge
mkdir "$w/saved"
for f in /etc/relayd.conf /etc/relayd; do
	[ -e "$f" ] && mv "$f" "$w/saved/"
done

# --- build, in a copy of the tree
src=$w/src
mkdir "$src"
tar -C "$top" -c --exclude=./obj --exclude=./node_modules --exclude=./.git \
    --exclude='*.o' . | tar -C "$src" -x
if DEB_BUILD_OPTIONS=nocheck make -C "$src" deb \
    DEBBUILDFLAGS="-b -us -uc -j2" >"$w/build.log" 2>&1; then
	echo "ok - make deb"
else
	echo "not ok - make deb"; tail -n 40 "$w/build.log" | sed 's/^/#   /'
	exit 1
fi
out=$src/obj/deb
[ "$(cd "$src" && dpkg-parsechangelog -S Version)" = "$V" ]
ok $? "debian/changelog: version $V (VERSION)"
arch=$(dpkg --print-architecture)
debs=""
for p in $PKGS; do
	d=$out/${p}_${V}_$arch.deb
	[ -f "$d" ]
	ok $? "package $p $V built"
	debs="$debs $d"
done
changes=$out/sws_${V}_$arch.changes
[ -f "$changes" ]
ok $? "sws_${V}_$arch.changes"

# --- lintian: no error; the warnings, as comments
lintian --info "$changes" >"$w/lintian.log" 2>&1
grep '^E: ' "$w/lintian.log" >"$w/lintian.err"
[ ! -s "$w/lintian.err" ]
ok $? "lintian: no error"
grep '^[EW]: ' "$w/lintian.log" | sed 's/^/#   /'

# --- what each package holds
has() {	# package path...
	p=$1; shift
	dpkg-deb -c "$out/${p}_${V}_$arch.deb" | awk '{print $6}' |
	    sed 's|^\.||; s|/$||' >"$w/$p.list"
	miss=""
	for f in "$@"; do grep -qxF "$f" "$w/$p.list" || miss="$miss $f"; done
	[ -z "$miss" ]
	ok $? "$p holds $*${miss:+ (missing:$miss)}"
}
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
has relayd /usr/sbin/relayd /usr/sbin/relayctl /usr/libexec/cryptod \
    /usr/libexec/relayd-ca /usr/share/man/man8/relayd.8.gz \
    /usr/share/man/man8/relayctl.8.gz /usr/share/man/man8/cryptod.8.gz \
    /usr/share/man/man8/relayd-ca.8.gz /usr/share/man/man5/relayd.conf.5.gz \
    /lib/systemd/system/relayd.service /usr/lib/sysusers.d/relayd.conf \
    /usr/lib/tmpfiles.d/relayd.conf /etc/relayd.conf /etc/relayd \
    /usr/share/doc/relayd/examples/relayd.conf /usr/share/doc/relayd/copyright
has sws-client /usr/bin/sws /usr/share/man/man1/sws.1.gz
has libsws0 /usr/lib/$ma/libsws.so.$V /usr/lib/$ma/libsws.so.0
has libsws-dev /usr/include/sws.h /usr/lib/$ma/libsws.so \
    /usr/lib/$ma/libsws.a /usr/lib/$ma/pkgconfig/sws.pc \
    /usr/share/man/man3/sws.3.gz
! grep -q '\.key$' "$w/relayd.list"
ok $? "relayd holds no key"

# --- install; the directories there before stay after the purge
cat "$w"/*.list | sort -u >"$w/all.list"
while read -r f; do
	[ -e "$f" ] && echo "$f"
done <"$w/all.list" >"$w/before"
before_pids=$(installed_pids)
if dpkg -i $debs >"$w/install.log" 2>&1 ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -f \
    >>"$w/install.log" 2>&1; then
	echo "ok - dpkg -i$(for p in $PKGS; do printf ' %s' "$p"; done)"
else
	echo "not ok - dpkg -i"; tail -n 30 "$w/install.log" | sed 's/^/#   /'
	exit 1
fi
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'
	ok $? "$p installed"
done
getent passwd _relayd >/dev/null
ok $? "postinst: the user _relayd"
[ -d /var/empty ] && [ "$(stat -c %U:%a /var/empty)" = root:755 ]
ok $? "postinst: /var/empty, root's, 0755"
[ "$(stat -c %U:%a /etc/relayd 2>&1)" = root:700 ]
ok $? "/etc/relayd: root's, 0700"
[ -z "$(ls -A /etc/relayd)" ]
ok $? "no key made"
[ "$(installed_pids)" = "$before_pids" ]
ok $? "no relayd started"
grep -qx 'ConditionPathExists=/etc/relayd/server.key' \
    /lib/systemd/system/relayd.service
ok $? "unit: ConditionPathExists=/etc/relayd/server.key"
grep -qx 'ExecStart=/usr/sbin/relayd -d -f /etc/relayd.conf' \
    /lib/systemd/system/relayd.service
ok $? "unit: ExecStart=/usr/sbin/relayd -d -f /etc/relayd.conf"
! grep -q 'cryptod\|deb-systemd-invoke start\|deb-systemd-invoke restart' \
    /var/lib/dpkg/info/relayd.postinst
ok $? "postinst: no key, no start (try-restart of a running relay only)"
[ "$(/usr/sbin/relayd -V)" = "relayd $V" ] && [ "$(sws -V)" = "sws $V" ]
ok $? "installed relayd -V, sws -V: $V"
pkg-config --modversion sws >"$w/pc" 2>&1 && [ "$(cat "$w/pc")" = "$V" ]
ok $? "pkg-config sws: $V"

# --- the key, by the installed cryptod; relayd -n
/usr/sbin/relayd -n -f /etc/relayd.conf >"$w/n0" 2>&1
ok $((! $?)) "relayd -n -f /etc/relayd.conf fails without the key"
S=$(/usr/libexec/cryptod -g /etc/relayd/server.key 2>"$w/g.err")
[ -n "$S" ] && [ "$(stat -c %U:%a /etc/relayd/server.key)" = root:600 ]
ok $? "/usr/libexec/cryptod -g /etc/relayd/server.key"
/usr/sbin/relayd -n -f /etc/relayd.conf >"$w/n1" 2>&1
ok $? "relayd -n -f /etc/relayd.conf"
sed 's/^/#   /' "$w/n1"

# --- the installed relayd in the foreground, two installed clients
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$w/relayd.conf" <<EOT
listen on 127.0.0.1 port $port
key "/etc/relayd/server.key"
control socket "$w/relayd.sock"
EOT
/usr/sbin/relayd -d -f "$w/relayd.conf" >"$w/relayd.log" 2>&1 </dev/null &
relay=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" \
    2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 50 ] || ! kill -0 $relay 2>/dev/null; then break; fi
	sleep 0.1
done
kill -0 $relay 2>/dev/null
ok $? "installed relayd -d listens on 127.0.0.1 port $port"
U=ws://127.0.0.1:$port/
A=$(sws -k "$w/alice" keygen) && B=$(sws -k "$w/bob" keygen)
ok $? "sws keygen, twice"
sws -v -u "$U" -s "$S" -k "$w/bob" listen >"$w/bob.out" 2>"$w/bob.err" \
    </dev/null &
bob=$!
wait_line "$w/bob.err" "sws: registered as $B with relay $S"
ok $? "sws listen registers, the relay's key pinned"
sws -u "$U" -s "$S" -k "$w/alice" send "$B" hello from the package \
    >"$w/send.out" 2>&1
ok $? "sws send: accepted"
wait_line "$w/bob.out" "$A hello from the package"
ok $? "sws listen prints the message"
kill $bob; wait $bob 2>/dev/null; bob=""
kill $relay; wait $relay 2>/dev/null; relay=""
[ -z "$(installed_pids | grep -vxF "$before_pids")" ]
ok $? "relayd and its children gone after SIGTERM"

# --- purge: nothing left
if purge; then
	echo "ok - dpkg --purge"
else
	echo "not ok - dpkg --purge"; sed 's/^/#   /' "$w/purge.log"
fi
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'installed\|config-files'
	ok $((! $?)) "$p purged"
done
left=""
while read -r f; do
	if [ -e "$f" ] || [ -L "$f" ]; then
		grep -qxF "$f" "$w/before" || left="$left $f"
	fi
done <"$w/all.list"
[ -z "$left" ]
ok $? "no file or directory of the packages left${left:+:$left}"
[ ! -e /etc/relayd.conf ] && [ ! -e /etc/relayd ]
ok $? "configuration and key gone"
[ -z "$(ls /var/lib/dpkg/info/relayd.* /var/lib/dpkg/info/sws-client.* \
    /var/lib/dpkg/info/libsws0:* /var/lib/dpkg/info/libsws-dev:* 2>/dev/null)" ]
ok $? "dpkg keeps nothing of them"
[ -z "$(find /etc/systemd /var/lib/systemd -name 'relayd.service*' \
    2>/dev/null)" ]
ok $? "the unit's enablement gone"
