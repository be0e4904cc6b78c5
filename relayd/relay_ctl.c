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
 * The relay's side of relayctl(8): requests the parent forwards from
 * the control socket (IMSG_CTL_REQ, with the client's id), answered with
 * rows of text (IMSG_CTL_LINE) and an IMSG_CTL_END.  A listing is paged:
 * at most the request's limit of rows, and a cursor (a serial number that
 * only grows: sessions by accept, rooms by creation) from which the next
 * request goes on, so that no answer is larger than a page however many
 * sessions there are.  Nothing here changes a session but kick.
 *
 * Part of the process layer (relay.c): it reads the layers below and
 * calls conn_close() for a kick.
 */
#include <sys/types.h>
#include <sys/tree.h>

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "clock.h"
#include "cluster.h"
#include "conn.h"
#include "log.h"
#include "metrics.h"
#include "outq.h"
#include "proto.h"
#include "relay.h"
#include "relay_ctl.h"
#include "router.h"
#include "session.h"

static const char *const ctl_states[] = {
	[S_HTTP] =		"http",
	[S_WAIT_CHAL] =		"wait-challenge",
	[S_CHALLENGED] =	"challenged",
	[S_VERIFYING] =		"verifying",
	[S_REGISTERED] =	"registered",
	[S_ECHO] =		"echo",
	[S_CLOSING] =		"closing",
	[S_REFUSED] =		"refused",
};
#define CTL_NSTATES	(sizeof(ctl_states) / sizeof(ctl_states[0]))

struct ctl_out {
	struct imsgbuf	*ib;
	uint32_t	 id;
};

static void
ctl_line(struct ctl_out *o, const char *fmt, ...)
    __attribute__((__format__ (printf, 2, 3)));

static void
ctl_line(struct ctl_out *o, const char *fmt, ...)
{
	struct imsg_ctl_line	 l;
	va_list			 ap;

	memset(&l, 0, sizeof(l));
	l.id = o->id;
	va_start(ap, fmt);
	(void)vsnprintf(l.line, sizeof(l.line), fmt, ap);
	va_end(ap);
	if (imsg_compose(o->ib, IMSG_CTL_LINE, 0, -1, &l, sizeof(l)) == -1)
		fatal("imsg to parent");
}

static void
ctl_end(struct ctl_out *o, int ok, uint64_t cursor, int more,
    const char *error)
{
	struct imsg_ctl_end	 e;

	memset(&e, 0, sizeof(e));
	e.id = o->id;
	e.status = ok ? CTL_OK : CTL_FAIL;
	e.cursor = cursor;
	e.more = more ? 1 : 0;
	if (error != NULL)
		strlcpy(e.error, error, sizeof(e.error));
	if (imsg_compose(o->ib, IMSG_CTL_END, 0, -1, &e, sizeof(e)) == -1)
		fatal("imsg to parent");
}

/*
 * A client's room name for a terminal: printable ASCII and UTF-8 as
 * they are, control characters, DEL and backslash as \xHH.
 */
