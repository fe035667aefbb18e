/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: getting an LU back after the cluster blocklisted its client
 * (bs_rbd_reopen.c).
 */
#ifndef BS_RBD_REOPEN_H
#define BS_RBD_REOPEN_H

struct bs_rbd_lu;

/* A command failed with EBLOCKLISTED: the LU is fenced. */
void bs_rbd_reopen_start(struct bs_rbd_lu *rlu);
/* The LU is closing: stop trying. */
void bs_rbd_reopen_cancel(struct bs_rbd_lu *rlu);

#endif
