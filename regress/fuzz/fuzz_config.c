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
 * libFuzzer target for the relayd.conf parser.  Each input is written to
 * one temporary file and parsed with PARSE_NOCHECK_FILES; parse_config()
 * closes every file it opened and forgets the file's macros before it
 * returns, so runs do not leak into each other.
 *
 * Nearly every input is an invalid configuration, and each error is a
 * log line on stderr; unless the command line says otherwise, stderr of
 * the target is closed (-close_fd_mask=2), which keeps libFuzzer's own
 * output and the sanitizer reports.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "config.h"

#define FUZZ_INPUT_MAX	(64 * 1024)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 path[] = "/tmp/fuzz_config.XXXXXX";
static int	 fd = -1;
static char	**fuzz_argv;		/* the arguments with our flag first */

static void
remove_input(void)
{
	if (fd != -1)
		(void)unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char	 mask[] = "-close_fd_mask=2";
	int		 i;

	/* libFuzzer reads its flags after this; a later flag wins. */
	if (getenv("FUZZ_CONFIG_VERBOSE") == NULL &&
	    (fuzz_argv = calloc((size_t)*argc + 2, sizeof(*fuzz_argv))) !=
	    NULL) {
		fuzz_argv[0] = (*argv)[0];
		fuzz_argv[1] = mask;
		for (i = 1; i < *argc; i++)
			fuzz_argv[i + 1] = (*argv)[i];
		(*argc)++;
		*argv = fuzz_argv;
	}

	log_init(LOG_TO_STDERR, 0, 0);
	log_procinit("fuzz_config");
	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		exit(1);
	}
	(void)atexit(remove_input);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct relayd_conf	*conf;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	conf = parse_config(path, PARSE_NOCHECK_FILES);
	conf_free(conf);
	return 0;
}
