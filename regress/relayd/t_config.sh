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

# relayd.conf through the real daemon's check mode, one table row per case:
# "relayd -n -f FILE" must exit with the expected status and print each
# expected line.  Expected lines start with "=" (the whole line) or "~" (a
# fixed substring).  In configurations and expectations, @KEY@ is a good
# key file, @TMP@ the scratch directory, @CONF@ the file under test, and a
# line "@BASE@" stands for three lines: key, user and chroot that pass.
#
# Needs relayd/relayd (skips without it) and root (temporary files are
# given other owners).  RELAYD=path tests another binary.

top=${SWS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
relayd=${RELAYD:-$top/relayd/relayd}
proc=${RELAYD_PROCNAME:-relayd}		# log lines are "relayd: message"
[ -x "$relayd" ] || exit 77
[ "$(id -u)" = 0 ] || exit 77

tmp=$(mktemp -d /tmp/t_config.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
conf=$tmp/relayd.conf
out=$tmp/out

# The files the rows refer to.
umask 022
printf 'test key\n' >"$tmp/server.key"; chmod 0600 "$tmp/server.key"
printf 'test key\n' >"$tmp/key0400"; chmod 0400 "$tmp/key0400"
printf 'test key\n' >"$tmp/key0644"; chmod 0644 "$tmp/key0644"
printf 'test key\n' >"$tmp/key0640"; chmod 0640 "$tmp/key0640"
mkdir "$tmp/empty" "$tmp/notroot" "$tmp/writable" "$tmp/inc"
chown nobody "$tmp/notroot"
chmod 0777 "$tmp/writable"
printf 'listen on 127.0.0.1 port 8081\nmax connections 2000\n' \
    >"$tmp/inc/extra.conf"
printf '# second line is bad\nlisten at 127.0.0.1\n' >"$tmp/inc/bad.conf"
printf 'include "extra.conf"\n' >"$tmp/inc/nested.conf"
printf 'max connections 5\n' >"$tmp/inc/groupw.conf"
chmod 0664 "$tmp/inc/groupw.conf"

subst() {
	sed -e "s|@KEY@|$tmp/server.key|g" -e "s|@TMP@|$tmp|g" \
	    -e "s|@CONF@|$conf|g"
}

n=0
# row DESCRIPTION STATUS EXPECTED CONFIG [ARGUMENT...]
row() {
	desc=$1; want_rc=$2; want=$3; text=$4
	shift 4
	n=$((n + 1))
	printf '%s\n' "$text" | sed -e '1{/^$/d;}' -e 's|^@BASE@$|key "@KEY@"\
user "nobody"\
chroot "@TMP@/empty"|' | subst >"$conf"
	chmod 0600 "$conf"
	timeout 20 "$relayd" -n -f "$conf" "$@" >"$out" 2>&1 </dev/null
	rc=$?
	why=""
	[ "$rc" = "$want_rc" ] || why="exit status $rc, want $want_rc"
	if [ "$want_rc" != 0 ] && grep -q 'configuration OK' "$out"; then
		why="${why:+$why; }says configuration OK"
	fi
	while IFS= read -r w; do
		[ -n "$w" ] || continue
		case "$w" in
		=*)	grep -Fxq -- "${w#?}" "$out" ||
			    why="${why:+$why; }no line \"${w#?}\"" ;;
		\~*)	grep -Fq -- "${w#?}" "$out" ||
			    why="${why:+$why; }no \"${w#?}\"" ;;
		*)	why="${why:+$why; }bad expectation \"$w\"" ;;
		esac
	done <<EOF
$(printf '%s\n' "$want" | subst)
EOF
	if [ -z "$why" ]; then
		echo "ok - $n $desc"
	else
		echo "not ok - $n $desc: $why"
		sed 's/^/# conf: /' "$conf"
		sed 's/^/# out:  /' "$out"
	fi
}

P=$proc		# shorter rows

