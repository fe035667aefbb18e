/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: one table from librbd/librados errors to SCSI sense.
 *
 * Pure code (only tgt's scsi.h constants), unit-tested on its own.
 */
#ifndef BS_RBD_SENSE_H
#define BS_RBD_SENSE_H

#include <stdint.h>

/* ASC/ASCQ values tgt's scsi.h does not name */
#define BS_RBD_ASC_NOT_READY_CAUSE_NOT_REPORTABLE 0x0400
#define BS_RBD_ASC_ALUA_TRANSITION 0x040a
#define BS_RBD_ASC_SPACE_ALLOC_FAILED_WRITE_PROTECT 0x2707
#define BS_RBD_ASC_COMMAND_TIMEOUT_DURING_PROCESSING 0x2e02
#define BS_RBD_ASC_MEDIUM_NOT_PRESENT 0x3a00
#define BS_RBD_ASC_INTERNAL_TARGET_FAILURE 0x4400
#define BS_RBD_ASC_WRITE_ERROR_REALLOC_FAILED 0x0c02
#define BS_RBD_ASC_UNRECOVERED_READ_ERROR 0x1100
#define BS_RBD_ASC_LBA_OUT_OF_RANGE 0x2100
#define BS_RBD_ASC_WRITE_PROTECTED 0x2700
#define BS_RBD_ASC_MISCOMPARE_DURING_VERIFY 0x1d00

/* What the failed operation did to the medium: picks READ vs WRITE ERROR. */
enum bs_rbd_dir {
	BS_RBD_DIR_READ,
	BS_RBD_DIR_WRITE,
};

struct bs_rbd_sense {
	uint8_t key;  /* SCSI sense key */
	uint16_t asc; /* ASC << 8 | ASCQ, as tgt's sense_data_build() takes */
};

/* err is a negative errno as librbd/librados return it. */
struct bs_rbd_sense bs_rbd_errno_to_sense(int err, enum bs_rbd_dir dir);

#endif
