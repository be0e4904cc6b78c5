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

# The C client: libsws (client/*.c but sws.c) and the sws command.
# Built with the flags and packages of the relay (see the Makefile), and
# OpenSSL through libevent's bufferevent_openssl for wss:// (client/tls.c):
# PKGS_CLIENT, which only the client's programs and tests link.

PKGS_CLIENT = openssl libevent_openssl
SWS_LIB_SRCS = client/conn.c client/http.c client/register.c \
	  client/message.c client/room.c client/keys.c client/wire.c \
	  client/e2e.c client/tls.c common/ws.c common/utf8.c common/b64.c
SWS_SRCS = client/sws.c common/keyfile.c $(SWS_LIB_SRCS)

$(OBJ)/client/%.o: CFLAGS_SWS += $(call pkgcflags,$(PKGS_CLIENT))
$(OBJ)/unit-o/client/%.o: CFLAGS_SAN += $(call pkgcflags,$(PKGS_CLIENT))

PROGRAMS += client/sws
MANPAGES += man/sws.1
CLEAN_EXTRA += client/sws

client/sws: $(SWS_SRCS:%.c=$(OBJ)/%.o)
	$(CC) $(LDFLAGS_SWS) -o $@ $^ $(call pkglibs,$(PKGS_RELAYD) $(PKGS_CLIENT))

INSTALL_BIN += client/sws
