/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: serving tgtd's other LUs while a new LU waits for the cluster.
 */
#ifndef BS_RBD_LOOP_H
#define BS_RBD_LOOP_H

struct scsi_lu;
struct bs_rbd_wait;

void bs_rbd_loop_setup_begin(const struct scsi_lu *lu);
void bs_rbd_loop_setup_end(void);
/* bs_rbd_wait_for(), serving tgtd's events meanwhile if safe */
int bs_rbd_loop_wait(struct bs_rbd_wait *wait, unsigned int seconds);

#endif