# --- configurations that pass ---------------------------------------

row "minimal: one listener, key mode 0600" 0 '~configuration OK' '
listen on 127.0.0.1 port 8080
@BASE@'

row "control socket, with and without a group" 0 '~configuration OK' '
listen on 127.0.0.1 port 8080
control socket "@TMP@/relayd.sock"
control socket "@TMP@/other.sock" group "nogroup"
@BASE@'

row "control socket: unknown group" 1 \
    "=$proc: @CONF@:5: control socket group \"no-such-group-x\": unknown group" '
listen on 127.0.0.1 port 8080
@BASE@
control socket "/run/relayd/relayd.sock" group "no-such-group-x"'

row "control socket: relative path" 1 \
    "=$proc: @CONF@:2: control socket \"relayd.sock\" is not an absolute path" '
listen on 127.0.0.1 port 8080
control socket "relayd.sock"
@BASE@'

row "control socket: name too long" 1 \
    "~@CONF@:2: control socket \"/$(printf '%0120d' 0)\": name too long" '
listen on 127.0.0.1 port 8080
control socket "/'"$(printf '%0120d' 0)"'"
@BASE@'

row "every statement" 0 '~configuration OK' '
# a full example, without tls
listen on 127.0.0.1 port 8080
listen on ::1 port 8443
path "/"
echo path "/echo"
key "@KEY@"
server name "relay.example.org"
server name "Chat.Example.Org"
origin "https://chat.example.org"
origin "https://other.example.org"
user "nobody"
chroot "@TMP@/empty"
max connections 100000
max connections per address 256
max message size 64K
max sessions per key 8
rate limit 1000 per second burst 2000
send buffer 1M
rooms on
max rooms per session 32
max room members 10000
handshake timeout 10
registration timeout 10
ping interval 30
idle timeout 90'

row "rooms off, other values" 0 '~configuration OK' '
listen on 127.0.0.1 port 8080
rooms off
max connections 1
max connections per address 1
max message size 1K
send buffer 2K
rate limit 1 per second burst 1
handshake timeout 1
registration timeout 1
ping interval 1
idle timeout 2
@BASE@'

row "IPv6, bracketed IPv6 and * listeners" 0 '~configuration OK' '
listen on ::1 port 8080
listen on [::1] port 8081
listen on * port 8082
listen on 127.0.0.1 port 8083
@BASE@'

row "comments, blank lines, continuation, # in a string" 0 \
    '~configuration OK' '
# a comment

   # an indented comment
listen on 127.0.0.1 port 8080	# after a statement
origin "https://a.example#not-a-comment"
max connections \
	500
@BASE@
# the last line is a comment'

row "no newline at the end of the file" 0 '~configuration OK' "
@BASE@
listen on 127.0.0.1 port 8080"

row "K and M sizes, lower case too" 0 '~configuration OK' '
listen on 127.0.0.1 port 8080
max message size 1M
send buffer 2048k
@BASE@'

row "macros" 0 '~configuration OK' '
addr = "127.0.0.1"
p = 8080
k = "@KEY@"
opts = "per second burst 10"
listen on $addr port $p
key $k
rate limit 5 $opts
user "nobody"
chroot "@TMP@/empty"'

row "-D defines a macro" 0 '~configuration OK' '
listen on 127.0.0.1 port $p
@BASE@' -D p=8090

row "-D overrides the file" 0 '~configuration OK' '
p = 0
listen on 127.0.0.1 port $p
@BASE@' -D p=8090

row "include, relative to the including file, nested" 0 \
    '~configuration OK' '
include "inc/nested.conf"
@BASE@'

row "echo path different from path" 0 '~configuration OK' '
listen on 127.0.0.1 port 8080
path "/relay"
echo path "/"
@BASE@'

row "key file mode 0400" 0 '~configuration OK' '
listen on 127.0.0.1 port 8080
@BASE@
key "@TMP@/key0400"'

