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
 * libsws against a scripted relay, rooms and their sender keys: who gets
 * our key and when, the keys of others, rotation, members joining and
 * leaving, and leaving from the callbacks, in both encodings.  Helpers in
 * test_client.h.
 */
#include "test_client.h"

/* Room key sent to who, as the test reads it: 0 or -1. */
static int
room_key_to(struct fake *f, int from_msg, const uint8_t *to_pk,
    const uint8_t *to_sk, const char *room, uint8_t *key)
{
	uint8_t	 to[32], body[300], out[300];
	long	 n;
	int	 i, kind;

	for (i = from_msg; i < f->nmsgs; i++) {
		json_t	*m = f->msgs[i];

		if (strcmp(json_string_value(json_object_get(m, "type")) ?: "",
		    "SEND") != 0 || field_bytes(m, "to", to, 32) != 32 ||
		    memcmp(to, to_pk, 32) != 0)
			continue;
		n = field_bytes(m, "body", body, sizeof(body));
		if (n < 0 || (n = e2e_open_direct(out, sizeof(out), &kind,
		    body, (size_t)n, alice_pk, to_sk)) < 0)
			continue;
		if (kind == 1 && (size_t)n == 32 + strlen(room) &&
		    memcmp(out + 32, room, strlen(room)) == 0 &&
		    json_object_get(m, "id") == NULL) {
			memcpy(key, out, 32);
			return 0;
		}
	}
	return -1;
}

static void
srv_room_msg(struct fake *f, const uint8_t *from, const char *room,
    const uint8_t *key, const char *text)
{
	uint8_t	 body[300];
	char	*s, *b;
	long	 n;

	n = e2e_seal_room(body, sizeof(body), 0, (const uint8_t *)text,
	    strlen(text), NULL, key);
	s = b64(from, 32);
	b = b64(body, (size_t)n);
	srv_msg(f, "{\"type\":\"MESSAGE\",\"from\":\"%s\",\"room\":\"%s\","
	    "\"body\":\"%s\"}", s, room, b);
	free(s);
	free(b);
}

static void
srv_key_msg(struct fake *f, const uint8_t *from_sk, const uint8_t *from_pk,
    const char *room, const uint8_t *key)
{
	uint8_t	 payload[200], body[300];
	char	*s, *b;
	long	 n;

	memcpy(payload, key, 32);
	memcpy(payload + 32, room, strlen(room));
	n = e2e_seal_direct(body, sizeof(body), 1, payload, 32 + strlen(room),
	    NULL, alice_pk, from_sk);
	s = b64(from_pk, 32);
	b = b64(body, (size_t)n);
	srv_msg(f, "{\"type\":\"MESSAGE\",\"from\":\"%s\",\"body\":\"%s\"}", s,
	    b);
	free(s);
	free(b);
}

