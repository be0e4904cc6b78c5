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
 * The server key file and strict base64url: the vectors of docs/WIRE.md
 * section 8, and every way a key file can be refused.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "b64.h"
#include "keyfile.h"
#include "regress/lib/tap.h"

static char	dir[] = "/tmp/sws-keyfile-XXXXXX";

static void
writefile(const char *path, const char *text, mode_t mode)
{
	int	 fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	fchmod(fd, mode);
	close(fd);
}

int
main(void)
{
	/* vectors.json: base64url valid and invalid */
	static const struct { const char *hex, *text; } good[] = {
		{ "", "" }, { "fb", "-w" }, { "fbff", "-_8" },
		{ "fbffbf", "-_-_" },
	};
	static const char *bad[] = {
		"+w", "_w==", "_x", "a", "ab c", "AAAA=", "AB*D",
	};
	uint8_t		 out[64], sk[32], pk[32], pk2[32];
	char		 path[256], err[512], text[128];
	size_t		 i;
	long		 n;

	if (sodium_init() == -1 || mkdtemp(dir) == NULL)
		return 1;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint8_t	 want[8];
		size_t	 wl = strlen(good[i].hex) / 2, j;

		for (j = 0; j < wl; j++)
			sscanf(good[i].hex + 2 * j, "%2hhx", &want[j]);
		n = b64url_decode(out, sizeof(out), good[i].text,
		    strlen(good[i].text));
		ok(n == (long)wl && memcmp(out, want, wl) == 0,
		    "base64url \"%s\" decodes", good[i].text);
		b64url_encode(text, sizeof(text), want, wl);
		ok(strcmp(text, good[i].text) == 0, "base64url encodes to "
		    "\"%s\"", good[i].text);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(b64url_decode(out, sizeof(out), bad[i], strlen(bad[i])) == -1,
		    "base64url \"%s\" refused", bad[i]);

	/* libsodium 1.0.18 would take these for letters; we must not */
	ok(b64url_decode(out, sizeof(out), "\xb7\xae\xbe\xbe", 4) == -1,
	    "base64url with bytes above 0x7f refused");
	ok(b64url_decode(out, sizeof(out), "AAA\x80", 4) == -1,
	    "a single 0x80 byte refused");

	/* b64url_check(): decoding's verdict and length, for the vectors */
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(b64url_check(good[i].text, strlen(good[i].text)) ==
		    (long)strlen(good[i].hex) / 2, "base64url \"%s\" checks",
		    good[i].text);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(b64url_check(bad[i], strlen(bad[i])) == -1,
		    "base64url \"%s\" refused by the check", bad[i]);
	/*
	 * And for every byte value at every place: of 12 characters (the
	 * eight-character loop and the last four), and of 27 (a 16-character
	 * block, 8 more, and a tail of three).
	 */
	{
		static const char *const texts[] = {
			"QUJDREVGR0hJ", "QUJDREVGR0hJSktMTU5PUFFSU1Q",
		};
		char	 w[32];
		size_t	 t, len, pos, c, diff = 0;

		ok(b64url_check(texts[1], strlen(texts[1])) == 20,
		    "27 characters check as 20 bytes");
		for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
			len = strlen(texts[t]);
			for (c = 0; c < 256; c++)
				for (pos = 0; pos < len; pos++) {
					memcpy(w, texts[t], len);
					w[pos] = (char)c;
					if (b64url_check(w, len) != b64url_decode(out,
					    sizeof(out), w, len))
						diff++;
				}
		}
		ok(diff == 0, "check and decode agree on each byte value at "
		    "each place of 12 and of 27 characters (%zu differ)", diff);
	}

	/* vectors.json: the server key pair */
	snprintf(path, sizeof(path), "%s/server.key", dir);
	writefile(path, "_CsI0KzMdVekvbvmvYe_79S8cByyY8-aSP20ECgCt8E\n", 0600);
	ok(keyfile_read(path, sk, err, sizeof(err)) == 0, "vector key read");
	crypto_scalarmult_base(pk, sk);
	b64url_encode(text, sizeof(text), pk, sizeof(pk));
	ok(strcmp(text, "_V5zoNtKY6cpe3wXF-CnoFe3PbAdClp37lNuF4DTaAc") == 0,
	    "its public key is the vector's");

	writefile(path, "_CsI0KzMdVekvbvmvYe_79S8cByyY8-aSP20ECgCt8E\n", 0640);
	ok(keyfile_read(path, sk, err, sizeof(err)) == -1 &&
	    strstr(err, "group or others") != NULL,
	    "group-readable key refused: %s", err);
	writefile(path, "_CsI0KzMdVekvbvmvYe_79S8cByyY8-aSP20ECgCt8E\n", 0604);
	ok(keyfile_read(path, sk, err, sizeof(err)) == -1,
	    "world-readable key refused");
	writefile(path, "_CsI0KzMdVekvbvmvYe_79S8cByyY8-aSP20ECgCt8\n", 0600);
	ok(keyfile_read(path, sk, err, sizeof(err)) == -1 &&
	    strstr(err, "not a key file") != NULL, "short key refused");
	writefile(path, "_CsI0KzMdVekvbvmvYe_79S8cByyY8-aSP20ECgCt8E=\n", 0600);
	ok(keyfile_read(path, sk, err, sizeof(err)) == -1, "padded key refused");
	writefile(path, "", 0600);
	ok(keyfile_read(path, sk, err, sizeof(err)) == -1, "empty file refused");
	snprintf(path, sizeof(path), "%s/missing", dir);
	ok(keyfile_read(path, sk, err, sizeof(err)) == -1 &&
	    strstr(err, "No such file") != NULL, "missing file refused");
	snprintf(path, sizeof(path), "%s", dir);
	ok(keyfile_read(path, sk, err, sizeof(err)) == -1,
	    "directory refused");

	/* generate: mode 0600, never overwrite, reads back */
	snprintf(path, sizeof(path), "%s/new.key", dir);
	ok(keyfile_generate(path, pk, err, sizeof(err)) == 0, "generate");
	{
		struct stat	 st;

		ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
		    "generated with mode 0600");
	}
	ok(keyfile_read(path, sk, err, sizeof(err)) == 0, "reads back");
	crypto_scalarmult_base(pk2, sk);
	ok(memcmp(pk, pk2, 32) == 0, "public key matches");
	ok(keyfile_generate(path, pk, err, sizeof(err)) == -1,
	    "an existing file is not overwritten");
	unlink(path);
	snprintf(path, sizeof(path), "%s/server.key", dir);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
