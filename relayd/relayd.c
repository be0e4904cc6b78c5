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
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include <openssl/crypto.h>

#include "config.h"
#include "control.h"
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

/* What the parent holds for a child: the row of proc_table[] it runs. */
struct child {
	const struct proc_info	*info;
	pid_t			 pid;
	struct imsgbuf		 ib;
	struct event		 ev;
	struct bufferevent	*logbev;
	int			 fds[PROC_FDS_MAX];	/* its ends, until spawned */
	int			 logpipe[2];		/* -1 in the foreground */
	char			 pname[32];		/* -P's argument */
};

/* The entry of each process that is relayd itself, started with -P. */
typedef void	(*proc_main_fn)(int, int, const char *, const char *);
static const proc_main_fn proc_main[PROC_MAX] = {
	[PROC_RELAY] =	relay_main,
};

/* Every child, in table order: PROC_PARENT is row 0. */
#define CHILD(id)		(&pd.child[(id)])
#define FOREACH_CHILD(c)	\
	for ((c) = &pd.child[1]; (c) < &pd.child[PROC_MAX]; (c)++)

static struct {
	struct event_base	*base;
	struct relayd_conf	*conf;
	const char		*conffile;
	char			 confpath[PATH_MAX];
	char			 self[PATH_MAX];
	char			 cryptod[PATH_MAX];
	char			 ca[PATH_MAX];
	char			 cluster[PATH_MAX];
	struct child		 child[PROC_MAX];
	int			 debug;
	int			 verbose;
	int			 shutting_down;
	int			 next_listener_id;
	uint32_t		 max_pending;
	int			 ca_sets;	/* key sets ca has not installed */
	int			 ctl_fd;	/* the control socket */
	/* the service manager's readiness protocol (sd_notify(3)) */
	int			 notify;	/* NOTIFY_SOCKET was set */
	int			 relay_ready;	/* the relay applied a set */
	int			 cryptod_ready;	/* cryptod answered a ping */
	int			 ready_sent;	/* READY=1 since the last start
						   or reload */
	uint64_t		 ping_seq;
	struct imsg_status	 status;	/* the relay's last */
	uint64_t		 status_prev;	/* delivered, the one before */
	struct timespec		 status_at;	/* when the last came */
	struct timespec		 status_prev_at;
	struct event		 ev_sigterm;
	struct event		 ev_sigint;
	struct event		 ev_sighup;
	struct event		 ev_sigchld;
	struct event		 ev_grace;
} pd;

static __dead void	usage(void);
static void		find_programs(void);
static pid_t		spawn(char *const *, const int *, int, int);
static void		start_children(void);
static int		listener_open(struct listen_conf *);
static void		send_conf(struct relayd_conf *);
static void		send_keys(struct relayd_conf *);
static void		send_tls(struct relayd_conf *);
static void		send_cluster(struct relayd_conf *);
static void		send_chunks(struct child *, uint32_t,
			    const struct imsg_tls_chunk *, const uint8_t *,
			    size_t);
static int		parent_reload(void);
static void		cryptod_ping(void);
static void		parent_shutdown(void);
static void		parent_sig(int, short, void *);
static void		parent_dispatch(int, short, void *);
static void		parent_child_log(struct bufferevent *, void *);
static void		parent_grace(int, short, void *);
static __dead void	parent_fail_closed(pid_t, int);
static void		parent_lockdown(void);
static void		child_event(struct child *);
static int		children_left(enum proc_stop);
static void		children_close(enum proc_stop);
static void		children_kill(void);
static void		compose(struct child *, uint32_t, int, const void *,
			    size_t);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: relayd [-dnVv] [-D macro=value] [-f file]\n");
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
	while ((ch = getopt(argc, argv, "dD:f:nP:t:u:Vv")) != -1) {
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
		case 'V':
			printf("relayd %s\n", SWS_VERSION);
			exit(0);
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

	/* A child that is this program again, started with -P name. */
	if (procname != NULL) {
		const struct proc_info	*p = proc_byname(procname);

		if (p == NULL || p->exec != PROC_EXEC_SELF ||
		    proc_main[p->id] == NULL)
			fatalx("unknown process %s", procname);
		if (proc_check_fds(p->id) == -1)
			fatalx("-P is for relayd's own use");
		proc_main[p->id](pd.debug, pd.verbose, user, dir);
		fatalx("%s returned", p->name);
	}

	log_setverbose(pd.verbose);
	/* SIGHUP re-reads the file after daemon(3) has changed to "/". */
	if (realpath(pd.conffile, pd.confpath) != NULL)
		pd.conffile = pd.confpath;
	if (noaction && geteuid() != 0)
		flags |= PARSE_NOCHECK_FILES;
	/*
	 * libcrypto's own configuration, before any sandbox (certs.c); no
	 * clean-up at exit, whose calls the parent's filter does not allow.
	 */
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG |
	    OPENSSL_INIT_NO_ATEXIT, NULL) != 1)
		fatalx("OPENSSL_init_crypto");
	if ((pd.conf = parse_config(pd.conffile, flags)) == NULL)
		exit(1);
	certs_expiry(pd.conf);
	if (noaction) {
		fprintf(stderr, "configuration OK\n");
		exit(0);
	}
	if (geteuid() != 0)
		log_warnx("not started as root: children keep this user and "
		    "are not chrooted (development only)");
	find_programs();
	if ((pd.ctl_fd = control_init(pd.conf->ctl_path, pd.conf->ctl_gid))
	    == -1)
		fatalx("cannot create the control socket %s",
		    pd.conf->ctl_path);

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
	control_start(pd.base, pd.ctl_fd, pd.conf->ctl_gid);

	pd.notify = getenv("NOTIFY_SOCKET") != NULL;
	start_children();
	send_conf(pd.conf);
	send_cluster(pd.conf);
	cryptod_ping();
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
	struct child	*c;

	FOREACH_CHILD(c)
		if (c->pid > 0)
			sandbox_allow_kill(c->pid);
	sandbox_init(PROC_PARENT);
}

