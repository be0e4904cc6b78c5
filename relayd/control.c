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
 * The control socket, in the parent (root).  relayctl(8) connects, the
 * kernel's SO_PEERCRED says who it is (root, or the configured group;
 * anyone else is told no and closed), and each request is one
 * IMSG_CTL_REQ of exactly its size, in the imsg framing of our own
 * channels.  One request per client at a time: reload and log are the
 * parent's own; the rest goes to the relay with the client's id, and
 * what the relay answers (CTL_LINE rows, then a CTL_END) is copied back.
 * A listing comes in pages of at most CTL_PAGE_MAX rows, each asked for
 * with the cursor of the one before, so no process ever holds more than
 * a page for a client.  A bad request gets an error answer, changes
 * nothing, and ends the connection.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "imsg.h"
#include "log.h"
#include "proto.h"

#define CTL_CLIENTS_MAX	8
#define CTL_IDLE_SECS	30		/* a client that says nothing */
#define CTL_WBUF_MAX	(1024 * 1024)	/* a client that does not read */
#define CTL_PAGE_DEFAULT 100

struct ctl_client {
	int		 used;
	int		 busy;		/* a request is at the relay */
	int		 closing;	/* close once the answer is out */
	uint32_t	 id;
	uint32_t	 cmd;
	struct imsgbuf	 ib;
	struct event	 ev;
};

static struct {
	struct event_base	*base;
	int			 fd;
	gid_t			 gid;
	uint32_t		 next_id;
	int			 paused;	/* accept stopped: all slots used */
	struct event		 ev;
	struct ctl_client	 c[CTL_CLIENTS_MAX];
} ctl = { .fd = -1 };

static void	control_accept(int, short, void *);
static void	control_event(int, short, void *);
static void	control_update(struct ctl_client *);
static void	control_close(struct ctl_client *);
static void	control_fail(struct ctl_client *, const char *);
static void	control_request(struct ctl_client *,
		    const struct imsg_ctl_req *);
static void	control_memory(struct ctl_client *);

int
control_init(const char *path, gid_t gid)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	char			 dir[sizeof(sun.sun_path)], *slash;
	mode_t			 old;
	int			 fd, probe;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		log_warnx("control socket %s: name too long", path);
		return -1;
	}
	/* A socket left by a daemon that died goes; a live one stays. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("control socket %s: exists and is not a "
			    "socket", path);
			return -1;
		}
		if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0))
		    == -1) {
			log_warn("socket");
			return -1;
		}
		if (connect(probe, (struct sockaddr *)&sun, sizeof(sun))
		    == 0) {
			close(probe);
			log_warnx("control socket %s: in use by another "
			    "relayd", path);
			return -1;
		}
		close(probe);
		if (unlink(path) == -1) {
			log_warn("unlink %s", path);
			return -1;
		}
	}
	/*
	 * The directory of the default, /run/relayd, is systemd's
	 * RuntimeDirectory= under the unit; started otherwise, the parent
	 * makes it (one level, root's, 0755).
	 */
	(void)strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			log_warn("control socket %s: mkdir %s", path, dir);
			return -1;
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		log_warn("socket");
		return -1;
	}
	old = umask(S_IXUSR | S_IRWXG | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("control socket %s: bind", path);
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	if ((geteuid() == 0 && chown(path, 0, gid) == -1) ||
	    chmod(path, S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP) == -1) {
		log_warn("control socket %s", path);
		(void)unlink(path);
		close(fd);
		return -1;
	}
	if (listen(fd, CTL_CLIENTS_MAX) == -1) {
		log_warn("control socket %s: listen", path);
		(void)unlink(path);
		close(fd);
		return -1;
	}
	return fd;
}

void
control_start(struct event_base *base, int fd, gid_t gid)
{
	ctl.base = base;
	ctl.fd = fd;
	ctl.gid = gid;
	event_assign(&ctl.ev, base, fd, EV_READ | EV_PERSIST, control_accept,
	    NULL);
	event_add(&ctl.ev, NULL);
}

static struct ctl_client *
control_slot(void)
{
	size_t	 i;

	for (i = 0; i < CTL_CLIENTS_MAX; i++)
		if (!ctl.c[i].used)
			return &ctl.c[i];
	return NULL;
}

static struct ctl_client *
control_byid(uint32_t id)
{
	size_t	 i;

	for (i = 0; i < CTL_CLIENTS_MAX; i++)
		if (ctl.c[i].used && ctl.c[i].id == id)
			return &ctl.c[i];
	return NULL;
}

