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
	PROC_MAX
};

struct proc_info {
	enum proc_id	 id;
	const char	*name;		/* log name, and -P argument */
	const char	*title;		/* setproctitle(3) */
	int		 nfds;		/* fixed descriptors it keeps: 3.. */
};

extern const struct proc_info proc_table[PROC_MAX];

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
