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

# The C client (client/): unit tests, and the room test program that
# t_client.sh runs against the real daemon.  Like the unit tests, the room
# test is built with AddressSanitizer and UndefinedBehaviorSanitizer.

CLIENT_LIB_SRCS = client/conn.c client/http.c client/register.c \
	client/message.c client/room.c client/keys.c client/wire.c \
	client/e2e.c client/tls.c client/resolve.c common/ws.c common/utf8.c \
	common/b64.c

# The cryptography against vectors.json; libsws against a scripted relay,
# one test per subject with the helpers of test_client.h.
UNIT_TESTS += client/e2e client/upgrade client/register client/requests \
	client/hostile client/rooms
client/e2e_SRCS = regress/client/test_e2e.c $(CLIENT_LIB_SRCS)
client/upgrade_SRCS = regress/client/test_client_upgrade.c $(CLIENT_LIB_SRCS)
client/register_SRCS = regress/client/test_client_register.c $(CLIENT_LIB_SRCS)
client/requests_SRCS = regress/client/test_client_requests.c $(CLIENT_LIB_SRCS)
client/hostile_SRCS = regress/client/test_client_hostile.c $(CLIENT_LIB_SRCS)
client/rooms_SRCS = regress/client/test_client_rooms.c $(CLIENT_LIB_SRCS)
# libsws links OpenSSL and msgpack-c (PKGS_CLIENT, client/build.mk)
client/e2e_PKGS = $(PKGS_CLIENT)
client/upgrade_PKGS = $(PKGS_CLIENT)
client/register_PKGS = $(PKGS_CLIENT)
client/requests_PKGS = $(PKGS_CLIENT)
client/hostile_PKGS = $(PKGS_CLIENT)
client/rooms_PKGS = $(PKGS_CLIENT)

$(OBJ)/roomtest: regress/client/roomtest.c $(CLIENT_LIB_SRCS) | $(OBJ)/.deps
	@mkdir -p $(OBJ)
	$(CC) $(CFLAGS_SAN) $(call pkgcflags,$(PKGS_RELAYD) $(PKGS_CLIENT)) \
	    -o $@ regress/client/roomtest.c $(CLIENT_LIB_SRCS) \
	    $(call pkglibs,$(PKGS_RELAYD) $(PKGS_CLIENT))

$(OBJ)/reconnecttest: regress/client/reconnecttest.c $(CLIENT_LIB_SRCS) | \
    $(OBJ)/.deps
	@mkdir -p $(OBJ)
	$(CC) $(CFLAGS_SAN) $(call pkgcflags,$(PKGS_RELAYD) $(PKGS_CLIENT)) \
	    -o $@ regress/client/reconnecttest.c $(CLIENT_LIB_SRCS) \
	    $(call pkglibs,$(PKGS_RELAYD) $(PKGS_CLIENT))

test: $(OBJ)/roomtest $(OBJ)/reconnecttest
