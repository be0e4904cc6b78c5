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
 * The process table: both ends of every channel agree on its
 * descriptor, each child's fixed descriptors are 3 to 2+n without a
 * gap, and every row can be found by the name the parent starts it by.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "regress/lib/tap.h"

int
main(void)
{
	int	 i, j, n, fd, seen;

	ok(proc_nfds(PROC_PARENT) == 0, "the parent has no fixed descriptors");
	ok(proc_fd(PROC_PARENT, PROC_RELAY) == -1,
	    "the parent has no fixed channel");
	for (i = 0; i < PROC_MAX; i++) {
		ok(proc_table[i].id == (enum proc_id)i, "%s: row %d has id %d",
		    proc_table[i].name, i, i);
		ok(proc_byname(proc_table[i].name) == &proc_table[i],
		    "%s: found by its name", proc_table[i].name);
		ok((proc_table[i].peers & PROC_BIT(i)) == 0 &&
		    (proc_table[i].peers & PROC_BIT(PROC_PARENT)) == 0,
		    "%s: no channel to itself or, as a peer, to the parent",
		    proc_table[i].name);
		ok((i == PROC_PARENT) == (proc_table[i].exec ==
		    PROC_EXEC_NONE) && (i == PROC_PARENT) ==
		    (proc_table[i].stop == PROC_STOP_NONE),
		    "%s: started and stopped by the parent unless it is it",
		    proc_table[i].name);
		if (i == PROC_PARENT)
			continue;
		n = proc_nfds(i);
		ok(n >= 1 && n <= PROC_FDS_MAX, "%s: %d fixed descriptors",
		    proc_table[i].name, n);
		ok(proc_fd(i, PROC_PARENT) == PROC_FD_PARENT,
		    "%s: the parent on descriptor 3", proc_table[i].name);
		seen = 1 << PROC_FD_PARENT;
		for (j = 1; j < PROC_MAX; j++) {
			fd = proc_fd(i, j);
			ok(((proc_table[i].peers & PROC_BIT(j)) != 0) ==
			    ((proc_table[j].peers & PROC_BIT(i)) != 0),
			    "%s and %s agree whether they share a channel",
			    proc_table[i].name, proc_table[j].name);
			if ((proc_table[i].peers & PROC_BIT(j)) == 0) {
				ok(fd == -1, "%s: no descriptor for %s",
				    proc_table[i].name, proc_table[j].name);
				continue;
			}
			ok(fd > PROC_FD_PARENT && fd < PROC_FD_PARENT + n &&
			    (seen & (1 << fd)) == 0,
			    "%s: %s on descriptor %d, in range, used once",
			    proc_table[i].name, proc_table[j].name, fd);
			seen |= 1 << fd;
		}
		ok(seen == (((1 << (PROC_FD_PARENT + n)) - 1) &
		    ~((1 << PROC_FD_PARENT) - 1)),
		    "%s: descriptors 3 to %d, no gap", proc_table[i].name,
		    2 + n);
	}
	ok(proc_byname("parent") == NULL && proc_byname("") == NULL,
	    "unknown names are not found");
	/* today's channels, as cryptod and the relay are written */
	ok(proc_fd(PROC_RELAY, PROC_CRYPTOD) == 4 &&
	    proc_fd(PROC_CRYPTOD, PROC_RELAY) == 4,
	    "relay and cryptod talk on their descriptor 4");

	/* proc_check_fds(): sockets on 3.., as relayd leaves them */
	{
		int	 sv[2], nfd = proc_nfds(PROC_CRYPTOD), k;

		for (k = 0; k < nfd; k++) {
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
			    dup2(sv[0], PROC_FD_PARENT + k) == -1)
				return 1;
			if (sv[0] != PROC_FD_PARENT + k)
				close(sv[0]);
		}
		ok(proc_check_fds(PROC_CRYPTOD) == 0,
		    "sockets on 3 to %d pass", 2 + nfd);
		if ((k = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(k, PROC_FD_PARENT + nfd - 1) == -1)
			return 1;
		ok(proc_check_fds(PROC_CRYPTOD) == -1,
		    "/dev/null on %d fails", 2 + nfd);
		close(PROC_FD_PARENT + nfd - 1);
		ok(proc_check_fds(PROC_CRYPTOD) == -1,
		    "a closed descriptor %d fails", 2 + nfd);
	}
	return tap_done();
}
