/*
 * Unit tests of the RFC 6455 framing: header builders, the receive parser
 * on good streams fed whole, byte by byte and in random pieces, every
 * violation with its exact close code, fail-fast UTF-8 across frames and
 * reads, in-place delivery, and stopping and resuming from the callback.
 * Test frames are written by a small encoder here, independent of the
 * builders under test.
 */
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

static void
rec_init(struct rec *r, const struct ws_rx *rx)
{
	memset(r, 0, sizeof(*r));
	r->stop_on = -1;
	r->rx = rx;
}

static void
rec_free(struct rec *r)
{
	free(r->data);
	r->data = NULL;
}

static int
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

static int
rec_is(const struct rec *r, int i, int op, const void *p, size_t len)
{
	return i < r->n && r->op[i] == op && r->len[i] == len &&
	    (len == 0 || memcmp(r->data + r->at[i], p, len) == 0);
}

static int
rec_same(const struct rec *a, const struct rec *b)
{
	int	 i;

	if (a->n != b->n || a->datalen != b->datalen)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->op[i] != b->op[i] || a->len[i] != b->len[i])
			return 0;
	return a->datalen == 0 || memcmp(a->data, b->data, a->datalen) == 0;
}

static const uint8_t tkey[4] = { 0x37, 0xfa, 0x21, 0x3d };

/*
 * One frame; b0 is the first byte as sent (FIN, RSV, opcode), the length
 * always in its minimal form.
 */
static size_t
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

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Feed buf in pieces of 1..maxchunk bytes (all at once when maxchunk is
 * 0), feeding again what a stopping callback left.  Returns 0, or the
 * close code of a violation.
 */
static int
feed_pieces(struct ws_rx *rx, size_t max, uint8_t *buf, size_t len,
    struct rec *r, size_t maxchunk, uint64_t seed)
{
	size_t	 off = 0, c, done;
	ssize_t	 n;
	int	 code = 0;

	while (off < len) {
		c = maxchunk == 0 ? len - off : 1 + rnd(&seed) % maxchunk;
		if (c > len - off)
			c = len - off;
		for (done = 0; done < c; done += (size_t)n) {
			n = ws_rx_feed(rx, max, buf + off + done, c - done,
			    collect, r, &code);
			if (n < 0)
				return code;
			if (n == 0)
				return -2;	/* no progress: a bug */
		}
		off += c;
	}
	return 0;
}

/* A whole stream, fed at once, must fail with this close code. */
static int
fails_with(int expect_mask, size_t max, const uint8_t *bytes, size_t len)
{
	struct ws_rx	 rx;
	struct rec	 r;
	uint8_t		*b;
	ssize_t		 n;
	int		 code = 0;

	if ((b = malloc(len + 1)) == NULL)
		abort();
	memcpy(b, bytes, len);
	ws_rx_init(&rx, expect_mask);
	rec_init(&r, &rx);
	n = ws_rx_feed(&rx, max, b, len, collect, &r, &code);
	ws_rx_free(&rx);
	rec_free(&r);
	free(b);
	return n == -1 ? code : 0;
}

static void
test_builders(void)
{
	static const struct {
		uint64_t	 len;
		size_t		 hlen;
		uint8_t		 b[10];
	} h[] = {
		{ 0, 2, { 0x82, 0x00 } },
		{ 125, 2, { 0x82, 0x7d } },
		{ 126, 4, { 0x82, 0x7e, 0x00, 0x7e } },
		{ 65535, 4, { 0x82, 0x7e, 0xff, 0xff } },
		{ 65536, 10, { 0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0 } },
		{ 0x0123456789ULL, 10, { 0x82, 0x7f, 0, 0, 0, 0x01, 0x23,
		    0x45, 0x67, 0x89 } },
	};
	uint8_t		 out[WS_MAX_HEADER];
	size_t		 i, n;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		memset(out, 0xaa, sizeof(out));
		n = ws_header(out, WS_OP_BINARY, h[i].len);
		ok(n == h[i].hlen && memcmp(out, h[i].b, n) == 0,
		    "ws_header for length %llu is %zu exact bytes",
		    (unsigned long long)h[i].len, h[i].hlen);
		memset(out, 0xaa, sizeof(out));
		n = ws_header_masked(out, WS_OP_BINARY, h[i].len, tkey);
		ok(n == h[i].hlen + 4 && out[0] == h[i].b[0] &&
		    out[1] == (h[i].b[1] | 0x80) &&
		    memcmp(out + 2, h[i].b + 2, h[i].hlen - 2) == 0 &&
		    memcmp(out + h[i].hlen, tkey, 4) == 0,
		    "ws_header_masked for length %llu is %zu exact bytes",
		    (unsigned long long)h[i].len, h[i].hlen + 4);
	}
	n = ws_header(out, WS_OP_TEXT, 5);
	ok(n == 2 && out[0] == 0x81 && out[1] == 0x05,
	    "text header 81 05 (RFC 6455 5.7)");
	n = ws_header(out, WS_OP_CLOSE, 2);
	ok(n == 2 && out[0] == 0x88 && out[1] == 0x02, "close header 88 02");
}

