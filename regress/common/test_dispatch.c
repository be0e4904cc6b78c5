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
 * The imsg dispatch table (common/dispatch.c): messages that fit their
 * row reach the handler in order with their payload, descriptor and
 * argument; every kind of refusal (unknown type, wrong sender, size below
 * or above the row's, a descriptor where none is allowed or none where
 * one is required, a descriptor on a message not flagged for one, a bad
 * header) ends the process with status 1 and one exact log line, checked
 * in a forked child.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch.h"
#include "imsg.h"
#include "log.h"
#include "regress/lib/tap.h"

#define T_EXACT		101	/* 8 bytes, from the relay */
#define T_RANGE		102	/* 2 to 10 bytes, from the parent or relay */
#define T_FD		103	/* 4 bytes and a descriptor, from the parent */
#define T_MAYFD		104	/* empty, a descriptor or not, left unclaimed */
#define T_KEEPFD	105	/* empty, a descriptor or not, kept */
#define T_EMPTY		106	/* empty, from cryptod */

struct call {
	uint32_t	 type;
	size_t		 len;
	uint8_t		 data[16];
	int		 fd;
	ino_t		 ino;		/* of fd, while the handler runs */
	void		*arg;
};

static struct call	 calls[32];
static size_t		 ncalls;

static ino_t
inode(int fd)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1)
		return 0;
	return st.st_ino;
}

static void
record(struct imsg *imsg, void *arg)
{
	struct call	*c;

	if (ncalls == sizeof(calls) / sizeof(calls[0]))
		abort();
	c = &calls[ncalls++];
	c->type = imsg->hdr.type;
	c->len = imsg->len;
	if (imsg->len > 0)
		memcpy(c->data, imsg->data, imsg->len < sizeof(c->data) ?
		    imsg->len : sizeof(c->data));
	c->fd = imsg->fd;
	c->ino = imsg->fd != -1 ? inode(imsg->fd) : 0;
	c->arg = arg;
	log_info("handled type %u", imsg->hdr.type);
}

static void
keep(struct imsg *imsg, void *arg)
{
	record(imsg, arg);
	imsg->fd = -1;
}

static const struct imsg_handler tab[] = {
	{ T_EXACT, "EXACT", IMSG_PEER(PROC_RELAY), 8, 8, IMSG_FD_NO, record },
	{ T_RANGE, "RANGE", IMSG_PEER(PROC_PARENT) | IMSG_PEER(PROC_RELAY),
	    2, 10, IMSG_FD_NO, record },
	{ T_FD, "FD", IMSG_PEER(PROC_PARENT), 4, 4, IMSG_FD_MUST, keep },
	{ T_MAYFD, "MAYFD", IMSG_PEER(PROC_PARENT), 0, 0, IMSG_FD_MAY,
	    record },
	{ T_KEEPFD, "KEEPFD", IMSG_PEER(PROC_PARENT), 0, 0, IMSG_FD_MAY,
	    keep },
	{ T_EMPTY, "EMPTY", IMSG_PEER(PROC_CRYPTOD), 0, 0, IMSG_FD_NO,
	    record },
};

static const uint8_t	 bytes[16] = "0123456789abcdef";

static void
chan_open(int sp[2], struct imsgbuf *tx, struct imsgbuf *rx)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		abort();
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	fcntl(sp[1], F_SETFL, O_NONBLOCK);
	if (imsgbuf_init(tx, sp[0]) == -1 || imsgbuf_init(rx, sp[1]) == -1)
		abort();
}

static void
chan_close(int sp[2], struct imsgbuf *tx, struct imsgbuf *rx)
{
	imsgbuf_clear(tx);
	imsgbuf_clear(rx);
	close(sp[0]);
	close(sp[1]);
}

/* Bytes and nfd new pipe read ends in one sendmsg, as a peer may. */
static void
send_with_fds(int sock, const void *data, size_t len, int nfd)
{
	struct msghdr	 msg;
	struct cmsghdr	*cmsg;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(2 * sizeof(int))];
	} cbuf;
	int		 fds[2], p[2], i;

	if (nfd < 1 || nfd > 2)
		abort();
	for (i = 0; i < nfd; i++) {
		if (pipe(p) == -1)
			abort();
		close(p[1]);
		fds[i] = p[0];
	}
	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_len = CMSG_LEN(nfd * sizeof(int));
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cmsg), fds, nfd * sizeof(int));
	if (sendmsg(sock, &msg, 0) != (ssize_t)len)
		abort();
	for (i = 0; i < nfd; i++)
		close(fds[i]);
}

