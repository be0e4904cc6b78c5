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
 * The admin endpoint: HTTP/1.1 on a `metrics listen on' socket, served
 * by the relay beside its clients.  GET /metrics gives the counters in
 * the Prometheus text format, GET /healthz 200 when cryptod answers a
 * ping within a second and 503 otherwise.  One request per connection,
 * at most ADMIN_CONNS_MAX connections at once; nothing a client sends
 * here reaches a session.
 */
#ifndef SWS_ADMIN_H
#define SWS_ADMIN_H

#include <event2/event.h>
#include <stdint.h>

#include "metrics.h"

#define ADMIN_CONNS_MAX		16
#define ADMIN_REQ_MAX		4096	/* request line and headers */
#define ADMIN_TIMEOUT_SECS	5	/* to send the request, or to read */
#define ADMIN_HEALTH_MS		1000	/* cryptod's time to answer */

#define ADMIN_METRICS		1	/* what admin_parse() found asked */
#define ADMIN_HEALTHZ		2
#define ADMIN_NOT_FOUND		3

struct admin_req {
	int	 head;			/* HEAD: the answer without body */
	int	 what;			/* ADMIN_* */
};

/*
 * The request line of a head of len bytes (up to and including its
 * blank line, or not: only the first line is read): 0 and *req filled
 * in, or the HTTP status to answer (400, 405).  Never reads past len.
 */
int	admin_parse(const char *head, size_t len, struct admin_req *req);

typedef void	(*admin_gauges_fn)(struct metrics_gauges *);
typedef int	(*admin_ping_fn)(uint64_t token);	/* -1: not sent */

void	admin_init(struct event_base *, admin_gauges_fn, admin_ping_fn);
void	admin_accept(int fd);		/* takes the descriptor */
void	admin_pong(uint64_t token);	/* cryptod's answer to a ping */
void	admin_close_all(void);

#endif /* SWS_ADMIN_H */