static void
test_mask(void)
{
	uint8_t		 a[64], b[64], c[64];
	size_t		 len, split, off, i, bad = 0;

	for (i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 7 + 3);
	for (len = 0; len <= 40; len++)
		for (off = 0; off < 4; off++) {
			memcpy(b, a, len);
			ws_mask(b, len, tkey, off);
			for (i = 0; i < len; i++)
				if (b[i] != (a[i] ^ tkey[(off + i) & 3]))
					bad++;
			for (split = 0; split <= len; split++) {
				memcpy(c, a, len);
				ws_mask(c, split, tkey, off);
				ws_mask(c + split, len - split, tkey,
				    (off + split) & 3);
				if (memcmp(b, c, len) != 0)
					bad++;
			}
		}
	ok(bad == 0, "ws_mask XORs the key from any offset, in one go or in "
	    "pieces (%zu wrong)", bad);
}

/* RFC 6455 section 1.3: the sample key and its accept value. */
static void
test_accept(void)
{
	char	 out[WS_ACCEPT_LEN + 1];

	memset(out, 'x', sizeof(out));
	ws_accept(out, "dGhlIHNhbXBsZSBub25jZQ==", 24);
	ok(strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0,
	    "ws_accept of the RFC 6455 sample key (%s)", out);
}