/*
 * The relay is this executable; cryptod and relayd-ca are the ones built
 * beside it in the source tree (relayd/relayd -> cryptod/cryptod,
 * ca/relayd-ca) unless this is the installed relayd, which uses the
 * installed ones.
 */
static void
find_program(char *out, size_t len, const char *tree, const char *installed)
{
	char	 dirbuf[PATH_MAX];

	if (strcmp(pd.self, SWS_SBINDIR "/relayd") != 0) {
		strlcpy(dirbuf, pd.self, sizeof(dirbuf));
		snprintf(out, len, "%s/../%s", dirname(dirbuf), tree);
		if (access(out, X_OK) == 0)
			return;
	}
	strlcpy(out, installed, len);
	if (access(out, X_OK) == -1)
		fatal("%s", out);
}

static void
find_programs(void)
{
	ssize_t	 n;

	n = readlink("/proc/self/exe", pd.self, sizeof(pd.self) - 1);
	if (n <= 0)
		fatal("readlink /proc/self/exe");
	pd.self[n] = '\0';
	find_program(pd.cryptod, sizeof(pd.cryptod), "cryptod/cryptod",
	    SWS_LIBEXECDIR "/cryptod");
	find_program(pd.ca, sizeof(pd.ca), "ca/relayd-ca",
	    SWS_LIBEXECDIR "/relayd-ca");
	if (pd.conf->cluster.on)
		find_program(pd.cluster, sizeof(pd.cluster),
		    "cluster/relayd-cluster", SWS_LIBEXECDIR "/relayd-cluster");
}

/*
 * Fork and exec argv with fds[0..n-1] on descriptors 3 to 2+n.  A child
 * starts with an empty environment: what it needs comes in argv and over
 * imsg, and nothing the parent was started with (LD_* variables,
 * libevent's EVENT_* switches, anything else) can change how it runs.
 * The sanitizer build alone passes on its runtime's options, which that
 * runtime reads before main(): without them the children would ignore
 * the tests' settings (abort_on_error, no leak check at exit, whose
 * thread the filter refuses).
 */
static pid_t
spawn(char *const *argv, const int *fds, int n, int logfd)
{
	char	*envp[4];
	pid_t	 pid;
	int	 moved[PROC_FDS_MAX], i;
#ifdef SANDBOX_LOGONLY
	static const char *const pass[] = {
		"ASAN_OPTIONS=", "UBSAN_OPTIONS=", "LSAN_OPTIONS="
	};
	size_t	 k, nenv = 0;
	char	**e;

	for (k = 0; k < sizeof(pass) / sizeof(pass[0]); k++)
		for (e = environ; *e != NULL; e++)
			if (strncmp(*e, pass[k], strlen(pass[k])) == 0) {
				envp[nenv++] = *e;
				break;
			}
	envp[nenv] = NULL;
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
	for (i = 0; i < n; i++)
		if ((moved[i] = fcntl(fds[i], F_DUPFD, PROC_FD_PARENT +
		    PROC_FDS_MAX)) == -1)
			_exit(127);
	for (i = 0; i < n; i++)
		if (dup2(moved[i], PROC_FD_PARENT + i) == -1)
			_exit(127);
	if (logfd != -1 && dup2(logfd, STDERR_FILENO) == -1)
		_exit(127);
	closefrom(PROC_FD_PARENT + n);
	signal(SIGPIPE, SIG_DFL);
	execve(argv[0], argv, envp);
	_exit(127);
}

