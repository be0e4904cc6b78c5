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
 * Unit tests of the opening handshake reader: the RFC 6455 sample, every
 * answer in docs/WIRE.md's order with its exact status, subprotocol choice,
 * the head limits, strict HTTP syntax, incomplete heads, and the exact
 * text of the answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regress/lib/tap.h"
#include "http.h"

#define GOOD_KEY	"dGhlIHNhbXBsZSBub25jZQ=="
#define GOOD_ACCEPT	"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static const char *const origins[] = {
	"https://chat.example.org",
	"http://localhost:8080",
};

static const struct http_policy pol_open = { "/", "/echo", NULL, 0 };
static const struct http_policy pol_origin = { "/", NULL, origins, 2 };
static const struct http_policy pol_ws = { "/ws", "", NULL, 0 };

static char	 reqbuf[20000];

/*
 * A request: the request line, the five headers of a good upgrade minus
 * the one named by omit, then extra (raw lines, each with its CRLF).
 */
static const char *
mkreq(const char *line, const char *omit, const char *extra)
{
	static const char *const std[][2] = {
		{ "Host", "relay.example:8080" },
		{ "Upgrade", "websocket" },
		{ "Connection", "Upgrade" },
		{ "Sec-WebSocket-Key", GOOD_KEY },
		{ "Sec-WebSocket-Version", "13" },
	};
	size_t	 i, n;

	n = (size_t)snprintf(reqbuf, sizeof(reqbuf), "%s\r\n", line);
	for (i = 0; i < sizeof(std) / sizeof(std[0]); i++) {
		if (omit != NULL && strcmp(omit, std[i][0]) == 0)
			continue;
		n += (size_t)snprintf(reqbuf + n, sizeof(reqbuf) - n,
		    "%s: %s\r\n", std[i][0], std[i][1]);
	}
	snprintf(reqbuf + n, sizeof(reqbuf) - n, "%s\r\n",
	    extra != NULL ? extra : "");
	return reqbuf;
}

/* Parse a complete head; the result must cover all of it. */
static int
status_of(const char *req, const struct http_policy *pol,
    struct http_result *res)
{
	size_t	 n;

	n = http_parse_upgrade(req, strlen(req), pol, res);
	if (n == 0)
		return 0;
	if (res->status != 101 && res->reason == NULL)
		return -1;		/* every refusal says why */
	return res->status;
}

static int
st(const char *req, const struct http_policy *pol)
{
	struct http_result	 res;

	return status_of(req, pol, &res);
}

