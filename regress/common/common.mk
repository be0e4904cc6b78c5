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

# Tests of common/, what two or more programs share: the UTF-8 DFA and
# RFC 6455 framing, imsg and its dispatch table, base64url and the key
# file, and the seccomp filters.

# RFC 6455 framing: the builders, the violations, good streams (the
# helpers in test_ws.h).
UNIT_TESTS += common/utf8 common/ws_build common/ws_violations \
	common/ws_stream
common/utf8_SRCS = regress/common/test_utf8.c common/utf8.c
common/ws_build_SRCS = regress/common/test_ws_build.c common/ws.c common/utf8.c
common/ws_violations_SRCS = regress/common/test_ws_violations.c common/ws.c \
	common/utf8.c
common/ws_stream_SRCS = regress/common/test_ws_stream.c common/ws.c \
	common/utf8.c

# The imsg layer, and the dispatch table every process reads its
# channels through.
UNIT_TESTS += common/imsg common/dispatch
common/imsg_SRCS = regress/common/test_imsg.c common/imsg.c
common/dispatch_SRCS = regress/common/test_dispatch.c common/dispatch.c \
	common/imsg.c common/log.c

# The process table every executable links.
UNIT_TESTS += common/proc
common/proc_SRCS = regress/common/test_proc.c common/proc.c common/log.c \
	common/sandbox.c

UNIT_TESTS += common/keyfile
common/keyfile_SRCS = regress/common/test_keyfile.c common/keyfile.c \
	common/b64.c

# The sandbox test runs the real filters, so it is built without the
# sanitizers (their runtime makes calls the filters refuse); t_sandbox.sh
# runs it.
all: $(OBJ)/sandbox-test
$(OBJ)/sandbox-test: regress/common/test_sandbox.c \
    regress/common/test_sandbox_args.c regress/common/test_sandbox.h \
    common/sandbox.c common/proc.c common/log.c | $(OBJ)/.deps
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_SWS) -Wno-missing-prototypes $(call pkgcflags,$(PKGS_RELAYD)) -o $@ $(filter %.c,$^) $(call pkglibs,$(PKGS_RELAYD))
