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
 * uthash keyed with SipHash (libsodium crypto_shorthash) under a key
 * drawn at start, for every table of the relay whose keys a client
 * chooses (public keys, room names, addresses): without the secret key a
 * client cannot aim its entries at one bucket.  Include this instead of
 * <uthash.h>; call khash_init() once before the first table is used.
 */
#ifndef SWS_KHASH_H
#define SWS_KHASH_H

#include <stddef.h>

#include "log.h"

void		khash_init(void);
unsigned int	khash(const void *, size_t);

#define HASH_FUNCTION(keyptr, keylen, hashv) \
	(hashv) = khash((keyptr), (keylen))
#define uthash_fatal(msg)	fatalx("%s", msg)
#include <uthash.h>

#endif /* SWS_KHASH_H */
