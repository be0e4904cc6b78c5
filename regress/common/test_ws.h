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
 * What the framing tests share (test_ws_*.c, one binary each): a record
 * of everything the parser's callback saw, and a small frame encoder of
 * the tests' own, independent of the builders under test.  Static
 * inline, so that each test compiles only what it uses.
 */
#ifndef SWS_TEST_WS_H
#define SWS_TEST_WS_H

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regress/lib/tap.h"
#include "utf8.h"
#include "ws.h"

#define FIN	0x80
#define MAXREC	512

/* Everything the callback saw. */
struct rec {
	int		 n;
	int		 op[MAXREC];
	size_t		 len[MAXREC];
	size_t		 at[MAXREC];	/* offset of the copy in data */
	const uint8_t	*ptr[MAXREC];	/* pointer handed to the callback */
	int		 idle[MAXREC];	/* rx had no reassembly buffer */
	uint8_t		*data;
	size_t		 datalen, datacap;
	int		 stop_on;	/* return 1 for this opcode, -1 none */
	int		 stop_all;	/* return 1 every time */
	const struct ws_rx *rx;
};

static inline void
rec_init(struct rec *r, const struct ws_rx *rx)
{
	memset(r, 0, sizeof(*r));
	r->stop_on = -1;
	r->rx = rx;
}

static inline void
rec_free(struct rec *r)
{
	free(r->data);
	r->data = NULL;
}

static inline int
collect(void *arg, int op, uint8_t *data, size_t len)
{
	struct rec	*r = arg;

	if (r->n == MAXREC)
		abort();
	if (r->datalen + len > r->datacap) {
		r->datacap = (r->datalen + len) * 2 + 64;
		if ((r->data = realloc(r->data, r->datacap)) == NULL)
			abort();
	}
	if (len > 0)
		memcpy(r->data + r->datalen, data, len);
	r->op[r->n] = op;
	r->len[r->n] = len;
	r->at[r->n] = r->datalen;
	r->ptr[r->n] = data;
	r->idle[r->n] = r->rx != NULL && r->rx->msg == NULL &&
	    r->rx->msg_cap == 0;
	r->datalen += len;
	r->n++;
	return r->stop_all || op == r->stop_on;
}

static inline int
rec_is(const struct rec *r, int i, int op, const void *p, size_t len)
{
	return i < r->n && r->op[i] == op && r->len[i] == len &&
	    (len == 0 || memcmp(r->data + r->at[i], p, len) == 0);
}

static const uint8_t tkey[4] = { 0x37, 0xfa, 0x21, 0x3d };

/*
 * One frame; b0 is the first byte as sent (FIN, RSV, opcode), the length
 * always in its minimal form.
 */
static inline size_t
mkframe(uint8_t *out, uint8_t b0, const void *payload, size_t len, int masked)
{
	const uint8_t	*pl = payload;
	size_t		 n = 0, i;
	uint8_t		 m = masked ? 0x80 : 0;

	out[n++] = b0;
	if (len < 126)
		out[n++] = m | (uint8_t)len;
	else if (len <= 0xffff) {
		out[n++] = m | 126;
		out[n++] = (uint8_t)(len >> 8);
		out[n++] = (uint8_t)len;
	} else {
		out[n++] = m | 127;
		for (i = 0; i < 8; i++)
			out[n++] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	}
	if (masked) {
		memcpy(out + n, tkey, 4);
		n += 4;
	}
	for (i = 0; i < len; i++)
		out[n + i] = pl[i] ^ (masked ? tkey[i & 3] : 0);
	return n + len;
}

#endif /* SWS_TEST_WS_H */
