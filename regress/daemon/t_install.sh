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

# make install into a DESTDIR puts every program, page and file in place
# with the right modes and installs no key; make uninstall takes it all
# away again.  First the default paths, from the tree as built; then
# PREFIX=/opt/sws SYSCONFDIR=/etc/sws from a copy of the tree (the paths
# are compiled in, and building the copy leaves this tree's programs
# alone): every file and nothing else, the paths in the unit and in the
# programs, the configuration kept when present, and after uninstall only
# the directories that were there before.
cd "${SWS_TOP:-.}" || exit 1
top=$(pwd)
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

ok() {	# condition-status description
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}
check() {	# root path mode
	if [ -f "$1$2" ] && [ "$(stat -c %a "$1$2")" = "$3" ]; then
		echo "ok - $2 mode $3"
	else
		echo "not ok - $2 mode $3 (have: $(stat -c %a "$1$2" 2>&1))"
	fi
}

# --- the default paths, from this tree
d=$w/default
if make -s install DESTDIR="$d" >"$w/log" 2>&1; then
	echo "ok - make install DESTDIR"
else
	echo "not ok - make install DESTDIR"; cat "$w/log"; exit 1
fi
check "$d" /usr/local/sbin/relayd 555
check "$d" /usr/local/sbin/relayctl 555
check "$d" /usr/local/bin/sws 555
check "$d" /usr/local/libexec/cryptod 555
check "$d" /usr/local/libexec/relayd-ca 555
check "$d" /usr/local/lib/systemd/system/relayd.service 644
check "$d" /etc/relayd.conf 644
grep -q '^ExecStart=/usr/local/sbin/relayd -d -f /etc/relayd.conf$' \
    "$d/usr/local/lib/systemd/system/relayd.service"
ok $? "default unit runs /usr/local/sbin/relayd -f /etc/relayd.conf"
if make -s uninstall DESTDIR="$d" >"$w/log" 2>&1 &&
    [ -z "$(find "$d" ! -type d)" ]; then
	echo "ok - make uninstall DESTDIR removes every file"
else
	echo "not ok - make uninstall DESTDIR removes every file"
	cat "$w/log"; find "$d" ! -type d
fi

# --- PREFIX=/opt/sws SYSCONFDIR=/etc/sws, from a copy of the tree
src=$w/src
mkdir "$src"
tar -C "$top" -c --exclude=./obj --exclude=./node_modules --exclude=./.git \
    --exclude='*.o' . | tar -C "$src" -x
[ -f "$top/obj/.deps" ] && mkdir -p "$src/obj" && cp -p "$top/obj/.deps" "$src/obj/"
P=/opt/sws; E=/etc/sws; V=$(cat "$top/VERSION")
set -- PREFIX=$P SYSCONFDIR=$E
d=$w/dest
# what a system already has; install may make these, uninstall leaves them
sysdirs="$P $P/bin $P/sbin $P/libexec $P/lib $P/lib/systemd
    $P/lib/systemd/system $P/lib/sysusers.d $P/lib/tmpfiles.d $P/share
    $P/share/man $P/share/man/man1 $P/share/man/man3 $P/share/man/man5
    $P/share/man/man8 $P/share/doc $P/share/examples $P/include
    $P/lib/pkgconfig /etc $E"
for s in $sysdirs; do mkdir -p "$d$s"; done
(cd "$d" && find . -type d | sort) >"$w/dirs.before"
if make -C "$src" -s -j2 install DESTDIR="$d" "$@" >"$w/log" 2>&1; then
	echo "ok - make install DESTDIR PREFIX=$P SYSCONFDIR=$E"
else
	echo "not ok - make install DESTDIR PREFIX=$P SYSCONFDIR=$E"
	tail -n 30 "$w/log"; exit 1
fi

# every file, with its mode, and nothing else
cat >"$w/expect" <<EOT
$P/bin/sws 555
$P/libexec/cryptod 555
$P/libexec/relayd-ca 555
$P/sbin/relayctl 555
$P/sbin/relayd 555
$P/share/man/man1/sws.1 444
$P/share/man/man5/relayd.conf.5 444
$P/share/man/man8/cryptod.8 444
$P/share/man/man8/relayctl.8 444
$P/share/man/man8/relayd-ca.8 444
$P/share/man/man8/relayd.8 444
$P/share/doc/sws/LICENSE 444
$P/share/doc/sws/NEWS.md 444
$P/share/doc/sws/README.md 444
$P/share/examples/relayd/relayd.conf 644
$P/lib/systemd/system/relayd.service 644
$P/lib/sysusers.d/relayd.conf 644
$P/lib/tmpfiles.d/relayd.conf 644
$E/relayd.conf 644
$P/lib/libsws.so.$V 755
$P/lib/libsws.a 644
$P/include/sws.h 444
$P/lib/pkgconfig/sws.pc 444
$P/share/man/man3/sws.3 444
EOT
while read -r f m; do check "$d" "$f" "$m"; done <"$w/expect"
# the library's names: symlinks to the versioned file
for l in libsws.so.0 libsws.so; do
	[ -L "$d$P/lib/$l" ] && [ -f "$d$P/lib/$l" ]
	ok $? "$P/lib/$l: a symlink to the library"
	echo "$P/lib/$l" >>"$w/expect"
