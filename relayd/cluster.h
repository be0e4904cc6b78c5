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
 * It sits in the process layer, beside relay.c: it calls the router to
 * deliver what other nodes send, the session layer to answer SENDs that
 * waited for them, and the connection layer to close the sessions that
 * cluster-wide displacement picks (4001).  The router asks it about
 * other nodes and tells it of local changes through the table of
 * struct router_cluster (router.h), which cluster_start() installs.
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
/* The gauges of metrics.h about the cluster. */
struct metrics_gauges;
void	cluster_gauges(struct metrics_gauges *);
/* SIGTERM: tell the others we go (best effort). */
void	cluster_bye(void);

#endif /* SWS_CLUSTER_H */
