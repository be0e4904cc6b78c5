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
 * The opening handshake of the relay: a strict reader for the HTTP/1.1
 * request head a WebSocket client sends, and the answers to it.  Only what
 * RFC 6455 section 4.2 needs is understood; everything else in the head must
 * still be well-formed HTTP (RFC 7230 section 3) or the request is refused,
 * because a lenient reader is where smuggling and confusion start.  The
 * head is read in place from the connection's buffer: nothing is copied
 * or allocated, and no pointer into the buffer outlives the call.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "ws.h"

#define WS_KEY_LEN	24	/* base64 of 16 bytes, padded */

/* A string slice of the request head. */
struct http_str {
	const char	*p;
	size_t		 len;
};

/* What the head said, as far as the handshake cares. */
struct http_req {
	struct http_str	 method;
	struct http_str	 path;		/* target without the query */
	int		 nhost;
	int		 upgrade_ws;	/* an Upgrade list names websocket */
	int		 conn_upgrade;	/* a Connection list names upgrade */
	int		 nversion;
	struct http_str	 version;
	int		 nkey;
	struct http_str	 key;
	int		 norigin;
	struct http_str	 origin;
	int		 proto_offered;	/* any subprotocol element seen */
	int		 proto_bad;	/* empty element or not a token */
	int		 proto;		/* first known one offered, or 0 */
};

/* RFC 7230 section 3.2.6 tchar. */
static int
http_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
http_token(const char *p, size_t len)
{
	size_t	 i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!http_tchar((unsigned char)p[i]))
			return 0;
	return 1;
}

static int
http_ows(char c)
{
	return c == ' ' || c == '\t';
}

