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
 * The table of sws processes and the one path every child takes from
 * exec to its sandbox: close what it does not need, chroot, chdir,
 * setgroups, setresgid, setresuid, verify, no_new_privs, seccomp.
 */
#ifndef SWS_PROC_H
#define SWS_PROC_H

enum proc_id {
	PROC_PARENT,
	PROC_RELAY,
	PROC_CRYPTOD,
	PROC_CA,
	PROC_CLUSTER,
	PROC_MAX
};

#define PROC_BIT(id)	(1U << (id))

/* The program a child runs. */
enum proc_exec {
	PROC_EXEC_NONE,		/* the parent: started by the operator */
	PROC_EXEC_SELF,		/* relayd again, with -P name */
	PROC_EXEC_CRYPTOD,	/* the cryptod executable */
	PROC_EXEC_CA,		/* the relayd-ca executable */
	PROC_EXEC_CLUSTER,	/* the relayd-cluster executable */
};

/* When a child runs. */
enum proc_when {
	PROC_WHEN_ALWAYS,
	PROC_WHEN_CLUSTER,	/* only with a cluster block */
};

/* How a child is stopped when the daemon shuts down. */
enum proc_stop {
	PROC_STOP_NONE,		/* the parent */
	PROC_STOP_ASK,		/* sent IMSG_SHUTDOWN, ends by itself */
	PROC_STOP_LAST,		/* its channel is closed once every
				   PROC_STOP_ASK child is gone */
};

/* Arguments a child takes beyond -d and -v. */
#define PROC_ARG_DROP		0x01	/* -u user -t chroot from the file */
#define PROC_ARG_KEYFILE	0x02	/* the server key file, last */

/*
 * One row per process.  Every executable links this table, so both ends
 * of a channel agree on its descriptor: a child has the parent's channel
 * on 3 and one channel per peer after it, 4, 5, ..., in the order of the
 * peers' ids.  The sandbox profile is sandbox.c's row of the same id.
 */
struct proc_info {
	enum proc_id	 id;
	const char	*name;		/* log name, and -P argument */
	const char	*title;		/* setproctitle(3) */
	enum proc_exec	 exec;
	unsigned int	 peers;		/* PROC_BIT()s of its channels */
	unsigned int	 args;		/* PROC_ARG_* */
	enum proc_stop	 stop;
	enum proc_when	 when;		/* a child not started still has its
					   channels; the peers close theirs */
};

#define PROC_FD_PARENT	3	/* every child's channel to the parent */
#define PROC_FDS_MAX	(1 + PROC_MAX)	/* fixed descriptors at most */

extern const struct proc_info proc_table[PROC_MAX];

/* Fixed descriptors of a child: the parent's channel and its peers'. */
int	proc_nfds(enum proc_id);
/* The descriptor self has its channel to peer on, or -1 if none. */
int	proc_fd(enum proc_id self, enum proc_id peer);
/* The row named name, or NULL. */
const struct proc_info *proc_byname(const char *);
/* 0 if every fixed descriptor of id is a socket, as relayd leaves them. */
int	proc_check_fds(enum proc_id);

/* Process titles: call proc_title_init first thing in main. */
void	proc_title_init(int argc, char *argv[], char *envp[]);
void	proc_title(const char *);
/* Close every descriptor but stdio and the fixed ones (first thing). */
void	proc_init(enum proc_id id);
/*
 * Drop privileges as the table says for id: as root, chroot to dir and
 * become user; as another user, warn and keep the uid (development).
 * Then apply the process's seccomp filter.  Any failure is fatal.
 */
void	proc_drop(enum proc_id id, const char *user, const char *dir);

#endif /* SWS_PROC_H */