static void
child_init(struct child *c, int fd, int logfd)
{
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

/* A child's command line, as its row says. */
static void
child_argv(struct child *c, char **argv, size_t len)
{
	const struct proc_info	*p = c->info;
	size_t			 i = 0;
	int			 v;

	if (len < 12)
		fatalx("child_argv");
	switch (p->exec) {
	case PROC_EXEC_CRYPTOD:
		argv[i++] = pd.cryptod;
		break;
	case PROC_EXEC_CA:
		argv[i++] = pd.ca;
		break;
	case PROC_EXEC_CLUSTER:
		argv[i++] = pd.cluster;
		break;
	default:
		argv[i++] = pd.self;
		break;
	}
	if (p->exec == PROC_EXEC_SELF) {
		if (strlcpy(c->pname, p->name, sizeof(c->pname)) >=
		    sizeof(c->pname))
			fatalx("process name %s too long", p->name);
		argv[i++] = "-P";
		argv[i++] = c->pname;
	}
	if (p->args & PROC_ARG_DROP) {
		argv[i++] = "-u";
		argv[i++] = pd.conf->user;
		argv[i++] = "-t";
		argv[i++] = pd.conf->chroot;
	}
	if (pd.debug)
		argv[i++] = "-d";
	for (v = 0; v < pd.verbose && v < 2; v++)
		argv[i++] = "-v";
	if (p->args & PROC_ARG_KEYFILE)
		argv[i++] = pd.conf->keyfile;
	argv[i] = NULL;
}

/*
 * Every row but the parent's is a child: a channel to the parent on its
 * descriptor 3, one socketpair per pair of peers on the descriptors the
 * table gives both ends, and (as a daemon) a pipe for its log.
 */
static int
child_wanted(const struct child *c)
{
	switch (c->info->when) {
	case PROC_WHEN_CLUSTER:
		return pd.conf->cluster.on;
	default:
		return 1;
	}
}

static void
start_children(void)
{
	struct listen_conf	*l;
	struct child		*c, *d;
	char			*argv[16];
	int			 sp[2], mine[PROC_MAX], fd, n, cd, dc;

	FOREACH_CHILD(c) {
		c->info = &proc_table[c - pd.child];
		for (fd = 0; fd < PROC_FDS_MAX; fd++)
			c->fds[fd] = -1;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)
		    == -1)
			fatal("socketpair");
		mine[c->info->id] = sp[0];
		c->fds[0] = sp[1];
		c->logpipe[0] = c->logpipe[1] = -1;
		if (!pd.debug && pipe2(c->logpipe, O_CLOEXEC) == -1)
			fatal("pipe2");
	}
	FOREACH_CHILD(c)
		for (d = c + 1; d < &pd.child[PROC_MAX]; d++) {
			cd = (c->info->peers & PROC_BIT(d->info->id)) != 0;
			dc = (d->info->peers & PROC_BIT(c->info->id)) != 0;
			if (cd != dc)
				fatalx("%s and %s disagree on their channel",
				    c->info->name, d->info->name);
			if (!cd)
				continue;
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
			    sp) == -1)
				fatal("socketpair");
			c->fds[proc_fd(c->info->id, d->info->id) -
			    PROC_FD_PARENT] = sp[0];
			d->fds[proc_fd(d->info->id, c->info->id) -
			    PROC_FD_PARENT] = sp[1];
		}
	/*
	 * A child that is not wanted (relayd-cluster without a cluster
	 * block) is not started: its ends of the channels are closed below,
	 * and its peers, told nothing of it, never read theirs.
	 */
	FOREACH_CHILD(c) {
		if (!child_wanted(c))
			continue;
		n = proc_nfds(c->info->id);
		for (fd = 0; fd < n; fd++)
			if (c->fds[fd] == -1)
				fatalx("%s: descriptor %d has no channel",
				    c->info->name, PROC_FD_PARENT + fd);
		child_argv(c, argv, sizeof(argv) / sizeof(argv[0]));
		c->pid = spawn(argv, c->fds, n, c->logpipe[1]);
	}
	/* Each end is in its child now: the parent keeps only its own. */
	FOREACH_CHILD(c) {
		for (fd = 0; fd < PROC_FDS_MAX; fd++)
			if (c->fds[fd] != -1) {
				close(c->fds[fd]);
				c->fds[fd] = -1;
			}
		if (c->logpipe[1] != -1)
			close(c->logpipe[1]);
		if (!child_wanted(c)) {
			close(mine[c->info->id]);
			if (c->logpipe[0] != -1)
				close(c->logpipe[0]);
			c->ib.fd = -1;
			continue;
		}
		child_init(c, mine[c->info->id], c->logpipe[0]);
	}

	TAILQ_FOREACH(l, &pd.conf->listeners, entry) {
		if (listener_open(l) == -1)
			fatalx("cannot listen on %s", l->name);
	}
}