static void
test_good(void)
{
	struct http_result	 res;
	char			 out[512], *r;
	size_t			 len, n, i, bad;
	static const char	 want[] =
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: " GOOD_ACCEPT "\r\n"
	    "\r\n";

	r = strdup(mkreq("GET / HTTP/1.1", NULL, NULL));
	len = strlen(r);
	n = http_parse_upgrade(r, len, &pol_open, &res);
	ok(n == len && res.status == 101 && res.endpoint == ENDPOINT_RELAY &&
	    res.proto == PROTO_JSON && res.proto_offered == 0 &&
	    strcmp(res.accept, GOOD_ACCEPT) == 0,
	    "RFC 6455 sample key gives 101 and accept " GOOD_ACCEPT);
	n = http_response(out, sizeof(out), &res);
	ok(n == strlen(want) && memcmp(out, want, n + 1) == 0,
	    "101 answer text is exact");
	ok(http_response(out, strlen(want), &res) == 0 &&
	    http_response(out, strlen(want) + 1, &res) == strlen(want),
	    "the answer needs its length plus the NUL, no more");

	bad = 0;
	for (i = 0; i < len; i++)
		if (http_parse_upgrade(r, i, &pol_open, &res) != 0)
			bad++;
	ok(bad == 0, "every proper prefix of a good head returns 0 "
	    "(%zu did not)", bad);
	free(r);

	r = malloc(len + 16);
	memcpy(r, mkreq("GET / HTTP/1.1", NULL, NULL), len);
	memcpy(r + len, "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
	n = http_parse_upgrade(r, len + 11, &pol_open, &res);
	ok(n == len && res.status == 101,
	    "bytes after the head (a first frame) are not part of it");
	free(r);

	ok(st(mkreq("GET /?token=abc&x=/y HTTP/1.1", NULL, NULL), &pol_open) ==
	    101, "the query string is ignored for the path");
	ok(st(mkreq("GET /? HTTP/1.1", NULL, NULL), &pol_open) == 101,
	    "an empty query is ignored");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Sec-WebSocket-Extensions: permessage-deflate\r\n"), &pol_open) ==
	    101, "an offered extension is ignored");
	status_of(mkreq("GET / HTTP/1.1", NULL,
	    "Sec-WebSocket-Extensions: permessage-deflate\r\n"), &pol_open,
	    &res);
	http_response(out, sizeof(out), &res);
	ok(strstr(out, "Extensions") == NULL, "and none is answered");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "x-custom:\t v\xe9 \t\r\n"),
	    &pol_open) == 101, "tabs and obs-text in a value are fine");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "X-Empty:\r\n"), &pol_open) == 101,
	    "an empty value is fine");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "hOsT-ish: 1\r\nsec-websocket-VERSION: 13\r\n"), &pol_open) == 426,
	    "header names are case-insensitive (a second version is seen)");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"), &pol_open) ==
	    101, "a lowercase key header and an all-zero key are fine");
}

static void
test_paths(void)
{
	struct http_result	 res;

	ok(status_of(mkreq("GET /echo HTTP/1.1", NULL, NULL), &pol_open,
	    &res) == 101 && res.endpoint == ENDPOINT_ECHO,
	    "echo path gives the echo endpoint");
	ok(status_of(mkreq("GET /echo?x HTTP/1.1", NULL,
	    "Sec-WebSocket-Protocol: nope,,\r\n"), &pol_open, &res) == 101 &&
	    res.endpoint == ENDPOINT_ECHO && res.proto_offered == 0,
	    "the echo endpoint ignores the subprotocol header entirely");
	ok(st(mkreq("GET /echo HTTP/1.1", NULL, NULL), &pol_origin) == 404,
	    "echo path with echo off (NULL): 404");
	ok(st(mkreq("GET /echo HTTP/1.1", NULL, NULL), &pol_ws) == 404,
	    "echo path with echo off (\"\"): 404");
	ok(st(mkreq("GET / HTTP/1.1", NULL, NULL), &pol_ws) == 404,
	    "\"/\" when the path is /ws: 404");
	ok(st(mkreq("GET /ws HTTP/1.1", NULL, NULL), &pol_ws) == 101,
	    "/ws when the path is /ws: 101");
	ok(st(mkreq("GET /ws/ HTTP/1.1", NULL, NULL), &pol_ws) == 404,
	    "/ws/: 404");
	ok(st(mkreq("GET /WS HTTP/1.1", NULL, NULL), &pol_ws) == 404,
	    "/WS: 404 (byte for byte)");
	ok(st(mkreq("GET /%77s HTTP/1.1", NULL, NULL), &pol_ws) == 404,
	    "/%%77s: 404 (no decoding)");
	ok(st(mkreq("GET /x HTTP/1.1", NULL, NULL), &pol_open) == 404,
	    "another path: 404");
}

