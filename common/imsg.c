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
 * The imsg layer: framing of messages between our own processes.  The
 * peers are trusted only as far as the framing goes: a reader checks the
 * header before it believes a length, and descriptors are matched to the
 * messages flagged as carrying one.  On Linux a descriptor sent with
 * SCM_RIGHTS arrives with the first byte of the data it was sent with
 * (the kernel does not merge such data into an earlier read), so a
 * descriptor is always queued by the time its message's header is
 * complete.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

#define IMSG_RBUF_SIZE	(2 * (IMSG_HEADER_SIZE + IMSG_MAX_PAYLOAD))

int
imsgbuf_init(struct imsgbuf *ib, int fd)
{
	memset(ib, 0, sizeof(*ib));
	ib->fd = fd;
	ib->pid = getpid();
	if ((ib->rbuf = malloc(IMSG_RBUF_SIZE)) == NULL)
		return -1;
	return 0;
}

void
imsgbuf_clear(struct imsgbuf *ib)
{
	size_t	 i;

	for (i = 0; i < ib->nrfds; i++)
		close(ib->rfds[i]);
	for (i = 0; i < ib->nwfds; i++)
		close(ib->wfds[i].fd);
	free(ib->rbuf);
	free(ib->wbuf);
	ib->rbuf = ib->wbuf = NULL;
	ib->nrfds = ib->nwfds = 0;
	ib->rlen = ib->rpos = ib->wlen = ib->wpos = ib->wcap = 0;
}

ssize_t
imsgbuf_read(struct imsgbuf *ib)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cmsg;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * IMSG_MAX_FDS)];
	} cmsgbuf;
	ssize_t		 n;
	int		 bad = 0;

	/* Compact: whatever a caller took with imsg_get is gone now. */
	if (ib->rpos > 0) {
		memmove(ib->rbuf, ib->rbuf + ib->rpos, ib->rlen - ib->rpos);
		ib->rlen -= ib->rpos;
		ib->rpos = 0;
	}
	if (ib->rlen == IMSG_RBUF_SIZE) {
		errno = EAGAIN;
		return -1;
	}
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = ib->rbuf + ib->rlen;
	iov.iov_len = IMSG_RBUF_SIZE - ib->rlen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);

	do {
		n = recvmsg(ib->fd, &msg, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;

	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		size_t	 nfd, i;
		int	 fd;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(fd));
			if (ib->nrfds == IMSG_MAX_FDS) {
				close(fd);
				bad = 1;
			} else
				ib->rfds[ib->nrfds++] = fd;
		}
	}
	if (msg.msg_flags & MSG_CTRUNC)
		bad = 1;
	ib->rlen += (size_t)n;
	if (bad) {
		errno = EBADMSG;
		return -1;
	}
	return n;
}

int
imsg_get(struct imsgbuf *ib, struct imsg *imsg)
{
	struct imsg_hdr	 hdr;
	size_t		 avail = ib->rlen - ib->rpos;

	if (avail < IMSG_HEADER_SIZE)
		return 0;
	memcpy(&hdr, ib->rbuf + ib->rpos, sizeof(hdr));
	if (hdr.len < IMSG_HEADER_SIZE ||
	    hdr.len > IMSG_HEADER_SIZE + IMSG_MAX_PAYLOAD ||
	    (hdr.flags & ~IMSGF_HASFD) != 0) {
		errno = EBADMSG;
		return -1;
	}
	if (avail < hdr.len)
		return 0;
	imsg->hdr = hdr;
	imsg->fd = -1;
	imsg->len = hdr.len - IMSG_HEADER_SIZE;
	imsg->data = imsg->len > 0 ? ib->rbuf + ib->rpos + IMSG_HEADER_SIZE :
	    NULL;
	if (hdr.flags & IMSGF_HASFD) {
		if (ib->nrfds == 0) {
			errno = EBADMSG;
			return -1;
		}
		imsg->fd = ib->rfds[0];
		memmove(ib->rfds, ib->rfds + 1,
		    (ib->nrfds - 1) * sizeof(int));
		ib->nrfds--;
	}
	ib->rpos += hdr.len;
	return 1;
}

