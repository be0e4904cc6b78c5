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


/* Cluster records: see cwire.h. */
#include <string.h>

#include "cwire.h"

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static int
name_ok(const uint8_t *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len >= CLUSTER_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '-'))
			return 0;
	return 1;
}

int
cw_batch_open(const uint8_t *p, size_t len, struct cw_batch *b)
{
	size_t	 nlen;

	if (len < 4 + 8 + 1 || memcmp(p, CW_MAGIC, 4) != 0)
		return -1;
	b->incarnation = get64(p + 4);
	nlen = p[12];
	if (len - 13 < nlen || !name_ok(p + 13, nlen))
		return -1;
	memcpy(b->node, p + 13, nlen);
	b->node[nlen] = '\0';
	b->p = p + 13 + nlen;
	b->len = len - 13 - nlen;
	return 0;
}

/* A room name as SPEC rooms have them: 1-128 bytes, no control bytes. */
static int
room_ok(const uint8_t *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > SWS_ROOM_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int
cw_next(struct cw_batch *b, struct cw_rec *r)
{
	const uint8_t	*p;
	size_t		 len;

	for (;;) {
		if (b->len == 0)
			return 0;
		if (b->len < CW_REC_HDR)
			return -1;
		len = get32(b->p + 1);
		if (b->len - CW_REC_HDR < len)
			return -1;
		memset(r, 0, sizeof(*r));
		r->type = b->p[0];
		p = b->p + CW_REC_HDR;
		b->p += CW_REC_HDR + len;
		b->len -= CW_REC_HDR + len;
		switch (r->type) {
		case CW_HELLO:
			if (len != 1)
				return -1;
			r->flags = p[0];
			return 1;
		case CW_BEAT:
		case CW_BYE:
			if (len != 0)
				return -1;
			return 1;
		case CW_KEY:
			if (len != SWS_KEY_LEN + 4 + 8)
				return -1;
			r->pk = p;
			r->n = get32(p + SWS_KEY_LEN);
			r->oldest = get64(p + SWS_KEY_LEN + 4);
			return 1;
		case CW_ROOM:
			if (len < SWS_KEY_LEN + 4 + 1 + 1)
				return -1;
			r->pk = p;
			r->n = get32(p + SWS_KEY_LEN);
			r->room_len = p[SWS_KEY_LEN + 4];
			r->room = (const char *)p + SWS_KEY_LEN + 5;
			if (len != SWS_KEY_LEN + 5 + r->room_len ||
			    !room_ok((const uint8_t *)r->room, r->room_len))
				return -1;
			return 1;
		case CW_SEND:
			if (len < 8 + 2 * SWS_KEY_LEN)
				return -1;
			r->ref = get64(p);
			r->from = p + 8;
			r->pk = p + 8 + SWS_KEY_LEN;
			r->body = p + 8 + 2 * SWS_KEY_LEN;
			r->body_len = len - 8 - 2 * SWS_KEY_LEN;
			return 1;
		case CW_RESULT:
			if (len != 9 || p[8] > CW_TOO_LARGE)
				return -1;
			r->ref = get64(p);
			r->code = p[8];
			return 1;
		case CW_PUBLISH:
			if (len < SWS_KEY_LEN + 1 + 1)
				return -1;
			r->from = p;
			r->room_len = p[SWS_KEY_LEN];
			r->room = (const char *)p + SWS_KEY_LEN + 1;
			if (len - SWS_KEY_LEN - 1 < r->room_len ||
			    !room_ok((const uint8_t *)r->room, r->room_len))
				return -1;
			r->body = p + SWS_KEY_LEN + 1 + r->room_len;
			r->body_len = len - SWS_KEY_LEN - 1 - r->room_len;
			return 1;
		default:
			continue;	/* a later version's: skipped */
		}
	}
}

size_t
cw_put_header(uint8_t *p, size_t cap, const char *node, uint64_t inc)
{
	size_t	 nlen = strlen(node);

	if (nlen == 0 || nlen >= CLUSTER_NAME_MAX || cap < 13 + nlen)
		return 0;
	memcpy(p, CW_MAGIC, 4);
	put64(p + 4, inc);
	p[12] = (uint8_t)nlen;
	memcpy(p + 13, node, nlen);
	return 13 + nlen;
}

static uint8_t *
rec(uint8_t *p, size_t cap, int type, size_t len)
{
	if (cap < CW_REC_HDR || cap - CW_REC_HDR < len || len > UINT32_MAX)
		return NULL;
	p[0] = (uint8_t)type;
	put32(p + 1, (uint32_t)len);
	return p + CW_REC_HDR;
}

size_t
cw_put_hello(uint8_t *p, size_t cap, uint8_t flags)
{
	uint8_t	*q;

	if ((q = rec(p, cap, CW_HELLO, 1)) == NULL)
		return 0;
	q[0] = flags;
	return CW_REC_HDR + 1;
}

size_t
cw_put_empty(uint8_t *p, size_t cap, int type)
{
	return rec(p, cap, type, 0) == NULL ? 0 : CW_REC_HDR;
}

size_t
cw_put_key(uint8_t *p, size_t cap, const uint8_t *pk, uint32_t n,
    uint64_t oldest)
{
	uint8_t	*q;

	if ((q = rec(p, cap, CW_KEY, SWS_KEY_LEN + 12)) == NULL)
		return 0;
	memcpy(q, pk, SWS_KEY_LEN);
	put32(q + SWS_KEY_LEN, n);
	put64(q + SWS_KEY_LEN + 4, oldest);
	return CW_REC_HDR + SWS_KEY_LEN + 12;
}

size_t
cw_put_room(uint8_t *p, size_t cap, const uint8_t *pk, uint32_t n,
    const char *room, size_t room_len)
{
	uint8_t	*q;

	if (room_len == 0 || room_len > SWS_ROOM_MAX ||
	    (q = rec(p, cap, CW_ROOM, SWS_KEY_LEN + 5 + room_len)) == NULL)
		return 0;
	memcpy(q, pk, SWS_KEY_LEN);
	put32(q + SWS_KEY_LEN, n);
	q[SWS_KEY_LEN + 4] = (uint8_t)room_len;
	memcpy(q + SWS_KEY_LEN + 5, room, room_len);
	return CW_REC_HDR + SWS_KEY_LEN + 5 + room_len;
}

size_t
cw_put_send(uint8_t *p, size_t cap, uint64_t ref, const uint8_t *from,
    const uint8_t *to, const uint8_t *body, size_t body_len)
{
	uint8_t	*q;

	if ((q = rec(p, cap, CW_SEND, 8 + 2 * SWS_KEY_LEN + body_len)) ==
	    NULL)
		return 0;
	put64(q, ref);
	memcpy(q + 8, from, SWS_KEY_LEN);
	memcpy(q + 8 + SWS_KEY_LEN, to, SWS_KEY_LEN);
	if (body_len > 0)
		memcpy(q + 8 + 2 * SWS_KEY_LEN, body, body_len);
	return CW_SEND_LEN(body_len);
}

size_t
cw_put_result(uint8_t *p, size_t cap, uint64_t ref, uint8_t code)
{
	uint8_t	*q;

	if ((q = rec(p, cap, CW_RESULT, 9)) == NULL)
		return 0;
	put64(q, ref);
	q[8] = code;
	return CW_REC_HDR + 9;
}

size_t
cw_put_publish(uint8_t *p, size_t cap, const uint8_t *from,
    const char *room, size_t room_len, const uint8_t *body, size_t body_len)
{
	uint8_t	*q;

	if (room_len == 0 || room_len > SWS_ROOM_MAX || (q = rec(p, cap,
	    CW_PUBLISH, SWS_KEY_LEN + 1 + room_len + body_len)) == NULL)
		return 0;
	memcpy(q, from, SWS_KEY_LEN);
	q[SWS_KEY_LEN] = (uint8_t)room_len;
	memcpy(q + SWS_KEY_LEN + 1, room, room_len);
	if (body_len > 0)
		memcpy(q + SWS_KEY_LEN + 1 + room_len, body, body_len);
	return CW_PUBLISH_LEN(room_len, body_len);
}
