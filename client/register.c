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
 * Registration (docs/WIRE.md section 3): the answer to CHALLENGE, boxed to the
 * relay's key (checked against the pinned one first) with our key and
 * the URL's authority as binding, and the check of REGISTER_SUCCESS,
 * whose proof must open with our key and hold our challenge.  Only then
 * is the client READY, with the limits the relay announced.
 */
#include <sys/types.h>

#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "sws_local.h"

void
register_challenge(struct sws_client *c, struct wire_msg *pm)
{
	struct wire_field	 f[4];
	uint8_t			 nonce[E2E_NONCE_LEN];
	uint8_t			 box[E2E_TAG_LEN + E2E_CHALLENGE_LEN +
				    E2E_BINDING_MAX];
	char			 got[SWS_KEY_B64LEN + 1];
	char			 want[SWS_KEY_B64LEN + 1];
	int			 n;

	if (pm->version != 1) {
		conn_fail(c, "protocol", WS_CLOSE_PROTOCOL, "relay speaks "
		    "version %llu of the protocol, not 1",
		    (unsigned long long)pm->version);
		return;
	}
	sws_key_encode(got, pm->server);
	if (c->pinned && sodium_memcmp(pm->server, c->pin, SWS_KEY_LEN) != 0) {
		sws_key_encode(want, c->pin);
		conn_fail(c, "server-key", WS_CLOSE_POLICY, "relay key "
		    "mismatch: relay has %s, expected %s", got, want);
		return;
	}
	memcpy(c->server, pm->server, SWS_KEY_LEN);
	memcpy(c->challenge, pm->challenge, E2E_CHALLENGE_LEN);
	randombytes_buf(nonce, sizeof(nonce));
	if ((n = e2e_register_box(box, c->challenge, c->authority, c->authlen,
	    nonce, c->server, c->sk)) < 0) {
		conn_fail(c, "server-key", WS_CLOSE_POLICY, "relay key %s is "
		    "refused (a low-order point)", got);
		return;
	}
	f[0] = (struct wire_field){ "type", PF_STR, SWS_T_CHALLENGE_RESPONSE,
	    18, 0 };
	f[1] = (struct wire_field){ "publicKey", PF_BIN, c->pk, SWS_KEY_LEN,
	    0 };
	f[2] = (struct wire_field){ "nonce", PF_BIN, nonce, sizeof(nonce),
	    0 };
	f[3] = (struct wire_field){ "box", PF_BIN, box, (size_t)n, 0 };
	if (conn_send_request(c, f, 4) != 0) {
		conn_fail(c, "protocol", WS_CLOSE_INTERNAL, "cannot answer the "
		    "challenge");
		return;
	}
	c->state = ST_REGISTERING;
	conn_debug(c, "challenge answered, relay key %s, binding %s", got,
	    c->authority);
}

void
register_success(struct sws_client *c, struct wire_msg *pm)
{
	struct sws_event	 ev;
	uint64_t		 mm;

	if (sodium_memcmp(pm->key, c->pk, SWS_KEY_LEN) != 0) {
		conn_fail(c, "proof", WS_CLOSE_POLICY, "relay registered "
		    "another key than ours");
		return;
	}
	if (e2e_proof_check(pm->proof, sizeof(pm->proof), c->challenge, c->pk,
	    c->server, c->sk) != 0) {
		conn_fail(c, "proof", WS_CLOSE_POLICY, "relay's registration "
		    "proof is invalid");
		return;
	}
	/* docs/WIRE.md section 3; defaults for a relay that sends no limits */
	mm = pm->has_limits && pm->limits.max_message > 0 ?
	    pm->limits.max_message : 65536;
	c->limits.max_message = mm;
	c->limits.max_body = pm->has_limits && pm->limits.max_body > 0 ?
	    pm->limits.max_body : (mm > 512 ? (mm - 512) * 3 / 4 : 0);
	c->limits.rate = pm->limits.rate;
	c->limits.burst = pm->limits.burst;
	c->limits.rooms = pm->limits.rooms;
	c->state = ST_READY;
	c->attempt = 0;
	evtimer_del(c->timer);
	/* after a reconnect: the rooms first, so that they precede requests */
	if (room_rejoin_all(c) != 0) {
		conn_fail(c, "protocol", WS_CLOSE_INTERNAL, "cannot join the "
		    "rooms again");
		return;
	}

	memset(&ev, 0, sizeof(ev));
	ev.type = SWS_EV_READY;
	ev.key = c->server;
	ev.limits = &c->limits;
	conn_emit(c, &ev);
}

/*
 * REGISTER_FAILURE, before or after our answer: the relay's reason,
 * cleaned for printing, is what CLOSED will say once the relay closes.
 */
void
register_failure(struct sws_client *c, struct wire_msg *pm)
{
	char	 reason[WIRE_CODE_MAX + 1];

	conn_clean_copy(reason, sizeof(reason), (const uint8_t *)pm->code,
	    strlen(pm->code));
	strlcpy(c->result_reason, reason, sizeof(c->result_reason));
	conn_set_result(c, "registration", "registration failed: %s%s%s%s",
	    reason, pm->text[0] != '\0' ? " (" : "", pm->text,
	    pm->text[0] != '\0' ? ")" : "");
	conn_clean_copy(c->result_text, sizeof(c->result_text),
	    (const uint8_t *)c->result_text, strlen(c->result_text));
	/* the relay closes with 1008; wait for it */
	c->state = ST_CLOSING;
	conn_arm_timer(c, CLOSE_WAIT);
}
