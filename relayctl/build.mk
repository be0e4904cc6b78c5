# relayctl(8): the control socket's client.  The imsg framing and
# base64url of common/, and nothing else.

RELAYCTL_SRCS = relayctl/relayctl.c common/imsg.c common/b64.c

PROGRAMS += relayctl/relayctl
MANPAGES += man/relayctl.8

$(OBJ)/relayctl-bin/%.o: %.c | $(OBJ)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $< (relayctl)"
	@$(CC) $(CFLAGS_SWS) $(call pkgcflags,libbsd-overlay) -MMD -MP -c -o $@ $<

relayctl/relayctl: $(RELAYCTL_SRCS:%.c=$(OBJ)/relayctl-bin/%.o)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_SWS) -o $@ $^ $(call pkglibs,libbsd-overlay)

INSTALL_TARGETS += install-relayctl
.PHONY: install-relayctl
install-relayctl: relayctl/relayctl
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0555 relayctl/relayctl $(DESTDIR)$(SBINDIR)/relayctl
	install -m 0444 man/relayctl.8 $(DESTDIR)$(MANDIR)/man8/relayctl.8
