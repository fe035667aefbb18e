// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: librbd/librados errors to SCSI sense.
 *
 * The choice per error is what an initiator should do about it: retry
 * (ABORTED COMMAND, NOT READY), stop writing (DATA PROTECT), give up on the
 * block (MEDIUM ERROR) or fix its request (ILLEGAL REQUEST).
 */
#include <errno.h>
#include <stddef.h>

#include "bs_rbd_sense.h"

/* sense keys, as in SPC-4 (tgt's scsi.h has the same values) */
enum {
	SK_NOT_READY = 0x02,
	SK_MEDIUM_ERROR = 0x03,
	SK_ILLEGAL_REQUEST = 0x05,
	SK_DATA_PROTECT = 0x07,
	SK_ABORTED_COMMAND = 0x0b,
	SK_MISCOMPARE = 0x0e,
};

struct errno_sense {
	int err; /* positive errno */
	struct bs_rbd_sense sense;
};

/*
 * Conditions only a write can meet; a read failing with one of these
 * errnos is a plain read error.
 */
static const struct errno_sense write_table[] = {
	/* snapshot or read-only image */
	{ EROFS, { SK_DATA_PROTECT, BS_RBD_ASC_WRITE_PROTECTED } },
	{ EPERM, { SK_DATA_PROTECT, BS_RBD_ASC_WRITE_PROTECTED } },
	/* pool quota or full cluster (rados_set_pool_full_try) */
	{ EDQUOT,
	  { SK_DATA_PROTECT, BS_RBD_ASC_SPACE_ALLOC_FAILED_WRITE_PROTECT } },
	{ ENOSPC,
	  { SK_DATA_PROTECT, BS_RBD_ASC_SPACE_ALLOC_FAILED_WRITE_PROTECT } },
};

static const struct errno_sense table[] = {
	/* compare-and-write mismatch */
	{ EILSEQ, { SK_MISCOMPARE, BS_RBD_ASC_MISCOMPARE_DURING_VERIFY } },
	/* rados_osd_op_timeout expired: worth a retry */
	{ ETIMEDOUT,
	  { SK_ABORTED_COMMAND,
	    BS_RBD_ASC_COMMAND_TIMEOUT_DURING_PROCESSING } },
	/* transient resource shortage: worth a retry */
	{ ENOMEM, { SK_ABORTED_COMMAND, BS_RBD_ASC_INTERNAL_TARGET_FAILURE } },
	{ EAGAIN, { SK_ABORTED_COMMAND, BS_RBD_ASC_INTERNAL_TARGET_FAILURE } },
	{ EINTR, { SK_ABORTED_COMMAND, BS_RBD_ASC_INTERNAL_TARGET_FAILURE } },
	/* this client is blocklisted (EBLOCKLISTED == ESHUTDOWN): another
	 * gateway took the image; this one is moving to a new client */
	{ ESHUTDOWN, { SK_NOT_READY, BS_RBD_ASC_ALUA_TRANSITION } },
	/* it lost its session: no I/O until the LU reconnects */
	{ ENOTCONN,
	  { SK_NOT_READY, BS_RBD_ASC_NOT_READY_CAUSE_NOT_REPORTABLE } },
	/* the image went away underneath the LU */
	{ ENOENT, { SK_NOT_READY, BS_RBD_ASC_MEDIUM_NOT_PRESENT } },
	/* request outside the image (e.g. it shrank) */
	{ EINVAL, { SK_ILLEGAL_REQUEST, BS_RBD_ASC_LBA_OUT_OF_RANGE } },
	{ ERANGE, { SK_ILLEGAL_REQUEST, BS_RBD_ASC_LBA_OUT_OF_RANGE } },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct bs_rbd_sense *lookup(const struct errno_sense *t,
					 unsigned int n, int err)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (t[i].err == err)
			return &t[i].sense;
	return NULL;
}

struct bs_rbd_sense bs_rbd_errno_to_sense(int err, enum bs_rbd_dir dir)
{
	/*
	 * SPC-4 marks plain WRITE ERROR (0C/00) for tape and optical
	 * devices; a direct-access device's is AUTO REALLOCATION FAILED.
	 */
	struct bs_rbd_sense io_error = {
		SK_MEDIUM_ERROR, dir == BS_RBD_DIR_WRITE
					 ? BS_RBD_ASC_WRITE_ERROR_REALLOC_FAILED
					 : BS_RBD_ASC_UNRECOVERED_READ_ERROR
	};
	const struct bs_rbd_sense *s = NULL;

	if (err < 0)
		err = -err;
	if (dir == BS_RBD_DIR_WRITE)
		s = lookup(write_table, N(write_table), err);
	if (!s)
		s = lookup(table, N(table), err);
	/* EIO and anything unforeseen: the medium failed the transfer */
	return s ? *s : io_error;
}
