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
 * What the imsg fuzz targets (fuzz_imsg_cryptod.c, fuzz_imsg_relay.c,
 * fuzz_imsg_parent.c) share.  Each target builds one process's state
 * with its channels on socketpairs whose other ends the harness holds,
 * and reads an input as a sequence of records, one message each:
 *
 *	peer (1 byte)  flags (1)  type (1)  length (2, little-endian)  payload
 *
 * peer is taken modulo the target's number of peers.  The flags:
 *
 *	FUZZ_FD		a descriptor goes with it (a listening socket)
 *	FUZZ_RAW	the payload is written as it is, header and all, so
 *			that lying headers reach imsg_get()
 *	FUZZ_HOLD	written, but read only with the next record of that
 *			peer: several messages in one read, payloads at odd
 *			offsets of the read buffer
 *	FUZZ_CLOSE	the harness hangs up that channel after it
 *
 * The senders are hostile, so for most inputs the documented answer is
 * fatal(): the log hook (FUZZING builds of log.c) longjmps back to the
 * target, which frees the process's state and closes what it had open,
 * as exit would, and the next input starts afresh.  Randomness is a
 * constant (every challenge is 32 bytes of 0x5a), so that the seeds can
 * hold a box that opens.  A descriptor left open by a run that did not
 * die is a leak and aborts; memory leaks are LeakSanitizer's to report.
 */
#ifndef FUZZ_IMSG_H
#define FUZZ_IMSG_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/ioctl.h>

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"
#include "log.h"

#define FUZZ_FD		0x01
#define FUZZ_RAW	0x02
#define FUZZ_HOLD	0x04
#define FUZZ_CLOSE	0x08

#define FUZZ_INPUT_MAX	(64 * 1024)	/* fits the socket buffers */
#define FUZZ_MAXFD	4096
#define FUZZ_RANDOM	0x5a

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_rec {
	unsigned int	 peer;
	unsigned int	 flags;
	uint32_t	 type;
	const uint8_t	*data;
	size_t		 len;
};

/* The harness's end of one channel of the process. */
struct fuzz_chan {
	int		 fd;		/* ours; -1 once hung up */
	struct imsgbuf	 ib;		/* what we send, what it answers */
};

static jmp_buf	 fuzz_jmp;
static int	 fuzz_armed;		/* a run is in progress */
static uint8_t	 fuzz_open[FUZZ_MAXFD];	/* open when the run began */

static __attribute__((__noreturn__)) void
fuzz_die(void)
{
	/* A fatal in the harness's own set-up is a harness bug. */
	if (!fuzz_armed)
		abort();
	fuzz_armed = 0;
	longjmp(fuzz_jmp, 1);
}

/* The process's exit(), through a macro around the included source. */
static __attribute__((__noreturn__, __unused__)) void
fuzz_exit(int status)
{
	(void)status;
	fuzz_die();
}

static const char *
fuzz_rng_name(void)
{
	return "fuzz";
}

static uint32_t
fuzz_rng_random(void)
{
	return FUZZ_RANDOM * 0x01010101U;
}

static uint32_t
fuzz_rng_uniform(const uint32_t upper)
{
	return upper < 2 ? 0 : fuzz_rng_random() % upper;
}

static void
fuzz_rng_buf(void *buf, const size_t n)
{
	memset(buf, FUZZ_RANDOM, n);
}

static randombytes_implementation fuzz_rng = {
	fuzz_rng_name, fuzz_rng_random, NULL, fuzz_rng_uniform,
	fuzz_rng_buf, NULL
};

/*
 * Every input ends in a log line, most in a fatal one: stderr is closed
 * (-close_fd_mask=2, libFuzzer and the sanitizers keep theirs) unless
 * FUZZ_IMSG_VERBOSE is set (to 2: with the debug lines).
 */
static void
fuzz_imsg_init(int *argc, char ***argv, const char *procname)
{
	static char	 mask[] = "-close_fd_mask=2";
	static char	**nargv;
	const char	*verbose = getenv("FUZZ_IMSG_VERBOSE");
	int		 i;

	if (verbose == NULL &&
	    (nargv = calloc((size_t)*argc + 2, sizeof(*nargv))) != NULL) {
		nargv[0] = (*argv)[0];
		nargv[1] = mask;
		for (i = 1; i < *argc; i++)
			nargv[i + 1] = (*argv)[i];
		(*argc)++;
		*argv = nargv;
	}
	signal(SIGPIPE, SIG_IGN);
	log_init(LOG_TO_STDERR, verbose != NULL && strcmp(verbose, "2") == 0,
	    0);
	log_procinit(procname);
	log_fatal_hook = fuzz_die;
	if (randombytes_set_implementation(&fuzz_rng) != 0 ||
	    sodium_init() == -1)
		abort();
}