static size_t
mkmsg(uint8_t *out, uint32_t type, uint16_t flags, const void *p,
    size_t len)
{
	struct imsg_hdr	 h;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.len = (uint16_t)(IMSG_HEADER_SIZE + len);
	h.flags = flags;
	memcpy(out, &h, sizeof(h));
	if (len > 0)
		memcpy(out + sizeof(h), p, len);
	return sizeof(h) + len;
}

/* A pipe's write end sees EPIPE once every read end is closed. */
static int
reader_gone(int wfd)
{
	return write(wfd, "x", 1) == -1 && errno == EPIPE;
}

static void
test_accepted(void)
{
	struct imsgbuf	 tx, rx;
	int		 sp[2], p1[2], p2[2], p3[2], tag;
	ino_t		 i1, i2;

	chan_open(sp, &tx, &rx);
	if (pipe(p1) == -1 || pipe(p2) == -1 || pipe(p3) == -1)
		abort();
	i1 = inode(p1[0]);
	i2 = inode(p2[0]);
	ncalls = 0;
	imsg_compose(&tx, T_EXACT, 0, -1, bytes, 8);
	imsg_compose(&tx, T_RANGE, 0, -1, bytes, 2);
	imsg_compose(&tx, T_RANGE, 0, -1, bytes + 1, 10);
	ok(imsgbuf_flush(&tx) == 0 && imsgbuf_read(&rx) > 0, "sent, read");
	imsg_dispatch(&rx, PROC_RELAY, tab, IMSG_NHANDLERS(tab), &tag);
	ok(ncalls == 3, "three messages from the relay handled (%zu)",
	    ncalls);
	ok(calls[0].type == T_EXACT && calls[0].len == 8 &&
	    memcmp(calls[0].data, bytes, 8) == 0 && calls[0].fd == -1 &&
	    calls[0].arg == &tag, "exact size: payload, no descriptor, arg");
	ok(calls[1].type == T_RANGE && calls[1].len == 2 &&
	    memcmp(calls[1].data, bytes, 2) == 0, "range: the smallest size");
	ok(calls[2].type == T_RANGE && calls[2].len == 10 &&
	    memcmp(calls[2].data, bytes + 1, 10) == 0,
	    "range: the largest size, in order");

	/* From the parent: the range again, and the descriptor rules. */
	ncalls = 0;
	imsg_compose(&tx, T_RANGE, 0, -1, bytes, 5);
	imsg_compose(&tx, T_FD, 0, p1[0], bytes, 4);
	imsg_compose(&tx, T_MAYFD, 0, -1, NULL, 0);
	imsg_compose(&tx, T_MAYFD, 0, p2[0], NULL, 0);
	imsg_compose(&tx, T_KEEPFD, 0, p3[0], NULL, 0);
	ok(imsgbuf_flush(&tx) == 0, "flush with descriptors");
	while (ncalls < 5 && imsgbuf_read(&rx) > 0)
		imsg_dispatch(&rx, PROC_PARENT, tab, IMSG_NHANDLERS(tab),
		    NULL);
	ok(ncalls == 5, "five messages from the parent handled (%zu)",
	    ncalls);
	ok(calls[0].type == T_RANGE && calls[0].len == 5,
	    "the range row takes a second sender");
	ok(calls[1].type == T_FD && calls[1].fd != -1 && calls[1].ino == i1, "a required descriptor reaches the "
	    "handler, and it is the one sent");
	ok(calls[2].type == T_MAYFD && calls[2].fd == -1,
	    "an optional descriptor may be absent");
	ok(calls[3].type == T_MAYFD && calls[3].fd != -1 && calls[3].ino == i2, "an optional descriptor may come");
	ok(reader_gone(p2[1]), "a descriptor the handler left is closed "
	    "after it");
	ok(calls[4].type == T_KEEPFD && calls[4].fd != -1 &&
	    !reader_gone(p3[1]), "one the handler kept stays open");
	close(calls[1].fd);
	close(calls[4].fd);
	close(p1[1]);
	close(p2[1]);
	close(p3[1]);

	/*
	 * A descriptor comes with the first byte of its message, which
	 * may be all that came: it waits for the rest.
	 */
	ncalls = 0;
	{
		uint8_t	 m[IMSG_HEADER_SIZE];

		mkmsg(m, T_MAYFD, IMSGF_HASFD, NULL, 0);
		send_with_fds(sp[0], m, 10, 1);
		ok(imsgbuf_read(&rx) == 10, "the start of a header, with a "
		    "descriptor");
		imsg_dispatch(&rx, PROC_PARENT, tab, IMSG_NHANDLERS(tab),
		    NULL);
		ok(ncalls == 0, "nothing to handle yet, and the descriptor "
		    "waits");
		ok(write(sp[0], m + 10, sizeof(m) - 10) == sizeof(m) - 10 &&
		    imsgbuf_read(&rx) > 0, "the rest of it");
		imsg_dispatch(&rx, PROC_PARENT, tab, IMSG_NHANDLERS(tab),
		    NULL);
		ok(ncalls == 1 && calls[0].type == T_MAYFD &&
		    calls[0].fd != -1, "the message is handled with its "
		    "descriptor");
	}

	/* A message in pieces is handled once it is whole. */
	ncalls = 0;
	imsg_compose(&tx, T_EMPTY, 0, -1, NULL, 0);
	ok(imsgbuf_flush(&tx) == 0, "flush");
	imsg_dispatch(&rx, PROC_CRYPTOD, tab, IMSG_NHANDLERS(tab), NULL);
	ok(ncalls == 0, "nothing read, nothing handled");
	ok(imsgbuf_read(&rx) > 0, "read");
	imsg_dispatch(&rx, PROC_CRYPTOD, tab, IMSG_NHANDLERS(tab), NULL);
	ok(ncalls == 1 && calls[0].type == T_EMPTY && calls[0].len == 0,
	    "an empty message from cryptod");
	chan_close(sp, &tx, &rx);
}

