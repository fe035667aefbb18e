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

/* Add [from, to) with a status; longer than 2^32 blocks splits. */
static void add_run(struct filler *f, uint64_t from, uint64_t to, int status)
{
	while (from < to && f->n < f->max) {
		uint64_t blocks = (to - from) >> f->shift;
		uint8_t *d;

		if (f->last && (f->last[12] & 0x0f) == status) {
			uint64_t have = (uint64_t)f->last[8] << 24 |
					(uint64_t)f->last[9] << 16 |
					(uint64_t)f->last[10] << 8 |
					f->last[11];

			if (have + blocks <= UINT32_MAX) {
				put_be(f->last + 8, have + blocks, 4);
				return;
			}
		}
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
