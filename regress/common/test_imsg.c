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
 * The imsg layer: framing across partial reads, many messages in one
 * read, headers that lie about their length, the payload cap, the output
 * queue cap, and descriptors bound to their messages.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"
#include "regress/lib/tap.h"

static int
pair(int sp[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		return -1;
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	fcntl(sp[1], F_SETFL, O_NONBLOCK);
	return 0;
}

/* Read until a message is complete or nothing more comes. */
static int
get_one(struct imsgbuf *ib, struct imsg *m)
{
	int	 r, tries;

	for (tries = 0; tries < 100; tries++) {
		if ((r = imsg_get(ib, m)) != 0)
			return r;
		if (imsgbuf_read(ib) <= 0 && errno != EAGAIN)
			return -2;
	}
	return 0;
}

static void
test_roundtrip(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 m;
	int		 sp[2], i, n = 0, r;
	char		 payload[100];

	pair(sp);
	imsgbuf_init(&a, sp[0]);
	imsgbuf_init(&b, sp[1]);
	for (i = 0; i < 200; i++) {
		memset(payload, i, sizeof(payload));
		ok(imsg_compose(&a, 7, (uint32_t)i, -1, payload, (size_t)i % 100)
		    == 0, "compose %d", i);
	}
	ok(imsgbuf_flush(&a) == 0, "flush 200 messages");
	/* one read takes them all: many messages per read */
	ok(imsgbuf_read(&b) > 0, "read");
	while ((r = imsg_get(&b, &m)) == 1) {
		if (m.hdr.type != 7 || m.hdr.peerid != (uint32_t)n ||
		    m.len != (size_t)n % 100 || m.fd != -1)
			break;
		if (m.len > 0 && ((const uint8_t *)m.data)[0] != (uint8_t)n)
			break;
		n++;
	}
	ok(r == 0 && n == 200, "200 messages from one read in order (got %d)",
	    n);
	ok(imsg_compose(&a, 1, 0, -1, payload, IMSG_MAX_PAYLOAD + 1) == -1 &&
	    errno == EMSGSIZE, "payload over the cap refused by compose");
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sp[0]);
	close(sp[1]);
}

static void
test_partial(void)
{
	struct imsgbuf	 b;
	struct imsg	 m;
	struct imsg_hdr	 h;
	uint8_t		 buf[IMSG_HEADER_SIZE + 10];
	int		 sp[2];
	size_t		 i;

	pair(sp);
	imsgbuf_init(&b, sp[1]);
	memset(&h, 0, sizeof(h));
	h.type = 3;
	h.len = sizeof(buf);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + IMSG_HEADER_SIZE, "0123456789", 10);
	/* one byte at a time: nothing until the last one */
	for (i = 0; i < sizeof(buf); i++) {
		ok(write(sp[0], buf + i, 1) == 1, "write byte %zu", i);
		ok(imsgbuf_read(&b) == 1, "read byte %zu", i);
		if (i + 1 < sizeof(buf))
			ok(imsg_get(&b, &m) == 0, "incomplete after %zu bytes",
			    i + 1);
	}
	ok(imsg_get(&b, &m) == 1 && m.hdr.type == 3 && m.len == 10 &&
	    memcmp(m.data, "0123456789", 10) == 0, "complete message");
	imsgbuf_clear(&b);
	close(sp[0]);
	close(sp[1]);
}

static void
bad_header(uint16_t len, uint16_t flags, const char *what)
{
	struct imsgbuf	 b;
	struct imsg	 m;
	struct imsg_hdr	 h;
	int		 sp[2];

	pair(sp);
	imsgbuf_init(&b, sp[1]);
	memset(&h, 0, sizeof(h));
	h.type = 1;
	h.len = len;
	h.flags = flags;
	ok(write(sp[0], &h, sizeof(h)) == sizeof(h), "write %s", what);
	ok(imsgbuf_read(&b) == sizeof(h), "read %s", what);
	errno = 0;
	ok(imsg_get(&b, &m) == -1 && errno == EBADMSG, "%s rejected", what);
	imsgbuf_clear(&b);
	close(sp[0]);
	close(sp[1]);
}

