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
 * The client's side of the sws/1 encodings (docs/WIRE.md sections 3, 4 and 6):
 * encoding a request as one JSON object or one MessagePack map, and
 * decoding one relay message of either subprotocol into a struct
 * wire_msg whose every field has been checked for type and size.
 */
#ifndef SWS_WIRE_H
#define SWS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "e2e.h"
#include "sws1.h"	/* the wire constants */

#define WIRE_CODE_MAX		63	/* reason and code strings */
#define WIRE_TEXT_MAX		255	/* "message" texts, cut */

/* value kinds of one request field */
#define PF_STR		1	/* UTF-8 text */
#define PF_BIN		2	/* bytes: base64url, or msgpack bin */
#define PF_UINT		3

struct wire_field {
	const char	*key;
	int		 kind;
	const void	*p;		/* PF_STR, PF_BIN */
	size_t		 len;
	uint64_t	 u;		/* PF_UINT */
};

/*
 * Encode one request of n fields.  On success *out is a malloc'ed buffer
 * of *outlen bytes (a JSON text, or a msgpack map) and 0 is returned; -1
 * when memory is short or a text field is not valid UTF-8.
 */
int	wire_encode(int msgpack, const struct wire_field *, size_t n,
	    uint8_t **out, size_t *outlen);

/* relay message types */
#define PM_UNKNOWN		0	/* a type we do not know */
#define PM_CHALLENGE		1
#define PM_REGISTER_SUCCESS	2
#define PM_REGISTER_FAILURE	3
#define PM_ACK			4
#define PM_ERROR		5
#define PM_MESSAGE		6
#define PM_JOINED		7
#define PM_PRESENCE		8

struct wire_limits {
	uint64_t	 max_message;
	uint64_t	 max_body;
	uint64_t	 rate;
	uint64_t	 burst;
	uint64_t	 rooms;
};

struct wire_msg {
	int		 type;			/* PM_* */
	int		 has_id;
	uint64_t	 id;
	uint64_t	 version;		/* CHALLENGE */
	uint8_t		 server[E2E_KEY_LEN];	/* CHALLENGE */
	uint8_t		 challenge[E2E_CHALLENGE_LEN];
	uint8_t		 key[E2E_KEY_LEN];	/* publicKey */
	uint8_t		 from[E2E_KEY_LEN];	/* MESSAGE */
	uint8_t		 proof[E2E_PROOF_LEN];	/* REGISTER_... */
	uint8_t		*body;			/* malloc'ed */
	size_t		 bodylen;
	int		 has_room;
	char		 room[E2E_ROOM_MAX + 1];	/* NUL-terminated */
	size_t		 roomlen;
	char		 code[WIRE_CODE_MAX + 1];	/* ERROR code,
							   REGISTER_FAILURE
							   reason */
	char		 text[WIRE_TEXT_MAX + 1];	/* "message" */
	int		 joined;		/* PRESENCE: 1, or 0 */
	uint8_t		(*members)[E2E_KEY_LEN];	/* malloc'ed */
	size_t		 nmembers;
	int		 has_limits;
	struct wire_limits limits;		/* REGISTER_SUCCESS */
};

/*
 * Decode one relay message (text for JSON, binary for msgpack; the caller
 * checks the frame type).  Only the fields the message's type uses are
 * read; unknown keys and the fields of other types are ignored, and an
 * unknown type gives PM_UNKNOWN.  Returns 0, or -1 when the message is
 * malformed: not one object or map, nested deeper than SWS_MAX_DEPTH, a
 * declared msgpack size beyond the bytes left, a duplicate key, a field
 * of the wrong type or size, or a required field missing.  *why then
 * names the problem.  Free with wire_msg_free(), also after -1.
 */
int	wire_decode(int msgpack, const uint8_t *buf, size_t len,
	    struct wire_msg *, const char **why);
void	wire_msg_free(struct wire_msg *);

#endif /* SWS_WIRE_H */
