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
 * The relay's addresses, without blocking the event loop.  In order: an
 * address literal (getaddrinfo(3) with AI_NUMERICHOST, which does not
 * block); the hosts file; "localhost" and names below it, which are the
 * loopback addresses (RFC 6761 section 6.3); then DNS through evdns,
 * with the nameservers, search list and options of resolv.conf(5), one
 * A and one AAAA query at once.  IPv4 addresses are tried before IPv6
 * ones.
 *
 * The evdns requests use libevent's plain resolver (evdns_base_resolve_*),
 * whose callbacks touch nothing of the evdns base, and not
 * evdns_getaddrinfo(), whose deferred callbacks still use the base after
 * the request was cancelled or answered.  Each request's callback comes
 * exactly once, answered, failed, or failed by evdns_base_free(, 1); it
 * gets a struct resolver, which outlives the client when the client is
 * freed (or gives up) while a query is out: the last callback frees it.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "sws_local.h"

#define HOSTS_LINE	1024	/* longer lines of the hosts file are skipped */

struct resolver {
	struct sws_client	*c;		/* NULL: the client is gone */
	struct evdns_base	*dns;
	int			 pending;	/* callbacks still to come */
	int			 err;		/* a DNS_ERR_ of a query */
	struct sws_addr		 v6[SWS_ADDRS_MAX];
	int			 nv6;
};

/* The next word of *pp (blanks separate words), or NULL. */
static char *
next_word(char **pp)
{
	char	*p = *pp, *w;

	while (*p != '\0' && isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return NULL;
	w = p;
	while (*p != '\0' && !isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*pp = p;
	return w;
}

static void
add_addr(struct sws_client *c, const struct sockaddr *sa, socklen_t len)
{
	struct sws_addr	*a;

	if (c->naddrs >= SWS_ADDRS_MAX || len > sizeof(a->u))
		return;
	a = &c->addrs[c->naddrs++];
	memset(a, 0, sizeof(*a));
	memcpy(&a->u, sa, len);
	a->len = len;
}

/* a: the address ip of family af, with the URL's port. */
static void
addr_set(struct sws_addr *a, int af, const void *ip, const char *port)
{
	memset(a, 0, sizeof(*a));
	if (af == AF_INET) {
		a->u.sin.sin_family = AF_INET;
		a->u.sin.sin_port = htons((uint16_t)atoi(port));
		memcpy(&a->u.sin.sin_addr, ip, sizeof(a->u.sin.sin_addr));
		a->len = sizeof(a->u.sin);
	} else {
		a->u.sin6.sin6_family = AF_INET6;
		a->u.sin6.sin6_port = htons((uint16_t)atoi(port));
		memcpy(&a->u.sin6.sin6_addr, ip, sizeof(a->u.sin6.sin6_addr));
		a->len = sizeof(a->u.sin6);
	}
}

static void
add_in(struct sws_client *c, int af, const void *ip)
{
	if (c->naddrs < SWS_ADDRS_MAX)
		addr_set(&c->addrs[c->naddrs++], af, ip, c->port);
}

/* An IPv4 or IPv6 literal: 1 and its address, 0 for a name. */
static int
literal(struct sws_client *c)
{
	struct addrinfo	 hints, *res, *ai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(c->host, c->port, &hints, &res) != 0)
		return 0;
	for (ai = res; ai != NULL; ai = ai->ai_next)
		add_addr(c, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	return 1;
}

/*
 * One line of the hosts file, "address name [alias ...]" with a # comment:
 * when its address is of family af and a name is c->host, the address is
 * added.  The line is modified.
 */
void
resolve_hosts_line(struct sws_client *c, char *line, int af)
{
	char		*p, *addr, *name;
	uint8_t		 ip[16];

	if ((p = strchr(line, '#')) != NULL)
		*p = '\0';
	p = line;
	if ((addr = next_word(&p)) == NULL || inet_pton(af, addr, ip) != 1)
		return;
	while ((name = next_word(&p)) != NULL)
		if (strcasecmp(name, c->host) == 0) {
			add_in(c, af, ip);
			return;
		}
}

/* The name in the hosts file: its addresses, IPv4 ones first. */
static void
hosts_lookup(struct sws_client *c, const char *path)
{
	FILE		*f;
	char		 line[HOSTS_LINE];
	int		 pass, skip;

	if ((f = fopen(path, "re")) == NULL)
		return;
	for (pass = 0; pass < 2; pass++) {
		rewind(f);
		skip = 0;
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strchr(line, '\n') == NULL && !feof(f)) {
				skip = 1;	/* the rest of a long line */
				continue;
			}
			if (skip) {
				skip = 0;
				continue;
			}
			resolve_hosts_line(c, line, pass == 0 ? AF_INET :
			    AF_INET6);
		}
	}
	fclose(f);
}