/* Each step of docs/WIRE.md's order, and that it comes before the next ones. */
static void
test_order(void)
{
	struct http_result	 res;
	char			 out[512];

	ok(st(mkreq("POST /x HTTP/1.1", "Upgrade",
	    "Sec-WebSocket-Version: 8\r\nOrigin: https://evil.example\r\n"),
	    &pol_origin) == 404, "404 comes before every other check");

	ok(status_of(mkreq("GET / HTTP/1.1", "Upgrade", NULL), &pol_open,
	    &res) == 426 && res.want_version == 0,
	    "no Upgrade header: 426 without the version");
	http_response(out, sizeof(out), &res);
	ok(strcmp(out, "HTTP/1.1 426 Upgrade Required\r\n"
	    "Connection: close\r\nContent-Length: 0\r\n"
	    "Upgrade: websocket\r\n\r\n") == 0,
	    "the 426 answer names websocket, exactly");
	ok(st(mkreq("GET / HTTP/1.1", "Upgrade", "Upgrade: h2c\r\n"),
	    &pol_open) == 426, "Upgrade: h2c: 426");
	ok(st(mkreq("GET / HTTP/1.1", "Upgrade", "Upgrade: websocketx\r\n"),
	    &pol_open) == 426, "Upgrade: websocketx: 426");
	ok(st(mkreq("GET / HTTP/1.1", "Upgrade",
	    "Upgrade: h2c , WebSocket\r\n"), &pol_open) == 101,
	    "Upgrade: h2c , WebSocket: 101 (list, any case)");
	ok(st(mkreq("GET / HTTP/1.1", "Upgrade",
	    "Upgrade: h2c\r\nUpgrade: websocket\r\n"), &pol_open) == 101,
	    "websocket in a second Upgrade header: 101");
	ok(st(mkreq("POST / HTTP/1.1", "Upgrade",
	    "Sec-WebSocket-Version: 8\r\n"), &pol_open) == 426,
	    "426 for Upgrade comes before the version and the method");

	ok(status_of(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Version", NULL),
	    &pol_open, &res) == 426 && res.want_version == 1,
	    "no version: 426 with want_version");
	http_response(out, sizeof(out), &res);
	ok(strcmp(out, "HTTP/1.1 426 Upgrade Required\r\n"
	    "Connection: close\r\nContent-Length: 0\r\n"
	    "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n") == 0,
	    "the version 426 answer names version 13, exactly");
	ok(status_of(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Version",
	    "Sec-WebSocket-Version: 8\r\n"), &pol_open, &res) == 426 &&
	    res.want_version, "version 8: 426 with want_version");
	ok(status_of(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Version",
	    "Sec-WebSocket-Version: 13, 8\r\n"), &pol_open, &res) == 426 &&
	    res.want_version, "version \"13, 8\": 426 with want_version");
	ok(status_of(mkreq("GET / HTTP/1.1", NULL,
	    "Sec-WebSocket-Version: 13\r\n"), &pol_open, &res) == 426 &&
	    res.want_version, "two version headers: 426 with want_version");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Version",
	    "Sec-WebSocket-Version: 013\r\n"), &pol_open) == 426,
	    "version 013: 426");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Version",
	    "Sec-WebSocket-Version:   13 \t\r\n"), &pol_open) == 101,
	    "version with whitespace around it: 101");
	ok(status_of(mkreq("POST / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Version: 7\r\n"), &pol_open, &res) == 426 &&
	    res.want_version, "the version 426 comes before every 400");

	ok(status_of(mkreq("POST / HTTP/1.1", NULL, NULL), &pol_open, &res) ==
	    400 && res.reason != NULL, "method POST: 400 (\"%s\")",
	    res.reason);
	ok(st(mkreq("get / HTTP/1.1", NULL, NULL), &pol_open) == 400,
	    "method get (lowercase): 400");
	ok(st(mkreq("HEAD / HTTP/1.1", NULL, NULL), &pol_open) == 400,
	    "method HEAD: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key", NULL), &pol_open) ==
	    400, "no key: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Sec-WebSocket-Key: " GOOD_KEY "\r\n"), &pol_open) == 400,
	    "two key headers: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\n"), &pol_open) == 400,
	    "key without padding: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==\r\n"), &pol_open) ==
	    400, "key with non-zero trailing bits: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAg==\r\n"), &pol_open) ==
	    101, "key ending in g== (trailing bits zero): 101");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA/w==\r\n"), &pol_open) ==
	    101, "key ending in /w==: 101");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAh==\r\n"), &pol_open) ==
	    400, "key ending in h== (trailing bits set): 400");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZS-ub25jZQ==\r\n"), &pol_open) ==
	    400, "key in the URL-safe alphabet: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=\r\n"), &pol_open) ==
	    400, "key of 23 characters: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZXM=\r\n"), &pol_open) ==
	    400, "key of 17 bytes: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j\r\n"), &pol_open) ==
	    400, "key of 15 bytes: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Sec-WebSocket-Key",
	    "Sec-WebSocket-Key: dGhlIHNhbXBs ZSBub25jZQ=\r\n"), &pol_open) ==
	    400, "key with a space inside: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Connection", NULL), &pol_open) == 400,
	    "no Connection: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Connection",
	    "Connection: keep-alive\r\n"), &pol_open) == 400,
	    "Connection: keep-alive: 400");
	ok(st(mkreq("GET / HTTP/1.1", "Connection",
	    "Connection: keep-alive,  UPGRADE\r\n"), &pol_open) == 101,
	    "Connection: keep-alive, UPGRADE: 101");
	ok(st(mkreq("GET / HTTP/1.1", "Connection",
	    "Connection: keep-alive\r\nConnection: upgrade\r\n"), &pol_open) ==
	    101, "upgrade in a second Connection header: 101");
	ok(st(mkreq("GET / HTTP/1.1", "Connection",
	    "Origin: https://evil.example\r\n"), &pol_origin) == 400,
	    "the 400s come before the origin check");

	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Origin: https://chat.example.org\r\n"), &pol_origin) == 101,
	    "an allowed origin: 101");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Origin: http://localhost:8080\r\n"), &pol_origin) == 101,
	    "the second allowed origin: 101");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Origin: https://evil.example\r\n"), &pol_origin) == 403,
	    "another origin: 403");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Origin: https://chat.example.org/\r\n"), &pol_origin) == 403,
	    "an allowed origin with a slash: 403 (exact match)");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Origin: HTTPS://chat.example.org\r\n"), &pol_origin) == 403,
	    "an allowed origin in capitals: 403 (byte for byte)");
	ok(st(mkreq("GET / HTTP/1.1", NULL, NULL), &pol_origin) == 101,
	    "no Origin (not a browser): 101");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Origin: https://chat.example.org\r\n"
	    "Origin: https://chat.example.org\r\n"), &pol_origin) == 400,
	    "two Origin headers: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Origin: a\r\nOrigin: b\r\n"), &pol_open) == 400,
	    "two Origin headers with no origin list: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Origin: https://anything.example\r\n"), &pol_open) == 101,
	    "any origin when none is configured: 101");
	ok(st(mkreq("GET / HTTP/1.1", NULL,
	    "Origin: https://evil.example\r\n"
	    "Sec-WebSocket-Protocol: nope\r\n"), &pol_origin) == 403,
	    "403 comes before the subprotocol 400");
}