static void
test_rfc_samples(void)
{
	/* RFC 6455 section 5.7. */
	uint8_t		 unmasked[] = { 0x81, 0x05, 'H', 'e', 'l', 'l', 'o' };
	uint8_t		 masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
			    0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	uint8_t		 frag[] = { 0x01, 0x03, 'H', 'e', 'l',
			    0x80, 0x02, 'l', 'o' };
	uint8_t		 ping[] = { 0x89, 0x05, 'H', 'e', 'l', 'l', 'o' };
	uint8_t		 b256[4 + 256], b64k[10 + 65536];
	struct ws_rx	 rx;
	struct rec	 r;
	ssize_t		 n;
	int		 code = 0;

	ws_rx_init(&rx, 0);
	rec_init(&r, &rx);
	n = ws_rx_feed(&rx, 1 << 20, unmasked, sizeof(unmasked), collect, &r,
	    &code);
	ok(n == (ssize_t)sizeof(unmasked) && r.n == 1 &&
	    rec_is(&r, 0, WS_OP_TEXT, "Hello", 5),
	    "unmasked server text frame \"Hello\"");
	n = ws_rx_feed(&rx, 1 << 20, frag, sizeof(frag), collect, &r, &code);
	ok(n == (ssize_t)sizeof(frag) && r.n == 2 &&
	    rec_is(&r, 1, WS_OP_TEXT, "Hello", 5),
	    "fragmented unmasked text \"Hel\" + \"lo\"");
	n = ws_rx_feed(&rx, 1 << 20, ping, sizeof(ping), collect, &r, &code);
	ok(n == (ssize_t)sizeof(ping) && r.n == 3 &&
	    rec_is(&r, 2, WS_OP_PING, "Hello", 5), "unmasked ping \"Hello\"");

	memset(b256, 0x5a, sizeof(b256));
	b256[0] = 0x82;
	b256[1] = 0x7e;
	b256[2] = 0x01;
	b256[3] = 0x00;
	n = ws_rx_feed(&rx, 1 << 20, b256, sizeof(b256), collect, &r, &code);
	ok(n == (ssize_t)sizeof(b256) && r.n == 4 && r.op[3] == WS_OP_BINARY &&
	    r.len[3] == 256, "256-byte binary, 16-bit length");
	memset(b64k, 0xa5, sizeof(b64k));
	memcpy(b64k, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
	n = ws_rx_feed(&rx, 1 << 20, b64k, sizeof(b64k), collect, &r, &code);
	ok(n == (ssize_t)sizeof(b64k) && r.n == 5 && r.op[4] == WS_OP_BINARY &&
	    r.len[4] == 65536 && r.data[r.at[4] + 65535] == 0xa5,
	    "64 KiB binary, 64-bit length");
	ws_rx_free(&rx);
	rec_free(&r);

	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	n = ws_rx_feed(&rx, 1 << 20, masked, sizeof(masked), collect, &r,
	    &code);
	ok(n == (ssize_t)sizeof(masked) && r.n == 1 &&
	    rec_is(&r, 0, WS_OP_TEXT, "Hello", 5),
	    "masked client text frame \"Hello\" is unmasked");
	ok(r.ptr[0] == masked + 6 && memcmp(masked + 6, "Hello", 5) == 0,
	    "it was unmasked in place in the caller's buffer");
	ws_rx_free(&rx);
	rec_free(&r);
}

static void
test_violations(void)
{
	uint8_t		 f[200], big[300];
	size_t		 n, i;
	int		 op;
	char		 desc[80];
	static const struct {
		unsigned int	 code;
		int		 result;
	} closes[] = {
		{ 0, 1002 }, { 999, 1002 }, { 1000, 0 }, { 1001, 0 },
		{ 1002, 0 }, { 1003, 0 }, { 1004, 1002 }, { 1005, 1002 },
		{ 1006, 1002 }, { 1007, 0 }, { 1008, 0 }, { 1009, 0 },
		{ 1010, 0 }, { 1011, 0 }, { 1012, 0 }, { 1013, 0 },
		{ 1014, 0 }, { 1015, 1002 }, { 1016, 1002 }, { 1100, 1002 },
		{ 2000, 1002 }, { 2999, 1002 }, { 3000, 0 }, { 3999, 0 },
		{ 4000, 0 }, { 4999, 0 }, { 5000, 1002 }, { 65535, 1002 },
	};

	/* Reserved bits. */
	n = mkframe(f, FIN | 0x40 | WS_OP_TEXT, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "RSV1 set: 1002");
	n = mkframe(f, FIN | 0x20 | WS_OP_BINARY, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "RSV2 set: 1002");
	n = mkframe(f, FIN | 0x10 | WS_OP_PING, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "RSV3 set: 1002");
	ok(fails_with(1, 1000, (const uint8_t *)"\xc1\x81", 2) == 1002,
	    "RSV1 refused from the first two bytes alone");

	/* Unknown opcodes. */
	for (op = 3; op <= 0xf; op++) {
		if (op >= WS_OP_CLOSE && op <= WS_OP_PONG)
			continue;
		n = mkframe(f, FIN | op, "", 0, 1);
		snprintf(desc, sizeof(desc), "opcode 0x%x: 1002", op);
		ok(fails_with(1, 1000, f, n) == 1002, "%s", desc);
	}

	/* Masking. */
	n = mkframe(f, FIN | WS_OP_TEXT, "a", 1, 0);
	ok(fails_with(1, 1000, f, n) == 1002, "unmasked frame to a server: 1002");
	n = mkframe(f, FIN | WS_OP_PING, "", 0, 0);
	ok(fails_with(1, 1000, f, n) == 1002, "unmasked ping to a server: 1002");
	n = mkframe(f, FIN | WS_OP_TEXT, "a", 1, 1);
	ok(fails_with(0, 1000, f, n) == 1002, "masked frame to a client: 1002");

	/* Control frames. */
	n = mkframe(f, WS_OP_PING, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "ping without FIN: 1002");
	n = mkframe(f, WS_OP_CLOSE, "", 0, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "close without FIN: 1002");
	memset(big, 'p', sizeof(big));
	n = mkframe(f, FIN | WS_OP_PING, big, 126, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "ping of 126 bytes: 1002");
	n = mkframe(f, FIN | WS_OP_PONG, big, 125, 1);
	ok(fails_with(1, 1000, f, n) == 0, "pong of 125 bytes is fine");
	n = mkframe(f, FIN | WS_OP_CLOSE, big, 126, 0);
	ok(fails_with(0, 1000, f, n) == 1002, "close of 126 bytes: 1002");

	/* Lengths. */
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 10) ==
	    1002, "64-bit length with the top bit set: 1002");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7e\x00\x7d", 4) == 1002,
	    "125 in the 16-bit form: 1002");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7e\x00\x00", 4) == 1002,
	    "0 in the 16-bit form: 1002");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7f\x00\x00\x00\x00\x00\x00\xff\xff", 10) ==
	    1002, "65535 in the 64-bit form: 1002");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7f\x00\x00\x00\x00\x00\x00\x00\x05", 10) ==
	    1002, "5 in the 64-bit form: 1002");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7e\x00\x7e", 4) == 0,
	    "126 in the 16-bit form is fine (payload pending)");
	ok(fails_with(0, SIZE_MAX,
	    (const uint8_t *)"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10) ==
	    0, "65536 in the 64-bit form is fine (payload pending)");

	/* Sequence. */
	n = mkframe(f, FIN | WS_OP_CONT, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002,
	    "continuation without a message: 1002");
	n = mkframe(f, WS_OP_CONT, "a", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002,
	    "non-final continuation without a message: 1002");
	n = mkframe(f, WS_OP_TEXT, "a", 1, 1);
	n += mkframe(f + n, FIN | WS_OP_TEXT, "b", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002,
	    "text inside a fragmented message: 1002");
	n = mkframe(f, WS_OP_BINARY, "a", 1, 1);
	n += mkframe(f + n, WS_OP_BINARY, "b", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002,
	    "binary inside a fragmented message: 1002");
	n = mkframe(f, WS_OP_TEXT, "a", 1, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, "b", 1, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, "c", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002,
	    "continuation after the final fragment: 1002");

	/* UTF-8. */
	n = mkframe(f, FIN | WS_OP_TEXT, "ab\xc0\xafz", 5, 1);
	ok(fails_with(1, 1000, f, n) == 1007, "overlong in a text frame: 1007");
	n = mkframe(f, FIN | WS_OP_TEXT, "ab\xe2\x82", 4, 1);
	ok(fails_with(1, 1000, f, n) == 1007,
	    "text frame ending inside a character: 1007");
	n = mkframe(f, WS_OP_TEXT, "ab\xe2", 3, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, "\x82", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1007,
	    "fragmented text ending inside a character: 1007");
	n = mkframe(f, WS_OP_TEXT, "ab\xe2", 3, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, "\x82\xac", 2, 1);
	ok(fails_with(1, 1000, f, n) == 0,
	    "a character split between fragments is fine");
	n = mkframe(f, FIN | WS_OP_BINARY, "\xff\xc0", 2, 1);
	ok(fails_with(1, 1000, f, n) == 0, "binary is not UTF-8 checked");
	n = mkframe(f, FIN | WS_OP_PING, "\xff", 1, 1);
	ok(fails_with(1, 1000, f, n) == 0, "ping payload is not UTF-8 checked");

	/* Close payloads. */
	n = mkframe(f, FIN | WS_OP_CLOSE, "\x03", 1, 1);
	ok(fails_with(1, 1000, f, n) == 1002, "close payload of 1 byte: 1002");
	ok(fails_with(0, 1000, (const uint8_t *)"\x88\x01", 2) == 1002,
	    "close payload of 1 byte refused from the two header bytes");
	for (i = 0; i < sizeof(closes) / sizeof(closes[0]); i++) {
		uint8_t	 pl[2] = { (uint8_t)(closes[i].code >> 8),
			    (uint8_t)closes[i].code };

		n = mkframe(f, FIN | WS_OP_CLOSE, pl, 2, 1);
		ok(fails_with(1, 1000, f, n) == closes[i].result,
		    "close frame with code %u: %d", closes[i].code,
		    closes[i].result);
		ok(ws_close_code_valid(closes[i].code) ==
		    (closes[i].result == 0),
		    "ws_close_code_valid(%u) is %d", closes[i].code,
		    closes[i].result == 0);
	}
	n = mkframe(f, FIN | WS_OP_CLOSE, "\x03\xe8" "bye\xed\xa0\x80", 8, 1);
	ok(fails_with(1, 1000, f, n) == 1007,
	    "close reason with a surrogate: 1007");
	n = mkframe(f, FIN | WS_OP_CLOSE, "\x03\xe8" "\xc3", 3, 0);
	ok(fails_with(0, 1000, f, n) == 1007,
	    "close reason cut inside a character: 1007");

	/* Sizes. */
	ok(fails_with(1, 1000, (const uint8_t *)"\x82\xfe\x03\xe9", 4) == 1009,
	    "declared length 1001 over max 1000: 1009 from the header alone");
	ok(fails_with(1, 1000, (const uint8_t *)"\x82\xfe\x03\xe8", 4) == 0,
	    "declared length 1000 at max 1000 is fine");
	ok(fails_with(1, 1 << 30,
	    (const uint8_t *)"\x82\xff\x7f\xff\xff\xff\xff\xff\xff\xff\0\0\0\0",
	    14) == 1009, "declared length 2^63-1: 1009 before any allocation");
	memset(big, 'x', sizeof(big));
	n = mkframe(f, WS_OP_TEXT, big, 60, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, big, 41, 1);
	ok(fails_with(1, 100, f, n) == 1009,
	    "fragments adding up to 101 over max 100: 1009");
	n = mkframe(f, WS_OP_TEXT, big, 60, 1);
	n += mkframe(f + n, FIN | WS_OP_CONT, big, 40, 1);
	ok(fails_with(1, 100, f, n) == 0, "fragments adding up to max are fine");
	n = mkframe(f, FIN | WS_OP_PING, big, 125, 1);
	ok(fails_with(1, 10, f, n) == 0,
	    "control frames do not count against max_message");
	n = mkframe(f, FIN | WS_OP_BINARY, "", 0, 1);
	ok(fails_with(1, 0, f, n) == 0, "an empty message fits max 0");
}

