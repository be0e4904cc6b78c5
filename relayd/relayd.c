/*
 * relayd: the parent process.  It alone stays root: it reads relayd.conf,
 * opens the listening sockets, starts the relay and cryptod by fork and
 * exec (each a fresh image with its socketpairs on fixed descriptors),
 * passes the sockets and settings down, and re-reads the file on SIGHUP.
 * If a child exits, the parent ends the others and exits non-zero: the
 * daemon is whole or not running at all.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "dispatch.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "proto.h"
#include "relay_main.h"
#include "sandbox.h"

#define SHUTDOWN_GRACE_MS	1500
#define PEER_EXIT_WAIT_MS	250	/* see parent_fail_closed() */

extern char **environ;

struct child {
	const char		*name;
	pid_t			 pid;
	struct imsgbuf		 ib;
	struct event		 ev;
	struct bufferevent	*logbev;
};

static struct {
	struct event_base	*base;
	struct relayd_conf	*conf;
	const char		*conffile;
	char			 confpath[PATH_MAX];
	char			 self[PATH_MAX];
	char			 cryptod[PATH_MAX];
	struct child		 relay;
	struct child		 cryptod_child;
	int			 debug;
	int			 verbose;
	int			 shutting_down;
	int			 next_listener_id;
	uint32_t		 max_pending;
	struct event		 ev_sigterm;
	struct event		 ev_sigint;
	struct event		 ev_sighup;
	struct event		 ev_sigchld;
	struct event		 ev_grace;
} pd;

