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
 * The relay's one hash key, and SipHash over it (see khash.h).
 */
#include <sodium.h>
#include <string.h>

#include "khash.h"

static uint8_t	khash_key[crypto_shorthash_KEYBYTES];
static int	khash_ready;

void
khash_init(void)
{
	if (khash_ready)
		return;
	randombytes_buf(khash_key, sizeof(khash_key));
	khash_ready = 1;
}

unsigned int
khash(const void *p, size_t len)
{
	uint8_t		 h[crypto_shorthash_BYTES];
	unsigned int	 v;

	crypto_shorthash(h, p, len, khash_key);
	memcpy(&v, h, sizeof(v));
	return v;
}