# --- the defaults: whatever this system lacks is named ---------------

want_def='~configuration OK'
rc_def=0
if [ ! -e /etc/relayd/server.key ]; then
	want_def="=$P: @CONF@: key file /etc/relayd/server.key: No such file or directory"
	rc_def=1
fi
if ! getent passwd _relayd >/dev/null; then
	want_def="$want_def
=$P: @CONF@: unknown user \"_relayd\""
	rc_def=1
fi
if [ ! -e /var/empty ]; then
	want_def="$want_def
=$P: @CONF@: chroot /var/empty: No such file or directory"
	rc_def=1
fi
[ "$rc_def" = 1 ] && want_def=$(printf '%s\n' "$want_def" |
    grep -v 'configuration OK')
row "defaults: key /etc/relayd/server.key, user _relayd, chroot /var/empty" \
    "$rc_def" "$want_def" '
listen on 127.0.0.1 port 8080'

# --- syntax, with file and line --------------------------------------

row "unknown keyword" 1 "=$P: @CONF@:3: syntax error" '
listen on 127.0.0.1 port 8080

frobnicate on
@BASE@'

row "statement missing its value" 1 "=$P: @CONF@:2: syntax error" '
listen on 127.0.0.1 port 8080
max connections
@BASE@'

row "unterminated string" 1 "=$P: @CONF@:2: unterminated string" '
listen on 127.0.0.1 port 8080
path "/relay
@BASE@'

row "several errors, all reported" 1 "=$P: @CONF@:1: syntax error
=$P: @CONF@:3: port 0 is out of range (1-65535)
=$P: @CONF@:4: number -1 is out of range" '
bogus
listen on 127.0.0.1 port 8080
listen on 127.0.0.1 port 0
max connections -1
@BASE@'

row "undefined macro" 1 "=$P: @CONF@:2: macro \"nope\" is not defined" '
listen on 127.0.0.1 port 8080
max connections $nope
@BASE@'

row "macro used before its definition" 1 \
    "=$P: @CONF@:1: macro \"later\" is not defined" '
listen on 127.0.0.1 port $later
later = 8080
@BASE@'

row "keyword as a macro name" 1 "=$P: @CONF@:1: syntax error" '
port = 8080
listen on 127.0.0.1 port 8080
@BASE@'

row "missing include" 1 \
    "=$P: @CONF@:2: include \"@TMP@/nosuch.conf\": No such file or directory" '
listen on 127.0.0.1 port 8080
include "nosuch.conf"
@BASE@'

row "group-writable include" 1 \
    "=$P: @CONF@:2: include \"@TMP@/inc/groupw.conf\": writable by group or others" '
listen on 127.0.0.1 port 8080
include "inc/groupw.conf"
@BASE@'

row "error in an included file has its own line" 1 \
    "=$P: @TMP@/inc/bad.conf:2: syntax error" '
listen on 127.0.0.1 port 8080
include "inc/bad.conf"
@BASE@'

row "size overflow" 1 "=$P: @CONF@:2: size 4096M is too large" '
listen on 127.0.0.1 port 8080
send buffer 4096M
@BASE@'

row "size with a bad suffix" 1 \
    "=$P: @CONF@:2: invalid size \"64KB\": a number with an optional K or M suffix" '
listen on 127.0.0.1 port 8080
max message size 64KB
@BASE@'

row "number too large" 1 \
    "=$P: @CONF@:2: number 99999999999999999999 is too large" '
listen on 127.0.0.1 port 8080
max connections 99999999999999999999
@BASE@'

row "negative number" 1 "=$P: @CONF@:2: number -5 is out of range" '
listen on 127.0.0.1 port 8080
idle timeout -5
@BASE@'

row "port 65536" 1 "=$P: @CONF@:1: port 65536 is out of range (1-65535)" '
listen on 127.0.0.1 port 65536
@BASE@'

