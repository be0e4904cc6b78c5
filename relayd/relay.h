/*
 * State of the relay process: listeners, sessions, the key table and
 * rooms.  relay.c runs the process (imsg with the parent and cryptod,
 * accept, timers, output flushing), session.c owns one connection's life
 * (HTTP upgrade, frames, registration, output), router.c routes messages
 * between keys and rooms.
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

struct keyent;
struct room;
struct addrent;

struct member {
	struct session		*s;
	struct room		*room;
	TAILQ_ENTRY(member)	 room_entry;	/* room's member sessions */
	LIST_ENTRY(member)	 sess_entry;	/* session's rooms */
};

struct session {
	uint64_t		 sid;
	int			 fd;
	uint8_t			 state;
	uint8_t			 proto;		/* PROTO_JSON / PROTO_MSGPACK */
	uint8_t			 tlist;		/* TL_* it is on */
	uint8_t			 ev_flags;	/* EV_READ|EV_WRITE wanted */
	uint8_t			 dirty;		/* on the flush list */
	uint8_t			 hold;		/* output waits for more */
	uint8_t			 paused;	/* reading stopped: output full */
	uint8_t			 pinged;
	uint8_t			 close_rcvd;	/* peer's close frame seen */
	uint8_t			 close_sent;
	uint8_t			 full;		/* on the full list */
	uint8_t			 http_err;	/* closing after an HTTP error */
	uint16_t		 nrooms;
	uint32_t		 refusals;	/* rate refusals in a row */
	uint32_t		 tokens;	/* milli-tokens */
	uint32_t		 bucket_ms;	/* last refill, ms clock */
	uint32_t		 t_list;	/* ms: joined its timer list */
	uint32_t		 t_full;	/* ms: its output became full */
	struct event		 ev;
	struct ws_rx		 rx;
	/* input held back: partial HTTP head, or bytes not yet parsed */
	uint8_t			*in;
	size_t			 in_len;
	size_t			 in_cap;
	/* output waiting for the socket */
	uint8_t			*out;
	size_t			 out_off;
	size_t			 out_len;
	size_t			 out_cap;
	uint8_t			 pk[SWS_KEY_LEN];	/* once registered */
	struct keyent		*key;
	struct addrent		*addr;
	TAILQ_ENTRY(session)	 key_entry;	/* key's sessions, oldest first */
	TAILQ_ENTRY(session)	 timer_entry;
	TAILQ_ENTRY(session)	 flush_entry;
	TAILQ_ENTRY(session)	 full_entry;
	RB_ENTRY(session)	 sid_entry;	/* while cryptod works for it */
	LIST_HEAD(, member)	 rooms;
};
TAILQ_HEAD(session_list, session);
RB_HEAD(session_tree, session);
int	session_sid_cmp(struct session *, struct session *);
RB_PROTOTYPE(session_tree, session, sid_entry, session_sid_cmp)

struct listener {
	TAILQ_ENTRY(listener)	 entry;
	int			 id;
	int			 fd;
	struct event		 ev;
	char			 name[256];
};
TAILQ_HEAD(listener_list, listener);

struct relay_stats {
	uint64_t		 accepted;
	uint64_t		 refused;	/* over a connection limit */
	uint64_t		 registered;
	uint64_t		 delivered;
	uint64_t		 missed;	/* room members that were full */
};

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
	uint32_t		 nsessions;
	struct session_list	 tl[TL_MAX];
	struct session_list	 flushq;
	struct session_list	 fullq;
	struct session_tree	 by_sid;
	struct addrent		*addrs;		/* uthash */
	struct keyent		*keys;		/* uthash */
	struct room		*rooms;		/* uthash */
	uint8_t			 server_pk[SWS_KEY_LEN];
	uint8_t			*rbuf;		/* one read buffer for all */
	size_t			 rbuf_size;
	uint8_t			*scratch;	/* decoded JSON byte fields */
	size_t			 scratch_size;
	uint8_t			*enc[3];	/* frames by PROTO_*, built once */
	size_t			 enc_size;
	struct relay_stats	 stats;
};

extern struct relay	*relay;

/* relay.c */
__attribute__((__noreturn__)) void relay_main(int debug, int verbose,
	    const char *user, const char *chroot_dir);
void	relay_timer_set(struct session *, int tlist);
void	relay_flush_later(struct session *);
int	relay_cryptod_send(uint32_t type, const void *data, size_t len);
uint32_t relay_now_ms(void);

/* session.c */
void	session_accept(int fd, struct sockaddr *sa, socklen_t salen,
	    struct addrent *addr);
void	session_event(int fd, short what, void *arg);
void	session_challenge(struct session *, const uint8_t *challenge,
	    const uint8_t *server_pk);
void	session_verified(struct session *, const uint8_t *proof);
void	session_rejected(struct session *, uint32_t reason);
void	session_close(struct session *, int code, const char *reason);
void	session_free(struct session *);
int	session_flush(struct session *);
void	session_timeout(struct session *, int tlist);
/* Queue bytes for the peer; returns 0, or -1 when over the cap. */
int	session_room_for(const struct session *, size_t);
void	session_mark_full(struct session *);
void	session_queue(struct session *, const uint8_t *, size_t);
void	session_send_frame(struct session *, int opcode, const uint8_t *,
	    size_t);
/* Encode-and-send helpers for replies to this session. */
void	session_error(struct session *, int has_id, uint64_t id,
	    const char *code, const char *message);
void	session_ack(struct session *, uint64_t id);
void	session_trim(struct session *);
void	outbuf_decay(void);

/* router.c */
void	router_init(void);
void	router_register(struct session *);
void	router_unregister(struct session *);
void	router_request(struct session *, struct sws_req *);
size_t	router_nkeys(void);
/* Per-address connection counts: NULL when the address is at its limit. */
struct addrent *router_addr_get(const struct sockaddr *);
void	router_addr_put(struct addrent *);

/* Frame building: payload at enc[proto] + WS_MAX_HEADER - hdr. */
uint8_t	*frame_build(int proto, int opcode, size_t payload_len,
	    size_t *frame_len);

#endif /* SWS_RELAY_H */
