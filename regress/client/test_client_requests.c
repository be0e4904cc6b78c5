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
 * libsws against a scripted relay, once registered: requests and their
 * answers, receiving, limits, pings and the relay's close, the relay
 * dropping TCP, and freeing the client from its callback, in both
 * encodings.  Helpers in test_client.h.
 */
#include "test_client.h"

static void
test_requests(int msgpack)
{
	struct fake	*f;
	json_t		*m;
	uint8_t		 to[32], body[200], out[200], sealed[200];
	const char	*mode = msgpack ? "msgpack" : "JSON";
	char		*s, *b;
	uint64_t	 id1 = 0, id2 = 0;
	long		 n;
	int		 kind;

	f = registered(msgpack);
	ok(sws_send(f->c, bob_pk, "hi bob", 6, &id1) == 0 && id1 != 0,
	    "%s: sws_send gives an id", mode);
	pump(f);
	m = last_msg(f, "SEND");
	ok(m != NULL && json_integer_value(json_object_get(m, "id")) ==
	    (json_int_t)id1 && field_bytes(m, "to", to, 32) == 32 &&
	    memcmp(to, bob_pk, 32) == 0, "%s: SEND to bob with the id", mode);
	n = m != NULL ? field_bytes(m, "body", body, sizeof(body)) : -1;
	ok(n == 6 + E2E_OVERHEAD && e2e_open_direct(out, sizeof(out), &kind,
	    body, (size_t)n, alice_pk, bob_sk) == 6 && kind == 0 &&
	    memcmp(out, "hi bob", 6) == 0, "%s: bob opens the body", mode);
	srv_msg(f, "{\"type\":\"ACK\",\"id\":%llu}", (unsigned long long)id1);
	ok(last(f)->type == SWS_EV_ACK && last(f)->id == id1, "%s: ACK "
	    "reported", mode);
	ok(sws_send(f->c, bob_pk, "again", 5, &id2) == 0 && id2 != id1,
	    "%s: the next id differs", mode);
	srv_msg(f, "{\"type\":\"ERROR\",\"id\":%llu,\"code\":\"offline\","
	    "\"message\":\"no session\"}", (unsigned long long)id2);
	ok(last(f)->type == SWS_EV_ERROR && last(f)->id == id2 &&
	    strcmp(last(f)->code, "offline") == 0 &&
	    strcmp(last(f)->text, "no session") == 0, "%s: ERROR offline "
	    "reported with its id", mode);
	srv_msg(f, "{\"type\":\"ERROR\",\"code\":\"malformed\"}");
	ok(last(f)->type == SWS_EV_ERROR && last(f)->id == 0 &&
	    strcmp(last(f)->code, "malformed") == 0, "%s: ERROR without id",
	    mode);

	/* receiving */
	n = e2e_seal_direct(sealed, sizeof(sealed), 0,
	    (const uint8_t *)"hello alice", 11, NULL, alice_pk, bob_sk);
	s = b64(bob_pk, 32);
	b = b64(sealed, (size_t)n);
	srv_msg(f, "{\"type\":\"MESSAGE\",\"from\":\"%s\",\"body\":\"%s\"}", s,
	    b);
	ok(last(f)->type == SWS_EV_MESSAGE && memcmp(last(f)->key, bob_pk,
	    32) == 0 && !last(f)->has_room && last(f)->len == 11 &&
	    memcmp(last(f)->data, "hello alice", 11) == 0,
	    "%s: MESSAGE from bob decrypted", mode);
	free(b);
	sealed[n - 1] ^= 1;
	b = b64(sealed, (size_t)n);
	srv_msg(f, "{\"type\":\"MESSAGE\",\"from\":\"%s\",\"body\":\"%s\"}", s,
	    b);
	ok(last(f)->type == SWS_EV_DROPPED && strcmp(last(f)->code,
	    "undecryptable") == 0, "%s: a body that does not open is "
	    "dropped", mode);
	free(b);
	srv_msg(f, "{\"type\":\"MESSAGE\",\"from\":\"%s\",\"body\":\"\"}", s);
	ok(last(f)->type == SWS_EV_DROPPED, "%s: an empty body is dropped",
	    mode);
	free(s);
	/* from carol, claiming to be bob */
	n = e2e_seal_direct(sealed, sizeof(sealed), 0, (const uint8_t *)"x",
	    1, NULL, alice_pk, carol_sk);
	s = b64(bob_pk, 32);
	b = b64(sealed, (size_t)n);
	srv_msg(f, "{\"type\":\"MESSAGE\",\"from\":\"%s\",\"body\":\"%s\"}", s,
	    b);
	ok(last(f)->type == SWS_EV_DROPPED, "%s: a body from another key "
	    "than from is dropped", mode);
	free(s);
	free(b);
	/* unknown type and unknown keys are ignored */
	srv_msg(f, "{\"type\":\"FUTURE\",\"x\":[1,2,3]}");
	srv_msg(f, "{\"type\":\"ACK\",\"id\":5,\"extra\":{\"a\":1}}");
	ok(last(f)->type == SWS_EV_ACK && last(f)->id == 5 &&
	    count_recs(f, SWS_EV_CLOSED) == 0, "%s: unknown type and keys "
	    "ignored", mode);

	/* limits */
	{
		static uint8_t	 big[48768];

		errno = 0;
		ok(sws_send(f->c, bob_pk, big, 48768 - E2E_OVERHEAD + 1,
		    NULL) == -1 && errno == EMSGSIZE, "%s: a body over maxBody "
		    "is EMSGSIZE", mode);
		ok(sws_send(f->c, bob_pk, big, 48768 - E2E_OVERHEAD, NULL) ==
		    0, "%s: a body of exactly maxBody is sent", mode);
	}
	errno = 0;
	ok(sws_send(f->c, (const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "x", 1, NULL) == -1 &&
	    errno == EINVAL, "%s: send to a low-order key is EINVAL", mode);

	/* ping, then a close from the relay */
	srv_raw(f, WS_OP_PING, "abc", 3);
	ok(f->got_pong && f->ponglen == 3 && memcmp(f->pong, "abc", 3) == 0,
	    "%s: ping answered with the same payload", mode);
	srv_raw(f, WS_OP_CLOSE, "\x03\xe9going", 7);
	ok(last(f)->type == SWS_EV_CLOSED && strcmp(last(f)->code,
	    "relay-close") == 0 && last(f)->closecode == 1001 &&
	    strstr(last(f)->text, "1001 (going)") != NULL,
	    "%s: relay close 1001 reported: %s", mode, last(f)->text);
	ok(f->got_close && f->close_code == 1001, "%s: close echoed", mode);
	errno = 0;
	ok(sws_send(f->c, bob_pk, "x", 1, NULL) == -1 && errno == ENOTCONN,
	    "%s: send after close is ENOTCONN", mode);
	ok(f->bad_frames == 0, "%s: every client frame well formed and "
	    "masked", mode);
	fake_free(f);
}

static void
test_close(void)
{
	struct fake	*f;

	f = registered(0);
	sws_close(f->c);
	pump(f);
	ok(f->got_close && f->close_code == 1000 && count_recs(f,
	    SWS_EV_CLOSED) == 0, "sws_close sends 1000 and waits");
	srv_raw(f, WS_OP_CLOSE, "\x03\xe8", 2);
	ok(last(f)->type == SWS_EV_CLOSED && strcmp(last(f)->code, "closed") ==
	    0 && last(f)->closecode == 1000, "CLOSED closed after the "
	    "relay's answer");
	fake_free(f);

	/* the relay drops TCP */
	f = registered(0);
	bufferevent_flush(f->pair[1], EV_WRITE, BEV_FINISHED);
	pump(f);
	ok(last(f)->type == SWS_EV_CLOSED && strcmp(last(f)->code, "lost") ==
	    0, "TCP end without close: CLOSED lost: %s", last(f)->text);
	fake_free(f);

	/* free from the callback */
	f = registered(0);
	f->free_on = SWS_EV_ACK;
	{
		/* two ACKs in one write: the second is never reported */
		static const char ack1[] = "{\"type\":\"ACK\",\"id\":1}";
		static const char ack2[] = "{\"type\":\"ACK\",\"id\":2}";
		uint8_t		 two[128];
		size_t		 o, n1 = strlen(ack1), n2 = strlen(ack2);

		o = ws_header(two, WS_OP_TEXT, n1);
		memcpy(two + o, ack1, n1);
		o += n1;
		o += ws_header(two + o, WS_OP_TEXT, n2);
		memcpy(two + o, ack2, n2);
		o += n2;
		srv_bytes(f, two, o);
	}
	ok(f->c == NULL && count_recs(f, SWS_EV_ACK) == 1,
	    "freed from its callback: nothing after, no crash");
	fake_free(f);
}

int
main(void)
{
	if (client_setup() < 0)
		return 1;
	test_requests(0);
	test_requests(1);
	test_close();
	return tap_done();
}
