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
 * The relay's part of a cluster (docs/ARCHITECTURE.md, "Clusters"): what
 * the other nodes hold (a directory of their keys and room members, as
 * they announce it), the records to them, batched per node and loop
 * turn, and the SENDs that wait for their answers.  relayd-cluster
 * carries the batches to NATS and back; all the rules are here.
 *
 * The router asks it about remote holders and tells it of local changes;
 * it calls the router to deliver what other nodes send, and closes the
 * sessions cluster-wide displacement picks (4001).
 */
#ifndef SWS_CLUSTER_H
#define SWS_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct session;
struct sws_req;
struct imsg;

void	cluster_init(void);
/* IMSG_CLUSTER_NODE: the cluster is on, its bridge on fd. */
void	cluster_start(int fd, const struct imsg_cluster_node *);
/* A cluster block is in force. */
int	cluster_on(void);
/* On the relay's tick: heartbeats, dead nodes, late answers. */
void	cluster_tick(void);
/* After each loop turn: the turn's records leave, one batch a node. */
void	cluster_flush(void);
/* SIGTERM: tell the others we go (best effort). */
void	cluster_bye(void);

/*
 * The key's local sessions changed: n of them now, the oldest
 * registered at oldest (ms since the epoch).
 */
void	cluster_key_changed(const uint8_t *pk);
/* Sessions of pk on other nodes; oldest: the oldest one's age there. */
uint32_t cluster_key_remote(const uint8_t *pk, uint64_t *oldest);
/* The age, ms since the epoch, a session registered at t_accept has. */
uint64_t cluster_age(uint64_t t_accept);

/*
 * SEND to a key with sessions elsewhere, once the local part is done:
 * local is NULL when it went well (or there was none), else its error
 * code.  Returns ROUTE_OK, ROUTE_FAILED (with *code) or ROUTE_PENDING.
 */
int	cluster_send(struct session *, const struct sws_req *,
	    int had_local, const char *local, const char **code,
	    const char **message);
/* Nodes that hold pk (to know whether to forward at all). */
int	cluster_key_held(const uint8_t *pk);
/* PUBLISH: to every node with members in the room. */
void	cluster_publish(struct session *, const struct sws_req *);
/* The session is gone: its SENDs waiting for answers get none. */
void	cluster_session_gone(struct session *);

/* Rooms: a local key's sessions in a room changed to n. */
void	cluster_room_changed(const char *room, size_t len, const uint8_t *pk,
	    uint32_t n);
/* Member sessions on other nodes. */
uint32_t cluster_room_sessions(const char *room, size_t len);
/* pk has a member session on another node. */
int	cluster_room_has(const char *room, size_t len, const uint8_t *pk);
/* Each key with members on other nodes, to fn. */
void	cluster_room_keys(const char *room, size_t len,
	    void (*fn)(const uint8_t *pk, void *), void *arg);
/* Whether the link to NATS is up (else remote keys are unknown). */
int	cluster_linked(void);

#endif /* SWS_CLUSTER_H */
