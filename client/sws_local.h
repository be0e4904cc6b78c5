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
 * What the files of libsws share and nothing else includes: the client
 * structure and its room key store, and the functions one file offers the
 * others.  conn.c owns the connection (life cycle, dial, reconnect,
 * frames, the dispatch of relay messages, requests), resolve.c the
 * relay's addresses (evdns), http.c the URL and the HTTP upgrade,
 * register.c the answer to the challenge and the check of the proof,
 * message.c direct bodies and the opening of every MESSAGE, room.c rooms
 * and the exchange of sender keys, keys.c the store of those keys, tls.c
 * TLS for wss:// (the only file that includes OpenSSL).
 */
#ifndef SWS_LOCAL_H
#define SWS_LOCAL_H

#include <sys/queue.h>
#include <sys/tree.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include "ws.h"
#include "e2e.h"
#include "wire.h"
#include "sws.h"

#define CLOSE_WAIT	2	/* seconds for the close handshake */


struct bufferevent;
struct event;
struct ssl_ctx_st;
struct resolver;

#define SWS_ADDRS_MAX	16	/* addresses of the relay tried in turn */
#define RECONNECT_FIRST	500	/* ms: the first wait's upper end */

/* One address of the relay. */
struct sws_addr {
	union {
		struct sockaddr		sa;
		struct sockaddr_in	sin;
		struct sockaddr_in6	sin6;
	}			 u;
	socklen_t		 len;
};

enum state {
	ST_NEW,
	ST_BACKOFF,		/* lost; waiting to dial again */
	ST_CONNECTING,
	ST_UPGRADING,
	ST_CHALLENGE,		/* WebSocket open, waiting for CHALLENGE */
	ST_REGISTERING,		/* CHALLENGE_RESPONSE sent */
	ST_READY,
	ST_CLOSING,
	ST_DONE
};

struct member {
	RB_ENTRY(member)	 entry;
	uint8_t			 pk[SWS_KEY_LEN];
	uint8_t			 key[SWS_KEY_LEN];	/* theirs */
	uint8_t			 oldkey[SWS_KEY_LEN];	/* before */
	int			 nkeys;			/* 0..2 */
};
RB_HEAD(member_tree, member);
RB_PROTOTYPE(member_tree, member, entry, member_cmp)

struct room {
	TAILQ_ENTRY(room)	 entry;
	char			 name[SWS_ROOM_MAX + 1];
	size_t			 namelen;
	uint8_t			 key[SWS_KEY_LEN];	/* ours */
	struct member_tree	 members;		/* others */
	uint64_t		 rejoin_id;	/* JOIN after a reconnect */
};
TAILQ_HEAD(room_list, room);

struct sws_client {
	struct event_base	*base;
	sws_event_cb		 cb;
	void			*arg;
	enum state		 state;
	int			 msgpack;
	int			 timeout;
	int			 debug;

	char			 host[256];	/* for getaddrinfo */
	char			 port[8];
	char			 authority[256];	/* lower case: Host,
							   binding */
	size_t			 authlen;
	char			*target;	/* path and query */
	char			 dialname[280];	/* host:port */
	int			 tls;		/* wss:// */
	int			 tls_ip;	/* host is an IP literal */
	int			 tls_open;	/* handshake done, no error */
	struct ssl_ctx_st	*tls_ctx;

	uint8_t			 pk[SWS_KEY_LEN];
	uint8_t			 sk[SWS_KEY_LEN];
	uint8_t			 pin[SWS_KEY_LEN];
	int			 pinned;
	uint8_t			 server[SWS_KEY_LEN];
	uint8_t			 challenge[E2E_CHALLENGE_LEN];

	char			*resolv_conf;	/* NULL: the system's */
	struct resolver		*res;		/* DNS queries out */
	struct sws_addr		 addrs[SWS_ADDRS_MAX];
	int			 naddrs;
	int			 nexti;		/* next to try */
	int			 lasterr;
	int			 attached;	/* sws_client_attach() */
	struct bufferevent	*bev;
	struct event		*timer;
	struct event		*done_ev;
	char			 accept[32];	/* expected answer */
	struct ws_rx		 rx;
	int			 rx_init;
	int			 close_sent;
	int			 finish_on_flush;

	uint64_t		 last_id;
	struct sws_limits	 limits;
	struct room_list	 rooms;

	const char		*result;	/* CLOSED code, once set */
	char			 result_text[512];
	char			 result_reason[WIRE_CODE_MAX + 1];
	int			 closecode;
	int			 http_status;	/* a refused upgrade's */
	int			 final_error;	/* the name does not exist */

	int			 reconnect;
	int			 reconnect_max;	/* seconds */
	int			 attempt;	/* since the last READY */

	int			 depth;
	int			 dead;
};

/* conn.c */
int	 conn_emit(struct sws_client *, struct sws_event *);
void	 conn_debug(struct sws_client *, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
int	 conn_dropped(struct sws_client *, const uint8_t *, const char *,
	    const char *, const char *);
void	 conn_clean_copy(char *, size_t, const uint8_t *, size_t);
void	 conn_set_result(struct sws_client *, const char *, const char *, ...)
	    __attribute__((__format__ (printf, 3, 4)));
void	 conn_fail(struct sws_client *, const char *, int, const char *, ...)
	    __attribute__((__format__ (printf, 4, 5)));
void	 conn_arm_timer(struct sws_client *, int);
int	 conn_send_request(struct sws_client *, const struct wire_field *,
	    size_t);
int	 conn_request(struct sws_client *, struct wire_field *, size_t,
	    uint64_t *);
int	 conn_ready(struct sws_client *);
int	 conn_body_fits(struct sws_client *, size_t);
void	 conn_resolved(struct sws_client *, const char *, int);

/* resolve.c */
int	 resolve_start(struct sws_client *, char *, size_t);
void	 resolve_stop(struct sws_client *);
void	 resolve_hosts_line(struct sws_client *, char *, int);

/* http.c */
int	 http_parse_url(struct sws_client *, const char *, char *, size_t);
void	 http_send_upgrade(struct sws_client *);
int	 http_answer(struct sws_client *);

/* tls.c */
int	 tls_init(struct sws_client *, const char *, char *, size_t);
void	 tls_free(struct sws_client *);
struct bufferevent *tls_bev_new(struct sws_client *);
int	 tls_failed(struct sws_client *, int);
void	 tls_connected(struct sws_client *);
void	 tls_close(struct sws_client *);

/* register.c */
void	 register_challenge(struct sws_client *, struct wire_msg *);
void	 register_success(struct sws_client *, struct wire_msg *);
void	 register_failure(struct sws_client *, struct wire_msg *);

/* message.c */
void	 message_in(struct sws_client *, struct wire_msg *);

/* room.c */
void	 room_joined(struct sws_client *, struct wire_msg *);
void	 room_presence(struct sws_client *, struct wire_msg *);
void	 room_sender_key(struct sws_client *, const uint8_t *,
	    const uint8_t *, size_t);
int	 room_rejoin_all(struct sws_client *);
int	 room_rejoin_failed(struct sws_client *, uint64_t, char *);

/* keys.c */
struct room	*room_find(struct sws_client *, const char *, size_t);
void		 room_free(struct room *);
struct member	*member_find(struct room *, const uint8_t *);
struct member	*member_add(struct room *, const uint8_t *);
void		 member_remove(struct room *, struct member *);

#endif /* SWS_LOCAL_H */
