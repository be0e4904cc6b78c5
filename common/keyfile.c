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
 * Reading and making the server key file.  The permission checks happen
 * on the open descriptor (fstat), so the file checked is the file read.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "b64.h"
#include "keyfile.h"

#define KEYFILE_TEXT_MAX	128

int
keyfile_read(const char *path, uint8_t *sk, char *err, size_t errlen)
{
	struct stat	 st;
	char		 text[KEYFILE_TEXT_MAX];
	ssize_t		 n;
	size_t		 len;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "%s: readable or writable by group or "
		    "others (mode %04o); chmod 600 it", path,
		    (unsigned int)(st.st_mode & 07777));
		goto fail;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not by root",
		    path, (unsigned int)st.st_uid);
		goto fail;
	}
	n = read(fd, text, sizeof(text));
	if (n == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	len = (size_t)n;
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len != B64_ENCODED_LEN(KEYFILE_SK_LEN) ||
	    b64url_decode(sk, KEYFILE_SK_LEN, text, len) != KEYFILE_SK_LEN) {
		snprintf(err, errlen, "%s: not a key file (one line, the "
		    "secret key in base64url)", path);
		sodium_memzero(text, sizeof(text));
		goto fail;
	}
	sodium_memzero(text, sizeof(text));
	close(fd);
	return 0;
 fail:
	close(fd);
	return -1;
}

int
keyfile_generate(const char *path, uint8_t pk[32], char *err, size_t errlen)
{
	uint8_t		 sk[KEYFILE_SK_LEN];
	char		 text[KEYFILE_TEXT_MAX];
	size_t		 len;
	int		 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	crypto_box_keypair(pk, sk);
	len = b64url_encode(text, sizeof(text), sk, sizeof(sk));
	text[len++] = '\n';
	sodium_memzero(sk, sizeof(sk));
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		sodium_memzero(text, sizeof(text));
		close(fd);
		unlink(path);
		return -1;
	}
	sodium_memzero(text, sizeof(text));
	if (close(fd) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