static uint32_t
listener_flags(const struct listen_conf *l)
{
	return (l->proxy ? LISTENER_PROXY : 0) | (l->tls ? LISTENER_TLS : 0) |
	    (l->metrics ? LISTENER_METRICS : 0);
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
	il.flags = listener_flags(l);
	strlcpy(il.name, l->name, sizeof(il.name));
	/* the descriptor goes to the relay and is closed here once sent */
	compose(CHILD(PROC_RELAY), IMSG_LISTENER_ADD, fd, &il, sizeof(il));
	log_info("listening on %s", l->name);
	return 0;
}

static void
send_conf(struct relayd_conf *conf)
{
	struct imsg_cryptod_conf	 cc;
	struct conf_str			*s;

	compose(CHILD(PROC_RELAY), IMSG_CONF_LIMITS, -1, &conf->lim,
	    sizeof(conf->lim));
	TAILQ_FOREACH(s, &conf->origins, entry)
		compose(CHILD(PROC_RELAY), IMSG_CONF_ORIGIN, -1, s->s,
		    strlen(s->s) + 1);
	compose(CHILD(PROC_RELAY), IMSG_CONF_END, -1, NULL, 0);

	/* cryptod holds at most one challenge per connection. */
	if (conf->lim.max_conn + 1024 > pd.max_pending)
		pd.max_pending = conf->lim.max_conn + 1024;
	memset(&cc, 0, sizeof(cc));
	cc.registration_timeout = conf->lim.registration_timeout;
	cc.max_pending = pd.max_pending;
	compose(CHILD(PROC_CRYPTOD), IMSG_CRYPTOD_CONF, -1, &cc, sizeof(cc));
	TAILQ_FOREACH(s, &conf->server_names, entry)
		compose(CHILD(PROC_CRYPTOD), IMSG_CRYPTOD_NAME, -1, s->s,
		    strlen(s->s) + 1);
	compose(CHILD(PROC_CRYPTOD), IMSG_CRYPTOD_CONF_END, -1, NULL, 0);

	/* The relay's TLS set follows once ca holds its keys (CA_READY). */
	send_keys(conf);
}

/*
 * Data in chunks of at most TLS_CHUNK_MAX: a header (ch, or none for
 * ca's key data) and bytes.
 */
static void
send_chunks(struct child *c, uint32_t type, const struct imsg_tls_chunk *ch,
    const uint8_t *p, size_t len)
{
	uint8_t		 buf[sizeof(*ch) + TLS_CHUNK_MAX];
	size_t		 hlen = ch != NULL ? sizeof(*ch) : 0, n;

	while (len > 0) {
		n = len > TLS_CHUNK_MAX ? TLS_CHUNK_MAX : len;
		if (ch != NULL)
			memcpy(buf, ch, sizeof(*ch));
		memcpy(buf + hlen, p, n);
		compose(c, type, -1, buf, hlen + n);
		p += n;
		len -= n;
	}
	explicit_bzero(buf, sizeof(buf));
}

/* Every private key, to ca alone: an empty set when there is no TLS. */
static void
send_keys(struct relayd_conf *conf)
{
	struct child		*ca = CHILD(PROC_CA);
	struct tls_pair_conf	*tp;

	compose(ca, IMSG_CA_KEYS, -1, NULL, 0);
	TAILQ_FOREACH(tp, &conf->tls_pairs, entry) {
		send_chunks(ca, IMSG_CA_KEY_DATA, NULL, tp->key_pem,
		    tp->key_len);
		compose(ca, IMSG_CA_KEY_END, -1, NULL, 0);
	}
	compose(ca, IMSG_CA_KEYS_END, -1, NULL, 0);
	pd.ca_sets++;
}

