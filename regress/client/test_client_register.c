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
 * libsws against a scripted relay, registration: key pinning, the proof,
 * every failure with its exact CLOSED event, and the timeout, in both
 * encodings.  Helpers in test_client.h.
 */
#include "test_client.h"

static void
test_registration(int msgpack)
{
	struct fake	*f;
	json_t		*m;
	uint8_t		 nonce[24], box[400], plain[400], pk[32];
	long		 n;
	const char	*mode = msgpack ? "msgpack" : "JSON";

	f = fake_new("ws://127.0.0.1:8080/", msgpack, server_pk, 5);
	srv_upgrade(f, NULL);
	ok(f->nrecs == 0, "%s: no event after the upgrade", mode);
	srv_challenge(f, server_pk);
	m = last_msg(f, "CHALLENGE_RESPONSE");
	ok(m != NULL && f->bad_frames == 0, "%s: CHALLENGE_RESPONSE sent "
	    "in the right frame type", mode);
	if (m == NULL) {
		fake_free(f);
		return;
	}
	ok(field_bytes(m, "publicKey", pk, 32) == 32 &&
	    memcmp(pk, alice_pk, 32) == 0, "%s: with our key", mode);
	ok(field_bytes(m, "nonce", nonce, 24) == 24, "%s: a 24-byte nonce",
	    mode);
	n = field_bytes(m, "box", box, sizeof(box));
	ok(n == 16 + 32 + 14 && crypto_box_open_easy(plain, box, (size_t)n,
	    nonce, alice_pk, server_sk) == 0 &&
	    memcmp(plain, f->challenge, 32) == 0 &&
	    memcmp(plain + 32, "127.0.0.1:8080", 14) == 0,
	    "%s: box opens to challenge || \"127.0.0.1:8080\"", mode);
	ok(json_object_get(m, "id") == NULL, "%s: no id", mode);
	srv_success(f, alice_pk, f->challenge, 0);
	ok(f->nrecs == 1 && last(f)->type == SWS_EV_READY &&
	    memcmp(last(f)->key, server_pk, 32) == 0 &&
	    last(f)->max_body == 48768, "%s: READY with the relay key and "
	    "limits", mode);
	fake_free(f);
}