/*
 * In a child, send what send() queues (and raw bytes, if any), then
 * dispatch as from peer: the child must exit 1, and its log must be
 * exactly want (one line per message handled first, then the fatal).
 */
static void
refused_fds(const char *what, enum proc_id peer,
    void (*send)(struct imsgbuf *), const void *raw, size_t rawlen,
    int rawfds, const char *want)
{
	struct imsgbuf	 tx, rx;
	char		 out[1024];
	size_t		 got = 0;
	ssize_t		 n;
	pid_t		 pid;
	int		 sp[2], ep[2], status;

	if (pipe(ep) == -1)
		abort();
	fflush(stdout);
	if ((pid = fork()) == -1)
		abort();
	if (pid == 0) {
		dup2(ep[1], STDERR_FILENO);
		close(ep[0]);
		close(ep[1]);
		log_init(LOG_TO_STDERR, 0, 0);
		log_procinit("test");
		chan_open(sp, &tx, &rx);
		if (send != NULL)
			send(&tx);
		if (imsgbuf_flush(&tx) == -1)
			_exit(2);
		if (raw != NULL && rawfds > 0)
			send_with_fds(sp[0], raw, rawlen, rawfds);
		else if (raw != NULL &&
		    write(sp[0], raw, rawlen) != (ssize_t)rawlen)
			_exit(2);
		while (imsgbuf_read(&rx) > 0)
			imsg_dispatch(&rx, peer, tab, IMSG_NHANDLERS(tab),
			    NULL);
		_exit(0);	/* not refused */
	}
	close(ep[1]);
	while (got < sizeof(out) - 1 &&
	    (n = read(ep[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(ep[0]);
	if (waitpid(pid, &status, 0) == -1)
		abort();
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "%s: exit status 1 (%#x)", what, status);
	ok(strcmp(out, want) == 0, "%s: the exact log line", what);
	if (strcmp(out, want) != 0)
		printf("#   got  \"%s\"\n#   want \"%s\"\n", out, want);
}

static void
refused(const char *what, enum proc_id peer,
    void (*send)(struct imsgbuf *), const void *raw, size_t rawlen,
    const char *want)
{
	refused_fds(what, peer, send, raw, rawlen, 0, want);
}

static void
send_unknown(struct imsgbuf *tx)
{
	imsg_compose(tx, 99, 0, -1, bytes, 3);
}

static void
send_unknown_fd(struct imsgbuf *tx)
{
	int	 p[2];

	if (pipe(p) == -1)
		abort();
	imsg_compose(tx, 0x7fffffff, 0, p[0], NULL, 0);
	close(p[1]);
}

static void
send_exact(struct imsgbuf *tx)
{
	imsg_compose(tx, T_EXACT, 0, -1, bytes, 8);
}

static void
send_empty(struct imsgbuf *tx)
{
	imsg_compose(tx, T_EMPTY, 0, -1, NULL, 0);
}

static void
send_exact_short(struct imsgbuf *tx)
{
	imsg_compose(tx, T_EXACT, 0, -1, bytes, 7);
}

static void
send_exact_long(struct imsgbuf *tx)
{
	imsg_compose(tx, T_EXACT, 0, -1, bytes, 9);
}

static void
send_range_short(struct imsgbuf *tx)
{
	imsg_compose(tx, T_RANGE, 0, -1, bytes, 1);
}

static void
send_range_long(struct imsgbuf *tx)
{
	imsg_compose(tx, T_RANGE, 0, -1, bytes, 11);
}

static void
send_exact_fd(struct imsgbuf *tx)
{
	int	 p[2];

	if (pipe(p) == -1)
		abort();
	imsg_compose(tx, T_EXACT, 0, p[0], bytes, 8);
	close(p[1]);
}

static void
send_fd_missing(struct imsgbuf *tx)
{
	imsg_compose(tx, T_FD, 0, -1, bytes, 4);
}

static void
send_good_then_bad(struct imsgbuf *tx)
{
	imsg_compose(tx, T_RANGE, 0, -1, bytes, 3);
	imsg_compose(tx, T_EXACT, 0, -1, bytes, 8);
	imsg_compose(tx, T_EXACT, 0, -1, bytes, 9);
	imsg_compose(tx, T_EXACT, 0, -1, bytes, 8);
}

static void
test_refused(void)
{
	struct imsg_hdr	 h;
	uint8_t		 m[IMSG_HEADER_SIZE + 16];
	size_t		 n;

	refused("unknown type", PROC_RELAY, send_unknown, NULL, 0,
	    "test: relay sent message type 99 (3 bytes): unknown type\n");
	refused("unknown type with a descriptor", PROC_PARENT,
	    send_unknown_fd, NULL, 0,
	    "test: parent sent message type 2147483647 (0 bytes, with a "
	    "descriptor): unknown type\n");
	refused("wrong sender", PROC_PARENT, send_exact, NULL, 0,
	    "test: parent sent EXACT (type 101, 8 bytes): parent may not "
	    "send it\n");
	refused("wrong sender of an empty message", PROC_PARENT, send_empty,
	    NULL, 0, "test: parent sent EMPTY (type 106, 0 bytes): parent may "
	    "not send it\n");
	refused("exact size, one byte short", PROC_RELAY, send_exact_short,
	    NULL, 0, "test: relay sent EXACT (type 101, 7 bytes): expected 8 "
	    "bytes\n");
	refused("exact size, one byte over", PROC_RELAY, send_exact_long,
	    NULL, 0, "test: relay sent EXACT (type 101, 9 bytes): expected 8 "
	    "bytes\n");
	refused("range, below", PROC_PARENT, send_range_short, NULL, 0,
	    "test: parent sent RANGE (type 102, 1 bytes): expected 2 to 10 "
	    "bytes\n");
	refused("range, above", PROC_RELAY, send_range_long, NULL, 0,
	    "test: relay sent RANGE (type 102, 11 bytes): expected 2 to 10 "
	    "bytes\n");
	refused("a descriptor where none is allowed", PROC_RELAY,
	    send_exact_fd, NULL, 0,
	    "test: relay sent EXACT (type 101, 8 bytes, with a descriptor): "
	    "a descriptor where none is allowed\n");
	refused("no descriptor where one is required", PROC_PARENT,
	    send_fd_missing, NULL, 0,
	    "test: parent sent FD (type 103, 4 bytes): no descriptor where "
	    "one is required\n");
	refused("the messages before a refused one are handled", PROC_RELAY,
	    send_good_then_bad, NULL, 0,
	    "test: handled type 102\n"
	    "test: handled type 101\n"
	    "test: relay sent EXACT (type 101, 9 bytes): expected 8 bytes\n");

	/* Descriptors on messages not flagged for them. */
	n = mkmsg(m, T_RANGE, 0, bytes, 3);
	refused_fds("a descriptor on a whole message not flagged", PROC_RELAY,
	    NULL, m, n, 1, "test: handled type 102\n"
	    "test: relay sent 1 descriptor that no message is flagged for\n");
	refused_fds("a descriptor on the header of one not flagged",
	    PROC_RELAY, NULL, m, IMSG_HEADER_SIZE + 1, 1,
	    "test: relay sent 1 descriptor that no message is flagged for\n");
	n = mkmsg(m, T_MAYFD, IMSGF_HASFD, NULL, 0);
	refused_fds("two descriptors on one flagged message", PROC_PARENT,
	    NULL, m, 4, 2,
	    "test: parent sent 2 descriptors that no message is flagged for\n");

	memset(&h, 0, sizeof(h));
	h.type = T_EXACT;
	h.len = IMSG_HEADER_SIZE - 1;
	refused("a length shorter than the header", PROC_RELAY, NULL, &h,
	    sizeof(h), "test: relay sent a bad header: type 101, length 15, "
	    "flags 0\n");
	h.len = IMSG_HEADER_SIZE;
	h.flags = IMSGF_HASFD;
	h.type = T_MAYFD;
	refused("a descriptor flagged that did not come", PROC_PARENT, NULL,
	    &h, sizeof(h), "test: parent sent a bad header: type 104, length "
	    "16, flags 0x1\n");
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_init(LOG_TO_STDERR, 0, 0);
	log_procinit("test");
	test_accepted();
	test_refused();
	return tap_done();
}