/* "localhost", "localhost." and names ending in ".localhost" */
static int
is_localhost(const char *h)
{
	size_t	 n = strlen(h);

	if (n > 0 && h[n - 1] == '.')
		n--;
	if (n == 9 && strncasecmp(h, "localhost", 9) == 0)
		return 1;
	return n > 10 && strncasecmp(h + n - 10, ".localhost", 10) == 0;
}

static void
free_dns(struct resolver *r)
{
	if (r->dns != NULL) {
		evdns_base_free(r->dns, 1);
		r->dns = NULL;
	}
}

static void
dns_cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	struct resolver		*r = arg;
	struct sws_client	*c = r->c;
	const uint8_t		*p = addresses;
	int			 i;

	(void)ttl;
	r->pending--;
	if (c == NULL) {
		/* the client went away; we were the last thing it left */
		if (r->pending == 0) {
			free_dns(r);
			free(r);
		}
		return;
	}
	if (result == DNS_ERR_NONE && count > 0 && p != NULL) {
		for (i = 0; i < count; i++) {
			if (type == DNS_IPv4_A)
				add_in(c, AF_INET, p + 4 * i);
			else if (type == DNS_IPv6_AAAA && r->nv6 <
			    SWS_ADDRS_MAX)	/* kept apart: IPv4 first */
				addr_set(&r->v6[r->nv6++], AF_INET6,
				    p + 16 * i, c->port);
		}
	} else if (result != DNS_ERR_NONE && (r->err == 0 ||
	    (r->err == DNS_ERR_NOTEXIST && result != DNS_ERR_NOTEXIST)))
		r->err = result;	/* NOTEXIST only when both say so */
	if (r->pending > 0)
		return;
	for (i = 0; i < r->nv6; i++)
		add_addr(c, &r->v6[i].u.sa, r->v6[i].len);
	if (c->naddrs > 0)
		r->err = 0;
	else if (r->err == 0)
		r->err = DNS_ERR_NOTEXIST;	/* no address of either kind */
	c->res = NULL;
	i = r->err;
	free_dns(r);
	free(r);
	conn_resolved(c, i == 0 ? NULL : evdns_err_to_string(i),
	    i == DNS_ERR_NOTEXIST);
}

/*
 * Start resolving c->host into c->addrs.  Returns 1 when the addresses
 * are there already (a literal, the hosts file, localhost), 0 when DNS
 * queries are out and conn_resolved() will be called from the loop, or
 * -1 with a message in err.
 */
int
resolve_start(struct sws_client *c, char *err, size_t errlen)
{
	struct resolver		*r;
	struct evdns_request	*q4, *q6;
	const char		*conf;
	int			 rv;

	c->naddrs = 0;
	c->nexti = 0;
	if (literal(c))
		return 1;
	hosts_lookup(c, _PATH_HOSTS);
	if (c->naddrs > 0)
		return 1;
	if (is_localhost(c->host)) {
		add_in(c, AF_INET, &(struct in_addr){ htonl(INADDR_LOOPBACK) });
		add_in(c, AF_INET6, &in6addr_loopback);
		return 1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((r->dns = evdns_base_new(c->base, 0)) == NULL) {
		free(r);
		snprintf(err, errlen, "cannot start the resolver");
		return -1;
	}
	conf = c->resolv_conf != NULL ? c->resolv_conf : "/etc/resolv.conf";
	rv = evdns_base_resolv_conf_parse(r->dns, DNS_OPTION_NAMESERVERS |
	    DNS_OPTION_SEARCH | DNS_OPTION_MISC, conf);
	/* 6: no nameserver listed, 127.0.0.1 is used, as by the C library */
	if (rv != 0 && rv != 6 && (c->resolv_conf != NULL || rv != 1)) {
		free_dns(r);
		free(r);
		snprintf(err, errlen, "cannot read %s (evdns error %d)", conf,
		    rv);
		return -1;
	}
	r->c = c;
	c->res = r;
	q4 = evdns_base_resolve_ipv4(r->dns, c->host, 0, dns_cb, r);
	if (q4 != NULL)
		r->pending++;
	q6 = evdns_base_resolve_ipv6(r->dns, c->host, 0, dns_cb, r);
	if (q6 != NULL)
		r->pending++;
	if (r->pending == 0) {
		c->res = NULL;
		free_dns(r);
		free(r);
		snprintf(err, errlen, "the name is not valid for DNS");
		return -1;
	}
	return 0;
}

/*
 * Give up a resolution in progress (the client is freed, or its time is
 * up).  The queries still out are failed by freeing the evdns base; their
 * callbacks, which come later, find no client and free the resolver.
 */
void
resolve_stop(struct sws_client *c)
{
	struct resolver	*r = c->res;

	if (r == NULL)
		return;
	c->res = NULL;
	r->c = NULL;
	free_dns(r);
}
