# The C client: libsws (client/*.c but sws.c) and the sws command.
# Built with the flags and packages of the relay (see the Makefile).

SWS_LIB_SRCS = client/conn.c client/http.c client/register.c \
	  client/message.c client/room.c client/keys.c client/wire.c \
	  client/e2e.c common/ws.c common/utf8.c common/b64.c
SWS_SRCS = client/sws.c common/keyfile.c $(SWS_LIB_SRCS)

PROGRAMS += client/sws
MANPAGES += man/sws.1
CLEAN_EXTRA += client/sws

client/sws: $(SWS_SRCS:%.c=$(OBJ)/%.o)
	$(CC) $(LDFLAGS_SWS) -o $@ $^ $(call pkglibs,$(PKGS_RELAYD))

INSTALL_TARGETS += install-client
.PHONY: install-client
install-client: client/sws
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0555 client/sws $(DESTDIR)$(BINDIR)/sws
	install -m 0444 man/sws.1 $(DESTDIR)$(MANDIR)/man1/sws.1
