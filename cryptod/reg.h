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
 * The registration checks and the proof (docs/WIRE.md section 3), apart from
 * cryptod's loop so that the vectors can test them directly.
 */
#ifndef SWS_REG_H
#define SWS_REG_H

#include <stddef.h>
#include <stdint.h>

#define REG_KEY_LEN	32
#define REG_NONCE_LEN	24
#define REG_MAC_LEN	16
#define REG_SHARED_LEN	32
#define REG_PROOF_LEN	(REG_NONCE_LEN + REG_MAC_LEN + 2 * REG_KEY_LEN)

/*
 * Open box (box_len bytes, at least 16 + 32) from client_pk to the server
 * key sk into plain (box_len - 16 bytes), leaving the shared key in k for
 * the proof.  Returns -1 for a low-order client key or a box that does not
 * open, else 0; the caller compares the challenge.
 */
int	reg_open(uint8_t k[REG_SHARED_LEN], const uint8_t *client_pk,
	    const uint8_t *sk, const uint8_t *nonce, const uint8_t *box,
	    size_t box_len, uint8_t *plain);
/*
 * 1 when the binding's host (port stripped, IPv6 kept in brackets)
 * equals one of the names ignoring ASCII case, or when there are no names.
 */
int	reg_binding_ok(const uint8_t *binding, size_t len,
	    const char (*names)[256], size_t nnames);
/* proof = nonce2 || box(challenge || client_pk, nonce2) under k. */
void	reg_proof(uint8_t proof[REG_PROOF_LEN], const uint8_t k[REG_SHARED_LEN],
	    const uint8_t *challenge, const uint8_t *client_pk,
	    const uint8_t nonce2[REG_NONCE_LEN]);

#endif /* SWS_REG_H */