static __dead void	usage(void);
static void		find_programs(void);
static pid_t		spawn(char *const *, int, int, int);
static void		start_children(void);
static int		listener_open(struct listen_conf *);
static void		send_conf(struct relayd_conf *);
static void		parent_reload(void);
static void		parent_shutdown(void);
static void		parent_sig(int, short, void *);
static void		parent_dispatch(int, short, void *);
static void		parent_child_log(struct bufferevent *, void *);
static void		parent_grace(int, short, void *);
static __dead void	parent_fail_closed(pid_t, int);
static void		parent_lockdown(void);
static void		child_event(struct child *);
static void		compose(struct child *, uint32_t, int, const void *,
			    size_t);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: relayd [-dnv] [-D macro=value] [-f file]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	const char	*user = DEFAULT_USER, *dir = DEFAULT_CHROOT;
	const char	*procname = NULL;
	int		 ch, noaction = 0, flags = 0;

	proc_title_init(argc, argv, environ);
	log_init(LOG_TO_STDERR, 0, LOG_DAEMON);
	log_procinit("relayd");
	pd.conffile = DEFAULT_CONFIG;
	while ((ch = getopt(argc, argv, "dD:f:nP:t:u:v")) != -1) {
		switch (ch) {
		case 'd':
			pd.debug = 1;
			break;
		case 'D':
			if (cmdline_symset(optarg) < 0)
				log_warnx("could not parse macro definition %s",
				    optarg);
			break;
		case 'f':
			pd.conffile = optarg;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'P':
			procname = optarg;
			break;
		case 't':
			dir = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'v':
			pd.verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	if (argc != 0)
		usage();

	/* The relay child is this program again, started with -P relay. */
	if (procname != NULL) {
		struct stat	 st;

		if (strcmp(procname, "relay") != 0)
			fatalx("unknown process %s", procname);
		if (fstat(PROC_PARENT_FD, &st) == -1 || !S_ISSOCK(st.st_mode) ||
		    fstat(PROC_PEER_FD, &st) == -1 || !S_ISSOCK(st.st_mode))
			fatalx("-P is for relayd's own use");
		relay_main(pd.debug, pd.verbose, user, dir);
	}

	log_setverbose(pd.verbose);
	/* SIGHUP re-reads the file after daemon(3) has changed to "/". */
	if (realpath(pd.conffile, pd.confpath) != NULL)
		pd.conffile = pd.confpath;
	if (noaction && geteuid() != 0)
		flags |= PARSE_NOCHECK_FILES;
	if ((pd.conf = parse_config(pd.conffile, flags)) == NULL)
		exit(1);
	if (noaction) {
		fprintf(stderr, "configuration OK\n");
		exit(0);
	}
	if (geteuid() != 0)
		log_warnx("not started as root: children keep this user and "
		    "are not chrooted (development only)");
	find_programs();

	if (!pd.debug) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(LOG_TO_SYSLOG, pd.verbose, LOG_DAEMON);
	}
	proc_title(proc_table[PROC_PARENT].title);
	signal(SIGPIPE, SIG_IGN);

	if ((pd.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	evsignal_assign(&pd.ev_sigterm, pd.base, SIGTERM, parent_sig, NULL);
	evsignal_assign(&pd.ev_sigint, pd.base, SIGINT, parent_sig, NULL);
	evsignal_assign(&pd.ev_sighup, pd.base, SIGHUP, parent_sig, NULL);
	evsignal_assign(&pd.ev_sigchld, pd.base, SIGCHLD, parent_sig, NULL);
	evsignal_add(&pd.ev_sigterm, NULL);
	evsignal_add(&pd.ev_sigint, NULL);
	evsignal_add(&pd.ev_sighup, NULL);
	evsignal_add(&pd.ev_sigchld, NULL);
	evtimer_assign(&pd.ev_grace, pd.base, parent_grace, NULL);

	start_children();
	send_conf(pd.conf);
	parent_lockdown();
	log_info("started, %s", pd.conffile);
	event_base_dispatch(pd.base);
	return 1;
}

/*
 * The children run and have their settings queued: from here on the
 * parent needs no fork, exec or ptrace, and may signal nobody but them.
 * A child that dies ends the daemon, so none is ever started again.
 */
static void
parent_lockdown(void)
{
	sandbox_allow_kill(pd.relay.pid);
	sandbox_allow_kill(pd.cryptod_child.pid);
	sandbox_init(PROC_PARENT);
}

/*
 * The relay is this executable; cryptod is the one built beside it in
 * the source tree (relayd/relayd -> cryptod/cryptod) unless this is the
 * installed relayd, which uses the installed cryptod.
 */
static void
find_programs(void)
{
	char	 dirbuf[PATH_MAX];
	ssize_t	 n;

	n = readlink("/proc/self/exe", pd.self, sizeof(pd.self) - 1);
	if (n <= 0)
		fatal("readlink /proc/self/exe");
	pd.self[n] = '\0';
	strlcpy(dirbuf, pd.self, sizeof(dirbuf));
	if (strcmp(pd.self, SWS_SBINDIR "/relayd") != 0) {
		snprintf(pd.cryptod, sizeof(pd.cryptod), "%s/../cryptod/cryptod",
		    dirname(dirbuf));
		if (access(pd.cryptod, X_OK) == 0)
			return;
	}
	strlcpy(pd.cryptod, SWS_LIBEXECDIR "/cryptod", sizeof(pd.cryptod));
	if (access(pd.cryptod, X_OK) == -1)
		fatal("%s", pd.cryptod);
}

/*
 * Fork and exec argv with fd3 and fd4 on descriptors 3 and 4.  A child
 * starts with an empty environment: what it needs comes in argv and over
 * imsg, and nothing the parent was started with (LD_* variables,
 * libevent's EVENT_* switches, anything else) can change how it runs.
 * The sanitizer build alone passes on its runtime's options, which that
 * runtime reads before main(): without them the children would ignore
 * the tests' settings (abort_on_error, no leak check at exit, whose
 * thread the filter refuses).
 */
static pid_t
spawn(char *const *argv, int fd3, int fd4, int logfd)
{
	char	*envp[4];
	pid_t	 pid;
	int	 a, b;
#ifdef SANDBOX_LOGONLY
	static const char *const pass[] = {
		"ASAN_OPTIONS=", "UBSAN_OPTIONS=", "LSAN_OPTIONS="
	};
	size_t	 i, n = 0;
	char	**e;

	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		for (e = environ; *e != NULL; e++)
			if (strncmp(*e, pass[i], strlen(pass[i])) == 0) {
				envp[n++] = *e;
				break;
			}
	envp[n] = NULL;
#else
	envp[0] = NULL;
#endif

	switch (pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		return pid;
	}
	/* Out of the way first, so the dup2s cannot clobber each other. */
	if ((a = fcntl(fd3, F_DUPFD, 10)) == -1 ||
	    (b = fcntl(fd4, F_DUPFD, 10)) == -1)
		_exit(127);
	if (dup2(a, PROC_PARENT_FD) == -1 || dup2(b, PROC_PEER_FD) == -1)
		_exit(127);
	if (logfd != -1 && dup2(logfd, STDERR_FILENO) == -1)
		_exit(127);
	closefrom(PROC_PEER_FD + 1);
	signal(SIGPIPE, SIG_DFL);
	execve(argv[0], argv, envp);
	_exit(127);
}

static void
child_init(struct child *c, const char *name, int fd, int logfd)
{
	c->name = name;
	if (imsgbuf_init(&c->ib, fd) == -1)
		fatal("imsgbuf_init");
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl");
	event_assign(&c->ev, pd.base, fd, EV_READ | EV_PERSIST,
	    parent_dispatch, c);
	event_add(&c->ev, NULL);
	if (logfd != -1) {
		c->logbev = bufferevent_socket_new(pd.base, logfd,
		    BEV_OPT_CLOSE_ON_FREE);
		if (c->logbev == NULL)
			fatalx("bufferevent_socket_new");
		bufferevent_setcb(c->logbev, parent_child_log, NULL, NULL, c);
		bufferevent_enable(c->logbev, EV_READ);
	}
}

static void
start_children(void)
{
	struct listen_conf	*l;
	int			 pr[2], pc[2], rc[2], lr[2] = { -1, -1 };
	int			 lc[2] = { -1, -1 };
	char			*rargv[12], *cargv[12];
	int			 i, j, v;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pr) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pc) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rc) == -1)
		fatal("socketpair");
	if (!pd.debug && (pipe2(lr, O_CLOEXEC) == -1 ||
	    pipe2(lc, O_CLOEXEC) == -1))
		fatal("pipe2");

	i = j = 0;
	rargv[i++] = pd.self;
	rargv[i++] = "-P";
	rargv[i++] = "relay";
	cargv[j++] = pd.cryptod;
	rargv[i++] = cargv[j++] = "-u";
	rargv[i++] = cargv[j++] = pd.conf->user;
	rargv[i++] = cargv[j++] = "-t";
	rargv[i++] = cargv[j++] = pd.conf->chroot;
	if (pd.debug)
		rargv[i++] = cargv[j++] = "-d";
	for (v = 0; v < pd.verbose && v < 2; v++)
		rargv[i++] = cargv[j++] = "-v";
	cargv[j++] = pd.conf->keyfile;
	rargv[i] = cargv[j] = NULL;

	pd.cryptod_child.pid = spawn(cargv, pc[1], rc[1], lc[1]);
	pd.relay.pid = spawn(rargv, pr[1], rc[0], lr[1]);
	close(pr[1]);
	close(pc[1]);
	close(rc[0]);
	close(rc[1]);
	if (!pd.debug) {
		close(lr[1]);
		close(lc[1]);
	}
	child_init(&pd.relay, "relay", pr[0], lr[0]);
	child_init(&pd.cryptod_child, "cryptod", pc[0], lc[0]);

	TAILQ_FOREACH(l, &pd.conf->listeners, entry) {
		if (listener_open(l) == -1)
			fatalx("cannot listen on %s", l->name);
	}
}

