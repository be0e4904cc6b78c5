/*
 * libsws against a scripted relay, without a network: the client gets one
 * end of a bufferevent_pair (sws_client_attach), the test plays the relay
 * on the other end with common/ws.c, and checks what the client sends and
 * which events it reports.  Covers the upgrade checks, registration (key
 * pinning, proof, failure), requests and answers, receiving, rooms and
 * their keys, control frames, and hostile input: every bad input must end
 * in the exact CLOSED event, with the exact close code sent back.
 */
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

static int
is_byte_field(const char *k)
{
	int	 i;

	for (i = 0; byte_fields[i] != NULL; i++)
		if (strcmp(k, byte_fields[i]) == 0)
			return 1;
	return 0;
}

static char *
b64(const uint8_t *p, size_t len)
{
	char	*s = malloc(B64_ENCODED_LEN(len) + 1);

	b64url_encode(s, B64_ENCODED_LEN(len) + 1, p, len);
	return s;
}

/* Bytes of a base64url string field of a JSON message; -1 if absent. */
static long
field_bytes(json_t *m, const char *k, uint8_t *out, size_t outlen)
{
	const char	*s = json_string_value(json_object_get(m, k));

	if (s == NULL)
		return -1;
	return b64url_decode(out, outlen, s, strlen(s));
}

/* ---- the relay's side ---- */

/* A msgpack object as JSON, bin as base64url (how the test reads both). */
static json_t *
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

static int
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

static void
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

static void
srv_event(struct bufferevent *bev, short what, void *arg)
{
	struct fake	*f = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		f->eof = 1;
}

static void
pump(struct fake *f)
{
	int	 i;

	for (i = 0; i < 30; i++)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
}

static void
srv_raw(struct fake *f, int opcode, const void *p, size_t len)
{
	uint8_t	 hdr[WS_MAX_HEADER];

	bufferevent_write(f->pair[1], hdr, ws_header(hdr, opcode, len));
	bufferevent_write(f->pair[1], p, len);
	pump(f);
}

static void
srv_bytes(struct fake *f, const void *p, size_t len)
{
	bufferevent_write(f->pair[1], p, len);
	pump(f);
}

static void
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
static void
srv_msg(struct fake *f, const char *fmt, ...)
    __attribute__((__format__ (printf, 2, 3)));

static void
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

static void
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

static struct rec *
last(struct fake *f)
{
	static struct rec	 none;

	return f->nrecs > 0 ? &f->recs[f->nrecs - 1] : &none;
}

static int
count_recs(struct fake *f, int type)
{
	int	 i, n = 0;

	for (i = 0; i < f->nrecs; i++)
		n += f->recs[i].type == type;
	return n;
}

static struct fake *
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

static void
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
static int
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

static void
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
static void
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

static json_t *
last_msg(struct fake *f, const char *type)
{
	int	 i;

	for (i = f->nmsgs - 1; i >= 0; i--)
		if (strcmp(json_string_value(json_object_get(f->msgs[i],
		    "type")) ?: "", type) == 0)
			return f->msgs[i];
	return NULL;
}

static void
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

static void
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
static struct fake *
registered(int msgpack)
{
	struct fake	*f;

	f = fake_new("ws://127.0.0.1:8080/", msgpack, server_pk, 5);
	srv_upgrade(f, NULL);
	srv_challenge(f, server_pk);
	srv_success(f, alice_pk, f->challenge, 0);
	return f;
}

/* ---- tests ---- */

