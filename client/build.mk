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
# OpenSSL through libevent's bufferevent_openssl for wss:// (client/tls.c)
# and msgpack-c for sws.v1.msgpack (client/wire.c; the relay has a reader
# of its own): PKGS_CLIENT, which only the client's programs and tests
# link.

PKGS_CLIENT = openssl libevent_openssl msgpack
SWS_LIB_SRCS = client/conn.c client/http.c client/register.c \
	  client/message.c client/room.c client/keys.c client/wire.c \
	  client/e2e.c client/tls.c client/resolve.c common/ws.c common/utf8.c \
	  common/b64.c
SWS_SRCS = client/sws.c common/keyfile.c $(SWS_LIB_SRCS)

$(OBJ)/client/%.o: CFLAGS_SWS += $(call pkgcflags,$(PKGS_CLIENT))
$(OBJ)/unit-o/client/%.o: CFLAGS_SAN += $(call pkgcflags,$(PKGS_CLIENT))

PROGRAMS += client/sws
MANPAGES += man/sws.1 man/sws.3
CLEAN_EXTRA += client/sws

client/sws: $(SWS_SRCS:%.c=$(OBJ)/%.o)
	$(CC) $(LDFLAGS_SWS) -o $@ $^ $(call pkglibs,$(PKGS_RELAYD) $(PKGS_CLIENT))

INSTALL_BIN += client/sws

# libsws as a library: client/libsws.so.$(VERSION) (soname
# libsws.so.$(SWS_ABI), the symlinks libsws.so.$(SWS_ABI) and libsws.so
# beside it) and client/libsws.a, from position-independent objects of
# $(OBJ)/pic/ compiled with -fvisibility=hidden.  Only what sws.h marks
# SWS_EXPORT is visible: the shared library's symbols are those of
# client/libsws.map; libsws.a holds one object (ld -r) whose other
# symbols are made local, so that the ws_, b64_, e2e_, wire_ ... of the
# library cannot clash with a program's.  sws(1) keeps linking the
# objects of $(OBJ)/client/ statically.  client/sws.pc.in becomes sws.pc
# at install time, with the installation's directories in it.
SWS_ABI	= 0
LIBDIR	?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
PKGS_LIB = libevent libevent_openssl libsodium openssl jansson msgpack \
	  libbsd-overlay libmd
SWS_SONAME = libsws.so.$(SWS_ABI)
SWS_SHLIB = client/libsws.so.$(VERSION)
SWS_LIB_OBJS = $(SWS_LIB_SRCS:%.c=$(OBJ)/pic/%.o)
# a directory below PREFIX as sws.pc names it: ${prefix}/..., so that
# pkg-config --define-variable=prefix=... moves the whole installation
pc_dir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

$(OBJ)/pic/%.o: %.c | $(OBJ)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $< (pic)"
	@$(CC) $(CFLAGS_SWS) -fPIC -fvisibility=hidden \
	    $(call pkgcflags,$(PKGS_LIB)) -MMD -MP -c -o $@ $<

$(SWS_SHLIB): $(SWS_LIB_OBJS) client/libsws.map
	@echo "  LD      $@"
	@$(CC) -shared -Wl,-soname,$(SWS_SONAME) \
	    -Wl,--version-script,client/libsws.map -Wl,--no-undefined \
	    -Wl,-z,relro,-z,now -o $@ $(SWS_LIB_OBJS) \
	    $(call pkglibs,$(PKGS_LIB))
	@ln -sf libsws.so.$(VERSION) client/$(SWS_SONAME)
	@ln -sf $(SWS_SONAME) client/libsws.so

client/libsws.a: $(SWS_LIB_OBJS)
	@echo "  AR      $@"
	@$(CC) -r -nostdlib -o $(OBJ)/pic/libsws.o $(SWS_LIB_OBJS)
	@objcopy --localize-hidden $(OBJ)/pic/libsws.o
	@rm -f $@
	@ar rcs $@ $(OBJ)/pic/libsws.o

PROGRAMS += $(SWS_SHLIB) client/libsws.a
CLEAN_EXTRA += client/libsws.so.* client/libsws.so

INSTALL_EXTRA += install-lib
UNINSTALL_EXTRA += uninstall-lib
.PHONY: install-lib uninstall-lib
install-lib: $(SWS_SHLIB) client/libsws.a
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(SWS_SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libsws.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SWS_SONAME)
	ln -sf $(SWS_SONAME) $(DESTDIR)$(LIBDIR)/libsws.so
	install -m 0644 client/libsws.a $(DESTDIR)$(LIBDIR)/libsws.a
	install -m 0444 client/sws.h $(DESTDIR)$(INCLUDEDIR)/sws.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pc_dir,$(LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$(call pc_dir,$(INCLUDEDIR))|' \
	    -e 's|@VERSION@|$(VERSION)|' client/sws.pc.in >$(OBJ)/sws.pc
	install -m 0444 $(OBJ)/sws.pc $(DESTDIR)$(PKGCONFIGDIR)/sws.pc

uninstall-lib:
	rm -f $(DESTDIR)$(LIBDIR)/libsws.so.$(VERSION) \
	    $(DESTDIR)$(LIBDIR)/$(SWS_SONAME) $(DESTDIR)$(LIBDIR)/libsws.so \
	    $(DESTDIR)$(LIBDIR)/libsws.a $(DESTDIR)$(INCLUDEDIR)/sws.h \
	    $(DESTDIR)$(PKGCONFIGDIR)/sws.pc
