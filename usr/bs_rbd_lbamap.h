/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bs_rbd: GET LBA STATUS descriptors from a list of allocated extents.
 *
 * Pure code, unit-tested on its own.
 */
#ifndef BS_RBD_LBAMAP_H
#define BS_RBD_LBAMAP_H

#include <stddef.h>
#include <stdint.h>

#define BS_RBD_LBA_DESC_LEN 16

/* An allocated byte range of the image, as librbd's diff reports it. */
struct bs_rbd_extent {
	uint64_t offset;
	uint64_t len;
};

/*
 * Describe the whole blocks of [start, end) (bytes; start is rounded
 * down, end down to a block boundary) as alternating mapped and
 * deallocated runs, given the allocated extents in ascending order (any
 * byte offsets; a block with any allocated byte is mapped).  Writes at
 * most max_desc 16-byte LBA status descriptors (SBC-3 5.7) to out and
 * returns how many it wrote.
 */
size_t bs_rbd_lbamap_fill(const struct bs_rbd_extent *ext, size_t n_ext,
			  uint64_t start, uint64_t end, unsigned int shift,
			  uint8_t *out, size_t max_desc);

#endif
