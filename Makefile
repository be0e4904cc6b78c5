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

# sws: GNU make, pkg-config, no autotools.
#
#   make            build relayd/relayd and cryptod/cryptod (and tools)
#   make run        build, then run the relay in the foreground on loopback
#   make test       build and run every test (regress/run)
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS
#   make bench      run the standard benchmark set
#   make install    install under DESTDIR$(PREFIX) (README.md, "Installing")
#   make uninstall  remove what make install put there
#   make deb        the Debian packages, in $(OBJ)/deb/ (README.md, "Debian packages")
#   make clean

# The release, in one place: the file VERSION.  Compiled in as SWS_VERSION
# (relayd -V, sws -V, relayctl -V); package.json says the same
# (regress/daemon/t_version.sh).
VERSION	:= $(shell cat VERSION)

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
BINDIR	?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/sws
EXAMPLEDIR ?= $(PREFIX)/share/examples/relayd
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSCONFDIR ?= /etc
DESTDIR	?=

CC	?= cc
YACC	= byacc
OBJ	= obj

# Recursive (=) so that pkg-config runs after scripts/deps.sh.
PKGS_RELAYD = libevent libsodium libbsd-overlay libmd libseccomp jansson \
	  libtls openssl libsystemd
PKGS_CRYPTOD = libsodium libbsd-overlay libseccomp
pkgcflags = $(shell pkg-config --cflags $(1))
pkglibs = $(shell pkg-config --libs $(1))

WARN	= -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	  -Wpointer-arith -Wcast-qual -Wsign-compare -Werror
HARDEN	= -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
OPT	?= -O2 -g
CPPFLAGS_SWS = -D_GNU_SOURCE -I. -Icommon -Irelayd -Icryptod \
	  -DSWS_SBINDIR='"$(SBINDIR)"' -DSWS_LIBEXECDIR='"$(LIBEXECDIR)"' \
	  -DSWS_SYSCONFDIR='"$(SYSCONFDIR)"' -DSWS_VERSION='"$(VERSION)"'
CFLAGS_SWS = -std=gnu11 $(OPT) $(WARN) $(HARDEN) $(CPPFLAGS_SWS)
LDFLAGS_SWS = -pie -Wl,-z,relro,-z,now

# Sanitizer builds: unit tests, and a daemon whose seccomp filter logs.
SAN	= -fsanitize=address,undefined -fno-omit-frame-pointer \
	  -fno-sanitize-recover=undefined
CFLAGS_SAN = -std=gnu11 -O1 -g $(WARN) $(CPPFLAGS_SWS) $(SAN)

# libFuzzer (clang).
FUZZCC	= clang
CFLAGS_FUZZ = -std=gnu11 -O1 -g $(CPPFLAGS_SWS) -DFUZZING \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SECONDS ?= 60

COMMON_SRCS = common/log.c common/imsg.c common/dispatch.c common/proc.c \
	  common/sandbox.c common/b64.c common/keyfile.c
CRYPTOD_SRCS = cryptod/cryptod.c cryptod/reg.c $(COMMON_SRCS)
# The relay process below relay.c, by layer (docs/ARCHITECTURE.md).
RELAY_MODULES = relayd/relay_ctl.c relayd/conn.c relayd/http.c relayd/session.c relayd/tlsctx.c \
	  relayd/router.c relayd/outq.c relayd/clock.c relayd/limit.c \
	  relayd/khash.c relayd/codec.c relayd/codec_json.c \
	  relayd/codec_msgpack.c relayd/mpread.c relayd/json.c relayd/keysort.c \
	  relayd/proxy.c relayd/metrics.c relayd/admin.c \
	  relayd/cluster.c relayd/cwire.c
RELAYD_SRCS = relayd/relayd.c relayd/control.c relayd/parse.c relayd/config.c relayd/certs.c \
	  relayd/clusterconf.c relayd/relay.c $(RELAY_MODULES) common/ws.c common/utf8.c \
	  $(COMMON_SRCS)

