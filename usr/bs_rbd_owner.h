/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: who holds the image's lock, looked at while initiators are
 * logged in, for the unit attention ALUA asks when this gateway's group
 * changes state (bs_rbd_owner.c).  Main loop only.
 */
#ifndef BS_RBD_OWNER_H
#define BS_RBD_OWNER_H

struct bs_rbd_lu;

/* For the LU's whole life (bs_init to bs_exit): 0 or -ENOMEM */
int bs_rbd_owner_start(struct bs_rbd_lu *rlu);
void bs_rbd_owner_stop(struct bs_rbd_lu *rlu);

#endif
