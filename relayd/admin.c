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
 * The admin endpoint (admin.h).  A connection reads one request head of
 * at most ADMIN_REQ_MAX bytes within ADMIN_TIMEOUT_SECS, is answered,
 * and is closed once the answer is written (Connection: close).  The
 * answer to /metrics is rendered whole into a buffer of at most
 * METRICS_TEXT_MAX bytes; /healthz waits for cryptod's pong or for
 * ADMIN_HEALTH_MS, whichever comes first.  Over ADMIN_CONNS_MAX at once,
 * a new connection is closed at once.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "log.h"
#include "metrics.h"

struct admin_conn {
	TAILQ_ENTRY(admin_conn)	 entry;
	int			 fd;
	int			 head;	/* HEAD: no body */
	int			 waiting;	/* for cryptod's pong */
	uint64_t		 token;
	struct event		 ev;
	struct event		 timer;
	char			 in[ADMIN_REQ_MAX];
	size_t			 in_len;
	char			*out;
	size_t			 out_len;
	size_t			 out_off;
};
TAILQ_HEAD(admin_list, admin_conn);

static struct admin_list	 admin_conns =
    TAILQ_HEAD_INITIALIZER(admin_conns);
static size_t			 admin_n;
static uint64_t			 admin_token;
static struct event_base	*admin_base;
static admin_gauges_fn		 admin_gauges;
static admin_ping_fn		 admin_ping;

static void	admin_read(int, short, void *);
static void	admin_write(int, short, void *);
static void	admin_timeout(int, short, void *);
static void	admin_free(struct admin_conn *);
static void	admin_request(struct admin_conn *);
static void	admin_answer(struct admin_conn *, int, const char *,
		    const char *, size_t);

void
admin_init(struct event_base *base, admin_gauges_fn g, admin_ping_fn p)
{
	admin_base = base;
	admin_gauges = g;
	admin_ping = p;
}

static void
admin_timer(struct admin_conn *c, long ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(&c->timer, &tv);
}

void
admin_accept(int fd)
{
	struct admin_conn	*c;

	if (admin_n >= ADMIN_CONNS_MAX ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		log_debug("admin: connection refused: %zu open", admin_n);
		close(fd);
		return;
	}
	c->fd = fd;
	event_assign(&c->ev, admin_base, fd, EV_READ | EV_PERSIST,
	    admin_read, c);
	evtimer_assign(&c->timer, admin_base, admin_timeout, c);
	event_add(&c->ev, NULL);
	admin_timer(c, ADMIN_TIMEOUT_SECS * 1000L);
	TAILQ_INSERT_TAIL(&admin_conns, c, entry);
	admin_n++;
}

static void
admin_free(struct admin_conn *c)
{
	event_del(&c->ev);
	evtimer_del(&c->timer);
	close(c->fd);
	free(c->out);
	TAILQ_REMOVE(&admin_conns, c, entry);
	admin_n--;
	free(c);
}

void
admin_close_all(void)
{
	struct admin_conn	*c;

	while ((c = TAILQ_FIRST(&admin_conns)) != NULL)
		admin_free(c);
}

static void
admin_timeout(int fd, short what, void *arg)
{
	struct admin_conn	*c = arg;

	(void)fd;
	(void)what;
	if (c->waiting) {
		c->waiting = 0;
		admin_answer(c, 503, "text/plain; charset=utf-8",
		    "unhealthy: cryptod did not answer within a second\n", 0);
		return;
	}
	admin_free(c);		/* too slow to ask, or to read the answer */
}

static void
admin_read(int fd, short what, void *arg)
{
	struct admin_conn	*c = arg;
	ssize_t			 n;

	(void)what;
	n = read(fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		admin_free(c);
		return;
	}
	c->in_len += (size_t)n;
	if (memmem(c->in, c->in_len, "\r\n\r\n", 4) != NULL) {
		event_del(&c->ev);	/* one request: the rest is ignored */
		admin_request(c);
		return;
	}
	if (c->in_len == sizeof(c->in))
		admin_answer(c, 431, "text/plain; charset=utf-8",
		    "request head too large\n", 0);
}

