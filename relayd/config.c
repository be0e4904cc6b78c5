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
 * The semantic checks of a parsed relayd.conf: limits that must agree with
 * each other, and the files, directory and user the daemon will rely on
 * when it starts.  The grammar (parse.y) has already checked each value on
 * its own; what is left here needs the whole configuration or the system,
 * so errors name the file but no line.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "config.h"
#include "limit.h"

#define MAX_MESSAGE_MIN		1024
#define MAX_MESSAGE_MAX		(16 * 1024 * 1024)
#define SEND_BUFFER_SLACK	1024		/* framing around a message */
/* a session's output lengths are 32 bits (struct session) */
#define SEND_BUFFER_MAX		(1024 * 1024 * 1024)
#define MAX_CONN_LIMIT		100000
#define SERVER_NAME_MAX		253		/* a DNS name, RFC 1035 */

static int	 check_listeners(struct relayd_conf *, const char *);
static int	 check_url_path(const char *, const char *, const char *);
static int	 check_files(const struct relayd_conf *, const char *);
static int	 check_server_name(const char *, const char *);
static int	 check_origin(const char *, const char *);

void
conf_free(struct relayd_conf *conf)
{
	struct listen_conf	*lc;
	struct conf_str		*cs;
	struct tls_pair_conf	*tp;

	if (conf == NULL)
		return;
	cluster_conf_free(&conf->cluster);
	while ((tp = TAILQ_FIRST(&conf->tls_pairs)) != NULL) {
		TAILQ_REMOVE(&conf->tls_pairs, tp, entry);
		certs_free(tp);
		free(tp);
	}
	/* Listener descriptors belong to the parent, which closes them. */
	while ((lc = TAILQ_FIRST(&conf->listeners)) != NULL) {
		TAILQ_REMOVE(&conf->listeners, lc, entry);
		free(lc);
	}
	while ((cs = TAILQ_FIRST(&conf->origins)) != NULL) {
		TAILQ_REMOVE(&conf->origins, cs, entry);
		free(cs);
	}
	while ((cs = TAILQ_FIRST(&conf->server_names)) != NULL) {
		TAILQ_REMOVE(&conf->server_names, cs, entry);
		free(cs);
	}
	free(conf);
}

/*
 * The largest body that reaches a recipient in either encoding: 512 bytes
 * of envelope, and base64url growth of 4/3 in JSON (docs/WIRE.md section 3).
 */
uint32_t
conf_max_body(const struct relay_limits *lim)
{
	if (lim->max_message <= 512)
		return 0;
	return (uint32_t)(((uint64_t)lim->max_message - 512) * 3 / 4);
}

static int
listen_port(const struct listen_conf *lc)
{
	if (lc->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&lc->ss)->sin_port);
	if (lc->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&lc->ss)->sin6_port);
	return -1;
}

#define LISTEN_SAME	1	/* the same address and port */
#define LISTEN_OVERLAP	2	/* a wildcard and an address, one port */

/*
 * How two listeners of one family and port relate: the same, or a
 * wildcard and a specific address, which cannot both be bound (Linux
 * refuses the second bind); 0 when they can live side by side.
 */
static int
listen_clash(const struct listen_conf *a, const struct listen_conf *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	if (a->ss.ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)&a->ss;
		b4 = (const struct sockaddr_in *)&b->ss;
		if (a4->sin_port != b4->sin_port)
			return 0;
		if (a4->sin_addr.s_addr == b4->sin_addr.s_addr)
			return LISTEN_SAME;
		return a4->sin_addr.s_addr == htonl(INADDR_ANY) ||
		    b4->sin_addr.s_addr == htonl(INADDR_ANY) ?
		    LISTEN_OVERLAP : 0;
	}
	a6 = (const struct sockaddr_in6 *)&a->ss;
	b6 = (const struct sockaddr_in6 *)&b->ss;
	if (a6->sin6_port != b6->sin6_port)
		return 0;
	if (memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0)
		return LISTEN_SAME;
	return IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr) ||
	    IN6_IS_ADDR_UNSPECIFIED(&b6->sin6_addr) ? LISTEN_OVERLAP : 0;
}

