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
 * The types of the relay process, shared by its layers: struct session,
 * struct relay and their constants, and no function.  Each layer has its
 * own header, and each calls only those below it:
 *
 *	relay.c		the process: main loop, imsg with the parent and
 *			cryptod, listeners and accept, the tick, shutdown
 *	conn.c		one connection: socket, HTTP upgrade, frames,
 *			close handshake, the echo endpoint
 *	session.c	registration with cryptod, rate limit, requests
 *			decoded and answered (ACK, ERROR)
 *	router.c	keys, rooms, delivery
 *	outq.c		output queues, the buffer pool, busy and full,
 *			the flush list, batched writes, frame building
 *
 * beside them, called and never calling back: the codecs (codec.h), the
 * limits (limit.h: token buckets, connections per address) and the clock
 * with the timer lists (clock.h).
 */
#ifndef SWS_RELAY_H
#define SWS_RELAY_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "codec.h"
#include "dispatch.h"
#include "http.h"
#include "imsg.h"
#include "khash.h"
#include "limit.h"
#include "log.h"
#include "ws.h"

/* Session states, in order of a connection's life. */
#define S_HTTP		0	/* reading the upgrade request */
#define S_WAIT_CHAL	1	/* upgraded, challenge asked of cryptod */
#define S_CHALLENGED	2	/* CHALLENGE sent, waiting for the client */
#define S_VERIFYING	3	/* response sent to cryptod */
#define S_REGISTERED	4
#define S_ECHO		5	/* the echo endpoint */
#define S_CLOSING	6	/* close sent or HTTP error: draining */
#define S_REFUSED	7	/* cryptod said no; the failure is queued */

/* Timer lists: each session is on at most one. */
#define TL_NONE		0
#define TL_HTTP		1	/* by accept time: handshake timeout */
#define TL_REG		2	/* by upgrade time: registration timeout */
#define TL_LIVE		3	/* by last receive: ping, idle timeout */
#define TL_CLOSING	4	/* by close time: linger limit */
#define TL_MAX		5

/* Who sent the first close frame, for the connection's last log line. */
#define CLOSER_NONE	0	/* nobody: dropped, or timed out */
#define CLOSER_CLIENT	1
#define CLOSER_RELAY	2

/* Kinds of refusal, each logged at a bounded rate (log_rl()). */
#define RL_HTTP		0	/* the upgrade request refused by HTTP */
#define RL_RATE		1	/* over an admission rate (429) */
#define RL_CAPACITY	2	/* over a connection or pending cap (503) */
#define RL_PROXY	3	/* PROXY header missing, bad or untrusted */
#define RL_REGISTER	4	/* registration failed */
#define RL_TLS		5	/* TLS handshake failed */
#define RL_MAX		6

struct room;
struct addrent;		/* limit.c */
struct tls;
struct tlsgen;		/* tlsctx.c */

struct member {
	struct session		*s;
	struct room		*room;
	TAILQ_ENTRY(member)	 room_entry;	/* room's member sessions */
	LIST_ENTRY(member)	 sess_entry;	/* session's rooms */
};

/* A TLS session's state beside libtls's, which only the TLS paths use. */
struct conn_tls {
	struct tls		*tls;
	struct tlsgen		*tgen;		/* the set of its context */
	/* bytes read past a PROXY header, before the ClientHello */
	uint8_t			*pre;
	size_t			 pre_off;
	size_t			 pre_len;
};

/*
 * One connection.  Kept small: an idle relay holds one per client
 * (docs/BENCHMARKS.md, idle memory).  Lengths of the queues are 32 bits:
 * they are bounded by `send buffer' (at most 1G) and the read buffer.
 */