row "host name as listen address" 1 \
    "=$P: @CONF@:1: invalid listen address \"localhost\": need an IPv4 or IPv6 address or \"*\"" '
listen on localhost port 8080
@BASE@'

row "tls listener without a certificate" 1 \
    "=$P: @CONF@:2: listener [::1] port 8443 (tls): tls needs \"tls certificate\" and \"tls key\"" '
listen on 127.0.0.1 port 8080
listen on ::1 port 8443 tls
@BASE@'

row "tls certificate that is not there" 1 \
    "=$P: @CONF@:3: /nonexistent/relay.crt: No such file or directory" '
listen on ::1 port 8443 tls
tls key "/nonexistent/relay.key"
tls certificate "/nonexistent/relay.crt"
@BASE@'

row "tls certificate given twice" 1 \
    "=$P: @CONF@:3: tls certificate given twice" '
listen on ::1 port 8443 tls
tls certificate "/a.crt"
tls certificate "/b.crt"
@BASE@'

row "tls file name not absolute" 1 \
    "=$P: @CONF@:2: tls key \"relay.key\" is not an absolute path" '
listen on ::1 port 8443 tls
tls key "relay.key"
@BASE@'

row "old tls listener syntax" 1 \
    "=$P: @CONF@:2: syntax error" '
listen on 127.0.0.1 port 8080
listen on ::1 port 8443 tls certificate "/etc/ssl/relay.crt" key "/etc/ssl/private/relay.key"
@BASE@'

row "path without a leading slash" 1 \
    "=$P: @CONF@:2: path must start with '/'" '
listen on 127.0.0.1 port 8080
path "relay"
@BASE@'

# --- checks of the whole file ----------------------------------------

row "no listener" 1 \
    "=$P: @CONF@: no listener: at least one \"listen on\" is required" '
@BASE@'

row "metrics listener alone is no listener" 1 \
    "=$P: @CONF@: no listener: at least one \"listen on\" is required" '
metrics listen on 127.0.0.1 port 9100
@BASE@'

row "metrics listener on a client listener's port" 1 \
    "=$P: @CONF@:2: the metrics listener 127.0.0.1 port 8080 (metrics) may not share a client listener's address and port (127.0.0.1 port 8080)" '
listen on 127.0.0.1 port 8080
metrics listen on 127.0.0.1 port 8080
@BASE@'

row "metrics listener inside a client wildcard" 1 \
    "~may not share a client listener's address and port (0.0.0.0 port 8080)" '
listen on * port 8080
metrics listen on 127.0.0.1 port 8080
@BASE@'

row "metrics listener beside clients" 0 \
    "~configuration OK" '
listen on 127.0.0.1 port 8080
metrics listen on 127.0.0.1 port 9100
metrics listen on ::1 port 9100
@BASE@'

row "metrics listener with a port out of range" 1 \
    "~port 70000 is out of range" '
listen on 127.0.0.1 port 8080
metrics listen on 127.0.0.1 port 70000
@BASE@'

row "metrics listener with tls" 1 \
    "~syntax error" '
listen on 127.0.0.1 port 8080
metrics listen on 127.0.0.1 port 9100 tls
@BASE@'

row "duplicate listener" 1 \
    "=$P: @CONF@: duplicate listener [::1] port 8080" '
listen on ::1 port 8080
listen on [::1] port 8080
@BASE@'

row "echo path equal to path" 1 \
    "=$P: @CONF@: echo path \"/relay\" is the same as path" '
listen on 127.0.0.1 port 8080
path "/relay"
echo path "/relay"
@BASE@'

row "per-address limit above the total" 1 \
    "=$P: @CONF@: max connections per address 300 is more than max connections 200" '
listen on 127.0.0.1 port 8080
max connections 200
max connections per address 300
@BASE@'

row "more than 100000 connections" 1 \
    "=$P: @CONF@: max connections 100001 is out of range (1-100000)" '
