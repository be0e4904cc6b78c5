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
 * libFuzzer target for the PROXY protocol reader.  Each input is read at
 * every length from 0 up, each time from a buffer of exactly that many
 * bytes, so that ASan sees a read past len.  The verdicts must go 0 ... 0
 * and then stay: either -1 (with a reason) for good, or the header's
 * length n from the n-th byte on, with the same header whatever follows
 * it.  A header is never longer than PROXY_MAX, a v1 one than
 * PROXY_V1_MAX, and a local one carries no address.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

static ssize_t
parse_at(const uint8_t *data, size_t len, struct proxy_hdr *h)
{
	static const uint8_t	 zero[16];
	const char		*why = NULL;
	uint8_t			*b;
	ssize_t			 r;

	if ((b = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(b, data, len);
	r = proxy_parse(b, len, h, &why);
	free(b);
	if (r < -1 || r > (ssize_t)len || r > PROXY_MAX)
		abort();
	if (r == -1 && why == NULL)
		abort();
	if (r > 0) {
		if (h->version != 1 && h->version != 2)
			abort();
		if (h->version == 1 && r > PROXY_V1_MAX)
			abort();
		if (h->local && (memcmp(h->src, zero, 16) != 0 ||
		    memcmp(h->dst, zero, 16) != 0 || h->src_port != 0 ||
		    h->dst_port != 0))
			abort();
	}
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_hdr	 h, first;
	ssize_t			 r, prev = 0;
	size_t			 k, max;

	/* Past PROXY_MAX bytes no verdict may change: a few more will do. */
	memset(&first, 0, sizeof(first));
	max = size < PROXY_MAX + 8 ? size : PROXY_MAX + 8;
	for (k = 0; k <= max; k++) {
		r = parse_at(data, k, &h);
		if (prev == 0) {
			/* A header's length is told by its last byte. */
			if (r > 0 && (size_t)r != k)
				abort();
			if (r > 0)
				first = h;
		} else if (r != prev)
			abort();
		else if (r > 0 && memcmp(&h, &first, sizeof(h)) != 0)
			abort();
		prev = r;
	}
	return 0;
}
