// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the GET LBA STATUS descriptor builder.
 */
#include <stdint.h>

#include "bs_rbd_lbamap.h"
#include "unit.h"

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* descriptor i is (lba, blocks, status) */
static int desc_is(const uint8_t *out, size_t i, uint64_t lba, uint64_t blocks,
		   int status)
{
	const uint8_t *d = out + i * BS_RBD_LBA_DESC_LEN;

	return be(d, 8) == lba && be(d + 8, 4) == blocks && d[12] == status;
}

#define MiB (1024 * 1024ULL)

static void test_empty_image(void)
{
	uint8_t out[16 * 4];

	CHECK(bs_rbd_lbamap_fill(NULL, 0, 0, 8 * MiB, 9, out, 4) == 1);
	CHECK(desc_is(out, 0, 0, 16384, 1));
}

static void test_alternating(void)
{
	struct bs_rbd_extent e[] = { { 1 * MiB, 1 * MiB },
				     { 4 * MiB, 2 * MiB } };
	uint8_t out[16 * 8];

	CHECK(bs_rbd_lbamap_fill(e, 2, 0, 8 * MiB, 9, out, 8) == 5);
	CHECK(desc_is(out, 0, 0, 2048, 1));
	CHECK(desc_is(out, 1, 2048, 2048, 0));
	CHECK(desc_is(out, 2, 4096, 4096, 1));
	CHECK(desc_is(out, 3, 8192, 4096, 0));
	CHECK(desc_is(out, 4, 12288, 4096, 1));
}

/* The first descriptor starts at the requested LBA, even mid-extent. */
static void test_start_inside_extent(void)
{
	struct bs_rbd_extent e[] = { { 0, 4 * MiB } };
	uint8_t out[16 * 4];

	CHECK(bs_rbd_lbamap_fill(e, 1, 1 * MiB, 8 * MiB, 9, out, 4) == 2);
	CHECK(desc_is(out, 0, 2048, 6144, 0));
	CHECK(desc_is(out, 1, 8192, 8192, 1));
}

/* Adjacent extents merge; the descriptor count limit is honoured. */
static void test_merge_and_limit(void)
{
	struct bs_rbd_extent e[] = { { 0, 1 * MiB },
				     { 1 * MiB, 1 * MiB },
				     { 3 * MiB, 1 * MiB } };
	uint8_t out[16 * 4];

	CHECK(bs_rbd_lbamap_fill(e, 3, 0, 8 * MiB, 9, out, 4) == 4);
	CHECK(desc_is(out, 0, 0, 4096, 0));
	CHECK(desc_is(out, 1, 4096, 2048, 1));
	CHECK(desc_is(out, 2, 6144, 2048, 0));
	CHECK(bs_rbd_lbamap_fill(e, 3, 0, 8 * MiB, 9, out, 2) == 2);
}

/* Runs longer than 2^32 blocks split into several descriptors. */
static void test_huge_run(void)
{
	uint8_t out[16 * 4];
	uint64_t end = (1ULL << 33) << 9; /* 2^33 blocks of 512 bytes */

	CHECK(bs_rbd_lbamap_fill(NULL, 0, 0, end, 9, out, 4) == 3);
	CHECK(desc_is(out, 0, 0, UINT32_MAX, 1));
	CHECK(desc_is(out, 1, UINT32_MAX, UINT32_MAX, 1));
	CHECK(desc_is(out, 2, 2ULL * UINT32_MAX, 2, 1));
}

/* Extents past the range, and 4 KiB blocks. */
static void test_clip_and_shift(void)
{
	struct bs_rbd_extent e[] = { { 2 * MiB, 10 * MiB } };
	uint8_t out[16 * 4];

	CHECK(bs_rbd_lbamap_fill(e, 1, 0, 4 * MiB, 12, out, 4) == 2);
	CHECK(desc_is(out, 0, 0, 512, 1));
	CHECK(desc_is(out, 1, 512, 512, 0));
}

/*
 * The image of issue 13: 24576 blocks of 4 KiB and 1536 bytes more, its
 * last two objects allocated.  The partial block has no LBA: the answer stops
 * at block 24576, and the call returns (it used to loop for ever).
 */
static void test_partial_last_block(void)
{
	const uint64_t size = 24576 * 4096ULL + 1536;
	struct bs_rbd_extent e[] = { { 92 * MiB, size - 92 * MiB } };
	uint8_t out[16 * 4];

	CHECK(bs_rbd_lbamap_fill(e, 1, 24575 * 4096ULL, size, 12, out, 4) == 1);
	CHECK(desc_is(out, 0, 24575, 1, 0));
	CHECK(bs_rbd_lbamap_fill(NULL, 0, 24575 * 4096ULL, size, 12, out, 4) ==
	      1);
	CHECK(desc_is(out, 0, 24575, 1, 1));
	/* nothing but a partial block: nothing to describe */
	CHECK(bs_rbd_lbamap_fill(e, 1, 24576 * 4096ULL, size, 12, out, 4) == 0);
}

/* Extents that start or end inside a block map the whole block. */
static void test_unaligned_extents(void)
{
	struct bs_rbd_extent e[] = { { 100, 10 }, { 4095, 2 } };
	uint8_t out[16 * 4];

	CHECK(bs_rbd_lbamap_fill(e, 2, 0, 5 * 4096, 12, out, 4) == 2);
	CHECK(desc_is(out, 0, 0, 2, 0));
	CHECK(desc_is(out, 1, 2, 3, 1));
}

int main(void)
{
	RUN(test_empty_image);
	RUN(test_alternating);
	RUN(test_start_inside_extent);
	RUN(test_merge_and_limit);
	RUN(test_huge_run);
	RUN(test_clip_and_shift);
	RUN(test_partial_last_block);
	RUN(test_unaligned_extents);
	return unit_report("unit/lbamap");
}
