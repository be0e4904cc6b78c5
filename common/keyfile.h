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
 * The server key file: one line holding the X25519 secret key in
 * base64url (43 characters), mode 0600 or stricter, owned by root or by
 * the user running the program.  The public key is derived from it.
 */
#ifndef SWS_KEYFILE_H
#define SWS_KEYFILE_H

#include <stdint.h>

#define KEYFILE_SK_LEN	32

/*
 * Read path into sk (32 bytes, the caller's guarded memory).  Returns 0,
 * or -1 with a reason in err (errlen bytes) for a file that is missing,
 * not regular, readable or writable by group or others, owned by another
 * user, or not exactly one canonical key line.
 */
int	keyfile_read(const char *path, uint8_t *sk, char *err, size_t errlen);
/*
 * Create path (which must not exist) with a new key, mode 0600; write the
 * public key to pk.  Returns 0 or -1 with err set.
 */
int	keyfile_generate(const char *path, uint8_t pk[32], char *err,
	    size_t errlen);

#endif /* SWS_KEYFILE_H */
