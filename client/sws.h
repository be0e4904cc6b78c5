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
 * libsws: a small client of the sws relay (docs/WIRE.md), on libevent and
 * libsodium.
 *
 * A client dials a ws:// or wss:// URL (TLS, the relay's certificate
 * verified), upgrades to WebSocket with the subprotocol
 * sws.v1.json or sws.v1.msgpack, answers the relay's challenge with its
 * X25519 key, checks the relay's proof (and, when pinned, the relay's
 * key), and then sends and receives end-to-end encrypted bodies
 * (sws-e2e/1, docs/WIRE.md section 7): direct messages to a key, and room
 * messages under per-sender room keys that the library hands out and
 * rotates by itself.  The relay never sees a plaintext.
 *
 * Everything is reported through one callback with a struct sws_event.
 * Pointers in an event are valid only during the call.  Every function
 * may be called from the callback, sws_client_free() included.
 *
 *	struct sws_config cfg = { .url = "ws://127.0.0.1:8080/",
 *	    .secret_key = sk };
 *	c = sws_client_new(base, &cfg, on_event, arg, err, sizeof(err));
 *	sws_client_connect(c);
 *	event_base_dispatch(base);
 *	... on SWS_EV_READY: sws_send(c, to, "hi", 2, &id);
 *	... on SWS_EV_ACK with that id: sws_close(c);
 *	... on SWS_EV_CLOSED: sws_client_free(c);
 */
#ifndef SWS_CLIENT_H
#define SWS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct bufferevent;
struct sws_client;

/*
 * The functions of this header are the whole interface of the shared
 * libsws (built with -fvisibility=hidden, client/libsws.map): they are
 * the ones marked SWS_EXPORT.
 */
#if defined(__GNUC__) || defined(__clang__)
#define SWS_EXPORT	__attribute__((__visibility__("default")))
#else
#define SWS_EXPORT
#endif

#define SWS_KEY_LEN	32	/* an X25519 key */
#define SWS_KEY_B64LEN	43	/* its base64url form, without NUL */
#define SWS_ROOM_MAX	128	/* bytes of a room name */
#define SWS_MAX_INPUT	(1024 * 1024)	/* largest relay message */

struct sws_config {
	const char	*url;		/* ws[s]://host[:port][/path] */
	const uint8_t	*secret_key;	/* SWS_KEY_LEN bytes, copied */
	const uint8_t	*server_key;	/* NULL, or a pinned key */
	int		 msgpack;	/* 1: sws.v1.msgpack, 0: JSON */
	int		 timeout;	/* seconds to connect and register;
					   0 means 10 */
	int		 debug;		/* report SWS_EV_DEBUG */
	const char	*ca_file;	/* wss://: verify the relay with the
					   CA certificates (PEM) of this
					   file instead of the system's;
					   NULL: the system's store */
	const char	*resolv_conf;	/* DNS: nameservers, search list
					   and options from this
					   resolv.conf(5) file; NULL:
					   /etc/resolv.conf */
	int		 reconnect;	/* 1: dial again after a loss, with
					   backoff (sws_client_connect) */
	int		 reconnect_max;	/* seconds: the longest wait between
					   attempts; 0 means 30 */
};

/* The limits the relay announced in REGISTER_SUCCESS. */
struct sws_limits {
	uint64_t	 max_message;	/* bytes of one protocol message */
	uint64_t	 max_body;	/* bytes of a body that always fits */
	uint64_t	 rate;		/* messages per second */
	uint64_t	 burst;
	uint64_t	 rooms;		/* rooms per session */
};