static void
test_upgrade_request(void)
{
	struct fake	*f;
	char		 v[256];

	f = fake_new("ws://Relay.EXAMPLE:8080/chat?x=1#frag", 0, NULL, 5);
	ok(f->have_req && strncmp(f->req, "GET /chat?x=1 HTTP/1.1\r\n", 24) ==
	    0, "request line has the path and query, not the fragment");
	ok(req_header(f, "Host", v, sizeof(v)) == 0 &&
	    strcmp(v, "relay.example:8080") == 0, "Host is the authority in "
	    "lower case");
	ok(req_header(f, "Sec-WebSocket-Protocol", v, sizeof(v)) == 0 &&
	    strcmp(v, "sws.v1.json") == 0, "JSON client offers sws.v1.json");
	ok(req_header(f, "Sec-WebSocket-Key", v, sizeof(v)) == 0 &&
	    strlen(v) == 24, "a 16-byte key in base64");
	ok(req_header(f, "Sec-WebSocket-Version", v, sizeof(v)) == 0 &&
	    strcmp(v, "13") == 0, "version 13");
	ok(req_header(f, "Upgrade", v, sizeof(v)) == 0 &&
	    req_header(f, "Connection", v, sizeof(v)) == 0,
	    "Upgrade and Connection headers");
	fake_free(f);

	f = fake_new("ws://[::1]:9/", 1, NULL, 5);
	ok(strncmp(f->req, "GET / HTTP/1.1\r\n", 16) == 0 &&
	    req_header(f, "Host", v, sizeof(v)) == 0 &&
	    strcmp(v, "[::1]:9") == 0, "IPv6 authority kept in brackets");
	ok(req_header(f, "Sec-WebSocket-Protocol", v, sizeof(v)) == 0 &&
	    strcmp(v, "sws.v1.msgpack") == 0, "msgpack client offers "
	    "sws.v1.msgpack");
	fake_free(f);

	f = fake_new("ws://h?q", 0, NULL, 5);
	ok(strncmp(f->req, "GET /?q HTTP/1.1\r\n", 18) == 0 &&
	    req_header(f, "Host", v, sizeof(v)) == 0 && strcmp(v, "h") == 0,
	    "no path: / and the query; host without port");
	fake_free(f);
}

static void
test_bad_urls(void)
{
	static const char *const bad[] = {
		"http://x/", "wss://x/", "ws://", "ws:///", "ws://x:0/",
		"ws://x:65536/", "ws://x:/", "ws://x:8a/", "ws://u@x/",
		"ws://[::1/", "ws://[::1]x/", "ws://x y/", "ws://x/\x01",
		"ws://[zz]/", "ws://a:1:2/", "x",
	};
	struct sws_config	 cfg;
	struct event_base	*base = event_base_new();
	struct sws_client	*c;
	char			 err[256];
	size_t			 i;
	int			 n = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.secret_key = alice_sk;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg.url = bad[i];
		err[0] = '\0';
		if ((c = sws_client_new(base, &cfg, on_event, NULL, err,
		    sizeof(err))) != NULL) {
			printf("# accepted: %s\n", bad[i]);
			sws_client_free(c);
		} else if (err[0] != '\0')
			n++;
	}
	ok(n == (int)(sizeof(bad) / sizeof(bad[0])), "%d bad URLs refused "
	    "with a message", n);
	cfg.url = "wss://x/";
	c = sws_client_new(base, &cfg, on_event, NULL, err, sizeof(err));
	ok(c == NULL && strstr(err, "wss://") != NULL, "wss:// refused: %s",
	    err);
	event_base_free(base);
}

static void
test_upgrade_answers(void)
{
	static const struct {
		const char	*answer;
		const char	*want;
	} cases[] = {
		{ "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
		    "HTTP 403 Forbidden" },
		{ "HTTP/1.1 404 Not Found\r\n\r\n", "HTTP 404 Not Found" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: x%s\r\n"
		    "Sec-WebSocket-Protocol: %s\r\n\r\n",
		    "Sec-WebSocket-Accept" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		    "\r\n%s", "no subprotocol" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		    "Sec-WebSocket-Protocol: sws.v1.msgpack%s\r\n\r\n",
		    "another subprotocol" },
		{ "HTTP/1.1 101 Switching Protocols\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		    "Sec-WebSocket-Protocol: %s\r\n\r\n", "Upgrade" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Sec-WebSocket-Accept: %s\r\n"
		    "Sec-WebSocket-Protocol: %s\r\n\r\n", "Connection" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		    "Sec-WebSocket-Protocol: %s\r\n"
		    "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
		    "extension" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		    "Sec-WebSocket-Accept: %s\r\n\r\n",
		    "Sec-WebSocket-Accept" },
		{ "HTTP/1.1 101\r\nbroken line\r\n\r\n%s%s", "malformed" },
		{ "SSH-2.0-OpenSSH\r\n\r\n%s%s", "not an HTTP answer" },
		{ "HTTP/1.1 1010 x\r\n\r\n%s%s", "not an HTTP answer" },
		{ "HTTP/1.1 200 OK \x1b[31m\r\n\r\n%s%s", "HTTP 200 OK ?[31m" },
	};
	struct fake	*f;
	size_t		 i;
	char		 big[20000];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
		srv_upgrade(f, cases[i].answer);
		pump(f);
		ok(last(f)->type == SWS_EV_CLOSED &&
		    strcmp(last(f)->code, "http") == 0 &&
		    strstr(last(f)->text, cases[i].want) != NULL &&
		    count_recs(f, SWS_EV_CLOSED) == 1,
		    "upgrade answer %zu: CLOSED http, \"%s\"", i,
		    last(f)->text);
		fake_free(f);
	}

	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
	memset(big, 'a', sizeof(big));
	memcpy(big, "HTTP/1.1 101 OK\r\nX: ", 21);
	srv_bytes(f, big, sizeof(big));
	ok(last(f)->type == SWS_EV_CLOSED && strstr(last(f)->text,
	    "oversized") != NULL, "an endless HTTP answer is refused: %s",
	    last(f)->text);
	fake_free(f);

	/* the relay closes during the upgrade */
	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
	bufferevent_flush(f->pair[1], EV_WRITE, BEV_FINISHED);
	pump(f);
	ok(last(f)->type == SWS_EV_CLOSED && strcmp(last(f)->code, "http") ==
	    0, "connection closed during the upgrade: %s", last(f)->text);
	fake_free(f);
}

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

