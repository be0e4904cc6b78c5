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
 * libsws against a scripted relay, the upgrade: the request it writes,
 * the URLs it refuses (and the wss:// ones it takes, with their CA file),
 * and its checks of the relay's answer.  Helpers in
 * test_client.h.
 */
#include <unistd.h>

#include "test_client.h"

static void
test_upgrade_request(void)
{
	struct fake	*f;
	char		 v[256];

	f = fake_new("ws://Relay.EXAMPLE:8080/chat?x=1#frag", 0, NULL, 5);
	ok(f->have_req && strncmp(f->req, "GET /chat?x=1 HTTP/1.1\r\n", 24) ==
	    0, "request line has the path and query, not the fragment");
	ok(req_header(f, "Host", v, sizeof(v)) == 0 &&
	    strcmp(v, "relay.example:8080") == 0, "Host is the authority in "
	    "lower case");
	ok(req_header(f, "Sec-WebSocket-Protocol", v, sizeof(v)) == 0 &&
	    strcmp(v, "sws.v1.json") == 0, "JSON client offers sws.v1.json");
	ok(req_header(f, "Sec-WebSocket-Key", v, sizeof(v)) == 0 &&
	    strlen(v) == 24, "a 16-byte key in base64");
	ok(req_header(f, "Sec-WebSocket-Version", v, sizeof(v)) == 0 &&
	    strcmp(v, "13") == 0, "version 13");
	ok(req_header(f, "Upgrade", v, sizeof(v)) == 0 &&
	    req_header(f, "Connection", v, sizeof(v)) == 0,
	    "Upgrade and Connection headers");
	fake_free(f);

	f = fake_new("ws://[::1]:9/", 1, NULL, 5);
	ok(strncmp(f->req, "GET / HTTP/1.1\r\n", 16) == 0 &&
	    req_header(f, "Host", v, sizeof(v)) == 0 &&
	    strcmp(v, "[::1]:9") == 0, "IPv6 authority kept in brackets");
	ok(req_header(f, "Sec-WebSocket-Protocol", v, sizeof(v)) == 0 &&
	    strcmp(v, "sws.v1.msgpack") == 0, "msgpack client offers "
	    "sws.v1.msgpack");
	fake_free(f);

	f = fake_new("ws://h?q", 0, NULL, 5);
	ok(strncmp(f->req, "GET /?q HTTP/1.1\r\n", 18) == 0 &&
	    req_header(f, "Host", v, sizeof(v)) == 0 && strcmp(v, "h") == 0,
	    "no path: / and the query; host without port");
	fake_free(f);
}

static void
test_bad_urls(void)
{
	static const char *const bad[] = {
		"http://x/", "wss://", "wss:///", "wss://x:0/", "wss://u@x/",
		"ws://", "ws:///", "ws://x:0/",
		"ws://x:65536/", "ws://x:/", "ws://x:8a/", "ws://u@x/",
		"ws://[::1/", "ws://[::1]x/", "ws://x y/", "ws://x/\x01",
		"ws://[zz]/", "ws://a:1:2/", "x",
	};
	struct sws_config	 cfg;
	struct event_base	*base = event_base_new();
	struct sws_client	*c;
	char			 err[256];
	size_t			 i;
	int			 n = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.secret_key = alice_sk;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg.url = bad[i];
		err[0] = '\0';
		if ((c = sws_client_new(base, &cfg, on_event, NULL, err,
		    sizeof(err))) != NULL) {
			printf("# accepted: %s\n", bad[i]);
			sws_client_free(c);
		} else if (err[0] != '\0')
			n++;
	}
	ok(n == (int)(sizeof(bad) / sizeof(bad[0])), "%d bad URLs refused "
	    "with a message", n);
	event_base_free(base);
}

/* wss:// URLs, and the CA file that verifies the relay. */
static void
test_wss_urls(void)
{
	static const char *const good[] = {
		"wss://x/", "WSS://x:8443/p?q", "wss://127.0.0.1/",
		"wss://[::1]:443/",
	};
	struct sws_config	 cfg;
	struct event_base	*base = event_base_new();
	struct sws_client	*c;
	char			 err[256], junk[] = "/tmp/test_upgrade.XXXXXX";
	size_t			 i;
	int			 fd, n = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.secret_key = alice_sk;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cfg.url = good[i];
		err[0] = '\0';
		if ((c = sws_client_new(base, &cfg, on_event, NULL, err,
		    sizeof(err))) == NULL)
			printf("# refused: %s: %s\n", good[i], err);
		else {
			n++;
			sws_client_free(c);
		}
	}
	ok(n == (int)(sizeof(good) / sizeof(good[0])), "%d wss:// URLs "
	    "accepted, with the system's CA store", n);

	cfg.url = "wss://x/";
	cfg.ca_file = "/nonexistent/ca.pem";
	c = sws_client_new(base, &cfg, on_event, NULL, err, sizeof(err));
	ok(c == NULL && strcmp(err, "/nonexistent/ca.pem: cannot load CA "
	    "file: No such file or directory") == 0, "a missing CA file is "
	    "refused: %s", c == NULL ? err : "accepted");
	if (c != NULL)
		sws_client_free(c);

	if ((fd = mkstemp(junk)) == -1 || write(fd, "not a certificate\n",
	    18) != 18)
		printf("# cannot write %s\n", junk);
	if (fd != -1)
		close(fd);
	cfg.ca_file = junk;
	c = sws_client_new(base, &cfg, on_event, NULL, err, sizeof(err));
	ok(c == NULL && strncmp(err, junk, strlen(junk)) == 0 &&
	    strstr(err, ": cannot load CA file: ") != NULL, "a file without "
	    "certificates is refused: %s", c == NULL ? err : "accepted");
	if (c != NULL)
		sws_client_free(c);
	unlink(junk);

	cfg.url = "ws://x/";
	cfg.ca_file = "/nonexistent/ca.pem";
	c = sws_client_new(base, &cfg, on_event, NULL, err, sizeof(err));
	ok(c != NULL, "ws:// does not load the CA file");
	if (c != NULL)
		sws_client_free(c);
	event_base_free(base);
}

