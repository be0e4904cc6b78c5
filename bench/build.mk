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
.PHONY: bench
bench: all $(OBJ)/bench/swsbench $(OBJ)/bench/swsfloor
	@sh bench/run.sh
	@/usr/bin/python3 bench/tls.py | tee $(OBJ)/bench/tls.md

# TLS beside plain alone: handshakes through relayd: ca, idle memory.
.PHONY: bench-tls
bench-tls: all
	@mkdir -p $(OBJ)/bench
	@/usr/bin/python3 bench/tls.py | tee $(OBJ)/bench/tls.md
