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
 * The receiving end of every imsg channel.  Each process describes what
 * it accepts in one table: per message type its payload size (exact, or
 * a range), whether a descriptor may or must come with it, which peers
 * may send it, and the handler.  imsg_dispatch() holds every message to
 * its row before a handler sees it, so the handlers keep only the checks
 * of meaning (values, state); a message that fits no row is fatal, with
 * a log line naming the peer, the type and the size.
 */
#ifndef SWS_DISPATCH_H
#define SWS_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "imsg.h"
#include "proc.h"

/* Descriptor rule of a row. */
#define IMSG_FD_NO	0	/* one that comes is fatal */
#define IMSG_FD_MAY	1
#define IMSG_FD_MUST	2

/* Sender mask of a row: IMSG_PEER(PROC_RELAY) | ... */
#define IMSG_PEER(id)	(1U << (id))

#define IMSG_NHANDLERS(tab)	(sizeof(tab) / sizeof((tab)[0]))

/*
 * A handler is given a message that fits its row.  imsg->data is not
 * aligned for any type: copy it before reading fields.  A handler that
 * keeps the descriptor sets imsg->fd to -1; one left there is closed
 * after the handler returns.
 */
struct imsg_handler {
	uint32_t	 type;
	const char	*name;		/* for the log */
	uint32_t	 peers;		/* IMSG_PEER() of each allowed sender */
	size_t		 min;		/* payload bytes, min == max for exact */
	size_t		 max;
	int		 fd;		/* IMSG_FD_* */
	void		(*fn)(struct imsg *, void *);
};

/*
 * Hand every complete message buffered in ib, which comes from peer, to
 * its row of tab, passing arg to the handler.  Returns when no complete
 * message is left; a bad header, a message that no row allows, or then
 * a descriptor left over that no message was flagged for, does not
 * return.
 */
void		 imsg_dispatch(struct imsgbuf *ib, enum proc_id peer,
		    const struct imsg_handler *tab, size_t ntab, void *arg);
/* "parent", "relay" or "cryptod", for log lines about a channel. */
const char	*imsg_peer_name(enum proc_id);
/*
 * The row every child has for IMSG_CTL_VERBOSE (relayctl's log verbose
 * and log brief, through the parent): the level in force from now.
 */
void		 imsg_ctl_verbose(struct imsg *, void *);

#endif /* SWS_DISPATCH_H */
