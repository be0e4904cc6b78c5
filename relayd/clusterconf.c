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
 * The parent's part of a cluster block: the files it names are read and
 * its servers resolved here, at load and at -n, so that relayd-cluster
 * needs neither a file system nor a resolver in its chroot, and a name
 * that does not resolve is a configuration error with its line.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

/* Where relayd-cluster finds CAs for tls:// with no "tls ca" line. */
#define CLUSTER_SYSTEM_CA	"/etc/ssl/certs/ca-certificates.crt"

static int
cluster_resolve(struct cluster_conf *cc, const struct cluster_url *u)
{
	struct addrinfo		 hints, *res, *ai;
	struct imsg_cluster_url	*a;
	char			 host[INET6_ADDRSTRLEN], port[8];
	int			 r, n = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	(void)snprintf(port, sizeof(port), "%u", u->port);
	if ((r = getaddrinfo(u->host, port, &hints, &res)) != 0) {
		log_warnx("%s: nats server %s: %s", u->at, u->host,
		    gai_strerror(r));
		return 1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host,
		    sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		if (cc->naddrs >= CLUSTER_URLS_MAX) {
			log_warnx("%s: nats server %s: more than %d addresses "
			    "in all", u->at, u->host, CLUSTER_URLS_MAX);
			freeaddrinfo(res);
			return 1;
		}
		a = &cc->addrs[cc->naddrs];
		memset(a, 0, sizeof(*a));
		(void)snprintf(a->url, sizeof(a->url), ai->ai_family ==
		    AF_INET6 ? "%s://[%s]:%u" : "%s://%s:%u", u->tls ? "tls" :
		    "nats", host, u->port);
		a->port = u->port;
		cc->naddrs++;
		n++;
	}
	freeaddrinfo(res);
	if (n == 0) {
		log_warnx("%s: nats server %s: no address", u->at, u->host);
		return 1;
	}
	return 0;
}

int
cluster_conf_load(struct relayd_conf *conf)
{
	struct cluster_conf	*cc = &conf->cluster;
	struct cluster_url	*u;
	uint8_t			*buf;
	size_t			 len;
	int			 errors = 0, names = 0;

	if (!cc->on)
		return 0;
	cc->naddrs = 0;
	TAILQ_FOREACH(u, &cc->urls, entry) {
		errors += cluster_resolve(cc, u);
		if (inet_addr(u->host) == INADDR_NONE && u->host[0] != '[' &&
		    strchr(u->host, ':') == NULL)
			names++;
		/* the certificate names the host as written */
		if (u->tls && cc->tls_name[0] == '\0' && names > 0)
			(void)strlcpy(cc->tls_name, u->host,
			    sizeof(cc->tls_name));
	}
	if (cc->tls) {
		TAILQ_FOREACH(u, &cc->urls, entry)
			if (!u->tls)
				break;
		/* nats.c asks one of them all: TLS is for every server */
		if (u != NULL && !TAILQ_EMPTY(&cc->urls) &&
		    cc->ca_file[0] == '\0') {
			log_warnx("%s: nats server %s is not tls:// in a "
			    "cluster that uses TLS", u->at, u->url);
			errors++;
		}
	}
	if (cc->tls) {
		if (cc->ca_file[0] == '\0') {
			(void)strlcpy(cc->ca_file, CLUSTER_SYSTEM_CA,
			    sizeof(cc->ca_file));
			(void)strlcpy(cc->ca_at, cc->at, sizeof(cc->ca_at));
		}
		if (conf_read_file(cc->ca_at, cc->ca_file, CLUSTER_CA_MAX, 0,
		    &cc->ca_pem, &cc->ca_len) == -1)
			errors++;
	}
	if (cc->auth == CLUSTER_AUTH_NKEY || cc->auth == CLUSTER_AUTH_CREDS) {
		if (conf_read_file(cc->secret_at, cc->secret_file,
		    CLUSTER_SECRET_MAX - 1, 1, &buf, &len) == -1)
			errors++;
		else {
			/* a seed file: the seed, on its line */
			if (cc->auth == CLUSTER_AUTH_NKEY)
				while (len > 0 && (buf[len - 1] == '\n' ||
				    buf[len - 1] == '\r' || buf[len - 1] == ' '))
					buf[--len] = '\0';
			if (cc->auth == CLUSTER_AUTH_NKEY && (len < 3 ||
			    memcmp(buf, "SU", 2) != 0)) {
				log_warnx("%s: %s is not a NATS user seed "
				    "(\"SU...\")", cc->secret_at,
				    cc->secret_file);
				errors++;
			}
			cc->secret = (char *)buf;
			cc->secret_len = len;
		}
	}
	return errors;
}

void
cluster_conf_free(struct cluster_conf *cc)
{
	struct cluster_url	*u;

	while ((u = TAILQ_FIRST(&cc->urls)) != NULL) {
		TAILQ_REMOVE(&cc->urls, u, entry);
		free(u);
	}
	if (cc->secret != NULL) {
		explicit_bzero(cc->secret, cc->secret_len);
		free(cc->secret);
		cc->secret = NULL;
	}
	free(cc->ca_pem);
	cc->ca_pem = NULL;
}