static void
test_rooms(int msgpack)
{
	struct fake	*f;
	json_t		*m;
	uint8_t		 k1[32], k1c[32], k2[32], kx[32];
	uint8_t		 ck[32], ck2[32];
	uint8_t		 body[300], out[300];
	char		*a, *b, *c;
	uint64_t	 jid = 0, pid = 0;
	long		 n;
	int		 mark, kind;
	const char	*mode = msgpack ? "msgpack" : "JSON";

	f = registered(msgpack);
	errno = 0;
	ok(sws_join(f->c, "", NULL) == -1 && errno == EINVAL &&
	    sws_join(f->c, "a\tb", NULL) == -1 && errno == EINVAL,
	    "%s: bad room names refused", mode);
	errno = 0;
	ok(sws_publish(f->c, "lobby", "x", 1, NULL) == -1 && errno == ENOENT,
	    "%s: publish before JOINED is ENOENT", mode);
	ok(sws_join(f->c, "lobby", &jid) == 0, "%s: join", mode);
	pump(f);
	m = last_msg(f, "JOIN");
	ok(m != NULL && strcmp(json_string_value(json_object_get(m, "room")) ?:
	    "", "lobby") == 0 && json_integer_value(json_object_get(m, "id"))
	    == (json_int_t)jid, "%s: JOIN lobby with its id", mode);

	a = b64(alice_pk, 32);
	b = b64(bob_pk, 32);
	c = b64(carol_pk, 32);
	mark = f->nmsgs;
	srv_msg(f, "{\"type\":\"JOINED\",\"room\":\"lobby\",\"id\":%llu,"
	    "\"members\":[\"%s\",\"%s\",\"%s\"]}", (unsigned long long)jid, a,
	    b, c);
	ok(last(f)->type == SWS_EV_JOINED && last(f)->id == jid &&
	    last(f)->nmembers == 3 && strcmp(last(f)->room, "lobby") == 0,
	    "%s: JOINED reported", mode);
	ok(room_key_to(f, mark, bob_pk, bob_sk, "lobby", k1) == 0 &&
	    room_key_to(f, mark, carol_pk, carol_sk, "lobby", k1c) == 0 &&
	    memcmp(k1, k1c, 32) == 0, "%s: the same room key sent to bob and "
	    "carol (kind 1, no id)", mode);
	ok(f->nmsgs - mark == 2, "%s: no key sent to ourselves", mode);

	/* publishing uses that key */
	ok(sws_publish(f->c, "lobby", "to all", 6, &pid) == 0, "%s: publish",
	    mode);
	pump(f);
	m = last_msg(f, "PUBLISH");
	n = m != NULL ? field_bytes(m, "body", body, sizeof(body)) : -1;
	ok(n > 0 && e2e_open_room(out, sizeof(out), &kind, body, (size_t)n,
	    k1) == 6 && memcmp(out, "to all", 6) == 0 &&
	    json_integer_value(json_object_get(m, "id")) == (json_int_t)pid,
	    "%s: PUBLISH body opens with the room key", mode);

	/* carol's messages: first without her key, then with */
	randombytes_buf(ck, 32);
	srv_room_msg(f, carol_pk, "lobby", ck, "early");
	ok(last(f)->type == SWS_EV_DROPPED && strcmp(last(f)->code,
	    "no-sender-key") == 0, "%s: room message before the sender key "
	    "is dropped", mode);
	srv_key_msg(f, carol_sk, carol_pk, "lobby", ck);
	ok(last(f)->type == SWS_EV_SENDER_KEY && memcmp(last(f)->key,
	    carol_pk, 32) == 0 && memcmp(last(f)->data, ck, 32) == 0,
	    "%s: carol's room key taken", mode);
	srv_room_msg(f, carol_pk, "lobby", ck, "hi room");
	ok(last(f)->type == SWS_EV_MESSAGE && strcmp(last(f)->room, "lobby")
	    == 0 && memcmp(last(f)->key, carol_pk, 32) == 0 &&
	    last(f)->len == 7 && memcmp(last(f)->data, "hi room", 7) == 0,
	    "%s: carol's room message decrypted", mode);
	/* carol rotates; a message under the old key in flight still opens */
	randombytes_buf(ck2, 32);
	srv_key_msg(f, carol_sk, carol_pk, "lobby", ck2);
	srv_room_msg(f, carol_pk, "lobby", ck, "late old");
	ok(last(f)->type == SWS_EV_MESSAGE && last(f)->len == 8,
	    "%s: a message under the previous key still opens", mode);
	srv_room_msg(f, carol_pk, "lobby", ck2, "new");
	ok(last(f)->type == SWS_EV_MESSAGE && last(f)->len == 3,
	    "%s: the new key opens", mode);
	randombytes_buf(kx, 32);
	srv_room_msg(f, carol_pk, "lobby", kx, "forged");
	ok(last(f)->type == SWS_EV_DROPPED && strcmp(last(f)->code,
	    "undecryptable") == 0, "%s: a room body under an unknown key is "
	    "dropped", mode);

	/* keys from strangers and for other rooms */
	srv_key_msg(f, dave_sk, dave_pk, "lobby", kx);
	ok(last(f)->type == SWS_EV_DROPPED && strcmp(last(f)->code,
	    "unexpected-key") == 0, "%s: a room key from a non-member is "
	    "dropped", mode);
	srv_key_msg(f, carol_sk, carol_pk, "other", kx);
	ok(last(f)->type == SWS_EV_DROPPED && strcmp(last(f)->code,
	    "unexpected-key") == 0, "%s: a room key for another room is "
	    "dropped", mode);
	srv_room_msg(f, dave_pk, "lobby", kx, "x");
	ok(last(f)->type == SWS_EV_DROPPED && strcmp(last(f)->code,
	    "no-sender-key") == 0, "%s: a room message from a non-member is "
	    "dropped", mode);

	/* dave joins: he gets our current key */
	mark = f->nmsgs;
	{
		char	*d = b64(dave_pk, 32);

		srv_msg(f, "{\"type\":\"PRESENCE\",\"room\":\"lobby\","
		    "\"publicKey\":\"%s\",\"state\":\"joined\"}", d);
		free(d);
	}
	ok(last(f)->type == SWS_EV_PRESENCE && last(f)->joined &&
	    room_key_to(f, mark, dave_pk, dave_sk, "lobby", kx) == 0 &&
	    memcmp(kx, k1, 32) == 0 && f->nmsgs - mark == 1,
	    "%s: PRESENCE joined: the newcomer gets our current key", mode);

	/* bob leaves: a new key for carol and dave, none for bob */
	mark = f->nmsgs;
	srv_msg(f, "{\"type\":\"PRESENCE\",\"room\":\"lobby\","
	    "\"publicKey\":\"%s\",\"state\":\"left\"}", b);
	ok(last(f)->type == SWS_EV_PRESENCE && !last(f)->joined,
	    "%s: PRESENCE left reported", mode);
	ok(room_key_to(f, mark, carol_pk, carol_sk, "lobby", k2) == 0 &&
	    memcmp(k2, k1, 32) != 0 && room_key_to(f, mark, dave_pk, dave_sk,
	    "lobby", kx) == 0 && memcmp(kx, k2, 32) == 0 &&
	    room_key_to(f, mark, bob_pk, bob_sk, "lobby", kx) == -1,
	    "%s: key rotated for the remaining members only", mode);
	ok(sws_publish(f->c, "lobby", "after", 5, NULL) == 0, "%s: publish "
	    "after bob left", mode);
	pump(f);
	m = last_msg(f, "PUBLISH");
	n = m != NULL ? field_bytes(m, "body", body, sizeof(body)) : -1;
	ok(n > 0 && e2e_open_room(out, sizeof(out), &kind, body, (size_t)n,
	    k1) == -1 && e2e_open_room(out, sizeof(out), &kind, body,
	    (size_t)n, k2) == 5, "%s: what follows opens with the new key, "
	    "not with the one bob had", mode);

	/* bob's messages are no longer taken */
	srv_room_msg(f, bob_pk, "lobby", k1, "ghost");
	ok(last(f)->type == SWS_EV_DROPPED, "%s: room message from a member "
	    "who left is dropped", mode);

	/* leave: keys forgotten at once */
	ok(sws_leave(f->c, "lobby", NULL) == 0, "%s: leave", mode);
	pump(f);
	ok(last_msg(f, "LEAVE") != NULL, "%s: LEAVE sent", mode);
	srv_room_msg(f, carol_pk, "lobby", ck2, "after leave");
	ok(last(f)->type == SWS_EV_DROPPED, "%s: room message after leave is "
	    "dropped", mode);
	errno = 0;
	ok(sws_publish(f->c, "lobby", "x", 1, NULL) == -1 && errno == ENOENT,
	    "%s: publish after leave is ENOENT", mode);
	ok(f->bad_frames == 0, "%s: all frames well formed", mode);
	fake_free(f);

	/* leaving from the callbacks: the events stay valid */
	f = registered(msgpack);
	f->leave_on = SWS_EV_JOINED;
	sws_join(f->c, "lobby", &jid);
	pump(f);
	srv_msg(f, "{\"type\":\"JOINED\",\"room\":\"lobby\",\"id\":%llu,"
	    "\"members\":[\"%s\",\"%s\"]}", (unsigned long long)jid, a, c);
	ok(last(f)->type == SWS_EV_JOINED && strcmp(last(f)->room, "lobby") ==
	    0 && last_msg(f, "LEAVE") != NULL, "%s: leave inside JOINED", mode);
	f->leave_on = SWS_EV_SENDER_KEY;
	sws_join(f->c, "lobby", &jid);
	pump(f);
	srv_msg(f, "{\"type\":\"JOINED\",\"room\":\"lobby\",\"id\":%llu,"
	    "\"members\":[\"%s\",\"%s\"]}", (unsigned long long)jid, a, c);
	srv_key_msg(f, carol_sk, carol_pk, "lobby", ck);
	ok(last(f)->type == SWS_EV_SENDER_KEY && memcmp(last(f)->data, ck,
	    32) == 0 && strcmp(last(f)->room, "lobby") == 0,
	    "%s: leave inside SENDER_KEY", mode);
	f->leave_on = SWS_EV_MESSAGE;
	sws_join(f->c, "lobby", &jid);
	pump(f);
	srv_msg(f, "{\"type\":\"JOINED\",\"room\":\"lobby\",\"id\":%llu,"
	    "\"members\":[\"%s\",\"%s\"]}", (unsigned long long)jid, a, c);
	srv_key_msg(f, carol_sk, carol_pk, "lobby", ck);
	srv_room_msg(f, carol_pk, "lobby", ck, "bye now");
	ok(last(f)->type == SWS_EV_MESSAGE && last(f)->len == 7 &&
	    strcmp(last(f)->room, "lobby") == 0, "%s: leave inside MESSAGE",
	    mode);
	f->leave_on = SWS_EV_PRESENCE;
	sws_join(f->c, "lobby", &jid);
	pump(f);
	srv_msg(f, "{\"type\":\"JOINED\",\"room\":\"lobby\",\"id\":%llu,"
	    "\"members\":[\"%s\",\"%s\"]}", (unsigned long long)jid, a, c);
	srv_msg(f, "{\"type\":\"PRESENCE\",\"room\":\"lobby\","
	    "\"publicKey\":\"%s\",\"state\":\"left\"}", c);
	ok(last(f)->type == SWS_EV_PRESENCE && strcmp(last(f)->room, "lobby")
	    == 0, "%s: leave inside PRESENCE", mode);
	free(a);
	free(b);
	free(c);
	fake_free(f);
}

int
main(void)
{
	if (client_setup() < 0)
		return 1;
	test_rooms(0);
	test_rooms(1);
	return tap_done();
}