listen on 127.0.0.1 port 8080
max connections 100001
@BASE@'

row "send buffer over 1024M" 1 \
    "=$P: @CONF@: send buffer 1074790400 is out of range (at most 1024M)" '
listen on 127.0.0.1 port 8080
send buffer 1025M
@BASE@'

row "send buffer cannot hold a message" 1 \
    "=$P: @CONF@: send buffer 65536 is smaller than max message size + 1K (66560)" '
listen on 127.0.0.1 port 8080
send buffer 64K
@BASE@'

row "max message size below 1K" 1 \
    "=$P: @CONF@: max message size 512 is out of range (1K-16M)" '
listen on 127.0.0.1 port 8080
max message size 512
@BASE@'

row "ping interval not below idle timeout" 1 \
    "=$P: @CONF@: ping interval 90 must be less than idle timeout 90" '
listen on 127.0.0.1 port 8080
ping interval 90
@BASE@'

row "zero rate and burst" 1 \
    "=$P: @CONF@: rate limit must be at least 1 per second
=$P: @CONF@: rate limit burst must be at least 1" '
listen on 127.0.0.1 port 8080
rate limit 0 per second burst 0
@BASE@'

row "rate and burst above their bounds, with the line" 1 \
    "=$P: @CONF@:2: rate limit 10000001 per second is above 10000000
=$P: @CONF@:3: rate limit burst 10000001 is above 10000000" '
listen on 127.0.0.1 port 8080
rate limit 10000001 per second burst 1
rate limit 1 per second burst 10000001
@BASE@'

row "timeouts above a day" 1 \
    "=$P: @CONF@: handshake timeout 86401 is above 86400 seconds (a day)
=$P: @CONF@: registration timeout 86401 is above 86400 seconds (a day)
=$P: @CONF@: idle timeout 5000000 is above 86400 seconds (a day)" '
listen on 127.0.0.1 port 8080
handshake timeout 86401
registration timeout 86401
ping interval 30
idle timeout 5000000
@BASE@'

row "timeouts of a day" 0 "=configuration OK" '
listen on 127.0.0.1 port 8080
handshake timeout 86400
registration timeout 86400
ping interval 86399
idle timeout 86400
@BASE@'

row "the largest rate and burst" 0 "=configuration OK" '
listen on 127.0.0.1 port 8080
rate limit 10000000 per second burst 10000000
@BASE@'

row "zero timeout and room limits" 1 \
    "=$P: @CONF@: registration timeout must be at least 1
=$P: @CONF@: max room members must be at least 1
=$P: @CONF@: max sessions per key must be at least 1" '
listen on 127.0.0.1 port 8080
registration timeout 0
max room members 0
max sessions per key 0
@BASE@'

row "server name with a port" 1 \
    "=$P: @CONF@: server name \"relay.example.org:443\" must not have a port" '
listen on 127.0.0.1 port 8080
server name "relay.example.org:443"
@BASE@'

row "empty origin" 1 "=$P: @CONF@: empty origin" '
listen on 127.0.0.1 port 8080
origin ""
@BASE@'

row "key file missing" 1 \
    "=$P: @CONF@: key file @TMP@/nokey: No such file or directory" '
listen on 127.0.0.1 port 8080
@BASE@
key "@TMP@/nokey"'

row "key file not an absolute path" 1 \
    "=$P: @CONF@: key file \"server.key\" is not an absolute path" '
listen on 127.0.0.1 port 8080
@BASE@
key "server.key"'

row "key file mode 0644" 1 \
    "=$P: @CONF@: key file @TMP@/key0644 is accessible by group or others (mode 0644, want 0600 or 0400)" '
listen on 127.0.0.1 port 8080
@BASE@
key "@TMP@/key0644"'

row "key file mode 0640" 1 \
    "~key file @TMP@/key0640 is accessible by group or others" '
