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
 * RFC 6455 framing for the relay and its C clients.  The receive side is a
 * byte-exact, incremental parser: it takes whatever a read returned, checks
 * each part of a frame header as soon as it is in, before it believes the
 * length, and hands complete messages and control frames to a callback.
 * The common case, a whole unfragmented frame inside the caller's buffer,
 * is unmasked and delivered in place with no copy and no allocation; only
 * fragmented messages and frames cut by a read boundary are gathered, in a
 * per-connection buffer that never grows past the message limit.  Text is
 * validated as it arrives, so a bad byte fails the connection at once and
 * not at the end of a large message.  The send side only writes headers.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sha1.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "utf8.h"
#include "ws.h"

/* what an empty payload points at */
static uint8_t	ws_empty[1];

#define WS_FIN		0x80
#define WS_RSV		0x70
#define WS_OPMASK	0x0f
#define WS_MASKBIT	0x80
#define WS_LEN7		0x7f
#define WS_LEN16	126
#define WS_LEN64	127

#define WS_IS_CONTROL(op)	(((op) & 0x08) != 0)

/*
 * Smallest reassembly buffer: below this, doubling would only mean more
 * realloc calls for the short messages that are most of the traffic.
 */
#define WS_MSG_MINCAP	256

void
ws_rx_init(struct ws_rx *rx, int expect_mask)
{
	memset(rx, 0, sizeof(*rx));
	rx->expect_mask = expect_mask != 0;
	rx->utf8 = UTF8_ACCEPT;
}

void
ws_rx_any_fragments(struct ws_rx *rx)
{
	rx->any_frags = 1;
}

void
ws_rx_free(struct ws_rx *rx)
{
	free(rx->ctl);
	rx->ctl = NULL;
	rx->ctl_len = 0;
	free(rx->msg);
	rx->msg = NULL;
	rx->msg_len = 0;
	rx->msg_cap = 0;
}

/* End of the length field; rx->hdr holds at least the first two bytes. */
static size_t
ws_hdr_lenend(const struct ws_rx *rx)
{
	switch (rx->hdr[1] & WS_LEN7) {
	case WS_LEN16:
		return 2 + 2;
	case WS_LEN64:
		return 2 + 8;
	default:
		return 2;
	}
}

/*
 * How far rx->hdr must be filled before it is looked at next: the first
 * two bytes, then the end of the length, then the end of the mask key.
 */
static size_t
ws_hdr_next(const struct ws_rx *rx)
{
	size_t	 n;

	if (rx->hdr_len < 2)
		return 2;
	if (rx->hdr_len < (n = ws_hdr_lenend(rx)))
		return n;
	return (rx->hdr[1] & WS_MASKBIT) != 0 ? n + 4 : n;
}

/*
 * The first two bytes say enough to refuse most bad frames before their
 * length or payload is read.  Returns 0 or a close code.
 */
static int
ws_hdr_check_start(const struct ws_rx *rx)
{
	uint8_t	 b0 = rx->hdr[0], b1 = rx->hdr[1];
	uint8_t	 op = b0 & WS_OPMASK, len7 = b1 & WS_LEN7;

	/* No extension is ever negotiated, so no reserved bit has a meaning. */
	if ((b0 & WS_RSV) != 0)
		return WS_CLOSE_PROTOCOL;
	switch (op) {
	case WS_OP_CONT:
	case WS_OP_TEXT:
	case WS_OP_BINARY:
	case WS_OP_CLOSE:
	case WS_OP_PING:
	case WS_OP_PONG:
		break;
	default:
		return WS_CLOSE_PROTOCOL;
	}
	if (((b1 & WS_MASKBIT) != 0) != rx->expect_mask)
		return WS_CLOSE_PROTOCOL;

	if (WS_IS_CONTROL(op)) {
		if ((b0 & WS_FIN) == 0 || len7 > WS_MAX_CONTROL)
			return WS_CLOSE_PROTOCOL;
		/* A close payload is empty or starts with a two-byte code. */
		if (op == WS_OP_CLOSE && len7 == 1)
			return WS_CLOSE_PROTOCOL;
		return 0;
	}
	/* msg_opcode is set between the first and the final fragment. */
	if (op == WS_OP_CONT) {
		if (rx->msg_opcode == 0)
			return WS_CLOSE_PROTOCOL;
		if (rx->nfrag >= WS_MAX_FRAGMENTS && !rx->any_frags)
			return WS_CLOSE_TOO_BIG;
	} else if (rx->msg_opcode != 0)
		return WS_CLOSE_PROTOCOL;
	return 0;
}

