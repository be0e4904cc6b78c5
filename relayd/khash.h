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
