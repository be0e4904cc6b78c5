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
