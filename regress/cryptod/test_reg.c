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
 * cryptod's registration cryptography against vectors.json (docs/WIRE.md
 * section 8): the registration box opens to challenge || binding, the
 * proof is byte for byte the vector's, a flipped bit or a low-order key
 * is refused, and the binding rules of section 3.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "reg.h"
#include "regress/lib/tap.h"

static json_t	*vec;

static size_t
vget(const char *obj, const char *key, uint8_t *out, size_t cap)
{
	json_t	*o = json_object_get(vec, obj), *v;
	long	 n;

	if (o == NULL || (v = json_object_get(o, key)) == NULL ||
	    !json_is_string(v))
		return 0;
	n = b64url_decode(out, cap, json_string_value(v),
	    json_string_length(v));
	return n < 0 ? 0 : (size_t)n;
}

static int
binding(const char *b, const char (*names)[256], size_t n)
{
	return reg_binding_ok((const uint8_t *)b, strlen(b), names, n);
}

int
main(void)
{
	const char	*path = getenv("SWS_VECTORS");
	uint8_t		 ssk[32], spk[32], apk[32], chal[32], nonce[24];
	uint8_t		 box[400], nonce2[24], proof[200], got[REG_PROOF_LEN];
	uint8_t		 k[REG_SHARED_LEN], plain[400], lo[32];
	size_t		 boxlen, prooflen, i;
	json_error_t	 err;
	json_t		*low, *v;
	const char	*bind;
	static const char names[3][256] = { "relay.example.org", "[::1]",
	    "Other.Example" };

	if (path == NULL)
		path = "regress/vectors.json";
	if (sodium_init() == -1 || (vec = json_load_file(path, 0, &err)) ==
	    NULL) {
		printf("not ok - cannot load %s: %s\n", path, err.text);
		return 1;
	}
	ok(vget("server", "secretKey", ssk, 32) == 32 &&
	    vget("server", "publicKey", spk, 32) == 32 &&
	    vget("alice", "publicKey", apk, 32) == 32 &&
	    vget("registration", "challenge", chal, 32) == 32 &&
	    vget("registration", "nonce", nonce, 24) == 24 &&
	    vget("registration", "nonce2", nonce2, 24) == 24, "vectors read");
	boxlen = vget("registration", "box", box, sizeof(box));
	prooflen = vget("registration", "proof", proof, sizeof(proof));
	bind = json_string_value(json_object_get(json_object_get(vec,
	    "registration"), "binding"));

	ok(reg_open(k, apk, ssk, nonce, box, boxlen, plain) == 0,
	    "the vector box opens with the server key and alice's key");
	ok(memcmp(plain, chal, 32) == 0, "it starts with the challenge");
	ok(boxlen - 16 - 32 == strlen(bind) &&
	    memcmp(plain + 32, bind, strlen(bind)) == 0,
	    "and the binding \"%s\" follows", bind);
	reg_proof(got, k, chal, apk, nonce2);
	ok(prooflen == REG_PROOF_LEN && memcmp(got, proof, prooflen) == 0,
	    "the proof with nonce2 is the vector's, byte for byte");

	for (i = 0; i < boxlen * 8; i += 37) {
		box[i / 8] ^= (uint8_t)(1 << (i % 8));
		if (reg_open(k, apk, ssk, nonce, box, boxlen, plain) == 0 &&
		    memcmp(plain, chal, 32) == 0)
			break;
		box[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
	ok(i >= boxlen * 8, "every flipped bit tried in the box is refused");
	ok(reg_open(k, spk, ssk, nonce, box, boxlen, plain) == -1,
	    "a box checked against another client key is refused");
	ok(reg_open(k, apk, ssk, nonce, box, 47, plain) == -1,
	    "a box shorter than 48 bytes is refused");

	low = json_object_get(vec, "low_order_public_keys");
	json_array_foreach(low, i, v) {
		ok(b64url_decode(lo, 32, json_string_value(v), 43) == 32 &&
		    reg_open(k, lo, ssk, nonce, box, boxlen, plain) == -1,
		    "low-order key %s refused", json_string_value(v));
	}

	ok(binding("anything at all", names, 0), "no names: not examined");
	ok(binding("relay.example.org:8080", names, 3), "host:port");
	ok(binding("relay.example.org", names, 3), "host alone");
	ok(binding("RELAY.Example.ORG:443", names, 3), "ASCII case ignored");
	ok(binding("other.example", names, 3), "second name, case ignored");
	ok(binding("[::1]:8080", names, 3), "IPv6 kept in brackets");
	ok(binding("[::1]", names, 3), "IPv6 without a port");
	ok(!binding("::1", names, 3), "IPv6 without brackets is no match");
	ok(!binding("[::1", names, 3), "unclosed bracket");
	ok(!binding("[::1]x", names, 3), "garbage after the bracket");
	ok(!binding("relay.example.org:", names, 3), "empty port");
	ok(!binding("relay.example.org:80a", names, 3), "port not digits");
	ok(!binding("relay.example.org:80:81", names, 3), "two ports");
	ok(!binding("relay.example.org.:80", names, 3),
	    "trailing dot is not normalised");
	ok(!binding("evil.example.org:8080", names, 3), "another host");
	ok(!binding("", names, 3), "empty binding with names");
	ok(!binding("relay.example.orgx", names, 3), "prefix only");
	json_decref(vec);
	return tap_done();
}
