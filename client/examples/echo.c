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
 * echo: the smallest program on libsws.  It makes a key pair, connects
 * to the relay at URL, registers, sends a message to its own key, and
 * exits 0 once the message has come back and the relay has acknowledged
 * it.  With RELAY-KEY (base64url), the relay's key is pinned.
 *
 *	cc -o echo echo.c $(pkg-config --cflags --libs sws)
 *	./echo ws://127.0.0.1:8080/ [RELAY-KEY]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sws.h>

#define TEXT	"hello, me"

struct echo {
	uint64_t	 id;		/* of the SEND */
	int		 acked;
	int		 echoed;
	int		 status;	/* the exit status */
};

static void
on_event(struct sws_client *c, const struct sws_event *ev, void *arg)
{
	struct echo	*e = arg;
	char		 key[SWS_KEY_B64LEN + 1];

	switch (ev->type) {
	case SWS_EV_READY:
		sws_key_encode(key, sws_client_key(c));
		printf("registered as %s\n", key);
		if (sws_send(c, sws_client_key(c), TEXT, strlen(TEXT),
		    &e->id) != 0) {
			perror("sws_send");
			sws_close(c);
		}
		break;
	case SWS_EV_MESSAGE:
		if (ev->room == NULL && ev->len == strlen(TEXT) &&
		    memcmp(ev->data, TEXT, ev->len) == 0 &&
		    memcmp(ev->key, sws_client_key(c), SWS_KEY_LEN) == 0) {
			printf("received: %.*s\n", (int)ev->len,
			    (const char *)ev->data);
			e->echoed = 1;
		}
		break;
	case SWS_EV_ACK:
		if (ev->id == e->id)
			e->acked = 1;
		break;
	case SWS_EV_ERROR:
		fprintf(stderr, "echo: refused: %s: %s\n", ev->code,
		    ev->text);
		sws_close(c);
		break;
	case SWS_EV_CLOSED:
		if (strcmp(ev->code, "closed") != 0)
			fprintf(stderr, "echo: %s\n", ev->text);
		else if (e->acked && e->echoed)
			e->status = 0;
		/* nothing follows CLOSED: the client may go now */
		sws_client_free(c);
		return;
	default:
		break;
	}
	if (e->acked && e->echoed)
		sws_close(c);
}

int
main(int argc, char *argv[])
{
	struct event_base	*base;
	struct sws_client	*c;
	struct sws_config	 cfg;
	struct echo		 e = { .status = 1 };
	uint8_t			 pk[SWS_KEY_LEN], sk[SWS_KEY_LEN];
	uint8_t			 relay[SWS_KEY_LEN];
	char			 err[256];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: echo URL [RELAY-KEY]\n");
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.url = argv[1];
	if (argc == 3) {
		if (sws_key_decode(relay, argv[2]) != 0) {
			fprintf(stderr, "echo: bad relay key %s\n", argv[2]);
			return 2;
		}
		cfg.server_key = relay;
	}
	if (sws_keygen(pk, sk) != 0) {
		fprintf(stderr, "echo: no key pair\n");
		return 1;
	}
	cfg.secret_key = sk;
	if ((base = event_base_new()) == NULL) {
		fprintf(stderr, "echo: event_base_new failed\n");
		return 1;
	}
	if ((c = sws_client_new(base, &cfg, on_event, &e, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "echo: %s\n", err);
		return 1;
	}
	sws_client_connect(c);
	event_base_dispatch(base);
	event_base_free(base);
	return e.status;
}
