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
 * libFuzzer target for the hosts-file lines of libsws (client/resolve.c).
 * The input's first line is the name looked up (at most 255 bytes), each
 * further line one line of a hosts file, given in a buffer of exactly its
 * length and a NUL, once for IPv4 and once for IPv6.  Every address added
 * must be of the family asked, carry the client's port, and there may be
 * no more than SWS_ADDRS_MAX of them; a line that adds an address must
 * add it again when given twice, unless the list is full.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/sws_local.h"

static void
one_line(struct sws_client *c, const uint8_t *p, size_t len, int af)
{
	char	*line;
	int	 before, i;

	if ((line = malloc(len + 1)) == NULL)
		return;
	memcpy(line, p, len);
	line[len] = '\0';
	before = c->naddrs;
	resolve_hosts_line(c, line, af);
	if (c->naddrs < before || c->naddrs > before + 1 ||
	    c->naddrs > SWS_ADDRS_MAX)
		abort();
	for (i = before; i < c->naddrs; i++) {
		if (c->addrs[i].u.sa.sa_family != af)
			abort();
		if (af == AF_INET ? (c->addrs[i].u.sin.sin_port != htons(80) ||
		    c->addrs[i].len != sizeof(struct sockaddr_in)) :
		    (c->addrs[i].u.sin6.sin6_port != htons(80) ||
		    c->addrs[i].len != sizeof(struct sockaddr_in6)))
			abort();
	}
	if (c->naddrs == before + 1 && c->naddrs < SWS_ADDRS_MAX) {
		memcpy(line, p, len);
		line[len] = '\0';
		resolve_hosts_line(c, line, af);
		if (c->naddrs != before + 2 || memcmp(&c->addrs[before],
		    &c->addrs[before + 1], sizeof(c->addrs[0])) != 0)
			abort();
	}
	free(line);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sws_client	*c;
	const uint8_t		*p, *nl, *end = data + size;

	if ((nl = memchr(data, '\n', size)) == NULL ||
	    (size_t)(nl - data) >= sizeof(c->host))
		return 0;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return 0;
	memcpy(c->host, data, (size_t)(nl - data));
	strlcpy(c->port, "80", sizeof(c->port));
	for (p = nl + 1; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		one_line(c, p, (size_t)(nl - p), AF_INET);
		one_line(c, p, (size_t)(nl - p), AF_INET6);
	}
	free(c);
	return 0;
}
