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

# relayctl(8): the control socket's client.  The imsg framing and
# base64url of common/, and nothing else.

RELAYCTL_SRCS = relayctl/relayctl.c common/imsg.c common/b64.c

PROGRAMS += relayctl/relayctl
MANPAGES += man/relayctl.8

$(OBJ)/relayctl-bin/%.o: %.c $(OBJ)/settings | $(OBJ)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $< (relayctl)"
	@$(CC) $(CFLAGS_SWS) $(call pkgcflags,libbsd-overlay) -MMD -MP -c -o $@ $<

relayctl/relayctl: $(RELAYCTL_SRCS:%.c=$(OBJ)/relayctl-bin/%.o)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_SWS) -o $@ $^ $(call pkglibs,libbsd-overlay)

INSTALL_SBIN += relayctl/relayctl
