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
 * The cryptography of an sws client, without any I/O: the registration
 * box and the relay's proof (docs/WIRE.md section 3), and the end-to-end body
 * convention sws-e2e/1 (docs/WIRE.md section 7) for direct and room bodies.
 * Every function takes its nonce from the caller or, given NULL, draws a
 * fresh random one; the tests pass the nonces of vectors.json.
 *
 * Every function refuses a key whose shared secret with ours is all zeros
 * (a low-order point): libsodium's crypto_box does so itself.
 */
#ifndef SWS_E2E_H
#define SWS_E2E_H

#include <stddef.h>
#include <stdint.h>

#define E2E_KEY_LEN		32
#define E2E_NONCE_LEN		24
#define E2E_TAG_LEN		16
#define E2E_CHALLENGE_LEN	32
#define E2E_BINDING_MAX		255
#define E2E_PROOF_LEN		(E2E_NONCE_LEN + E2E_TAG_LEN + \
				    E2E_CHALLENGE_LEN + E2E_KEY_LEN)
/* bytes a body adds to its payload: nonce, tag, kind byte */
#define E2E_OVERHEAD		(E2E_NONCE_LEN + E2E_TAG_LEN + 1)
#define E2E_ROOM_MAX		128

/* kinds of the inner plaintext */
#define E2E_KIND_DATA		0x00
#define E2E_KIND_SENDER_KEY	0x01

/*
 * The CHALLENGE_RESPONSE box: box(challenge || binding, nonce, server pk,
 * client sk).  out must hold E2E_TAG_LEN + E2E_CHALLENGE_LEN + bindlen
 * bytes; bindlen is at most E2E_BINDING_MAX.  Returns the box length, or
 * -1 (binding too long, or a refused key).
 */
int	e2e_register_box(uint8_t *out, const uint8_t *challenge,
	    const char *binding, size_t bindlen, const uint8_t *nonce,
	    const uint8_t *server_pk, const uint8_t *client_sk);

/*
 * Check the proof of REGISTER_SUCCESS: nonce2 (its first 24 bytes) and
 * box(challenge || client pk, nonce2, client pk, server sk), opened with
 * the server pk and the client sk.  Returns 0 when it opens and holds
 * exactly our challenge and our key, -1 otherwise.
 */
int	e2e_proof_check(const uint8_t *proof, size_t prooflen,
	    const uint8_t *challenge, const uint8_t *client_pk,
	    const uint8_t *server_pk, const uint8_t *client_sk);

/*
 * A direct body: nonce || box(kind || payload, nonce, recipient pk,
 * sender sk).  out must hold len + E2E_OVERHEAD bytes (outlen says how
 * many it has).  nonce NULL: a random one.  Returns the body length or -1.
 */
long	e2e_seal_direct(uint8_t *out, size_t outlen, int kind,
	    const uint8_t *payload, size_t len, const uint8_t *nonce,
	    const uint8_t *to_pk, const uint8_t *from_sk);

/*
 * Open a direct body from from_pk.  out is a work area that must hold
 * bodylen - E2E_NONCE_LEN - E2E_TAG_LEN bytes (outlen says how many it
 * has); on success the payload is at its start, *kind is the kind byte
 * and the payload length is returned.  -1 when the body is too short,
 * does not open, or does not fit.
 */
long	e2e_open_direct(uint8_t *out, size_t outlen, int *kind,
	    const uint8_t *body, size_t bodylen, const uint8_t *from_pk,
	    const uint8_t *to_sk);

/*
 * A room body: nonce || secretbox(kind || payload, nonce, sender key).
 * Same conventions as e2e_seal_direct().
 */
long	e2e_seal_room(uint8_t *out, size_t outlen, int kind,
	    const uint8_t *payload, size_t len, const uint8_t *nonce,
	    const uint8_t *sender_key);
long	e2e_open_room(uint8_t *out, size_t outlen, int *kind,
	    const uint8_t *body, size_t bodylen, const uint8_t *sender_key);

#endif /* SWS_E2E_H */
