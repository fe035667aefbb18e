/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: per-LU counters and client state in /var/run/tgtd/
 * bs_rbd.PORT.stats (bs_rbd_stats.c).
 * Include it before tgt's headers: their log.h redefines dprintf.
 */
#ifndef BS_RBD_STATS_H
#define BS_RBD_STATS_H

struct bs_rbd_lu;
struct bs_rbd_req;

void bs_rbd_stats_account(struct bs_rbd_lu *rlu, const struct bs_rbd_req *req,
			  int status);
void bs_rbd_stats_add(struct bs_rbd_lu *rlu);
void bs_rbd_stats_del(struct bs_rbd_lu *rlu);
/* Every LU of this tgtd, linked by stats_next */
struct bs_rbd_lu *bs_rbd_stats_lus(void);

#endif
