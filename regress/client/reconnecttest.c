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
 * libsws name resolution and reconnect, against the real relay, a real
 * DNS server (dnsmasq) and a silent one, all started by t_reconnect.py,
 * which also restarts the relay when this program prints "RESTART".
 *
 * Environment (set by t_reconnect.py):
 *	SWS_URL, SWS_SERVER_KEY	the relay (max sessions per key 1)
 *	DEAD_URL		a port where nothing listens
 *	DNS_URL, NX_URL		ws://relay.test:PORT/, ws://nx.test:PORT/
 *	LOCAL_URL		ws://localhost:PORT/
 *	DNS_CONF		resolv.conf naming dnsmasq
 *	SILENT_CONF		resolv.conf naming a server that never answers
 *
 * Built with AddressSanitizer: at exit, LeakSanitizer checks that a
 * client freed while its DNS queries were out left nothing behind once
 * the loop ran on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sodium.h>

#include "client/sws.h"
#include "regress/lib/tap.h"

#define ROOM	"after the storm"
#define ROOM2	"left while away"

struct peer {
	const char		*name;
	struct sws_client	*c;
	uint8_t			 sk[32], pk[32];
	int			 ready;		/* READY events */
	int			 reconnecting;	/* RECONNECTING events */
	int			 first_closecode;
	char			 first_code[32];
	int			 bad_delay;	/* a delay out of its range */
	int			 max_attempt;
	int			 closed;
	char			 closed_code[32];
	char			 closed_text[256];
	int			 closecode;
	uint64_t		 join_id, join2_id;
	int			 joined, joined2, rejoined, rejoined2;
	int			 acks, errors;
	char			 got[8][64];
	int			 ngot;
	int			 close_on_attempt;	/* sws_close() then */
};

static struct event_base	*base;
static int			 ticks;
static const char		*skey;
static uint8_t			 pin[32];

static void
on_event(struct sws_client *c, const struct sws_event *ev, void *arg)
{
	struct peer	*p = arg;
	int		 lo, hi;

	switch (ev->type) {
	case SWS_EV_READY:
		p->ready++;
		break;
	case SWS_EV_RECONNECTING:
		if (p->reconnecting++ == 0) {
			snprintf(p->first_code, sizeof(p->first_code), "%s",
			    ev->code);
			p->first_closecode = ev->closecode;
		}
		/* attempt n waits in [b/2, b], b = 500 ms * 2^(n-1) <= 2 s */
		hi = 500;
		for (lo = 1; lo < ev->attempt && hi < 2000; lo++)
			hi *= 2;
		if (hi > 2000)
			hi = 2000;
		if (ev->delay < hi / 2 || ev->delay > hi || ev->attempt < 1)
			p->bad_delay++;
		if (ev->attempt > p->max_attempt)
			p->max_attempt = ev->attempt;
		printf("# %s: %s; again in %d ms (attempt %d)\n", p->name,
		    ev->text, ev->delay, ev->attempt);
		if (p->close_on_attempt != 0 &&
		    ev->attempt >= p->close_on_attempt)
			sws_close(c);
		break;
	case SWS_EV_JOINED:
		if (strcmp(ev->room, ROOM) == 0) {
			if (ev->id == p->join_id)
				p->joined++;
			else
				p->rejoined++;
		} else if (strcmp(ev->room, ROOM2) == 0) {
			if (ev->id == p->join2_id)
				p->joined2++;
			else
				p->rejoined2++;
		}
		break;
	case SWS_EV_ACK:
		p->acks++;
		break;
	case SWS_EV_ERROR:
		printf("# %s: error %s %s\n", p->name, ev->code, ev->text);
		p->errors++;
		break;
	case SWS_EV_MESSAGE:
		if (p->ngot < 8 && ev->len < sizeof(p->got[0])) {
			memcpy(p->got[p->ngot], ev->data, ev->len);
			p->got[p->ngot++][ev->len] = '\0';
		}
		break;
	case SWS_EV_CLOSED:
		p->closed = 1;
		snprintf(p->closed_code, sizeof(p->closed_code), "%s",
		    ev->code);
		snprintf(p->closed_text, sizeof(p->closed_text), "%s",
		    ev->text);
		p->closecode = ev->closecode;
		printf("# %s: closed (%s): %s\n", p->name, ev->code, ev->text);
		break;
	default:
		break;
	}
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the loop until cond holds or secs pass; the tick keeps it moving. */
#define WAIT(cond, secs) do {						\
	double	 wait_end = now() + (secs);				\
	while (!(cond) && now() < wait_end)				\
		event_base_loop(base, EVLOOP_ONCE);			\
} while (0)

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	ticks++;
}

static int
got(const struct peer *p, const char *text)
{
	int	 i;

	for (i = 0; i < p->ngot; i++)
		if (strcmp(p->got[i], text) == 0)
			return 1;
	return 0;
}

