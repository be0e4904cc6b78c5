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
 * The HTTP/1.1 side of the WebSocket opening handshake (RFC 6455 section
 * 4.2, docs/WIRE.md section 1): a strict, bounded parser for the request head
 * and the answer the relay gives.  Nothing here allocates.
 */
#ifndef SWS_HTTP_H
#define SWS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "proxy.h"	/* struct hdr_values */
#include "sws1.h"	/* PROTO_JSON, PROTO_MSGPACK */

#define HTTP_MAX_HEAD		8192	/* bytes, request line to blank line */
#define HTTP_MAX_LINES		64	/* header lines, request line excluded */


#define ENDPOINT_RELAY		1	/* the configured relay path */
#define ENDPOINT_ECHO		2	/* the echo path, when configured */

/* What the relay accepts; strings are NUL-terminated. */
struct http_policy {
	const char	 *path;		/* relay path, e.g. "/" */
	const char	 *echo_path;	/* NULL or "" when echo is off */
	const char *const *origins;	/* allowed Origin values, exact */
	size_t		  norigins;	/* 0: any Origin is accepted */
};

struct http_result {
	int		 status;	/* 101, 400, 403, 404, 426 or 431 */
	int		 endpoint;	/* ENDPOINT_* when status is 101 */
	int		 proto;		/* PROTO_* chosen, when status is 101 */
	int		 proto_offered;	/* 1: answer names the subprotocol */
	int		 want_version;	/* 426 for the version: add header */
	char		 accept[29];	/* Sec-WebSocket-Accept, NUL-ended */
	const char	*reason;	/* short reason for the log */
	/*
	 * X-Forwarded-For and Forwarded, as found in the head (whatever
	 * the status): slices of the caller's buffer, valid as long as it
	 * is.  Only a trusted proxy's are looked at (proxy.h).
	 */
	struct hdr_values xff;
	struct hdr_values fwd;
};

/*
 * Look at the first len bytes received on a new connection.  Returns 0
 * when the head is not complete yet and may still be (more bytes needed),
 * or the length of the request head (through the blank line) once it is
 * complete or certainly bad; res then says what to answer.  A head over
 * HTTP_MAX_HEAD bytes or HTTP_MAX_LINES lines gets 431 as soon as that is
 * known.  The checks are made in docs/WIRE.md's order: 404 for another path,
 * 426 without "Upgrade: websocket", 426 (want_version) for a version
 * other than 13, 400 for any other malformed upgrade, 403 for an Origin
 * not allowed, 400 for subprotocols offered but none known or a malformed
 * list.  A request line that cannot be parsed at all is 400.
 */
size_t	http_parse_upgrade(const char *buf, size_t len,
	    const struct http_policy *pol, struct http_result *res);

/*
 * Write the answer for res into out: the 101 Switching Protocols with
 * Sec-WebSocket-Accept (and Sec-WebSocket-Protocol when a subprotocol was
 * offered), or an error with "Connection: close", "Content-Length: 0", and
 * for 426 "Upgrade: websocket" plus "Sec-WebSocket-Version: 13" when
 * want_version is set.  Returns the length, or 0 if outlen is too small
 * (512 bytes are always enough).
 */
size_t	http_response(char *out, size_t outlen, const struct http_result *res);
/*
 * An error answer with no parsed request behind it, or with a decision
 * made after the head (429 and 503 at an admission limit); a retry_after
 * above 0 adds "Retry-After: N" (seconds, RFC 9110 section 10.2.3).
 */
size_t	http_error(char *out, size_t outlen, int status, uint32_t retry_after);

#endif /* SWS_HTTP_H */
