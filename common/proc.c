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
 * One table drives the processes, and one function takes every child
 * from exec to its sandbox, so the privilege drop can be read once.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "sandbox.h"

const struct proc_info proc_table[PROC_MAX] = {
	{ PROC_PARENT, "relayd", "relayd: parent", PROC_EXEC_NONE,
	    0, 0, PROC_STOP_NONE, PROC_WHEN_ALWAYS },
	/* the network: sessions stop first, so none sees cryptod vanish */
	{ PROC_RELAY, "relay", "relayd: relay", PROC_EXEC_SELF,
	    PROC_BIT(PROC_CRYPTOD) | PROC_BIT(PROC_CA) | PROC_BIT(PROC_CLUSTER),
	    PROC_ARG_DROP, PROC_STOP_ASK, PROC_WHEN_ALWAYS },
	/* the server key: exits when its channels close */
	{ PROC_CRYPTOD, "cryptod", "cryptod", PROC_EXEC_CRYPTOD,
	    PROC_BIT(PROC_RELAY), PROC_ARG_DROP | PROC_ARG_KEYFILE,
	    PROC_STOP_LAST, PROC_WHEN_ALWAYS },
	/* the TLS private keys: exits when its channels close */
	{ PROC_CA, "ca", "relayd: ca", PROC_EXEC_CA,
	    PROC_BIT(PROC_RELAY), PROC_ARG_DROP, PROC_STOP_LAST,
	    PROC_WHEN_ALWAYS },
	/* NATS, for a cluster: exits when its channels close */
	{ PROC_CLUSTER, "cluster", "relayd: cluster", PROC_EXEC_CLUSTER,
	    PROC_BIT(PROC_RELAY), PROC_ARG_DROP, PROC_STOP_LAST,
	    PROC_WHEN_CLUSTER },
};

int
proc_nfds(enum proc_id id)
{
	if (id == PROC_PARENT)
		return 0;
	return 1 + __builtin_popcount(proc_table[id].peers);
}

int
proc_fd(enum proc_id self, enum proc_id peer)
{
	unsigned int	 peers = proc_table[self].peers;

	if (self == PROC_PARENT || self == peer)
		return -1;
	if (peer == PROC_PARENT)
		return PROC_FD_PARENT;
	if ((peers & PROC_BIT(peer)) == 0)
		return -1;
	return PROC_FD_PARENT + 1 +
	    __builtin_popcount(peers & (PROC_BIT(peer) - 1));
}

const struct proc_info *
proc_byname(const char *name)
{
	int	 i;

	for (i = 0; i < PROC_MAX; i++)
		if (strcmp(proc_table[i].name, name) == 0)
			return &proc_table[i];
	return NULL;
}

int
proc_check_fds(enum proc_id id)
{
	struct stat	 st;
	int		 fd;

	for (fd = PROC_FD_PARENT; fd < PROC_FD_PARENT + proc_nfds(id); fd++)
		if (fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode))
			return -1;
	return 0;
}

/* The argv and environment strings, which the title overwrites. */
static char	*title_base, *title_end;

void
proc_title_init(int argc, char *argv[], char *envp[])
{
	char	*end;
	int	 i;

	end = argv[0] + strlen(argv[0]) + 1;
	for (i = 1; i < argc; i++)
		if (argv[i] == end)
			end = argv[i] + strlen(argv[i]) + 1;
	for (i = 0; envp[i] != NULL; i++)
		if (envp[i] == end)
			end = envp[i] + strlen(envp[i]) + 1;
	title_base = argv[0];
	title_end = end;
	/* libbsd moves the environment away before the title overwrites it */
	setproctitle_init(argc, argv, envp);
}

/*
 * Set the process title, as ps(1) and /proc/PID/cmdline show it.
 * libbsd leaves a '.' where the first argument ended, for old kernels;
 * clearing the rest of the area gives the exact title.
 */
void
proc_title(const char *title)
{
	size_t	 len;

	setproctitle("-%s", title);
	if (title_base == NULL)
		return;
	len = strlen(title_base) + 1;
	if (title_base + len < title_end)
		memset(title_base + len, 0, (size_t)(title_end - title_base) -
		    len);
}

/*
 * First thing in a child: keep stdio and the process's fixed descriptors,
 * close anything else an exec may have let through.
 */
void
proc_init(enum proc_id id)
{
	closefrom(PROC_FD_PARENT + proc_nfds(id));
}

void
proc_drop(enum proc_id id, const char *user, const char *dir)
{
	struct passwd		*pw = NULL;
	uid_t			 uid = 0, ruid, euid, suid;
	gid_t			 gid = 0, rgid, egid, sgid;
	struct rlimit		 rl;

	/* No core file may hold what a child has in memory. */
	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("setrlimit");

	if (geteuid() == 0) {
		if ((pw = getpwnam(user)) == NULL)
			fatalx("unknown user %s", user);
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		endpwent();
		if (uid == 0)
			fatalx("user %s is root", user);
	}

	if (pw != NULL) {
		if (chroot(dir) == -1)
			fatal("chroot %s", dir);
		if (chdir("/") == -1)
			fatal("chdir /");
		if (setgroups(1, &gid) == -1)
			fatal("setgroups");
		if (setresgid(gid, gid, gid) == -1)
			fatal("setresgid");
		if (setresuid(uid, uid, uid) == -1)
			fatal("setresuid");
		/* Trust the result, not the calls. */
		if (getresuid(&ruid, &euid, &suid) == -1 ||
		    getresgid(&rgid, &egid, &sgid) == -1)
			fatal("getresuid");
		if (ruid != uid || euid != uid || suid != uid ||
		    rgid != gid || egid != gid || sgid != gid)
			fatalx("privilege drop to %s did not take", user);
		if (setuid(0) != -1)
			fatalx("could regain root after dropping it");
	} else
		log_warnx("not running as root: no chroot, no user change");

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("prctl PR_SET_DUMPABLE");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl PR_SET_NO_NEW_PRIVS");
	sandbox_init(id);
}
