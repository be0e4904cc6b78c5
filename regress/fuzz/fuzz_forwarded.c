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
 * libFuzzer target for the client address of X-Forwarded-For and
 * Forwarded, and for the trusted networks.  The input is cut into lines
 * at LF; a line starting with 'F' is a Forwarded line (the rest of it),
 * 'X' an X-Forwarded-For line, 'N' a network for netaddr_parse(), and
 * any other an X-Forwarded-For line whole.  Each slice has a buffer of
 * exactly its length, so that ASan sees a read past it; past 8 lines of
 * a header the overflow flag is set.
 *
 * proxy_forwarded() must answer 1 with an address that formats and reads
 * back as itself, or 0 with a reason and out untouched; the same input
 * must give the same answer twice; and whether a header is malformed may
 * not depend on which networks are trusted.  A network that parses must
 * hold its own address and format and read back as itself.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

#define MAX_SLICES	(2 * (PROXY_HDR_MAX + 1))

static struct netaddr	 trusted[5];
static size_t		 ntrusted;

static void
init_trusted(void)
{
	static const char *const nets[] = {
		"10.0.0.0/8", "192.0.2.0/24", "198.51.100.128/25",
		"2001:db8::/32", "::1",
	};
	size_t	 i;

	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		if (netaddr_parse(nets[i], &trusted[i], NULL) == -1)
			abort();
	ntrusted = sizeof(nets) / sizeof(nets[0]);
}

static int
malformed(const char *why)
{
	return why != NULL && strstr(why, "malformed") != NULL;
}

static void
check_forwarded(const struct hdr_values *xff, const struct hdr_values *fwd)
{
	static const struct netaddr	 all = { { 0 }, 0 };	/* ::/0 */
	struct netaddr			 back;
	uint8_t				 out[16], again[16];
	char				 buf[INET6_ADDRSTRLEN];
	const char			*why = NULL, *why2 = NULL, *why0 = NULL;
	int				 r, r2, r0;

	memset(out, 0xa5, sizeof(out));
	r = proxy_forwarded(xff, fwd, trusted, ntrusted, out, &why);
	if (r == 0) {
		if (why == NULL || out[0] != 0xa5 || out[15] != 0xa5)
			abort();
	} else if (r == 1) {
		if (why != NULL)
			abort();
		addr16_ntop(out, buf, sizeof(buf));
		if (netaddr_parse(buf, &back, NULL) == -1 ||
		    back.plen != 128 || memcmp(back.addr, out, 16) != 0)
			abort();
	} else
		abort();

	r2 = proxy_forwarded(xff, fwd, trusted, ntrusted, again, &why2);
	if (r2 != r || (r == 1 && memcmp(again, out, 16) != 0))
		abort();

	/* Malformed or not, whoever is trusted. */
	r0 = proxy_forwarded(xff, fwd, NULL, 0, again, &why0);
	if (malformed(why0) != malformed(why))
		abort();
	r0 = proxy_forwarded(xff, fwd, &all, 1, again, &why0);
	if (r0 == 1 && !netaddr_match(&all, 1, again))
		abort();
	if (malformed(why0) != malformed(why))
		abort();
}

static void
check_netaddr(const char *p, size_t len)
{
	struct netaddr	 n, back;
	const char	*why = NULL;
	char		*s, buf[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN];
	int		 v4;

	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, p, len);
	s[len] = '\0';
	if (netaddr_parse(s, &n, &why) == -1) {
		if (why == NULL)
			abort();
		free(s);
		return;
	}
	free(s);
	if (n.plen > 128 || !netaddr_match(&n, 1, n.addr))
		abort();
	addr16_ntop(n.addr, a, sizeof(a));
	v4 = strchr(a, ':') == NULL;
	if (v4 && n.plen < 96)
		abort();
	snprintf(buf, sizeof(buf), "%s/%d", a, v4 ? n.plen - 96 : n.plen);
	if (netaddr_parse(buf, &back, NULL) == -1 || back.plen != n.plen ||
	    memcmp(back.addr, n.addr, 16) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdr_values	 xff, fwd, *hv;
	char			*slices[MAX_SLICES];
	const char		*p = (const char *)data, *nl, *v;
	size_t			 left = size, len, vlen, nslices = 0, i;

	if (ntrusted == 0)
		init_trusted();
	memset(&xff, 0, sizeof(xff));
	memset(&fwd, 0, sizeof(fwd));
	while (left > 0 || p == (const char *)data) {
		nl = memchr(p, '\n', left);
		len = nl != NULL ? (size_t)(nl - p) : left;
		v = p;
		vlen = len;
		hv = &xff;
		if (len > 0 && (p[0] == 'F' || p[0] == 'X' || p[0] == 'N')) {
			v++;
			vlen--;
			if (p[0] == 'F')
				hv = &fwd;
			else if (p[0] == 'N') {
				check_netaddr(v, vlen);
				hv = NULL;
			}
		}
		if (hv != NULL && hv->n == PROXY_HDR_MAX)
			hv->overflow = 1;
		else if (hv != NULL && nslices < MAX_SLICES) {
			if ((slices[nslices] = malloc(vlen > 0 ? vlen : 1)) ==
			    NULL)
				abort();
			memcpy(slices[nslices], v, vlen);
			hv->p[hv->n] = slices[nslices++];
			hv->len[hv->n++] = vlen;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
		left -= len + 1;
	}
	check_forwarded(&xff, &fwd);
	for (i = 0; i < nslices; i++)
		free(slices[i]);
	return 0;
}