static void
peer_start(struct peer *p, const char *url, int reconnect, int timeout,
    const char *resolv_conf, const uint8_t *key)
{
	struct sws_config	 cfg;
	char			 err[256];

	if (key != NULL) {
		memcpy(p->sk, key, 32);
		crypto_scalarmult_base(p->pk, p->sk);
	} else
		crypto_box_keypair(p->pk, p->sk);
	memset(&cfg, 0, sizeof(cfg));
	cfg.url = url;
	cfg.secret_key = p->sk;
	cfg.server_key = skey != NULL ? pin : NULL;
	cfg.reconnect = reconnect;
	cfg.reconnect_max = 2;
	cfg.timeout = timeout;
	cfg.resolv_conf = resolv_conf;
	if ((p->c = sws_client_new(base, &cfg, on_event, p, err,
	    sizeof(err))) == NULL) {
		printf("Bail out! %s: %s\n", p->name, err);
		exit(1);
	}
	ok(sws_client_connect(p->c) == 0, "%s: connect starts", p->name);
}

static const char *
env(const char *name)
{
	const char	*v = getenv(name);

	if (v == NULL) {
		printf("Bail out! %s is not set\n", name);
		exit(1);
	}
	return v;
}

static void
reconnect_tests(void)
{
	struct peer	 alice = { .name = "alice" }, bob = { .name = "bob" };
	struct peer	 alice2 = { .name = "alice2" };
	uint64_t	 id;

	peer_start(&alice, env("SWS_URL"), 1, 5, NULL, NULL);
	peer_start(&bob, env("SWS_URL"), 1, 5, NULL, NULL);
	WAIT(alice.ready && bob.ready, 10);
	ok(alice.ready == 1 && bob.ready == 1, "alice and bob registered");
	ok(sws_join(alice.c, ROOM, &alice.join_id) == 0 &&
	    sws_join(bob.c, ROOM, &bob.join_id) == 0 &&
	    sws_join(bob.c, ROOM2, &bob.join2_id) == 0, "joins sent");
	WAIT(alice.joined && bob.joined && bob.joined2, 10);
	ok(alice.joined && bob.joined && bob.joined2, "both joined");
	/* room keys come as direct messages after JOINED */
	WAIT(0, 0.5);
	ok(sws_publish(alice.c, ROOM, "before", 6, &id) == 0, "alice publishes");
	WAIT(got(&bob, "before"), 5);
	ok(got(&bob, "before"), "bob reads it before the restart");

	printf("RESTART\n");
	fflush(stdout);
	WAIT(alice.reconnecting && bob.reconnecting, 10);
	ok(strcmp(alice.first_code, "relay-close") == 0 &&
	    alice.first_closecode == 1001, "alice: the shutdown (1001) is "
	    "reported as RECONNECTING, code %s, close code %d",
	    alice.first_code, alice.first_closecode);
	ok(sws_send(alice.c, bob.pk, "x", 1, &id) == -1, "no send while "
	    "reconnecting");
	ok(sws_leave(bob.c, ROOM2, &id) == 0 && id == 0, "bob leaves %s "
	    "while away (id 0)", ROOM2);
	WAIT(alice.ready == 2 && bob.ready == 2, 15);
	ok(alice.ready == 2 && bob.ready == 2, "both registered again after "
	    "the restart");
	ok(alice.max_attempt >= 2 && bob.max_attempt >= 2, "several attempts "
	    "while the relay was down (alice %d, bob %d)", alice.max_attempt,
	    bob.max_attempt);
	ok(alice.bad_delay == 0 && bob.bad_delay == 0, "every wait within "
	    "its backoff range");
	WAIT(alice.rejoined && bob.rejoined, 5);
	ok(alice.rejoined == 1 && bob.rejoined == 1, "both joined %s again "
	    "by themselves", ROOM);
	WAIT(0, 0.5);
	ok(bob.rejoined2 == 0 && bob.joined2 == 1, "the room left while away "
	    "was not joined again");
	ok(sws_publish(bob.c, ROOM, "after", 5, &id) == 0, "bob publishes");
	WAIT(got(&alice, "after"), 5);
	ok(got(&alice, "after"), "alice reads bob's room message (new room "
	    "keys exchanged)");
	ok(sws_send(alice.c, bob.pk, "direct", 6, &id) == 0, "alice sends");
	WAIT(got(&bob, "direct"), 5);
	ok(got(&bob, "direct"), "bob reads alice's direct message");
	ok(alice.errors == 0 && bob.errors == 0, "no errors");

	/* another session of alice's key: 4001 is final (1 session per key) */
	alice.reconnecting = 0;
	peer_start(&alice2, env("SWS_URL"), 0, 5, NULL, alice.sk);
	WAIT(alice.closed && alice2.ready, 10);
	WAIT(0, 1.0);
	ok(alice.closed && alice.closecode == 4001 && alice.reconnecting == 0,
	    "alice replaced (4001) closes for good (closed %d, code %d, "
	    "%d reconnects)", alice.closed, alice.closecode,
	    alice.reconnecting);

	sws_close(bob.c);
	sws_close(alice2.c);
	WAIT(bob.closed && alice2.closed, 5);
	ok(strcmp(bob.closed_code, "closed") == 0, "bob closes");
	sws_client_free(alice.c);
	sws_client_free(bob.c);
	sws_client_free(alice2.c);
}

