/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: a LUN RESET through one gateway, heard on every gateway of the
 * image (bs_rbd_reset.c).  Main loop only.
 */
#ifndef BS_RBD_RESET_H
#define BS_RBD_RESET_H

#include <stdint.h>

struct bs_rbd_lu;
struct bs_rbd_event;
struct bs_rbd_peers_msg;
struct scsi_cmd;

/*
 * The bit of it_nexus_lu_info.prevent that marks a nexus as seen by us;
 * tgt uses PREVENT_MASK (0x03) only, and clears the field at a LUN reset.
 */
#define BS_RBD_RESET_MARK 0x100

int bs_rbd_reset_start(struct bs_rbd_lu *rlu);
void bs_rbd_reset_stop(struct bs_rbd_lu *rlu);
/*
 * A TEST UNIT READY that ends with status: if a LUN reset happened here
 * since the last look, tell the other gateways; 1 when that holds the
 * command (it then ends with status once they acknowledged, set async),
 * 0 when the caller ends it.
 */
int bs_rbd_reset_tur(struct bs_rbd_lu *rlu, struct scsi_cmd *cmd, int status);
/* A reset or look event from the image's channel (bs_rbd_peers_fn) */
int bs_rbd_reset_heard(struct bs_rbd_lu *rlu, const struct bs_rbd_event *ev,
		       struct bs_rbd_peers_msg *msg);

#endif
