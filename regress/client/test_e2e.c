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
 * The client's cryptography against vectors.json (docs/WIRE.md section 8):
 * the registration box and proof, the direct body, the room key body and
 * the room body, made and opened with client/e2e.c exactly as libsws
 * uses them; and the refusal of low-order keys.
 *
 * In the registration vector alice is the client: box(challenge ||
 * binding, nonce, server pk, alice sk) gives the expected box, and the
 * proof holds challenge || alice pk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "b64.h"
#include "client/e2e.h"
#include "client/sws.h"
#include "regress/lib/tap.h"

static json_t	*vec;

static const char *
vectors_path(void)
{
	static char	 path[4096];
	static const char *const rel[] = {
		"regress/vectors.json"
	};
	const char	*env, *top;
	size_t		 i;

	if ((env = getenv("SWS_VECTORS")) != NULL)
		return env;
	top = getenv("SWS_TOP");
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", top != NULL ? top : ".",
		    rel[i]);
		if (access(path, R_OK) == 0)
			return path;
	}
	return "/work/shared/vectors.json";
}

/* Decode the base64url string at vec.a.b (b may be NULL). */
static size_t
get(uint8_t *out, size_t outlen, const char *a, const char *b)
{
	json_t		*j = json_object_get(vec, a);
	const char	*s;
	long		 n;

	if (b != NULL)
		j = json_object_get(j, b);
	if ((s = json_string_value(j)) == NULL) {
		printf("# vectors.json has no %s.%s\n", a, b ? b : "");
		exit(1);
	}
	n = b64url_decode(out, outlen, s, strlen(s));
	if (n < 0) {
		printf("# vectors.json: %s.%s is not base64url\n", a,
		    b ? b : "");
		exit(1);
	}
	return (size_t)n;
}

static const char *
gets_(const char *a, const char *b)
{
	const char	*s;

	s = json_string_value(json_object_get(json_object_get(vec, a), b));
	if (s == NULL) {
		printf("# vectors.json has no %s.%s\n", a, b);
		exit(1);
	}
	return s;
}

static uint8_t	 server_sk[32], server_pk[32], alice_sk[32], alice_pk[32];
static uint8_t	 bob_sk[32], bob_pk[32];

static void
test_keys(void)
{
	uint8_t	 pk[32];

	get(server_sk, 32, "server", "secretKey");
	get(server_pk, 32, "server", "publicKey");
	get(alice_sk, 32, "alice", "secretKey");
	get(alice_pk, 32, "alice", "publicKey");
	get(bob_sk, 32, "bob", "secretKey");
	get(bob_pk, 32, "bob", "publicKey");
	crypto_scalarmult_base(pk, alice_sk);
	ok(memcmp(pk, alice_pk, 32) == 0, "alice's public key from her "
	    "secret key");
	crypto_scalarmult_base(pk, bob_sk);
	ok(memcmp(pk, bob_pk, 32) == 0, "bob's public key from his secret "
	    "key");
}

