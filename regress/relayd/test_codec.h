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
 * What the codec tests share (test_codec_*.c, one binary each): fixed
 * keys, nonce, box and body, decoding from exactly-sized heap copies,
 * and one-line checks of a JSON or msgpack case with its exact outcome.
 * Static inline, so that each test compiles only what it uses.
 */
#ifndef SWS_TEST_CODEC_H
#define SWS_TEST_CODEC_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "regress/lib/tap.h"
#include "b64.h"
#include "codec.h"

#define BIG	200000

static uint8_t	 KA[32], KB[32], NONCE[24], BOX[400], BODY[BIG];
static char	 KA64[64], KB64[64], N64[64];

static const char	*why;
static uint8_t		*last_msg, *last_scratch;
static int		 dec_phase = CODEC_REGISTERING;

/* A ring of base64url strings, so a few can appear in one message. */
static inline const char *
b64(const uint8_t *p, size_t n)
{
	static char	*ring[8];
	static int	 next;
	char		*s;

	next = (next + 1) % 8;
	free(ring[next]);
	s = ring[next] = malloc(n / 3 * 4 + 8);
	sodium_bin2base64(s, n / 3 * 4 + 8, p, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return s;
}

/*
 * Decode from exactly-sized heap copies, so that ASan sees any read past
 * the message or write past a scratch of exactly len bytes.
 */
static inline int
dec(int proto, const void *msg, size_t len, struct sws_req *r)
{
	free(last_msg);
	free(last_scratch);
	last_msg = malloc(len ? len : 1);
	last_scratch = malloc(len ? len : 1);
	if (len > 0)
		memcpy(last_msg, msg, len);
	return codec_decode(proto, dec_phase, last_msg, len, r, last_scratch,
	    len, &why);
}

static inline int
dj(const char *s, struct sws_req *r)
{
	return dec(PROTO_JSON, s, strlen(s), r);
}

static inline void
check(const char *enc, int rc, const struct sws_req *r, int want,
    int has_id, uint64_t id, const char *name)
{
	ok(rc == want && r->has_id == has_id && (!has_id || r->id == id) &&
	    (rc == CODEC_OK || why != NULL),
	    "%s %s: rc %d want %d, has_id %d want %d, id %llu want %llu (%s)",
	    enc, name, rc, want, r->has_id, has_id,
	    (unsigned long long)r->id, (unsigned long long)id,
	    why ? why : "-");
}

static char	jbuf[4 * BIG];

/* One JSON case: the message from a format, the exact outcome. */
static inline void __attribute__((format(printf, 5, 6)))
cj(int want, int has_id, uint64_t id, const char *name, const char *fmt, ...)
{
	struct sws_req	 r;
	va_list		 ap;
	int		 rc;

	va_start(ap, fmt);
	vsnprintf(jbuf, sizeof(jbuf), fmt, ap);
	va_end(ap);
	rc = dj(jbuf, &r);
	check("json", rc, &r, want, has_id, id, name);
}

static inline void
cm(int want, int has_id, uint64_t id, const char *name, const void *p,
    size_t n)
{
	struct sws_req	 r;
	int		 rc;

	rc = dec(PROTO_MSGPACK, p, n, &r);
	check("msgpack", rc, &r, want, has_id, id, name);
}

/* msgpack messages are built with msgpack-c's own packer. */
static msgpack_sbuffer	sb;
static msgpack_packer	pk;

static inline void
mbegin(size_t nkeys)
{
	msgpack_sbuffer_clear(&sb);
	msgpack_pack_map(&pk, nkeys);
}

static inline void
pstr(const char *s)
{
	msgpack_pack_str_with_body(&pk, s, strlen(s));
}

static inline void
pstrn(const void *s, size_t n)
{
	msgpack_pack_str_with_body(&pk, s, n);
}

static inline void
pbin(const uint8_t *p, size_t n)
{
	msgpack_pack_bin_with_body(&pk, p, n);
}

static inline void
praw(const void *p, size_t n)
{
	msgpack_sbuffer_write(&sb, p, n);
}

static inline void
cmsb(int want, int has_id, uint64_t id, const char *name)
{
	cm(want, has_id, id, name, sb.data, sb.size);
}

/* The fixed inputs and the packer; 0, or -1 when libsodium fails. */
static inline int
codec_setup(void)
{
	size_t	 i;

	if (sodium_init() < 0)
		return -1;
	for (i = 0; i < 32; i++) {
		KA[i] = (uint8_t)(0xa0 + i);
		KB[i] = (uint8_t)(0x11 * i + 3);
	}
	for (i = 0; i < sizeof(NONCE); i++)
		NONCE[i] = (uint8_t)(200 - i);
	for (i = 0; i < sizeof(BOX); i++)
		BOX[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(BODY); i++)
		BODY[i] = (uint8_t)((i * 2654435761u) >> 13);
	snprintf(KA64, sizeof(KA64), "%s", b64(KA, 32));
	snprintf(KB64, sizeof(KB64), "%s", b64(KB, 32));
	snprintf(N64, sizeof(N64), "%s", b64(NONCE, 24));
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	return 0;
}

static inline int
codec_done(void)
{
	free(last_msg);
	free(last_scratch);
	msgpack_sbuffer_destroy(&sb);
	return tap_done();
}

#endif /* SWS_TEST_CODEC_H */
