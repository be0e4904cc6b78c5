/*
 * Copyright (c) 2026 The sws authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * Unit tests of the relayd.conf parser and checks: parse_config() on
 * files written to a temporary directory, with the resulting structure
 * and the exact error lines checked.  Runs under ASan and UBSan.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "config.h"
#include "regress/lib/tap.h"

/* Short, so that every name built from tmpdir fits without truncation. */
static char	 tmpdir[64];
static char	 conffile[128];
static char	 keyfile[128];
static char	 errfile[128];
static char	 errbuf[16384];	/* what the last parse logged */

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*fp;

	(void)unlink(path);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	if (fputs(text, fp) == EOF || fclose(fp) == EOF) {
		perror(path);
		exit(1);
	}
	if (chmod(path, mode) == -1) {
		perror(path);
		exit(1);
	}
}

/*
 * Parse text as a configuration file; what is logged (stderr) is caught
 * in errbuf.  "@KEY@" in text stands for the temporary key file.
 */
static struct relayd_conf *
parse_file(const char *path, int flags)
{
	struct relayd_conf	*conf;
	ssize_t			 n;
	int			 fd, saved;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(errfile, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (saved == -1 || fd == -1 || dup2(fd, STDERR_FILENO) == -1) {
		perror("redirect");
		exit(1);
	}
	conf = parse_config(path, flags);
	(void)dup2(saved, STDERR_FILENO);
	(void)close(saved);
	(void)lseek(fd, 0, SEEK_SET);
	n = read(fd, errbuf, sizeof(errbuf) - 1);
	errbuf[n > 0 ? n : 0] = '\0';
	(void)close(fd);
	return conf;
}

static struct relayd_conf *
parse_text(const char *text, int flags)
{
	char			 buf[8192];
	const char		*at;
	size_t			 len = 0;

	while ((at = strstr(text, "@KEY@")) != NULL) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%.*s%s",
		    (int)(at - text), text, keyfile);
		text = at + 5;
	}
	(void)snprintf(buf + len, sizeof(buf) - len, "%s", text);
	write_file(conffile, buf, 0600);
	return parse_file(conffile, flags);
}

/* Did the last parse log exactly this line ("test: " + msg)? */
static int
logged(const char *msg)
{
	char		 line[2048];
	const char	*p, *nl;
	size_t		 len;

	(void)snprintf(line, sizeof(line), "test: %s", msg);
	for (p = errbuf; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			return 0;
		len = (size_t)(nl - p);
		if (len == strlen(line) && strncmp(p, line, len) == 0)
			return 1;
	}
	return 0;
}

static int
nlines(void)
{
	const char	*p;
	int		 n = 0;

	for (p = errbuf; *p != '\0'; p++)
		if (*p == '\n')
			n++;
	return n;
}

/* Expect the text to fail with one given line among the errors. */
static void
expect_error(const char *text, const char *fmt, ...)
    __attribute__((__format__ (printf, 2, 3)));
static void
expect_error(const char *text, const char *fmt, ...)
{
	struct relayd_conf	*conf;
	char			 msg[1024];
	va_list			 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf = parse_text(text, 0);
	ok(conf == NULL && logged(msg), "error \"%s\"", msg);
	if (conf != NULL || !logged(msg))
		fprintf(stdout, "# logged:\n%s", errbuf);
	conf_free(conf);
}

static const char *base =
    "listen on 127.0.0.1 port 8080\n"
    "key \"@KEY@\"\n"
    "user \"root\"\n"
    "chroot \"/\"\n";

static char *
with_base(const char *more)
{
	static char	 buf[8192];

	(void)snprintf(buf, sizeof(buf), "%s%s", base, more);
	return buf;
}

