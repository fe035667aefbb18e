// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the errno -> SCSI sense table.
 */
#include <errno.h>

#include "bs_rbd_sense.h"
#include "unit.h"

struct sense_case {
	int err;
	enum bs_rbd_dir dir;
	uint8_t key;
	uint16_t asc;
};

static const struct sense_case cases[] = {
	/* snapshot / read-only image: DATA PROTECT, WRITE PROTECTED */
	{ -EROFS, BS_RBD_DIR_WRITE, 0x07, 0x2700 },
	/* quota or full pool: SPACE ALLOCATION FAILED WRITE PROTECT */
	{ -EDQUOT, BS_RBD_DIR_WRITE, 0x07, 0x2707 },
	{ -ENOSPC, BS_RBD_DIR_WRITE, 0x07, 0x2707 },
	/* compare and write mismatch */
	{ -EILSEQ, BS_RBD_DIR_WRITE, 0x0e, 0x1d00 },
	/* op timeout: ABORTED COMMAND, retryable */
	{ -ETIMEDOUT, BS_RBD_DIR_READ, 0x0b, 0x2e02 },
	{ -ETIMEDOUT, BS_RBD_DIR_WRITE, 0x0b, 0x2e02 },
	/* blocklisted (EBLOCKLISTED is ESHUTDOWN) */
	{ -ESHUTDOWN, BS_RBD_DIR_WRITE, 0x02, 0x0400 },
	{ -ENOTCONN, BS_RBD_DIR_READ, 0x02, 0x0400 },
	/* image gone */
	{ -ENOENT, BS_RBD_DIR_READ, 0x02, 0x3a00 },
	/* invalid range */
	{ -EINVAL, BS_RBD_DIR_READ, 0x05, 0x2100 },
	{ -ERANGE, BS_RBD_DIR_WRITE, 0x05, 0x2100 },
	{ -ENOMEM, BS_RBD_DIR_WRITE, 0x0b, 0x4400 },
	/* everything else: MEDIUM ERROR by direction */
	{ -EIO, BS_RBD_DIR_READ, 0x03, 0x1100 },
	{ -EIO, BS_RBD_DIR_WRITE, 0x03, 0x0c00 },
	{ -EXDEV, BS_RBD_DIR_WRITE, 0x03, 0x0c00 },
	{ -12345, BS_RBD_DIR_READ, 0x03, 0x1100 },
};

static void test_table(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bs_rbd_sense s =
			bs_rbd_errno_to_sense(cases[i].err, cases[i].dir);

		if (s.key != cases[i].key || s.asc != cases[i].asc) {
			fprintf(stderr,
				"  errno %d dir %d: got %02x/%04x, expected "
				"%02x/%04x\n",
				cases[i].err, cases[i].dir, s.key, s.asc,
				cases[i].key, cases[i].asc);
			CHECK(0);
		}
	}
}

/* Positive and negative errno are the same error. */
static void test_sign(void)
{
	struct bs_rbd_sense a = bs_rbd_errno_to_sense(EROFS, BS_RBD_DIR_WRITE);
	struct bs_rbd_sense b = bs_rbd_errno_to_sense(-EROFS, BS_RBD_DIR_WRITE);

	CHECK(a.key == b.key && a.asc == b.asc);
}

int main(void)
{
	RUN(test_table);
	RUN(test_sign);
	return unit_report("unit/sense");
}
