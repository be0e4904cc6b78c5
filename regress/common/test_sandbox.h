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
 * Shared by test_sandbox.c (the harness: a child per case under a real
 * filter) and test_sandbox_args.c (the calls narrowed by argument).
 */
#ifndef SWS_TEST_SANDBOX_H
#define SWS_TEST_SANDBOX_H

#include "proc.h"

/*
 * Descriptors each case's child has before its filter: the channels of
 * the relay and cryptod on 3 and 4, connected to each other; a spare
 * socketpair that is no channel; a TCP socket, as a client's would be.
 */
#define FD_CHAN_A	PROC_FD_PARENT
#define FD_CHAN_B	(PROC_FD_PARENT + 1)
#define FD_SPARE	7
#define FD_SPARE_PEER	8
#define FD_TCP		9

struct sandbox_case {
	enum proc_id	 id;
	void		(*fn)(void);
	const char	*name;
	int		 killed;	/* by SIGSYS; else it exits 0 */
};

#define CASE_ALIVE(id, fn)	{ id, fn, #fn, 0 }
#define CASE_KILLED(id, fn)	{ id, fn, #fn, 1 }

extern const struct sandbox_case	sandbox_arg_cases[];
extern const size_t			sandbox_narg_cases;

#endif /* SWS_TEST_SANDBOX_H */
