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

# relayd-ca, "relayd: ca": the TLS private keys.  Built from its own
# sources only, like cryptod, and linked with libcrypto alone: no
# libevent, libsodium or libssl on its include path.

PKGS_CA = libcrypto libbsd-overlay libseccomp
CA_SRCS = ca/ca.c common/log.c common/imsg.c common/dispatch.c \
	  common/proc.c common/sandbox.c

PROGRAMS += ca/relayd-ca
MANPAGES += man/relayd-ca.8

$(OBJ)/ca-bin/%.o: %.c $(OBJ)/settings | $(OBJ)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $< (ca)"
	@$(CC) $(CFLAGS_SWS) $(call pkgcflags,$(PKGS_CA)) -MMD -MP -c -o $@ $<

ca/relayd-ca: $(CA_SRCS:%.c=$(OBJ)/ca-bin/%.o)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_SWS) -o $@ $^ $(call pkglibs,$(PKGS_CA))

# The sanitizer build, its seccomp filter in log mode (see the Makefile).
$(OBJ)/san-ca/%.o: %.c $(OBJ)/settings | $(OBJ)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $< (ca, sanitizers)"
	@$(CC) $(CFLAGS_SAN) -DSANDBOX_LOGONLY $(call pkgcflags,$(PKGS_CA)) -MMD -MP -c -o $@ $<
$(OBJ)/san/ca/relayd-ca: $(CA_SRCS:%.c=$(OBJ)/san-ca/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(call pkglibs,$(PKGS_CA))
san: $(OBJ)/san/ca/relayd-ca

INSTALL_LIBEXEC += ca/relayd-ca
