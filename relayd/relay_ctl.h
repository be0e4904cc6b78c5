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
 * The relay's answers to relayctl(8), part of the process layer:
 * relay.c hands each IMSG_CTL_REQ from the parent here, and the rows
 * and the CTL_END are queued on ib, the parent's channel.
 */
#ifndef SWS_RELAY_CTL_H
#define SWS_RELAY_CTL_H

#include "imsg.h"

struct imsg_ctl_req;
struct metrics_gauges;

void	relay_ctl_request(struct imsgbuf *ib, const struct imsg_ctl_req *);
/* What the counters do not hold, for /metrics and the summary. */
void	relay_ctl_gauges(struct metrics_gauges *);

#endif /* SWS_RELAY_CTL_H */