/* Certificates, stand-in keys and staples, to the relay. */
static void
send_tls(struct relayd_conf *conf)
{
	struct child		*relay = CHILD(PROC_RELAY);
	struct imsg_tls_conf	 tc;
	struct imsg_tls_chunk	 ch;
	struct tls_pair_conf	*tp;
	uint32_t		 i = 0;

	if (conf->ntls_pairs == 0)
		return;
	memset(&tc, 0, sizeof(tc));
	tc.protocols = conf->tls_protocols;
	tc.npairs = (uint32_t)conf->ntls_pairs;
	strlcpy(tc.ciphers, conf->tls_ciphers, sizeof(tc.ciphers));
	compose(relay, IMSG_TLS_CONF, -1, &tc, sizeof(tc));
	TAILQ_FOREACH(tp, &conf->tls_pairs, entry) {
		ch.pair = i++;
		ch.what = TLS_DATA_CERT;
		send_chunks(relay, IMSG_TLS_DATA, &ch, tp->cert_pem,
		    tp->cert_len);
		ch.what = TLS_DATA_KEY;
		send_chunks(relay, IMSG_TLS_DATA, &ch, tp->stand_pem,
		    tp->stand_len);
		if (tp->ocsp_der != NULL) {
			ch.what = TLS_DATA_OCSP;
			send_chunks(relay, IMSG_TLS_DATA, &ch, tp->ocsp_der,
			    tp->ocsp_len);
		}
	}
	compose(relay, IMSG_TLS_END, -1, NULL, 0);
}

/*
 * A cluster's settings, once at start: relayd-cluster gets the servers
 * and the credential, the relay its node name and the timeout.
 */
static void
send_cluster(struct relayd_conf *conf)
{
	struct cluster_conf		*cc = &conf->cluster;
	struct child			*c = CHILD(PROC_CLUSTER);
	struct imsg_cluster_conf	 icc;
	struct imsg_cluster_node	 in;
	size_t				 i, off, n;

	if (!cc->on)
		return;
	memset(&icc, 0, sizeof(icc));
	strlcpy(icc.name, cc->name, sizeof(icc.name));
	strlcpy(icc.node, cc->node, sizeof(icc.node));
	icc.timeout_ms = cc->timeout_ms;
	icc.auth = cc->auth;
	icc.tls = cc->tls;
	strlcpy(icc.user, cc->user, sizeof(icc.user));
	strlcpy(icc.tls_name, cc->tls_name, sizeof(icc.tls_name));
	compose(c, IMSG_CLUSTER_CONF, -1, &icc, sizeof(icc));
	for (i = 0; i < cc->naddrs; i++)
		compose(c, IMSG_CLUSTER_URL, -1, &cc->addrs[i],
		    sizeof(cc->addrs[i]));
	for (off = 0; off < cc->secret_len; off += n) {
		n = cc->secret_len - off;
		if (n > CLUSTER_CHUNK)
			n = CLUSTER_CHUNK;
		compose(c, IMSG_CLUSTER_SECRET, -1, cc->secret + off, n);
	}
	for (off = 0; off < cc->ca_len; off += n) {
		n = cc->ca_len - off;
		if (n > CLUSTER_CHUNK)
			n = CLUSTER_CHUNK;
		compose(c, IMSG_CLUSTER_CA, -1, cc->ca_pem + off, n);
	}
	compose(c, IMSG_CLUSTER_CONF_END, -1, NULL, 0);

	memset(&in, 0, sizeof(in));
	strlcpy(in.name, cc->name, sizeof(in.name));
	strlcpy(in.node, cc->node, sizeof(in.node));
	in.timeout_ms = cc->timeout_ms;
	compose(CHILD(PROC_RELAY), IMSG_CLUSTER_NODE, -1, &in, sizeof(in));
}