static void
test_defaults(void)
{
	struct relayd_conf	*conf;
	struct listen_conf	*lc;
	struct sockaddr_in	*sin;
	char			 a[INET_ADDRSTRLEN];

	conf = parse_text(base, 0);
	ok(conf != NULL, "minimal configuration parses");
	if (conf == NULL) {
		printf("# logged:\n%s", errbuf);
		return;
	}
	ok(errbuf[0] == '\0', "nothing logged for a good file");
	ok(conf->lim.max_conn == 10000, "default max connections");
	ok(conf->lim.max_conn_per_addr == 256, "default per address");
	ok(conf->lim.max_message == 65536, "default max message size");
	ok(conf->lim.max_sessions_per_key == 8, "default sessions per key");
	ok(conf->lim.rate == 1000 && conf->lim.burst == 2000, "default rate");
	ok(conf->lim.send_buffer == 1048576, "default send buffer");
	ok(conf->lim.rooms == 1, "rooms on by default");
	ok(conf->lim.max_rooms == 32, "default max rooms per session");
	ok(conf->lim.max_room_members == 10000, "default max room members");
	ok(conf->lim.handshake_timeout == 10, "default handshake timeout");
	ok(conf->lim.registration_timeout == 10, "default registration "
	    "timeout");
	ok(conf->lim.ping_interval == 30, "default ping interval");
	ok(conf->lim.idle_timeout == 90, "default idle timeout");
	ok(strcmp(conf->lim.path, "/") == 0, "default path");
	ok(conf->lim.echo_path[0] == '\0', "echo off by default");
	ok(strcmp(conf->keyfile, keyfile) == 0, "key file set");
	ok(strcmp(conf->user, "root") == 0, "user set");
	ok(strcmp(conf->chroot, "/") == 0, "chroot set");
	ok(TAILQ_EMPTY(&conf->origins), "no origins by default");
	ok(TAILQ_EMPTY(&conf->server_names), "no server names by default");
	ok(conf_max_body(&conf->lim) == 48768, "maxBody of 64K is %u",
	    conf_max_body(&conf->lim));

	lc = TAILQ_FIRST(&conf->listeners);
	ok(lc != NULL && TAILQ_NEXT(lc, entry) == NULL, "one listener");
	if (lc != NULL) {
		sin = (struct sockaddr_in *)&lc->ss;
		ok(sin->sin_family == AF_INET && lc->sslen == sizeof(*sin),
		    "listener is IPv4");
		ok(ntohs(sin->sin_port) == 8080, "listener port 8080");
		ok(inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) != NULL &&
		    strcmp(a, "127.0.0.1") == 0, "listener address");
		ok(strcmp(lc->name, "127.0.0.1 port 8080") == 0,
		    "listener name \"%s\"", lc->name);
		ok(lc->tls == 0, "listener without tls");
	}
	conf_free(conf);

	/*
	 * The compiled-in key file, user and chroot: each is named in an
	 * error exactly when this system lacks it.
	 */
	conf = parse_text("listen on 127.0.0.1 port 1\n", PARSE_NOCHECK_FILES);
	if (conf != NULL) {
		ok(strcmp(conf->keyfile, DEFAULT_KEYFILE) == 0 &&
		    strcmp(conf->user, DEFAULT_USER) == 0 &&
		    strcmp(conf->chroot, DEFAULT_CHROOT) == 0,
		    "default key file, user and chroot");
	} else {
		struct stat	 st;
		char		 msg[256];

		(void)snprintf(msg, sizeof(msg), "key file %s: ",
		    DEFAULT_KEYFILE);
		ok((stat(DEFAULT_KEYFILE, &st) == 0) ==
		    (strstr(errbuf, msg) == NULL), "default key file %s",
		    DEFAULT_KEYFILE);
		(void)snprintf(msg, sizeof(msg), "unknown user \"%s\"",
		    DEFAULT_USER);
		ok((getpwnam(DEFAULT_USER) != NULL) ==
		    (strstr(errbuf, msg) == NULL), "default user %s",
		    DEFAULT_USER);
		(void)snprintf(msg, sizeof(msg), "chroot %s", DEFAULT_CHROOT);
		ok((stat(DEFAULT_CHROOT, &st) == 0) ==
		    (strstr(errbuf, msg) == NULL), "default chroot %s",
		    DEFAULT_CHROOT);
	}
	conf_free(conf);
}

