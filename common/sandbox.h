/*
 * Per-process system call allow-lists (seccomp with libseccomp on Linux,
 * pledge on OpenBSD).  The default action kills the process; only a build
 * with SANDBOX_LOGONLY (the sanitizer build) traps instead, logs the
 * offending call and lets it fail.
 */
#ifndef SWS_SANDBOX_H
#define SWS_SANDBOX_H

#include "proc.h"

void	sandbox_init(enum proc_id);

#endif /* SWS_SANDBOX_H */
