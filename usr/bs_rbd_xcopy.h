/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: EXTENDED COPY (LID1) as bytes - the parameter list it takes,
 * the RECEIVE COPY RESULTS data it answers with, and its Third-party
 * Copy VPD page (SPC-4 6.4, 6.18, 7.8.17).
 *
 * Pure code, unit-tested and fuzzed on its own.  What we implement:
 * identification CSCD descriptors (0xE4) naming block devices by a
 * logical-unit designator of their VPD 0x83 page, and block to block
 * segment descriptors (0x02).  No inline or embedded data, no held data.
 * The copy itself is bs_rbd_copy.c's.
 */
#ifndef BS_RBD_XCOPY_H
#define BS_RBD_XCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "bs_rbd_sense.h"

/* Our limits, as OPERATING PARAMETERS reports them */
#define BS_RBD_XCOPY_MAX_CSCD 16
#define BS_RBD_XCOPY_MAX_SEGS 64
#define BS_RBD_XCOPY_CSCD_LEN 32
#define BS_RBD_XCOPY_SEG_LEN 28 /* a block to block segment */
#define BS_RBD_XCOPY_MAX_DESC_LIST                       \
	(BS_RBD_XCOPY_MAX_CSCD * BS_RBD_XCOPY_CSCD_LEN + \
	 BS_RBD_XCOPY_MAX_SEGS * BS_RBD_XCOPY_SEG_LEN)
#define BS_RBD_XCOPY_HDR_LEN 16
#define BS_RBD_XCOPY_MAX_PARAM \
	(BS_RBD_XCOPY_HDR_LEN + BS_RBD_XCOPY_MAX_DESC_LIST)
/* 65535 blocks of 4 KiB, the most one 0x02 segment can name */
#define BS_RBD_XCOPY_MAX_SEG_BYTES (256u << 20)
/* copies running at once, in one tgtd */
#define BS_RBD_XCOPY_MAX_COPIES 8
#define BS_RBD_XCOPY_DESIG_MAX 20

/* ASC/ASCQ of SPC-4's copy errors */
#define BS_RBD_ASC_PARAM_LIST_LENGTH 0x1a00
#define BS_RBD_ASC_INVALID_FIELD_PARAM 0x2600
#define BS_RBD_ASC_TOO_MANY_CSCD 0x2606
#define BS_RBD_ASC_UNSUPPORTED_CSCD_TYPE 0x2607
#define BS_RBD_ASC_TOO_MANY_SEGS 0x2608
#define BS_RBD_ASC_UNSUPPORTED_SEG_TYPE 0x2609
#define BS_RBD_ASC_COPY_TARGET_UNREACHABLE 0x0d02
#define BS_RBD_ASC_OPERATION_IN_PROGRESS 0x0016
#define BS_RBD_ASC_INVALID_FIELD_CDB 0x2400
#define BS_RBD_ASC_NONE 0x0000
#define BS_RBD_KEY_COPY_ABORTED 0x0a

/* LIST ID USAGE */
enum bs_rbd_xcopy_usage {
	BS_RBD_XCOPY_HOLD = 0,	  /* results kept for RECEIVE COPY RESULTS */
	BS_RBD_XCOPY_NO_HOLD = 2, /* list id still unique, results not kept */
	BS_RBD_XCOPY_NO_ID = 3,	  /* no list id (must be 0) */
};

/* A CSCD descriptor: a block device named by one designator */
struct bs_rbd_xcopy_cscd {
	uint8_t code_set;   /* of the designator */
	uint8_t desig_type; /* ASSOCIATION (always LU: 0) and TYPE */
	uint8_t desig_len;  /* at most BS_RBD_XCOPY_DESIG_MAX */
	uint8_t desig[BS_RBD_XCOPY_DESIG_MAX];
	uint32_t block_len; /* DISK BLOCK LENGTH, or 0 */
};

/* A block to block segment: blocks counted in the source's blocks, or
 * in the destination's (dc) */
struct bs_rbd_xcopy_seg {
	uint16_t src, dst; /* CSCD descriptor indexes */
	uint8_t dc;
	uint16_t blocks;
	uint64_t src_lba, dst_lba;
};

struct bs_rbd_xcopy_list {
	uint8_t list_id;
	uint8_t usage; /* enum bs_rbd_xcopy_usage */
	uint8_t nr_cscd, nr_segs;
	struct bs_rbd_xcopy_cscd cscd[BS_RBD_XCOPY_MAX_CSCD];
	struct bs_rbd_xcopy_seg segs[BS_RBD_XCOPY_MAX_SEGS];
};

/*
 * The EXTENDED COPY parameter list p (len bytes, what the initiator
 * sent), into l.  0, or -1 with the sense the command ends with in err.
 * Only what the list itself says is checked: CSCD indexes in range,
 * lengths, types.  The LUs named, their sizes and block lengths are the
 * copy's to check.
 */
int bs_rbd_xcopy_parse(const uint8_t *p, size_t len,
		       struct bs_rbd_xcopy_list *l, struct bs_rbd_sense *err);

/*
 * Does the VPD 0x83 page body d (len bytes after its 4-byte header)
 * hold a logical-unit designator equal to the descriptor's?
 */
int bs_rbd_xcopy_cscd_matches(const struct bs_rbd_xcopy_cscd *c,
			      const uint8_t *d, size_t len);

/* COPY STATUS of one copy */
enum bs_rbd_xcopy_state {
	BS_RBD_XCOPY_RUNNING = 0,
	BS_RBD_XCOPY_GOOD = 1,
	BS_RBD_XCOPY_FAILED = 2,
};

struct bs_rbd_xcopy_status {
	uint8_t state;	     /* enum bs_rbd_xcopy_state */
	uint16_t segs_done;  /* segments processed */
	uint64_t bytes_done; /* written to the destination, in order */
};

/* RECEIVE COPY RESULTS answers, into buf (len bytes, zeroed first);
 * each returns the bytes of the whole answer, which may exceed len */
size_t bs_rbd_xcopy_copy_status(const struct bs_rbd_xcopy_status *st,
				uint8_t *buf, size_t len);
size_t bs_rbd_xcopy_op_params(unsigned int blk_shift, uint8_t *buf, size_t len);
/* The Third-party Copy VPD page body (after its 4-byte header) */
#define BS_RBD_XCOPY_VPD8F_LEN 52
size_t bs_rbd_xcopy_vpd8f(uint8_t *buf, size_t len);

#endif