/*
 * The length is in: refuse one that is not minimal, not representable, or
 * more than the message may still grow by, before the mask key is even
 * read and long before anything is allocated.  Returns 0 or a close code.
 */
static int
ws_hdr_check_length(struct ws_rx *rx, size_t max_message)
{
	const uint8_t	*p = rx->hdr + 2;
	uint64_t	 len = rx->hdr[1] & WS_LEN7;
	size_t		 i;

	if (len == WS_LEN16) {
		len = (uint64_t)p[0] << 8 | p[1];
		if (len < WS_LEN16)
			return WS_CLOSE_PROTOCOL;
	} else if (len == WS_LEN64) {
		len = 0;
		for (i = 0; i < 8; i++)
			len = len << 8 | p[i];
		if ((len >> 63) != 0 || len <= 0xffff)
			return WS_CLOSE_PROTOCOL;
	}
	/* Control payloads were held to 125 bytes by the first check. */
	if (!WS_IS_CONTROL(rx->hdr[0] & WS_OPMASK) &&
	    (rx->msg_len > max_message || len > max_message - rx->msg_len))
		return WS_CLOSE_TOO_BIG;
	/* at most max_message, which ws_rx_feed() holds under 4G */
	rx->remaining = (uint32_t)len;
	return 0;
}

/* The whole header is in rx->hdr and checked: set up for the payload. */
static void
ws_hdr_finish(struct ws_rx *rx)
{
	rx->opcode = rx->hdr[0] & WS_OPMASK;
	rx->fin = (rx->hdr[0] & WS_FIN) != 0;
	rx->masked = (rx->hdr[1] & WS_MASKBIT) != 0;
	if (rx->masked)
		memcpy(rx->mask, rx->hdr + rx->hdr_len - 4, sizeof(rx->mask));
	rx->maskoff = 0;
	rx->hdr_len = 0;
	if (WS_IS_CONTROL(rx->opcode)) {
		rx->ctl_len = 0;
		return;
	}
	if (rx->opcode != WS_OP_CONT) {
		rx->msg_opcode = rx->opcode;
		rx->utf8 = UTF8_ACCEPT;
	}
	if (rx->nfrag < UINT8_MAX)
		rx->nfrag++;
}

/*
 * Move header bytes from buf into rx->hdr (a header may arrive a byte at a
 * time), checking each part once it is complete.  Returns 1 when the
 * header is complete, 0 when buf ran out first, -1 with *code set.
 */
static int
ws_hdr_gather(struct ws_rx *rx, size_t max_message, const uint8_t *buf,
    size_t len, size_t *off, int *code)
{
	size_t	 want, n;

	while ((want = ws_hdr_next(rx)) > rx->hdr_len) {
		if (*off == len)
			return 0;
		n = want - rx->hdr_len;
		if (n > len - *off)
			n = len - *off;
		memcpy(rx->hdr + rx->hdr_len, buf + *off, n);
		rx->hdr_len += n;
		*off += n;
		if (rx->hdr_len < want)
			return 0;
		/*
		 * Copies stop at each part's end, so these compare equal
		 * exactly once; with a 7-bit length the first two bytes end
		 * both parts.
		 */
		if (rx->hdr_len == 2 && (*code = ws_hdr_check_start(rx)) != 0)
			return -1;
		if (rx->hdr_len == ws_hdr_lenend(rx) &&
		    (*code = ws_hdr_check_length(rx, max_message)) != 0)
			return -1;
	}
	ws_hdr_finish(rx);
	return 1;
}