static void
test_registration_failures(void)
{
	struct fake	*f;
	uint8_t		 other[32];
	char		*s;

	/* pinned key mismatch */
	f = fake_new("ws://127.0.0.1:8080/", 0, bob_pk, 5);
	srv_upgrade(f, NULL);
	srv_challenge(f, server_pk);
	ok(last_msg(f, "CHALLENGE_RESPONSE") == NULL,
	    "pinned key mismatch: no answer to the challenge");
	ok(f->got_close && f->close_code == 1008, "pinned key mismatch: "
	    "close 1008 sent (%d)", f->close_code);
	ok(last(f)->type == SWS_EV_CLOSED &&
	    strcmp(last(f)->code, "server-key") == 0 &&
	    strstr(last(f)->text, "mismatch") != NULL,
	    "pinned key mismatch: CLOSED server-key: %s", last(f)->text);
	fake_free(f);

	/* no pin: any relay key is taken */
	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
	srv_upgrade(f, NULL);
	srv_challenge(f, server_pk);
	ok(last_msg(f, "CHALLENGE_RESPONSE") != NULL, "without a pin the "
	    "challenge is answered");
	fake_free(f);

	/* low-order relay key */
	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
	srv_upgrade(f, NULL);
	memset(other, 0, sizeof(other));
	srv_challenge(f, other);
	ok(last_msg(f, "CHALLENGE_RESPONSE") == NULL &&
	    last(f)->type == SWS_EV_CLOSED &&
	    strcmp(last(f)->code, "server-key") == 0,
	    "a low-order relay key is refused: %s", last(f)->text);
	fake_free(f);

	/* bad proof */
	f = fake_new("ws://127.0.0.1:8080/", 0, server_pk, 5);
	srv_upgrade(f, NULL);
	srv_challenge(f, server_pk);
	srv_success(f, alice_pk, f->challenge, 1);
	ok(count_recs(f, SWS_EV_READY) == 0 && last(f)->type ==
	    SWS_EV_CLOSED && strcmp(last(f)->code, "proof") == 0 &&
	    f->close_code == 1008, "a corrupt proof: CLOSED proof, close "
	    "1008: %s", last(f)->text);
	fake_free(f);

	/* a proof for another challenge */
	f = fake_new("ws://127.0.0.1:8080/", 0, server_pk, 5);
	srv_upgrade(f, NULL);
	srv_challenge(f, server_pk);
	randombytes_buf(other, 32);
	srv_success(f, alice_pk, other, 0);
	ok(last(f)->type == SWS_EV_CLOSED && strcmp(last(f)->code, "proof") ==
	    0, "a proof of another challenge: CLOSED proof");
	fake_free(f);

	/* REGISTER_FAILURE, then the relay's close 1008 */
	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
	srv_upgrade(f, NULL);
	srv_challenge(f, server_pk);
	srv_msg(f, "{\"type\":\"REGISTER_FAILURE\",\"reason\":\"bad-binding\","
	    "\"message\":\"wrong relay\"}");
	ok(count_recs(f, SWS_EV_CLOSED) == 0, "REGISTER_FAILURE: waits for "
	    "the relay's close");
	srv_raw(f, WS_OP_CLOSE, "\x03\xf0", 2);
	ok(last(f)->type == SWS_EV_CLOSED &&
	    strcmp(last(f)->code, "registration") == 0 &&
	    strcmp(last(f)->reason, "bad-binding") == 0 &&
	    last(f)->closecode == 1008 && strstr(last(f)->text,
	    "bad-binding (wrong relay)") != NULL,
	    "REGISTER_FAILURE: CLOSED registration, reason, 1008: %s",
	    last(f)->text);
	ok(f->got_close && f->close_code == 1008, "the close is echoed");
	fake_free(f);

	/* a message other than CHALLENGE first */
	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
	srv_upgrade(f, NULL);
	s = b64(bob_pk, 32);
	srv_msg(f, "{\"type\":\"MESSAGE\",\"from\":\"%s\",\"body\":\"\"}", s);
	free(s);
	ok(last(f)->type == SWS_EV_CLOSED && strcmp(last(f)->code,
	    "protocol") == 0 && f->close_code == 1002,
	    "MESSAGE before registration: CLOSED protocol, close 1002");
	fake_free(f);

	/* version 2 */
	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
	srv_upgrade(f, NULL);
	srv_msg(f, "{\"type\":\"CHALLENGE\",\"version\":2,\"server\":"
	    "\"_V5zoNtKY6cpe3wXF-CnoFe3PbAdClp37lNuF4DTaAc\",\"challenge\":"
	    "\"NGKgkJODqw_8hAZrl-aGYzRiniubbb8c3FxpsGP3oMg\"}");
	ok(last(f)->type == SWS_EV_CLOSED && strstr(last(f)->text,
	    "version 2") != NULL, "version 2 refused: %s", last(f)->text);
	fake_free(f);

	/* REGISTER_SUCCESS for another key */
	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
	srv_upgrade(f, NULL);
	srv_challenge(f, server_pk);
	s = b64(bob_pk, 32);
	srv_msg(f, "{\"type\":\"REGISTER_SUCCESS\",\"publicKey\":\"%s\","
	    "\"proof\":\"%s\"}", s, "DGLq11GPrKf1eBoTqFjwo6NhYxzduxcajZn61XA-"
	    "61Yjj_43Wb3xSM6g18gIbc_0U3nk0aewQepIxPf1G1k1Woc8E-sDU1DmIr7bcwkT_"
	    "X5KRtDTGAtEn3DnLw970_NXUH-9EwB5xUI");
	free(s);
	ok(last(f)->type == SWS_EV_CLOSED && strcmp(last(f)->code, "proof") ==
	    0, "REGISTER_SUCCESS for another key: CLOSED proof");
	fake_free(f);
}

static void
test_timeout(void)
{
	struct fake	*f;
	struct timeval	 tv = { 3, 0 };

	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 1);
	srv_upgrade(f, NULL);
	event_base_loopexit(f->base, &tv);
	while (count_recs(f, SWS_EV_CLOSED) == 0 &&
	    event_base_loop(f->base, EVLOOP_ONCE) == 0 &&
	    !event_base_got_exit(f->base))
		;
	ok(last(f)->type == SWS_EV_CLOSED && strcmp(last(f)->code,
	    "timeout") == 0 && f->close_code == 1000,
	    "no CHALLENGE: CLOSED timeout after 1 s: %s", last(f)->text);
	fake_free(f);
}

int
main(void)
{
	if (client_setup() < 0)
		return 1;
	test_registration(0);
	test_registration(1);
	test_registration_failures();
	test_timeout();
	return tap_done();
}
