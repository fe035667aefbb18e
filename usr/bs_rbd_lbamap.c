// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs_rbd: GET LBA STATUS descriptors from a list of allocated extents.
 */
#include <string.h>

#include "bs_rbd_lbamap.h"

#define STATUS_MAPPED 0
#define STATUS_DEALLOCATED 1

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	while (bytes--) {
		p[bytes] = (uint8_t)v;
		v >>= 8;
	}
}

struct filler {
	unsigned int shift;
	uint8_t *out;
	size_t n, max;
	uint8_t *last; /* previous descriptor, to merge into */
};

static uint64_t desc_blocks(const uint8_t *d)
{
	return (uint64_t)d[8] << 24 | (uint64_t)d[9] << 16 |
	       (uint64_t)d[10] << 8 | d[11];
}

/*
 * Add [from, to) with a status: first into the previous descriptor if it
 * has the same status, then into new ones of at most 2^32-1 blocks.
 */
static void add_run(struct filler *f, uint64_t from, uint64_t to, int status)
{
	while (from < to) {
		uint64_t blocks = (to - from) >> f->shift;
		uint8_t *d = f->last;

		if (d && (d[12] & 0x0f) == status &&
		    desc_blocks(d) < UINT32_MAX) {
			uint64_t take = UINT32_MAX - desc_blocks(d);

			if (take > blocks)
				take = blocks;
			put_be(d + 8, desc_blocks(d) + take, 4);
			from += take << f->shift;
			continue;
		}
		if (f->n == f->max)
			return;
		if (blocks > UINT32_MAX)
			blocks = UINT32_MAX;
		d = f->out + f->n * BS_RBD_LBA_DESC_LEN;
		memset(d, 0, BS_RBD_LBA_DESC_LEN);
		put_be(d, from >> f->shift, 8);
		put_be(d + 8, blocks, 4);
		d[12] = (uint8_t)status;
		f->last = d;
		f->n++;
		from += blocks << f->shift;
	}
}

size_t bs_rbd_lbamap_fill(const struct bs_rbd_extent *ext, size_t n_ext,
			  uint64_t start, uint64_t end, unsigned int shift,
			  uint8_t *out, size_t max_desc)
{
	struct filler f = { shift, out, 0, max_desc, NULL };
	uint64_t pos = start;
	size_t i;

	for (i = 0; i < n_ext && pos < end; i++) {
		uint64_t a = ext[i].offset, b = ext[i].offset + ext[i].len;

		if (b <= pos)
			continue;
		if (a > end)
			a = end;
		if (b > end)
			b = end;
		if (a > pos)
			add_run(&f, pos, a, STATUS_DEALLOCATED);
		if (a < pos)
			a = pos;
		add_run(&f, a, b, STATUS_MAPPED);
		pos = b;
	}
	add_run(&f, pos, end, STATUS_DEALLOCATED);
	return f.n;
}