done
(cd "$d" && find . ! -type d | sed 's|^\.||' | sort) >"$w/have"
cut -d' ' -f1 "$w/expect" | sort | diff - "$w/have" >"$w/diff"
ok $? "install puts those files and no other"
sed 's/^/#   /' "$w/diff"
[ -d "$d$E/relayd" ] && [ "$(stat -c %a "$d$E/relayd")" = 700 ]
ok $? "$E/relayd, the key's directory, mode 700"
find "$d" -name '*.key' | grep -q .
ok $((! $?)) "no key installed"
for m in $(cd "$top" && grep -h '^MANPAGES' Makefile */build.mk |
    sed 's/.*=//'); do
	[ -f "$d$P/share/man/man${m##*.}/${m#man/}" ]
	ok $? "manual page ${m#man/} of the build installed"
done

# the unit: the paths of PREFIX, each installed; the descriptor limit
u=$d$P/lib/systemd/system/relayd.service
grep -q "^ExecStart=$P/sbin/relayd -d -f $E/relayd.conf$" "$u"
ok $? "unit: ExecStart=$P/sbin/relayd -d -f $E/relayd.conf"
grep -q "^ExecReload=$P/sbin/relayd -n -f $E/relayd.conf$" "$u"
ok $? "unit: ExecReload checks $E/relayd.conf"
! grep -q '@' "$u"
ok $? "unit: no placeholder left"
bad=""
for p in $(grep '^Exec' "$u" | sed 's/^[^=]*=//' | tr ' ' '\n' |
    grep '^/' | grep -v '^/bin/kill$'); do
	[ -e "$d$p" ] || bad="$bad $p"
done
[ -z "$bad" ]
ok $? "unit: every path it names is installed$bad"
maxconn=$(sed -n 's/^#define[[:space:]]*MAX_CONN_LIMIT[[:space:]]*\([0-9]*\).*/\1/p' \
    "$top/relayd/config.c")
nofile=$(sed -n 's/^LimitNOFILE=//p' "$u")
[ -n "$maxconn" ] && [ -n "$nofile" ] && [ "$nofile" -ge $((maxconn + 32)) ]
ok $? "unit: LimitNOFILE $nofile fits max connections $maxconn and the relay's own"

# sysusers.d and tmpfiles.d: the default user and chroot of config.h
user=$(sed -n 's/^#define[[:space:]]*DEFAULT_USER[[:space:]]*"\(.*\)"/\1/p' \
    "$top/relayd/config.h")
root=$(sed -n 's/^#define[[:space:]]*DEFAULT_CHROOT[[:space:]]*"\(.*\)"/\1/p' \
    "$top/relayd/config.h")
grep -q "^u $user - \".*\" $root /" "$d$P/lib/sysusers.d/relayd.conf"
ok $? "sysusers.d: user $user, home $root"
grep -q "^d $root 0755 root root" "$d$P/lib/tmpfiles.d/relayd.conf"
ok $? "tmpfiles.d: $root 0755 root"

# the programs: the version, the paths compiled in, the example checks
v=$(cat "$top/VERSION")
[ "$("$d$P/sbin/relayd" -V)" = "relayd $v" ]
ok $? "installed relayd -V"
grep -aq "$P/libexec/cryptod" "$d$P/sbin/relayd" &&
    grep -aq "$P/libexec/relayd-ca" "$d$P/sbin/relayd" &&
    grep -aq "$P/sbin/relayd" "$d$P/sbin/relayd"
ok $? "installed relayd finds cryptod and relayd-ca under $P/libexec"
grep -aq "$E/relayd.conf" "$d$P/sbin/relayd" &&
    grep -aq "$E/relayd/server.key" "$d$P/sbin/relayd"
ok $? "installed relayd's defaults: $E/relayd.conf, $E/relayd/server.key"
grep -q "^key \"$E/relayd/server.key\"" "$d$E/relayd.conf"
ok $? "example configuration's key is under $E"
cmp -s "$d$E/relayd.conf" "$d$P/share/examples/relayd/relayd.conf"
ok $? "$E/relayd.conf is the example"
"$d$P/sbin/relayd" -n -f "$d$E/relayd.conf" 2>&1 |
    grep -q 'key file\|configuration OK'
ok $? "installed relayd runs -n"

# a configuration present is kept by install, and a changed one by uninstall
echo "# changed" >>"$d$E/relayd.conf"
make -C "$src" -s install DESTDIR="$d" "$@" >"$w/log" 2>&1 &&
    tail -n 1 "$d$E/relayd.conf" | grep -q '^# changed$'
ok $? "install again keeps $E/relayd.conf"
make -C "$src" -s uninstall DESTDIR="$d" "$@" >"$w/log" 2>&1
ok $? "make uninstall DESTDIR PREFIX=$P SYSCONFDIR=$E"
[ "$(cd "$d" && find . ! -type d)" = "./etc/sws/relayd.conf" ]
ok $? "uninstall removes every file but the changed $E/relayd.conf"
grep -q "relayd.conf differs from the example: kept" "$w/log"
ok $? "uninstall says it kept it"
rm -f "$d$E/relayd.conf"

# unchanged, it goes with the rest, and only the system's directories stay
make -C "$src" -s install DESTDIR="$d" "$@" >"$w/log" 2>&1 &&
    make -C "$src" -s uninstall DESTDIR="$d" "$@" >>"$w/log" 2>&1
ok $? "install and uninstall again"
[ -z "$(find "$d" ! -type d)" ]
ok $? "uninstall removes the unchanged configuration too"
(cd "$d" && find . -type d | sort) | diff "$w/dirs.before" - >"$w/diff"
ok $? "only the directories there before install are left"
sed 's/^/#   /' "$w/diff"