static int
listener_open(struct listen_conf *l)
{
	struct imsg_listener	 il;
	int			 fd, one = 1;

	fd = socket(l->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd == -1) {
		log_warn("socket for %s", l->name);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))
	    == -1 || (l->ss.ss_family == AF_INET6 && setsockopt(fd,
	    IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == -1)) {
		log_warn("setsockopt for %s", l->name);
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&l->ss, l->sslen) == -1) {
		log_warn("bind %s", l->name);
		close(fd);
		return -1;
	}
	if (listen(fd, SOMAXCONN) == -1) {
		log_warn("listen %s", l->name);
		close(fd);
		return -1;
	}
	l->id = ++pd.next_listener_id;
	memset(&il, 0, sizeof(il));
	il.id = l->id;
	strlcpy(il.name, l->name, sizeof(il.name));
	/* the descriptor goes to the relay and is closed here once sent */
	compose(&pd.relay, IMSG_LISTENER_ADD, fd, &il, sizeof(il));
	log_info("listening on %s", l->name);
	return 0;
}

static void
send_conf(struct relayd_conf *conf)
{
	struct imsg_cryptod_conf	 cc;
	struct conf_str			*s;

	compose(&pd.relay, IMSG_CONF_LIMITS, -1, &conf->lim,
	    sizeof(conf->lim));
	TAILQ_FOREACH(s, &conf->origins, entry)
		compose(&pd.relay, IMSG_CONF_ORIGIN, -1, s->s,
		    strlen(s->s) + 1);
	compose(&pd.relay, IMSG_CONF_END, -1, NULL, 0);

	/* cryptod holds at most one challenge per connection. */
	if (conf->lim.max_conn + 1024 > pd.max_pending)
		pd.max_pending = conf->lim.max_conn + 1024;
	memset(&cc, 0, sizeof(cc));
	cc.registration_timeout = conf->lim.registration_timeout;
	cc.max_pending = pd.max_pending;
	compose(&pd.cryptod_child, IMSG_CRYPTOD_CONF, -1, &cc, sizeof(cc));
	TAILQ_FOREACH(s, &conf->server_names, entry)
		compose(&pd.cryptod_child, IMSG_CRYPTOD_NAME, -1, s->s,
		    strlen(s->s) + 1);
	compose(&pd.cryptod_child, IMSG_CRYPTOD_CONF_END, -1, NULL, 0);
}