/* 64 data frames make a message; the 65th is refused. */
static void
test_fragment_limit(void)
{
	uint8_t		*s;
	struct ws_rx	 rx;
	struct rec	 r;
	size_t		 n, i, last;
	ssize_t		 got;
	int		 code = 0;

	if ((s = malloc(70 * 16)) == NULL)
		abort();
	n = mkframe(s, WS_OP_BINARY, "f", 1, 1);
	for (i = 1; i < 63; i++)
		n += mkframe(s + n, WS_OP_CONT, "f", 1, 1);
	n += mkframe(s + n, FIN | WS_OP_PING, "", 0, 1); /* not counted */
	n += mkframe(s + n, FIN | WS_OP_CONT, "F", 1, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, s, n, collect, &r, &code);
	ok(got == (ssize_t)n && r.n == 2 && r.op[0] == WS_OP_PING &&
	    r.op[1] == WS_OP_BINARY && r.len[1] == 64 &&
	    r.data[r.at[1] + 63] == 'F',
	    "64 data frames (and a ping among them) make one message");
	ws_rx_free(&rx);
	rec_free(&r);

	n = mkframe(s, WS_OP_BINARY, "f", 1, 1);
	for (i = 1; i < 64; i++)
		n += mkframe(s + n, WS_OP_CONT, "f", 1, 1);
	last = n;
	n += mkframe(s + n, FIN | WS_OP_CONT, "F", 1, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, s, last, collect, &r, &code);
	ok(got == (ssize_t)last && r.n == 0, "64 non-final fragments are taken");
	got = ws_rx_feed(&rx, 1000, s + last, 2, collect, &r, &code);
	ok(got == -1 && code == 1009 && r.n == 0,
	    "the 65th data frame is refused with 1009 from its header");
	ws_rx_free(&rx);
	rec_free(&r);
	free(s);

	/* Without the cap (the echo service): 300 frames, no wrap. */
	if ((s = malloc(301 * 16)) == NULL)
		abort();
	n = mkframe(s, WS_OP_TEXT, "g", 1, 1);
	for (i = 1; i < 299; i++)
		n += mkframe(s + n, WS_OP_CONT, "g", 1, 1);
	n += mkframe(s + n, FIN | WS_OP_CONT, "G", 1, 1);
	ws_rx_init(&rx, 1);
	ws_rx_any_fragments(&rx);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, s, n, collect, &r, &code);
	ok(got == (ssize_t)n && r.n == 1 && r.op[0] == WS_OP_TEXT &&
	    r.len[0] == 300 && r.data[r.at[0] + 299] == 'G',
	    "with ws_rx_any_fragments 300 data frames make one message");
	rec_free(&r);
	rec_init(&r, &rx);
	n = mkframe(s, WS_OP_BINARY, "h", 1, 1);
	for (i = 1; i < 299; i++)
		n += mkframe(s + n, WS_OP_CONT, "h", 1, 1);
	n += mkframe(s + n, FIN | WS_OP_CONT, "h", 1, 1);
	got = ws_rx_feed(&rx, 200, s, n, collect, &r, &code);
	ok(got == -1 && code == 1009 && r.n == 0,
	    "... and max_message still bounds such a message (1009)");
	ws_rx_free(&rx);
	rec_free(&r);
	free(s);
}