static void
test_fd(void)
{
	struct imsgbuf	 a, b;
	struct imsg	 m;
	struct stat	 st1, st2;
	int		 sp[2], p[2], q[2];

	pair(sp);
	imsgbuf_init(&a, sp[0]);
	imsgbuf_init(&b, sp[1]);
	ok(pipe(p) == 0 && pipe(q) == 0, "pipes");
	fstat(p[0], &st1);
	fstat(q[1], &st2);
	/* a message without, one with, one without, one with */
	imsg_compose(&a, 1, 0, -1, "x", 1);
	imsg_compose(&a, 2, 0, p[0], "y", 1);
	imsg_compose(&a, 3, 0, -1, "z", 1);
	imsg_compose(&a, 4, 0, q[1], NULL, 0);
	ok(imsgbuf_flush(&a) == 0, "flush with descriptors");
	ok(fcntl(p[0], F_GETFD) == -1 && errno == EBADF,
	    "sent descriptor closed by the sender");
	ok(get_one(&b, &m) == 1 && m.hdr.type == 1 && m.fd == -1,
	    "first message has no descriptor");
	ok(get_one(&b, &m) == 1 && m.hdr.type == 2 && m.fd != -1,
	    "second message carries one");
	if (m.fd != -1) {
		struct stat	 st;

		fstat(m.fd, &st);
		ok(st.st_ino == st1.st_ino, "it is the pipe that was sent");
		imsg_free(&m);
	}
	ok(get_one(&b, &m) == 1 && m.hdr.type == 3 && m.fd == -1,
	    "third message has none");
	ok(get_one(&b, &m) == 1 && m.hdr.type == 4 && m.fd != -1,
	    "fourth message carries the second descriptor");
	if (m.fd != -1) {
		struct stat	 st;

		fstat(m.fd, &st);
		ok(st.st_ino == st2.st_ino, "the right one");
		imsg_free(&m);
	}
	close(p[1]);
	close(q[0]);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	close(sp[0]);
	close(sp[1]);
}

static void
test_fd_missing(void)
{
	struct imsgbuf	 b;
	struct imsg	 m;
	struct imsg_hdr	 h;
	int		 sp[2];

	/* a header that claims a descriptor that never came */
	pair(sp);
	imsgbuf_init(&b, sp[1]);
	memset(&h, 0, sizeof(h));
	h.type = 9;
	h.len = sizeof(h);
	h.flags = IMSGF_HASFD;
	ok(write(sp[0], &h, sizeof(h)) == sizeof(h), "write");
	imsgbuf_read(&b);
	errno = 0;
	ok(imsg_get(&b, &m) == -1 && errno == EBADMSG,
	    "descriptor flag without a descriptor rejected");
	imsgbuf_clear(&b);
	close(sp[0]);
	close(sp[1]);
}

static void
test_queue_cap(void)
{
	struct imsgbuf	 a;
	static char	 payload[IMSG_MAX_PAYLOAD];
	int		 sp[2], i, r = 0;

	pair(sp);
	imsgbuf_init(&a, sp[0]);
	for (i = 0; i < 1000 && r == 0; i++)
		r = imsg_compose(&a, 1, 0, -1, payload, sizeof(payload));
	ok(r == -1 && errno == ENOBUFS && imsgbuf_queued(&a) <= IMSG_WBUF_MAX,
	    "output queue bounded (%zu bytes queued)", imsgbuf_queued(&a));
	ok(imsgbuf_write(&a) == 0, "non-blocking write stops when full");
	imsgbuf_clear(&a);
	close(sp[0]);
	close(sp[1]);
}

static void
test_eof(void)
{
	struct imsgbuf	 b;
	int		 sp[2];

	pair(sp);
	imsgbuf_init(&b, sp[1]);
	close(sp[0]);
	ok(imsgbuf_read(&b) == 0, "end of file reads as 0");
	imsgbuf_clear(&b);
	close(sp[1]);
}

int
main(void)
{
	test_roundtrip();
	test_partial();
	bad_header(IMSG_HEADER_SIZE - 1, 0, "length below the header");
	bad_header(0, 0, "length zero");
	bad_header(IMSG_HEADER_SIZE + IMSG_MAX_PAYLOAD + 1, 0,
	    "length above the payload cap");
	bad_header(IMSG_HEADER_SIZE, 0x8000, "unknown flag");
	test_fd();
	test_fd_missing();
	test_queue_cap();
	test_eof();
	return tap_done();
}
