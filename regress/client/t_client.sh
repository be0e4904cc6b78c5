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

# The sws command and libsws against the real daemon, started by
# regress/lib/swstest.py: keys, listen/send between processes (output lines
# checked exactly), relay key pinning, offline, JSON and msgpack clients
# together, chat, rooms, a session replaced by the relay (4001), the error
# line and exit status of every failure, and the room scenario of
# obj/roomtest (libsws directly, built with sanitizers).
#
#	sh regress/client/t_client.sh		run everything (skips with 77
#						when the daemon is not built)
#	sh regress/client/t_client.sh main	one part, under swstest.py run
#	sh regress/client/t_client.sh binding

top=${SWS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 1
PY=/usr/bin/python3
SWS=$top/client/sws

if [ $# = 0 ]; then
	if [ ! -x relayd/relayd ] || [ ! -x cryptod/cryptod ] ||
	    [ ! -f regress/lib/swstest.py ]; then
		exit 77
	fi
	if [ ! -x client/sws ] || [ ! -x obj/roomtest ]; then
		echo "not ok - client/sws and obj/roomtest are built" \
		    "(make client/sws obj/roomtest)"
		exit 1
	fi
	rc=0
	$PY regress/lib/swstest.py run --conf "max sessions per key 1" -- \
	    sh "$0" main || rc=1
	$PY regress/lib/swstest.py run \
	    --conf 'server name "relay.example.org"' -- sh "$0" binding || rc=1
	$PY regress/lib/swstest.py run -- ./obj/roomtest || rc=1
	exit $rc
fi

tmp=$(mktemp -d /tmp/t_client.XXXXXX) || exit 1
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
failed=0

# t DESCRIPTION COMMAND...: one TAP line from the command's status
t() {
	desc=$1
	shift
	if "$@"; then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		failed=1
	fi
}

# te DESCRIPTION 'SHELL EXPRESSION': the same, for && chains
te() {
	desc=$1
	if eval "$2"; then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		failed=1
	fi
}

# wait_line FILE LINE: until FILE has exactly that line (5 s at most)
wait_line() {
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

# wait_exit PID: its exit status, or 124 after 5 s
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill "$1"
		wait "$1"
		return 124
	fi
	wait "$1"
}

# same FILE TEXT: the file holds exactly TEXT
same() {
	printf '%s\n' "$2" | cmp -s - "$1" && return 0
	echo "# $1 is:"
	sed 's/^/#   /' "$1"
	echo "# expected: $2"
	return 1
}

# run NAME ARGS...: sws with ARGS; stdout/stderr in $tmp/NAME.{out,err},
# status in $rc
run() {
	name=$1
	shift
	"$SWS" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
	rc=$?
}

if [ "$1" = binding ]; then
	A=$("$SWS" -k "$tmp/alice" keygen)
	run bind -u "$SWS_URL" -k "$tmp/alice" send "$A" hi
	t "wrong binding: exit 1" [ $rc = 1 ]
	t "wrong binding: the reason on one line" \
	    grep -qx "sws: registration failed: bad-binding.*" "$tmp/bind.err"
	t "wrong binding: nothing else on stderr" \
	    [ "$(wc -l <"$tmp/bind.err")" = 1 ]
	exit $failed
fi

# ---- keys ----
A=$("$SWS" -k "$tmp/alice" keygen)
B=$("$SWS" -k "$tmp/bob" keygen)
C=$("$SWS" -k "$tmp/carol" keygen)
t "keygen prints a 43-character key" [ ${#A} = 43 ]
te "keygen: three different keys" '[ "$A" != "$B" ] && [ "$B" != "$C" ]'
t "key file is mode 600" [ "$(stat -c %a "$tmp/alice")" = 600 ]
t "pubkey prints the key keygen printed" \
    [ "$("$SWS" -k "$tmp/alice" pubkey)" = "$A" ]
run regen -k "$tmp/alice" keygen
t "keygen refuses to overwrite: exit 1" [ $rc = 1 ]
t "keygen refuses to overwrite: one line" \
    same "$tmp/regen.err" "sws: $tmp/alice exists; not overwriting it"
t "the key is unchanged" [ "$("$SWS" -k "$tmp/alice" pubkey)" = "$A" ]
X=$(XDG_CONFIG_HOME=$tmp/xdg "$SWS" keygen)
te "default key under XDG_CONFIG_HOME" '[ -f "$tmp/xdg/sws/key" ] &&
    [ "$(stat -c %a "$tmp/xdg/sws/key")" = 600 ] &&
    [ "$(stat -c %a "$tmp/xdg/sws")" = 700 ]'
t "pubkey reads the default key" \
    [ "$(XDG_CONFIG_HOME=$tmp/xdg "$SWS" pubkey)" = "$X" ]
mkdir "$tmp/home"
X=$(env -u XDG_CONFIG_HOME HOME="$tmp/home" "$SWS" keygen)
te "default key under ~/.config" '[ -f "$tmp/home/.config/sws/key" ] &&
    [ "$(stat -c %a "$tmp/home/.config/sws")" = 700 ] &&
    [ "$(env -u XDG_CONFIG_HOME HOME="$tmp/home" "$SWS" pubkey)" = "$X" ]'
cp "$tmp/alice" "$tmp/loose"
chmod 644 "$tmp/loose"
run loose -k "$tmp/loose" pubkey
te "a key file readable by others is refused" '[ $rc = 1 ] &&
    grep -q "readable or writable by group or others" "$tmp/loose.err"'
run nokey -k "$tmp/none" pubkey
te "a missing key file: exit 1, one line" '[ $rc = 1 ] &&
    same "$tmp/nokey.err" "sws: $tmp/none: no key; make one with sws keygen"'

# ---- listen and send ----
"$SWS" -v -u "$SWS_URL" -k "$tmp/bob" listen >"$tmp/bob.out" \
    2>"$tmp/bob.err" </dev/null &
bob=$!
pids="$pids $bob"
t "bob's listener registers" wait_line "$tmp/bob.err" \
    "sws: registered as $B with relay $SWS_SERVER_KEY"

run s1 -u "$SWS_URL" -k "$tmp/alice" send "$B" hello bob
t "send: exit 0 after the ACK" [ $rc = 0 ]
te "send: nothing on stdout or stderr" '[ ! -s "$tmp/s1.out" ] &&
    [ ! -s "$tmp/s1.err" ]'
t "listen prints 'SENDER-KEY TEXT'" wait_line "$tmp/bob.out" "$A hello bob"

run s2 -u "$SWS_URL" -s "$SWS_SERVER_KEY" -k "$tmp/alice" send "$B" pinned
t "pinned relay key: exit 0" [ $rc = 0 ]
t "pinned relay key: delivered" wait_line "$tmp/bob.out" "$A pinned"

run s3 -u "$SWS_URL" -s "$C" -k "$tmp/alice" send "$B" mismatch
t "relay key mismatch: exit 1" [ $rc = 1 ]
t "relay key mismatch: one line" same "$tmp/s3.err" \
    "sws: relay key mismatch: relay has $SWS_SERVER_KEY, expected $C"

run s4 -u "$SWS_URL" -k "$tmp/alice" send "$C" anyone
t "offline: exit 1" [ $rc = 1 ]
t "offline: one line" same "$tmp/s4.err" "sws: $C is offline"

run s5 -m -u "$SWS_URL" -k "$tmp/alice" send "$B" from msgpack
t "msgpack sender to JSON listener: exit 0" [ $rc = 0 ]
t "msgpack sender to JSON listener: delivered" \
    wait_line "$tmp/bob.out" "$A from msgpack"

run s6 -u "$SWS_URL" -k "$tmp/alice" send "$B" \
    "$(printf 'tab\there\nnew\\line \033[31m')"
t "control characters and backslashes are escaped" \
    wait_line "$tmp/bob.out" "$A "'tab\there\nnew\\line \x1b[31m'

printf 'line one\nline two\r\n\nline three' >"$tmp/chat.in"
"$SWS" -u "$SWS_URL" -k "$tmp/alice" chat "$B" <"$tmp/chat.in" \
    >"$tmp/chat.out" 2>"$tmp/chat.err"
rc=$?
t "chat from a file: exit 0 at the end" [ $rc = 0 ]
t "chat: every line delivered" wait_line "$tmp/bob.out" "$A line three"
grep -x "$A line .*" "$tmp/bob.out" >"$tmp/chat.got"
t "chat: in order, CR stripped, empty line skipped" same "$tmp/chat.got" \
    "$A line one
$A line two
$A line three"
printf 'piped\n' | "$SWS" -u "$SWS_URL" -k "$tmp/alice" chat "$B" \
    >/dev/null 2>&1
t "chat from a pipe: delivered" wait_line "$tmp/bob.out" "$A piped"

# carol listens with msgpack
"$SWS" -m -v -u "$SWS_URL" -k "$tmp/carol" listen >"$tmp/carol.out" \
    2>"$tmp/carol.err" </dev/null &
carol=$!
pids="$pids $carol"
t "carol (msgpack) registers" wait_line "$tmp/carol.err" \
    "sws: registered as $C with relay $SWS_SERVER_KEY"
run s7 -u "$SWS_URL" -k "$tmp/alice" send "$C" to carol
te "JSON sender to msgpack listener" '[ $rc = 0 ] &&
    wait_line "$tmp/carol.out" "$A to carol"'

# ---- rooms; carol's second session replaces her listener (4001) ----
mkfifo "$tmp/fifo"
"$SWS" -v -u "$SWS_URL" -k "$tmp/carol" room "the lobby" <"$tmp/fifo" \
    >"$tmp/room.out" 2>"$tmp/room.err" &
room=$!
pids="$pids $room"
exec 3>"$tmp/fifo"
t "carol joins a room" wait_line "$tmp/room.err" \
    'sws: joined #the\x20lobby with 1 members'
wait_exit "$carol"
rc=$?
t "the replaced listener exits 1" [ $rc = 1 ]
t "the replaced listener says why" grep -qx \
    "sws: closed by relay with code 4001.*" "$tmp/carol.err"
printf 'hi room\n' | "$SWS" -u "$SWS_URL" -k "$tmp/alice" room "the lobby" \
    >"$tmp/aroom.out" 2>"$tmp/aroom.err"
rc=$?
t "room: publish from stdin, exit 0" [ $rc = 0 ]
t "room messages print as '#ROOM SENDER-KEY TEXT'" \
    wait_line "$tmp/room.out" "#the\\x20lobby $A hi room"
echo "from carol" >&3
exec 3>&-
wait_exit "$room"
rc=$?
t "room: exit 0 at the end of input" [ $rc = 0 ]

# ---- failures ----
run f1 -u ws://127.0.0.1:1/ -k "$tmp/alice" send "$B" x
te "unreachable: exit 1, one line" '[ $rc = 1 ] && same "$tmp/f1.err" \
    "sws: cannot connect to 127.0.0.1:1: Connection refused"'
run f2 -u "${SWS_URL}nowhere" -k "$tmp/alice" send "$B" x
te "HTTP refusal: exit 1, the status shown" '[ $rc = 1 ] &&
    grep -qx "sws: relay at .* refused the upgrade: HTTP 404.*" \
    "$tmp/f2.err" && [ "$(wc -l <"$tmp/f2.err")" = 1 ]'
run f3 -u "$SWS_URL" -k "$tmp/alice" send notakey x
te "bad key argument: exit 1, one line" '[ $rc = 1 ] && same "$tmp/f3.err" \
    "sws: bad key \"notakey\": expected 43 characters of base64url"'
run f4 -u http://127.0.0.1/ -k "$tmp/alice" listen
te "http:// refused: exit 1, one line" '[ $rc = 1 ] && same "$tmp/f4.err" \
    "sws: http://127.0.0.1/: not a ws:// or wss:// URL"'
run f5 -u "$SWS_URL" -k "$tmp/alice" frobnicate
t "unknown command: exit 1" [ $rc = 1 ]
run f6
te "no command: exit 1 with usage" '[ $rc = 1 ] &&
    grep -q "^usage:" "$tmp/f6.err"'

# ---- bob stops cleanly, and got exactly what was meant for him ----
kill -TERM "$bob"
wait_exit "$bob"
rc=$?
t "listen: SIGTERM closes cleanly, exit 0" [ $rc = 0 ]
t "listen: exactly the expected lines" same "$tmp/bob.out" \
    "$A hello bob
$A pinned
$A from msgpack
$A "'tab\there\nnew\\line \x1b[31m'"
$A line one
$A line two
$A line three
$A piped"
exit $failed
