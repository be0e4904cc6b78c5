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
 * base64url without padding (RFC 4648 section 5), strict: no padding, no
 * other alphabet, no whitespace, no length of 4n+1, no non-zero trailing
 * bits.  Table-driven; held to libsodium's decoder by the differential
 * fuzz target regress/fuzz/fuzz_b64diff.c.
 */
#ifndef SWS_B64_H
#define SWS_B64_H

#include <stddef.h>
#include <stdint.h>

/* Characters needed to encode n bytes, without the terminating NUL. */
#define B64_ENCODED_LEN(n)	(((n) / 3) * 4 + (((n) % 3) ? ((n) % 3) + 1 : 0))
/* Largest number of bytes that len characters can decode to. */
#define B64_DECODED_MAX(len)	(((len) / 4) * 3 + (((len) % 4) * 3) / 4)

/* Encode; out must hold B64_ENCODED_LEN(len) + 1 bytes.  Returns length. */
size_t	b64url_encode(char *out, size_t outlen, const uint8_t *in, size_t len);
/*
 * Decode exactly len characters.  Returns the number of bytes written, or
 * -1 when the text is not canonical base64url or does not fit in outlen.
 */
long	b64url_decode(uint8_t *out, size_t outlen, const char *in, size_t len);
/*
 * The same rules without the output: the number of bytes len characters
 * decode to, or -1 when b64url_decode() would refuse them (given room).
 */
long	b64url_check(const char *in, size_t len);

#endif /* SWS_B64_H */
