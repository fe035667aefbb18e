// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the errno -> SCSI sense mapping, against the standards
 * rather than against the module's own table: every expected value is a
 * literal sense key and ASC/ASCQ with the name SPC-4 gives it (sense keys:
 * SPC-4 4.5.6 table 48; codes: SPC-4 annex E table E.1, where a code
 * must be marked "D", direct-access block device, for an SBC LU), and the
 * rule of SBC-3/SPC-4 that picks it.  Only which condition an errno
 * stands for (ENOENT: the image is gone, ...) is the module's design.
 */
#include <errno.h>

#include "bs_rbd_sense.h"
#include "unit.h"

#define READ BS_RBD_DIR_READ
#define WRITE BS_RBD_DIR_WRITE

struct rule {
	int err;
	enum bs_rbd_dir dir;
	uint8_t key, asc, ascq;
};

/* One condition per row; the standard's rule above each group. */
static const struct rule rules[] = {
	/*
	 * SBC-3 4.11 (write protection): a write to a write-protected
	 * medium ends with DATA PROTECT, WRITE PROTECTED.  EROFS: snapshot
	 * or read-only image; EPERM: the client may not write it.
	 */
	{ EROFS, WRITE, 0x07 /* DATA PROTECT */, 0x27,
	  0x00 /* WRITE PROTECTED */ },
	{ EPERM, WRITE, 0x07 /* DATA PROTECT */, 0x27,
	  0x00 /* WRITE PROTECTED */ },
	/*
	 * SBC-3 4.7.3.7 (thin provisioning, resource exhaustion): a write
	 * that cannot get the space it needs ends with DATA PROTECT, SPACE
	 * ALLOCATION FAILED WRITE PROTECT.  EDQUOT: pool quota; ENOSPC: full.
	 */
	{ EDQUOT, WRITE, 0x07 /* DATA PROTECT */, 0x27,
	  0x07 /* SPACE ALLOCATION FAILED WRITE PROTECT */ },
	{ ENOSPC, WRITE, 0x07 /* DATA PROTECT */, 0x27,
	  0x07 /* SPACE ALLOCATION FAILED WRITE PROTECT */ },
	/*
	 * SBC-3 5.2 (COMPARE AND WRITE) and 5.x (VERIFY, BYTCHK): data that
	 * differ end with MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION.
	 */
	{ EILSEQ, WRITE, 0x0e /* MISCOMPARE */, 0x1d,
	  0x00 /* MISCOMPARE DURING VERIFY OPERATION */ },
	{ EILSEQ, READ, 0x0e /* MISCOMPARE */, 0x1d,
	  0x00 /* MISCOMPARE DURING VERIFY OPERATION */ },
	/*
	 * The OSD did not answer within rados_osd_op_timeout: SPC-5 names
	 * the condition COMMAND TIMEOUT DURING PROCESSING; ABORTED COMMAND
	 * tells the initiator a retry may succeed (SPC-4 table 48).
	 */
	{ ETIMEDOUT, READ, 0x0b /* ABORTED COMMAND */, 0x2e,
	  0x02 /* COMMAND TIMEOUT DURING PROCESSING */ },
	{ ETIMEDOUT, WRITE, 0x0b /* ABORTED COMMAND */, 0x2e,
	  0x02 /* COMMAND TIMEOUT DURING PROCESSING */ },
	/*
	 * A transient shortage inside the target: INTERNAL TARGET FAILURE,
	 * retryable (ABORTED COMMAND).
	 */
	{ ENOMEM, WRITE, 0x0b /* ABORTED COMMAND */, 0x44,
	  0x00 /* INTERNAL TARGET FAILURE */ },
	{ EAGAIN, READ, 0x0b /* ABORTED COMMAND */, 0x44,
	  0x00 /* INTERNAL TARGET FAILURE */ },
	{ EINTR, WRITE, 0x0b /* ABORTED COMMAND */, 0x44,
	  0x00 /* INTERNAL TARGET FAILURE */ },
	/*
	 * This client is blocklisted (EBLOCKLISTED == ESHUTDOWN): another
	 * gateway took the image over and this one is moving to a new
	 * client.  NOT READY (SPC-4 table 48), ASYMMETRIC ACCESS STATE
	 * TRANSITION (SPC-4 5.15.2.3): retry, or use another path.
	 */
	{ ESHUTDOWN, WRITE, 0x02 /* NOT READY */, 0x04,
	  0x0a /* ASYMMETRIC ACCESS STATE TRANSITION */ },
	{ ESHUTDOWN, READ, 0x02 /* NOT READY */, 0x04,
	  0x0a /* ASYMMETRIC ACCESS STATE TRANSITION */ },
	/*
	 * It lost its session: NOT READY, LOGICAL UNIT NOT READY, CAUSE NOT
	 * REPORTABLE.
	 */
	{ ENOTCONN, READ, 0x02 /* NOT READY */, 0x04,
	  0x00 /* LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE */ },
	/* The image is gone: NOT READY, MEDIUM NOT PRESENT (SPC-4 E.1). */
	{ ENOENT, READ, 0x02 /* NOT READY */, 0x3a,
	  0x00 /* MEDIUM NOT PRESENT */ },
	{ ENOENT, WRITE, 0x02 /* NOT READY */, 0x3a,
	  0x00 /* MEDIUM NOT PRESENT */ },
	/*
	 * SBC-3 4.5: an LBA past the capacity (the image shrank under the
	 * command) is ILLEGAL REQUEST, LOGICAL BLOCK ADDRESS OUT OF RANGE.
	 */
	{ EINVAL, READ, 0x05 /* ILLEGAL REQUEST */, 0x21,
	  0x00 /* LOGICAL BLOCK ADDRESS OUT OF RANGE */ },
	{ ERANGE, WRITE, 0x05 /* ILLEGAL REQUEST */, 0x21,
	  0x00 /* LOGICAL BLOCK ADDRESS OUT OF RANGE */ },
	/*
	 * The medium failed a read: MEDIUM ERROR (SPC-4 table 48),
	 * UNRECOVERED READ ERROR.
	 */
	{ EIO, READ, 0x03 /* MEDIUM ERROR */, 0x11,
	  0x00 /* UNRECOVERED READ ERROR */ },
	{ EXDEV, READ, 0x03 /* MEDIUM ERROR */, 0x11,
	  0x00 /* UNRECOVERED READ ERROR */ },
	/*
	 * Conditions of writes do not apply to a read that fails with the
	 * same errno (no access to the pool, a full pool refusing a read):
	 * the read failed, UNRECOVERED READ ERROR.
	 */
	{ EROFS, READ, 0x03 /* MEDIUM ERROR */, 0x11,
	  0x00 /* UNRECOVERED READ ERROR */ },
	{ EPERM, READ, 0x03 /* MEDIUM ERROR */, 0x11,
	  0x00 /* UNRECOVERED READ ERROR */ },
	{ EDQUOT, READ, 0x03 /* MEDIUM ERROR */, 0x11,
	  0x00 /* UNRECOVERED READ ERROR */ },
	{ ENOSPC, READ, 0x03 /* MEDIUM ERROR */, 0x11,
	  0x00 /* UNRECOVERED READ ERROR */ },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_rules(void)
{
	unsigned int i;

	for (i = 0; i < N(rules); i++) {
		const struct rule *r = &rules[i];
		struct bs_rbd_sense s = bs_rbd_errno_to_sense(-r->err, r->dir);

		if (s.key == r->key && s.asc == (r->asc << 8 | r->ascq))
			continue;
		fprintf(stderr,
			"  errno %d (%s): got %02x/%02x/%02x, the standard "
			"says %02x/%02x/%02x\n",
			r->err, r->dir == WRITE ? "write" : "read", s.key,
			s.asc >> 8, s.asc & 0xff, r->key, r->asc, r->ascq);
		CHECK(0);
	}
}

/*
 * A write the medium failed: MEDIUM ERROR with an ASC of the WRITE ERROR
 * family that table E.1 marks for direct-access devices (0C/02, 0C/03).
 */
static void test_write_medium_error(void)
{
	static const int errs[] = { EIO, EXDEV, 12345 };
	unsigned int i;

	for (i = 0; i < N(errs); i++) {
		struct bs_rbd_sense s = bs_rbd_errno_to_sense(-errs[i], WRITE);

		CHECK(s.key == 0x03 /* MEDIUM ERROR */);
		CHECK(s.asc == 0x0c02 /* WRITE ERROR - AUTO REALLOC. FAILED */
		      ||
		      s.asc ==
			      0x0c03 /* WRITE ERROR - RECOMMEND REASSIGNMENT */);
	}
}

/*
 * ASC/ASCQ that table E.1 marks "D" and that an I/O error may carry; any
 * other code from an errno is a mistake (or a new rule to add here).
 */
static const uint16_t d_codes[] = {
	0x0400, /* LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE */
	0x0401, /* LOGICAL UNIT IS IN PROCESS OF BECOMING READY */
	0x0403, /* LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED */
	0x040a, /* LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE
		 * TRANSITION */
	0x0c02, /* WRITE ERROR - AUTO REALLOCATION FAILED */
	0x0c03, /* WRITE ERROR - RECOMMEND REASSIGNMENT */
	0x1100, /* UNRECOVERED READ ERROR */
	0x1d00, /* MISCOMPARE DURING VERIFY OPERATION */
	0x2002, /* ACCESS DENIED - NO ACCESS RIGHTS */
	0x2100, /* LOGICAL BLOCK ADDRESS OUT OF RANGE */
	0x2700, /* WRITE PROTECTED */
	0x2707, /* SPACE ALLOCATION FAILED WRITE PROTECT */
	0x2e02, /* COMMAND TIMEOUT DURING PROCESSING (SPC-5) */
	0x3a00, /* MEDIUM NOT PRESENT */
	0x4400, /* INTERNAL TARGET FAILURE */
};

static int d_code(uint16_t asc)
{
	unsigned int i;

	for (i = 0; i < N(d_codes); i++)
		if (d_codes[i] == asc)
			return 1;
	return 0;
}

/*
 * Every errno, both directions: a sense key that reports an error (not
 * NO SENSE, RECOVERED ERROR or COMPLETED, which say the command did its
 * work; not UNIT ATTENTION, BLANK CHECK, vendor specific, COPY ABORTED,
 * the reserved 0Ch or VOLUME OVERFLOW, which an I/O error is not), and
 * an ASC/ASCQ of a direct-access device; a write never reports a read
 * error (11h), a read never a write error (0Ch) nor write protection
 * (27h); the sign of the errno does not matter.
 */
static void test_every_errno(void)
{
	int err, d;

	for (err = 1; err < 4096; err++) {
		for (d = READ; d <= WRITE; d++) {
			struct bs_rbd_sense s = bs_rbd_errno_to_sense(-err, d);
			struct bs_rbd_sense p = bs_rbd_errno_to_sense(err, d);
			uint8_t asc = s.asc >> 8;
			int ok;

			CHECK(p.key == s.key && p.asc == s.asc);
			ok = s.key == 0x02 /* NOT READY */ ||
			     s.key == 0x03 /* MEDIUM ERROR */ ||
			     s.key == 0x04 /* HARDWARE ERROR */ ||
			     s.key == 0x05 /* ILLEGAL REQUEST */ ||
			     s.key == 0x07 /* DATA PROTECT */ ||
			     s.key == 0x0b /* ABORTED COMMAND */ ||
			     s.key == 0x0e /* MISCOMPARE */;
			if (d == WRITE)
				ok = ok && asc != 0x11;
			else
				ok = ok && asc != 0x0c && asc != 0x27;
			ok = ok && d_code(s.asc);
			if (ok)
				continue;
			fprintf(stderr, "  errno %d (%s): %02x/%02x/%02x\n",
				err, d == WRITE ? "write" : "read", s.key, asc,
				s.asc & 0xff);
			CHECK(0);
			return;
		}
	}
}

int main(void)
{
	RUN(test_rules);
	RUN(test_write_medium_error);
	RUN(test_every_errno);
	return unit_report("unit/sense");
}
