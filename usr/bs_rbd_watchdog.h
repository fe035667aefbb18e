/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the removed-image watchdog (bs_rbd_watchdog.c).
 */
#ifndef BS_RBD_WATCHDOG_H
#define BS_RBD_WATCHDOG_H

struct bs_rbd_lu;
struct bs_rbd_image;

/* For the LU's whole life (bs_init to bs_exit), across media changes */
int bs_rbd_watchdog_start(struct bs_rbd_lu *rlu);
void bs_rbd_watchdog_stop(struct bs_rbd_lu *rlu);
/* A command started: look at the LU in a second unless already due to. */
void bs_rbd_watchdog_arm(struct bs_rbd_lu *rlu);
/* A command on img failed with ENOENT: does img still exist? */
void bs_rbd_watchdog_probe(struct bs_rbd_lu *rlu, struct bs_rbd_image *img);

#endif
