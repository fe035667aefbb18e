/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: the SCSI block commands that reach the backing store
 * (bs_rbd_sbc.c): every entry point of the data path.
 */
#ifndef BS_RBD_SBC_H
#define BS_RBD_SBC_H

#include <stdint.h>

/* Most UNMAP descriptors per command (Block Limits VPD) */
#define BS_RBD_MAX_UNMAP_DESC 1024

struct scsi_cmd;
struct scsi_lu;

/* tgt's bs_cmd_submit: the commands tgt's SBC code hands us */
int bs_rbd_sbc_submit(struct scsi_cmd *cmd);
/* Does the backing store handle this opcode (its opcode map)? */
int bs_rbd_sbc_handles(uint8_t opcode);
/* Per-LU cmd_perform handlers for what tgt's core lacks or gets wrong */
int bs_rbd_compare_and_write(int host_no, struct scsi_cmd *cmd);
int bs_rbd_get_lba_status(int host_no, struct scsi_cmd *cmd);
int bs_rbd_report_tpgs(int host_no, struct scsi_cmd *cmd);
/* Blocks one COMPARE AND WRITE may cover on this LU (0: not offered) */
unsigned int bs_rbd_max_caw_blocks(const struct scsi_lu *lu);

#endif