# Parts added later (clients, tools, tests) describe themselves in
# fragments that append to these lists.
UNIT_TESTS =
FUZZ_TARGETS =
PROGRAMS = relayd/relayd cryptod/cryptod
MANPAGES = man/relayd.8 man/cryptod.8 man/relayd.conf.5
# make install: what goes to SBINDIR, LIBEXECDIR and BINDIR (README.md,
# "Installing"); MANPAGES are the installed pages.
INSTALL_SBIN = relayd/relayd
INSTALL_LIBEXEC = cryptod/cryptod
INSTALL_BIN =

.DEFAULT_GOAL := all
-include $(wildcard regress/*/*.mk) $(wildcard */build.mk)

.PHONY: all deps run test fuzz bench install uninstall deb clean unit lint-man
all: $(OBJ)/.deps $(PROGRAMS)

$(OBJ)/.deps: scripts/deps.sh
	@mkdir -p $(OBJ)
	@sh scripts/deps.sh
	@touch $@

relayd/parse.c: relayd/parse.y | $(OBJ)/.deps
	$(YACC) -o $@ $<

# What is compiled in (the version, the installed paths), in a file that
# changes only when they do: every object depends on it, so that
# "make install PREFIX=/opt/sws" after a plain "make" rebuilds with the
# paths it installs to.
SETTINGS = VERSION=$(VERSION) SBINDIR=$(SBINDIR) LIBEXECDIR=$(LIBEXECDIR) \
	  SYSCONFDIR=$(SYSCONFDIR)
$(OBJ)/settings: FORCE
	@mkdir -p $(OBJ)
	@[ "$$(cat $@ 2>/dev/null)" = '$(SETTINGS)' ] || echo '$(SETTINGS)' >$@
.PHONY: FORCE
FORCE:

# objects of the normal build
$(OBJ)/%.o: %.c $(OBJ)/settings | $(OBJ)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_SWS) $(call pkgcflags,$(PKGS_RELAYD)) -MMD -MP -c -o $@ $<

# cryptod is built from its own sources only, with no libevent or msgpack
# on its include path.
$(OBJ)/cryptod-bin/%.o: %.c $(OBJ)/settings | $(OBJ)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $< (cryptod)"
	@$(CC) $(CFLAGS_SWS) $(call pkgcflags,$(PKGS_CRYPTOD)) -MMD -MP -c -o $@ $<

cryptod/cryptod: $(CRYPTOD_SRCS:%.c=$(OBJ)/cryptod-bin/%.o)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_SWS) -o $@ $^ $(call pkglibs,$(PKGS_CRYPTOD))

relayd/relayd: $(RELAYD_SRCS:%.c=$(OBJ)/%.o)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_SWS) -o $@ $^ $(call pkglibs,$(PKGS_RELAYD))

# The sanitizer daemon: same sources, ASan/UBSan, seccomp in log mode.
$(OBJ)/san/%.o: %.c $(OBJ)/settings | $(OBJ)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $< (sanitizers)"
	@$(CC) $(CFLAGS_SAN) -DSANDBOX_LOGONLY $(call pkgcflags,$(PKGS_RELAYD)) -MMD -MP -c -o $@ $<
