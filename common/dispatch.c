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
 * Table-driven imsg dispatch, shared by the parent, the relay and
 * cryptod.  Framing is imsg.c's; here each framed message is matched to
 * the receiving process's table by type, then held to the row's sender,
 * descriptor rule and size, in that order.  A peer that breaks any of
 * them is no longer the program we started, so the answer is fatalx():
 * the parent sees the child exit and stops the whole daemon.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "dispatch.h"
#include "log.h"
#include "proto.h"

static const char *const peer_names[PROC_MAX] = {
	[PROC_PARENT] = "parent",
	[PROC_RELAY] = "relay",
	[PROC_CRYPTOD] = "cryptod",
	[PROC_CA] = "ca",
};

const char *
imsg_peer_name(enum proc_id id)
{
	if ((unsigned int)id >= PROC_MAX)
		return "unknown peer";
	return peer_names[id];
}

static const struct imsg_handler *
imsg_row(const struct imsg_handler *tab, size_t ntab, uint32_t type)
{
	size_t	 i;

	for (i = 0; i < ntab; i++)
		if (tab[i].type == type)
			return &tab[i];
	return NULL;
}

/*
 * The descriptor of a refused message is left for exit to close:
 * cryptod's filter does not allow close(2), and cryptod is the process
 * that must die cleanly, with its log line, when one arrives.
 */
static __dead void
imsg_refuse(enum proc_id peer, const struct imsg_handler *h,
    const struct imsg *imsg, const char *why)
{
	const char	*fdnote = imsg->fd != -1 ? ", with a descriptor" : "";

	if (h == NULL)
		fatalx("%s sent message type %u (%zu bytes%s): %s",
		    imsg_peer_name(peer), imsg->hdr.type, imsg->len, fdnote,
		    why);
	fatalx("%s sent %s (type %u, %zu bytes%s): %s", imsg_peer_name(peer),
	    h->name, imsg->hdr.type, imsg->len, fdnote, why);
}

static const struct imsg_handler *
imsg_check(struct imsg *imsg, enum proc_id peer,
    const struct imsg_handler *tab, size_t ntab)
{
	const struct imsg_handler	*h;
	char				 why[80];

	if ((h = imsg_row(tab, ntab, imsg->hdr.type)) == NULL)
		imsg_refuse(peer, NULL, imsg, "unknown type");
	if ((unsigned int)peer >= PROC_MAX ||
	    (h->peers & IMSG_PEER(peer)) == 0) {
		(void)snprintf(why, sizeof(why), "%s may not send it",
		    imsg_peer_name(peer));
		imsg_refuse(peer, h, imsg, why);
	}
	if (imsg->fd != -1 && h->fd == IMSG_FD_NO)
		imsg_refuse(peer, h, imsg, "a descriptor where none is "
		    "allowed");
	if (imsg->fd == -1 && h->fd == IMSG_FD_MUST)
		imsg_refuse(peer, h, imsg, "no descriptor where one is "
		    "required");
	if (imsg->len < h->min || imsg->len > h->max) {
		if (h->min == h->max)
			(void)snprintf(why, sizeof(why), "expected %zu bytes",
			    h->min);
		else
			(void)snprintf(why, sizeof(why), "expected %zu to %zu "
			    "bytes", h->min, h->max);
		imsg_refuse(peer, h, imsg, why);
	}
	return h;
}

/*
 * A descriptor comes with the first byte of its message (imsg.c), so one
 * still queued once every complete message is taken belongs to the
 * message that is not complete yet: there is at most one, that message
 * has begun, and its header, once whole, says it carries one.  Any
 * other was attached to a message not flagged for it.
 */
static void
imsg_check_stray(struct imsgbuf *ib, enum proc_id peer)
{
	struct imsg_hdr	 hdr;
	size_t		 avail = ib->rlen - ib->rpos;

	if (ib->nrfds == 0)
		return;
	if (ib->nrfds == 1 && avail > 0) {
		if (avail < IMSG_HEADER_SIZE)
			return;
		memcpy(&hdr, ib->rbuf + ib->rpos, sizeof(hdr));
		if (hdr.flags & IMSGF_HASFD)
			return;
	}
	fatalx("%s sent %zu descriptor%s that no message is flagged for",
	    imsg_peer_name(peer), ib->nrfds, ib->nrfds == 1 ? "" : "s");
}

void
imsg_dispatch(struct imsgbuf *ib, enum proc_id peer,
    const struct imsg_handler *tab, size_t ntab, void *arg)
{
	const struct imsg_handler	*h;
	struct imsg			 imsg;
	struct imsg_hdr			 hdr;
	int				 r;

	while ((r = imsg_get(ib, &imsg)) == 1) {
		h = imsg_check(&imsg, peer, tab, ntab);
		h->fn(&imsg, arg);
		imsg_free(&imsg);
	}
	if (r == 0) {
		imsg_check_stray(ib, peer);
		return;
	}
	/* imsg_get fails only once a whole header is buffered. */
	memcpy(&hdr, ib->rbuf + ib->rpos, sizeof(hdr));
	fatalx("%s sent a bad header: type %u, length %u, flags %#x",
	    imsg_peer_name(peer), hdr.type, hdr.len, hdr.flags);
}

void
imsg_ctl_verbose(struct imsg *imsg, void *arg)
{
	struct imsg_ctl_verbose	 v;

	(void)arg;
	memcpy(&v, imsg->data, sizeof(v));
	log_setverbose(v.verbose);
	log_debug("log verbose");
}
