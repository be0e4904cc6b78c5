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
 * The relay's address and the HTTP upgrade (RFC 6455 section 4): the
 * ws:// or wss:// URL gives the host and port to dial, the Host header and the
 * binding that registration signs; the request offers one subprotocol,
 * and the answer must be a 101 that accepts our key, names that
 * subprotocol and adds no extension.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sodium.h>

#include "sws_local.h"

#define HTTP_MAX	16384	/* bytes of the relay's upgrade answer */
#define HTTP_LINES	100

/* ---- URL ---- */

static int
parse_port(const char *p, size_t len, char *out, size_t outlen)
{
	unsigned long	 v = 0;
	size_t		 i;

	if (len < 1 || len > 5 || len >= outlen)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	snprintf(out, outlen, "%lu", v);
	return 0;
}

int
http_parse_url(struct sws_client *c, const char *url, char *err, size_t errlen)
{
	const char	*auth, *end, *hs, *he, *ps = NULL, *frag;
	size_t		 i, alen, hlen;
	int		 tls;

	for (i = 0; url[i] != '\0'; i++)
		if ((uint8_t)url[i] <= 0x20 || (uint8_t)url[i] >= 0x7f) {
			snprintf(err, errlen, "URL has a space, a control "
			    "or a non-ASCII character");
			return -1;
		}
	if (strncasecmp(url, "wss://", 6) == 0)
		tls = 1;
	else if (strncasecmp(url, "ws://", 5) == 0)
		tls = 0;
	else {
		snprintf(err, errlen, "%s: not a ws:// or wss:// URL", url);
		return -1;
	}
	auth = url + (tls ? 6 : 5);
	alen = strcspn(auth, "/?#");
	end = auth + alen;
	if (alen == 0 || alen > E2E_BINDING_MAX) {
		snprintf(err, errlen, "%s: bad host in URL", url);
		return -1;
	}
	if (memchr(auth, '@', alen) != NULL) {
		snprintf(err, errlen, "%s: user name in URL", url);
		return -1;
	}
	if (auth[0] == '[') {
		hs = auth + 1;
		if ((he = memchr(hs, ']', (size_t)(end - hs))) == NULL) {
			snprintf(err, errlen, "%s: bad IPv6 address", url);
			return -1;
		}
		for (i = 0; hs + i < he; i++)
			if (!isxdigit((unsigned char)hs[i]) && hs[i] != ':' &&
			    hs[i] != '.') {
				snprintf(err, errlen, "%s: bad IPv6 address",
				    url);
				return -1;
			}
		if (he + 1 < end) {
			if (he[1] != ':') {
				snprintf(err, errlen, "%s: bad host", url);
				return -1;
			}
			ps = he + 2;
		}
	} else {
		hs = auth;
		he = memchr(auth, ':', alen);
		if (he != NULL)
			ps = he + 1;
		else
			he = end;
		for (i = 0; hs + i < he; i++)
			if (!isalnum((unsigned char)hs[i]) && hs[i] != '-' &&
			    hs[i] != '.' && hs[i] != '_') {
				snprintf(err, errlen, "%s: bad host", url);
				return -1;
			}
	}
	hlen = (size_t)(he - hs);
	if (hlen == 0 || hlen >= sizeof(c->host)) {
		snprintf(err, errlen, "%s: bad host", url);
		return -1;
	}
	memcpy(c->host, hs, hlen);
	c->host[hlen] = '\0';
	if (ps != NULL) {
		if (parse_port(ps, (size_t)(end - ps), c->port,
		    sizeof(c->port)) != 0) {
			snprintf(err, errlen, "%s: bad port", url);
			return -1;
		}
	} else
		strlcpy(c->port, tls ? "443" : "80", sizeof(c->port));
	c->tls = tls;

	for (i = 0; i < alen; i++)
		c->authority[i] = (char)tolower((unsigned char)auth[i]);
	c->authority[alen] = '\0';
	c->authlen = alen;
	snprintf(c->dialname, sizeof(c->dialname), "%s%s%s:%s",
	    auth[0] == '[' ? "[" : "", c->host, auth[0] == '[' ? "]" : "",
	    c->port);

	/* the request target: path and query, without the fragment */
	frag = strchr(end, '#');
	i = frag != NULL ? (size_t)(frag - end) : strlen(end);
	if ((c->target = malloc(i + 2)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(c->target, i + 2, "%s%.*s", (i == 0 || end[0] == '?') ?
	    "/" : "", (int)i, end);
	return 0;
}

void
http_send_upgrade(struct sws_client *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	uint8_t		 nonce[16];
	char		 key[32];

#ifdef FUZZING
	memset(nonce, 0, sizeof(nonce));	/* a fixed key for seeds */
#else
	randombytes_buf(nonce, sizeof(nonce));
#endif
	sodium_bin2base64(key, sizeof(key), nonce, sizeof(nonce),
	    sodium_base64_VARIANT_ORIGINAL);
	ws_accept(c->accept, key, strlen(key));

	evbuffer_add_printf(out,
	    "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: %s\r\n"
	    "\r\n",
	    c->target, c->authority, key,
	    c->msgpack ? SWS_SUBPROTO_MSGPACK : SWS_SUBPROTO_JSON);
	c->state = ST_UPGRADING;
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* ---- the upgrade answer ---- */

static int
connection_has_upgrade(const char *v)
{
	const char	*p = v;
	size_t		 n;

	while (*p != '\0') {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 7 && strncasecmp(p, "upgrade", 7) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* 1: upgraded; 0: need more; -1: failed (already reported). */
int
http_answer(struct sws_client *c)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer_ptr	 pos;
	char			*h, *line, *next, *v, reason[80];
	const char		*proto, *err = NULL;
	size_t			 hlen, vlen;
	int			 status, nlines = 0, n_up = 0, n_conn = 0;
	int			 n_acc = 0, n_proto = 0, n_ext = 0;
	int			 ok_up = 0, ok_conn = 0, ok_acc = 0;
	int			 ok_proto = 0;

	pos = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (pos.pos < 0) {
		if (evbuffer_get_length(in) > HTTP_MAX)
			conn_fail(c, "http", 0, "relay at %s sent an oversized "
			    "HTTP answer", c->dialname);
		return c->state == ST_DONE ? -1 : 0;
	}
	hlen = (size_t)pos.pos + 4;
	if (hlen > HTTP_MAX) {
		conn_fail(c, "http", 0, "relay at %s sent an oversized HTTP "
		    "answer", c->dialname);
		return -1;
	}
	if ((h = malloc(hlen + 1)) == NULL) {
		conn_fail(c, "http", 0, "out of memory");
		return -1;
	}
	evbuffer_remove(in, h, hlen);
	h[hlen] = '\0';
	proto = c->msgpack ? SWS_SUBPROTO_MSGPACK : SWS_SUBPROTO_JSON;

	if (memchr(h, '\0', hlen) != NULL) {
		err = "a NUL byte in the HTTP answer";
		goto bad;
	}
	/* status line: HTTP/1.x NNN reason */
	next = strstr(h, "\r\n");
	*next = '\0';
	line = h;
	if (strncmp(line, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[7])
	    || line[8] != ' ' || !isdigit((unsigned char)line[9]) ||
	    !isdigit((unsigned char)line[10]) ||
	    !isdigit((unsigned char)line[11]) ||
	    (line[12] != ' ' && line[12] != '\0')) {
		err = "not an HTTP answer";
		goto bad;
	}
	status = (line[9] - '0') * 100 + (line[10] - '0') * 10 +
	    (line[11] - '0');
	if (status != 101) {
		c->http_status = status;
		v = line + (line[12] == ' ' ? 13 : 12);
		conn_clean_copy(reason, sizeof(reason), (const uint8_t *)v,
		    strlen(v));
		conn_fail(c, "http", 0, "relay at %s refused the upgrade: HTTP "
		    "%d%s%s", c->dialname, status, reason[0] != '\0' ? " " : "",
		    reason);
		free(h);
		return -1;
	}
	for (line = next + 2; *line != '\0'; line = next + 2) {
		next = strstr(line, "\r\n");
		*next = '\0';
		if (*line == '\0')
			break;
		if (++nlines > HTTP_LINES) {
			err = "too many header lines";
			goto bad;
		}
		if ((v = strchr(line, ':')) == NULL || v == line) {
			err = "a malformed header line";
			goto bad;
		}
		*v++ = '\0';
		v += strspn(v, " \t");
		vlen = strlen(v);
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			v[--vlen] = '\0';
		if (strcasecmp(line, "Upgrade") == 0) {
			n_up++;
			ok_up = strcasecmp(v, "websocket") == 0;
		} else if (strcasecmp(line, "Connection") == 0) {
			n_conn++;
			ok_conn = connection_has_upgrade(v);
		} else if (strcasecmp(line, "Sec-WebSocket-Accept") == 0) {
			n_acc++;
			ok_acc = strcmp(v, c->accept) == 0;
		} else if (strcasecmp(line, "Sec-WebSocket-Protocol") == 0) {
			n_proto++;
			ok_proto = strcmp(v, proto) == 0;
		} else if (strcasecmp(line, "Sec-WebSocket-Extensions") == 0)
			n_ext++;
	}
	if (n_up != 1 || !ok_up)
		err = "no Upgrade: websocket";
	else if (n_conn != 1 || !ok_conn)
		err = "no Connection: Upgrade";
	else if (n_acc != 1 || !ok_acc)
		err = "a wrong Sec-WebSocket-Accept";
	else if (n_proto == 0)
		err = "no subprotocol";
	else if (n_proto != 1 || !ok_proto)
		err = "another subprotocol than the one offered";
	else if (n_ext != 0)
		err = "an extension that was not offered";
	if (err != NULL)
		goto bad;
	free(h);
	ws_rx_init(&c->rx, 0);
	c->rx_init = 1;
	c->state = ST_CHALLENGE;
	conn_debug(c, "upgraded to WebSocket, subprotocol %s", proto);
	if (c->dead || c->state != ST_CHALLENGE)
		return -1;
	return 1;
 bad:
	free(h);
	conn_fail(c, "http", 0, "relay at %s answered the upgrade with %s",
	    c->dialname, err);
	return -1;
}
