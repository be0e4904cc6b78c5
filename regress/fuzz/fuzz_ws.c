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
 * libFuzzer target for the WebSocket receive parser.  Each input is parsed
 * as a server and as a client, first in one feed and then in pieces whose
 * sizes come from a generator seeded with the input itself (so a crash
 * replays), with a callback that sometimes stops.  Both ways must deliver
 * the same messages and end the same way; every delivery and every return
 * value is checked against the contract in ws.h, down to the rest of the
 * input after a violation, which must be refused with the same code.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "ws.h"

#define MAX_MESSAGE	4096

struct run {
	uint64_t	 hash;		/* of every (opcode, length, payload) */
	size_t		 count;
	int		 stop_every;	/* callback stops every n-th call, 0 never */
	int		 stopped;	/* the last call asked to stop */
	int		 closed;
};

static uint64_t
fnv(uint64_t h, const void *p, size_t len)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
deliver(void *arg, int op, uint8_t *data, size_t len)
{
	struct run	*r = arg;
	uint64_t	 l = len;

	if (r->closed)
		abort();		/* nothing after a close */
	if (data == NULL)
		abort();
	switch (op) {
	case WS_OP_TEXT:
		if (!utf8_valid(data, len))
			abort();
		/* FALLTHROUGH */
	case WS_OP_BINARY:
		if (len > MAX_MESSAGE)
			abort();
		break;
	case WS_OP_CLOSE:
		if (len == 1 || len > WS_MAX_CONTROL)
			abort();
		if (len >= 2 && (!ws_close_code_valid(data[0] << 8 | data[1]) ||
		    !utf8_valid(data + 2, len - 2)))
			abort();
		r->closed = 1;
		break;
	case WS_OP_PING:
	case WS_OP_PONG:
		if (len > WS_MAX_CONTROL)
			abort();
		break;
	default:
		abort();
	}
	/* Touch every byte so ASan sees a bad pointer or length. */
	r->hash = fnv(r->hash, &op, sizeof(op));
	r->hash = fnv(r->hash, &l, sizeof(l));
	r->hash = fnv(r->hash, data, len);
	r->count++;
	r->stopped = r->stop_every != 0 && r->count % r->stop_every == 0;
	return r->stopped;
}

static int
deliver_none(void *arg, int op, uint8_t *data, size_t len)
{
	(void)arg;
	(void)op;
	(void)data;
	(void)len;
	abort();
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Returns 0 when the whole input was taken, else the close code. */
static int
parse(const uint8_t *in, size_t size, int expect_mask, uint64_t seed,
    size_t maxchunk, struct run *r)
{
	struct ws_rx	 rx;
	uint8_t		*buf;
	size_t		 off = 0, c, done;
	ssize_t		 n;
	int		 code = 0, again;

	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, in, size);
	ws_rx_init(&rx, expect_mask);
	while (off < size) {
		c = maxchunk == 0 ? size - off : 1 + rnd(&seed) % maxchunk;
		if (c > size - off)
			c = size - off;
		for (done = 0; done < c; done += (size_t)n) {
			r->stopped = 0;
			code = 0;
			n = ws_rx_feed(&rx, MAX_MESSAGE, buf + off + done,
			    c - done, deliver, r, &code);
			if (n == -1) {
				if (code != WS_CLOSE_PROTOCOL &&
				    code != WS_CLOSE_BAD_DATA &&
				    code != WS_CLOSE_TOO_BIG &&
				    code != WS_CLOSE_INTERNAL)
					abort();
				/* Whatever comes after is refused alike. */
				if (ws_rx_feed(&rx, MAX_MESSAGE, buf + off + done,
				    size - off - done, deliver_none, NULL,
				    &again) != -1 || again != code)
					abort();
				goto out;
			}
			if (n < 0 || (size_t)n > c - done)
				abort();
			/* Fewer bytes only when the callback asked. */
			if ((size_t)n < c - done && !r->stopped)
				abort();
			/* What was not taken must be as it came. */
			if (memcmp(buf + off + done + n, in + off + done + n,
			    c - done - (size_t)n) != 0)
				abort();
			if (n == 0)
				abort();	/* a stop always follows bytes */
		}
		off += c;
	}
	if (rx.msg_len > MAX_MESSAGE || rx.nfrag > WS_MAX_FRAGMENTS)
		abort();
 out:
	ws_rx_free(&rx);
	free(buf);
	return code;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run	 whole, pieces;
	uint64_t	 seed;
	size_t		 maxchunk;
	int		 m, c1, c2;

	seed = fnv(0xcbf29ce484222325ULL, data, size) | 1;
	maxchunk = size > 0 ? 1 + data[0] % 32 : 1;
	for (m = 0; m <= 1; m++) {
		memset(&whole, 0, sizeof(whole));
		memset(&pieces, 0, sizeof(pieces));
		pieces.stop_every = 1 + (int)(seed % 3);
		c1 = parse(data, size, m, seed, 0, &whole);
		c2 = parse(data, size, m, seed, maxchunk, &pieces);
		if (c1 != c2 || whole.count != pieces.count ||
		    whole.hash != pieces.hash)
			abort();
	}
	return 0;
}