enum sws_event_type {
	/* registered; key: the relay's key, limits set */
	SWS_EV_READY = 1,
	/*
	 * A message that opened.  key: the sender; room: the room or NULL
	 * for a direct message; data, len: the plaintext; body, bodylen:
	 * the body as received (ciphertext).
	 */
	SWS_EV_MESSAGE,
	/* the relay accepted request id */
	SWS_EV_ACK,
	/*
	 * The relay refused a request: id (0 when the relay named none),
	 * code (docs/WIRE.md section 4: "offline", "not-member", ...), text.
	 */
	SWS_EV_ERROR,
	/*
	 * A received body was dropped without being shown: key (sender),
	 * room (or NULL), code and text say why:
	 *	"undecryptable"	it does not open, or is malformed
	 *	"no-sender-key"	a room body from a member whose room
	 *			key we have not received
	 *	"unexpected-key" a room key for a room we are not in, or from
	 *			a key that is not a member
	 */
	SWS_EV_DROPPED,
	/* JOINED: id, room, members and nmembers (ourselves included) */
	SWS_EV_JOINED,
	/* PRESENCE: room, key, joined (1 joined, 0 left) */
	SWS_EV_PRESENCE,
	/*
	 * key (a member) gave us a new room key for room: data, len (32
	 * bytes).  Informational; the library keeps and uses it.
	 */
	SWS_EV_SENDER_KEY,
	/*
	 * The connection is over; nothing more will be reported.  code
	 * says why, text says it in a full sentence:
	 *	"closed"	sws_close() finished
	 *	"connect"	the URL could not be resolved or reached
	 *	"tls"		wss://: the TLS handshake failed, or the
	 *			relay's certificate did not verify (text
	 *			names the reason)
	 *	"http"		the relay refused the upgrade or gave
	 *			something else than a valid 101
	 *	"server-key"	the relay's key is not the pinned one
	 *	"proof"		the relay's registration proof is wrong
	 *	"registration"	REGISTER_FAILURE, its reason in reason
	 *	"relay-close"	the relay closed the WebSocket; closecode
	 *	"protocol"	the relay broke RFC 6455 or docs/WIRE.md
	 *	"timeout"	no registration within the timeout
	 *	"lost"		the TCP connection ended without a close
	 */
	SWS_EV_CLOSED,
	/* debug text (only with sws_config.debug) */
	SWS_EV_DEBUG,
	/*
	 * With sws_config.reconnect: the connection ended for a reason
	 * that may pass, and the client dials again in delay
	 * milliseconds (attempt: 1 for the first retry since READY).
	 * code, text, reason and closecode are those CLOSED would have
	 * had.  READY follows once registered again, or CLOSED.
	 */
	SWS_EV_RECONNECTING,
};

struct sws_event {
	enum sws_event_type	 type;
	uint64_t		 id;
	const uint8_t		*key;
	const char		*room;
	const uint8_t		*data;
	size_t			 len;
	const uint8_t		*body;
	size_t			 bodylen;
	const char		*code;
	const char		*reason;	/* CLOSED "registration" */
	const char		*text;
	int			 closecode;	/* CLOSED: the relay's
						   code, 0 if none */
	int			 joined;
	const uint8_t		(*members)[SWS_KEY_LEN];
	size_t			 nmembers;
	const struct sws_limits	*limits;
	int			 delay;		/* RECONNECTING, ms */
	int			 attempt;	/* RECONNECTING */
};

typedef void (*sws_event_cb)(struct sws_client *, const struct sws_event *,
    void *);

/*
 * Make a client.  The URL is parsed here (ws:// or wss://; a host name,
 * an IPv4 address or a bracketed IPv6 address; an optional port, 80 for
 * ws:// and 443 for wss:// when absent).  For wss://, the CA certificates
 * are loaded here too.  Returns NULL with a message in err on a bad URL,
 * a CA file that cannot be loaded, or no memory.
 *
 * wss:// uses TLS 1.2 or later, SNI and ALPN "http/1.1", and requires a
 * certificate chain to a trusted CA that names the URL's host (its IP
 * address for an IP literal).
 */
SWS_EXPORT struct sws_client *sws_client_new(struct event_base *,
	    const struct sws_config *, sws_event_cb, void *, char *err,
	    size_t errlen);