static int
check_listeners(struct relayd_conf *conf, const char *file)
{
	struct listen_conf	*lc, *lc2;
	int			 errors = 0, port, clash;

	TAILQ_FOREACH(lc, &conf->listeners, entry)
		if (!lc->metrics)
			break;
	if (lc == NULL) {
		log_warnx("%s: no listener: at least one \"listen on\" is "
		    "required", file);
		return 1;
	}
	TAILQ_FOREACH(lc, &conf->listeners, entry) {
		port = listen_port(lc);
		if (port < 1 || port > 65535) {
			log_warnx("%s: listener %s: port out of range "
			    "(1-65535)", file, lc->name);
			errors++;
		}
		if (lc->tls && conf->ntls_pairs == 0) {
			log_warnx("%s: listener %s: tls needs \"tls "
			    "certificate\" and \"tls key\"", lc->at, lc->name);
			errors++;
		}
		for (lc2 = TAILQ_NEXT(lc, entry); lc2 != NULL;
		    lc2 = TAILQ_NEXT(lc2, entry)) {
			clash = listen_clash(lc, lc2);
			if (clash != 0 && lc->metrics != lc2->metrics) {
				log_warnx("%s: the metrics listener %s may not "
				    "share a client listener's address and "
				    "port (%s)", lc->metrics ? lc->at : lc2->at,
				    lc->metrics ? lc->name : lc2->name,
				    lc->metrics ? lc2->name : lc->name);
				errors++;
			} else if (clash == LISTEN_SAME) {
				log_warnx("%s: duplicate listener %s", file,
				    lc2->name);
				errors++;
			} else if (clash == LISTEN_OVERLAP) {
				log_warnx("%s: listener %s overlaps %s", file,
				    lc->name, lc2->name);
				errors++;
			}
		}
	}
	return errors;
}

/* Settings that must be at least 1, checked alike. */
static const struct {
	const char	*name;
	size_t		 off;
} at_least_one[] = {
	{ "max sessions per key", offsetof(struct relay_limits,
	    max_sessions_per_key) },
	{ "max rooms per session", offsetof(struct relay_limits, max_rooms) },
	{ "max room members", offsetof(struct relay_limits,
	    max_room_members) },
	{ "handshake timeout", offsetof(struct relay_limits,
	    handshake_timeout) },
	{ "registration timeout", offsetof(struct relay_limits,
	    registration_timeout) },
	{ "ping interval", offsetof(struct relay_limits, ping_interval) },
};

/*
 * Timeouts in seconds, at most a day: the relay's timer lists count
 * milliseconds in 32 bits and compare differences as signed, which holds
 * for spans up to 24 days.
 */
#define TIMEOUT_MAX	86400

static const struct {
	const char	*name;
	size_t		 off;
} timeouts[] = {
	{ "handshake timeout", offsetof(struct relay_limits,
	    handshake_timeout) },
	{ "registration timeout", offsetof(struct relay_limits,
	    registration_timeout) },
	{ "ping interval", offsetof(struct relay_limits, ping_interval) },
	{ "idle timeout", offsetof(struct relay_limits, idle_timeout) },
};