static int
same_addr(const struct listen_conf *a, const struct listen_conf *b)
{
	return a->sslen == b->sslen && memcmp(&a->ss, &b->ss, a->sslen) == 0;
}

/*
 * SIGHUP: a file with errors changes nothing.  Limits, origins, timeouts
 * and server names apply to new checks at once; listeners that appeared
 * are opened, those that went are closed; key, user and chroot need a
 * restart.
 */
static void
parent_reload(void)
{
	struct relayd_conf	*nc;
	struct listen_conf	*ol, *nl;
	struct imsg_listener	 il;
	int			 found;

	log_info("reloading %s", pd.conffile);
	if ((nc = parse_config(pd.conffile, 0)) == NULL) {
		log_warnx("%s: errors, configuration not reloaded; the "
		    "running one stays in force", pd.conffile);
		return;
	}
	if (strcmp(nc->keyfile, pd.conf->keyfile) != 0 ||
	    strcmp(nc->user, pd.conf->user) != 0 ||
	    strcmp(nc->chroot, pd.conf->chroot) != 0)
		log_warnx("key, user and chroot changes take effect on "
		    "restart");
	strlcpy(nc->keyfile, pd.conf->keyfile, sizeof(nc->keyfile));
	strlcpy(nc->user, pd.conf->user, sizeof(nc->user));
	strlcpy(nc->chroot, pd.conf->chroot, sizeof(nc->chroot));

	/* Keep the sockets of listeners that stay. */
	TAILQ_FOREACH(nl, &nc->listeners, entry) {
		nl->id = 0;
		TAILQ_FOREACH(ol, &pd.conf->listeners, entry)
			if (same_addr(ol, nl))
				nl->id = ol->id;
	}
	TAILQ_FOREACH(ol, &pd.conf->listeners, entry) {
		found = 0;
		TAILQ_FOREACH(nl, &nc->listeners, entry)
			if (nl->id == ol->id)
				found = 1;
		if (!found) {
			memset(&il, 0, sizeof(il));
			il.id = ol->id;
			compose(&pd.relay, IMSG_LISTENER_DEL, -1, &il,
			    sizeof(il));
			log_info("no longer listening on %s", ol->name);
		}
	}
	TAILQ_FOREACH(nl, &nc->listeners, entry)
		if (nl->id == 0 && listener_open(nl) == -1)
			log_warnx("%s: not listening on it", nl->name);
	send_conf(nc);
	conf_free(pd.conf);
	pd.conf = nc;
}

static void
compose(struct child *c, uint32_t type, int fd, const void *data,
    size_t len)
{
	if (imsg_compose(&c->ib, type, 0, fd, data, len) == -1)
		fatal("imsg to %s", c->name);
	child_event(c);
}

static void
child_event(struct child *c)
{
	short	 what = EV_READ | EV_PERSIST;

	if (c->ib.fd == -1)
		return;
	if (imsgbuf_queued(&c->ib) > 0)
		what |= EV_WRITE;
	if (event_get_events(&c->ev) == what)
		return;
	event_del(&c->ev);
	event_assign(&c->ev, pd.base, c->ib.fd, what, parent_dispatch, c);
	event_add(&c->ev, NULL);
}

