/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: what an LU follows of its image's other gateways - their events
 * (LUN resets, reservation changes) and the shared reservations
 * (bs_rbd_listen.c).  Main loop only.
 */
#ifndef BS_RBD_LISTEN_H
#define BS_RBD_LISTEN_H

struct bs_rbd_lu;

/*
 * The LU serves an image (again): follow it.  on_fence is called when the
 * follow finds the LU's client blocklisted.  0, or a negative errno.
 */
int bs_rbd_listen_start(struct bs_rbd_lu *rlu,
			void (*on_fence)(struct bs_rbd_lu *rlu));
void bs_rbd_listen_stop(struct bs_rbd_lu *rlu);

#endif