/*
 * Make room for the len bytes about to be appended (still counted in
 * rx->remaining).  Growth follows what has arrived, not what a header
 * promised, so a peer that declares a large frame and then stalls holds
 * no more than twice what it sent; and it stops at the final size once
 * the last frame of the message is being read.  The header checks made
 * msg_len + remaining <= max_message.
 */
static int
ws_msg_reserve(struct ws_rx *rx, size_t len, size_t max_message)
{
	size_t	 need = rx->msg_len + len, cap, final;
	uint8_t	*p;

	if (need <= rx->msg_cap)
		return 0;
	cap = rx->msg_cap < WS_MSG_MINCAP ? WS_MSG_MINCAP : rx->msg_cap;
	while (cap < need && cap <= max_message / 2)
		cap *= 2;
	if (cap < need || cap > max_message)
		cap = max_message;
	if (rx->fin) {
		final = rx->msg_len + (size_t)rx->remaining;
		if (cap > final)
			cap = final;
	}
	if (cap < need)
		cap = need;
	if ((p = realloc(rx->msg, cap)) == NULL)
		return -1;
	rx->msg = p;
	rx->msg_cap = (uint32_t)cap;
	return 0;
}

/*
 * Take len payload bytes of the current frame, the next ones the frame
 * has, into rx->ctl or the message buffer.  Returns 0 or a close code.
 */
static int
ws_payload_gather(struct ws_rx *rx, size_t max_message, uint8_t *p,
    size_t len)
{
	if (rx->masked) {
		ws_mask(p, len, rx->mask, rx->maskoff);
		rx->maskoff = (rx->maskoff + len) & 3;
	}
	if (WS_IS_CONTROL(rx->opcode)) {
		/* rare: allocated for this frame, freed once it is delivered */
		if (rx->ctl == NULL && len > 0 &&
		    (rx->ctl = malloc(WS_MAX_CONTROL)) == NULL)
			return WS_CLOSE_INTERNAL;
		if (len > 0)
			memcpy(rx->ctl + rx->ctl_len, p, len);
		rx->ctl_len += len;
	} else if (len > 0) {
		if (rx->msg_opcode == WS_OP_TEXT) {
			/* Fail on the read with the bad byte, not at the end. */
			rx->utf8 = (uint8_t)utf8_step(rx->utf8, p, len);
			if (rx->utf8 == UTF8_REJECT)
				return WS_CLOSE_BAD_DATA;
		}
		if (ws_msg_reserve(rx, len, max_message) == -1)
			return WS_CLOSE_INTERNAL;
		memcpy(rx->msg + rx->msg_len, p, len);
		rx->msg_len += (uint32_t)len;
	}
	rx->remaining -= (uint32_t)len;
	return 0;
}

/* A close payload is empty, or a code valid on the wire and a UTF-8 reason. */
static int
ws_close_payload_check(const uint8_t *p, size_t len)
{
	if (len == 0)
		return 0;
	if (len < 2 || !ws_close_code_valid((unsigned int)p[0] << 8 | p[1]))
		return WS_CLOSE_PROTOCOL;
	if (!utf8_valid(p + 2, len - 2))
		return WS_CLOSE_BAD_DATA;
	return 0;
}

/*
 * Deliver the control frame just read.  Returns a close code when its
 * payload is bad, else 0 with *stop set from the callback.
 */
static int
ws_control(struct ws_rx *rx, uint8_t *p, size_t len, ws_msg_cb cb, void *arg,
    int *stop)
{
	int	 code;

	if (rx->opcode == WS_OP_CLOSE) {
		if ((code = ws_close_payload_check(p, len)) != 0)
			return code;
		/* Before the call, so that a stopping callback leaves it set. */
		rx->closed = 1;
	}
	*stop = cb(arg, rx->opcode, p, len) != 0;
	return 0;
}

/*
 * Forget the message just delivered.  The buffer goes too: an idle
 * connection holds no reassembly memory, whatever it once received.
 */
static void
ws_msg_reset(struct ws_rx *rx)
{
	rx->msg_opcode = 0;
	rx->nfrag = 0;
	rx->utf8 = UTF8_ACCEPT;
	ws_rx_free(rx);
}

