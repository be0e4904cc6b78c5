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

# swsbench, the load generator, and "make bench" (bench/run.sh).
# Built with the relay's flags; it links what a client needs only.

SWSBENCH_SRCS = bench/swsbench.c bench/net.c bench/wire.c bench/stats.c \
	  common/ws.c common/utf8.c common/b64.c
PKGS_SWSBENCH = libsodium libbsd-overlay libmd openssl

all: $(OBJ)/bench/swsbench $(OBJ)/bench/swsfloor

$(OBJ)/bench/swsbench: $(SWSBENCH_SRCS:%.c=$(OBJ)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_SWS) -o $@ $^ $(call pkglibs,$(PKGS_SWSBENCH))

# swsfloor, the same open-loop traffic through a forwarder that only
# moves bytes: the kernel's floor under the relay's latency.
$(OBJ)/bench/swsfloor: $(OBJ)/bench/floor.o $(OBJ)/bench/stats.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_SWS) -o $@ $^ $(call pkglibs,$(PKGS_SWSBENCH))

# The standard set against a relay of its own; results in obj/bench/.
# With UWS_PEER (the uWebSockets peer relay's directory) and its sources
# (UWS_SRC, or UWS_GIT and USOCKETS_GIT), every line runs against that
# peer too (bench/peer.sh builds it under obj/peer/); without them its
# lines are skipped and said so. The open-loop sweep is part of the set.
.PHONY: bench bench-peer bench-sweep bench-deps
bench: all bench-deps $(OBJ)/bench/swsbench $(OBJ)/bench/swsfloor
	@sh bench/run.sh
	@/usr/bin/python3 bench/tls.py | tee $(OBJ)/bench/tls.md

# gnuplot, g++, git: without them the plot or the peer is left out, the
# rest runs
bench-deps:
	-@sh scripts/deps.sh bench

# relayd and the peer, line by line (the lines that have both)
bench-peer: all bench-deps $(OBJ)/bench/swsbench
	@sh bench/run.sh uws

# the open-loop sweep alone: table in results.md, plot in sweep.svg
bench-sweep: all bench-deps $(OBJ)/bench/swsbench $(OBJ)/bench/swsfloor
	@sh bench/run.sh sweep

# TLS beside plain alone: handshakes through relayd: ca, idle memory.
.PHONY: bench-tls
bench-tls: all
	@mkdir -p $(OBJ)/bench
	@/usr/bin/python3 bench/tls.py | tee $(OBJ)/bench/tls.md
