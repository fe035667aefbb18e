// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the GET LBA STATUS descriptor builder: arbitrary
 * extents and ranges, at any byte offset (an image's size need not be a
 * multiple of the block size), must give contiguous descriptors of whole
 * blocks that start at the requested block, stay inside the buffer,
 * alternate statuses and, unless the buffer filled up, end at the last
 * whole block.  Run with -timeout: a builder that stops advancing hangs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bs_rbd_lbamap.h"

#define MAX_EXT 64
#define MAX_DESC 16

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* Extents from 4-byte records: a gap and a length, in bytes. */
static size_t read_extents(const uint8_t *data, size_t size,
			   struct bs_rbd_extent *ext, unsigned int scale)
{
	uint64_t pos = 0;
	size_t n = 0;

	for (; size >= 4 && n < MAX_EXT; data += 4, size -= 4) {
		pos += (uint64_t)(data[0] | data[1] << 8) << scale;
		ext[n].offset = pos;
		ext[n].len = (uint64_t)(data[2] | data[3] << 8) << scale;
		pos += ext[n].len;
		n++;
	}
	return n;
}

static void check(const uint8_t *out, size_t n, uint64_t first, uint64_t last)
{
	uint64_t pos = first;
	int prev = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		const uint8_t *d = out + i * BS_RBD_LBA_DESC_LEN;
		uint64_t blocks = be(d + 8, 4);

		if (be(d, 8) != pos || !blocks || d[12] > 1 ||
		    (d[12] == prev && be(d - 8, 4) != UINT32_MAX))
			abort();
		prev = d[12];
		pos += blocks;
	}
	if (pos > last || (n < MAX_DESC && pos != last))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bs_rbd_extent ext[MAX_EXT];
	uint8_t out[MAX_DESC * BS_RBD_LBA_DESC_LEN + 1];
	unsigned int shift, scale;
	uint64_t start, end;
	size_t n_ext, n;

	if (size < 18)
		return 0;
	shift = 9 + data[0] % 4;
	/* byte offsets, or (high bit) multiples of 1 KiB to reach further */
	scale = data[0] & 0x80 ? 10 : 0;
	start = (be(data + 1, 8) >> 24) << shift;
	end = start + (be(data + 9, 8) >> 24);
	n_ext = read_extents(data + 17, size - 17, ext, scale);
	out[sizeof(out) - 1] = 0xa5; /* canary */
	n = bs_rbd_lbamap_fill(ext, n_ext, start, end, shift, out, MAX_DESC);
	if (n > MAX_DESC || out[sizeof(out) - 1] != 0xa5)
		abort();
	check(out, n, start >> shift, end >> shift);
	return 0;
}
