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
 * Throughput of the relay's hot path in the codec: decode a SEND with a
 * 64-byte body and encode the MESSAGE the recipient gets, in each
 * encoding.  Not a test (nothing is asserted) and not in UNIT_TESTS;
 * build and run by hand, without sanitizers:
 *
 *	cc -std=gnu11 -O2 -I. -Icommon -Irelayd -o obj/bench_codec \
 *	    regress/relayd/bench_codec.c relayd/codec.c relayd/codec_json.c \
 *	    relayd/codec_msgpack.c relayd/mpread.c relayd/json.c relayd/keysort.c \
 *	    common/b64.c common/utf8.c -lsodium
 *	obj/bench_codec [iterations]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "codec.h"

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
run(const char *name, int proto, const uint8_t *msg, size_t len, long iter)
{
	struct sws_req	 req;
	uint8_t		 scratch[1024], out[1024];
	uint8_t		 from[SWS_KEY_LEN];
	size_t		 n = 0, total = 0;
	double		 t0, dec, enc, both;
	long		 i;

	memset(from, 0x42, sizeof(from));
	t0 = now();
	for (i = 0; i < iter; i++) {
		if (codec_decode(proto, CODEC_REGISTERING, msg, len, &req, scratch,
		    sizeof(scratch), NULL) != CODEC_OK) {
			fprintf(stderr, "%s: decode failed\n", name);
			exit(1);
		}
	}
	dec = now() - t0;
	t0 = now();
	for (i = 0; i < iter; i++)
		total += enc_message(proto, out, sizeof(out), from, NULL, 0,
		    req.body, req.body_len);
	enc = now() - t0;
	t0 = now();
	for (i = 0; i < iter; i++) {
		(void)codec_decode(proto, CODEC_REGISTERING, msg, len, &req, scratch,
		    sizeof(scratch), NULL);
		n = enc_message(proto, out, sizeof(out), from, NULL, 0,
		    req.body, req.body_len);
		total += n;
	}
	both = now() - t0;
	printf("%-8s SEND %zu B -> MESSAGE %zu B: decode %.0f ns, "
	    "encode %.0f ns, decode+encode %.0f ns = %.0f msg/s\n", name,
	    len, n, dec / iter * 1e9, enc / iter * 1e9, both / iter * 1e9,
	    iter / both);
	if (total == 0)
		exit(1);
}

int
main(int argc, char *argv[])
{
	uint8_t		 body[64], to[32], mp[256];
	char		 b_body[128], b_to[64], json[512];
	long		 iter = argc > 1 ? atol(argv[1]) : 1000000;
	size_t		 i, n;

	if (sodium_init() < 0 || iter <= 0)
		return 1;
	for (i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(i * 37);
	memset(to, 0x17, sizeof(to));
	sodium_bin2base64(b_body, sizeof(b_body), body, sizeof(body),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2base64(b_to, sizeof(b_to), to, sizeof(to),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(json, sizeof(json), "{\"type\":\"SEND\",\"to\":\"%s\","
	    "\"body\":\"%s\",\"id\":12345}", b_to, b_body);

	/* The same SEND in msgpack, by hand. */
	n = 0;
	mp[n++] = 0x84;
	mp[n++] = 0xa4;
	memcpy(mp + n, "type", 4);
	n += 4;
	mp[n++] = 0xa4;
	memcpy(mp + n, "SEND", 4);
	n += 4;
	mp[n++] = 0xa2;
	memcpy(mp + n, "to", 2);
	n += 2;
	mp[n++] = 0xc4;
	mp[n++] = 32;
	memcpy(mp + n, to, 32);
	n += 32;
	mp[n++] = 0xa4;
	memcpy(mp + n, "body", 4);
	n += 4;
	mp[n++] = 0xc4;
	mp[n++] = 64;
	memcpy(mp + n, body, 64);
	n += 64;
	mp[n++] = 0xa2;
	memcpy(mp + n, "id", 2);
	n += 2;
	mp[n++] = 0xcd;
	mp[n++] = 12345 >> 8;
	mp[n++] = 12345 & 0xff;

	run("json", PROTO_JSON, (const uint8_t *)json, strlen(json), iter);
	run("msgpack", PROTO_MSGPACK, mp, n, iter);
	return 0;
}
