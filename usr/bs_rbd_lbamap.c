// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: GET LBA STATUS descriptors from a list of allocated extents.
 *
 * Everything is counted in whole logical blocks: a block is mapped if any
 * of its bytes is, and a partial block at the end of the range has no
 * LBA, so it is left out.  Each step of the loops advances by at least
 * one block, whatever the byte offsets are.
 */
#include <string.h>

#include "bs_rbd_lbamap.h"

#define STATUS_MAPPED 0
#define STATUS_DEALLOCATED 1
#define MAX_DESC_BLOCKS 0xffffffffu /* a descriptor's 32-bit count */

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	while (bytes--) {
		p[bytes] = (uint8_t)v;
		v >>= 8;
	}
}

struct filler {
	uint8_t *out;
	size_t n, max;
	uint64_t last_end; /* block after the previous descriptor */
	uint32_t last_blocks;
	int last_status; /* -1: none yet */
};

/* Grow the previous descriptor, if it has this status and room left. */
static uint64_t merge(struct filler *f, uint64_t from, uint64_t to, int status)
{
	uint64_t take;
	uint8_t *d;

	if (f->last_status != status || f->last_end != from ||
	    f->last_blocks == MAX_DESC_BLOCKS)
		return 0;
	take = MAX_DESC_BLOCKS - f->last_blocks;
	if (take > to - from)
		take = to - from;
	f->last_blocks += (uint32_t)take;
	f->last_end += take;
	d = f->out + (f->n - 1) * BS_RBD_LBA_DESC_LEN;
	put_be(d + 8, f->last_blocks, 4);
	return take;
}

/* Add blocks [from, to) with a status, in descriptors of 2^32-1 at most. */
static void add_run(struct filler *f, uint64_t from, uint64_t to, int status)
{
	uint64_t blocks;
	uint8_t *d;

	from += merge(f, from, to, status);
	while (from < to && f->n < f->max) {
		blocks = to - from;
		if (blocks > MAX_DESC_BLOCKS)
			blocks = MAX_DESC_BLOCKS;
		d = f->out + f->n * BS_RBD_LBA_DESC_LEN;
		memset(d, 0, BS_RBD_LBA_DESC_LEN);
		put_be(d, from, 8);
		put_be(d + 8, blocks, 4);
		d[12] = (uint8_t)status;
		f->n++;
		f->last_status = status;
		f->last_blocks = (uint32_t)blocks;
		f->last_end = from + blocks;
		from += blocks;
	}
}

size_t bs_rbd_lbamap_fill(const struct bs_rbd_extent *ext, size_t n_ext,
			  uint64_t start, uint64_t end, unsigned int shift,
			  uint8_t *out, size_t max_desc)
{
	struct filler f = { out, 0, max_desc, 0, 0, -1 };
	uint64_t bs = (uint64_t)1 << shift;
	uint64_t pos = start >> shift, last = end >> shift;
	size_t i;

	for (i = 0; i < n_ext && pos < last; i++) {
		uint64_t a = ext[i].offset >> shift;
		uint64_t b;

		/* the block holding the extent's last byte, and the next */
		if (!ext[i].len)
			continue;
		b = ext[i].offset + ext[i].len - 1;
		b = b < ext[i].offset ? UINT64_MAX >> shift : b / bs + 1;
		if (b <= pos)
			continue;
		if (a > last)
			a = last;
		if (b > last)
			b = last;
		if (a > pos)
			add_run(&f, pos, a, STATUS_DEALLOCATED);
		if (a < pos)
			a = pos;
		add_run(&f, a, b, STATUS_MAPPED);
		pos = b;
	}
	if (pos < last)
		add_run(&f, pos, last, STATUS_DEALLOCATED);
	return f.n;
}