$(OBJ)/san/relayd/relayd: $(RELAYD_SRCS:%.c=$(OBJ)/san/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(call pkglibs,$(PKGS_RELAYD))
$(OBJ)/san/cryptod/cryptod: $(CRYPTOD_SRCS:%.c=$(OBJ)/san/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(call pkglibs,$(PKGS_CRYPTOD))
san: $(OBJ)/san/relayd/relayd $(OBJ)/san/cryptod/cryptod


# Unit tests: UNIT_TESTS += part/name; part/name_SRCS = sources (test and
# code), part being the folder of regress/ the test is in; part/name_PKGS,
# packages it links beside PKGS_RELAYD.  Each is built
# with ASan and UBSan as $(OBJ)/unit/part/name, from objects in
# $(OBJ)/unit-o/ that the tests share (each source is compiled once).
$(OBJ)/unit-o/%.o: %.c $(OBJ)/settings | $(OBJ)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC      $< (unit, sanitizers)"
	@$(CC) $(CFLAGS_SAN) -Wno-missing-prototypes $(call pkgcflags,$(PKGS_RELAYD)) -MMD -MP -c -o $@ $<
define unit_rule
$(OBJ)/unit/$(1): $$($(1)_SRCS:%.c=$(OBJ)/unit-o/%.o)
	@[ -d $$(@D) ] || { rm -f $$(@D); mkdir -p $$(@D); }
	@echo "  LD      $$@ (sanitizers)"
	@$$(CC) $$(SAN) -o $$@ $$^ $$(call pkglibs,$$(PKGS_RELAYD) $$($(1)_PKGS))
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# Fuzz targets: FUZZ_TARGETS += name; fuzz_name_SRCS = sources;
# fuzz_name_PKGS, packages beside PKGS_RELAYD; the seed corpus is regress/fuzz/corpus/name/.
define fuzz_rule
$(OBJ)/fuzz/$(1): $$(fuzz_$(1)_SRCS) | $(OBJ)/.deps
	@mkdir -p $(OBJ)/fuzz
	@echo "  FUZZ    $$@"
	@$$(FUZZCC) $$(CFLAGS_FUZZ) $$(call pkgcflags,$$(PKGS_RELAYD) $$(fuzz_$(1)_PKGS)) -o $$@ $$(fuzz_$(1)_SRCS) $$(call pkglibs,$$(PKGS_RELAYD) $$(fuzz_$(1)_PKGS))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

# regress/run runs whatever is in $(OBJ)/unit/: remove the tests no
# fragment lists any more (renamed or split; above, a test of the old
# flat layout whose name is now a part's folder).
unit: $(UNIT_TESTS:%=$(OBJ)/unit/%)
	@find $(OBJ)/unit -type f $(foreach t,$(UNIT_TESTS),! -path $(OBJ)/unit/$(t)) -delete
fuzz-build: $(FUZZ_TARGETS:%=$(OBJ)/fuzz/%)

test: all unit fuzz-build san
	@sh scripts/deps.sh test
	@sh scripts/setup-user.sh
	@sh regress/run

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(OBJ)/fuzz/corpus-$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
		$(OBJ)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) \
		    -print_final_stats=1 $(OBJ)/fuzz/corpus-$$t \
		    regress/fuzz/corpus/$$t || exit 1; \
	done

run: all
	@sh scripts/run.sh

lint-man:
	mandoc -T lint -W warning $(MANPAGES)

# Files made with the installed paths written in: the unit, and the
# example configuration (its key under SYSCONFDIR).
$(OBJ)/etc/relayd.service: etc/relayd.service.in $(OBJ)/settings
	@mkdir -p $(dir $@)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    etc/relayd.service.in >$@.tmp && mv $@.tmp $@
$(OBJ)/etc/relayd.conf: etc/relayd.conf $(OBJ)/settings
	@mkdir -p $(dir $@)
	sed -e 's|/etc/relayd|$(SYSCONFDIR)/relayd|g' etc/relayd.conf >$@.tmp && \
	    mv $@.tmp $@
all: $(OBJ)/etc/relayd.service $(OBJ)/etc/relayd.conf

# relayd.conf goes to SYSCONFDIR only when none is there; the example is
# always in EXAMPLEDIR.  Without DESTDIR, as root, setup-user.sh makes the
# user _relayd and /var/empty now (the sysusers.d and tmpfiles.d entries
# do it at boot); with DESTDIR, the package's own scripts do.
DIRS_INSTALL = $(SBINDIR) $(LIBEXECDIR) $(MANDIR)/man1 $(MANDIR)/man3 \
	  $(MANDIR)/man5 \
	  $(MANDIR)/man8 $(DOCDIR) $(EXAMPLEDIR) $(SYSTEMDUNITDIR) \
	  $(SYSUSERSDIR) $(TMPFILESDIR) $(SYSCONFDIR) \
	  $(if $(INSTALL_BIN),$(BINDIR))
install: all $(INSTALL_EXTRA)
	install -d $(addprefix $(DESTDIR),$(DIRS_INSTALL))
	install -m 0555 $(INSTALL_SBIN) $(DESTDIR)$(SBINDIR)/
	install -m 0555 $(INSTALL_LIBEXEC) $(DESTDIR)$(LIBEXECDIR)/
	$(if $(INSTALL_BIN),install -m 0555 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/)
	for m in $(MANPAGES); do \
		install -m 0444 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; \
	done
	install -m 0444 LICENSE NEWS.md README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(OBJ)/etc/relayd.service $(DESTDIR)$(SYSTEMDUNITDIR)/relayd.service
	install -m 0644 etc/relayd.sysusers $(DESTDIR)$(SYSUSERSDIR)/relayd.conf
	install -m 0644 etc/relayd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/relayd.conf
	install -m 0644 $(OBJ)/etc/relayd.conf $(DESTDIR)$(EXAMPLEDIR)/relayd.conf
	install -d -m 0700 $(DESTDIR)$(SYSCONFDIR)/relayd
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/relayd.conf ]; then \
		echo "$(DESTDIR)$(SYSCONFDIR)/relayd.conf is there: kept"; \
	else \
		echo "install -m 0644 $(OBJ)/etc/relayd.conf $(DESTDIR)$(SYSCONFDIR)/relayd.conf"; \
		install -m 0644 $(OBJ)/etc/relayd.conf $(DESTDIR)$(SYSCONFDIR)/relayd.conf; \
	fi
	$(if $(DESTDIR),,sh scripts/setup-user.sh)