static void
test_all_set(void)
{
	struct relayd_conf	*conf;
	struct listen_conf	*lc;
	struct sockaddr_in6	*sin6;
	struct conf_str		*cs;
	char			 a[INET6_ADDRSTRLEN];

	conf = parse_text(
	    "# every statement\n"
	    "listen on ::1 port 8443\n"
	    "listen on [2001:db8::1] port 9000   # brackets\n"
	    "listen on * port 7000\n"
	    "path \"/relay\"\n"
	    "echo path \"/echo\"\n"
	    "key \"@KEY@\"\n"
	    "server name \"relay.example.org\"\n"
	    "server name \"[::1]\"\n"
	    "origin \"https://chat.example.org\"\n"
	    "origin \"https://other.example.org\"\n"
	    "user \"root\"\n"
	    "chroot \"/\"\n"
	    "max connections 50000\n"
	    "max connections per address 100\n"
	    "max message size 128K\n"
	    "max sessions per key 3\n"
	    "rate limit 10 per second burst 20\n"
	    "send buffer 2M\n"
	    "rooms off\n"
	    "max rooms per session 5\n"
	    "max room members 6\n"
	    "handshake timeout 7\n"
	    "registration timeout 8\n"
	    "ping interval 9\n"
	    "idle timeout 11\n", 0);
	ok(conf != NULL, "configuration with every statement parses");
	if (conf == NULL) {
		printf("# logged:\n%s", errbuf);
		return;
	}
	ok(conf->lim.max_conn == 50000, "max connections");
	ok(conf->lim.max_conn_per_addr == 100, "per address");
	ok(conf->lim.max_message == 128 * 1024, "max message size 128K");
	ok(conf->lim.max_sessions_per_key == 3, "sessions per key");
	ok(conf->lim.rate == 10 && conf->lim.burst == 20, "rate and burst");
	ok(conf->lim.send_buffer == 2 * 1024 * 1024, "send buffer 2M");
	ok(conf->lim.rooms == 0, "rooms off");
	ok(conf->lim.max_rooms == 5, "max rooms");
	ok(conf->lim.max_room_members == 6, "max room members");
	ok(conf->lim.handshake_timeout == 7, "handshake timeout");
	ok(conf->lim.registration_timeout == 8, "registration timeout");
	ok(conf->lim.ping_interval == 9, "ping interval");
	ok(conf->lim.idle_timeout == 11, "idle timeout");
	ok(strcmp(conf->lim.path, "/relay") == 0, "path");
	ok(strcmp(conf->lim.echo_path, "/echo") == 0, "echo path");
	cs = TAILQ_FIRST(&conf->server_names);
	ok(cs != NULL && strcmp(cs->s, "relay.example.org") == 0 &&
	    (cs = TAILQ_NEXT(cs, entry)) != NULL && strcmp(cs->s, "[::1]") == 0 &&
	    TAILQ_NEXT(cs, entry) == NULL, "two server names in order");
	cs = TAILQ_FIRST(&conf->origins);
	ok(cs != NULL && strcmp(cs->s, "https://chat.example.org") == 0 &&
	    (cs = TAILQ_NEXT(cs, entry)) != NULL &&
	    strcmp(cs->s, "https://other.example.org") == 0 &&
	    TAILQ_NEXT(cs, entry) == NULL, "two origins in order");
	ok(conf_max_body(&conf->lim) == (131072 - 512) * 3 / 4, "maxBody");

	lc = TAILQ_FIRST(&conf->listeners);
	ok(lc != NULL && lc->ss.ss_family == AF_INET6 &&
	    lc->sslen == sizeof(struct sockaddr_in6), "::1 is IPv6");
	if (lc != NULL) {
		sin6 = (struct sockaddr_in6 *)&lc->ss;
		ok(ntohs(sin6->sin6_port) == 8443 &&
		    IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr), "[::1]:8443");
		ok(strcmp(lc->name, "[::1] port 8443") == 0, "name \"%s\"",
		    lc->name);
		lc = TAILQ_NEXT(lc, entry);
	}
	ok(lc != NULL && lc->ss.ss_family == AF_INET6, "bracketed IPv6");
	if (lc != NULL) {
		sin6 = (struct sockaddr_in6 *)&lc->ss;
		ok(inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a)) !=
		    NULL && strcmp(a, "2001:db8::1") == 0 &&
		    ntohs(sin6->sin6_port) == 9000, "[2001:db8::1]:9000");
		ok(strcmp(lc->name, "[2001:db8::1] port 9000") == 0,
		    "name \"%s\"", lc->name);
		lc = TAILQ_NEXT(lc, entry);
	}
	ok(lc != NULL && lc->ss.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&lc->ss)->sin_addr.s_addr ==
	    htonl(INADDR_ANY) && strcmp(lc->name, "0.0.0.0 port 7000") == 0,
	    "* gives 0.0.0.0 port 7000");
	if (lc != NULL)
		lc = TAILQ_NEXT(lc, entry);
	ok(lc != NULL && lc->ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&lc->ss)->
	    sin6_addr) && strcmp(lc->name, "[::] port 7000") == 0 &&
	    TAILQ_NEXT(lc, entry) == NULL, "... and [::] port 7000");
	conf_free(conf);
}

