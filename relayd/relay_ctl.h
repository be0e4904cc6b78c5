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