int
imsg_compose(struct imsgbuf *ib, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct imsg_hdr	 hdr;
	size_t		 need;

	if (len > IMSG_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	if (fd != -1 && ib->nwfds == IMSG_MAX_FDS) {
		errno = ENOBUFS;
		return -1;
	}
	/* Drop what was sent before growing. */
	if (ib->wpos > 0 && ib->nwfds == 0) {
		memmove(ib->wbuf, ib->wbuf + ib->wpos, ib->wlen - ib->wpos);
		ib->wlen -= ib->wpos;
		ib->wpos = 0;
	}
	need = ib->wlen + IMSG_HEADER_SIZE + len;
	if (need - ib->wpos > (ib->wmax != 0 ? ib->wmax : IMSG_WBUF_MAX)) {
		errno = ENOBUFS;
		return -1;
	}
	if (need > ib->wcap) {
		size_t	 ncap = ib->wcap ? ib->wcap : 4096;
		uint8_t	*p;

		while (ncap < need)
			ncap *= 2;
		if ((p = realloc(ib->wbuf, ncap)) == NULL)
			return -1;
		ib->wbuf = p;
		ib->wcap = ncap;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint16_t)(IMSG_HEADER_SIZE + len);
	hdr.flags = fd != -1 ? IMSGF_HASFD : 0;
	hdr.peerid = peerid;
	hdr.pid = (uint32_t)ib->pid;
	if (fd != -1) {
		ib->wfds[ib->nwfds].off = ib->wlen;
		ib->wfds[ib->nwfds].fd = fd;
		ib->nwfds++;
	}
	memcpy(ib->wbuf + ib->wlen, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(ib->wbuf + ib->wlen + IMSG_HEADER_SIZE, data, len);
	ib->wlen += IMSG_HEADER_SIZE + len;
	return 0;
}

int
imsgbuf_write(struct imsgbuf *ib)
{
	while (ib->wpos < ib->wlen) {
		struct msghdr	 msg;
		struct iovec	 iov;
		union {
			struct cmsghdr	hdr;
			char		buf[CMSG_SPACE(sizeof(int))];
		} cmsgbuf;
		size_t		 end = ib->wlen;
		int		 sendfd = -1;
		ssize_t		 n;

		/*
		 * A descriptor goes with the first byte of its message, and
		 * no earlier data shares that sendmsg.
		 */
		if (ib->nwfds > 0) {
			if (ib->wfds[0].off == ib->wpos) {
				sendfd = ib->wfds[0].fd;
				if (ib->nwfds > 1)
					end = ib->wfds[1].off;
			} else
				end = ib->wfds[0].off;
		}
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = ib->wbuf + ib->wpos;
		iov.iov_len = end - ib->wpos;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (sendfd != -1) {
			struct cmsghdr	*cmsg;

			memset(&cmsgbuf, 0, sizeof(cmsgbuf));
			msg.msg_control = cmsgbuf.buf;
			msg.msg_controllen = sizeof(cmsgbuf.buf);
			cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_len = CMSG_LEN(sizeof(int));
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			memcpy(CMSG_DATA(cmsg), &sendfd, sizeof(int));
		}
		n = sendmsg(ib->fd, &msg, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		if (sendfd != -1) {
			close(sendfd);
			memmove(ib->wfds, ib->wfds + 1,
			    (ib->nwfds - 1) * sizeof(ib->wfds[0]));
			ib->nwfds--;
		}
		ib->wpos += (size_t)n;
	}
	/* Everything is out: start over at the front. */
	ib->wpos = ib->wlen = 0;
	return 1;
}

int
imsgbuf_flush(struct imsgbuf *ib)
{
	struct pollfd	 pfd;
	int		 r;

	while ((r = imsgbuf_write(ib)) == 0) {
		pfd.fd = ib->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return -1;
	}
	return r == 1 ? 0 : -1;
}

size_t
imsgbuf_queued(const struct imsgbuf *ib)
{
	return ib->wlen - ib->wpos;
}

void
imsg_free(struct imsg *imsg)
{
	if (imsg->fd != -1) {
		close(imsg->fd);
		imsg->fd = -1;
	}
}
