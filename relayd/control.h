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
 * The parent's control socket (relayctl(8)): control.c accepts the
 * clients, checks who they are and what they ask, and passes the relay's
 * answers back; relayd.c does what only it can (below).
 */
#ifndef SWS_CONTROL_H
#define SWS_CONTROL_H

#include <sys/types.h>

#include <event2/event.h>

struct imsg_ctl_req;
struct imsg_ctl_line;
struct imsg_ctl_end;

/*
 * Before any sandbox: the socket at path (a stale one removed, one in
 * use refused), mode 0660, owner root, group gid.  Returns the
 * listening descriptor, or -1 after logging why.
 */
int	control_init(const char *path, gid_t gid);
/* Serve clients on base: uid 0 (or ours) or primary group gid. */
void	control_start(struct event_base *base, int fd, gid_t gid);
/* The relay's answers, with the id of the client they are for. */
void	control_line(const struct imsg_ctl_line *);
void	control_end(const struct imsg_ctl_end *);

/* relayd.c, for control.c. */
void	parent_ctl_forward(const struct imsg_ctl_req *);
int	parent_ctl_reload(void);		/* 0, or -1: file has errors */
void	parent_ctl_verbose(int);
/* The n-th child's pid (0: gone) and name; -1 past the last. */
pid_t	parent_ctl_child(int n, const char **name);

#endif /* SWS_CONTROL_H */