static void
control_accept(int lfd, short what, void *arg)
{
	struct ctl_client	*c;
	struct ucred		 cred;
	socklen_t		 len = sizeof(cred);
	int			 fd;

	(void)what;
	(void)arg;
	if ((c = control_slot()) == NULL) {
		/* Every slot used: the backlog waits for one to free. */
		event_del(&ctl.ev);
		ctl.paused = 1;
		return;
	}
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC))
	    == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR && errno != ECONNABORTED)
			log_warn("control: accept");
		return;
	}
	memset(c, 0, sizeof(*c));
	if (imsgbuf_init(&c->ib, fd) == -1) {
		log_warn("control");
		close(fd);
		return;
	}
	c->used = 1;
	c->id = ++ctl.next_id;
	if (ctl.next_id == 0)
		c->id = ++ctl.next_id;
	event_assign(&c->ev, ctl.base, fd, EV_READ, control_event, c);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    len != sizeof(cred)) {
		log_warn("control: SO_PEERCRED");
		control_close(c);
		return;
	}
	if (cred.uid != 0 && cred.uid != geteuid() && cred.gid != ctl.gid) {
		log_info("control: uid %lu gid %lu refused",
		    (unsigned long)cred.uid, (unsigned long)cred.gid);
		control_fail(c, "permission denied");
		return;
	}
	log_debug("control: client %u, uid %lu", c->id,
	    (unsigned long)cred.uid);
	control_update(c);
}

/* Wait for what the client says, and write what it is owed. */
static void
control_update(struct ctl_client *c)
{
	struct timeval	 tv = { CTL_IDLE_SECS, 0 };
	short		 what = 0;

	if (!c->used)
		return;
	if (c->closing && imsgbuf_queued(&c->ib) == 0) {
		control_close(c);
		return;
	}
	/* Nothing more is read from a client being closed. */
	if (!c->closing)
		what |= EV_READ;
	if (imsgbuf_queued(&c->ib) > 0)
		what |= EV_WRITE;
	event_del(&c->ev);
	event_assign(&c->ev, ctl.base, c->ib.fd, what, control_event, c);
	event_add(&c->ev, &tv);
}

static void
control_close(struct ctl_client *c)
{
	if (!c->used)
		return;
	event_del(&c->ev);
	close(c->ib.fd);
	imsgbuf_clear(&c->ib);
	c->used = 0;
	if (ctl.paused) {
		ctl.paused = 0;
		event_add(&ctl.ev, NULL);
	}
}

/* An error answer, then the end of the connection. */
static void
control_fail(struct ctl_client *c, const char *why)
{
	struct imsg_ctl_end	 e;

	memset(&e, 0, sizeof(e));
	e.id = c->id;
	e.status = CTL_FAIL;
	strlcpy(e.error, why, sizeof(e.error));
	if (imsg_compose(&c->ib, IMSG_CTL_END, 0, -1, &e, sizeof(e)) == -1) {
		control_close(c);
		return;
	}
	c->closing = 1;
	c->busy = 0;
	control_update(c);
}

static void
control_ok(struct ctl_client *c)
{
	struct imsg_ctl_end	 e;

	memset(&e, 0, sizeof(e));
	e.id = c->id;
	e.status = CTL_OK;
	if (imsg_compose(&c->ib, IMSG_CTL_END, 0, -1, &e, sizeof(e)) == -1)
		control_close(c);
}

static void
control_event(int fd, short what, void *arg)
{
	struct ctl_client	*c = arg;
	struct imsg_ctl_req	 req;
	struct imsg		 imsg;
	ssize_t			 n;
	int			 r;

	(void)fd;
	if (what & EV_TIMEOUT) {
		log_debug("control: client %u idle", c->id);
		control_close(c);
		return;
	}
	if ((what & EV_WRITE) && imsgbuf_write(&c->ib) == -1) {
		control_close(c);
		return;
	}
	if ((what & EV_READ) && !c->closing) {
		n = imsgbuf_read(&c->ib);
		if (n == 0 || (n == -1 && errno != EAGAIN)) {
			if (n == -1 && errno == EBADMSG) {
				control_fail(c, "bad message");
				return;
			}
			control_close(c);
			return;
		}
		while (c->used && !c->closing &&
		    (r = imsg_get(&c->ib, &imsg)) != 0) {
			if (r == -1) {
				control_fail(c, "bad message");
				return;
			}
			if (imsg.fd != -1) {
				imsg_free(&imsg);
				control_fail(c, "bad message: descriptor");
				return;
			}
			if (imsg.hdr.type != IMSG_CTL_REQ ||
			    imsg.len != sizeof(req)) {
				control_fail(c, "bad request");
				return;
			}
			if (c->busy) {
				control_fail(c, "one request at a time");
				return;
			}
			memcpy(&req, imsg.data, sizeof(req));
			control_request(c, &req);
		}
	}
	control_update(c);
}