struct session {
	uint64_t		 serial;	/* numbered at accept */
	int			 fd;
	uint8_t			 state;
	uint8_t			 proto;		/* PROTO_JSON / PROTO_MSGPACK */
	uint8_t			 tlist;		/* TL_* it is on */
	uint8_t			 ev_flags;	/* EV_READ|EV_WRITE watched */
	uint8_t			 dirty;		/* on the flush list */
	uint8_t			 hold;		/* output waits for more */
	uint8_t			 paused;	/* reading stopped: output full */
	uint8_t			 pinged;
	uint8_t			 close_rcvd;	/* peer's close frame seen */
	uint8_t			 close_sent;
	uint8_t			 full;		/* on the full list */
	uint8_t			 http_err;	/* closing after an HTTP error */
	uint8_t			 want_proxy;	/* PROXY header not read yet */
	uint8_t			 via_proxy;	/* peer is a trusted proxy */
	uint8_t			 pending;	/* counted as awaiting registration */
	uint8_t			 cqueued;	/* a request waits for cryptod */
	uint8_t			 tls_hs;	/* TLS handshake not done */
	uint8_t			 tls_more;	/* TLS may hold read data */
	uint8_t			 tls_closed;	/* close_notify sent */
	uint8_t			 upgraded;	/* 101 sent: its end is logged */
	uint8_t			 echo;		/* the echo endpoint's */
	uint8_t			 registered;	/* pk is the client's key */
	uint8_t			 keyed;		/* among its key's sessions */
	uint8_t			 again;		/* on relay->again (conn.c) */
	uint8_t			 dead;		/* freed after the batch */
	uint8_t			 closer;	/* CLOSER_* */
	uint16_t		 close_code;	/* of the first close frame */
	uint16_t		 port;		/* the client's, host order */
	uint16_t		 nrooms;
	uint16_t		 cpend;		/* SENDs other nodes answer */
	uint32_t		 refusals;	/* rate refusals in a row */
	uint32_t		 t_list;	/* ms: joined its timer list */
	uint32_t		 t_full;	/* ms: its output became full */
	uint32_t		 t_queued;	/* us: oldest output queued */
	/* for its last log line: data messages and socket bytes */
	uint32_t		 msgs_in;
	uint32_t		 msgs_out;
	uint64_t		 bytes_in;
	uint64_t		 bytes_out;
	uint64_t		 t_accept;	/* ms (relay_msec) */
	uint8_t			 peer[16];	/* the client, as the log names it */
	struct listener		*lis;		/* accepted on (held: nsess) */
	struct addrent		*addr;		/* the client's (limit.h) */
	struct bucket		 bucket;	/* rate limit */
	struct ws_rx		 rx;
	/* input held back: partial HTTP head, or bytes not yet parsed */
	uint8_t			*in;
	uint32_t		 in_len;
	uint32_t		 in_cap;
	/* output waiting for the socket */
	uint8_t			*out;
	uint32_t		 out_off;
	uint32_t		 out_len;
	uint32_t		 out_cap;
	uint32_t		 nkey;		/* the key's sessions, if oldest */
	uint8_t			 pk[SWS_KEY_LEN];	/* once registered */
	TAILQ_ENTRY(session)	 key_entry;	/* key's sessions, oldest first */
	TAILQ_ENTRY(session)	 timer_entry;
	TAILQ_ENTRY(session)	 flush_entry;
	TAILQ_ENTRY(session)	 full_entry;
	TAILQ_ENTRY(session)	 all_entry;	/* every session, by serial */
	/*
	 * A session waits for cryptod before it is registered, and is in
	 * the key table after: the two never overlap.  The key's oldest
	 * session is the one in the table (router.c), and heads the list
	 * of the key's sessions.
	 */
	union {
		struct {
			RB_ENTRY(session)	 sid_entry;	/* by_sid */
			uint64_t		 sid;	/* cryptod's number */
			uint32_t		 t_upgrade;	/* us */
		}			 reg;
		struct {
			UT_hash_handle		 hh;
			TAILQ_HEAD(, session)	 sessions;
		}			 key;
	}			 u;
	LIST_HEAD(, member)	 rooms;
	struct conn_tls		*tx;		/* TLS listeners' sessions */
};
TAILQ_HEAD(session_list, session);
RB_HEAD(session_tree, session);		/* its functions: session.h */
TAILQ_HEAD(session_all, session);	/* conn.c */

struct listener {
	TAILQ_ENTRY(listener)	 entry;
	int			 id;
	int			 fd;
	uint32_t		 flags;		/* LISTENER_* (proto.h) */
	uint32_t		 nsess;		/* sessions accepted on it, alive */
	int			 gone;		/* closed: freed with its last */
	struct event		 ev;
	char			 name[256];
};
TAILQ_HEAD(listener_list, listener);

struct relay {
	struct event_base	*base;
	struct imsgbuf		 parent;
	struct imsgbuf		 cryptod;
	struct event		 ev_parent;
	struct event		 ev_cryptod;
	struct event		 ev_tick;
	struct event		 ev_sigterm;
	struct event		 ev_exit;
	struct relay_limits	 lim;		/* in force */
	struct relay_limits	 newlim;	/* being received */
	char			**origins;
	size_t			 norigins;
	char			**neworigins;
	size_t			 nneworigins;
	int			 configured;
	int			 shutting_down;
	int			 accept_short;	/* accept paused: no descriptors */
	struct http_policy	 policy;
	struct listener_list	 listeners;
	uint64_t		 next_sid;
	uint64_t		 nofile;	/* descriptor limit */
	int64_t			 start_time;	/* time(NULL) at start */
	uint32_t		 nsessions;	/* conn.c counts them */
	uint32_t		 npending;	/* awaiting registration */
	uint32_t		 cq_inflight;	/* session.c: requests at cryptod */
	struct session_list	 tl[TL_MAX];	/* clock.c */
	/*
	 * conn.c: the sessions' sockets are watched by an epoll set of our
	 * own (no struct event per session), whose descriptor libevent
	 * watches; sessions freed while a batch of its events is handled
	 * wait in graveyard until the batch is over; again lists the TLS
	 * sessions whose decrypted input waits in libtls.
	 */
	int			 epfd;
	struct event		 ev_epoll;
	struct event		 ev_again;
	int			 in_batch;
	struct session_list	 graveyard;
	struct session		**again;
	size_t			 nagain;
	size_t			 againcap;
	struct session_list	 flushq;	/* outq.c */
	struct session_list	 fullq;		/* outq.c */
	struct session_tree	 by_sid;	/* session.c */
	struct session_all	 all;		/* conn.c: every session */
	uint64_t		 next_serial;
	struct log_rl		 rl[RL_MAX];	/* refusal lines, by RL_* */
};

extern struct relay	*relay;

#endif /* SWS_RELAY_H */
