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
 * libFuzzer target for the relay process's two imsg channels, the parent
 * (peer 0) and cryptod (peer 1), both treated as hostile, with clients
 * (peer 2) so that cryptod's answers find sessions to act on: records as
 * fuzz_imsg.h says; a client record's type picks one of four connections
 * (opened on first use, if the relay would accept it) and its payload is
 * what that client writes.  relay.c is compiled into this file so that
 * the set-up of relay_main() can be made, and undone, around each input;
 * the event loop is not run: each record is one loop turn, the callbacks
 * called as the loop would call them for the descriptor that has input.
 * What the relay sends to the parent and to cryptod must be messages of
 * the protocol, of their exact size.
 */
#include <stdlib.h>

#include "fuzz_imsg.h"

#define exit(status)	fuzz_exit(status)
#include "relayd/relay.c"
#undef exit

#define NPEERS		3	/* parent, cryptod, clients */
#define NCLIENTS	4

static struct fuzz_chan	 chans[2];	/* parent, cryptod */
/* The listener every fuzzed connection names in its log lines. */
static struct listener	 fuzz_listener = { .name = "fuzz" };
static struct {
	int		 fd;		/* ours, -1 when not connected */
	int		 sfd;		/* the session's */
} clients[NCLIENTS];

static void
check_to_parent(const struct imsg *imsg)
{
	if (imsg->hdr.type != IMSG_RELAY_READY || imsg->len != 0 ||
	    imsg->fd != -1)
		abort();
}

static void
check_to_cryptod(const struct imsg *imsg)
{
	size_t	 want;

	switch (imsg->hdr.type) {
	case IMSG_CHALLENGE_REQ:
	case IMSG_FORGET:
		want = sizeof(struct imsg_sid);
		break;
	case IMSG_VERIFY:
		want = sizeof(struct imsg_verify);
		break;
	case IMSG_PING:
		want = sizeof(struct imsg_ping);
		break;
	default:
		abort();
	}
	if (imsg->len != want || imsg->fd != -1)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_imsg_init(argc, argv, "relay");
	/*
	 * The read buffer, the decode buffer and the frame buffers are the
	 * modules' own and kept for every input: they carry nothing from
	 * one message to the next, and a fresh 256 KiB read buffer per
	 * input cost half the speed.
	 */
	conn_init();
	router_init();
	limit_init();
	session_init(relay_cryptod_send);
	return 0;
}

/* relay_main() up to its loop, without the sandbox and the signals. */
static void
relay_setup(void)
{
	int	 i, pfd, cfd;

	if ((relay = calloc(1, sizeof(*relay))) == NULL ||
	    (relay->base = event_base_new()) == NULL)
		abort();
	TAILQ_INIT(&relay->listeners);
	for (i = 0; i < TL_MAX; i++)
		TAILQ_INIT(&relay->tl[i]);
	TAILQ_INIT(&relay->flushq);
	TAILQ_INIT(&relay->fullq);
	RB_INIT(&relay->by_sid);
	conn_start();
	pfd = fuzz_chan_open(&chans[0]);
	cfd = fuzz_chan_open(&chans[1]);
	if (imsgbuf_init(&relay->parent, pfd) == -1 ||
	    imsgbuf_init(&relay->cryptod, cfd) == -1)
		abort();
	event_assign(&relay->ev_parent, relay->base, pfd,
	    EV_READ | EV_PERSIST, relay_dispatch_parent, NULL);
	event_assign(&relay->ev_cryptod, relay->base, cfd,
	    EV_READ | EV_PERSIST, relay_dispatch_cryptod, NULL);
	event_add(&relay->ev_parent, NULL);
	event_add(&relay->ev_cryptod, NULL);
	event_assign(&relay->ev_exit, relay->base, -1, 0, relay_exit, NULL);
	relay->nofile = 1024;
	for (i = 0; i < NCLIENTS; i++)
		clients[i].fd = clients[i].sfd = -1;
}

static struct session *
session_byfd(int fd)
{
	struct session	*s;
	int		 i;

	for (i = 0; i < TL_MAX; i++)
		TAILQ_FOREACH(s, &relay->tl[i], timer_entry)
			if (s->fd == fd)
				return s;
	return NULL;
}

/* What relay_accept() does for one connection, on a socketpair. */
static int
client_open(int slot)
{
	struct sockaddr_in	 sin;
	struct addrent		*a;
	uint8_t			 addr[16];
	int			 sp[2];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	/* Two client addresses, so that the cryptod round has turns. */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)(slot & 1));
	addr16_from_sockaddr((struct sockaddr *)&sin, addr);
	if (!relay->configured || relay->shutting_down ||
	    relay->nsessions >= relay->lim.max_conn ||
	    (a = limit_addr_get(addr, relay->lim.max_conn_per_addr,
	    relay_msec())) == NULL)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sp) == -1)
		abort();
	METRIC_INC(M_ACCEPTED);
	/* Slot 2 is on a PROXY protocol listener, slot 3 behind a proxy. */
	conn_accept(sp[1], a, slot == 2, slot == 3, 0, &fuzz_listener, addr,
	    (uint16_t)(40000 + slot));
	clients[slot].fd = sp[0];
	clients[slot].sfd = sp[1];
	return 0;
}

static void
client_close(int slot)
{
	if (clients[slot].fd != -1)
		close(clients[slot].fd);
	clients[slot].fd = clients[slot].sfd = -1;
}

/* The client reads everything it was sent; at end of file it stays. */
static void
client_drain(int slot)
{
	uint8_t	 buf[4096];
	ssize_t	 n;

	if (clients[slot].fd == -1)
		return;
	while ((n = read(clients[slot].fd, buf, sizeof(buf))) > 0)
		log_debug("fuzz: client %d got %zd bytes: %.*s", slot, n,
		    (int)(n > 60 ? 60 : n), buf);
}

