/*
 * One table drives the processes, and one function takes every child
 * from exec to its sandbox, so the privilege drop can be read once.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>

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
	{ PROC_PARENT,	"relayd",	"parent",	0 },
	{ PROC_RELAY,	"relay",	"relay",	2 },
	{ PROC_CRYPTOD,	"cryptod",	"",		2 },
};

const struct proc_info *
proc_byname(const char *name)
{
	int	 i;

	for (i = 0; i < PROC_MAX; i++)
		if (strcmp(proc_table[i].name, name) == 0)
			return &proc_table[i];
	return NULL;
}

/*
 * First thing in a child: keep stdio and the process's fixed descriptors,
 * close anything else an exec may have let through.
 */
void
proc_init(enum proc_id id)
{
	closefrom(3 + proc_table[id].nfds);
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
