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
 * libFuzzer target for the parent's channels from its children, the
 * relay (peer 0) and cryptod (peer 1), both treated as hostile (they are
 * the unprivileged side): records as fuzz_imsg.h says, each read by
 * parent_dispatch() as the event loop would call it.  relayd.c is
 * compiled into this file, main() renamed, so that the children's
 * channels can be set up with its own child_init() and undone after each
 * input.  The parent answers nothing, so nothing may come back.
 */
#include <stdlib.h>

#include "fuzz_imsg.h"

int	relayd_main(int, char *[]);

#define main		relayd_main
#define exit(status)	fuzz_exit(status)
#include "relayd/relayd.c"
#undef exit
#undef main

#define NPEERS	2

static struct fuzz_chan	 chans[NPEERS];	/* relay, cryptod */

static struct child *
child_of(unsigned int peer)
{
	return CHILD(peer == 0 ? PROC_RELAY : PROC_CRYPTOD);
}

static void
check_nothing(const struct imsg *imsg)
{
	(void)imsg;
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_imsg_init(argc, argv, "relayd");
	return 0;
}

static void
child_input(unsigned int peer)
{
	struct child	*c = child_of(peer);
	int		 n;

	/* a channel we hung up on has its end of file to read */
	for (n = 0; n < 64 && event_pending(&c->ev, EV_READ, NULL) &&
	    (chans[peer].fd == -1 || fuzz_pending(c->ib.fd) > 0); n++)
		parent_dispatch(c->ib.fd, EV_READ, c);
}

static void
parent_reset(void)
{
	unsigned int	 i;

	for (i = 0; i < NPEERS; i++) {
		struct child	*c = child_of(i);

		event_del(&c->ev);
		close(c->ib.fd);
		imsgbuf_clear(&c->ib);
		memset(c, 0, sizeof(*c));
		fuzz_chan_close(&chans[i]);
	}
	event_base_free(pd.base);
	pd.base = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rec		 r;
	const uint8_t		*p = data;
	size_t			 left = size;
	unsigned int		 n;
	int			 died;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	fuzz_fds_begin();
	if ((pd.base = event_base_new()) == NULL)
		abort();
	for (n = 0; n < NPEERS; n++) {
		child_of(n)->info = &proc_table[n == 0 ? PROC_RELAY :
		    PROC_CRYPTOD];
		child_init(child_of(n), fuzz_chan_open(&chans[n]), -1);
	}

	fuzz_armed = 1;
	if ((died = setjmp(fuzz_jmp)) == 0) {
		while (fuzz_next(&p, &left, NPEERS, &r)) {
			if (fuzz_send(&chans[r.peer], &r) == -1)
				break;
			if (r.flags & FUZZ_CLOSE)
				fuzz_chan_close(&chans[r.peer]);
			if ((r.flags & FUZZ_HOLD) == 0)
				child_input(r.peer);
			fuzz_chan_drain(&chans[0], check_nothing);
			fuzz_chan_drain(&chans[1], check_nothing);
		}
		child_input(0);
		child_input(1);
		fuzz_armed = 0;
	}
	parent_reset();
	fuzz_fds_end(died);
	return 0;
}