/* Over an attached bufferevent, wss:// upgrades as ws:// does. */
static void
test_wss_attach(void)
{
	struct fake	*f;
	char		 v[256];

	f = fake_new("wss://relay.example:8443/x", 0, NULL, 5);
	ok(strncmp(f->req, "GET /x HTTP/1.1\r\n", 17) == 0 &&
	    req_header(f, "Host", v, sizeof(v)) == 0 &&
	    strcmp(v, "relay.example:8443") == 0, "wss:// attached: the "
	    "request and Host as for ws://");
	fake_free(f);
}

static void
test_upgrade_answers(void)
{
	static const struct {
		const char	*answer;
		const char	*want;
	} cases[] = {
		{ "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
		    "HTTP 403 Forbidden" },
		{ "HTTP/1.1 404 Not Found\r\n\r\n", "HTTP 404 Not Found" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: x%s\r\n"
		    "Sec-WebSocket-Protocol: %s\r\n\r\n",
		    "Sec-WebSocket-Accept" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		    "\r\n%s", "no subprotocol" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		    "Sec-WebSocket-Protocol: sws.v1.msgpack%s\r\n\r\n",
		    "another subprotocol" },
		{ "HTTP/1.1 101 Switching Protocols\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		    "Sec-WebSocket-Protocol: %s\r\n\r\n", "Upgrade" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Sec-WebSocket-Accept: %s\r\n"
		    "Sec-WebSocket-Protocol: %s\r\n\r\n", "Connection" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		    "Sec-WebSocket-Protocol: %s\r\n"
		    "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
		    "extension" },
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
		    "Sec-WebSocket-Accept: %s\r\n\r\n",
		    "Sec-WebSocket-Accept" },
		{ "HTTP/1.1 101\r\nbroken line\r\n\r\n%s%s", "malformed" },
		{ "SSH-2.0-OpenSSH\r\n\r\n%s%s", "not an HTTP answer" },
		{ "HTTP/1.1 1010 x\r\n\r\n%s%s", "not an HTTP answer" },
		{ "HTTP/1.1 200 OK \x1b[31m\r\n\r\n%s%s", "HTTP 200 OK ?[31m" },
	};
	struct fake	*f;
	size_t		 i;
	char		 big[20000];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
		srv_upgrade(f, cases[i].answer);
		pump(f);
		ok(last(f)->type == SWS_EV_CLOSED &&
		    strcmp(last(f)->code, "http") == 0 &&
		    strstr(last(f)->text, cases[i].want) != NULL &&
		    count_recs(f, SWS_EV_CLOSED) == 1,
		    "upgrade answer %zu: CLOSED http, \"%s\"", i,
		    last(f)->text);
		fake_free(f);
	}

	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
	memset(big, 'a', sizeof(big));
	memcpy(big, "HTTP/1.1 101 OK\r\nX: ", 21);
	srv_bytes(f, big, sizeof(big));
	ok(last(f)->type == SWS_EV_CLOSED && strstr(last(f)->text,
	    "oversized") != NULL, "an endless HTTP answer is refused: %s",
	    last(f)->text);
	fake_free(f);

	/* the relay closes during the upgrade */
	f = fake_new("ws://127.0.0.1:8080/", 0, NULL, 5);
	bufferevent_flush(f->pair[1], EV_WRITE, BEV_FINISHED);
	pump(f);
	ok(last(f)->type == SWS_EV_CLOSED && strcmp(last(f)->code, "http") ==
	    0, "connection closed during the upgrade: %s", last(f)->text);
	fake_free(f);
}

int
main(void)
{
	if (client_setup() < 0)
		return 1;
	test_upgrade_request();
	test_bad_urls();
	test_wss_urls();
	test_wss_attach();
	test_upgrade_answers();
	return tap_done();
}
