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
 * Duplicate keys in a map (keysort.c).  A key is an offset into the
 * reader's input; cmp orders two of them (negative, 0, positive) with
 * arg, the reader's context.  keys_distinct() sorts k[] and returns 1
 * when no two of its n keys are equal, else 0.
 */
#ifndef SWS_KEYSORT_H
#define SWS_KEYSORT_H

#include <stddef.h>
#include <stdint.h>

typedef int	(*keysort_cmp)(const void *arg, uint32_t a, uint32_t b);

int	keys_distinct(uint32_t *k, size_t n, keysort_cmp cmp, const void *arg);

#endif /* SWS_KEYSORT_H */
