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
 * Per-process system call allow-lists (seccomp with libseccomp on Linux,
 * pledge on OpenBSD), one per process, the parent's included.  A call
 * outside the list kills the process.  Only a build with SANDBOX_LOGONLY
 * (the sanitizer build, whose runtime makes calls the lists refuse) traps
 * instead, logs the offending call and lets it fail; nothing at run time,
 * in particular nothing in the environment, can turn that mode on.
 */
#ifndef SWS_SANDBOX_H
#define SWS_SANDBOX_H

#include <sys/types.h>

#include "proc.h"

/*
 * The parent may send SIGKILL to the processes named here and to no
 * other; name its children before sandbox_init(PROC_PARENT).
 */
void	sandbox_allow_kill(pid_t);
void	sandbox_init(enum proc_id);

#endif /* SWS_SANDBOX_H */