static void
test_interleaved(void)
{
	uint8_t		 s[256];
	struct ws_rx	 rx;
	struct rec	 r;
	size_t		 n = 0;
	ssize_t		 got;
	int		 code = 0;

	n += mkframe(s + n, WS_OP_TEXT, "Hel", 3, 1);
	n += mkframe(s + n, FIN | WS_OP_PING, "p", 1, 1);
	n += mkframe(s + n, WS_OP_CONT, "lo ", 3, 1);
	n += mkframe(s + n, FIN | WS_OP_PONG, "", 0, 1);
	n += mkframe(s + n, FIN | WS_OP_CONT, "w\xc3\xb6rld", 6, 1);
	n += mkframe(s + n, FIN | WS_OP_BINARY, "\x00\x01", 2, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, s, n, collect, &r, &code);
	ok(got == (ssize_t)n && r.n == 4 &&
	    rec_is(&r, 0, WS_OP_PING, "p", 1) &&
	    rec_is(&r, 1, WS_OP_PONG, "", 0) &&
	    rec_is(&r, 2, WS_OP_TEXT, "Hello w\xc3\xb6rld", 12) &&
	    rec_is(&r, 3, WS_OP_BINARY, "\x00\x01", 2),
	    "fragmented text with ping and pong in between: ping, pong, "
	    "text, then the next message");
	ok(rx.msg == NULL && rx.msg_opcode == 0 && rx.nfrag == 0,
	    "the reassembly buffer is released after the message");
	ws_rx_free(&rx);
	rec_free(&r);
}

/* Invalid UTF-8 fails the feed that carries it, not the final one. */
static void
test_failfast(void)
{
	uint8_t		 f1[32], f2[32], f3[32], f4[32], big[200], fb[200];
	size_t		 n1, n2, n3, n4, n;
	struct ws_rx	 rx;
	struct rec	 r;
	ssize_t		 got;
	int		 code = 0;

	n1 = mkframe(f1, WS_OP_TEXT, "ab\xe2", 3, 1);
	n2 = mkframe(f2, WS_OP_CONT, "\x82\xac ok", 5, 1);
	n3 = mkframe(f3, WS_OP_CONT, "x\xc0y", 3, 1);
	n4 = mkframe(f4, FIN | WS_OP_CONT, "end", 3, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, f1, n1, collect, &r, &code);
	ok(got == (ssize_t)n1, "first fragment, ending inside a character");
	got = ws_rx_feed(&rx, 1000, f2, n2, collect, &r, &code);
	ok(got == (ssize_t)n2, "second fragment completes the character");
	got = ws_rx_feed(&rx, 1000, f3, n3, collect, &r, &code);
	ok(got == -1 && code == 1007 && r.n == 0,
	    "third fragment with C0 fails with 1007 before the final one");
	(void)n4;
	ws_rx_free(&rx);
	rec_free(&r);

	/* Inside one frame: the bad byte arrives, the rest never does. */
	memset(big, 'a', sizeof(big));
	big[10] = 0xff;
	n = mkframe(fb, FIN | WS_OP_TEXT, big, 150, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, fb, 8 + 5, collect, &r, &code);
	ok(got == 13 && n == 158,
	    "header and 5 good bytes of a 150-byte text frame");
	code = 0;
	got = ws_rx_feed(&rx, 1000, fb + 13, 7, collect, &r, &code);
	ok(got == -1 && code == 1007 && r.n == 0,
	    "the read holding the bad byte fails with 1007, 140 bytes early");
	ws_rx_free(&rx);
	rec_free(&r);
}

#define EURO_ETC	"\xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa9t\xc3\xa9"

/*
 * Everything the parser should handle, in one stream of twelve messages
 * and control frames.
 */
static size_t
mkstream(uint8_t *s, int masked)
{
	static uint8_t	 big[70000];
	size_t		 n = 0, i;
	int		 m = masked;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + (i >> 8));
	n += mkframe(s + n, FIN | WS_OP_TEXT, "hello", 5, m);
	n += mkframe(s + n, FIN | WS_OP_TEXT, "", 0, m);
	n += mkframe(s + n, FIN | WS_OP_TEXT, EURO_ETC, sizeof(EURO_ETC) - 1, m);
	n += mkframe(s + n, WS_OP_BINARY, big, 100, m);
	n += mkframe(s + n, FIN | WS_OP_PING, "are you there", 13, m);
	n += mkframe(s + n, WS_OP_CONT, big + 100, 0, m);
	n += mkframe(s + n, FIN | WS_OP_PONG, big, 125, m);
	n += mkframe(s + n, FIN | WS_OP_CONT, big + 100, 300, m);
	n += mkframe(s + n, FIN | WS_OP_BINARY, big, 126, m);
	n += mkframe(s + n, FIN | WS_OP_BINARY, big, 65535, m);
	n += mkframe(s + n, FIN | WS_OP_BINARY, big, sizeof(big), m);
	n += mkframe(s + n, WS_OP_TEXT, "\xf0\x9f", 2, m);
	n += mkframe(s + n, WS_OP_CONT, "\x98", 1, m);
	n += mkframe(s + n, WS_OP_CONT, "", 0, m);
	n += mkframe(s + n, FIN | WS_OP_CONT, "\x80!", 2, m);
	n += mkframe(s + n, WS_OP_BINARY, "", 0, m);
	n += mkframe(s + n, FIN | WS_OP_CONT, "", 0, m);
	n += mkframe(s + n, FIN | WS_OP_CLOSE, "\x03\xe8" "bye \xe2\x82\xac",
	    9, m);
	return n;
}