ssize_t
ws_rx_feed(struct ws_rx *rx, size_t max_message, uint8_t *buf, size_t len,
    ws_msg_cb cb, void *arg, int *closecode)
{
	size_t	 off = 0, n;
	uint8_t	*p;
	int	 code = 0, stop, r;

	/*
	 * Resuming after a violation would take the rest of a header whose
	 * first checks failed as if they had passed (a control frame of
	 * 126 bytes or more would then fill rx->ctl past its end).
	 */
	if (rx->failcode != 0) {
		*closecode = rx->failcode;
		return -1;
	}
	/* the lengths of struct ws_rx are 32 bits */
	if (max_message > UINT32_MAX - 1)
		max_message = UINT32_MAX - 1;
	if (rx->closed)
		return (ssize_t)len;
	/*
	 * A header that ends buf goes on to its payload in the same turn, so
	 * an empty frame there is still delivered: the loop need not run
	 * once buf is used up.
	 */
	while (off < len) {
		if (!rx->in_frame) {
			r = ws_hdr_gather(rx, max_message, buf, len, &off,
			    &code);
			if (r == -1)
				goto fail;
			if (r == 0)
				break;
			rx->in_frame = 1;
		}

		/*
		 * The fast path: a whole control frame, or a whole frame
		 * that is a message by itself, is unmasked and delivered
		 * where it lies.  None of its payload may have been taken
		 * yet (a header can end one read and its payload fill the
		 * next).
		 */
		if (rx->remaining <= len - off && rx->ctl_len == 0 &&
		    rx->msg_len == 0 && (WS_IS_CONTROL(rx->opcode) ||
		    (rx->fin && rx->opcode != WS_OP_CONT))) {
			n = (size_t)rx->remaining;
			p = buf + off;
			if (rx->masked)
				ws_mask(p, n, rx->mask, 0);
			off += n;
			rx->remaining = 0;
			rx->in_frame = 0;
			if (WS_IS_CONTROL(rx->opcode)) {
				if ((code = ws_control(rx, p, n, cb, arg,
				    &stop)) != 0)
					goto fail;
				if (stop)
					return (ssize_t)off;
				if (rx->closed)
					return (ssize_t)len;
				continue;
			}
			if (rx->opcode == WS_OP_TEXT && !utf8_valid(p, n)) {
				code = WS_CLOSE_BAD_DATA;
				goto fail;
			}
			rx->msg_opcode = 0;
			rx->nfrag = 0;
			if (cb(arg, rx->opcode, p, n) != 0)
				return (ssize_t)off;
			continue;
		}

		/* The slow path: gather what buf has of the payload. */
		n = len - off;
		if (n > rx->remaining)
			n = (size_t)rx->remaining;
		if ((code = ws_payload_gather(rx, max_message, buf + off,
		    n)) != 0)
			goto fail;
		off += n;
		if (rx->remaining > 0)
			break;			/* buf is used up */
		rx->in_frame = 0;

		if (WS_IS_CONTROL(rx->opcode)) {
			n = rx->ctl_len;
			rx->ctl_len = 0;
			code = ws_control(rx, rx->ctl != NULL ? rx->ctl : ws_empty,
			    n, cb, arg, &stop);
			free(rx->ctl);
			rx->ctl = NULL;
			if (code != 0)
				goto fail;
			if (stop)
				return (ssize_t)off;
			if (rx->closed)
				return (ssize_t)len;
			continue;
		}
		if (!rx->fin)
			continue;
		if (rx->msg_opcode == WS_OP_TEXT && rx->utf8 != UTF8_ACCEPT) {
			code = WS_CLOSE_BAD_DATA;
			goto fail;
		}
		/* An empty message has no buffer; hand out a valid pointer. */
		p = rx->msg != NULL ? rx->msg : ws_empty;
		stop = cb(arg, rx->msg_opcode, p, rx->msg_len) != 0;
		ws_msg_reset(rx);
		if (stop)
			return (ssize_t)off;
	}
	return (ssize_t)off;

 fail:
	rx->failcode = (uint16_t)code;
	*closecode = code;
	return -1;
}