static void
msg_relay_ready(struct imsg *imsg, void *arg)
{
	(void)imsg;
	(void)arg;
	log_debug("relay: settings in force");
}

/* What the children may tell the parent. */
static const struct imsg_handler parent_imsg[] = {
	{ IMSG_RELAY_READY, "RELAY_READY", IMSG_PEER(PROC_RELAY),
	    0, 0, IMSG_FD_NO, msg_relay_ready },
};

static void
parent_dispatch(int fd, short what, void *arg)
{
	struct child	*c = arg;
	ssize_t		 n;

	(void)fd;
	if ((what & EV_WRITE) && imsgbuf_write(&c->ib) == -1 &&
	    errno != EPIPE)
		log_warn("write to %s", c->name);
	if (what & EV_READ) {
		n = imsgbuf_read(&c->ib);
		if (n == -1 && errno != EAGAIN && errno != ECONNRESET)
			fatal("read from %s", c->name);
		if (n == 0 || (n == -1 && errno == ECONNRESET)) {
			/* SIGCHLD tells the rest */
			event_del(&c->ev);
			return;
		}
		imsg_dispatch(&c->ib, c == &pd.relay ? PROC_RELAY :
		    PROC_CRYPTOD, parent_imsg, IMSG_NHANDLERS(parent_imsg), c);
	}
	child_event(c);
}

/* A daemon's children log through a pipe: "<pri>name: text" lines. */
static void
parent_child_log(struct bufferevent *bev, void *arg)
{
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line, *p;
	long		 pri;

	(void)arg;
	while ((line = evbuffer_readln(in, NULL, EVBUFFER_EOL_LF)) != NULL) {
		pri = LOG_INFO;
		p = line;
		if (*p == '<') {
			pri = strtol(p + 1, &p, 10);
			if (*p == '>')
				p++;
			if (pri < 0 || pri > LOG_DEBUG)
				pri = LOG_INFO;
		}
		syslog((int)pri, "%s", p);
		free(line);
	}
}

static const char *
child_name(pid_t pid)
{
	if (pid == pd.relay.pid)
		return "relay";
	if (pid == pd.cryptod_child.pid)
		return "cryptod";
	return "unknown child";
}

static const char *
child_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		(void)snprintf(buf, len, "terminated by signal %d%s",
		    WTERMSIG(status), WCOREDUMP(status) ? " (core dumped)" : "");
	else if (WIFEXITED(status))
		(void)snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else
		(void)snprintf(buf, len, "wait status 0x%x", status);
	return buf;
}

/* A child is gone: forget its pid, so nothing signals a reused one. */
static const char *
child_gone(pid_t pid)
{
	const char	*name = child_name(pid);

	if (pid == pd.relay.pid)
		pd.relay.pid = 0;
	else if (pid == pd.cryptod_child.pid)
		pd.cryptod_child.pid = 0;
	return name;
}

struct ended {
	const char	*name;
	int		 status;
	int		 killed;	/* by the parent, failing closed */
};

static int
ended_rank(const struct ended *e)
{
	if (e->killed)
		return 0;
	if (WIFSIGNALED(e->status))
		return 3;
	if (!WIFEXITED(e->status) || WEXITSTATUS(e->status) != 0)
		return 2;
	return 1;
}

/*
 * Fail closed: a child ended on its own, so the other is killed and the
 * daemon stops.  A child's peer often dies of it (cryptod exits 0 when
 * the relay's channel closes, the relay exits 1 when cryptod's does), and
 * the order waitpid(2) returns them in says nothing of which went first.
 * So every child is reaped and logged with its status, and the one named
 * as the cause is the one that did not die of the other: a signal the
 * parent did not send, before a non-zero exit, before an exit 0.  An
 * exit 0 is only ever a consequence, so its peer gets a moment to end
 * by itself and show its own status.
 */
