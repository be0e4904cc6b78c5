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
 * Rooms through the real relay, with libsws: alice and bob speak JSON,
 * carol msgpack.  All three join one room and exchange room keys; each
 * publishes and the others read it; then bob leaves, alice and carol
 * rotate their keys, and what alice publishes after opens with her new
 * key only, never with the key bob holds, and never reaches bob.  Last,
 * carol (msgpack) and alice (JSON) exchange a direct message.
 *
 * Needs SWS_URL and SWS_SERVER_KEY (regress/lib/swstest.py run sets
 * them); prints one TAP line per check.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "client/e2e.h"
#include "client/sws.h"
#include "regress/lib/tap.h"

#define NPEER	3
#define ROOM	"r\xc3\xa9union 1"	/* UTF-8 and a space */

enum { ALICE, BOB, CAROL };

struct got {
	char		 text[64];
	int		 from;
	int		 room;
	uint8_t		 body[256];
	size_t		 bodylen;
};

struct peer {
	const char		*name;
	struct sws_client	*c;
	uint8_t			 sk[32];
	uint8_t			 pk[32];
	int			 ready;
	int			 joined;
	int			 closed;
	uint64_t		 join_id;
	uint64_t		 leave_id;
	int			 left_acked;
	/* the latest room key from each peer, and how many came */
	uint8_t			 key_from[NPEER][32];
	int			 nkeys_from[NPEER];
	int			 left_seen[NPEER];	/* PRESENCE left */
	struct got		 got[32];
	int			 ngot;
	int			 dropped;
	int			 errors;
};

static struct peer	 peers[NPEER] = {
	{ .name = "alice" }, { .name = "bob" }, { .name = "carol" }
};
static struct event_base *base;
static struct event	*linger;
static int		 step;
static uint8_t		 k1[32];	/* alice's key bob holds */
static int		 bob_keys_at_leave;

static int
peer_of(const uint8_t *pk)
{
	int	 i;

	for (i = 0; i < NPEER; i++)
		if (pk != NULL && memcmp(peers[i].pk, pk, 32) == 0)
			return i;
	return -1;
}

static struct got *
find_got(struct peer *p, const char *text, int from)
{
	int	 i;

	for (i = 0; i < p->ngot; i++)
		if (strcmp(p->got[i].text, text) == 0 && p->got[i].from == from)
			return &p->got[i];
	return NULL;
}

static void	advance(void);

static void
linger_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	step++;
	advance();
}

static void
all_close(void)
{
	int	 i;

	for (i = 0; i < NPEER; i++)
		if (peers[i].c != NULL && !peers[i].closed)
			sws_close(peers[i].c);
}

static void
on_event(struct sws_client *c, const struct sws_event *ev, void *arg)
{
	struct peer	*p = arg;
	struct got	*g;
	int		 from = peer_of(ev->key);

	(void)c;
	switch (ev->type) {
	case SWS_EV_READY:
		p->ready = 1;
		break;
	case SWS_EV_JOINED:
		if (ev->id == p->join_id)
			p->joined = 1;
		break;
	case SWS_EV_ACK:
		if (ev->id == p->leave_id && p->leave_id != 0)
			p->left_acked = 1;
		break;
	case SWS_EV_ERROR:
		printf("# %s: error %s %s\n", p->name, ev->code, ev->text);
		p->errors++;
		break;
	case SWS_EV_DROPPED:
		printf("# %s: dropped from %d: %s\n", p->name, from, ev->text);
		p->dropped++;
		break;
	case SWS_EV_SENDER_KEY:
		if (from >= 0 && ev->len == 32) {
			memcpy(p->key_from[from], ev->data, 32);
			p->nkeys_from[from]++;
		}
		break;
	case SWS_EV_PRESENCE:
		if (from >= 0 && !ev->joined)
			p->left_seen[from] = 1;
		break;
	case SWS_EV_MESSAGE:
		if (p->ngot == 32 || ev->len >= sizeof(g->text) ||
		    ev->bodylen > sizeof(g->body))
			break;
		g = &p->got[p->ngot++];
		memcpy(g->text, ev->data, ev->len);
		g->text[ev->len] = '\0';
		g->from = from;
		g->room = ev->room != NULL && strcmp(ev->room, ROOM) == 0;
		memcpy(g->body, ev->body, ev->bodylen);
		g->bodylen = ev->bodylen;
		break;
	case SWS_EV_CLOSED:
		p->closed = 1;
		if (strcmp(ev->code, "closed") != 0) {
			printf("# %s: closed: %s\n", p->name, ev->text);
			ok(0, "%s stays connected", p->name);
		}
		if (peers[0].closed && peers[1].closed && peers[2].closed)
			event_base_loopexit(base, NULL);
		return;
	default:
		return;
	}
	advance();
}

static int
have_keys(int who, int a, int b)
{
	return peers[who].nkeys_from[a] > 0 && peers[who].nkeys_from[b] > 0;
}