static void
test_registration(void)
{
	uint8_t		 challenge[32], nonce[24], want[400], box[400];
	uint8_t		 nonce2[24], proof[200], bad[200], m[400];
	const char	*binding;
	size_t		 wlen, plen;
	int		 n;

	get(challenge, sizeof(challenge), "registration", "challenge");
	get(nonce, sizeof(nonce), "registration", "nonce");
	wlen = get(want, sizeof(want), "registration", "box");
	binding = gets_("registration", "binding");

	n = e2e_register_box(box, challenge, binding, strlen(binding), nonce,
	    server_pk, alice_sk);
	ok(n == (int)wlen && memcmp(box, want, wlen) == 0,
	    "registration box (alice as client) matches the vector");
	ok(crypto_box_open_easy(m, box, (size_t)n, nonce, alice_pk,
	    server_sk) == 0 && memcmp(m, challenge, 32) == 0 &&
	    memcmp(m + 32, binding, strlen(binding)) == 0,
	    "the server opens it to challenge || binding");
	n = e2e_register_box(box, challenge, binding, strlen(binding), nonce,
	    server_pk, bob_sk);
	ok(n == (int)wlen && memcmp(box, want, wlen) != 0,
	    "bob's box differs: the vector is alice's");
	ok(e2e_register_box(box, challenge, "x", 0, nonce, server_pk,
	    alice_sk) == 48, "an empty binding gives a 48-byte box");
	{
		char	 big[257];

		memset(big, 'a', sizeof(big));
		ok(e2e_register_box(m, challenge, big, 255, nonce, server_pk,
		    alice_sk) == 303, "a 255-byte binding gives 303 bytes");
		ok(e2e_register_box(m, challenge, big, 256, nonce, server_pk,
		    alice_sk) == -1, "a 256-byte binding is refused");
	}

	get(nonce2, sizeof(nonce2), "registration", "nonce2");
	plen = get(proof, sizeof(proof), "registration", "proof");
	ok(plen == E2E_PROOF_LEN && memcmp(proof, nonce2, 24) == 0,
	    "proof is nonce2 || box, %d bytes", E2E_PROOF_LEN);
	/* the server's side, to be sure of the layout */
	memcpy(m, challenge, 32);
	memcpy(m + 32, alice_pk, 32);
	memcpy(bad, nonce2, 24);
	ok(crypto_box_easy(bad + 24, m, 64, nonce2, alice_pk, server_sk) ==
	    0 && memcmp(bad, proof, plen) == 0,
	    "proof made with the server key reproduces the vector");
	ok(e2e_proof_check(proof, plen, challenge, alice_pk, server_pk,
	    alice_sk) == 0, "proof checks");
	ok(e2e_proof_check(proof, plen - 1, challenge, alice_pk, server_pk,
	    alice_sk) == -1, "a short proof is refused");
	memcpy(bad, proof, plen);
	bad[plen - 1] ^= 1;
	ok(e2e_proof_check(bad, plen, challenge, alice_pk, server_pk,
	    alice_sk) == -1, "a changed proof is refused");
	memcpy(bad, proof, plen);
	bad[0] ^= 1;
	ok(e2e_proof_check(bad, plen, challenge, alice_pk, server_pk,
	    alice_sk) == -1, "a proof with another nonce is refused");
	challenge[5] ^= 1;
	ok(e2e_proof_check(proof, plen, challenge, alice_pk, server_pk,
	    alice_sk) == -1, "a proof for another challenge is refused");
	challenge[5] ^= 1;
	ok(e2e_proof_check(proof, plen, challenge, alice_pk, bob_pk,
	    alice_sk) == -1, "a proof from another server key is refused");
	/* a proof for bob's key, boxed to alice: opens, wrong content */
	memcpy(m + 32, bob_pk, 32);
	n = crypto_box_easy(bad + 24, m, 64, nonce2, alice_pk, server_sk);
	memcpy(bad, nonce2, 24);
	ok(n == 0 && e2e_proof_check(bad, plen, challenge, alice_pk, server_pk,
	    alice_sk) == -1, "a proof naming another client key is refused");
}

