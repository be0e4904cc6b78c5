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
 * What the libsws tests share (test_client_*.c, one binary each): a
 * scripted relay without a network.  The client gets one end of a
 * bufferevent_pair (sws_client_attach), the test plays the relay on the
 * other end with common/ws.c, and records what the client sends and which
 * events it reports.  Static inline, so that each test compiles only what
 * it uses.
 */
#ifndef SWS_TEST_CLIENT_H
#define SWS_TEST_CLIENT_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <jansson.h>
#include <msgpack.h>
#include <sha1.h>
#include <sodium.h>

#include "b64.h"
#include "ws.h"
#include "client/e2e.h"
#include "client/sws.h"
#include "regress/lib/tap.h"

#define MAXREC	64
#define MAXMSG	64

struct rec {
	int		 type;
	uint64_t	 id;
	char		 code[64];
	char		 reason[64];
	char		 text[600];
	char		 room[SWS_ROOM_MAX + 1];
	int		 has_room;
	uint8_t		 key[32];
	uint8_t		 data[512];
	size_t		 len;
	int		 closecode;
	int		 joined;
	size_t		 nmembers;
	uint64_t	 max_body;
};

struct fake {
	struct event_base	*base;
	struct bufferevent	*pair[2];	/* [0] the client's end */
	struct sws_client	*c;
	int			 msgpack;
	struct ws_rx		 rx;
	int			 have_req;
	char			 req[8192];
	/* what the client sent */
	json_t			*msgs[MAXMSG];
	int			 nmsgs;
	int			 got_close;
	int			 close_code;
	int			 got_pong;
	uint8_t			 pong[WS_MAX_CONTROL];
	size_t			 ponglen;
	int			 bad_frames;
	int			 eof;
	/* what the client reported */
	struct rec		 recs[MAXREC];
	int			 nrecs;
	int			 free_on;	/* free the client then */
	int			 leave_on;	/* leave ev->room first */
	uint8_t			 challenge[32];
};

static uint8_t	 server_sk[32], server_pk[32], alice_sk[32], alice_pk[32];
static uint8_t	 bob_sk[32], bob_pk[32], carol_sk[32], carol_pk[32];
static uint8_t	 dave_sk[32], dave_pk[32];

static const char *const byte_fields[] = {
	"server", "challenge", "publicKey", "nonce", "box", "proof", "to",
	"from", "body", NULL
};

static inline int
is_byte_field(const char *k)
{
	int	 i;

	for (i = 0; byte_fields[i] != NULL; i++)
		if (strcmp(k, byte_fields[i]) == 0)
			return 1;
	return 0;
}

static inline char *
b64(const uint8_t *p, size_t len)
{
	char	*s = malloc(B64_ENCODED_LEN(len) + 1);

	b64url_encode(s, B64_ENCODED_LEN(len) + 1, p, len);
	return s;
}

/* Bytes of a base64url string field of a JSON message; -1 if absent. */
static inline long
field_bytes(json_t *m, const char *k, uint8_t *out, size_t outlen)
{
	const char	*s = json_string_value(json_object_get(m, k));

	if (s == NULL)
		return -1;
	return b64url_decode(out, outlen, s, strlen(s));
}

/* ---- the relay's side ---- */

/* A msgpack object as JSON, bin as base64url (how the test reads both). */
static inline json_t *
mp_to_json(const msgpack_object *o)
{
	json_t		*j;
	char		*s;
	uint32_t	 i;

	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return json_integer((json_int_t)o->via.u64);
	case MSGPACK_OBJECT_STR:
		return json_stringn(o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_BIN:
		s = b64((const uint8_t *)o->via.bin.ptr, o->via.bin.size);
		j = json_string(s);
		free(s);
		/* mark it as bytes: a JSON client would have sent text */
		return json_pack("{s:o}", "$bin", j);
	case MSGPACK_OBJECT_MAP:
		j = json_object();
		for (i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv	*kv = &o->via.map.ptr[i];
			json_t			*v = mp_to_json(&kv->val);
			json_t			*b;
			char			 k[64];

			if (kv->key.type != MSGPACK_OBJECT_STR ||
			    kv->key.via.str.size >= sizeof(k))
				continue;
			memcpy(k, kv->key.via.str.ptr, kv->key.via.str.size);
			k[kv->key.via.str.size] = '\0';
			/* a byte field must be bin: unwrap; else keep as is */
			if (json_is_object(v) &&
			    (b = json_object_get(v, "$bin")) != NULL &&
			    is_byte_field(k)) {
				json_object_set(j, k, b);
				json_decref(v);
			} else
				json_object_set_new(j, k, v);
		}
		return j;
	default:
		return json_null();
	}
}

