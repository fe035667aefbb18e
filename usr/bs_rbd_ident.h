/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: a LU's SCSI identity (VPD 0x80 serial, VPD 0x83 designators),
 * derived from the image rather than from where tgt exports it.
 *
 * Pure code, unit-tested on its own.  The image is named by what never
 * changes while it exists: cluster fsid, pool id, namespace, image id
 * and snapshot id (a rename keeps them all).  Every gateway that opens
 * the same image computes the same identity; another image or a
 * snapshot never does.
 */
#ifndef BS_RBD_IDENT_H
#define BS_RBD_IDENT_H

#include <stddef.h>
#include <stdint.h>

/* The identity as text: 32 lowercase hex digits and a NUL */
#define BS_RBD_IDENT_LEN 33
/* Longest VPD 0x83 page body bs_rbd_ident_vpd83() writes (bytes) */
#define BS_RBD_VPD83_MAX (4 + 8 + 4 + 64)

struct bs_rbd_ident_src {
	const char *fsid; /* the cluster's, as librados prints it */
	int64_t pool_id;
	const char *ns; /* "" for the default namespace */
	const char *image_id;
	uint64_t snap_id; /* 0: the image head */
};

/* FNV-1a, 128 bits, of len bytes (http://www.isthe.com/chongo/tech/comp/fnv) */
void bs_rbd_fnv1a128(const void *data, size_t len, uint8_t out[16]);

/* The image's identity as 32 hex digits (scsi_id and scsi_sn) */
void bs_rbd_ident_make(const struct bs_rbd_ident_src *src,
		       char out[BS_RBD_IDENT_LEN]);

/*
 * The designators of VPD page 0x83 (after its 4-byte header) for a LU
 * whose identification string is id (ours, or one an administrator set)
 * and whose T10 vendor is vendor: an NAA locally assigned designator
 * first (8 bytes hashed from id), then a T10 vendor ID designator
 * (vendor, padded to 8, and id, at most 64 bytes).  Returns the bytes
 * written, at most BS_RBD_VPD83_MAX; len must be at least that.
 */
size_t bs_rbd_ident_vpd83(const char *id, const char *vendor, uint8_t *out,
			  size_t len);

#endif