int
conf_check_limits(const struct relay_limits *lim, const char *file)
{
	size_t	 i;
	int	 errors = 0;

	if (lim->max_message < MAX_MESSAGE_MIN ||
	    lim->max_message > MAX_MESSAGE_MAX) {
		log_warnx("%s: max message size %u is out of range (1K-16M)",
		    file, lim->max_message);
		errors++;
	} else if (lim->send_buffer > SEND_BUFFER_MAX) {
		log_warnx("%s: send buffer %u is out of range (at most 1024M)",
		    file, lim->send_buffer);
		errors++;
	} else if (lim->send_buffer < lim->max_message + SEND_BUFFER_SLACK) {
		/* A session must be able to queue one whole message. */
		log_warnx("%s: send buffer %u is smaller than max message size "
		    "+ 1K (%u)", file, lim->send_buffer,
		    lim->max_message + SEND_BUFFER_SLACK);
		errors++;
	}
	if (lim->rate < 1) {
		log_warnx("%s: rate limit must be at least 1 per second", file);
		errors++;
	}
	if (lim->burst < 1) {
		log_warnx("%s: rate limit burst must be at least 1", file);
		errors++;
	}
	if (lim->max_conn < 1 || lim->max_conn > MAX_CONN_LIMIT) {
		log_warnx("%s: max connections %u is out of range (1-%d)",
		    file, lim->max_conn, MAX_CONN_LIMIT);
		errors++;
	}
	if (lim->max_conn_per_addr < 1) {
		log_warnx("%s: max connections per address must be at least 1",
		    file);
		errors++;
	} else if (lim->max_conn_per_addr > lim->max_conn) {
		log_warnx("%s: max connections per address %u is more than "
		    "max connections %u", file, lim->max_conn_per_addr,
		    lim->max_conn);
		errors++;
	}
	for (i = 0; i < sizeof(at_least_one) / sizeof(at_least_one[0]); i++) {
		if (*(const uint32_t *)(const void *)((const char *)lim +
		    at_least_one[i].off) < 1) {
			log_warnx("%s: %s must be at least 1", file,
			    at_least_one[i].name);
			errors++;
		}
	}
	for (i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
		if (*(const uint32_t *)(const void *)((const char *)lim +
		    timeouts[i].off) > TIMEOUT_MAX) {
			log_warnx("%s: %s %u is above %d seconds (a day)", file,
			    timeouts[i].name, *(const uint32_t *)(const void *)
			    ((const char *)lim + timeouts[i].off), TIMEOUT_MAX);
			errors++;
		}
	}
	if (lim->idle_timeout < 1) {
		log_warnx("%s: idle timeout must be at least 1", file);
		errors++;
	} else if (lim->ping_interval >= lim->idle_timeout) {
		/* Otherwise an idle but live client is cut off. */
		log_warnx("%s: ping interval %u must be less than idle timeout "
		    "%u", file, lim->ping_interval, lim->idle_timeout);
		errors++;
	}
	if (lim->max_pending < 1) {
		log_warnx("%s: max pending registrations must be at least 1",
		    file);
		errors++;
	} else if (lim->max_pending_per_addr < 1 ||
	    lim->max_pending_per_addr > lim->max_pending) {
		log_warnx("%s: max pending registrations per address %u is "
		    "out of range (1-%u, max pending registrations)", file,
		    lim->max_pending_per_addr, lim->max_pending);
		errors++;
	}
	if (lim->hs_rate > RATE_MAX || lim->reg_rate > RATE_MAX ||
	    lim->hs_burst > BURST_MAX || lim->reg_burst > BURST_MAX ||
	    (lim->hs_rate > 0) != (lim->hs_burst > 0) ||
	    (lim->reg_rate > 0) != (lim->reg_burst > 0)) {
		log_warnx("%s: handshake or registration rate out of range",
		    file);
		errors++;
	}
	if (lim->v4_prefix < 1 || lim->v4_prefix > 32 ||
	    lim->v6_prefix < 1 || lim->v6_prefix > 128) {
		log_warnx("%s: address prefix out of range (ipv4 1-32, ipv6 "
		    "1-128)", file);
		errors++;
	}
	if (lim->ntrusted > CONF_TRUSTED_MAX) {
		log_warnx("%s: more than %d trusted proxies", file,
		    CONF_TRUSTED_MAX);
		errors++;
	} else {
		for (i = 0; i < lim->ntrusted; i++)
			if (lim->trusted[i].plen > 128) {
				log_warnx("%s: trusted proxy prefix out of "
				    "range", file);
				errors++;
			}
	}
	if (lim->rooms > 1) {
		log_warnx("%s: rooms must be on or off", file);
		errors++;
	}
	errors += check_url_path(lim->path, "path", file);
	if (lim->echo_path[0] != '\0') {
		errors += check_url_path(lim->echo_path, "echo path", file);
		if (strcmp(lim->echo_path, lim->path) == 0) {
			log_warnx("%s: echo path \"%s\" is the same as path",
			    file, lim->echo_path);
			errors++;
		}
	}
	return errors;
}

/*
 * A path is compared with the request target, whose query is dropped; it
 * must be something a request line can carry.
 */
static int
check_url_path(const char *path, const char *what, const char *file)
{
	const char	*p;

	if (strnlen(path, CONF_PATH_MAX) >= CONF_PATH_MAX) {
		log_warnx("%s: %s is too long", file, what);
		return 1;
	}
	if (path[0] != '/') {
		log_warnx("%s: %s \"%s\" must start with '/'", file, what,
		    path);
		return 1;
	}
	for (p = path; *p != '\0'; p++) {
		if (!isascii((unsigned char)*p) ||
		    !isgraph((unsigned char)*p) || *p == '?' || *p == '#') {
			log_warnx("%s: %s \"%s\": spaces, control characters, "
			    "non-ASCII, '?' and '#' are not allowed", file,
			    what, path);
			return 1;
		}
	}
	return 0;
}

/*
 * The key file must exist and be for its owner's eyes only.  Who owns it
 * is checked by parse_config(), unless told not to (-n as non-root).
 */