static __dead void
parent_fail_closed(pid_t pid, int status)
{
	struct ended	 ended[8], *cause;
	char		 buf[64];
	size_t		 n = 0, i;
	int		 waited, abnormal;

	ended[n].name = child_gone(pid);
	ended[n].status = status;
	ended[n++].killed = 0;
	for (waited = 0; ; waited += 10) {
		while (n < 7 && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
			ended[n].name = child_gone(pid);
			ended[n].status = status;
			ended[n++].killed = 0;
		}
		abnormal = 0;
		for (i = 0; i < n; i++)
			if (ended_rank(&ended[i]) > 1)
				abnormal = 1;
		if (abnormal || waited >= PEER_EXIT_WAIT_MS ||
		    (pd.relay.pid == 0 && pd.cryptod_child.pid == 0))
			break;
		(void)poll(NULL, 0, 10);
	}
	if (pd.relay.pid > 0)
		kill(pd.relay.pid, SIGKILL);
	if (pd.cryptod_child.pid > 0)
		kill(pd.cryptod_child.pid, SIGKILL);
	while (n < 7 && (pid = waitpid(-1, &status, 0)) > 0) {
		ended[n].killed = (pid == pd.relay.pid ||
		    pid == pd.cryptod_child.pid) && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGKILL;
		ended[n].name = child_gone(pid);
		ended[n++].status = status;
	}

	cause = &ended[0];
	for (i = 1; i < n; i++)
		if (ended_rank(&ended[i]) > ended_rank(cause))
			cause = &ended[i];
	log_warnx("%s %s", cause->name, child_status(cause->status, buf,
	    sizeof(buf)));
	for (i = 0; i < n; i++) {
		if (&ended[i] == cause)
			continue;
		if (ended[i].killed)
			log_warnx("%s %s (killed by the parent)", ended[i].name,
			    child_status(ended[i].status, buf, sizeof(buf)));
		else
			log_warnx("%s %s (after the %s)", ended[i].name,
			    child_status(ended[i].status, buf, sizeof(buf)),
			    cause->name);
	}
	log_warnx("a child exited: stopping (%s %s)", cause->name,
	    child_status(cause->status, buf, sizeof(buf)));
	exit(1);
}

static void
parent_sig(int sig, short what, void *arg)
{
	const char	*name;
	char		 buf[64];
	pid_t		 pid;
	int		 status;

	(void)what;
	(void)arg;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		parent_shutdown();
		break;
	case SIGHUP:
		if (!pd.shutting_down)
			parent_reload();
		break;
	case SIGCHLD:
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (!pd.shutting_down)
				parent_fail_closed(pid, status);
			name = child_gone(pid);
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				log_info("%s exited with status 0", name);
			else
				log_warnx("%s %s while shutting down", name,
				    child_status(status, buf, sizeof(buf)));
			/* The relay is done: now cryptod may go. */
			if (pd.relay.pid == 0 && pd.cryptod_child.ib.fd != -1) {
				event_del(&pd.cryptod_child.ev);
				close(pd.cryptod_child.ib.fd);
				pd.cryptod_child.ib.fd = -1;
			}
			if (pd.relay.pid == 0 && pd.cryptod_child.pid == 0) {
				log_info("stopped");
				exit(0);
			}
		}
		break;
	}
}

/*
 * The relay says goodbye to its sessions first; cryptod is closed only
 * after the relay is gone, so no registration sees it vanish.
 */
static void
parent_shutdown(void)
{
	struct timeval	 tv;

	if (pd.shutting_down)
		return;
	pd.shutting_down = 1;
	log_info("shutting down");
	compose(&pd.relay, IMSG_SHUTDOWN, -1, NULL, 0);
	tv.tv_sec = SHUTDOWN_GRACE_MS / 1000;
	tv.tv_usec = (SHUTDOWN_GRACE_MS % 1000) * 1000;
	evtimer_add(&pd.ev_grace, &tv);
}

static void
parent_grace(int fd, short what, void *arg)
{
	const char	*name;
	char		 buf[64];
	pid_t		 pid;
	int		 status, killed;

	(void)fd;
	(void)what;
	(void)arg;
	log_warnx("children still running after %d ms: killing them",
	    SHUTDOWN_GRACE_MS);
	if (pd.relay.pid > 0)
		kill(pd.relay.pid, SIGKILL);
	if (pd.cryptod_child.pid > 0)
		kill(pd.cryptod_child.pid, SIGKILL);
	while ((pid = waitpid(-1, &status, 0)) > 0) {
		killed = (pid == pd.relay.pid || pid == pd.cryptod_child.pid) &&
		    WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		name = child_gone(pid);
		log_warnx("%s %s%s", name, child_status(status, buf,
		    sizeof(buf)), killed ? " (killed by the parent)" : "");
	}
	log_info("stopped");
	exit(0);
}