/* Whether two cluster blocks say the same (a change needs a restart). */
static int
same_cluster(const struct cluster_conf *a, const struct cluster_conf *b)
{
	size_t	 i;

	if (a->on != b->on)
		return 0;
	if (!a->on)
		return 1;
	if (strcmp(a->name, b->name) != 0 || strcmp(a->node, b->node) != 0 ||
	    a->timeout_ms != b->timeout_ms || a->auth != b->auth ||
	    a->tls != b->tls || strcmp(a->user, b->user) != 0 ||
	    strcmp(a->tls_name, b->tls_name) != 0 || a->naddrs != b->naddrs ||
	    a->secret_len != b->secret_len || a->ca_len != b->ca_len ||
	    (a->secret_len > 0 && memcmp(a->secret, b->secret,
	    a->secret_len) != 0) || (a->ca_len > 0 && memcmp(a->ca_pem,
	    b->ca_pem, a->ca_len) != 0))
		return 0;
	for (i = 0; i < a->naddrs; i++)
		if (strcmp(a->addrs[i].url, b->addrs[i].url) != 0)
			return 0;
	return 1;
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
static int
parent_reload(void)
{
	struct relayd_conf	*nc;
	struct listen_conf	*ol, *nl;
	struct imsg_listener	 il;
	int			 found;

	log_info("reloading %s", pd.conffile);
	if (pd.notify)
		(void)sd_notify(0, "RELOADING=1");
	if ((nc = parse_config(pd.conffile, 0)) == NULL) {
		log_warnx("%s: errors, configuration not reloaded; the "
		    "running one stays in force", pd.conffile);
		if (pd.notify)
			(void)sd_notify(0, "READY=1");
		return -1;
	}
	/* READY=1 again once the relay has applied the new set. */
	pd.ready_sent = 0;
	pd.relay_ready = 0;
	if (strcmp(nc->keyfile, pd.conf->keyfile) != 0 ||
	    strcmp(nc->user, pd.conf->user) != 0 ||
	    strcmp(nc->chroot, pd.conf->chroot) != 0)
		log_warnx("key, user and chroot changes take effect on "
		    "restart");
	strlcpy(nc->keyfile, pd.conf->keyfile, sizeof(nc->keyfile));
	strlcpy(nc->user, pd.conf->user, sizeof(nc->user));
	strlcpy(nc->chroot, pd.conf->chroot, sizeof(nc->chroot));
	if (strcmp(nc->ctl_path, pd.conf->ctl_path) != 0 ||
	    nc->ctl_gid != pd.conf->ctl_gid)
		log_warnx("control socket changes take effect on restart");
	strlcpy(nc->ctl_path, pd.conf->ctl_path, sizeof(nc->ctl_path));
	strlcpy(nc->ctl_group, pd.conf->ctl_group, sizeof(nc->ctl_group));
	nc->ctl_gid = pd.conf->ctl_gid;
	/* The cluster in force stays; a new block needs a restart. */
	if (!same_cluster(&nc->cluster, &pd.conf->cluster))
		log_warnx("cluster changes take effect on restart");
	cluster_conf_free(&nc->cluster);
	nc->cluster = pd.conf->cluster;
	TAILQ_INIT(&nc->cluster.urls);
	TAILQ_CONCAT(&nc->cluster.urls, &pd.conf->cluster.urls, entry);
	pd.conf->cluster.secret = NULL;
	pd.conf->cluster.ca_pem = NULL;

	/* Keep the sockets of listeners that stay. */
	TAILQ_FOREACH(nl, &nc->listeners, entry) {
		nl->id = 0;
		TAILQ_FOREACH(ol, &pd.conf->listeners, entry)
			if (same_addr(ol, nl))
				break;
		if (ol == NULL)
			continue;
		nl->id = ol->id;
		/* A socket that stays may change its options. */
		if (nl->id != 0 && listener_flags(nl) != listener_flags(ol)) {
			memset(&il, 0, sizeof(il));
			il.id = nl->id;
			il.flags = listener_flags(nl);
			strlcpy(il.name, nl->name, sizeof(il.name));
			compose(CHILD(PROC_RELAY), IMSG_LISTENER_SET, -1, &il,
			    sizeof(il));
			log_info("%s: proxy protocol %s, tls %s", nl->name,
			    nl->proxy ? "on" : "off", nl->tls ? "on" : "off");
		}
	}
	TAILQ_FOREACH(ol, &pd.conf->listeners, entry) {
		/* One whose socket could not be opened has none to close. */
		found = ol->id == 0;
		TAILQ_FOREACH(nl, &nc->listeners, entry)
			if (nl->id == ol->id)
				found = 1;
		if (!found) {
			memset(&il, 0, sizeof(il));
			il.id = ol->id;
			compose(CHILD(PROC_RELAY), IMSG_LISTENER_DEL, -1, &il,
			    sizeof(il));
			log_info("no longer listening on %s", ol->name);
		}
	}
	TAILQ_FOREACH(nl, &nc->listeners, entry)
		if (nl->id == 0 && listener_open(nl) == -1)
			log_warnx("%s: not listening on it", nl->name);
	certs_expiry(nc);
	send_conf(nc);
	conf_free(pd.conf);
	pd.conf = nc;
	return 0;
}

/* control.c: a request that is the relay's, with its client's id. */
void
parent_ctl_forward(const struct imsg_ctl_req *req)
{
	compose(CHILD(PROC_RELAY), IMSG_CTL_REQ, -1, req, sizeof(*req));
}

int
parent_ctl_reload(void)
{
	if (pd.shutting_down)
		return -1;
	return parent_reload();
}

/* log verbose / log brief: here and in every child. */
void
parent_ctl_verbose(int v)
{
	struct imsg_ctl_verbose	 cv;
	struct child		*c;

	pd.verbose = v;
	log_setverbose(v);
	memset(&cv, 0, sizeof(cv));
	cv.verbose = v;
	FOREACH_CHILD(c)
		if (c->pid > 0 && c->ib.fd != -1)
			compose(c, IMSG_CTL_VERBOSE, -1, &cv, sizeof(cv));
	log_info("log %s", v ? "verbose" : "brief");
}

pid_t
parent_ctl_child(int n, const char **name)
{
	struct child	*c;

	if (n < 0 || n >= PROC_MAX - 1)
		return -1;
	c = &pd.child[n + 1];
	*name = c->info->name;
	return c->pid > 0 ? c->pid : 0;
}

static void
compose(struct child *c, uint32_t type, int fd, const void *data,
    size_t len)
{
	if (imsg_compose(&c->ib, type, 0, fd, data, len) == -1)
		fatal("imsg to %s", c->info->name);
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

/*
 * READY=1 once the relay has its settings (so it listens) and cryptod
 * has answered a ping; after a reload, once the relay applied the new
 * set.  Nothing without NOTIFY_SOCKET.
 */
static void
notify_ready(void)
{
	if (!pd.notify || pd.ready_sent || !pd.relay_ready ||
	    !pd.cryptod_ready)
		return;
	pd.ready_sent = 1;
	(void)sd_notify(0, "READY=1\nSTATUS=running");
	log_debug("told the service manager: ready");
}

/* cryptod's liveness, asked at start and at each reload. */
static void
cryptod_ping(void)
{
	struct imsg_ping	 p;

	memset(&p, 0, sizeof(p));
	p.seq = ++pd.ping_seq;
	compose(CHILD(PROC_CRYPTOD), IMSG_CRYPTOD_PING, -1, &p, sizeof(p));
}

static void
msg_relay_ready(struct imsg *imsg, void *arg)
{
	(void)imsg;
	(void)arg;
	log_debug("relay: settings in force");
	pd.relay_ready = 1;
	notify_ready();
}

static void
msg_cryptod_pong(struct imsg *imsg, void *arg)
{
	struct imsg_ping	 p;

	(void)arg;
	memcpy(&p, imsg->data, sizeof(p));
	if (p.seq != pd.ping_seq)
		return;		/* an older one */
	pd.cryptod_ready = 1;
	notify_ready();
}

/*
 * The relay's counts every STATUS_SECS: the service manager's status
 * line shows sessions and the delivery rate since the one before.
 */
static void
msg_relay_status(struct imsg *imsg, void *arg)
{
	struct imsg_status	 st;
	double			 secs, rate = 0;

	(void)arg;
	memcpy(&st, imsg->data, sizeof(st));
	pd.status_prev = pd.status.delivered;
	pd.status_prev_at = pd.status_at;
	pd.status = st;
	(void)clock_gettime(CLOCK_MONOTONIC, &pd.status_at);
	if (!pd.notify)
		return;
	secs = (double)(pd.status_at.tv_sec - pd.status_prev_at.tv_sec) +
	    (double)(pd.status_at.tv_nsec - pd.status_prev_at.tv_nsec) / 1e9;
	if (pd.status_prev_at.tv_sec != 0 && secs > 0 &&
	    st.delivered >= pd.status_prev)
		rate = (double)(st.delivered - pd.status_prev) / secs;
	(void)sd_notifyf(0, "STATUS=%u sessions, %u registered, %.1f "
	    "messages/s, %llu delivered", st.sessions, st.registered, rate,
	    (unsigned long long)st.delivered);
}

/*
 * ca installed a key set.  Once it has every set sent, the relay gets
 * the certificates of the configuration now in force: never one whose
 * key ca does not hold yet.
 */
static void
msg_ca_ready(struct imsg *imsg, void *arg)
{
	(void)imsg;
	(void)arg;
	if (pd.ca_sets <= 0)
		fatalx("ca: a key set installed that was never sent");
	if (--pd.ca_sets == 0)
		send_tls(pd.conf);
	log_debug("ca: key set installed");
}

static void
msg_ctl_line(struct imsg *imsg, void *arg)
{
	struct imsg_ctl_line	 l;

	(void)arg;
	memcpy(&l, imsg->data, sizeof(l));
	l.line[sizeof(l.line) - 1] = '\0';
	control_line(&l);
}

static void
msg_ctl_end(struct imsg *imsg, void *arg)
{
	struct imsg_ctl_end	 e;

	(void)arg;
	memcpy(&e, imsg->data, sizeof(e));
	e.error[sizeof(e.error) - 1] = '\0';
	control_end(&e);
}

/* What the children may tell the parent. */
static const struct imsg_handler parent_imsg[] = {
	{ IMSG_RELAY_READY, "RELAY_READY", IMSG_PEER(PROC_RELAY),
	    0, 0, IMSG_FD_NO, msg_relay_ready },
	{ IMSG_CA_READY, "CA_READY", IMSG_PEER(PROC_CA),
	    0, 0, IMSG_FD_NO, msg_ca_ready },
	{ IMSG_CTL_LINE, "CTL_LINE", IMSG_PEER(PROC_RELAY),
	    sizeof(struct imsg_ctl_line), sizeof(struct imsg_ctl_line),
	    IMSG_FD_NO, msg_ctl_line },
	{ IMSG_CTL_END, "CTL_END", IMSG_PEER(PROC_RELAY),
	    sizeof(struct imsg_ctl_end), sizeof(struct imsg_ctl_end),
	    IMSG_FD_NO, msg_ctl_end },
	{ IMSG_RELAY_STATUS, "RELAY_STATUS", IMSG_PEER(PROC_RELAY),
	    sizeof(struct imsg_status), sizeof(struct imsg_status),
	    IMSG_FD_NO, msg_relay_status },
	{ IMSG_CRYPTOD_PONG, "CRYPTOD_PONG", IMSG_PEER(PROC_CRYPTOD),
	    sizeof(struct imsg_ping), sizeof(struct imsg_ping),
	    IMSG_FD_NO, msg_cryptod_pong },
};

static void
parent_dispatch(int fd, short what, void *arg)
{
	struct child	*c = arg;
	ssize_t		 n;

	(void)fd;
	if ((what & EV_WRITE) && imsgbuf_write(&c->ib) == -1 &&
	    errno != EPIPE)
		log_warn("write to %s", c->info->name);
	if (what & EV_READ) {
		n = imsgbuf_read(&c->ib);
		if (n == -1 && errno != EAGAIN && errno != ECONNRESET)
			fatal("read from %s", c->info->name);
		if (n == 0 || (n == -1 && errno == ECONNRESET)) {
			/* SIGCHLD tells the rest */
			event_del(&c->ev);
			return;
		}
		imsg_dispatch(&c->ib, c->info->id, parent_imsg, IMSG_NHANDLERS(parent_imsg), c);
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

static struct child *
child_by_pid(pid_t pid)
{
	struct child	*c;

	if (pid > 0)
		FOREACH_CHILD(c)
			if (c->pid == pid)
				return c;
	return NULL;
}

/* Children still running; only those stopped that way unless NONE. */
static int
children_left(enum proc_stop only)
{
	struct child	*c;
	int		 n = 0;

	FOREACH_CHILD(c)
		if (c->pid > 0 && (only == PROC_STOP_NONE ||
		    c->info->stop == only))
			n++;
	return n;
}

/*
 * The children that end when their channels close (cryptod): once the
 * ones asked to stop are gone, nothing can still need them.
 */
static void
children_close(enum proc_stop only)
{
	struct child	*c;

	FOREACH_CHILD(c)
		if (c->info->stop == only && c->ib.fd != -1) {
			event_del(&c->ev);
			close(c->ib.fd);
			c->ib.fd = -1;
		}
}

static void
children_kill(void)
{
	struct child	*c;

	FOREACH_CHILD(c)
		if (c->pid > 0)
			kill(c->pid, SIGKILL);
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
	struct child	*c;

	if ((c = child_by_pid(pid)) == NULL)
		return "unknown child";
	c->pid = 0;
	return c->info->name;
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
		    children_left(PROC_STOP_NONE) == 0)
			break;
		(void)poll(NULL, 0, 10);
	}
	children_kill();
	while (n < 7 && (pid = waitpid(-1, &status, 0)) > 0) {
		ended[n].killed = child_by_pid(pid) != NULL &&
		    WIFSIGNALED(status) &&
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
			if (children_left(PROC_STOP_ASK) == 0)
				children_close(PROC_STOP_LAST);
			if (children_left(PROC_STOP_NONE) == 0) {
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
	struct child	*c;

	if (pd.shutting_down)
		return;
	pd.shutting_down = 1;
	log_info("shutting down");
	if (pd.notify)
		(void)sd_notify(0, "STOPPING=1");
	FOREACH_CHILD(c)
		if (c->info->stop == PROC_STOP_ASK)
			compose(c, IMSG_SHUTDOWN, -1, NULL, 0);
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
	children_kill();
	while ((pid = waitpid(-1, &status, 0)) > 0) {
		killed = child_by_pid(pid) != NULL &&
		    WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		name = child_gone(pid);
		log_warnx("%s %s%s", name, child_status(status, buf,
		    sizeof(buf)), killed ? " (killed by the parent)" : "");
	}
	log_info("stopped");
	exit(0);
}