static void
test_protocols(void)
{
	static const struct {
		const char	*hdrs;
		int		 status, proto, offered;
	} c[] = {
		{ "", 101, PROTO_JSON, 0 },
		{ "Sec-WebSocket-Protocol: sws.v1.json\r\n", 101, PROTO_JSON, 1 },
		{ "Sec-WebSocket-Protocol: sws.v1.msgpack\r\n", 101,
		    PROTO_MSGPACK, 1 },
		{ "Sec-WebSocket-Protocol: sws.v1.json, sws.v1.msgpack\r\n",
		    101, PROTO_JSON, 1 },
		{ "Sec-WebSocket-Protocol: sws.v1.msgpack,sws.v1.json\r\n",
		    101, PROTO_MSGPACK, 1 },
		{ "Sec-WebSocket-Protocol: chat, sws.v2 ,\tsws.v1.msgpack\r\n",
		    101, PROTO_MSGPACK, 1 },
		{ "Sec-WebSocket-Protocol: chat\r\n"
		  "Sec-WebSocket-Protocol: sws.v1.msgpack, sws.v1.json\r\n",
		    101, PROTO_MSGPACK, 1 },
		{ "Sec-WebSocket-Protocol: sws.v1.json\r\n"
		  "Sec-WebSocket-Protocol: sws.v1.msgpack\r\n",
		    101, PROTO_JSON, 1 },
		{ "Sec-WebSocket-Protocol: chat\r\n", 400, 0, 0 },
		{ "Sec-WebSocket-Protocol: SWS.V1.JSON\r\n", 400, 0, 0 },
		{ "Sec-WebSocket-Protocol: sws.v1.json,,chat\r\n", 400, 0, 0 },
		{ "Sec-WebSocket-Protocol: sws.v1.json,\r\n", 400, 0, 0 },
		{ "Sec-WebSocket-Protocol: , sws.v1.json\r\n", 400, 0, 0 },
		{ "Sec-WebSocket-Protocol:\r\n", 400, 0, 0 },
		{ "Sec-WebSocket-Protocol: sws.v1.json\r\n"
		  "Sec-WebSocket-Protocol:\r\n", 400, 0, 0 },
		{ "Sec-WebSocket-Protocol: sws.v1.json x\r\n", 400, 0, 0 },
		{ "Sec-WebSocket-Protocol: sws.v1.json, a/b\r\n", 400, 0, 0 },
		{ "Sec-WebSocket-Protocol: \"sws.v1.json\"\r\n", 400, 0, 0 },
	};
	struct http_result	 res;
	char			 out[512];
	size_t			 i;
	int			 s;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		s = status_of(mkreq("GET / HTTP/1.1", NULL, c[i].hdrs),
		    &pol_open, &res);
		ok(s == c[i].status && (s != 101 || (res.proto == c[i].proto &&
		    res.proto_offered == c[i].offered)),
		    "subprotocols [%.*s]: %d%s", (int)strcspn(c[i].hdrs, "\r"),
		    c[i].hdrs, c[i].status, c[i].status != 101 ? "" :
		    c[i].offered == 0 ? " none" : c[i].proto == PROTO_JSON ?
		    " json" : " msgpack");
	}
	status_of(mkreq("GET / HTTP/1.1", NULL,
	    "Sec-WebSocket-Protocol: chat, sws.v1.msgpack\r\n"), &pol_open,
	    &res);
	http_response(out, sizeof(out), &res);
	ok(strcmp(out, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: " GOOD_ACCEPT "\r\n"
	    "Sec-WebSocket-Protocol: sws.v1.msgpack\r\n\r\n") == 0,
	    "the 101 answer names the chosen msgpack subprotocol");
	status_of(mkreq("GET / HTTP/1.1", NULL,
	    "Sec-WebSocket-Protocol: sws.v1.json\r\n"), &pol_open, &res);
	http_response(out, sizeof(out), &res);
	ok(strstr(out, "\r\nSec-WebSocket-Protocol: sws.v1.json\r\n\r\n") !=
	    NULL, "the 101 answer names the chosen json subprotocol");
}