# The reverse: every file install put, and the directories that are the
# package's own when empty.  relayd.conf is removed only when it is the
# example unchanged; $(SYSCONFDIR)/relayd is removed only when empty (a
# server key stays); the user _relayd and /var/empty stay.
uninstall: $(UNINSTALL_EXTRA)
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(INSTALL_SBIN))) \
	    $(addprefix $(DESTDIR)$(LIBEXECDIR)/,$(notdir $(INSTALL_LIBEXEC))) \
	    $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(INSTALL_BIN))) \
	    $(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/relayd.service \
	    $(DESTDIR)$(SYSUSERSDIR)/relayd.conf \
	    $(DESTDIR)$(TMPFILESDIR)/relayd.conf \
	    $(addprefix $(DESTDIR)$(DOCDIR)/,LICENSE NEWS.md README.md)
	@c=$(DESTDIR)$(SYSCONFDIR)/relayd.conf; \
	if [ -f $$c ] && cmp -s $$c $(DESTDIR)$(EXAMPLEDIR)/relayd.conf; then \
		echo "rm -f $$c"; rm -f $$c; \
	elif [ -e $$c ]; then \
		echo "$$c differs from the example: kept"; \
	fi
	rm -f $(DESTDIR)$(EXAMPLEDIR)/relayd.conf
	@for d in $(DESTDIR)$(EXAMPLEDIR) $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/relayd; do \
		[ ! -d $$d ] || rmdir $$d 2>/dev/null || echo "$$d not empty: kept"; \
	done

# The Debian packages of debian/: dpkg-buildpackage in a copy of the
# tree, $(OBJ)/deb/sws-$(VERSION)/ (so that the build's debian/tmp and
# friends stay out of this one); the .deb, .buildinfo and .changes files
# land in $(OBJ)/deb/.  DEBBUILDFLAGS: e.g. "-b -us -uc -j2", and
# DEB_BUILD_OPTIONS=nocheck in the environment skips the unit tests.
DEBBUILDFLAGS ?= -b -us -uc
deb:
	rm -rf $(OBJ)/deb
	mkdir -p $(OBJ)/deb/sws-$(VERSION)
	tar -c --exclude=./$(OBJ) --exclude=./node_modules --exclude=./.git \
	    --exclude='*.o' . | tar -C $(OBJ)/deb/sws-$(VERSION) -x
	cd $(OBJ)/deb/sws-$(VERSION) && dpkg-buildpackage $(DEBBUILDFLAGS)

clean:
	rm -rf $(OBJ) $(PROGRAMS) relayd/parse.c $(CLEAN_EXTRA)

# (not the tree of make deb, whose sysusers.d and tmpfiles.d are no
# dependency files)
-include $(shell find $(OBJ) -path $(OBJ)/deb -prune -o -type f -name '*.d' -print 2>/dev/null)