static int
http_eq(struct http_str s, const char *lit)
{
	return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

static int
http_caseeq(struct http_str s, const char *lit)
{
	return s.len == strlen(lit) && strncasecmp(s.p, lit, s.len) == 0;
}

/*
 * Split a comma-separated header value into its elements, optional
 * whitespace trimmed.  *pos walks the value; returns 0 at the end.
 */
static int
http_list_next(struct http_str v, size_t *pos, struct http_str *elem)
{
	size_t	 i = *pos, end;

	if (i > v.len)
		return 0;
	for (end = i; end < v.len && v.p[end] != ','; end++)
		;
	*pos = end + 1;
	while (i < end && http_ows(v.p[i]))
		i++;
	while (end > i && http_ows(v.p[end - 1]))
		end--;
	elem->p = v.p + i;
	elem->len = end - i;
	return 1;
}

/* Does the list name the token (case-insensitive)?  Empty elements are fine. */
static int
http_list_has(struct http_str v, const char *token)
{
	struct http_str	 e;
	size_t		 pos = 0;

	while (http_list_next(v, &pos, &e))
		if (http_caseeq(e, token))
			return 1;
	return 0;
}

/*
 * Sec-WebSocket-Protocol: several headers read as one list, in order, so
 * the client's first known choice wins wherever it appears.
 */
static void
http_protocols(struct http_req *req, struct http_str v)
{
	struct http_str	 e;
	size_t		 pos = 0;

	while (http_list_next(v, &pos, &e)) {
		req->proto_offered = 1;
		if (!http_token(e.p, e.len)) {
			req->proto_bad = 1;
			continue;
		}
		if (req->proto != 0)
			continue;
		if (http_eq(e, SWS_SUBPROTO_JSON))
			req->proto = PROTO_JSON;
		else if (http_eq(e, SWS_SUBPROTO_MSGPACK))
			req->proto = PROTO_MSGPACK;
	}
}

/* Index of c in the standard base64 alphabet, or -1. */
static int
http_b64_index(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * A key is 16 bytes in canonical base64: 22 alphabet characters whose
 * last one carries 2 bits (the other 4 zero), then "==".
 */
static int
http_key_valid(struct http_str k)
{
	size_t	 i;
	int	 v;

	if (k.len != WS_KEY_LEN || k.p[22] != '=' || k.p[23] != '=')
		return 0;
	for (i = 0; i < 22; i++) {
		if ((v = http_b64_index(k.p[i])) == -1)
			return 0;
		if (i == 21 && (v & 0x0f) != 0)
			return 0;
	}
	return 1;
}

/* METHOD SP request-target SP HTTP/1.1; returns 0 or -1. */
static int
http_request_line(struct http_req *req, const char *p, size_t len)
{
	const char	*sp, *end = p + len, *t;
	size_t		 i;

	if ((sp = memchr(p, ' ', len)) == NULL ||
	    !http_token(p, (size_t)(sp - p)))
		return -1;
	req->method.p = p;
	req->method.len = (size_t)(sp - p);

	t = sp + 1;
	if ((sp = memchr(t, ' ', (size_t)(end - t))) == NULL || sp == t)
		return -1;
	/* Origin form only: no absolute URI, no authority, no "*". */
	if (*t != '/')
		return -1;
	for (i = 0; t + i < sp; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return -1;
	req->path.p = t;
	for (req->path.len = 0; t + req->path.len < sp &&
	    t[req->path.len] != '?'; req->path.len++)
		;

	t = sp + 1;
	if ((size_t)(end - t) != strlen("HTTP/1.1") ||
	    memcmp(t, "HTTP/1.1", strlen("HTTP/1.1")) != 0)
		return -1;
	return 0;
}

/* One more line of a header kept for proxy.c, in the order received. */
static void
http_values_add(struct hdr_values *hv, struct http_str v)
{
	if (hv->n >= PROXY_HDR_MAX) {
		hv->overflow = 1;
		return;
	}
	hv->p[hv->n] = v.p;
	hv->len[hv->n] = v.len;
	hv->n++;
}

/* name ":" OWS value OWS, RFC 7230 section 3.2; returns 0 or -1. */
static int
http_header_line(struct http_req *req, struct http_result *res,
    const char *p, size_t len, const char **why)
{
	struct http_str	 name, v;
	const char	*colon;
	size_t		 i;
	unsigned char	 c;

	/* obs-fold, or whitespace before the first header. */
	if (http_ows(p[0])) {
		*why = "folded header line";
		return -1;
	}
	if ((colon = memchr(p, ':', len)) == NULL ||
	    !http_token(p, (size_t)(colon - p))) {
		*why = "bad header name";
		return -1;
	}
	name.p = p;
	name.len = (size_t)(colon - p);
	v.p = colon + 1;
	v.len = len - name.len - 1;
	for (i = 0; i < v.len; i++) {
		c = (unsigned char)v.p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*why = "control character in header";
			return -1;
		}
	}
	while (v.len > 0 && http_ows(v.p[0])) {
		v.p++;
		v.len--;
	}
	while (v.len > 0 && http_ows(v.p[v.len - 1]))
		v.len--;

	if (http_caseeq(name, "Host"))
		req->nhost++;
	else if (http_caseeq(name, "Upgrade")) {
		if (http_list_has(v, "websocket"))
			req->upgrade_ws = 1;
	} else if (http_caseeq(name, "Connection")) {
		if (http_list_has(v, "upgrade"))
			req->conn_upgrade = 1;
	} else if (http_caseeq(name, "Sec-WebSocket-Version")) {
		req->nversion++;
		req->version = v;
	} else if (http_caseeq(name, "Sec-WebSocket-Key")) {
		req->nkey++;
		req->key = v;
	} else if (http_caseeq(name, "Origin")) {
		req->norigin++;
		req->origin = v;
	} else if (http_caseeq(name, "Sec-WebSocket-Protocol"))
		http_protocols(req, v);
	else if (http_caseeq(name, "X-Forwarded-For"))
		http_values_add(&res->xff, v);
	else if (http_caseeq(name, "Forwarded"))
		http_values_add(&res->fwd, v);
	return 0;
}

static size_t
http_fail(struct http_result *res, int status, const char *why, size_t n)
{
	res->status = status;
	res->reason = why;
	/* Never 0, which would mean "send more". */
	return n > 0 ? n : 1;
}

static int
http_path_is(struct http_str path, const char *want)
{
	return want != NULL && want[0] != '\0' && http_eq(path, want);
}

/*
 * The head is complete and well-formed: decide, in docs/WIRE.md's order.
 * Returns head_len.
 */
static size_t
http_decide(struct http_req *req, const struct http_policy *pol,
    struct http_result *res, size_t head_len)
{
	size_t	 i;
	int	 allowed;

	/* RFC 7230 section 5.4: exactly one Host, before anything else. */
	if (req->nhost == 0)
		return http_fail(res, 400, "no Host header", head_len);
	if (req->nhost > 1)
		return http_fail(res, 400, "several Host headers", head_len);

	if (http_path_is(req->path, pol->path != NULL ? pol->path : "/"))
		res->endpoint = ENDPOINT_RELAY;
	else if (http_path_is(req->path, pol->echo_path))
		res->endpoint = ENDPOINT_ECHO;
	else
		return http_fail(res, 404, "unknown path", head_len);

	if (!req->upgrade_ws)
		return http_fail(res, 426, "not a websocket upgrade", head_len);
	if (req->nversion != 1 || !http_eq(req->version, "13")) {
		res->want_version = 1;
		return http_fail(res, 426, "unsupported websocket version",
		    head_len);
	}

	if (!http_eq(req->method, "GET"))
		return http_fail(res, 400, "method not GET", head_len);
	if (req->nkey != 1 || !http_key_valid(req->key))
		return http_fail(res, 400, "bad Sec-WebSocket-Key", head_len);
	if (!req->conn_upgrade)
		return http_fail(res, 400, "no Connection: upgrade", head_len);

	if (req->norigin > 1)
		return http_fail(res, 400, "several Origin headers", head_len);
	if (req->norigin == 1 && pol->norigins > 0) {
		allowed = 0;
		for (i = 0; i < pol->norigins && !allowed; i++)
			allowed = http_eq(req->origin, pol->origins[i]);
		if (!allowed)
			return http_fail(res, 403, "origin not allowed",
			    head_len);
	}

	/* The echo endpoint speaks no subprotocol, whatever is offered. */
	if (res->endpoint == ENDPOINT_RELAY) {
		if (req->proto_bad)
			return http_fail(res, 400, "malformed subprotocol list",
			    head_len);
		if (req->proto_offered && req->proto == 0)
			return http_fail(res, 400, "no known subprotocol",
			    head_len);
		res->proto_offered = req->proto_offered;
	}
	res->proto = res->proto_offered ? req->proto : PROTO_JSON;

	ws_accept(res->accept, req->key.p, req->key.len);
	res->status = 101;
	res->reason = "websocket upgrade";
	return head_len;
}

size_t
http_parse_upgrade(const char *buf, size_t len, const struct http_policy *pol,
    struct http_result *res)
{
	struct http_req	 req;
	const char	*why;
	size_t		 pos = 0, i, nlines = 0;
	unsigned char	 c;

	memset(res, 0, sizeof(*res));
	memset(&req, 0, sizeof(req));

	for (;;) {
		/* Find the CRLF ending the line at pos. */
		for (i = pos;; i++) {
			/* The head would be longer than allowed, whatever follows. */
			if (i >= HTTP_MAX_HEAD)
				return http_fail(res, 431, "request head too large",
				    i);
			if (i >= len)
				return 0;
			c = (unsigned char)buf[i];
			if (c == '\0')
				return http_fail(res, 400, "NUL in request head",
				    i + 1);
			if (c == '\n')
				return http_fail(res, 400, "bare LF", i + 1);
			if (c != '\r')
				continue;
			if (i + 1 >= HTTP_MAX_HEAD)
				return http_fail(res, 431, "request head too large",
				    i + 1);
			if (i + 1 >= len)
				return 0;
			if (buf[i + 1] != '\n')
				return http_fail(res, 400, "bare CR", i + 2);
			break;
		}

		if (pos == 0) {
			if (http_request_line(&req, buf, i) == -1)
				return http_fail(res, 400, "bad request line",
				    i + 2);
		} else if (i == pos) {
			return http_decide(&req, pol, res, i + 2);
		} else {
			if (++nlines > HTTP_MAX_LINES)
				return http_fail(res, 431,
				    "too many header lines", i + 2);
			if (http_header_line(&req, res, buf + pos, i - pos,
			    &why) == -1)
				return http_fail(res, 400, why, i + 2);
		}
		pos = i + 2;
	}
}

static const char *
http_status_text(int status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 426:
		return "Upgrade Required";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	default:
		return NULL;
	}
}

static size_t
http_answer_error(char *out, size_t outlen, int status, int want_version,
    uint32_t retry_after)
{
	const char	*text;
	char		 retry[40];
	int		 n;

	/* A status this file does not know is a bug in the caller. */
	if ((text = http_status_text(status)) == NULL) {
		status = 500;
		text = "Internal Server Error";
	}
	retry[0] = '\0';
	if (retry_after > 0)
		(void)snprintf(retry, sizeof(retry), "Retry-After: %u\r\n",
		    retry_after);
	n = snprintf(out, outlen,
	    "HTTP/1.1 %d %s\r\n"
	    "Connection: close\r\n"
	    "Content-Length: 0\r\n"
	    "%s%s%s"
	    "\r\n",
	    status, text,
	    status == 426 ? "Upgrade: websocket\r\n" : "",
	    status == 426 && want_version ? "Sec-WebSocket-Version: 13\r\n" :
	    "", retry);
	if (n < 0 || (size_t)n >= outlen)
		return 0;
	return (size_t)n;
}

size_t
http_response(char *out, size_t outlen, const struct http_result *res)
{
	const char	*proto = "";
	int		 n;

	if (res->status != 101)
		return http_answer_error(out, outlen, res->status,
		    res->want_version, 0);
	if (res->proto_offered)
		proto = res->proto == PROTO_MSGPACK ?
		    "Sec-WebSocket-Protocol: " SWS_SUBPROTO_MSGPACK "\r\n" :
		    "Sec-WebSocket-Protocol: " SWS_SUBPROTO_JSON "\r\n";
	n = snprintf(out, outlen,
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %.28s\r\n"
	    "%s"
	    "\r\n",
	    res->accept, proto);
	if (n < 0 || (size_t)n >= outlen)
		return 0;
	return (size_t)n;
}

size_t
http_error(char *out, size_t outlen, int status, uint32_t retry_after)
{
	return http_answer_error(out, outlen, status, 0, retry_after);
}