static void
test_syntax(void)
{
	struct http_result	 res;
	const char		*good = "GET / HTTP/1.1\r\nHost: h\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " GOOD_KEY "\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n";
	char			 b[1024];
	size_t			 n;

	ok(st(good, &pol_open) == 101, "the hand-written good request: 101");
	ok(st(mkreq("GET / HTTP/1.0", NULL, NULL), &pol_open) == 400,
	    "HTTP/1.0: 400");
	ok(st(mkreq("GET / HTTP/2", NULL, NULL), &pol_open) == 400,
	    "HTTP/2: 400");
	ok(st(mkreq("GET / http/1.1", NULL, NULL), &pol_open) == 400,
	    "http/1.1: 400");
	ok(st(mkreq("GET / HTTP/1.1 ", NULL, NULL), &pol_open) == 400,
	    "a space after the version: 400");
	ok(st(mkreq("GET  / HTTP/1.1", NULL, NULL), &pol_open) == 400,
	    "two spaces after the method: 400");
	ok(st(mkreq("GET /  HTTP/1.1", NULL, NULL), &pol_open) == 400,
	    "two spaces after the target: 400");
	ok(st(mkreq("GET\t/ HTTP/1.1", NULL, NULL), &pol_open) == 400,
	    "a tab as separator: 400");
	ok(st(mkreq("GET /", NULL, NULL), &pol_open) == 400,
	    "no version: 400");
	ok(st(mkreq("GET http://relay.example/ HTTP/1.1", NULL, NULL),
	    &pol_open) == 400, "an absolute target: 400");
	ok(st(mkreq("GET * HTTP/1.1", NULL, NULL), &pol_open) == 400,
	    "an asterisk target: 400");
	ok(st(mkreq("GET /\x7f HTTP/1.1", NULL, NULL), &pol_open) == 400,
	    "DEL in the target: 400");
	ok(st(mkreq("GET /\xc3\xa9 HTTP/1.1", NULL, NULL), &pol_open) == 400,
	    "a raw non-ASCII byte in the target: 400");
	ok(st(mkreq("G(T / HTTP/1.1", NULL, NULL), &pol_open) == 400,
	    "a method that is not a token: 400");
	ok(st(mkreq(" GET / HTTP/1.1", NULL, NULL), &pol_open) == 400,
	    "a space before the method: 400");
	ok(st("\r\n", &pol_open) == 400, "an empty request line: 400");
	ok(st(mkreq("GET /x HTTP/1.1", NULL, " folded\r\n"), &pol_open) ==
	    400, "an obs-fold line: 400 (even for another path)");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "X-A: a\r\n\tb\r\n"), &pol_open) ==
	    400, "an obs-fold with a tab: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "X-A : a\r\n"), &pol_open) == 400,
	    "a space before the colon: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "X-A\t: a\r\n"), &pol_open) == 400,
	    "a tab before the colon: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "X-A a\r\n"), &pol_open) == 400,
	    "no colon: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL, ": a\r\n"), &pol_open) == 400,
	    "an empty header name: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "X(A): a\r\n"), &pol_open) == 400,
	    "a header name that is not a token: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "X-A: a\x01" "b\r\n"), &pol_open) ==
	    400, "a control character in a value: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "X-A: a\x7f\r\n"), &pol_open) ==
	    400, "DEL in a value: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "X-A: a\rb\r\n"), &pol_open) == 400,
	    "a bare CR in a value: 400");

	n = (size_t)snprintf(b, sizeof(b), "%s", good);
	b[30] = '\0';		/* inside the Upgrade line */
	ok(http_parse_upgrade(b, n, &pol_open, &res) > 0 && res.status == 400,
	    "a NUL in a header line: 400");
	ok(http_parse_upgrade(b, 31, &pol_open, &res) > 0 && res.status == 400,
	    "a NUL is refused before the head is complete");
	memcpy(b, "GET /\0 HTTP/1.1\r\n", 17);
	ok(http_parse_upgrade(b, 17, &pol_open, &res) > 0 && res.status == 400,
	    "a NUL in the request line: 400");

	ok(st("GET / HTTP/1.1\nHost: h\r\n\r\n", &pol_open) == 400,
	    "a bare LF ending the request line: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "X-A: a\nX-B: b\r\n"), &pol_open) ==
	    400, "a bare LF ending a header line: 400");
	snprintf(b, sizeof(b), "%.*s\n", (int)(strlen(good) - 2), good);
	ok(st(b, &pol_open) == 400, "a bare LF as the blank line: 400");
	ok(st(mkreq("GET / HTTP/1.1", NULL, "\r\n"), &pol_open) == 101,
	    "(the head ends at the first blank line)");
	ok(st("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", &pol_open) == 400,
	    "an empty line before the request line: 400");

	ok(status_of(mkreq("GET / HTTP/1.1", "Host", NULL), &pol_open, &res) ==
	    400, "no Host: 400 (\"%s\")", res.reason);
	ok(st(mkreq("GET / HTTP/1.1", NULL, "host: other\r\n"), &pol_open) ==
	    400, "two Host headers: 400");
	ok(st(mkreq("GET /x HTTP/1.1", "Host", NULL), &pol_open) == 400,
	    "no Host is malformed HTTP, refused before the path (400)");
}