static void
ctl_escape(char *out, size_t outlen, const char *in, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0;
	unsigned char		 c;

	for (i = 0; i < len && o + 5 < outlen; i++) {
		c = (unsigned char)in[i];
		if (c < 0x20 || c == 0x7f || c == '\\') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		} else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* What the counters do not hold, for /metrics and the summary. */
void
relay_ctl_gauges(struct metrics_gauges *g)
{
	struct mallinfo2	 mi = mallinfo2();
	struct listener		*l;

	g->sessions = metrics.state[S_REGISTERED];
	g->keys = router_nkeys();
	g->rooms = router_nrooms();
	g->pending = relay->npending;
	g->cryptod_inflight = relay->cq_inflight;
	g->cryptod_queued = session_cq_queued();
	g->outbuf_pool = outq_pool_idle();
	g->heap = mi.uordblks + mi.hblkhd;
	TAILQ_FOREACH(l, &relay->listeners, entry)
		if (!(l->flags & LISTENER_METRICS))
			g->listeners++;
	cluster_gauges(g);
	g->start_time = relay->start_time;
	g->now = time(NULL);
}

/* show summary: the counters' summary (metrics.c), a row a line. */
static void
ctl_summary(struct ctl_out *o)
{
	struct metrics_gauges	 g;
	char			*buf, *line, *next;

	if ((buf = malloc(METRICS_TEXT_MAX)) == NULL) {
		ctl_end(o, 0, 0, 0, "out of memory");
		return;
	}
	memset(&g, 0, sizeof(g));
	relay_ctl_gauges(&g);
	if (metrics_summary(buf, METRICS_TEXT_MAX, &g) == 0)
		fatalx("the summary did not fit");
	for (line = buf; *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		ctl_line(o, "%s", line);
	}
	free(buf);
	ctl_end(o, 1, 0, 0, NULL);
}

/* One session: serial, key, state, address, subprotocol, age, output. */
static void
ctl_session(struct ctl_out *o, const struct session *s)
{
	const struct member	*m;
	const char		*name;
	char			 key[B64_ENCODED_LEN(SWS_KEY_LEN) + 1];
	char			 addr[64], rooms[CTL_LINE_MAX], one[4 * 128 + 1];
	size_t			 len, used = 0;
	int			 n;

	if (s->state == S_REGISTERED)
		b64url_encode(key, sizeof(key), s->pk, SWS_KEY_LEN);
	else
		strlcpy(key, "-", sizeof(key));
	rooms[0] = '\0';
	LIST_FOREACH(m, &s->rooms, sess_entry) {
		name = router_room_name(m->room, &len);
		ctl_escape(one, sizeof(one), name, len);
		n = snprintf(rooms + used, sizeof(rooms) - used, "%s%s",
		    used > 0 ? "," : "", one);
		if (n < 0 || (size_t)n >= sizeof(rooms) - used) {
			/* the row has its bound: say that more were cut */
			if (sizeof(rooms) > 4)
				strlcpy(rooms + sizeof(rooms) - 4, "...", 4);
			break;
		}
		used += (size_t)n;
	}
	ctl_line(o, "%llu %s %s %s %s %llus %zu %s",
	    (unsigned long long)s->serial, key,
	    s->state < CTL_NSTATES ? ctl_states[s->state] : "?",
	    conn_addr(s, addr, sizeof(addr)),
	    s->state == S_HTTP ? "-" :
	    s->proto == PROTO_MSGPACK ? "msgpack" : "json",
	    (unsigned long long)((relay_msec() - s->t_accept) / 1000),
	    outq_pending(s), rooms[0] != '\0' ? rooms : "-");
}

static void
ctl_sessions(struct ctl_out *o, const struct imsg_ctl_req *req)
{
	struct session	*s, *last;
	uint64_t	 i = 0;
	uint32_t	 n = 0;

	if (req->haskey) {
		/* A key's sessions (max sessions per key): by position. */
		for (s = router_key_first(req->key); s != NULL &&
		    i < req->cursor; s = TAILQ_NEXT(s, key_entry))
			i++;
		for (; s != NULL && n < req->limit;
		    s = TAILQ_NEXT(s, key_entry), n++)
			ctl_session(o, s);
		ctl_end(o, 1, req->cursor + n, s != NULL, NULL);
		return;
	}
	last = NULL;
	for (s = conn_after(req->cursor); s != NULL && n < req->limit;
	    s = TAILQ_NEXT(s, all_entry), n++) {
		ctl_session(o, s);
		last = s;
	}
	if (last != NULL)
		conn_mark(last);	/* where the next page starts */
	ctl_end(o, 1, last != NULL ? last->serial : req->cursor, s != NULL,
	    NULL);
}

static void
ctl_rooms(struct ctl_out *o, const struct imsg_ctl_req *req)
{
	struct router_room_info	 ri;
	char			 name[4 * 128 + 1];
	uint64_t		 at = req->cursor;
	uint32_t		 n = 0;
	int			 more;

	while ((more = router_room_after(at, &ri) == 0) && n < req->limit) {
		ctl_escape(name, sizeof(name), ri.name, ri.len);
		ctl_line(o, "%s %u %u", name, ri.nmembers, ri.nkeys);
		at = ri.serial;
		n++;
	}
	ctl_end(o, 1, at, more, NULL);
}

static void
ctl_listeners(struct ctl_out *o, const struct imsg_ctl_req *req)
{
	struct listener	*l;
	uint64_t	 i = 0, nconn;
	uint32_t	 n = 0;

	TAILQ_FOREACH(l, &relay->listeners, entry) {
		if (i++ < req->cursor)
			continue;
		if (n == req->limit)
			break;
		nconn = l->nsess;
		ctl_line(o, "%s tls %s proxy %s metrics %s connections %llu",
		    l->name, (l->flags & LISTENER_TLS) ? "yes" : "no",
		    (l->flags & LISTENER_PROXY) ? "yes" : "no",
		    (l->flags & LISTENER_METRICS) ? "yes" : "no",
		    (unsigned long long)nconn);
		n++;
	}
	ctl_end(o, 1, req->cursor + n, l != NULL, NULL);
}

/* Every session of the key closes with 4002; the others go on. */
static void
ctl_kick(struct ctl_out *o, const struct imsg_ctl_req *req)
{
	struct session	*s;
	char		 key[B64_ENCODED_LEN(SWS_KEY_LEN) + 1];
	uint32_t	 n = 0;

	/* conn_close() takes each out of the key's list. */
	while ((s = router_key_first(req->key)) != NULL) {
		conn_close(s, WS_CLOSE_KICKED, "kicked");
		n++;
	}
	b64url_encode(key, sizeof(key), req->key, SWS_KEY_LEN);
	if (n == 0) {
		ctl_end(o, 0, 0, 0, "no session has that key");
		return;
	}
	log_info("kicked %s: %u sessions", key, n);
	ctl_line(o, "kicked %u sessions", n);
	ctl_end(o, 1, 0, 0, NULL);
}

void
relay_ctl_request(struct imsgbuf *ib, const struct imsg_ctl_req *req)
{
	struct ctl_out	 o;

	o.ib = ib;
	o.id = req->id;
	if (req->limit == 0 || req->limit > CTL_PAGE_MAX || req->haskey > 1) {
		ctl_end(&o, 0, 0, 0, "bad request");
		return;
	}
	switch (req->cmd) {
	case CTL_SUMMARY:
		ctl_summary(&o);
		break;
	case CTL_SESSIONS:
		ctl_sessions(&o, req);
		break;
	case CTL_ROOMS:
		ctl_rooms(&o, req);
		break;
	case CTL_LISTENERS:
		ctl_listeners(&o, req);
		break;
	case CTL_KICK:
		if (!req->haskey)
			ctl_end(&o, 0, 0, 0, "bad request: no key");
		else
			ctl_kick(&o, req);
		break;
	default:
		ctl_end(&o, 0, 0, 0, "bad request: unknown command");
		break;
	}
}
