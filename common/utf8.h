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
 * Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), as a small DFA so that a text message split
 * across frames and reads is checked byte by byte as it arrives.
 */
#ifndef SWS_UTF8_H
#define SWS_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_ACCEPT	0	/* between characters */
#define UTF8_REJECT	1	/* invalid; sticky */

/*
 * Advance the state over len bytes and return the new state: UTF8_ACCEPT
 * when the input so far ends on a character boundary, UTF8_REJECT once
 * anything invalid was seen, another value inside a character.
 */
uint32_t	utf8_step(uint32_t state, const uint8_t *p, size_t len);
/* 1 when p[0..len) is complete, valid UTF-8. */
int		utf8_valid(const uint8_t *p, size_t len);

#endif /* SWS_UTF8_H */