static void
backoff_tests(void)
{
	struct peer	 lone = { .name = "lone", .close_on_attempt = 3 };
	struct peer	 once = { .name = "once" };

	/* nothing listens: refused dials are retried until sws_close() */
	peer_start(&lone, env("DEAD_URL"), 1, 5, NULL, NULL);
	WAIT(lone.closed, 10);
	ok(lone.reconnecting == 3 && strcmp(lone.first_code, "connect") == 0,
	    "refused dials retried (%d RECONNECTING, first %s)",
	    lone.reconnecting, lone.first_code);
	ok(lone.closed && strcmp(lone.closed_code, "closed") == 0,
	    "sws_close() while waiting ends with CLOSED closed");
	ok(lone.bad_delay == 0, "waits within their ranges");
	sws_client_free(lone.c);

	/* without reconnect, the same is CLOSED at once */
	peer_start(&once, env("DEAD_URL"), 0, 5, NULL, NULL);
	WAIT(once.closed, 10);
	ok(once.closed && once.reconnecting == 0 &&
	    strcmp(once.closed_code, "connect") == 0, "without reconnect: "
	    "CLOSED connect");
	sws_client_free(once.c);
}

/* p, dialling url with resolv_conf, registers; then it closes. */
static void
registers(struct peer *p, const char *url, const char *resolv_conf,
    const char *desc)
{
	peer_start(p, url, 0, 5, resolv_conf, NULL);
	WAIT(p->ready || p->closed, 10);
	ok(p->ready == 1, "%s: registered", desc);
	sws_close(p->c);
	WAIT(p->closed, 5);
	sws_client_free(p->c);
}

static void
dns_tests(void)
{
	struct peer	 named = { .name = "named" }, nx = { .name = "nx" };
	struct peer	 local = { .name = "local" };
	struct peer	 silent = { .name = "silent" };
	struct peer	 gone = { .name = "gone" };
	int		 t0;

	registers(&named, env("DNS_URL"), env("DNS_CONF"),
	    "relay.test resolved by DNS");

	peer_start(&nx, env("NX_URL"), 1, 5, env("DNS_CONF"), NULL);
	WAIT(nx.closed, 10);
	ok(nx.closed && nx.reconnecting == 0 &&
	    strcmp(nx.closed_code, "connect") == 0 &&
	    strstr(nx.closed_text, "cannot resolve nx.test") != NULL,
	    "a name that does not exist: CLOSED connect, not retried (%s)",
	    nx.closed_text);
	sws_client_free(nx.c);

	registers(&local, env("LOCAL_URL"), env("SILENT_CONF"),
	    "localhost needs no DNS");

	/* the loop runs on while a DNS server keeps silent */
	t0 = ticks;
	peer_start(&silent, env("DNS_URL"), 0, 2, env("SILENT_CONF"), NULL);
	WAIT(silent.closed, 6);
	ok(silent.closed && strcmp(silent.closed_code, "connect") == 0 &&
	    strstr(silent.closed_text, "no answer within 2 seconds") != NULL,
	    "a silent DNS server: CLOSED connect after the timeout (%s)",
	    silent.closed_text);
	ok(ticks - t0 >= 5, "the event loop ran while resolving (%d ticks "
	    "of 100 ms)", ticks - t0);
	sws_client_free(silent.c);

	/* freed while its queries are out; the loop then frees the rest */
	peer_start(&gone, env("DNS_URL"), 1, 5, env("SILENT_CONF"), NULL);
	WAIT(0, 0.3);
	sws_client_free(gone.c);
	WAIT(0, 0.3);
	ok(!gone.closed && gone.reconnecting == 0, "no event after "
	    "sws_client_free()");
}

int
main(void)
{
	struct event	*tick;
	struct timeval	 tv = { 0, 100000 };

	skey = getenv("SWS_SERVER_KEY");
	if (skey == NULL || sws_key_decode(pin, skey) != 0) {
		printf("Bail out! SWS_SERVER_KEY is not set\n");
		return 1;
	}
	if (sodium_init() < 0 || (base = event_base_new()) == NULL)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* every 100 ms: WAIT() never sleeps long, and counts the loop's turns */
	tick = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	event_add(tick, &tv);
	backoff_tests();
	dns_tests();
	reconnect_tests();
	event_free(tick);
	event_base_free(base);
	return tap_done();
}