static void
test_sizes(void)
{
	struct relayd_conf	*conf;

	conf = parse_text(with_base("max message size 1M\n"
	    "send buffer 4194304\n"), 0);
	ok(conf != NULL && conf->lim.max_message == 1048576 &&
	    conf->lim.send_buffer == 4194304, "1M and a plain byte count");
	conf_free(conf);
	conf = parse_text(with_base("max message size 2048k\n"
	    "send buffer 3m\n"), 0);
	ok(conf != NULL && conf->lim.max_message == 2097152 &&
	    conf->lim.send_buffer == 3145728, "lower-case k and m");
	conf_free(conf);
	conf = parse_text(with_base("send buffer 1024M\n"), 0);
	ok(conf != NULL && conf->lim.send_buffer == 1024U * 1048576,
	    "1024M, the largest send buffer");
	conf_free(conf);
	expect_error(with_base("send buffer 4095M\n"),
	    "%s: send buffer 4293918720 is out of range (at most 1024M)",
	    conffile);

	expect_error(with_base("send buffer 4096M\n"),
	    "%s:5: size 4096M is too large", conffile);
	expect_error(with_base("send buffer 4194304K\n"),
	    "%s:5: size 4194304K is too large", conffile);
	expect_error(with_base("send buffer 99999999999999999999999K\n"),
	    "%s:5: size 99999999999999999999999K is too large", conffile);
	expect_error(with_base("send buffer 4294967296\n"),
	    "%s:5: size 4294967296 is out of range", conffile);
	expect_error(with_base("max message size 64G\n"),
	    "%s:5: invalid size \"64G\": a number with an optional K or M "
	    "suffix", conffile);
	expect_error(with_base("max message size 64KB\n"),
	    "%s:5: invalid size \"64KB\": a number with an optional K or M "
	    "suffix", conffile);
	expect_error(with_base("max connections 99999999999999999999\n"),
	    "%s:5: number 99999999999999999999 is too large", conffile);
	expect_error(with_base("idle timeout -1\n"),
	    "%s:5: number -1 is out of range", conffile);
	expect_error(with_base("max message size 512\n"),
	    "%s: max message size 512 is out of range (1K-16M)", conffile);
	expect_error(with_base("max message size 17M\nsend buffer 32M\n"),
	    "%s: max message size 17825792 is out of range (1K-16M)",
	    conffile);
	expect_error(with_base("max message size 1M\nsend buffer 1M\n"),
	    "%s: send buffer 1048576 is smaller than max message size + 1K "
	    "(1049600)", conffile);
}