#define STREAM_MAX	(80000 + 2 * 65535 + 1024)

static void
test_chunking(void)
{
	static uint8_t	 orig[STREAM_MAX], s[STREAM_MAX];
	static const size_t maxchunks[] = { 1, 2, 3, 7, 16, 150, 4096, 70001 };
	struct ws_rx	 rx;
	struct rec	 whole, r;
	size_t		 n, i, k;
	uint64_t	 seed;
	int		 m, code, same;

	for (m = 0; m <= 1; m++) {
		n = mkstream(orig, m);
		memcpy(s, orig, n);
		ws_rx_init(&rx, m);
		rec_init(&whole, &rx);
		code = feed_pieces(&rx, 100000, s, n, &whole, 0, 0);
		ok(code == 0 && whole.n == 12 && rx.closed,
		    "%s stream in one feed: 12 messages and frames, closed "
		    "(code %d, n %d)", m ? "masked" : "unmasked", code,
		    whole.n);
		ok(rec_is(&whole, 0, WS_OP_TEXT, "hello", 5) &&
		    rec_is(&whole, 1, WS_OP_TEXT, "", 0) &&
		    rec_is(&whole, 2, WS_OP_TEXT, EURO_ETC,
		    sizeof(EURO_ETC) - 1) &&
		    rec_is(&whole, 3, WS_OP_PING, "are you there", 13) &&
		    whole.op[4] == WS_OP_PONG && whole.len[4] == 125 &&
		    whole.op[5] == WS_OP_BINARY && whole.len[5] == 400 &&
		    whole.len[6] == 126 && whole.len[7] == 65535 &&
		    whole.len[8] == 70000 &&
		    rec_is(&whole, 9, WS_OP_TEXT, "\xf0\x9f\x98\x80!", 5) &&
		    rec_is(&whole, 10, WS_OP_BINARY, "", 0) &&
		    rec_is(&whole, 11, WS_OP_CLOSE, "\x03\xe8" "bye \xe2\x82\xac",
		    9), "%s stream: the expected messages in order",
		    m ? "masked" : "unmasked");
		ok(whole.ptr[0] >= s && whole.ptr[0] < s + n &&
		    whole.ptr[8] >= s && whole.ptr[8] < s + n && whole.idle[8],
		    "whole frames were delivered in place");
		ws_rx_free(&rx);

		for (k = 0; k < sizeof(maxchunks) / sizeof(maxchunks[0]); k++) {
			same = 1;
			for (i = 0; i < (maxchunks[k] == 1 ? 1 : 8); i++) {
				memcpy(s, orig, n);
				seed = 0x9e3779b97f4a7c15ULL * (i + 1) + k;
				ws_rx_init(&rx, m);
				rec_init(&r, &rx);
				code = feed_pieces(&rx, 100000, s, n, &r,
				    maxchunks[k], seed);
				if (code != 0 || !rec_same(&whole, &r))
					same = 0;
				ws_rx_free(&rx);
				rec_free(&r);
			}
			ok(same, "%s stream in pieces of 1..%zu bytes gives the "
			    "same messages", m ? "masked" : "unmasked",
			    maxchunks[k]);
		}

		/* Callback stops at every message; feed the rest again. */
		memcpy(s, orig, n);
		ws_rx_init(&rx, m);
		rec_init(&r, &rx);
		r.stop_all = 1;
		code = feed_pieces(&rx, 100000, s, n, &r, 4096, 42);
		ok(code == 0 && rec_same(&whole, &r),
		    "%s stream with a callback that stops every time, resumed, "
		    "gives the same messages", m ? "masked" : "unmasked");
		ws_rx_free(&rx);
		rec_free(&r);
		rec_free(&whole);
	}
}