/*
 * The session's read events, for as long as it reads and has input (or,
 * when the client hung up, until it has seen the end of file).
 */
static void
session_input(int sfd, int eof)
{
	struct session	*s;
	int		 n;

	for (n = 0; n < 64; n++) {
		if ((s = session_byfd(sfd)) == NULL ||
		    (s->ev_flags & EV_READ) == 0)
			return;
		conn_event(sfd, EV_READ, s);
		if (!eof && fuzz_pending(sfd) == 0)
			return;
	}
}

/*
 * The end of a loop turn: the sessions that waited for their socket to
 * drain can write, relay_flush() writes each session's output, and the
 * imsg channels are written when they have output.
 */
static void
turn_end(void)
{
	struct session	*s;
	int		 i;

	/*
	 * Only a session whose client is still there can have found its
	 * socket full: the others' writes fail at once.  Each is looked up
	 * again, since one session's output can close another.
	 */
	for (i = 0; i < NCLIENTS; i++) {
		client_drain(i);
		if (clients[i].fd != -1 &&
		    (s = session_byfd(clients[i].sfd)) != NULL &&
		    (s->ev_flags & EV_WRITE))
			conn_event(s->fd, EV_WRITE, s);
	}
	relay_flush();
	if (imsgbuf_queued(&relay->parent) > 0)
		relay_dispatch_parent(relay->parent.fd, EV_WRITE, NULL);
	if (imsgbuf_queued(&relay->cryptod) > 0)
		relay_dispatch_cryptod(relay->cryptod.fd, EV_WRITE, NULL);
	fuzz_chan_drain(&chans[0], check_to_parent);
	fuzz_chan_drain(&chans[1], check_to_cryptod);
	for (i = 0; i < NCLIENTS; i++)
		client_drain(i);
}

static void
imsg_input(unsigned int peer)
{
	struct imsgbuf	*ib = peer == 0 ? &relay->parent : &relay->cryptod;
	int		 n;

	/* a channel we hung up on has its end of file to read */
	for (n = 0; n < 64 && (chans[peer].fd == -1 ||
	    fuzz_pending(ib->fd) > 0); n++) {
		if (peer == 0)
			relay_dispatch_parent(ib->fd, EV_READ, NULL);
		else
			relay_dispatch_cryptod(ib->fd, EV_READ, NULL);
	}
}

static void
client_record(const struct fuzz_rec *r)
{
	int	 slot = (int)(r->type % NCLIENTS), sfd;

	if (clients[slot].fd == -1 && client_open(slot) == -1)
		return;
	sfd = clients[slot].sfd;
	if (r->len > 0 && write(clients[slot].fd, r->data, r->len) == -1 &&
	    errno != EAGAIN && errno != EPIPE && errno != ECONNRESET)
		abort();
	if (r->flags & FUZZ_CLOSE) {
		client_close(slot);
		session_input(sfd, 1);
	} else if ((r->flags & FUZZ_HOLD) == 0)
		session_input(sfd, 0);
}

/*
 * Undo relay_setup() and whatever the input built: every session,
 * listener and setting, the output buffer pool, the channels and the
 * event base.  The router's tables must be empty once the sessions
 * are gone.
 */
static void
relay_reset(void)
{
	struct listener	*l;
	struct session	*s;
	size_t		 i;
	int		 t;

	relay->shutting_down = 0;
	for (t = 0; t < TL_MAX; t++)
		while ((s = TAILQ_FIRST(&relay->tl[t])) != NULL)
			conn_free(s);
	if (relay->nsessions != 0 || router_nkeys() != 0 ||
	    !RB_EMPTY(&relay->by_sid) || relay->npending != 0)
		abort();
	while ((l = TAILQ_FIRST(&relay->listeners)) != NULL) {
		event_del(&l->ev);
		close(l->fd);
		TAILQ_REMOVE(&relay->listeners, l, entry);
		free(l);
	}
	for (i = 0; i < relay->norigins; i++)
		free(relay->origins[i]);
	free(relay->origins);
	for (i = 0; i < relay->nneworigins; i++)
		free(relay->neworigins[i]);
	free(relay->neworigins);
	for (i = 0; i < 64; i++)
		outq_decay();
	event_del(&relay->ev_parent);
	event_del(&relay->ev_cryptod);
	event_del(&relay->ev_exit);
	conn_stop();
	close(relay->parent.fd);
	close(relay->cryptod.fd);
	imsgbuf_clear(&relay->parent);
	imsgbuf_clear(&relay->cryptod);
	event_base_free(relay->base);
	free(relay);
	relay = NULL;
	for (t = 0; t < NCLIENTS; t++)
		client_close(t);
	fuzz_chan_close(&chans[0]);
	fuzz_chan_close(&chans[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rec		 r;
	const uint8_t		*p = data;
	size_t			 left = size;
	int			 died;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	fuzz_fds_begin();
	relay_setup();
	fuzz_armed = 1;
	if ((died = setjmp(fuzz_jmp)) == 0) {
		while (fuzz_next(&p, &left, NPEERS, &r)) {
			if (r.peer == 2)
				client_record(&r);
			else {
				if (fuzz_send(&chans[r.peer], &r) == -1)
					break;
				if (r.flags & FUZZ_CLOSE)
					fuzz_chan_close(&chans[r.peer]);
				if ((r.flags & FUZZ_HOLD) == 0)
					imsg_input(r.peer);
			}
			turn_end();
		}
		imsg_input(0);
		imsg_input(1);
		turn_end();
		fuzz_armed = 0;
	}
	relay_reset();
	fuzz_fds_end(died);
	return 0;
}