static inline int
srv_frame(void *arg, int opcode, uint8_t *data, size_t len)
{
	struct fake	*f = arg;
	json_t		*j = NULL;

	switch (opcode) {
	case WS_OP_TEXT:
		if (f->msgpack)
			f->bad_frames++;
		j = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES,
		    NULL);
		break;
	case WS_OP_BINARY: {
		msgpack_unpacked	 up;
		size_t			 off = 0;

		if (!f->msgpack)
			f->bad_frames++;
		msgpack_unpacked_init(&up);
		if (msgpack_unpack_next(&up, (const char *)data, len, &off) ==
		    MSGPACK_UNPACK_SUCCESS && off == len)
			j = mp_to_json(&up.data);
		msgpack_unpacked_destroy(&up);
		break;
	}
	case WS_OP_CLOSE:
		f->got_close = 1;
		f->close_code = len >= 2 ? (data[0] << 8) | data[1] : 1005;
		return 0;
	case WS_OP_PONG:
		f->got_pong = 1;
		memcpy(f->pong, data, len);
		f->ponglen = len;
		return 0;
	default:
		return 0;
	}
	if (j == NULL || f->nmsgs == MAXMSG) {
		f->bad_frames++;
		json_decref(j);
		return 0;
	}
	f->msgs[f->nmsgs++] = j;
	return 0;
}

static inline void
srv_read(struct bufferevent *bev, void *arg)
{
	struct fake		*f = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 p;
	uint8_t			*buf;
	size_t			 len;
	int			 code;

	if (!f->have_req) {
		p = evbuffer_search(in, "\r\n\r\n", 4, NULL);
		if (p.pos < 0 || (size_t)p.pos + 4 >= sizeof(f->req))
			return;
		evbuffer_remove(in, f->req, (size_t)p.pos + 4);
		f->req[p.pos + 4] = '\0';
		f->have_req = 1;
	}
	len = evbuffer_get_length(in);
	if (len == 0)
		return;
	buf = evbuffer_pullup(in, -1);
	if (ws_rx_feed(&f->rx, 1 << 20, buf, len, srv_frame, f, &code) < 0)
		f->bad_frames++;
	evbuffer_drain(in, len);
}

static inline void
srv_event(struct bufferevent *bev, short what, void *arg)
{
	struct fake	*f = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		f->eof = 1;
}

static inline void
pump(struct fake *f)
{
	int	 i;

	for (i = 0; i < 30; i++)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
}

static inline void
srv_raw(struct fake *f, int opcode, const void *p, size_t len)
{
	uint8_t	 hdr[WS_MAX_HEADER];

	bufferevent_write(f->pair[1], hdr, ws_header(hdr, opcode, len));
	bufferevent_write(f->pair[1], p, len);
	pump(f);
}

static inline void
srv_bytes(struct fake *f, const void *p, size_t len)
{
	bufferevent_write(f->pair[1], p, len);
	pump(f);
}

static inline void
mp_pack_json(msgpack_packer *pk, const char *key, json_t *v)
{
	const char	*k, *s;
	json_t		*e;
	uint8_t		 bin[1 << 16];
	long		 n;
	size_t		 i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		msgpack_pack_map(pk, json_object_size(v));
		json_object_foreach(v, k, e) {
			msgpack_pack_str(pk, strlen(k));
			msgpack_pack_str_body(pk, k, strlen(k));
			mp_pack_json(pk, k, e);
		}
		break;
	case JSON_ARRAY:
		msgpack_pack_array(pk, json_array_size(v));
		json_array_foreach(v, i, e)
			mp_pack_json(pk, key, e);
		break;
	case JSON_STRING:
		s = json_string_value(v);
		if (key != NULL && (is_byte_field(key) ||
		    strcmp(key, "members") == 0) &&
		    (n = b64url_decode(bin, sizeof(bin), s, strlen(s))) >= 0) {
			msgpack_pack_bin(pk, (size_t)n);
			msgpack_pack_bin_body(pk, bin, (size_t)n);
		} else {
			msgpack_pack_str(pk, strlen(s));
			msgpack_pack_str_body(pk, s, strlen(s));
		}
		break;
	case JSON_INTEGER:
		msgpack_pack_uint64(pk, (uint64_t)json_integer_value(v));
		break;
	default:
		msgpack_pack_nil(pk);
	}
}

/* Send one relay message given as JSON text, in the client's encoding. */
static inline void
srv_msg(struct fake *f, const char *fmt, ...)
    __attribute__((__format__ (printf, 2, 3)));

