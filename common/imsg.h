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
 * Messages between the sws processes over socketpairs, in the style of
 * OpenBSD's imsg but written here: a fixed 16-byte header, a payload of at
 * most IMSG_MAX_PAYLOAD bytes, descriptor passing bound to the message that
 * carries it, and non-blocking buffered writes.  Every length is checked
 * before a payload is looked at; a peer that breaks the framing is a fatal
 * error for the reader.
 */
#ifndef SWS_IMSG_H
#define SWS_IMSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IMSG_HEADER_SIZE	16
#define IMSG_MAX_PAYLOAD	16384
#define IMSG_MAX_FDS		16	/* received, not yet claimed */
#define IMSG_WBUF_MAX		(4 * 1024 * 1024)	/* queued output cap */

#define IMSGF_HASFD		0x0001

struct imsg_hdr {
	uint32_t	 type;
	uint16_t	 len;		/* header included */
	uint16_t	 flags;
	uint32_t	 peerid;
	uint32_t	 pid;
};

struct imsg {
	struct imsg_hdr	 hdr;
	int		 fd;		/* -1, or a descriptor now owned by the
					   receiver */
	const void	*data;		/* valid until the next imsgbuf_read */
	size_t		 len;		/* payload length */
};

struct imsg_fdq {
	size_t		 off;		/* offset of its message in wbuf */
	int		 fd;
};

struct imsgbuf {
	int		 fd;
	pid_t		 pid;
	/* input */
	uint8_t		*rbuf;
	size_t		 rpos;		/* first unconsumed byte */
	size_t		 rlen;		/* bytes held */
	int		 rfds[IMSG_MAX_FDS];
	size_t		 nrfds;
	/* output */
	uint8_t		*wbuf;
	size_t		 wpos;		/* first unsent byte */
	size_t		 wlen;
	size_t		 wcap;
	size_t		 wmax;		/* queued output cap; 0: IMSG_WBUF_MAX */
	struct imsg_fdq	 wfds[IMSG_MAX_FDS];
	size_t		 nwfds;
};

int	imsgbuf_init(struct imsgbuf *, int fd);
void	imsgbuf_clear(struct imsgbuf *);
/*
 * Read what the socket has.  Returns bytes read, 0 on end of file, -1 on
 * error (errno EAGAIN when nothing is there yet; EBADMSG when the peer
 * sent more descriptors than fit or a truncated control message).
 */
ssize_t	imsgbuf_read(struct imsgbuf *);
/*
 * Take the next complete message.  Returns 1 and fills imsg, 0 when none
 * is complete, -1 (errno EBADMSG) when the header is invalid: a length
 * below the header size or above the payload cap, unknown flags, or a
 * message flagged with a descriptor that did not arrive with it.
 */
int	imsg_get(struct imsgbuf *, struct imsg *);
/*
 * Queue a message; fd (-1 for none) is passed to the peer and closed here
 * once sent.  Returns 0, or -1 with errno EMSGSIZE (payload too long) or
 * ENOBUFS (output queue over wmax, by default IMSG_WBUF_MAX).
 */
int	imsg_compose(struct imsgbuf *, uint32_t type, uint32_t peerid, int fd,
	    const void *data, size_t len);
/* Send what is queued without blocking: 1 all sent, 0 more left, -1. */
int	imsgbuf_write(struct imsgbuf *);
/* Send everything, waiting with poll(2) as needed: 0 or -1. */
int	imsgbuf_flush(struct imsgbuf *);
size_t	imsgbuf_queued(const struct imsgbuf *);
/* Close a descriptor that came with an imsg and was not used. */
void	imsg_free(struct imsg *);

#endif /* SWS_IMSG_H */