/* A good head padded with X-Pad lines to exactly total bytes. */
static size_t
padded(char *out, size_t total, int nlines)
{
	const char	*base;
	size_t		 n, left, i, each;

	base = mkreq("GET / HTTP/1.1", NULL, NULL);
	n = strlen(base) - 2;		/* without the blank line */
	memcpy(out, base, n);
	left = total - n - 2;
	for (i = 0; i < (size_t)nlines; i++) {
		/* "X-Pad: " + value + CRLF, the last line takes the rest */
		each = i + 1 < (size_t)nlines ? 10 : left;
		memcpy(out + n, "X-Pad: ", 7);
		memset(out + n + 7, 'p', each - 9);
		memcpy(out + n + each - 2, "\r\n", 2);
		n += each;
		left -= each;
	}
	memcpy(out + n, "\r\n", 2);
	return n + 2;
}

static void
test_limits(void)
{
	struct http_result	 res;
	char			*b;
	size_t			 n, r;

	if ((b = malloc(20000)) == NULL)
		abort();
	n = padded(b, HTTP_MAX_HEAD, 1);
	r = http_parse_upgrade(b, n, &pol_open, &res);
	ok(n == HTTP_MAX_HEAD && r == n && res.status == 101,
	    "a head of exactly 8192 bytes: 101");
	n = padded(b, HTTP_MAX_HEAD + 1, 1);
	r = http_parse_upgrade(b, n, &pol_open, &res);
	ok(n == HTTP_MAX_HEAD + 1 && r > 0 && res.status == 431,
	    "a head of 8193 bytes: 431");
	r = http_parse_upgrade(b, HTTP_MAX_HEAD, &pol_open, &res);
	ok(r > 0 && res.status == 431,
	    "431 once 8192 bytes are in and the head has not ended");
	n = padded(b, 12000, 1);
	r = http_parse_upgrade(b, n, &pol_open, &res);
	ok(r > 0 && res.status == 431, "a head of 12000 bytes: 431");
	r = http_parse_upgrade(b, HTTP_MAX_HEAD - 1, &pol_open, &res);
	ok(r == 0, "8191 bytes of a head not ended yet: more needed (0)");
	memset(b, 'A', 9000);
	r = http_parse_upgrade(b, 9000, &pol_open, &res);
	ok(r > 0 && res.status == 431,
	    "9000 bytes without a line end: 431");
	r = http_parse_upgrade(b, HTTP_MAX_HEAD, &pol_open, &res);
	ok(r > 0 && res.status == 431,
	    "exactly 8192 bytes without a line end: 431, not 0");

	/* 5 standard header lines plus padding. */
	n = padded(b, 2000, 64 - 5);
	r = http_parse_upgrade(b, n, &pol_open, &res);
	ok(r == n && res.status == 101, "64 header lines: 101");
	n = padded(b, 2000, 65 - 5);
	r = http_parse_upgrade(b, n, &pol_open, &res);
	ok(r > 0 && res.status == 431, "65 header lines: 431");
	r = http_parse_upgrade(b, n - 2, &pol_open, &res);
	ok(r > 0 && res.status == 431,
	    "65 header lines, blank line not yet in: 431");
	free(b);
}

