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
 * Registration box, proof check and sws-e2e/1 bodies (docs/WIRE.md sections 3
 * and 7).  Bodies are sealed in place: the kind byte and the payload are
 * copied after the room left for the nonce and the tag, and libsodium,
 * which allows its input and output to overlap, encrypts them there.
 */
#include <sodium.h>
#include <string.h>

#include "e2e.h"

int
e2e_register_box(uint8_t *out, const uint8_t *challenge, const char *binding,
    size_t bindlen, const uint8_t *nonce, const uint8_t *server_pk,
    const uint8_t *client_sk)
{
	uint8_t	 m[E2E_CHALLENGE_LEN + E2E_BINDING_MAX];
	int	 rv;

	if (bindlen > E2E_BINDING_MAX)
		return -1;
	memcpy(m, challenge, E2E_CHALLENGE_LEN);
	if (bindlen > 0)
		memcpy(m + E2E_CHALLENGE_LEN, binding, bindlen);
	rv = crypto_box_easy(out, m, E2E_CHALLENGE_LEN + bindlen, nonce,
	    server_pk, client_sk);
	sodium_memzero(m, sizeof(m));
	if (rv != 0)
		return -1;
	return (int)(E2E_TAG_LEN + E2E_CHALLENGE_LEN + bindlen);
}

int
e2e_proof_check(const uint8_t *proof, size_t prooflen,
    const uint8_t *challenge, const uint8_t *client_pk,
    const uint8_t *server_pk, const uint8_t *client_sk)
{
	uint8_t	 m[E2E_CHALLENGE_LEN + E2E_KEY_LEN];
	int	 rv = -1;

	if (prooflen != E2E_PROOF_LEN)
		return -1;
	if (crypto_box_open_easy(m, proof + E2E_NONCE_LEN,
	    prooflen - E2E_NONCE_LEN, proof, server_pk, client_sk) != 0)
		return -1;
	if (sodium_memcmp(m, challenge, E2E_CHALLENGE_LEN) == 0 &&
	    sodium_memcmp(m + E2E_CHALLENGE_LEN, client_pk, E2E_KEY_LEN) == 0)
		rv = 0;
	sodium_memzero(m, sizeof(m));
	return rv;
}

/* Lay out nonce, room for the tag, kind and payload; return the inner. */
static uint8_t *
seal_prepare(uint8_t *out, size_t outlen, int kind, const uint8_t *payload,
    size_t len, const uint8_t *nonce)
{
	uint8_t	*inner;

	if (len > SIZE_MAX - E2E_OVERHEAD || outlen < len + E2E_OVERHEAD)
		return NULL;
	if (kind < 0 || kind > 0xff)
		return NULL;
	if (nonce != NULL)
		memcpy(out, nonce, E2E_NONCE_LEN);
	else
		randombytes_buf(out, E2E_NONCE_LEN);
	inner = out + E2E_NONCE_LEN + E2E_TAG_LEN;
	if (len > 0)
		memmove(inner + 1, payload, len);
	inner[0] = (uint8_t)kind;
	return inner;
}

long
e2e_seal_direct(uint8_t *out, size_t outlen, int kind, const uint8_t *payload,
    size_t len, const uint8_t *nonce, const uint8_t *to_pk,
    const uint8_t *from_sk)
{
	uint8_t	*inner;

	if ((inner = seal_prepare(out, outlen, kind, payload, len,
	    nonce)) == NULL)
		return -1;
	if (crypto_box_easy(out + E2E_NONCE_LEN, inner, len + 1, out, to_pk,
	    from_sk) != 0) {
		sodium_memzero(out, len + E2E_OVERHEAD);
		return -1;
	}
	return (long)(len + E2E_OVERHEAD);
}

long
e2e_seal_room(uint8_t *out, size_t outlen, int kind, const uint8_t *payload,
    size_t len, const uint8_t *nonce, const uint8_t *sender_key)
{
	uint8_t	*inner;

	if ((inner = seal_prepare(out, outlen, kind, payload, len,
	    nonce)) == NULL)
		return -1;
	if (crypto_secretbox_easy(out + E2E_NONCE_LEN, inner, len + 1, out,
	    sender_key) != 0) {
		sodium_memzero(out, len + E2E_OVERHEAD);
		return -1;
	}
	return (long)(len + E2E_OVERHEAD);
}

/* Move the payload to the start of out and return its length. */
static long
open_finish(uint8_t *out, size_t innerlen, int *kind)
{
	*kind = out[0];
	memmove(out, out + 1, innerlen - 1);
	return (long)(innerlen - 1);
}

long
e2e_open_direct(uint8_t *out, size_t outlen, int *kind, const uint8_t *body,
    size_t bodylen, const uint8_t *from_pk, const uint8_t *to_sk)
{
	size_t	 innerlen;

	if (bodylen < E2E_OVERHEAD)
		return -1;
	innerlen = bodylen - E2E_NONCE_LEN - E2E_TAG_LEN;
	if (outlen < innerlen)
		return -1;
	if (crypto_box_open_easy(out, body + E2E_NONCE_LEN,
	    bodylen - E2E_NONCE_LEN, body, from_pk, to_sk) != 0)
		return -1;
	return open_finish(out, innerlen, kind);
}

long
e2e_open_room(uint8_t *out, size_t outlen, int *kind, const uint8_t *body,
    size_t bodylen, const uint8_t *sender_key)
{
	size_t	 innerlen;

	if (bodylen < E2E_OVERHEAD)
		return -1;
	innerlen = bodylen - E2E_NONCE_LEN - E2E_TAG_LEN;
	if (outlen < innerlen)
		return -1;
	if (crypto_secretbox_open_easy(out, body + E2E_NONCE_LEN,
	    bodylen - E2E_NONCE_LEN, body, sender_key) != 0)
		return -1;
	return open_finish(out, innerlen, kind);
}
