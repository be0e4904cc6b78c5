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

# Tests of relayd, the parent and the relay process: the unit tests of
# its modules (built with ASan and UBSan).  The t_* scripts beside them
# start the real daemon; the fuzz targets of its parsers are in
# regress/fuzz/fuzz.mk.

# relayd.conf: the parser and checks.  relayd/parse.c is made from
# relayd/parse.y by the rule in the Makefile.
UNIT_TESTS += relayd/config
relayd/config_SRCS = regress/relayd/test_config.c relayd/parse.c \
	relayd/config.c relayd/certs.c relayd/clusterconf.c relayd/proxy.c common/log.c

# The sws/1 message codecs (JSON and msgpack), one test per subject with
# the helpers of test_codec.h: the JSON decoder, the msgpack decoder, the
# encoders, the entry points the relay calls.  msgpack-c packs and reads
# back the tests' messages; the relay itself does not link it.
CODEC_SRCS = relayd/codec.c relayd/codec_json.c relayd/codec_msgpack.c \
	relayd/mpread.c relayd/json.c relayd/keysort.c common/b64.c common/utf8.c
UNIT_TESTS += relayd/codec_json relayd/codec_msgpack relayd/codec_enc \
	relayd/codec_frame
relayd/codec_json_PKGS = msgpack
relayd/codec_msgpack_PKGS = msgpack
relayd/codec_enc_PKGS = msgpack
relayd/codec_frame_PKGS = msgpack
relayd/codec_json_SRCS = regress/relayd/test_codec_json.c $(CODEC_SRCS)
relayd/codec_msgpack_SRCS = regress/relayd/test_codec_msgpack.c $(CODEC_SRCS)
relayd/codec_enc_SRCS = regress/relayd/test_codec_enc.c $(CODEC_SRCS)
relayd/codec_frame_SRCS = regress/relayd/test_codec_frame.c $(CODEC_SRCS)

# relayd/json.c, the strict JSON reader of the sws.v1.json decoder.
UNIT_TESTS += relayd/json
relayd/json_SRCS = regress/relayd/test_json.c relayd/json.c relayd/keysort.c \
	common/utf8.c

# The HTTP upgrade.
UNIT_TESTS += relayd/http
relayd/http_SRCS = regress/relayd/test_http.c relayd/http.c common/ws.c \
	common/utf8.c

# The token bucket at the extremes of the grammar, and the count of
# connections per address.
UNIT_TESTS += relayd/limit
relayd/limit_SRCS = regress/relayd/test_limit.c relayd/limit.c relayd/khash.c \
	relayd/proxy.c \
	common/log.c

# The timer lists' comparison on the 32-bit clock.
UNIT_TESTS += relayd/clock
relayd/clock_SRCS = regress/relayd/test_clock.c relayd/clock.c

# relayd/proxy.c: the PROXY protocol header cut at every byte and each
# malformation, the trusted networks, X-Forwarded-For and Forwarded.
UNIT_TESTS += relayd/proxy
relayd/proxy_SRCS = regress/relayd/test_proxy.c relayd/proxy.c

# regress/relayd/bench_codec.c, the codecs' micro-benchmark, is built by
# hand (see its first comment); no test runs it.
