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
 * libFuzzer target for the admin endpoint's request line reader
 * (relayd/admin.c).  Each input is read from a buffer of exactly its
 * size, so that ASan sees a read past len; the verdict is 0 with one of
 * the known answers, or 400 or 405, and a request accepted stays
 * accepted, the same way, whatever bytes follow its first CRLF.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
parse_at(const uint8_t *data, size_t len, struct admin_req *req)
{
	char	*b;
	int	 r;

	if ((b = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(b, data, len);
	r = admin_parse(b, len, req);
	free(b);
	if (r != 0 && r != 400 && r != 405)
		abort();
	if (r == 0 && req->what != ADMIN_METRICS &&
	    req->what != ADMIN_HEALTHZ && req->what != ADMIN_NOT_FOUND)
		abort();
	if (r == 0 && req->head != 0 && req->head != 1)
		abort();
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct admin_req	 a, b;
	const uint8_t		*eol;
	size_t			 line;
	uint8_t			*more;
	int			 r;

	r = parse_at(data, len, &a);
	if (r != 0)
		return 0;
	/* accepted: its first line ends in CRLF; what follows is not read */
	if ((eol = memchr(data, '\r', len)) == NULL)
		abort();
	line = (size_t)(eol - data) + 2;
	if ((more = malloc(line + 7)) == NULL)
		abort();
	memcpy(more, data, line);
	memcpy(more + line, "X: y\r\n\r", 7);
	if (parse_at(more, line + 7, &b) != 0 || b.what != a.what ||
	    b.head != a.head)
		abort();
	free(more);
	return 0;
}
