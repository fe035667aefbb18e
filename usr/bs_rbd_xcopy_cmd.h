/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the EXTENDED COPY and RECEIVE COPY RESULTS commands
 * (bs_rbd_xcopy_cmd.c): the LU that receives EXTENDED COPY is the copy
 * manager, and copies between any RBD LUs of this tgtd that its CSCD
 * descriptors name by their VPD 0x83 designators.
 */
#ifndef BS_RBD_XCOPY_CMD_H
#define BS_RBD_XCOPY_CMD_H

#include <stdint.h>

#define BS_RBD_OP_EXTENDED_COPY 0x83
#define BS_RBD_OP_RECEIVE_COPY_RESULTS 0x84

struct scsi_cmd;
struct bs_rbd_lu;

/* Per-LU cmd_perform handlers (tgt has neither) */
int bs_rbd_extended_copy(int host_no, struct scsi_cmd *cmd);
int bs_rbd_receive_copy_results(int host_no, struct scsi_cmd *cmd);
/* The LU goes (no copy of its own runs): its copy results go with it */
void bs_rbd_xcopy_lu_free(struct bs_rbd_lu *rlu);

#endif