/* Move the scenario on when its condition holds. */
static void
advance(void)
{
	struct peer	*A = &peers[ALICE], *B = &peers[BOB];
	struct peer	*C = &peers[CAROL];
	struct got	*g;
	struct timeval	 tv = { 0, 500000 };
	uint8_t		 out[256];
	int		 kind;

	switch (step) {
	case 0:
		if (!A->ready || !B->ready || !C->ready)
			return;
		ok(1, "three clients registered (two JSON, one msgpack)");
		sws_join(A->c, ROOM, &A->join_id);
		step++;
		return;
	case 1:
		if (!A->joined)
			return;
		sws_join(B->c, ROOM, &B->join_id);
		step++;
		return;
	case 2:
		if (!B->joined || A->nkeys_from[BOB] == 0 ||
		    B->nkeys_from[ALICE] == 0)
			return;
		ok(1, "alice and bob have each other's room keys");
		sws_join(C->c, ROOM, &C->join_id);
		step++;
		return;
	case 3:
		if (!C->joined || !have_keys(ALICE, BOB, CAROL) ||
		    !have_keys(BOB, ALICE, CAROL) ||
		    !have_keys(CAROL, ALICE, BOB))
			return;
		ok(1, "every member has the room keys of the two others");
		ok(memcmp(B->key_from[ALICE], C->key_from[ALICE], 32) == 0,
		    "bob and carol hold the same key of alice");
		sws_publish(A->c, ROOM, "one", 3, NULL);
		step++;
		return;
	case 4:
		if (find_got(B, "one", ALICE) == NULL ||
		    find_got(C, "one", ALICE) == NULL)
			return;
		ok(find_got(B, "one", ALICE)->room &&
		    find_got(C, "one", ALICE)->room,
		    "bob (JSON) and carol (msgpack) read alice's room message");
		ok(find_got(A, "one", ALICE) == NULL, "the publisher does not "
		    "get her own message");
		sws_publish(B->c, ROOM, "two", 3, NULL);
		step++;
		return;
	case 5:
		if (find_got(A, "two", BOB) == NULL ||
		    find_got(C, "two", BOB) == NULL)
			return;
		ok(1, "alice and carol read bob's room message");
		memcpy(k1, B->key_from[ALICE], 32);
		bob_keys_at_leave = B->nkeys_from[ALICE];
		sws_leave(B->c, ROOM, &B->leave_id);
		step++;
		return;
	case 6:
		if (!B->left_acked || !A->left_seen[BOB] ||
		    !C->left_seen[BOB] || C->nkeys_from[ALICE] < 2 ||
		    A->nkeys_from[CAROL] < 2)
			return;
		ok(1, "bob left; alice and carol saw it and sent new keys");
		ok(memcmp(C->key_from[ALICE], k1, 32) != 0,
		    "alice's new key differs from the one bob holds");
		sws_publish(A->c, ROOM, "after", 5, NULL);
		step++;
		return;
	case 7:
		if ((g = find_got(C, "after", ALICE)) == NULL)
			return;
		ok(g->room, "carol reads what alice published after bob left");
		ok(e2e_open_room(out, sizeof(out), &kind, g->body, g->bodylen,
		    k1) == -1, "bob's copy of alice's key does not open it");
		ok(e2e_open_room(out, sizeof(out), &kind, g->body, g->bodylen,
		    C->key_from[ALICE]) == 5, "alice's new key opens it");
		/* give the relay time to (wrongly) deliver to bob */
		evtimer_add(linger, &tv);
		step++;
		return;
	case 8:
		return;		/* lingering */
	case 9:
		ok(find_got(B, "after", ALICE) == NULL,
		    "bob, who left, got nothing of it");
		ok(B->nkeys_from[ALICE] == bob_keys_at_leave,
		    "bob got no new key from alice");
		sws_send(C->c, A->pk, "direct hi", 9, NULL);
		step++;
		return;
	case 10:
		if (find_got(A, "direct hi", CAROL) == NULL)
			return;
		ok(!find_got(A, "direct hi", CAROL)->room,
		    "carol (msgpack) -> alice (JSON) direct message");
		ok(A->dropped == 0 && B->dropped == 0 && C->dropped == 0 &&
		    A->errors == 0 && B->errors == 0 && C->errors == 0,
		    "no message dropped, no error");
		step++;
		all_close();
		return;
	}
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	ok(0, "scenario finished in time (stuck at step %d)", step);
	event_base_loopexit(base, NULL);
}

int
main(void)
{
	struct sws_config	 cfg;
	struct event		*timeout;
	struct timeval		 tv = { 20, 0 };
	const char		*url = getenv("SWS_URL");
	const char		*skey = getenv("SWS_SERVER_KEY");
	uint8_t			 pin[32];
	char			 err[256];
	int			 i;

	if (url == NULL || skey == NULL || sws_key_decode(pin, skey) != 0) {
		fprintf(stderr, "roomtest: needs SWS_URL, SWS_SERVER_KEY\n");
		return 1;
	}
	if (sodium_init() < 0 || (base = event_base_new()) == NULL)
		return 1;
	for (i = 0; i < NPEER; i++) {
		crypto_box_keypair(peers[i].pk, peers[i].sk);
		memset(&cfg, 0, sizeof(cfg));
		cfg.url = url;
		cfg.secret_key = peers[i].sk;
		cfg.server_key = pin;
		cfg.msgpack = i == CAROL;
		if ((peers[i].c = sws_client_new(base, &cfg, on_event,
		    &peers[i], err, sizeof(err))) == NULL) {
			fprintf(stderr, "roomtest: %s\n", err);
			return 1;
		}
		sws_client_connect(peers[i].c);
	}
	linger = evtimer_new(base, linger_cb, NULL);
	timeout = evtimer_new(base, timeout_cb, NULL);
	evtimer_add(timeout, &tv);
	event_base_dispatch(base);
	ok(step == 11, "all steps done");
	for (i = 0; i < NPEER; i++)
		sws_client_free(peers[i].c);
	event_free(linger);
	event_free(timeout);
	event_base_free(base);
	return tap_done();
}
