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