static void
test_macros(void)
{
	struct relayd_conf	*conf;
	struct listen_conf	*lc;

	conf = parse_text(
	    "addr = \"127.0.0.2\"\n"
	    "p=9090\n"
	    "opts = \"per second burst 7\"\n"
	    "k = \"@KEY@\"\n"
	    "listen on $addr port $p\n"
	    "rate limit 3 $opts\n"
	    "key $k\n"
	    "user \"root\"\nchroot \"/\"\n", 0);
	ok(conf != NULL, "macros expand");
	if (conf != NULL) {
		lc = TAILQ_FIRST(&conf->listeners);
		ok(lc != NULL && strcmp(lc->name, "127.0.0.2 port 9090") == 0,
		    "macro address and port");
		ok(conf->lim.rate == 3 && conf->lim.burst == 7,
		    "macro holding several words");
		ok(strcmp(conf->keyfile, keyfile) == 0, "macro string");
	} else
		printf("# logged:\n%s", errbuf);
	conf_free(conf);

	/* Macros of one file are gone for the next. */
	expect_error(with_base("max connections $p\n"),
	    "%s:5: macro \"p\" is not defined", conffile);
	expect_error(with_base("max connections $later\nlater = 5\n"),
	    "%s:5: macro \"later\" is not defined", conffile);
	expect_error(with_base("a = \"$b\"\nb = \"1\"\nmax connections $a\n"),
	    "%s:7: a macro value cannot use another macro", conffile);
	expect_error(with_base("bad-name = \"1\"\n"),
	    "%s:5: invalid macro name \"bad-name\"", conffile);
	expect_error(with_base("port = 1\n"), "%s:5: syntax error", conffile);

	/* -D: defined before, and wins over the file. */
	ok(cmdline_symset("cmdport=7070") == 0, "cmdline_symset name=value");
	ok(cmdline_symset("=x") == -1, "cmdline_symset rejects =x");
	ok(cmdline_symset("novalue") == -1, "cmdline_symset rejects no '='");
	ok(cmdline_symset("a b=1") == -1, "cmdline_symset rejects bad name");
	ok(cmdline_symset("empty=") == 0, "cmdline_symset accepts empty value");
	conf = parse_text(
	    "cmdport = 1\n"
	    "listen on 127.0.0.1 port $cmdport $empty\n"
	    "key \"@KEY@\"\nuser \"root\"\nchroot \"/\"\n", 0);
	lc = conf != NULL ? TAILQ_FIRST(&conf->listeners) : NULL;
	ok(lc != NULL && strcmp(lc->name, "127.0.0.1 port 7070") == 0,
	    "-D overrides the file's definition");
	conf_free(conf);
	conf = parse_text(with_base("max connections $cmdport\n"), 0);
	ok(conf != NULL && conf->lim.max_conn == 7070,
	    "-D macros persist across parses");
	conf_free(conf);
}

static void
test_include(void)
{
	struct relayd_conf	*conf;
	char			 inc[128], sub[128], text[256];
	char			 cwd[PATH_MAX];

	(void)snprintf(inc, sizeof(inc), "%s/inc.conf", tmpdir);
	(void)snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	(void)mkdir(sub, 0755);
	write_file(inc, "max connections 1234\n"
	    "include \"sub/more.conf\"\n"
	    "# no newline at the end\n"
	    "max room members 77", 0644);
	(void)snprintf(text, sizeof(text), "%s/more.conf", sub);
	write_file(text, "\n\nrate limit 5 per second burst 6\n", 0600);

	/* Relative names are taken from the including file's directory. */
	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir("/") == -1)
		cwd[0] = '\0';
	conf = parse_text(with_base("include \"inc.conf\"\n"
	    "max rooms per session 9\n"), 0);
	ok(conf != NULL && conf->lim.max_conn == 1234 &&
	    conf->lim.max_room_members == 77 && conf->lim.rate == 5 &&
	    conf->lim.burst == 6 && conf->lim.max_rooms == 9,
	    "nested relative includes");
	if (conf == NULL)
		printf("# logged:\n%s", errbuf);
	conf_free(conf);
	if (cwd[0] != '\0')
		(void)chdir(cwd);

	write_file(text, "\nmax connections 10\nbogus\n", 0600);
	expect_error(with_base("include \"inc.conf\"\n"), "%s:3: syntax error",
	    text);
	ok(nlines() == 1, "one error from the included file");

	write_file(text, "max connections 10\n", 0620);
	expect_error(with_base("include \"inc.conf\"\n"),
	    "%s:2: include \"%s/sub/more.conf\": writable by group or others",
	    inc, tmpdir);

	expect_error(with_base("include \"missing.conf\"\n"),
	    "%s:5: include \"%s/missing.conf\": No such file or directory",
	    conffile, tmpdir);

	/* A file including itself stops at the depth limit. */
	expect_error(with_base("include \"relayd.conf\"\n"),
	    "%s:5: include \"relayd.conf\": more than 16 nested files",
	    conffile);

	expect_error(with_base("include \"/\"\n"),
	    "%s:5: include \"/\": not a regular file", conffile);
}

