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
 * relayctl: the operator's view of a running relayd, over its control
 * socket.  One request at a time (IMSG_CTL_REQ, common/proto.h), rows
 * printed as they come, and a listing asked for page by page with the
 * cursor of the page before, until the relay says there is no more.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "b64.h"
#include "imsg.h"
#include "proto.h"

#define DEFAULT_SOCKET	"/run/relayd/relayd.sock"
#define DEFAULT_PAGE	100

static const char	*sockpath = DEFAULT_SOCKET;

static void
usage(void)
{
	fprintf(stderr, "usage: relayctl [-V] [-s socket] [-n rows] command [arg]\n"
	    "commands: show summary | show sessions [key] | show rooms |\n"
	    "    show listeners | reload | log verbose | log brief | kick key\n");
	exit(1);
}

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "relayctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static int
key_parse(const char *s, uint8_t *key)
{
	size_t	 len = strlen(s);

	if (len != B64_ENCODED_LEN(32) ||
	    b64url_decode(key, 32, s, len) != 32)
		return -1;
	return 0;
}

static int
ctl_connect(void)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, sockpath, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		die("%s: socket name too long", sockpath);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "relayctl: %s: %s\n", sockpath,
		    strerror(errno));
		exit(1);
	}
	return fd;
}

int
main(int argc, char *argv[])
{
	struct imsgbuf		 ib;
	struct imsg_ctl_req	 req;
	struct imsg_ctl_line	 l;
	struct imsg_ctl_end	 e;
	struct imsg		 imsg;
	const char		*header = NULL;
	long			 page = DEFAULT_PAGE;
	char			*end;
	ssize_t			 n;
	int			 ch, fd, r;

	while ((ch = getopt(argc, argv, "+n:s:V")) != -1) {
		switch (ch) {
		case 'n':
			errno = 0;
			page = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || page < 1 ||
			    page > CTL_PAGE_MAX) {
				fprintf(stderr, "relayctl: -n: 1 to %d rows\n",
				    CTL_PAGE_MAX);
				exit(1);
			}
			break;
		case 's':
			sockpath = optarg;
			break;
		case 'V':
			printf("relayctl %s\n", SWS_VERSION);
			exit(0);
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();

	memset(&req, 0, sizeof(req));
	req.limit = (uint32_t)page;
	if (strcmp(argv[0], "show") == 0 && argc >= 2) {
		if (strcmp(argv[1], "summary") == 0 && argc == 2)
			req.cmd = CTL_SUMMARY;
		else if (strcmp(argv[1], "sessions") == 0 && argc <= 3) {
			req.cmd = CTL_SESSIONS;
			header = "serial key state address protocol age "
			    "queued rooms";
			if (argc == 3) {
				if (key_parse(argv[2], req.key) == -1)
					die("bad key \"%s\": 32 bytes in "
					    "base64url expected", argv[2]);
				req.haskey = 1;
			}
		} else if (strcmp(argv[1], "rooms") == 0 && argc == 2) {
			req.cmd = CTL_ROOMS;
			header = "room members keys";
		} else if (strcmp(argv[1], "listeners") == 0 && argc == 2)
			req.cmd = CTL_LISTENERS;
		else
			usage();
	} else if (strcmp(argv[0], "reload") == 0 && argc == 1)
		req.cmd = CTL_RELOAD;
	else if (strcmp(argv[0], "log") == 0 && argc == 2 &&
	    strcmp(argv[1], "verbose") == 0)
		req.cmd = CTL_LOG_VERBOSE;
	else if (strcmp(argv[0], "log") == 0 && argc == 2 &&
	    strcmp(argv[1], "brief") == 0)
		req.cmd = CTL_LOG_BRIEF;
	else if (strcmp(argv[0], "kick") == 0 && argc == 2) {
		req.cmd = CTL_KICK;
		if (key_parse(argv[1], req.key) == -1)
			die("bad key \"%s\": 32 bytes in base64url expected",
			    argv[1]);
		req.haskey = 1;
	} else
		usage();

	signal(SIGPIPE, SIG_IGN);
	fd = ctl_connect();
	if (imsgbuf_init(&ib, fd) == -1)
		die("%s", strerror(errno));
	if (header != NULL)
		printf("%s\n", header);
	for (;;) {
		if (imsg_compose(&ib, IMSG_CTL_REQ, 0, -1, &req, sizeof(req))
		    == -1)
			die("%s", strerror(errno));
		/* refused, relayd may have answered and closed: read it */
		if (imsgbuf_flush(&ib) == -1 && errno != EPIPE &&
		    errno != ECONNRESET)
			die("write: %s", strerror(errno));
		/* rows until this page's end */
		for (;;) {
			if ((r = imsg_get(&ib, &imsg)) == -1)
				die("%s", "bad answer from relayd");
			if (r == 0) {
				n = imsgbuf_read(&ib);
				if (n == -1 && errno == EINTR)
					continue;
				if (n == -1 && errno == ECONNRESET)
					n = 0;
				if (n == -1)
					die("read: %s", strerror(errno));
				if (n == 0)
					die("%s", "relayd closed the "
					    "connection");
				continue;
			}
			if (imsg.fd != -1)
				imsg_free(&imsg);
			if (imsg.hdr.type == IMSG_CTL_LINE &&
			    imsg.len == sizeof(l)) {
				memcpy(&l, imsg.data, sizeof(l));
				l.line[sizeof(l.line) - 1] = '\0';
				printf("%s\n", l.line);
				continue;
			}
			if (imsg.hdr.type != IMSG_CTL_END ||
			    imsg.len != sizeof(e))
				die("%s", "bad answer from relayd");
			memcpy(&e, imsg.data, sizeof(e));
			e.error[sizeof(e.error) - 1] = '\0';
			break;
		}
		if (e.status != CTL_OK) {
			fflush(stdout);
			die("%s", e.error[0] != '\0' ? e.error : "failed");
		}
		if (!e.more)
			break;
		req.cursor = e.cursor;
	}
	if (fflush(stdout) == EOF)
		die("stdout: %s", strerror(errno));
	imsgbuf_clear(&ib);
	close(fd);
	return 0;
}