static void
test_zero_copy(void)
{
	uint8_t		 s[512], p[300];
	struct ws_rx	 rx;
	struct rec	 r;
	size_t		 n, i;
	ssize_t		 got;
	int		 code = 0;

	for (i = 0; i < sizeof(p); i++)
		p[i] = 'a' + i % 26;
	n = mkframe(s, FIN | WS_OP_TEXT, p, 300, 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	got = ws_rx_feed(&rx, 1000, s, n, collect, &r, &code);
	ok(got == (ssize_t)n && r.n == 1 && r.ptr[0] == s + 8 &&
	    memcmp(s + 8, p, 300) == 0 && r.idle[0] && rx.msg == NULL,
	    "a whole frame is delivered at its place in buf, unmasked, with "
	    "no reassembly buffer");

	/* The header in one read, the whole payload in the next. */
	n = mkframe(s, FIN | WS_OP_BINARY, p, 300, 1);
	got = ws_rx_feed(&rx, 1000, s, 8, collect, &r, &code);
	ok(got == 8 && r.n == 1, "a header alone is taken, nothing delivered");
	got = ws_rx_feed(&rx, 1000, s + 8, n - 8, collect, &r, &code);
	ok(got == (ssize_t)(n - 8) && r.n == 2 && r.ptr[1] == s + 8 &&
	    r.idle[1], "its payload, whole in the next read, is delivered "
	    "in place");

	/* Cut inside the payload: gathered, then handed out of rx->msg. */
	n = mkframe(s, FIN | WS_OP_BINARY, p, 300, 1);
	got = ws_rx_feed(&rx, 1000, s, 100, collect, &r, &code);
	ok(got == 100 && r.n == 2 && rx.msg != NULL && rx.msg_cap <= 300,
	    "a frame cut by the read is gathered (buffer %zu bytes, at most "
	    "the frame)", rx.msg_cap);
	got = ws_rx_feed(&rx, 1000, s + 100, n - 100, collect, &r, &code);
	ok(got == (ssize_t)(n - 100) && r.n == 3 &&
	    rec_is(&r, 2, WS_OP_BINARY, p, 300) &&
	    (r.ptr[2] < s || r.ptr[2] >= s + n) && rx.msg == NULL,
	    "and delivered whole from the reassembly buffer, then released");

	/* A control frame cut by the read is gathered in rx->ctl. */
	n = mkframe(s, FIN | WS_OP_PING, p, 100, 1);
	got = ws_rx_feed(&rx, 1000, s, 50, collect, &r, &code);
	ok(got == 50 && r.n == 3, "half a ping is taken");
	got = ws_rx_feed(&rx, 1000, s + 50, n - 50, collect, &r, &code);
	ok(got == (ssize_t)(n - 50) && r.n == 4 &&
	    rec_is(&r, 3, WS_OP_PING, p, 100) && r.ptr[3] == rx.ctl &&
	    rx.msg == NULL,
	    "the ping arrives whole from rx->ctl, no allocation");
	ws_rx_free(&rx);
	rec_free(&r);
}

static void
test_stop_resume(void)
{
	uint8_t		 s[512], orig[512];
	struct ws_rx	 rx;
	struct rec	 r;
	size_t		 n = 0, a, b, c;
	ssize_t		 got;
	int		 code = 0;

	memset(s, 0, sizeof(s));
	n += mkframe(s + n, FIN | WS_OP_TEXT, "one", 3, 1);
	a = n;
	n += mkframe(s + n, WS_OP_BINARY, "tw", 2, 1);
	n += mkframe(s + n, FIN | WS_OP_PING, "x", 1, 1);
	b = n;
	n += mkframe(s + n, FIN | WS_OP_CONT, "o", 1, 1);
	c = n;
	n += mkframe(s + n, FIN | WS_OP_CLOSE, "\x03\xe8", 2, 1);
	n += 5;		/* bytes after the close are ignored */
	memcpy(orig, s, n);

	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	r.stop_on = WS_OP_TEXT;
	got = ws_rx_feed(&rx, 1000, s, n, collect, &r, &code);
	ok(got == (ssize_t)a && r.n == 1 && rec_is(&r, 0, WS_OP_TEXT, "one", 3),
	    "a stop after the first message returns the bytes through it");
	ok(memcmp(s + a, orig + a, n - a) == 0,
	    "the bytes not consumed are untouched");
	r.stop_on = WS_OP_PING;
	got = ws_rx_feed(&rx, 1000, s + a, n - a, collect, &r, &code);
	ok(got == (ssize_t)(b - a) && r.n == 2 &&
	    rec_is(&r, 1, WS_OP_PING, "x", 1),
	    "a stop on a ping inside a fragmented message returns through "
	    "the ping");
	ok(memcmp(s + b, orig + b, n - b) == 0,
	    "the bytes not consumed are untouched");
	r.stop_on = WS_OP_BINARY;
	got = ws_rx_feed(&rx, 1000, s + b, n - b, collect, &r, &code);
	ok(got == (ssize_t)(c - b) && r.n == 3 &&
	    rec_is(&r, 2, WS_OP_BINARY, "two", 3),
	    "resuming completes the fragmented message, and stops after it");
	r.stop_on = -1;
	got = ws_rx_feed(&rx, 1000, s + c, n - c, collect, &r, &code);
	ok(got == (ssize_t)(n - c) && r.n == 4 && rx.closed &&
	    rec_is(&r, 3, WS_OP_CLOSE, "\x03\xe8", 2),
	    "the close is delivered and the bytes after it consumed");
	got = ws_rx_feed(&rx, 1000, (uint8_t *)orig, 7, collect, &r, &code);
	ok(got == 7 && r.n == 4, "after the close, input is ignored");
	ws_rx_free(&rx);
	rec_free(&r);

	/* A stop on the close itself. */
	n = mkframe(s, FIN | WS_OP_CLOSE, "", 0, 0);
	memcpy(s + n, "junk", 4);
	ws_rx_init(&rx, 0);
	rec_init(&r, &rx);
	r.stop_all = 1;
	got = ws_rx_feed(&rx, 1000, s, n + 4, collect, &r, &code);
	ok(got == (ssize_t)n && rx.closed && r.n == 1 && r.len[0] == 0,
	    "a stop on an empty close returns through it, closed is set");
	got = ws_rx_feed(&rx, 1000, s + n, 4, collect, &r, &code);
	ok(got == 4 && r.n == 1, "and the rest is ignored when fed again");
	ws_rx_free(&rx);
	rec_free(&r);
}

/* What the builders write, the parser reads back, both directions. */
static void
test_roundtrip(void)
{
	static const size_t lens[] = { 0, 1, 5, 125, 126, 127, 1000, 65535,
	    65536, 100000 };
	static const uint8_t key[4] = { 0x00, 0xff, 0x5a, 0xa5 };
	uint8_t		*buf, *pl;
	struct ws_rx	 rx;
	struct rec	 r;
	size_t		 i, h, bad = 0;
	ssize_t		 got;
	int		 m, op, code;

	if ((buf = malloc(100000 + WS_MAX_HEADER)) == NULL ||
	    (pl = malloc(100000)) == NULL)
		abort();
	for (i = 0; i < 100000; i++)
		pl[i] = (uint8_t)('!' + i % 90);
	for (m = 0; m <= 1; m++)
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			for (op = WS_OP_TEXT; op <= WS_OP_PONG; op++) {
				if (op > WS_OP_BINARY && op < WS_OP_CLOSE)
					continue;
				if (op >= WS_OP_CLOSE && lens[i] > 125)
					continue;
				if (op == WS_OP_CLOSE && lens[i] != 0)
					continue;
				if (m) {
					h = ws_header_masked(buf, op, lens[i],
					    key);
					memcpy(buf + h, pl, lens[i]);
					ws_mask(buf + h, lens[i], key, 0);
				} else {
					h = ws_header(buf, op, lens[i]);
					memcpy(buf + h, pl, lens[i]);
				}
				ws_rx_init(&rx, m);
				rec_init(&r, &rx);
				code = 0;
				got = ws_rx_feed(&rx, 100000, buf, h + lens[i],
				    collect, &r, &code);
				if (got != (ssize_t)(h + lens[i]) ||
				    !rec_is(&r, 0, op, pl, lens[i]) ||
				    r.ptr[0] != buf + h)
					bad++;
				ws_rx_free(&rx);
				rec_free(&r);
			}
	ok(bad == 0, "frames built by ws_header and ws_header_masked parse "
	    "back to the same opcode and payload (%zu wrong)", bad);
	free(buf);
	free(pl);
}

/*
 * After a violation the parser is done: what follows the refused bytes
 * is not read as frames.  The relay reads on after its close (to find
 * the client's), so a header whose first check failed must not be
 * finished later: a ping announcing 300 bytes would fill the 125 bytes
 * of rx->ctl past their end.
 */
static void
test_after_violation(void)
{
	struct ws_rx	 rx;
	struct rec	 r;
	uint8_t		 f[400], pl[300];
	size_t		 n;
	ssize_t		 got;
	int		 code;

	memset(pl, 'p', sizeof(pl));
	n = mkframe(f, FIN | WS_OP_PING, pl, sizeof(pl), 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	code = 0;
	got = ws_rx_feed(&rx, 1000, f, 2, collect, &r, &code);
	ok(got == -1 && code == 1002, "a ping of 300 bytes: 1002 from its "
	    "first two bytes");
	/* the rest of the header, then the payload: into rx->ctl */
	code = 0;
	got = ws_rx_feed(&rx, 1000, f + 2, 6, collect, &r, &code);
	ok(got == -1 && code == 1002, "the rest of its header is refused");
	code = 0;
	got = ws_rx_feed(&rx, 1000, f + 8, 100, collect, &r, &code);
	ok(got == -1 && code == 1002, "so is the start of its payload");
	code = 0;
	got = ws_rx_feed(&rx, 1000, f + 108, n - 108, collect, &r, &code);
	ok(got == -1 && code == 1002 && r.n == 0, "and the rest, and nothing "
	    "is delivered");
	n = mkframe(f, FIN | WS_OP_TEXT, "ok", 2, 1);
	code = 0;
	got = ws_rx_feed(&rx, 1000, f, n, collect, &r, &code);
	ok(got == -1 && code == 1002 && r.n == 0, "so is a good frame after "
	    "it");
	ws_rx_free(&rx);
	rec_free(&r);

	/* The same for a length over the limit, checked before the mask. */
	n = mkframe(f, FIN | WS_OP_BINARY, pl, sizeof(pl), 1);
	ws_rx_init(&rx, 1);
	rec_init(&r, &rx);
	code = 0;
	got = ws_rx_feed(&rx, 100, f, 4, collect, &r, &code);
	ok(got == -1 && code == 1009, "300 bytes over a limit of 100: 1009 "
	    "from the length");
	code = 0;
	got = ws_rx_feed(&rx, 100, f + 4, n - 4, collect, &r, &code);
	ok(got == -1 && code == 1009 && r.n == 0 && rx.msg == NULL,
	    "the payload after it is refused with the same code, nothing "
	    "buffered");
	ws_rx_free(&rx);
	rec_free(&r);
}

int
main(void)
{
	test_builders();
	test_mask();
	test_accept();
	test_rfc_samples();
	test_violations();
	test_fragment_limit();
	test_interleaved();
	test_failfast();
	test_chunking();
	test_zero_copy();
	test_stop_resume();
	test_roundtrip();
	test_after_violation();
	return tap_done();
}
