// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the GET LBA STATUS descriptor builder: arbitrary
 * extents and ranges must give contiguous descriptors that start at the
 * requested offset, stay inside the buffer and alternate statuses.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bs_rbd_extent ext[MAX_EXT];
	uint8_t out[MAX_DESC * BS_RBD_LBA_DESC_LEN + 1];
	unsigned int shift;
	uint64_t start, end, pos, prev = 0;
	size_t n_ext = 0, n, i;

	if (size < 18)
		return 0;
	shift = 9 + data[0] % 4;
	start = (be(data + 1, 8) >> 20) << shift;
	end = start + ((be(data + 9, 8) >> 24) << shift);
	data += 17;
	size -= 17;
	for (pos = 0; size >= 4 && n_ext < MAX_EXT; data += 4, size -= 4) {
		uint64_t gap = (uint64_t)(data[0] | data[1] << 8) << shift;
		uint64_t len = (uint64_t)(data[2] | data[3] << 8) << shift;

		pos += gap;
		ext[n_ext].offset = pos;
		ext[n_ext].len = len;
		pos += len;
		n_ext++;
	}
	out[sizeof(out) - 1] = 0xa5; /* canary */
	n = bs_rbd_lbamap_fill(ext, n_ext, start, end, shift, out, MAX_DESC);
	if (n > MAX_DESC || out[sizeof(out) - 1] != 0xa5)
		abort();
	pos = start >> shift;
	for (i = 0; i < n; i++) {
		const uint8_t *d = out + i * BS_RBD_LBA_DESC_LEN;
		uint64_t blocks = be(d + 8, 4);

		if (be(d, 8) != pos || !blocks || d[12] > 1 ||
		    (i && d[12] == prev && be(d - 8, 4) != UINT32_MAX))
			abort();
		prev = d[12];
		pos += blocks;
	}
	if (n && n < MAX_DESC && pos != end >> shift)
		abort();
	return 0;
}
