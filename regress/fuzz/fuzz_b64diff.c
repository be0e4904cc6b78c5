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
 * Differential target: common/b64.c must give libsodium's answer
 * (URLSAFE_NO_PADDING, NULL end pointer, plus the 4n+1 rule) on every
 * input, b64url_check() must give b64url_decode()'s verdict and length,
 * and encoding must round-trip and match libsodium's text.  One
 * known difference: libsodium 1.0.18 accepts bytes 0x80-0xff as letters
 * of the alphabet; ours refuses any input holding one, as RFC 4648 and
 * docs/WIRE.md require.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
memchr_high(const uint8_t *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] >= 0x80)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 init;
	uint8_t		 a[4096], b[4096];
	char		 ta[8192], tb[8192];
	size_t		 blen;
	long		 alen;
	int		 rb;

	if (!init) {
		if (sodium_init() == -1)
			abort();
		init = 1;
	}
	if (size > 4000)
		return 0;
	/* decoding: same verdict, same bytes */
	alen = b64url_decode(a, sizeof(a), (const char *)data, size);
	rb = size % 4 == 1 ? -1 : sodium_base642bin(b, sizeof(b),
	    (const char *)data, size, NULL, &blen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (memchr_high(data, size)) {
		if (alen >= 0)
			abort();	/* not base64url, whatever libsodium says */
	} else if ((alen >= 0) != (rb == 0))
		abort();
	if (alen >= 0 && rb == 0 && ((size_t)alen != blen || memcmp(a, b, blen) != 0))
		abort();
	/* checking alone: the verdict and length of decoding */
	if (b64url_check((const char *)data, size) != alen)
		abort();
	/* encoding: same text, and it decodes back */
	b64url_encode(ta, sizeof(ta), data, size);
	sodium_bin2base64(tb, sizeof(tb), data, size,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (strcmp(ta, tb) != 0)
		abort();
	alen = b64url_decode(a, sizeof(a), ta, strlen(ta));
	if (alen != (long)size || memcmp(a, data, size) != 0)
		abort();
	return 0;
}
