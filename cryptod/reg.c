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
 * The cryptography of registration.  One X25519 multiplication serves
 * both the check and the proof, since the proof is boxed between the same
 * two keys; libsodium refuses a low-order client key in that step.
 */
#include <ctype.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "reg.h"

int
reg_open(uint8_t k[REG_SHARED_LEN], const uint8_t *client_pk,
    const uint8_t *sk, const uint8_t *nonce, const uint8_t *box,
    size_t box_len, uint8_t *plain)
{
	if (box_len < REG_MAC_LEN + REG_KEY_LEN)
		return -1;
	if (crypto_box_beforenm(k, client_pk, sk) != 0)
		return -1;
	if (crypto_box_open_easy_afternm(plain, box, box_len, nonce, k) != 0)
		return -1;
	return 0;
}

int
reg_binding_ok(const uint8_t *b, size_t len, const char (*names)[256],
    size_t nnames)
{
	size_t	 hostlen, i;

	if (nnames == 0)
		return 1;
	if (len > 0 && b[0] == '[') {
		for (hostlen = 1; hostlen < len && b[hostlen] != ']'; hostlen++)
			;
		if (hostlen == len)
			return 0;
		hostlen++;
	} else {
		for (hostlen = 0; hostlen < len && b[hostlen] != ':'; hostlen++)
			;
	}
	if (hostlen < len) {
		/* what follows the host is ":port" */
		if (b[hostlen] != ':' || hostlen + 1 == len)
			return 0;
		for (i = hostlen + 1; i < len; i++)
			if (!isdigit(b[i]))
				return 0;
	}
	for (i = 0; i < nnames; i++)
		if (strlen(names[i]) == hostlen &&
		    strncasecmp(names[i], (const char *)b, hostlen) == 0)
			return 1;
	return 0;
}

void
reg_proof(uint8_t proof[REG_PROOF_LEN], const uint8_t k[REG_SHARED_LEN],
    const uint8_t *challenge, const uint8_t *client_pk,
    const uint8_t nonce2[REG_NONCE_LEN])
{
	uint8_t	 m[2 * REG_KEY_LEN];

	memcpy(m, challenge, REG_KEY_LEN);
	memcpy(m + REG_KEY_LEN, client_pk, REG_KEY_LEN);
	memcpy(proof, nonce2, REG_NONCE_LEN);
	if (crypto_box_easy_afternm(proof + REG_NONCE_LEN, m, sizeof(m),
	    nonce2, k) != 0)
		fatalx("crypto_box_easy_afternm");
}