static inline void
srv_msg(struct fake *f, const char *fmt, ...)
{
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	json_t		*j;
	va_list		 ap;
	char		*s;
	int		 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if (!f->msgpack) {
		srv_raw(f, WS_OP_TEXT, s, strlen(s));
		free(s);
		return;
	}
	if ((j = json_loads(s, 0, NULL)) == NULL) {
		printf("# bad test JSON: %s\n", s);
		abort();
	}
	free(s);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	mp_pack_json(&pk, NULL, j);
	json_decref(j);
	srv_raw(f, WS_OP_BINARY, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

/* ---- the client's side ---- */

static inline void
on_event(struct sws_client *c, const struct sws_event *ev, void *arg)
{
	struct fake	*f = arg;
	struct rec	*r;

	if (ev->type == SWS_EV_DEBUG)
		return;
	if (f->nrecs == MAXREC)
		abort();
	/* what the event points to must outlive this */
	if (f->leave_on == (int)ev->type && ev->room != NULL)
		sws_leave(c, ev->room, NULL);
	r = &f->recs[f->nrecs++];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	r->id = ev->id;
	if (ev->code != NULL)
		snprintf(r->code, sizeof(r->code), "%s", ev->code);
	if (ev->reason != NULL)
		snprintf(r->reason, sizeof(r->reason), "%s", ev->reason);
	if (ev->text != NULL)
		snprintf(r->text, sizeof(r->text), "%s", ev->text);
	if (ev->room != NULL) {
		snprintf(r->room, sizeof(r->room), "%s", ev->room);
		r->has_room = 1;
	}
	if (ev->key != NULL)
		memcpy(r->key, ev->key, 32);
	if (ev->data != NULL && ev->len <= sizeof(r->data)) {
		memcpy(r->data, ev->data, ev->len);
		r->len = ev->len;
	}
	r->closecode = ev->closecode;
	r->joined = ev->joined;
	r->nmembers = ev->nmembers;
	if (ev->limits != NULL)
		r->max_body = ev->limits->max_body;
	if (f->free_on == (int)ev->type) {
		sws_client_free(c);
		f->c = NULL;
	}
}

static inline struct rec *
last(struct fake *f)
{
	static struct rec	 none;

	return f->nrecs > 0 ? &f->recs[f->nrecs - 1] : &none;
}

static inline int
count_recs(struct fake *f, int type)
{
	int	 i, n = 0;

	for (i = 0; i < f->nrecs; i++)
		n += f->recs[i].type == type;
	return n;
}

static inline struct fake *
fake_new(const char *url, int msgpack, const uint8_t *pin, int timeout)
{
	struct fake		*f;
	struct sws_config	 cfg;
	char			 err[256];

	f = calloc(1, sizeof(*f));
	f->base = event_base_new();
	f->msgpack = msgpack;
	ws_rx_init(&f->rx, 1);
	if (bufferevent_pair_new(f->base, BEV_OPT_DEFER_CALLBACKS,
	    f->pair) != 0)
		abort();
	bufferevent_setcb(f->pair[1], srv_read, NULL, srv_event, f);
	bufferevent_enable(f->pair[1], EV_READ | EV_WRITE);
	memset(&cfg, 0, sizeof(cfg));
	cfg.url = url;
	cfg.secret_key = alice_sk;
	cfg.server_key = pin;
	cfg.msgpack = msgpack;
	cfg.timeout = timeout;
	cfg.debug = 1;
	if ((f->c = sws_client_new(f->base, &cfg, on_event, f, err,
	    sizeof(err))) == NULL) {
		printf("# %s\n", err);
		abort();
	}
	sws_client_attach(f->c, f->pair[0]);
	pump(f);
	return f;
}

static inline void
fake_free(struct fake *f)
{
	int	 i;

	/* the client owns pair[0] */
	if (f->c != NULL)
		sws_client_free(f->c);
	pump(f);
	if (f->pair[1] != NULL)
		bufferevent_free(f->pair[1]);
	ws_rx_free(&f->rx);
	for (i = 0; i < f->nmsgs; i++)
		json_decref(f->msgs[i]);
	event_base_free(f->base);
	free(f);
}

/* The value of a request header, copied into out. */
static inline int
req_header(struct fake *f, const char *name, char *out, size_t outlen)
{
	char	 pat[128], *p, *e;

	snprintf(pat, sizeof(pat), "\r\n%s: ", name);
	if ((p = strstr(f->req, pat)) == NULL)
		return -1;
	p += strlen(pat);
	if ((e = strstr(p, "\r\n")) == NULL || (size_t)(e - p) >= outlen)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

static inline void
accept_for(const char *key, char *out, size_t outlen)
{
	SHA1_CTX	 ctx;
	uint8_t		 d[SHA1_DIGEST_LENGTH];

	SHA1Init(&ctx);
	SHA1Update(&ctx, (const uint8_t *)key, strlen(key));
	SHA1Update(&ctx,
	    (const uint8_t *)"258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
	SHA1Final(d, &ctx);
	sodium_bin2base64(out, outlen, d, sizeof(d),
	    sodium_base64_VARIANT_ORIGINAL);
}

/* Answer the upgrade; extra replaces the default headers when given. */
static inline void
srv_upgrade(struct fake *f, const char *extra)
{
	char	 key[64], acc[64], proto[64], buf[1024];

	if (req_header(f, "Sec-WebSocket-Key", key, sizeof(key)) != 0)
		key[0] = '\0';
	if (req_header(f, "Sec-WebSocket-Protocol", proto,
	    sizeof(proto)) != 0)
		proto[0] = '\0';
	accept_for(key, acc, sizeof(acc));
	if (extra == NULL)
		snprintf(buf, sizeof(buf),
		    "HTTP/1.1 101 Switching Protocols\r\n"
		    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		    "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: %s\r\n"
		    "\r\n", acc, proto);
	else
		snprintf(buf, sizeof(buf), extra, acc, proto);
	srv_bytes(f, buf, strlen(buf));
}

static inline json_t *
last_msg(struct fake *f, const char *type)
{
	int	 i;

	for (i = f->nmsgs - 1; i >= 0; i--)
		if (strcmp(json_string_value(json_object_get(f->msgs[i],
		    "type")) ?: "", type) == 0)
			return f->msgs[i];
	return NULL;
}

static inline void
srv_challenge(struct fake *f, const uint8_t *spk)
{
	char	*s, *ch;

	randombytes_buf(f->challenge, 32);
	s = b64(spk, 32);
	ch = b64(f->challenge, 32);
	srv_msg(f, "{\"type\":\"CHALLENGE\",\"version\":1,\"server\":\"%s\","
	    "\"challenge\":\"%s\"}", s, ch);
	free(s);
	free(ch);
}

static inline void
srv_success(struct fake *f, const uint8_t *for_pk, const uint8_t *chal,
    int corrupt)
{
	uint8_t	 m[64], proof[E2E_PROOF_LEN];
	char	*pk, *pr;

	memcpy(m, chal, 32);
	memcpy(m + 32, for_pk, 32);
	randombytes_buf(proof, 24);
	if (crypto_box_easy(proof + 24, m, 64, proof, alice_pk,
	    server_sk) != 0)
		abort();
	if (corrupt)
		proof[50] ^= 1;
	pk = b64(alice_pk, 32);
	pr = b64(proof, sizeof(proof));
	srv_msg(f, "{\"type\":\"REGISTER_SUCCESS\",\"publicKey\":\"%s\","
	    "\"proof\":\"%s\",\"limits\":{\"maxMessage\":65536,"
	    "\"maxBody\":48768,\"rate\":100,\"burst\":200,\"rooms\":32}}",
	    pk, pr);
	free(pk);
	free(pr);
}

/* A registered client: upgrade, challenge, proof; 0 when READY. */
static inline struct fake *
registered(int msgpack)
{
	struct fake	*f;

	f = fake_new("ws://127.0.0.1:8080/", msgpack, server_pk, 5);
	srv_upgrade(f, NULL);
	srv_challenge(f, server_pk);
	srv_success(f, alice_pk, f->challenge, 0);
	return f;
}

/* The keys of vectors.json for the server and alice, fresh ones for the
 * others; 0, or -1 when libsodium fails. */
static inline int
client_setup(void)
{
	if (sodium_init() < 0)
		return -1;
	if (b64url_decode(server_sk, 32,
	    "_CsI0KzMdVekvbvmvYe_79S8cByyY8-aSP20ECgCt8E", 43) != 32 ||
	    b64url_decode(alice_sk, 32,
	    "77dAkFHIKu6dCCLLbv5r0waF6mRiF45HmrfVdj58IBw", 43) != 32)
		return -1;
	crypto_scalarmult_base(server_pk, server_sk);
	crypto_scalarmult_base(alice_pk, alice_sk);
	crypto_box_keypair(bob_pk, bob_sk);
	crypto_box_keypair(carol_pk, carol_sk);
	crypto_box_keypair(dave_pk, dave_sk);
	return 0;
}

#endif /* SWS_TEST_CLIENT_H */