/*
 * Resolve the host without blocking the loop and connect, trying each
 * address in turn (IPv4 ones first, at most 16).  A name is looked up in
 * /etc/hosts, then, for "localhost" and names under it, taken as the
 * loopback addresses, else asked of DNS (evdns, with resolv_conf's
 * nameservers, search list and options).  Every outcome is reported by
 * events: READY, or CLOSED, from the event loop (never from within this
 * call, even for a host that does not resolve).  Returns 0, or -1 with
 * errno EALREADY when the client was connected or attached before.
 *
 * With sws_config.reconnect, a connection that ends for a reason that
 * may pass is dialled again after a wait, reported by RECONNECTING:
 * a lost connection, a timeout, a refused or failed dial (but a name
 * that does not exist), HTTP 429, 502, 503 and 504, a relay close with
 * 1001, 1011, 1012 or 1013, and a registration failure "unavailable" or
 * "timeout".  Everything else ends in CLOSED as without it: sws_close(),
 * TLS and certificate failures, a relay key that is not the pinned one
 * or a wrong proof, other registration failures, 4001 (another session
 * of the key took over) and 4002 (kicked).  The wait before attempt n is
 * drawn between half of and all of 0.5 s * 2^(n-1), at most
 * reconnect_max; a READY starts over at attempt 1.  After registering
 * again, the client joins again every room it was in (JOINED follows
 * for each, with an id the application did not make; an ERROR with
 * that id and the room's name means the room was not joined again and is
 * forgotten) before it reports READY.  Requests in flight when the
 * connection ended get no ACK or ERROR.  A client made with
 * sws_client_attach() never reconnects.
 */
SWS_EXPORT int	sws_client_connect(struct sws_client *);
/*
 * Use a bufferevent that is already connected (a socket connected by the
 * caller, a TLS bufferevent, one end of a bufferevent_pair in tests)
 * instead of dialling; the client owns and frees it.  The binding and
 * Host header still come from the URL.  Any TLS on it, and its
 * verification, are the caller's, even for a wss:// URL.  Returns 0, or
 * -1 with errno EALREADY (the bufferevent is then the caller's still)
 * when the client was connected or attached before.
 */
SWS_EXPORT int	sws_client_attach(struct sws_client *,
	    struct bufferevent *);
/*
 * Close with code 1000 and wait briefly for the relay's answer; CLOSED
 * ("closed") follows.  Before registration, or when already closing, it
 * ends the connection at once.
 */
SWS_EXPORT void	sws_close(struct sws_client *);
/*
 * Free the client and everything it holds, dropping its connection if
 * open; no event follows.  NULL is ignored.
 */
SWS_EXPORT void	sws_client_free(struct sws_client *);
/* Our public key (SWS_KEY_LEN bytes). */
SWS_EXPORT const uint8_t *sws_client_key(const struct sws_client *);

/*
 * Requests, once READY.  Each returns 0 with the request's id in *id
 * (when id is not NULL; an ACK or ERROR with that id follows), or -1 with
 * errno set: ENOTCONN (not registered), EMSGSIZE (the body would exceed
 * the relay's max_body), EINVAL (bad room name: 1 to 128 bytes of UTF-8
 * without control characters), ENOENT (publish to a room not joined),
 * ENOMEM.
 */
/* Send data to a key as a direct body. */
SWS_EXPORT int	sws_send(struct sws_client *, const uint8_t *to,
	    const void *data, size_t len, uint64_t *id);
/* Join a room; JOINED follows, then room keys are exchanged. */
SWS_EXPORT int	sws_join(struct sws_client *, const char *room,
	    uint64_t *id);
/*
 * Leave a room; its keys are forgotten at once.  While the client is not
 * registered (reconnecting), this forgets the room, so that it is not
 * joined again, and returns 0 with *id 0: no ACK follows.
 */
SWS_EXPORT int	sws_leave(struct sws_client *, const char *room,
	    uint64_t *id);
/* Publish data to the other members of a joined room. */
SWS_EXPORT int	sws_publish(struct sws_client *, const char *room,
	    const void *data, size_t len, uint64_t *id);

/* base64url forms of keys: 0, or -1 when s is not exactly one key. */
SWS_EXPORT int	sws_key_decode(uint8_t *key, const char *s);
/* out holds SWS_KEY_B64LEN + 1 bytes */
SWS_EXPORT void	sws_key_encode(char *out, const uint8_t *key);
/*
 * A new key pair: pk and sk receive SWS_KEY_LEN bytes each, sk from the
 * system's random source; sk is what sws_config.secret_key takes.
 * Returns 0, or -1 when libsodium cannot start.
 */
SWS_EXPORT int	sws_keygen(uint8_t *pk, uint8_t *sk);

#endif /* SWS_CLIENT_H */