static void
test_direct(void)
{
	uint8_t		 nonce[24], want[200], inner[64], body[200];
	uint8_t		 out[200];
	const char	*text;
	size_t		 wlen, ilen, i;
	long		 n;
	int		 kind, bad;

	text = json_string_value(json_object_get(json_object_get(vec,
	    "message"), "text"));
	if (text == NULL)
		text = "";
	get(nonce, sizeof(nonce), "message", "nonce");
	wlen = get(want, sizeof(want), "message", "body");
	ilen = get(inner, sizeof(inner), "message", "inner");
	ok(ilen == strlen(text) + 1 && inner[0] == 0x00 &&
	    memcmp(inner + 1, text, ilen - 1) == 0,
	    "direct inner is 0x00 || \"%s\"", text);

	n = e2e_seal_direct(body, sizeof(body), E2E_KIND_DATA,
	    (const uint8_t *)text, strlen(text), nonce, bob_pk, alice_sk);
	ok(n == (long)wlen && memcmp(body, want, wlen) == 0,
	    "direct body alice -> bob matches the vector");
	ok(e2e_seal_direct(body, wlen - 1, E2E_KIND_DATA,
	    (const uint8_t *)text, strlen(text), nonce, bob_pk, alice_sk) ==
	    -1, "sealing into a short buffer is refused");

	n = e2e_open_direct(out, sizeof(out), &kind, want, wlen, alice_pk,
	    bob_sk);
	ok(n == (long)strlen(text) && kind == E2E_KIND_DATA &&
	    memcmp(out, text, strlen(text)) == 0,
	    "bob opens it with alice's key");
	ok(e2e_open_direct(out, sizeof(out), &kind, want, wlen, bob_pk,
	    bob_sk) == -1, "it does not open as if from another key");
	ok(e2e_open_direct(out, sizeof(out), &kind, want, wlen, bob_pk,
	    alice_sk) == (long)strlen(text),
	    "alice can open her own body too (the shared key is symmetric)");
	memcpy(body, want, wlen);
	body[30] ^= 0x40;
	ok(e2e_open_direct(out, sizeof(out), &kind, body, wlen, alice_pk,
	    bob_sk) == -1, "a changed body does not open");
	bad = 0;
	for (i = 0; i < E2E_OVERHEAD; i++)
		if (e2e_open_direct(out, sizeof(out), &kind, want, i,
		    alice_pk, bob_sk) != -1)
			bad++;
	ok(bad == 0, "bodies of 0..%d bytes are refused", E2E_OVERHEAD - 1);
	ok(e2e_open_direct(out, wlen - 41, &kind, want, wlen, alice_pk,
	    bob_sk) == -1, "opening into a short buffer is refused");

	/* random nonces: two seals differ, both open */
	{
		uint8_t	 b1[100], b2[100];
		long	 n1, n2;

		n1 = e2e_seal_direct(b1, sizeof(b1), 0, (const uint8_t *)"x",
		    1, NULL, bob_pk, alice_sk);
		n2 = e2e_seal_direct(b2, sizeof(b2), 0, (const uint8_t *)"x",
		    1, NULL, bob_pk, alice_sk);
		ok(n1 == 42 && n2 == 42 && memcmp(b1, b2, 24) != 0 &&
		    e2e_open_direct(out, sizeof(out), &kind, b1, 42,
		    alice_pk, bob_sk) == 1 && out[0] == 'x',
		    "random nonces differ and open");
		ok(e2e_seal_direct(b1, sizeof(b1), 0, NULL, 0, NULL, bob_pk,
		    alice_sk) == E2E_OVERHEAD && e2e_open_direct(out,
		    sizeof(out), &kind, b1, E2E_OVERHEAD, alice_pk, bob_sk) ==
		    0 && kind == 0, "an empty payload gives %d bytes and "
		    "opens", E2E_OVERHEAD);
	}
}

static void
test_room(void)
{
	uint8_t		 skey[32], knonce[24], kinner[200], kbody[300];
	uint8_t		 rnonce[24], rinner[64], rbody[200], body[300];
	uint8_t		 payload[200], out[300];
	const char	*room, *text;
	size_t		 klen, kilen, rlen, rilen, rl;
	long		 n;
	int		 kind;

	room = gets_("e2e", "room");
	text = gets_("e2e", "text");
	rl = strlen(room);
	get(skey, sizeof(skey), "e2e", "senderKey");
	get(knonce, sizeof(knonce), "e2e", "keyNonce");
	kilen = get(kinner, sizeof(kinner), "e2e", "keyInner");
	klen = get(kbody, sizeof(kbody), "e2e", "keyBody");
	get(rnonce, sizeof(rnonce), "e2e", "roomNonce");
	rilen = get(rinner, sizeof(rinner), "e2e", "roomInner");
	rlen = get(rbody, sizeof(rbody), "e2e", "roomBody");

	ok(kilen == 1 + 32 + rl && kinner[0] == 0x01 &&
	    memcmp(kinner + 1, skey, 32) == 0 &&
	    memcmp(kinner + 33, room, rl) == 0,
	    "room key inner is 0x01 || key || \"%s\"", room);
	memcpy(payload, skey, 32);
	memcpy(payload + 32, room, rl);
	n = e2e_seal_direct(body, sizeof(body), E2E_KIND_SENDER_KEY, payload,
	    32 + rl, knonce, bob_pk, alice_sk);
	ok(n == (long)klen && memcmp(body, kbody, klen) == 0,
	    "room key body alice -> bob matches the vector");
	n = e2e_open_direct(out, sizeof(out), &kind, kbody, klen, alice_pk,
	    bob_sk);
	ok(n == (long)(32 + rl) && kind == E2E_KIND_SENDER_KEY &&
	    memcmp(out, payload, 32 + rl) == 0, "bob opens the room key");

	ok(rilen == 1 + strlen(text) && rinner[0] == 0x00 &&
	    memcmp(rinner + 1, text, strlen(text)) == 0,
	    "room inner is 0x00 || \"%s\"", text);
	n = e2e_seal_room(body, sizeof(body), E2E_KIND_DATA,
	    (const uint8_t *)text, strlen(text), rnonce, skey);
	ok(n == (long)rlen && memcmp(body, rbody, rlen) == 0,
	    "room body matches the vector");
	n = e2e_open_room(out, sizeof(out), &kind, rbody, rlen, skey);
	ok(n == (long)strlen(text) && kind == E2E_KIND_DATA &&
	    memcmp(out, text, strlen(text)) == 0,
	    "room body opens with the sender key");
	skey[0] ^= 1;
	ok(e2e_open_room(out, sizeof(out), &kind, rbody, rlen, skey) == -1,
	    "room body does not open with another key");
	skey[0] ^= 1;
	ok(e2e_open_room(out, sizeof(out), &kind, rbody, E2E_OVERHEAD - 1,
	    skey) == -1, "a room body of %d bytes is refused",
	    E2E_OVERHEAD - 1);
}

