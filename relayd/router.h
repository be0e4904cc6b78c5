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
 * Routing between registered keys and rooms (docs/WIRE.md 4): the key table,
 * rooms and their members, and the delivery of MESSAGE, PRESENCE and
 * JOINED into the recipients' output queues.  The router answers nothing
 * and closes nothing itself: router_request() says what the session layer
 * answers, and router_register() names the session a full key gives up,
 * for the connection layer to close.
 */
#ifndef SWS_ROUTER_H
#define SWS_ROUTER_H

#include <stddef.h>
#include <stdint.h>

struct session;
struct sws_req;

/* router_request() results. */
#define ROUTE_OK	0	/* done: ACK it when it has an id */
#define ROUTE_ANSWERED	1	/* done and answered (JOINED) */
#define ROUTE_FAILED	2	/* ERROR *code, *message when it has an id */
#define ROUTE_PENDING	3	/* other nodes answer: cluster.c will */

void	router_init(void);
/*
 * Put a session that has just registered under its key.  Returns NULL
 * when it is in; when the key already has max sessions per key, puts
 * nothing and returns the key's oldest session, which the caller closes
 * with 4001 (closing takes it out of the router) before it calls again.
 */
struct session *router_register(struct session *);
/* Out of the key table and of every room (PRESENCE left where due). */
void	router_unregister(struct session *);
/* SEND, JOIN, LEAVE or PUBLISH from a registered session. */
int	router_request(struct session *, struct sws_req *, const char **code,
	    const char **message);
size_t	router_nkeys(void);
size_t	router_nrooms(void);

/* For relayctl(8): what the router holds, read and never changed. */
struct room;
struct router_room_info {
	uint64_t	 serial;	/* rooms are listed by it */
	const char	*name;		/* len bytes, not NUL-terminated */
	size_t		 len;
	uint32_t	 nmembers;	/* sessions */
	uint32_t	 nkeys;
};
/* The key's oldest session (the rest by key_entry), or NULL. */
struct session *router_key_first(const uint8_t *pk);
/* The first room made after serial after: 0, or -1 when none is. */
int	router_room_after(uint64_t after, struct router_room_info *);
const char *router_room_name(const struct room *, size_t *len);

/*
 * The other nodes of a cluster, answered for by cluster.c (a part of the
 * process layer, above the router): the router asks through this table
 * whether they hold a key or room members, and tells them of its own
 * changes.  Without a cluster there is none.  See cluster.h for each.
 */
struct router_cluster {
	int	 (*linked)(void);
	uint64_t (*age)(uint64_t t_accept);
	uint32_t (*key_remote)(const uint8_t *pk, uint64_t *mine);
	int	 (*key_held)(const uint8_t *pk);
	void	 (*key_changed)(const uint8_t *pk);
	int	 (*send)(struct session *, const struct sws_req *, int,
		    const char *, const char **, const char **);
	void	 (*publish)(struct session *, const struct sws_req *);
	void	 (*session_gone)(struct session *);
	void	 (*room_changed)(const char *, size_t, const uint8_t *,
		    uint32_t);
	uint32_t (*room_sessions)(const char *, size_t);
	int	 (*room_has)(const char *, size_t, const uint8_t *);
	void	 (*room_keys)(const char *, size_t,
		    void (*)(const uint8_t *, void *), void *);
};
void	router_set_cluster(const struct router_cluster *);

/*
 * For cluster.c: deliveries other nodes ask for, what local members a
 * room has, PRESENCE for its local members, and every local key and
 * room member (the state a node announces).
 */
/* SEND from another node: a CW_* result code (cwire.h). */
int	router_deliver(const uint8_t *from, const uint8_t *to,
	    const uint8_t *body, size_t len);
/* PUBLISH from another node: every local member session. */
void	router_room_deliver(const uint8_t *from, const char *room,
	    size_t room_len, const uint8_t *body, size_t len);
/* Local member sessions of pk in room. */
uint32_t router_room_local(const char *room, size_t len, const uint8_t *pk);
void	router_room_presence(const char *room, size_t len, const uint8_t *pk,
	    int joined);
void	router_foreach_key(void (*)(struct session *, void *), void *);
void	router_foreach_member(void (*)(const char *, size_t, const uint8_t *,
	    uint32_t, void *), void *);

#endif /* SWS_ROUTER_H */