size_t
ws_header_len(uint64_t len)
{
	return len < WS_LEN16 ? 2 : len <= 0xffff ? 4 : 10;
}

size_t
ws_header(uint8_t *out, int opcode, uint64_t len)
{
	int	 i;

	out[0] = WS_FIN | (opcode & WS_OPMASK);
	if (len < WS_LEN16) {
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len <= 0xffff) {
		out[1] = WS_LEN16;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		return 4;
	}
	out[1] = WS_LEN64;
	for (i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
	return 10;
}

size_t
ws_header_masked(uint8_t *out, int opcode, uint64_t len, const uint8_t mask[4])
{
	size_t	 n;

	n = ws_header(out, opcode, len);
	out[1] |= WS_MASKBIT;
	memcpy(out + n, mask, 4);
	return n + 4;
}

void
ws_mask(uint8_t *p, size_t len, const uint8_t mask[4], size_t off)
{
	uint8_t		 m8[8];
	uint64_t	 m, w;
	size_t		 i;

	/*
	 * The key repeated and turned to the start offset, laid out in
	 * memory order, so one XOR per word is right on any byte order.
	 */
	for (i = 0; i < sizeof(m8); i++)
		m8[i] = mask[(off + i) & 3];
	memcpy(&m, m8, sizeof(m));
	i = 0;
#ifdef __SSE2__
	{
		__m128i	 m16 = _mm_set1_epi64x((long long)m), v;

		for (; len - i >= 16; i += 16) {
			v = _mm_loadu_si128((const __m128i *)(void *)(p + i));
			_mm_storeu_si128((__m128i *)(void *)(p + i),
			    _mm_xor_si128(v, m16));
		}
	}
#endif
	for (; len - i >= sizeof(w); i += sizeof(w)) {
		memcpy(&w, p + i, sizeof(w));
		w ^= m;
		memcpy(p + i, &w, sizeof(w));
	}
	for (; i < len; i++)
		p[i] ^= m8[i & 7];
}

int
ws_close_code_valid(unsigned int code)
{
	/*
	 * RFC 6455 section 7.4: 1004-1006 and 1015 are reserved and never
	 * sent; 1012-1014 were registered with IANA later (the relay itself
	 * closes with 1013); the rest of 1000-2999 is for RFCs this code does
	 * not know; 3000-4999 belongs to libraries and applications.
	 */
	if (code >= 1000 && code <= 1003)
		return 1;
	if (code >= 1007 && code <= 1014)
		return 1;
	if (code >= 3000 && code <= 4999)
		return 1;
	return 0;
}

#define WS_GUID	"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

void
ws_accept(char out[WS_ACCEPT_LEN + 1], const char *key, size_t keylen)
{
	static const char	 abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	SHA1_CTX		 ctx;
	uint8_t			 md[SHA1_DIGEST_LENGTH];
	uint32_t		 v;
	size_t			 i;

	SHA1Init(&ctx);
	SHA1Update(&ctx, (const uint8_t *)key, keylen);
	SHA1Update(&ctx, (const uint8_t *)WS_GUID, strlen(WS_GUID));
	SHA1Final(md, &ctx);
	/* 20 bytes: six groups of three, then two bytes and one '=' */
	for (i = 0; i + 3 <= sizeof(md); i += 3) {
		v = (uint32_t)md[i] << 16 | (uint32_t)md[i + 1] << 8 | md[i + 2];
		*out++ = abc[v >> 18];
		*out++ = abc[(v >> 12) & 0x3f];
		*out++ = abc[(v >> 6) & 0x3f];
		*out++ = abc[v & 0x3f];
	}
	v = (uint32_t)md[i] << 16 | (uint32_t)md[i + 1] << 8;
	*out++ = abc[v >> 18];
	*out++ = abc[(v >> 12) & 0x3f];
	*out++ = abc[(v >> 6) & 0x3f];
	*out++ = '=';
	*out = '\0';
}