static void
test_errors(void)
{
	struct relayd_conf	*conf;
	char			 other[256];

	expect_error(with_base("\n\nfoo bar\n"), "%s:7: syntax error",
	    conffile);
	expect_error(with_base("path \"/x\nmax connections 5\n"),
	    "%s:5: unterminated string", conffile);
	expect_error(with_base("path \"/x"), "%s:5: unterminated string",
	    conffile);
	expect_error(with_base("path \"/a\tb\"\n"),
	    "%s:5: control character 0x09 in string", conffile);
	expect_error(with_base("max connections ! 5\n"),
	    "%s:5: unexpected character '!'", conffile);
	expect_error(with_base("max connections \001\n"),
	    "%s:5: unexpected byte 0x01", conffile);
	expect_error(with_base("listen on 127.0.0.1 port 0\n"),
	    "%s:5: port 0 is out of range (1-65535)", conffile);
	expect_error(with_base("listen on 127.0.0.1 port 65536\n"),
	    "%s:5: port 65536 is out of range (1-65535)", conffile);
	expect_error(with_base("listen on localhost port 80\n"),
	    "%s:5: invalid listen address \"localhost\": need an IPv4 or IPv6 "
	    "address or \"*\"", conffile);
	expect_error(with_base("listen on 127.1 port 80\n"),
	    "%s:5: invalid listen address \"127.1\": need an IPv4 or IPv6 "
	    "address or \"*\"", conffile);
	expect_error(with_base("listen on [127.0.0.1] port 80\n"),
	    "%s:5: invalid listen address \"[127.0.0.1]\": need an IPv4 or "
	    "IPv6 address or \"*\"", conffile);
	expect_error(with_base("listen on ::1 port 8443 tls\n"),
	    "%s:5: listener [::1] port 8443 (tls): tls needs \"tls "
	    "certificate\" and \"tls key\"", conffile);
	expect_error(with_base("listen on ::1 port 8443 tls\n"
	    "tls certificate \"/nonexistent.crt\"\ntls key \"/k\"\n"),
	    "%s:6: /nonexistent.crt: No such file or directory", conffile);
	expect_error(with_base("listen on 127.0.0.1 port 8080\n"),
	    "%s: duplicate listener 127.0.0.1 port 8080", conffile);
	expect_error(with_base("listen on * port 8080\n"),
	    "%s: listener 127.0.0.1 port 8080 overlaps 0.0.0.0 port 8080",
	    conffile);
	expect_error(with_base("listen on ::1 port 80\nlisten on :: port 80\n"),
	    "%s: listener [::1] port 80 overlaps [::] port 80", conffile);
	expect_error("key \"@KEY@\"\nuser \"root\"\nchroot \"/\"\n",
	    "%s: no listener: at least one \"listen on\" is required",
	    conffile);
	expect_error(with_base("path \"relay\"\n"),
	    "%s:5: path must start with '/'", conffile);
	expect_error(with_base("path \"/a?b\"\n"),
	    "%s: path \"/a?b\": spaces, control characters, non-ASCII, '?' "
	    "and '#' are not allowed", conffile);
	expect_error(with_base("echo path \"/\"\n"),
	    "%s: echo path \"/\" is the same as path", conffile);
	expect_error(with_base("echo path \"echo\"\n"),
	    "%s:5: echo path must start with '/'", conffile);
	expect_error(with_base("max connections 10\n"
	    "max connections per address 11\n"),
	    "%s: max connections per address 11 is more than max connections "
	    "10", conffile);
	expect_error(with_base("max connections 100001\n"),
	    "%s: max connections 100001 is out of range (1-100000)", conffile);
	expect_error(with_base("rate limit 0 per second burst 0\n"),
	    "%s: rate limit must be at least 1 per second", conffile);
	ok(strstr(errbuf, "burst must be at least 1") != NULL,
	    "... and the burst too");
	expect_error(with_base("ping interval 90\n"),
	    "%s: ping interval 90 must be less than idle timeout 90", conffile);
	expect_error(with_base("handshake timeout 0\n"),
	    "%s: handshake timeout must be at least 1", conffile);
	expect_error(with_base("max sessions per key 0\n"),
	    "%s: max sessions per key must be at least 1", conffile);
	expect_error(with_base("max rooms per session 0\n"),
	    "%s: max rooms per session must be at least 1", conffile);
	expect_error(with_base("max room members 0\n"),
	    "%s: max room members must be at least 1", conffile);
	expect_error(with_base("server name \"a.example:443\"\n"),
	    "%s: server name \"a.example:443\" must not have a port",
	    conffile);
	expect_error(with_base("server name \"\"\n"),
	    "%s: empty server name", conffile);
	expect_error(with_base("server name \"[::1]:443\"\n"),
	    "%s: server name \"[::1]:443\": an IPv6 address must be in "
	    "brackets, without a port", conffile);
	expect_error(with_base("origin \"\"\n"), "%s: empty origin", conffile);
	expect_error(with_base("user \"no-such-user-here\"\n"),
	    "%s: unknown user \"no-such-user-here\"", conffile);
	expect_error(with_base("chroot \"var/empty\"\n"),
	    "%s: chroot \"var/empty\" is not an absolute path", conffile);
	expect_error(with_base("chroot \"@KEY@\"\n"),
	    "%s: chroot %s is not a directory", conffile, keyfile);
	expect_error(with_base("chroot \"/nonexistent/x\"\n"),
	    "%s: chroot /nonexistent/x: No such file or directory", conffile);

	/* Several errors in one file are all reported. */
	conf = parse_text(with_base("foo\nmax connections -5\n"
	    "path \"x\"\nidle timeout 99999999999\n"), 0);
	ok(conf == NULL && nlines() == 4, "four errors, four lines (%d)",
	    nlines());
	conf_free(conf);

	/* The key file. */
	expect_error("listen on 127.0.0.1 port 1\nkey \"/nonexistent/key\"\n"
	    "user \"root\"\nchroot \"/\"\n",
	    "%s: key file /nonexistent/key: No such file or directory",
	    conffile);
	expect_error("listen on 127.0.0.1 port 1\nkey \"server.key\"\n"
	    "user \"root\"\nchroot \"/\"\n",
	    "%s: key file \"server.key\" is not an absolute path", conffile);
	(void)chmod(keyfile, 0644);
	expect_error(base, "%s: key file %s is accessible by group or others "
	    "(mode 0644, want 0600 or 0400)", conffile, keyfile);
	(void)chmod(keyfile, 0400);
	conf = parse_text(base, 0);
	ok(conf != NULL, "key file mode 0400 is fine");
	conf_free(conf);
	(void)chmod(keyfile, 0600);
	if (geteuid() == 0) {
		if (chown(keyfile, 65534, 65534) == 0) {
			expect_error(base, "%s: key file %s is owned by uid "
			    "65534, not by root", conffile, keyfile);
			conf = parse_text(base, PARSE_NOCHECK_FILES);
			ok(conf != NULL, "PARSE_NOCHECK_FILES skips the owner");
			conf_free(conf);
			(void)chown(keyfile, 0, 0);
		}
	}

	/* The configuration file itself. */
	conf = parse_file("/nonexistent/relayd.conf", 0);
	ok(conf == NULL && logged("/nonexistent/relayd.conf: No such file or "
	    "directory"), "missing configuration file");
	write_file(conffile, base, 0666);
	conf = parse_file(conffile, 0);
	(void)snprintf(other, sizeof(other), "%s: writable by group or others",
	    conffile);
	ok(conf == NULL && logged(other), "world-writable configuration file");
	conf = parse_file(tmpdir, 0);
	(void)snprintf(other, sizeof(other), "%s: not a regular file", tmpdir);
	ok(conf == NULL && logged(other), "a directory as configuration file");
}

