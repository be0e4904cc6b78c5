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
 * The session layer: a relay session's registration with cryptod, its
 * rate limit, and the decoding and answering (ACK, ERROR) of what it
 * sends once its frames are whole messages.  Below the connection layer
 * (conn.c), above the router.
 *
 * It never closes a connection: the close handshake is the connection
 * layer's.  A function that ends a session (a failed registration, a run
 * of rate refusals longer than a burst) queues its last answer and
 * returns the reason of the close, always with code 1008 (policy), that
 * the caller starts; NULL means go on.  A return value rather than a
 * callback: the caller is always the connection layer one call up, and
 * on the hot path (one message) it costs a compare.
 */
#ifndef SWS_SESSION_H
#define SWS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "relay.h"

/* Sessions cryptod works for, by id (relay->by_sid). */
int	session_sid_cmp(struct session *, struct session *);
RB_PROTOTYPE(session_tree, session, u.reg.sid_entry, session_sid_cmp)

/*
 * How requests reach cryptod: relay.c's, which owns the imsg channel and
 * its event.  Given at start because the session layer is below relay.c
 * and registration must talk to cryptod as it goes (a FORGET cannot
 * wait); registrations only, never on the path of a message.  The
 * function returns -1 when cryptod's queue is too long for new work.
 */
typedef int (*session_cryptod_fn)(uint32_t type, const void *, size_t);
void	session_init(session_cryptod_fn);
/* Size the decoding buffer for the settings now in force (relay->lim). */
void	session_configure(void);

/*
 * cryptod answered one request (whether or not its session is still
 * there): the next queued one may go.
 */
void	session_cryptod_answered(void);
/* Requests to cryptod waiting in the relay's queues. */
size_t	session_cq_queued(void);
/*
 * At the upgrade of a relay session: ask cryptod for a challenge.  The
 * request waits its turn among the addresses with requests queued
 * (round robin); the session is numbered when it leaves.
 */
const char *session_start(struct session *);
/* The answer to a request with an id that another node settled. */
void	session_answer(struct session *, uint64_t id, const char *code,
	    const char *message);
/* cryptod's answers. */
void	session_challenge(struct session *, const uint8_t *challenge,
	    const uint8_t *server_pk);
/*
 * 1 when s was waiting for this and is registered now (REGISTER_SUCCESS
 * queued): the caller puts it in the router.  0 otherwise.
 */
int	session_verified(struct session *, const uint8_t *proof);
/* cryptod refused the proof: NULL only when s was not waiting for it. */
const char *session_rejected(struct session *, uint32_t reason);
/* The registration timeout passed: always a close. */
const char *session_reg_timeout(struct session *);
/* One complete data message of a relay session (not the echo endpoint). */
const char *session_message(struct session *, int opcode, uint8_t *,
	    size_t);
/*
 * The session ends (closed or freed): nothing left with cryptod, and out
 * of the router.
 */
void	session_release(struct session *);

#endif /* SWS_SESSION_H */
