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
 * libFuzzer target for the handshake reader.  Each input is read under two
 * policies; a complete answer must be one of the documented statuses, fit
 * in 512 bytes, and be the same when only the head is given (nothing after
 * the head may change the verdict).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static const char *const origins[] = { "https://chat.example.org" };

static const struct http_policy pols[] = {
	{ "/", "/echo", origins, 1 },
	{ "/ws", NULL, NULL, 0 },
};

static void
check(const char *buf, size_t len, const struct http_policy *pol)
{
	struct http_result	 res, again;
	char			 out[512];
	size_t			 n, r;

	n = http_parse_upgrade(buf, len, pol, &res);
	if (n == 0)
		return;
	if (n > len)
		abort();
	switch (res.status) {
	case 101:
		if (res.endpoint != ENDPOINT_RELAY &&
		    res.endpoint != ENDPOINT_ECHO)
			abort();
		if (res.proto != PROTO_JSON && res.proto != PROTO_MSGPACK)
			abort();
		if (strlen(res.accept) != 28)
			abort();
		break;
	case 400:
	case 403:
	case 404:
	case 426:
	case 431:
		if (res.reason == NULL)
			abort();
		break;
	default:
		abort();
	}
	r = http_response(out, sizeof(out), &res);
	if (r == 0 || r >= sizeof(out) || strlen(out) != r)
		abort();
	if (http_parse_upgrade(buf, n, pol, &again) != n ||
	    again.status != res.status || again.proto != res.proto ||
	    again.want_version != res.want_version ||
	    strcmp(again.accept, res.accept) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*buf;
	size_t	 i;

	/* A copy of exactly size bytes, so ASan sees any over-read. */
	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	for (i = 0; i < sizeof(pols) / sizeof(pols[0]); i++)
		check(buf, size, &pols[i]);
	free(buf);
	return 0;
}