static void
control_request(struct ctl_client *c, const struct imsg_ctl_req *r)
{
	struct imsg_ctl_req	 req = *r;

	switch (req.cmd) {
	case CTL_SUMMARY:
	case CTL_ROOMS:
	case CTL_LISTENERS:
		if (req.haskey) {
			control_fail(c, "bad request: no key here");
			return;
		}
		break;
	case CTL_SESSIONS:
		break;
	case CTL_KICK:
		if (!req.haskey) {
			control_fail(c, "bad request: kick needs a key");
			return;
		}
		break;
	case CTL_RELOAD:
		if (parent_ctl_reload() == -1)
			control_fail(c, "configuration not reloaded: see the "
			    "log; the running one stays in force");
		else
			control_ok(c);
		return;
	case CTL_LOG_VERBOSE:
	case CTL_LOG_BRIEF:
		parent_ctl_verbose(req.cmd == CTL_LOG_VERBOSE ? 1 : 0);
		control_ok(c);
		return;
	default:
		control_fail(c, "bad request: unknown command");
		return;
	}
	if (req.haskey > 1) {
		control_fail(c, "bad request");
		return;
	}
	if (req.limit == 0)
		req.limit = CTL_PAGE_DEFAULT;
	if (req.limit > CTL_PAGE_MAX) {
		control_fail(c, "bad request: page too large");
		return;
	}
	req.id = c->id;
	c->busy = 1;
	c->cmd = req.cmd;
	parent_ctl_forward(&req);
}

/* A client that does not read what it asked for is dropped. */
static int
control_queue(struct ctl_client *c, uint32_t type, const void *p, size_t len)
{
	if (imsgbuf_queued(&c->ib) > CTL_WBUF_MAX ||
	    imsg_compose(&c->ib, type, 0, -1, p, len) == -1) {
		log_info("control: client %u not reading: closed", c->id);
		control_close(c);
		return -1;
	}
	return 0;
}

void
control_line(const struct imsg_ctl_line *l)
{
	struct ctl_client	*c;

	/* Answers for a client that has gone are dropped. */
	if ((c = control_byid(l->id)) == NULL || !c->busy)
		return;
	if (control_queue(c, IMSG_CTL_LINE, l, sizeof(*l)) == 0)
		control_update(c);
}

void
control_end(const struct imsg_ctl_end *e)
{
	struct ctl_client	*c;

	if ((c = control_byid(e->id)) == NULL || !c->busy)
		return;
	c->busy = 0;
	if (c->cmd == CTL_SUMMARY && e->status == CTL_OK && !e->more)
		control_memory(c);
	if (c->used && control_queue(c, IMSG_CTL_END, e, sizeof(*e)) == 0)
		control_update(c);
}

/* VmRSS of /proc/PID/status, in kB; -1 when it cannot be read. */
static long
control_rss(const char *file)
{
	char		 buf[4096], *p;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nVmRSS:")) == NULL)
		return -1;
	return strtol(p + 7, NULL, 10);
}

static void
control_memory_line(struct ctl_client *c, const char *name, const char *file)
{
	struct imsg_ctl_line	 l;
	long			 kb;

	memset(&l, 0, sizeof(l));
	l.id = c->id;
	if ((kb = control_rss(file)) < 0)
		snprintf(l.line, sizeof(l.line), "memory %s: unknown", name);
	else
		snprintf(l.line, sizeof(l.line), "memory %s: %ld kB", name,
		    kb);
	(void)control_queue(c, IMSG_CTL_LINE, &l, sizeof(l));
}

/* The memory of each process, as the parent sees it in /proc. */
static void
control_memory(struct ctl_client *c)
{
	const char	*name;
	char		 file[64];
	pid_t		 pid;
	int		 i;

	control_memory_line(c, "parent", "/proc/self/status");
	for (i = 0; c->used && (pid = parent_ctl_child(i, &name)) != -1;
	    i++) {
		if (pid == 0)
			continue;
		snprintf(file, sizeof(file), "/proc/%ld/status", (long)pid);
		control_memory_line(c, name, file);
	}
}