static int
fuzz_next(const uint8_t **in, size_t *left, unsigned int npeers,
    struct fuzz_rec *r)
{
	const uint8_t	*p = *in;
	size_t		 len;

	if (*left < 5)
		return 0;
	r->peer = p[0] % npeers;
	r->flags = p[1];
	r->type = p[2];
	len = (size_t)p[3] | (size_t)p[4] << 8;
	*in += 5;
	*left -= 5;
	if (len > *left)
		len = *left;
	if (len > IMSG_MAX_PAYLOAD)
		len = IMSG_MAX_PAYLOAD;
	r->data = *in;
	r->len = len;
	*in += len;
	*left -= len;
	return 1;
}

/* Which descriptors are open (the scan's own is not counted). */
static void
fuzz_fds(uint8_t open[FUZZ_MAXFD])
{
	struct dirent	*de;
	DIR		*d;
	long		 fd;

	memset(open, 0, FUZZ_MAXFD);
	if ((d = opendir("/proc/self/fd")) == NULL)
		abort();
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fd = strtol(de->d_name, NULL, 10);
		if (fd < 0 || fd >= FUZZ_MAXFD)
			abort();
		open[fd] = 1;
	}
	open[dirfd(d)] = 0;
	closedir(d);
}

static void
fuzz_fds_begin(void)
{
	fuzz_fds(fuzz_open);
}

/*
 * After a death, what is still open is what exit would have closed;
 * after a run that returned, it is a leak.
 */
static void
fuzz_fds_end(int died)
{
	uint8_t	 now[FUZZ_MAXFD];
	int	 fd;

	fuzz_fds(now);
	for (fd = 0; fd < FUZZ_MAXFD; fd++) {
		if (!now[fd] || fuzz_open[fd])
			continue;
		if (!died)
			abort();	/* descriptor fd leaked */
		close(fd);
	}
}

/* A descriptor to pass: a listening socket nobody will connect to. */
static int
fuzz_newfd(void)
{
	struct sockaddr	 sa;
	int		 fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		abort();
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	/* an address of just the family: the kernel picks an abstract one */
	if (bind(fd, &sa, sizeof(sa_family_t)) == -1 || listen(fd, 1) == -1)
		abort();
	return fd;
}

/* Returns the process's end. */
static int
fuzz_chan_open(struct fuzz_chan *c)
{
	int	 sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sp) == -1 || imsgbuf_init(&c->ib, sp[0]) == -1)
		abort();
	c->fd = sp[0];
	return sp[1];
}

static void
fuzz_chan_close(struct fuzz_chan *c)
{
	imsgbuf_clear(&c->ib);
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

/*
 * Write one record on c.  Returns 0, or -1 when it did not fit the
 * socket at once (the input is then cut there: the process's reading
 * is not what is being tested).
 */
static int
fuzz_send(struct fuzz_chan *c, const struct fuzz_rec *r)
{
	struct msghdr	 msg;
	struct cmsghdr	*cmsg;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	ssize_t		 n;
	int		 fd = -1;

	if (c->fd == -1)
		return 0;
	if (r->flags & FUZZ_FD)
		fd = fuzz_newfd();
	if ((r->flags & FUZZ_RAW) == 0) {
		if (imsg_compose(&c->ib, r->type, 0, fd, r->data, r->len) ==
		    -1)
			abort();
		return imsgbuf_write(&c->ib) == 1 ? 0 : -1;
	}
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)(uintptr_t)r->data;
	iov.iov_len = r->len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
	if (fd != -1)
		close(fd);
	return n == (ssize_t)r->len ? 0 : -1;
}

/* Bytes waiting to be read on fd. */
static int
fuzz_pending(int fd)
{
	int	 n;

	if (ioctl(fd, FIONREAD, &n) == -1)
		return 0;
	return n;
}

/*
 * Read what the process sent on c; each message goes to check (which
 * aborts on one our own process should never send).  A malformed one
 * aborts here.
 */
static void
fuzz_chan_drain(struct fuzz_chan *c, void (*check)(const struct imsg *))
{
	struct imsg	 imsg;
	ssize_t		 n;
	int		 r;

	if (c->fd == -1)
		return;
	do {
		n = imsgbuf_read(&c->ib);
		while ((r = imsg_get(&c->ib, &imsg)) == 1) {
			log_debug("fuzz: sent back type %u, %zu bytes",
			    imsg.hdr.type, imsg.len);
			check(&imsg);
			imsg_free(&imsg);
		}
		if (r == -1)
			abort();
	} while (n > 0);
}

#endif /* FUZZ_IMSG_H */