static int
check_files(const struct relayd_conf *conf, const char *file)
{
	struct stat	 st;
	int		 errors = 0;

	if (conf->keyfile[0] != '/') {
		/* The daemon runs from "/"; cryptod reads the key from there. */
		log_warnx("%s: key file \"%s\" is not an absolute path", file,
		    conf->keyfile);
		errors++;
	} else if (stat(conf->keyfile, &st) == -1) {
		log_warnx("%s: key file %s: %s", file, conf->keyfile,
		    strerror(errno));
		errors++;
	} else if (!S_ISREG(st.st_mode)) {
		log_warnx("%s: key file %s is not a regular file", file,
		    conf->keyfile);
		errors++;
	} else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		log_warnx("%s: key file %s is accessible by group or others "
		    "(mode %04o, want 0600 or 0400)", file, conf->keyfile,
		    (unsigned int)(st.st_mode & 07777));
		errors++;
	}

	if (conf->user[0] == '\0' || getpwnam(conf->user) == NULL) {
		log_warnx("%s: unknown user \"%s\"", file, conf->user);
		errors++;
	}

	/*
	 * The children chroot here as root; a directory another user can
	 * change could hold a planted library path or device node.
	 */
	if (conf->chroot[0] != '/') {
		log_warnx("%s: chroot \"%s\" is not an absolute path", file,
		    conf->chroot);
		errors++;
	} else if (stat(conf->chroot, &st) == -1) {
		log_warnx("%s: chroot %s: %s", file, conf->chroot,
		    strerror(errno));
		errors++;
	} else if (!S_ISDIR(st.st_mode)) {
		log_warnx("%s: chroot %s is not a directory", file,
		    conf->chroot);
		errors++;
	} else if (st.st_uid != 0) {
		log_warnx("%s: chroot %s is not owned by root", file,
		    conf->chroot);
		errors++;
	} else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_warnx("%s: chroot %s is writable by group or others", file,
		    conf->chroot);
		errors++;
	}
	return errors;
}

/*
 * A server name is compared, ignoring ASCII case, with the host part of
 * the client's binding: a DNS name or an address, an IPv6 one in
 * brackets, never with a port.
 */
static int
check_server_name(const char *name, const char *file)
{
	const char	*p;
	size_t		 len;

	len = strlen(name);
	if (len == 0) {
		log_warnx("%s: empty server name", file);
		return 1;
	}
	if (len > SERVER_NAME_MAX) {
		log_warnx("%s: server name \"%.32s...\" is longer than %d bytes",
		    file, name, SERVER_NAME_MAX);
		return 1;
	}
	for (p = name; *p != '\0'; p++) {
		if (!isascii((unsigned char)*p) ||
		    !isgraph((unsigned char)*p) || *p == '/') {
			log_warnx("%s: server name \"%s\": spaces, control "
			    "characters, non-ASCII and '/' are not allowed",
			    file, name);
			return 1;
		}
	}
	if (name[0] == '[') {
		if (name[len - 1] != ']' || len < 3 ||
		    strchr(name + 1, '[') != NULL ||
		    strchr(name, ']') != name + len - 1) {
			log_warnx("%s: server name \"%s\": an IPv6 address "
			    "must be in brackets, without a port", file, name);
			return 1;
		}
	} else if (strchr(name, ':') != NULL) {
		log_warnx("%s: server name \"%s\" must not have a port", file,
		    name);
		return 1;
	} else if (strchr(name, '[') != NULL || strchr(name, ']') != NULL) {
		log_warnx("%s: server name \"%s\": misplaced bracket", file,
		    name);
		return 1;
	}
	return 0;
}

/* An origin is compared exactly with the Origin header of a request. */
static int
check_origin(const char *origin, const char *file)
{
	const char	*p;

	if (origin[0] == '\0') {
		log_warnx("%s: empty origin", file);
		return 1;
	}
	for (p = origin; *p != '\0'; p++) {
		if (!isascii((unsigned char)*p) ||
		    !isgraph((unsigned char)*p)) {
			log_warnx("%s: origin \"%s\": spaces, control "
			    "characters and non-ASCII are not allowed", file,
			    origin);
			return 1;
		}
	}
	return 0;
}

int
conf_check(struct relayd_conf *conf, const char *file)
{
	struct conf_str	*cs;
	int		 errors = 0;

	errors += check_listeners(conf, file);
	errors += conf_check_limits(&conf->lim, file);
	errors += check_files(conf, file);
	TAILQ_FOREACH(cs, &conf->server_names, entry)
		errors += check_server_name(cs->s, file);
	TAILQ_FOREACH(cs, &conf->origins, entry)
		errors += check_origin(cs->s, file);
	return errors;
}
