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
 * The connection layer: one client socket from accept to close.  The
 * HTTP upgrade, RFC 6455 framing, pings and idle time, the close
 * handshake, the echo endpoint, and reading and writing the socket.
 * Called by relay.c; it hands whole messages of relay sessions to the
 * session layer and closes a session when that layer says so.
 */
#ifndef SWS_CONN_H
#define SWS_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "relay.h"

struct addrent;
struct listener;
struct session;

/*
 * relay->all, in the order of the serial numbers given at accept: the
 * first session after serial (NULL: none), and the one a page ended
 * with, so that the next page starts there.
 */
struct session	*conn_after(uint64_t);
void		 conn_mark(struct session *);

/* The read buffer, once, before the first connection. */
void	conn_init(void);
/* The epoll set of the sessions, on relay->base; conn_stop() undoes it. */
void	conn_start(void);
void	conn_stop(void);
/*
 * A connection accepted, counted against its TCP peer's address as a.
 * want_proxy: a PROXY protocol header comes first and names the client;
 * via_proxy: the peer is a trusted proxy, whose X-Forwarded-For or
 * Forwarded header names it.  Either way the connection is counted
 * against the client's address once it is known (docs/WIRE.md section 1).
 * tls: a TLS handshake comes first (after the PROXY header, if any).
 * l is the listener, peer and port the TCP peer, for the logs.
 */
void	conn_accept(int fd, struct addrent *a, int want_proxy, int via_proxy,
	    int tls, struct listener *l, const uint8_t *peer, uint16_t port);
/* The socket's libevent callback (EV_READ, EV_WRITE). */
void	conn_event(int fd, short what, void *arg);
/* cryptod's verdicts on a registration. */
void	conn_verified(struct session *, const uint8_t *proof);
void	conn_rejected(struct session *, uint32_t reason);
/*
 * Start the close: the close frame (code 0: an empty one) is queued,
 * the session leaves the router at once, and its memory goes once the
 * frame is out and the peer has answered or the linger time is over.
 */
void	conn_close(struct session *, int code, const char *reason);
void	conn_free(struct session *);
/*
 * Write what is queued.  Returns -1 when the session was freed (its
 * close is complete or the peer is gone), 0 otherwise.
 */
int	conn_flush(struct session *);
/* "192.0.2.1" or "2001:db8:1:2::/64": the client as counted. */
const char *conn_addr(const struct session *, char *, size_t);
/* The session's time on timer list tlist (TL_*) is up. */
void	conn_timeout(struct session *, int tlist);

#endif /* SWS_CONN_H */