/* Proxies and admission control (issue 15): defaults, values, errors. */
static void
test_admission(void)
{
	struct relayd_conf	*conf;
	struct listen_conf	*lc;
	uint8_t			 a[16];

	conf = parse_text(base, 0);
	ok(conf != NULL && conf->lim.hs_rate == 200 &&
	    conf->lim.hs_burst == 400 && conf->lim.reg_rate == 100 &&
	    conf->lim.reg_burst == 300 && conf->lim.max_pending == 4096 &&
	    conf->lim.max_pending_per_addr == 256 &&
	    conf->lim.v4_prefix == 32 && conf->lim.v6_prefix == 64 &&
	    conf->lim.ntrusted == 0, "admission defaults");
	ok(conf != NULL && TAILQ_FIRST(&conf->listeners)->proxy == 0,
	    "listeners read no PROXY header by default");
	conf_free(conf);

	conf = parse_text(with_base(
	    "listen on ::1 port 8081 proxy protocol\n"
	    "trusted proxy 10.0.0.0/8\n"
	    "trusted proxy \"2001:db8::/32\"\n"
	    "trusted proxy 192.0.2.7\n"
	    "handshake rate 7 per second burst 9\n"
	    "registration rate off\n"
	    "max pending registrations 100\n"
	    "max pending registrations per address 10\n"
	    "ipv4 prefix 24\n"
	    "ipv6 prefix 48\n"), 0);
	ok(conf != NULL, "every proxy and admission knob parses");
	if (conf == NULL) {
		printf("# logged:\n%s", errbuf);
		return;
	}
	lc = TAILQ_NEXT(TAILQ_FIRST(&conf->listeners), entry);
	ok(lc != NULL && lc->proxy == 1 &&
	    strcmp(lc->name, "[::1] port 8081 (proxy protocol)") == 0,
	    "listen ... proxy protocol");
	ok(conf->lim.ntrusted == 3 && conf->lim.trusted[0].plen == 96 + 8 &&
	    conf->lim.trusted[1].plen == 32 &&
	    conf->lim.trusted[2].plen == 128, "three trusted proxies");
	memset(a, 0, sizeof(a));
	a[10] = a[11] = 0xff;
	a[12] = 10;
	a[15] = 9;
	ok(netaddr_match(conf->lim.trusted, conf->lim.ntrusted, a),
	    "10.0.0.9 is trusted");
	a[12] = 11;
	ok(!netaddr_match(conf->lim.trusted, conf->lim.ntrusted, a),
	    "11.0.0.9 is not");
	ok(conf->lim.hs_rate == 7 && conf->lim.hs_burst == 9 &&
	    conf->lim.reg_rate == 0 && conf->lim.reg_burst == 0,
	    "handshake rate set, registration rate off");
	ok(conf->lim.max_pending == 100 && conf->lim.max_pending_per_addr == 10,
	    "pending caps");
	ok(conf->lim.v4_prefix == 24 && conf->lim.v6_prefix == 48, "prefixes");
	conf_free(conf);

	expect_error(with_base("trusted proxy 192.0.2.1/24\n"),
	    "%s:5: trusted proxy \"192.0.2.1/24\": host bits set beyond the "
	    "prefix", conffile);
	expect_error(with_base("trusted proxy proxy.example\n"),
	    "%s:5: trusted proxy \"proxy.example\": bad address", conffile);
	expect_error(with_base("handshake rate 0 per second burst 5\n"),
	    "%s:5: handshake rate 0 per second is out of range (1-10000000; "
	    "\"handshake rate off\" turns it off)", conffile);
	expect_error(with_base("registration rate 5 per second burst 0\n"),
	    "%s:5: registration rate burst 0 is out of range (1-10000000)",
	    conffile);
	expect_error(with_base("ipv6 prefix 129\n"),
	    "%s:5: ipv6 prefix 129 is out of range (1-128)", conffile);
	expect_error(with_base("ipv4 prefix 0\n"),
	    "%s:5: ipv4 prefix 0 is out of range (1-32)", conffile);
	expect_error(with_base("max pending registrations 0\n"),
	    "%s: max pending registrations must be at least 1", conffile);
	expect_error(with_base("max pending registrations 10\n"
	    "max pending registrations per address 11\n"),
	    "%s: max pending registrations per address 11 is out of range "
	    "(1-10, max pending registrations)", conffile);
	expect_error(with_base("listen on 127.0.0.1 port 9 proxy protocol "
	    "proxy protocol\n"), "%s:5: listener option given twice",
	    conffile);
}

int
main(void)
{
	char	 tmpl[] = "/tmp/test_config.XXXXXX";

	log_init(LOG_TO_STDERR, 0, 0);
	log_procinit("test");
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	(void)strlcpy(tmpdir, tmpl, sizeof(tmpdir));
	(void)snprintf(conffile, sizeof(conffile), "%s/relayd.conf", tmpdir);
	(void)snprintf(keyfile, sizeof(keyfile), "%s/server.key", tmpdir);
	(void)snprintf(errfile, sizeof(errfile), "%s/errors", tmpdir);
	write_file(keyfile, "not checked here\n", 0600);

	test_defaults();
	test_all_set();
	test_admission();
	test_sizes();
	test_macros();
	test_include();
	test_errors();

	{
		char	 cmd[PATH_MAX + 16];

		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		(void)system(cmd);
	}
	return tap_done();
}