listen on 127.0.0.1 port 8080
@BASE@
key "@TMP@/key0640"'

row "unknown user" 1 "=$P: @CONF@: unknown user \"no_such_user_x\"" '
listen on 127.0.0.1 port 8080
@BASE@
user "no_such_user_x"'

row "chroot not a directory" 1 \
    "=$P: @CONF@: chroot @TMP@/server.key is not a directory" '
listen on 127.0.0.1 port 8080
@BASE@
chroot "@TMP@/server.key"'

# --- cluster blocks ---------------------------------------------------

printf 'SUAAVWRZG6M5FQ5XKRPI2YJ6WWWQ5MYTK3CKDOO4X6MS3ZG2XQHYFGB5ZU\n' \
    >"$tmp/nats.nk"; chmod 0600 "$tmp/nats.nk"
printf 'SUAAVWRZG6M5FQ5XKRPI2YJ6WWWQ5MYTK3CKDOO4X6MS3ZG2XQHYFGB5ZU\n' \
    >"$tmp/nats-open.nk"; chmod 0644 "$tmp/nats-open.nk"
printf 'not a seed\n' >"$tmp/bad.nk"; chmod 0600 "$tmp/bad.nk"

row "cluster: a full block" 0 '~configuration OK' '
listen on 127.0.0.1 port 8080
@BASE@
cluster "chat-1" {
	node "a_1"
	nats "nats://127.0.0.1:4222"
	nats "nats://[::1]:4223"
	nats "nats://localhost"

	nkey "@TMP@/nats.nk"
	timeout 5
}'

row "cluster: TLS with a CA file and a name" 0 '~configuration OK' '
listen on 127.0.0.1 port 8080
@BASE@
cluster "c" {
	node "a"
	nats "tls://127.0.0.1:4222"
	user "relay" password "pw"
	tls ca "@KEY@"
	tls name "nats.example.net"
}'

row "cluster: bad names, URLs, timeout, two credentials" 1 \
    "=$P: @CONF@:5: cluster name \"c.1\": 1-63 letters, digits, '_' or '-'
=$P: @CONF@:6: node name \"a b\": 1-63 letters, digits, '_' or '-'
=$P: @CONF@:7: nats server \"http://x\": the URL starts with nats:// or tls://
=$P: @CONF@:8: nats server \"nats://u:p@h\": host and port only (the credentials have their own lines)
=$P: @CONF@:9: nats server \"nats://h:0\": bad port
=$P: @CONF@:10: nats server \"nats://[::1\": no ']'
=$P: @CONF@:12: a second NATS credential in the cluster block
=$P: @CONF@:13: cluster timeout 99 is out of range (1-60 seconds)
=$P: @CONF@:14: cluster block without a node name
=$P: @CONF@:14: cluster block without a nats server" '
listen on 127.0.0.1 port 8080
@BASE@
cluster "c.1" {
	node "a b"
	nats "http://x"
	nats "nats://u:p@h"
	nats "nats://h:0"
	nats "nats://[::1"
	token "t"
	user "u" password "p"
	timeout 99
}'

row "cluster: a second block" 1 \
    "~@CONF@:9: a second cluster block (the first is at @CONF@:5)" '
listen on 127.0.0.1 port 8080
@BASE@
cluster "a" {
	node "a"
	nats "nats://127.0.0.1"
}
cluster "b" {
	node "b"
	nats "nats://127.0.0.1"
}'

row "cluster: a host that does not resolve" 1 \
    "~@CONF@:7: nats server no-such-host.invalid:" '
listen on 127.0.0.1 port 8080
@BASE@
cluster "c" {
	node "a"
	nats "nats://no-such-host.invalid:4222"
}'

row "cluster: an nkey file open to others" 1 \
    "=$P: @CONF@:7: @TMP@/nats-open.nk is accessible by others (chmod o-rw)" '