static const char *
admin_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* Queue the answer (body of len bytes, or a string when len is 0). */
static void
admin_answer(struct admin_conn *c, int status, const char *type,
    const char *body, size_t len)
{
	char	 head[512];
	int	 n;

	if (len == 0)
		len = strlen(body);
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n%s"
	    "Cache-Control: no-store\r\nConnection: close\r\n\r\n", status,
	    admin_status_text(status), type, len,
	    status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		fatalx("admin: answer head did not fit");
	free(c->out);
	if (c->head)
		len = 0;
	if ((c->out = malloc((size_t)n + len)) == NULL) {
		log_warn("admin: malloc");
		admin_free(c);
		return;
	}
	memcpy(c->out, head, (size_t)n);
	memcpy(c->out + n, body, len);
	c->out_len = (size_t)n + len;
	c->out_off = 0;
	event_del(&c->ev);
	event_assign(&c->ev, admin_base, c->fd, EV_WRITE | EV_PERSIST,
	    admin_write, c);
	event_add(&c->ev, NULL);
	admin_timer(c, ADMIN_TIMEOUT_SECS * 1000L);
}

static void
admin_write(int fd, short what, void *arg)
{
	struct admin_conn	*c = arg;
	ssize_t			 n;

	(void)what;
	while (c->out_off < c->out_len) {
		n = write(fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
	}
	admin_free(c);
}

/*
 * "METHOD SP TARGET SP HTTP/1.x CRLF": the target's path alone counts
 * (a query is ignored); the headers are not looked at.
 */
int
admin_parse(const char *head, size_t len, struct admin_req *req)
{
	const char	*eol, *sp1, *sp2, *path, *end;
	size_t		 mlen, plen;

	memset(req, 0, sizeof(*req));
	if ((eol = memchr(head, '\r', len)) == NULL || (size_t)(eol - head) +
	    1 >= len || eol[1] != '\n')
		return 400;
	if ((sp1 = memchr(head, ' ', (size_t)(eol - head))) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1))) == NULL ||
	    eol - sp2 != 9 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    sp2[8] < '0' || sp2[8] > '9' || sp1[1] != '/')
		return 400;
	mlen = (size_t)(sp1 - head);
	path = sp1 + 1;
	if ((end = memchr(path, '?', (size_t)(sp2 - path))) == NULL)
		end = sp2;
	plen = (size_t)(end - path);
	if (mlen == 4 && memcmp(head, "HEAD", 4) == 0)
		req->head = 1;
	else if (mlen != 3 || memcmp(head, "GET", 3) != 0)
		return 405;
	if (plen == 8 && memcmp(path, "/metrics", 8) == 0)
		req->what = ADMIN_METRICS;
	else if (plen == 8 && memcmp(path, "/healthz", 8) == 0)
		req->what = ADMIN_HEALTHZ;
	else
		req->what = ADMIN_NOT_FOUND;
	return 0;
}

static void
admin_request(struct admin_conn *c)
{
	struct metrics_gauges	 g;
	struct admin_req	 req;
	char			*buf;
	size_t			 n;
	int			 status;

	if ((status = admin_parse(c->in, c->in_len, &req)) != 0) {
		admin_answer(c, status, "text/plain; charset=utf-8",
		    status == 405 ? "only GET and HEAD\n" :
		    "bad request line\n", 0);
		return;
	}
	c->head = req.head;
	switch (req.what) {
	case ADMIN_METRICS:
		if ((buf = malloc(METRICS_TEXT_MAX)) == NULL) {
			log_warn("admin: malloc");
			admin_free(c);
			return;
		}
		memset(&g, 0, sizeof(g));
		admin_gauges(&g);
		if ((n = metrics_prometheus(buf, METRICS_TEXT_MAX, &g)) == 0)
			fatalx("admin: the metrics did not fit");
		admin_answer(c, 200, "text/plain; version=0.0.4; "
		    "charset=utf-8", buf, n);
		free(buf);
		return;
	case ADMIN_HEALTHZ:
		c->token = ++admin_token;
		if (admin_ping(c->token) == -1) {
			admin_answer(c, 503, "text/plain; charset=utf-8",
			    "unhealthy: cryptod's queue is full\n", 0);
			return;
		}
		c->waiting = 1;
		admin_timer(c, ADMIN_HEALTH_MS);
		return;
	default:
		admin_answer(c, 404, "text/plain; charset=utf-8",
		    "not found: try /metrics or /healthz\n", 0);
	}
}

void
admin_pong(uint64_t token)
{
	struct admin_conn	*c;

	TAILQ_FOREACH(c, &admin_conns, entry)
		if (c->waiting && c->token == token)
			break;
	if (c == NULL)
		return;		/* answered 503 already, or gone */
	c->waiting = 0;
	admin_answer(c, 200, "text/plain; charset=utf-8", "ok\n", 0);
}