static void
test_low_order(void)
{
	json_t		*list, *e;
	uint8_t		 low[32], box[400], body[100], out[100];
	uint8_t		 challenge[32] = { 1 }, nonce[24] = { 2 };
	uint8_t		 proof[E2E_PROOF_LEN];
	const char	*s;
	size_t		 i;
	int		 kind;

	list = json_object_get(vec, "low_order_public_keys");
	ok(json_array_size(list) > 0, "vectors list low-order keys");
	json_array_foreach(list, i, e) {
		s = json_string_value(e);
		if (s == NULL || b64url_decode(low, sizeof(low), s,
		    strlen(s)) != 32) {
			ok(0, "low-order key %zu readable", i);
			continue;
		}
		ok(e2e_register_box(box, challenge, "a", 1, nonce, low,
		    alice_sk) == -1, "registration box to low-order server "
		    "key %s refused", s);
		ok(e2e_seal_direct(body, sizeof(body), 0,
		    (const uint8_t *)"x", 1, NULL, low, alice_sk) == -1,
		    "direct body to low-order key %s refused", s);
		/* a body "from" a low-order key: any bytes, never opens */
		memset(body, 0, sizeof(body));
		ok(e2e_open_direct(out, sizeof(out), &kind, body, 60, low,
		    bob_sk) == -1, "direct body from low-order key %s refused",
		    s);
		memset(proof, 0, sizeof(proof));
		ok(e2e_proof_check(proof, sizeof(proof), challenge, alice_pk,
		    low, alice_sk) == -1, "proof from low-order server key %s "
		    "refused", s);
	}
}

static void
test_key_text(void)
{
	uint8_t		 k[32];
	char		 s[SWS_KEY_B64LEN + 1];

	sws_key_encode(s, alice_pk);
	ok(strcmp(s, gets_("alice", "publicKey")) == 0,
	    "sws_key_encode gives the vector's text");
	ok(sws_key_decode(k, s) == 0 && memcmp(k, alice_pk, 32) == 0,
	    "sws_key_decode round trip");
	ok(sws_key_decode(k, "8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeXd")
	    == -1, "a key with non-zero trailing bits is refused");
	ok(sws_key_decode(k, "8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeX") ==
	    -1, "42 characters are refused");
	ok(sws_key_decode(k, "8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeXc=")
	    == -1, "padding is refused");
	ok(sws_key_decode(k, "8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo+HeXc") ==
	    -1, "the standard alphabet is refused");
}

int
main(void)
{
	json_error_t	 err;
	const char	*path = vectors_path();

	if (sodium_init() < 0)
		return 1;
	vec = json_load_file(path, 0, &err);
	ok(vec != NULL, "vectors.json read from %s", path);
	if (vec == NULL)
		return tap_done();
	test_keys();
	test_registration();
	test_direct();
	test_room();
	test_low_order();
	test_key_text();
	json_decref(vec);
	return tap_done();
}