listen on 127.0.0.1 port 8080
@BASE@
cluster "c" {
	node "a"
	nkey "@TMP@/nats-open.nk"
	nats "nats://127.0.0.1"
}'

row "cluster: an nkey file that holds no seed" 1 \
    "=$P: @CONF@:7: @TMP@/bad.nk is not a NATS user seed (\"SU...\")" '
listen on 127.0.0.1 port 8080
@BASE@
cluster "c" {
	node "a"
	nkey "@TMP@/bad.nk"
	nats "nats://127.0.0.1"
}'

row "cluster: a CA file that is not there" 1 \
    "~@CONF@:7: @TMP@/no-ca.pem: No such file or directory" '
listen on 127.0.0.1 port 8080
@BASE@
cluster "c" {
	node "a"
	tls ca "@TMP@/no-ca.pem"
	nats "tls://127.0.0.1"
}'

row "cluster: tls and plain servers mixed, with no CA" 1 \
    "~nats server nats://127.0.0.1:4223 is not tls:// in a cluster that uses TLS" '
listen on 127.0.0.1 port 8080
@BASE@
cluster "c" {
	node "a"
	nats "tls://127.0.0.1:4222"
	nats "nats://127.0.0.1:4223"
}'

row "chroot not owned by root" 1 \
    "=$P: @CONF@: chroot @TMP@/notroot is not owned by root" '
listen on 127.0.0.1 port 8080
@BASE@
chroot "@TMP@/notroot"'

row "chroot writable by others" 1 \
    "=$P: @CONF@: chroot @TMP@/writable is writable by group or others" '
listen on 127.0.0.1 port 8080
@BASE@
chroot "@TMP@/writable"'

row "chroot not absolute" 1 \
    "=$P: @CONF@: chroot \"var/empty\" is not an absolute path" '
listen on 127.0.0.1 port 8080
@BASE@
chroot "var/empty"'

# --- the file itself ---------------------------------------------------

n=$((n + 1))
timeout 20 "$relayd" -n -f "$tmp/nosuch.conf" >"$out" 2>&1 </dev/null
rc=$?
if [ "$rc" = 1 ] &&
    grep -Fxq "$P: $tmp/nosuch.conf: No such file or directory" "$out"; then
	echo "ok - $n missing configuration file"
else
	echo "not ok - $n missing configuration file: exit $rc"
	sed 's/^/# out:  /' "$out"
fi

n=$((n + 1))
printf 'listen on 127.0.0.1 port 8080\nkey "%s"\nuser "nobody"\nchroot "%s"\n' \
    "$tmp/server.key" "$tmp/empty" >"$conf"
chmod 0644 "$conf"
timeout 20 "$relayd" -n -f "$conf" >"$out" 2>&1 </dev/null
rc1=$?
chmod 0606 "$conf"
timeout 20 "$relayd" -n -f "$conf" >>"$out" 2>&1 </dev/null
rc2=$?
if [ "$rc1" = 0 ] && [ "$rc2" = 1 ] &&
    grep -Fxq "$P: $conf: writable by group or others" "$out"; then
	echo "ok - $n configuration file mode 0644 fine, 0606 refused"
else
	echo "not ok - $n configuration file mode: exit $rc1 and $rc2"
	sed 's/^/# out:  /' "$out"
fi

n=$((n + 1))
cp "$top/etc/relayd.conf" "$conf"
printf 'key "%s"\nuser "nobody"\nchroot "%s"\n' "$tmp/server.key" \
    "$tmp/empty" >>"$conf"
chmod 0600 "$conf"
timeout 20 "$relayd" -n -f "$conf" >"$out" 2>&1 </dev/null
rc=$?
if [ "$rc" = 0 ] && grep -q 'configuration OK' "$out"; then
	echo "ok - $n etc/relayd.conf parses"
else
	echo "not ok - $n etc/relayd.conf: exit $rc"
	sed 's/^/# out:  /' "$out"
fi
exit 0