static void
test_hostile(void)
{
	static const char *const bad_json[] = {
		"not json",
		"[1,2]",
		"{\"id\":1}",
		"{\"type\":7}",
		"{\"type\":\"ACK\"}",
		"{\"type\":\"ACK\",\"id\":-1}",
		"{\"type\":\"ACK\",\"id\":1.5}",
		"{\"type\":\"ACK\",\"id\":9007199254740992}",
		"{\"type\":\"ACK\",\"id\":1,\"id\":2}",
		"{\"type\":\"ACK\",\"type\":\"ACK\",\"id\":1}",
		"{\"type\":\"ERROR\",\"code\":5}",
		"{\"type\":\"ERROR\",\"code\":\"\"}",
		"{\"type\":\"MESSAGE\",\"from\":\"AAAA\",\"body\":\"\"}",
		"{\"type\":\"MESSAGE\",\"from\":"
		    "\"8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeXc\","
		    "\"body\":\"A\"}",
		"{\"type\":\"MESSAGE\",\"from\":"
		    "\"8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeXc\","
		    "\"body\":\"AA==\"}",
		"{\"type\":\"MESSAGE\",\"from\":"
		    "\"8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeXc\"}",
		"{\"type\":\"JOINED\",\"room\":\"r\",\"members\":[\"x\"]}",
		"{\"type\":\"JOINED\",\"room\":\"\",\"members\":[]}",
		"{\"type\":\"JOINED\",\"room\":\"a\\nb\",\"members\":[]}",
		"{\"type\":\"PRESENCE\",\"room\":\"r\",\"publicKey\":"
		    "\"8IWyECuvYfOnmbgEcjvKAu82E5HvQZxzklicXo_HeXc\","
		    "\"state\":\"gone\"}",
		"{\"type\":\"ACK\",\"id\":1,\"x\":[[[[[[[[[1]]]]]]]]]}",
	};
	struct fake	*f;
	size_t		 i;
	int		 good;

	for (i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
		f = registered(0);
		srv_raw(f, WS_OP_TEXT, bad_json[i], strlen(bad_json[i]));
		good = last(f)->type == SWS_EV_CLOSED &&
		    strcmp(last(f)->code, "protocol") == 0 &&
		    f->close_code == 1002 && count_recs(f, SWS_EV_ACK) == 0 &&
		    count_recs(f, SWS_EV_ERROR) == 0;
		ok(good, "malformed %s: CLOSED protocol, close 1002 (%s)",
		    bad_json[i], last(f)->text);
		fake_free(f);
	}

	/* frames */
	f = registered(0);
	srv_raw(f, WS_OP_BINARY, "\x81\xa4type", 6);
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1003,
	    "binary on JSON: close 1003");
	fake_free(f);
	f = registered(1);
	srv_raw(f, WS_OP_TEXT, "{}", 2);
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1003,
	    "text on msgpack: close 1003");
	fake_free(f);
	f = registered(0);
	srv_raw(f, WS_OP_TEXT, "\xff", 1);
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1007,
	    "invalid UTF-8: close 1007: %s", last(f)->text);
	fake_free(f);
	f = registered(0);
	srv_bytes(f, "\x81\x82\x00\x00\x00\x00{}", 8);
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1002,
	    "a masked frame from the relay: close 1002");
	fake_free(f);
	f = registered(0);
	srv_bytes(f, "\x83\x00", 2);
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1002,
	    "an unknown opcode: close 1002");
	fake_free(f);
	f = registered(0);
	{
		uint8_t	 hdr[WS_MAX_HEADER];
		size_t	 l = ws_header(hdr, WS_OP_TEXT,
			    (uint64_t)SWS_MAX_INPUT + 1);

		srv_bytes(f, hdr, l);
	}
	ok(last(f)->type == SWS_EV_CLOSED && f->close_code == 1009,
	    "a message over 1 MiB: close 1009: %s", last(f)->text);
	fake_free(f);

	/* a 1 MiB JOINED is accepted */
	f = registered(0);
	{
		size_t	 nm = (SWS_MAX_INPUT - 100) / 46, i2, o;
		char	*s = malloc(SWS_MAX_INPUT), *k = b64(bob_pk, 32);

		o = (size_t)sprintf(s, "{\"type\":\"JOINED\",\"room\":\"big\","
		    "\"members\":[");
		for (i2 = 0; i2 < nm; i2++)
			o += (size_t)sprintf(s + o, "%s\"%s\"", i2 ? "," : "",
			    k);
		o += (size_t)sprintf(s + o, "]}");
		srv_raw(f, WS_OP_TEXT, s, o);
		ok(o > 1000000 && last(f)->type == SWS_EV_JOINED &&
		    last(f)->nmembers == nm, "a JOINED of %zu bytes is read",
		    o);
		free(s);
		free(k);
	}
	fake_free(f);

	/* msgpack: sizes beyond the bytes */
	{
		static const struct {
			const char	*b;
			size_t		 len;
			const char	*what;
		} mp[] = {
			{ "\xdf\xff\xff\xff\xff", 5, "map of 2^32-1 entries" },
			{ "\xdd\xff\xff\xff\xff", 5, "array of 2^32-1" },
			{ "\x81\xa4type\xdb\xff\xff\xff\xff", 11,
			    "str32 beyond the end" },
			{ "\x82\xa4type\xa3\x41\x43\x4b\xa2id\xa1x", 15,
			    "id as str" },
			{ "\x81\xa4type\xc1", 7, "byte 0xc1" },
			{ "\x81\xa4type", 6, "map cut short" },
			{ "\x91\x91\x91\x91\x91\x91\x91\x91\x91\x80", 10,
			    "nested 9 deep" },
			{ "\x83\xa4type\xa7MESSAGE\xa4""from\xa3xyz\xa4""body"
			    "\xc4\x00", 28, "from as str" },
		};

		for (i = 0; i < sizeof(mp) / sizeof(mp[0]); i++) {
			f = registered(1);
			srv_raw(f, WS_OP_BINARY, mp[i].b, mp[i].len);
			ok(last(f)->type == SWS_EV_CLOSED &&
			    strcmp(last(f)->code, "protocol") == 0 &&
			    f->close_code == 1002, "msgpack %s: CLOSED "
			    "protocol (%s)", mp[i].what, last(f)->text);
			fake_free(f);
		}
	}
}

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
	if (sodium_init() < 0)
		return 1;
	if (b64url_decode(server_sk, 32,
	    "_CsI0KzMdVekvbvmvYe_79S8cByyY8-aSP20ECgCt8E", 43) != 32 ||
	    b64url_decode(alice_sk, 32,
	    "77dAkFHIKu6dCCLLbv5r0waF6mRiF45HmrfVdj58IBw", 43) != 32)
		return 1;
	crypto_scalarmult_base(server_pk, server_sk);
	crypto_scalarmult_base(alice_pk, alice_sk);
	crypto_box_keypair(bob_pk, bob_sk);
	crypto_box_keypair(carol_pk, carol_sk);
	crypto_box_keypair(dave_pk, dave_sk);

	test_upgrade_request();
	test_bad_urls();
	test_upgrade_answers();
	test_registration(0);
	test_registration(1);
	test_registration_failures();
	test_timeout();
	test_requests(0);
	test_requests(1);
	test_close();
	test_hostile();
	test_rooms(0);
	test_rooms(1);
	return tap_done();
}
