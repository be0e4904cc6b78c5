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
 * End-to-end bodies (sws-e2e/1, docs/WIRE.md section 7) in and out:
 * sws_send() seals data for one key as a direct body, and message_in()
 * opens every MESSAGE the relay delivers, a direct one with our key and
 * a room one with the sender key keys.c holds for its sender.  A body
 * that does not open is reported as DROPPED, never shown; a sender key
 * that arrives in a direct body goes to room.c.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sws_local.h"

void
message_in(struct sws_client *c, struct wire_msg *pm)
{
	struct sws_event	 ev;
	struct room		*r = NULL;
	struct member		*m;
	uint8_t			*buf;
	long			 n;
	int			 kind = -1;

	if ((buf = malloc(pm->bodylen + 1)) == NULL) {
		conn_dropped(c, pm->from, NULL, "undecryptable",
		    "out of memory");
		return;
	}
	if (pm->has_room) {
		if ((r = room_find(c, pm->room, pm->roomlen)) == NULL) {
			conn_dropped(c, pm->from, pm->room, "no-sender-key",
			    "a room message for a room we are not in");
			goto out;
		}
		if ((m = member_find(r, pm->from)) == NULL || m->nkeys == 0) {
			conn_dropped(c, pm->from, pm->room, "no-sender-key",
			    "a room message from a member whose room key "
			    "we do not have");
			goto out;
		}
		n = e2e_open_room(buf, pm->bodylen, &kind, pm->body,
		    pm->bodylen, m->key);
		if (n < 0 && m->nkeys == 2)
			n = e2e_open_room(buf, pm->bodylen, &kind, pm->body,
			    pm->bodylen, m->oldkey);
	} else
		n = e2e_open_direct(buf, pm->bodylen, &kind, pm->body,
		    pm->bodylen, pm->from, c->sk);
	if (n < 0) {
		conn_dropped(c, pm->from, r != NULL ? pm->room : NULL,
		    "undecryptable", "a message that does not open");
		goto out;
	}
	if (kind == E2E_KIND_SENDER_KEY && r == NULL) {
		room_sender_key(c, pm->from, buf, (size_t)n);
		goto out;
	}
	if (kind != E2E_KIND_DATA) {
		conn_dropped(c, pm->from, r != NULL ? pm->room : NULL,
		    "undecryptable", "a message of an unknown kind");
		goto out;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_MESSAGE;
	ev.key = pm->from;
	ev.room = r != NULL ? pm->room : NULL;
	ev.data = buf;
	ev.len = (size_t)n;
	ev.body = pm->body;
	ev.bodylen = pm->bodylen;
	conn_emit(c, &ev);
 out:
	sodium_memzero(buf, pm->bodylen + 1);
	free(buf);
}

int
sws_send(struct sws_client *c, const uint8_t *to, const void *data,
    size_t len, uint64_t *idp)
{
	struct wire_field	 f[4];
	uint8_t			*body;
	long			 n;
	int			 rv;

	if (!conn_ready(c) || !conn_body_fits(c, len))
		return -1;
	if ((body = malloc(len + E2E_OVERHEAD)) == NULL)
		return -1;
	if ((n = e2e_seal_direct(body, len + E2E_OVERHEAD, E2E_KIND_DATA,
	    data, len, NULL, to, c->sk)) < 0) {
		free(body);
		errno = EINVAL;
		return -1;
	}
	f[0] = (struct wire_field){ "type", PF_STR, SWS_T_SEND, 4, 0 };
	f[1] = (struct wire_field){ "to", PF_BIN, to, SWS_KEY_LEN, 0 };
	f[2] = (struct wire_field){ "body", PF_BIN, body, (size_t)n, 0 };
	rv = conn_request(c, f, 3, idp);
	free(body);
	return rv;
}