static void
test_answers(void)
{
	static const struct {
		int		 status;
		const char	*text;
	} e[] = {
		{ 400, "HTTP/1.1 400 Bad Request\r\n" },
		{ 403, "HTTP/1.1 403 Forbidden\r\n" },
		{ 404, "HTTP/1.1 404 Not Found\r\n" },
		{ 429, "HTTP/1.1 429 Too Many Requests\r\n" },
		{ 431, "HTTP/1.1 431 Request Header Fields Too Large\r\n" },
		{ 503, "HTTP/1.1 503 Service Unavailable\r\n" },
		{ 418, "HTTP/1.1 500 Internal Server Error\r\n" },
	};
	char	 out[512], want[256];
	size_t	 i, n;

	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		snprintf(want, sizeof(want), "%sConnection: close\r\n"
		    "Content-Length: 0\r\n\r\n", e[i].text);
		n = http_error(out, sizeof(out), e[i].status, 0);
		ok(n == strlen(want) && strcmp(out, want) == 0,
		    "http_error(%d) is exactly \"%.*s\"", e[i].status,
		    (int)strlen(e[i].text) - 2, e[i].text);
	}
	ok(http_error(out, 10, 503, 0) == 0, "http_error into 10 bytes: 0");
	n = http_error(out, sizeof(out), 429, 3);
	ok(n == strlen(out) && strcmp(out, "HTTP/1.1 429 Too Many Requests\r\n"
	    "Connection: close\r\nContent-Length: 0\r\nRetry-After: 3\r\n"
	    "\r\n") == 0, "429 with Retry-After: 3");
	n = http_error(out, sizeof(out), 503, 4294967295U);
	ok(n == strlen(out) && strstr(out, "\r\nRetry-After: 4294967295\r\n"
	    "\r\n") != NULL, "503 with the largest Retry-After fits");
}

