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
 * libFuzzer target for everything a relay can send to libsws: the input
 * (after its first byte, which picks JSON or msgpack) is what the relay
 * writes on the connection, from the HTTP answer on.  The client runs on
 * one end of a bufferevent_pair.  Built with -DFUZZING, libsws uses a
 * fixed Sec-WebSocket-Key, so the seeds (regress/client/mkseeds.py) carry
 * a valid 101 answer, and with the keys of vectors.json a valid
 * registration, and reach the rooms and messages.  Once registered, the
 * client joins a room and sends, so that answers to those are exercised.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sodium.h>

#include "b64.h"
#include "client/sws.h"

static struct event_base	*base;
static uint8_t			 alice_sk[32], bob_pk[32];

static void
quiet(int severity, const char *msg)
{
	(void)severity;
	(void)msg;
}

static void
on_event(struct sws_client *c, const struct sws_event *ev, void *arg)
{
	int	*freed = arg;

	switch (ev->type) {
	case SWS_EV_READY:
		sws_join(c, "lobby", NULL);
		sws_send(c, bob_pk, "x", 1, NULL);
		break;
	case SWS_EV_JOINED:
		sws_publish(c, ev->room, "y", 1, NULL);
		break;
	case SWS_EV_PRESENCE:
		/* leaving frees the room the event names */
		if (!ev->joined && ev->len == 0)
			sws_leave(c, ev->room, NULL);
		break;
	case SWS_EV_MESSAGE:
		/* touch every byte the event hands out */
		if (ev->len > 0 && ev->data[ev->len - 1] == 0xff &&
		    ev->bodylen > 0 && ev->body[0] == 0xff)
			sws_close(c);
		break;
	case SWS_EV_ERROR:
		if (strcmp(ev->code, "free-me") == 0) {
			sws_client_free(c);
			*freed = 1;
		}
		break;
	default:
		break;
	}
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bufferevent	*pair[2];
	struct sws_client	*c;
	struct sws_config	 cfg;
	char			 err[256];
	int			 i, freed = 0;

	if (base == NULL) {
		if (sodium_init() < 0)
			abort();
		event_set_log_callback(quiet);
		if ((base = event_base_new()) == NULL)
			abort();
		if (b64url_decode(alice_sk, 32,
		    "77dAkFHIKu6dCCLLbv5r0waF6mRiF45HmrfVdj58IBw", 43) != 32 ||
		    b64url_decode(bob_pk, 32,
		    "DKfzmZAuTRweETElN-lnaFS7ajInWr5EdRyMijoIjAc", 43) != 32)
			abort();
	}
	if (size < 1)
		return 0;
	if (bufferevent_pair_new(base, BEV_OPT_DEFER_CALLBACKS, pair) != 0)
		abort();
	memset(&cfg, 0, sizeof(cfg));
	cfg.url = "ws://127.0.0.1:8080/";
	cfg.secret_key = alice_sk;
	cfg.msgpack = data[0] & 1;
	cfg.debug = 1;
	if ((c = sws_client_new(base, &cfg, on_event, &freed, err,
	    sizeof(err))) == NULL)
		abort();
	sws_client_attach(c, pair[0]);
	bufferevent_enable(pair[1], EV_READ | EV_WRITE);
	bufferevent_write(pair[1], data + 1, size - 1);
	for (i = 0; i < 16; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	if (!freed)
		sws_client_free(c);
	bufferevent_free(pair[1]);
	for (i = 0; i < 4; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	return 0;
}
