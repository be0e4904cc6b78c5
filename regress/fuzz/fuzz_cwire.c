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
 * libFuzzer target for the cluster records other nodes send (cwire.c).
 * The input is copied to a buffer of exactly its size, so ASan sees a
 * read past the end.  Every record read is written again with the
 * encoder and must come out as the bytes it was read from: decoding
 * neither loses nor invents a field, and a record of unknown type is
 * the only thing skipped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cwire.h"

static size_t
reencode(const struct cw_rec *r, uint8_t *out, size_t cap)
{
	switch (r->type) {
	case CW_HELLO:
		return cw_put_hello(out, cap, r->flags);
	case CW_BEAT:
	case CW_BYE:
		return cw_put_empty(out, cap, r->type);
	case CW_KEY:
		return cw_put_key(out, cap, r->pk, r->n, r->oldest);
	case CW_ROOM:
		return cw_put_room(out, cap, r->pk, r->n, r->room,
		    r->room_len);
	case CW_SEND:
		return cw_put_send(out, cap, r->ref, r->from, r->pk, r->body,
		    r->body_len);
	case CW_RESULT:
		return cw_put_result(out, cap, r->ref, r->code);
	case CW_PUBLISH:
		return cw_put_publish(out, cap, r->from, r->room, r->room_len,
		    r->body, r->body_len);
	}
	abort();
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct cw_batch	 b;
	struct cw_rec	 r;
	uint8_t		*buf, *out, hdr[CW_HDR_MAX];
	const uint8_t	*at;
	size_t		 n, h;
	int		 rv;

	if ((buf = malloc(len > 0 ? len : 1)) == NULL ||
	    (out = malloc(len + 64)) == NULL)
		abort();
	memcpy(buf, data, len);
	if (cw_batch_open(buf, len, &b) == 0) {
		if (strlen(b.node) == 0 || strlen(b.node) >= CLUSTER_NAME_MAX)
			abort();
		h = cw_put_header(hdr, sizeof(hdr), b.node, b.incarnation);
		if (h == 0 || h > len || memcmp(hdr, buf, h) != 0)
			abort();
		for (;;) {
			at = b.p;
			if ((rv = cw_next(&b, &r)) != 1)
				break;
			n = reencode(&r, out, len + 64);
			/* unknown records before it were skipped */
			if (n == 0 || n > (size_t)(b.p - at) ||
			    memcmp(out, b.p - n, n) != 0)
				abort();
		}
		if (rv != 0 && rv != -1)
			abort();
	}
	free(out);
	free(buf);
	return 0;
}