/*
 * X-Forwarded-For and Forwarded lines are kept in order for proxy.c,
 * whatever else the head says; more than PROXY_HDR_MAX lines overflow.
 */
static void
test_forwarded_lines(void)
{
	static const struct http_policy	 pol = { "/", NULL, NULL, 0 };
	struct http_result		 res;
	char				 head[2048];
	size_t				 n, i;
	int				 len;

	len = snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: h\r\n"
	    "X-Forwarded-For: 192.0.2.1, 198.51.100.2\r\n"
	    "Forwarded: for=192.0.2.9\r\n"
	    "x-forwarded-for:\t203.0.113.7 \r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
	n = http_parse_upgrade(head, (size_t)len, &pol, &res);
	ok(n == (size_t)len && res.status == 101, "an upgrade with "
	    "forwarding headers is still an upgrade");
	ok(res.xff.n == 2 && !res.xff.overflow &&
	    res.xff.len[0] == strlen("192.0.2.1, 198.51.100.2") &&
	    memcmp(res.xff.p[0], "192.0.2.1, 198.51.100.2", res.xff.len[0])
	    == 0 && res.xff.len[1] == strlen("203.0.113.7") &&
	    memcmp(res.xff.p[1], "203.0.113.7", res.xff.len[1]) == 0,
	    "X-Forwarded-For lines kept in order, any case, OWS trimmed");
	ok(res.fwd.n == 1 && res.fwd.len[0] == strlen("for=192.0.2.9"),
	    "the Forwarded line kept");

	len = snprintf(head, sizeof(head), "GET / HTTP/1.1\r\nHost: h\r\n");
	for (i = 0; i < PROXY_HDR_MAX + 1; i++)
		len += snprintf(head + len, sizeof(head) - (size_t)len,
		    "X-Forwarded-For: 192.0.2.%zu\r\n", i);
	len += snprintf(head + len, sizeof(head) - (size_t)len, "\r\n");
	n = http_parse_upgrade(head, (size_t)len, &pol, &res);
	ok(n == (size_t)len && res.xff.n == PROXY_HDR_MAX &&
	    res.xff.overflow, "X-Forwarded-For lines past %d: overflow",
	    PROXY_HDR_MAX);
}

int
main(void)
{
	test_good();
	test_forwarded_lines();
	test_paths();
	test_order();
	test_protocols();
	test_syntax();
	test_limits();
	test_answers();
	return tap_done();
}
