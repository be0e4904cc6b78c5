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

# Every libFuzzer target: FUZZ_TARGETS += name; fuzz_name_SRCS = sources;
# the seed corpus is regress/fuzz/corpus/name/.  t_fuzz_smoke.sh runs each
# for a few seconds in `make test`; `make fuzz` for FUZZ_SECONDS.

# The wire parsers: WebSocket framing, HTTP upgrade, the UTF-8 DFA (held
# to the reference decoder of regress/lib/utf8_ref.h).
FUZZ_TARGETS += ws http utf8
fuzz_ws_SRCS = regress/fuzz/fuzz_ws.c common/ws.c common/utf8.c
fuzz_http_SRCS = regress/fuzz/fuzz_http.c relayd/http.c common/ws.c common/utf8.c
fuzz_utf8_SRCS = regress/fuzz/fuzz_utf8.c common/utf8.c

# The sws/1 message codecs (JSON and msgpack); msgpack-c reads back what
# they encode.
FUZZ_TARGETS += json msgpack
fuzz_json_SRCS = regress/fuzz/fuzz_json.c relayd/codec.c relayd/codec_json.c \
	relayd/codec_msgpack.c relayd/mpread.c relayd/json.c relayd/keysort.c \
	common/b64.c common/utf8.c
fuzz_json_PKGS = msgpack
fuzz_msgpack_SRCS = regress/fuzz/fuzz_msgpack.c relayd/codec.c \
	relayd/codec_json.c relayd/codec_msgpack.c relayd/mpread.c \
	relayd/json.c relayd/keysort.c common/b64.c common/utf8.c
fuzz_msgpack_PKGS = msgpack

# relayd/json.c, its verdicts and values held to jansson's (the reference
# it replaced).
FUZZ_TARGETS += jsondiff
fuzz_jsondiff_SRCS = regress/fuzz/fuzz_jsondiff.c relayd/json.c \
	relayd/keysort.c common/utf8.c

# relayd/mpread.c, its verdicts, reasons and values held to msgpack-c's
# and to the decoder it replaced (regress/lib/msgpack_ref.h).
FUZZ_TARGETS += msgpackdiff
fuzz_msgpackdiff_SRCS = regress/fuzz/fuzz_msgpackdiff.c relayd/mpread.c \
	relayd/keysort.c
fuzz_msgpackdiff_PKGS = msgpack

# common/b64.c held to libsodium's base64url.
FUZZ_TARGETS += b64diff
fuzz_b64diff_SRCS = regress/fuzz/fuzz_b64diff.c common/b64.c

# relayd.conf.
FUZZ_TARGETS += config
fuzz_config_SRCS = regress/fuzz/fuzz_config.c relayd/parse.c \
	relayd/config.c relayd/certs.c relayd/clusterconf.c relayd/proxy.c common/log.c

# Everything a relay can send to libsws; seeds by regress/client/mkseeds.py.
FUZZ_TARGETS += client
fuzz_client_SRCS = regress/fuzz/fuzz_client.c $(CLIENT_LIB_SRCS)
fuzz_client_PKGS = $(PKGS_CLIENT)

# The hosts file as libsws reads it (client/resolve.c).
FUZZ_TARGETS += hosts
fuzz_hosts_SRCS = regress/fuzz/fuzz_hosts.c $(CLIENT_LIB_SRCS)
fuzz_hosts_PKGS = $(PKGS_CLIENT)

# relayd/proxy.c: the PROXY protocol header read at every length, and the
# client address of X-Forwarded-For and Forwarded with the trusted
# networks.
FUZZ_TARGETS += proxy forwarded
fuzz_proxy_SRCS = regress/fuzz/fuzz_proxy.c relayd/proxy.c
fuzz_forwarded_SRCS = regress/fuzz/fuzz_forwarded.c relayd/proxy.c

# The admin endpoint's request line (relayd/admin.c), with the code it
# links against: the counters it renders and the log it writes to.
FUZZ_TARGETS += admin
fuzz_admin_SRCS = regress/fuzz/fuzz_admin.c relayd/admin.c relayd/metrics.c \
	common/log.c

# The imsg dispatch of each process, fed hostile messages: libFuzzer
# targets that compile the process's own source in (so the harness can
# set its state up and free it around each input).  Seeds are written by
# regress/fuzz/mkseeds_imsg.py.
FUZZ_TARGETS += imsg_cryptod imsg_relay imsg_parent

fuzz_imsg_cryptod_SRCS = regress/fuzz/fuzz_imsg_cryptod.c cryptod/reg.c \
	common/dispatch.c common/imsg.c common/log.c common/keyfile.c \
	common/b64.c common/proc.c common/sandbox.c
fuzz_imsg_relay_SRCS = regress/fuzz/fuzz_imsg_relay.c $(RELAY_MODULES) \
	relayd/config.c relayd/certs.c relayd/clusterconf.c common/ws.c common/utf8.c common/b64.c \
	common/dispatch.c common/imsg.c common/log.c common/proc.c \
	common/sandbox.c
fuzz_imsg_parent_SRCS = regress/fuzz/fuzz_imsg_parent.c relayd/parse.c relayd/control.c \
	relayd/config.c relayd/certs.c relayd/clusterconf.c relayd/relay.c $(RELAY_MODULES) common/ws.c \
	common/utf8.c common/b64.c common/dispatch.c common/imsg.c \
	common/log.c common/proc.c common/sandbox.c common/keyfile.c

# The processes' sources are included, not listed: rebuild when they change.
$(OBJ)/fuzz/imsg_cryptod: cryptod/cryptod.c regress/fuzz/fuzz_imsg.h \
	common/dispatch.h
$(OBJ)/fuzz/imsg_relay: relayd/relay.c relayd/relay.h $(RELAY_MODULES) \
	regress/fuzz/fuzz_imsg.h common/dispatch.h
$(OBJ)/fuzz/imsg_parent: relayd/relayd.c regress/fuzz/fuzz_imsg.h \
	common/dispatch.h

# The records nodes of a cluster send each other (relayd/cwire.c): each
# one read is written again and must give back its bytes.
FUZZ_TARGETS += cwire
fuzz_cwire_SRCS = regress/fuzz/fuzz_cwire.c relayd/cwire.c
